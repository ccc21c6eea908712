"""dpa plain texts built from parts (shared/formats/dpa-text.md), for the importer tests."""

from articles.ingest.dpa_text import parse
from articles.ingest.parsed import ParsedArticle

KEYWORDS = "Berlin, Haushalt"
LEAD = "Der Senat hat den Doppelhaushalt nach langem Streit beschlossen."
DATE = "28.02.2025 - 13:16:20"
HEADLINE = "Senat beschließt Doppelhaushalt"
PARAGRAPH = "Die Koalition einigte sich nach Verhandlungen bis in die Nacht."
CREDIT = "@ dpa.de"

# Where the blocks of `dpa_text()` start: one blank line between blocks, so block n
# starts on line 2n - 1.
DATE_LINE, HEADLINE_LINE, BODY_LINE = 5, 7, 9


def dpa_text(
    *,
    keywords: str | None = KEYWORDS,
    lead: str | None = LEAD,
    date: str | None = DATE,
    headline: str | None = HEADLINE,
    body: tuple[str, ...] = (PARAGRAPH,),
    credit: str | None = CREDIT,
    related: tuple[str, ...] = (),
) -> str:
    """A small article; None leaves a block out, `related` adds *Weitere Meldungen*."""
    blocks = [keywords, lead, date, headline, *body, credit]
    if related:
        blocks += ["Weitere Meldungen", *related]
    return "\n\n".join(block for block in blocks if block is not None) + "\n"


def related_item(text: str, *, section: str = "Ausland", time: str = "27.11.2025 - 15:24") -> str:
    """An item under *Weitere Meldungen*: headline and teaser, then section and time."""
    return f"{text} ({section}, {time}) weiterlesen..."


def parsed(**parts) -> ParsedArticle:
    return parse(dpa_text(**parts).encode())
