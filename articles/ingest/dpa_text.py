"""The dpa plain-text format (`shared/formats/dpa-text.md`): bytes in, ParsedArticle out.

Pure: no Django, no database. Rule 1 of the *Weitere Meldungen* split needs the
articles already known and is applied by the import service.
"""

import html
import re
from datetime import datetime
from zoneinfo import ZoneInfo

from .parsed import ParsedArticle, ParsedRelated, ParseError

BERLIN = ZoneInfo("Europe/Berlin")

SUBHEADING_MAX = 100
SUBHEADING_FORBIDDEN_ENDS = (".", ",", ":", ";", '"', "“", "”", "»", "«")
KEYWORD_FORBIDDEN_ENDS = (".", "!", "?")
# A related item's headline is looked for only this far into its text (rule 2).
SENTENCE_END_WITHIN = 160
MORE_NEWS_HEADING = "weitere meldungen"

DATE_LIKE = re.compile(r"\d{1,2}\.\d{1,2}\.\d{2,4}\b")
DATE_LINE = re.compile(
    r"(?P<day>\d{2})\.(?P<month>\d{2})\.(?P<year>\d{4}) - "
    r"(?P<hour>\d{2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?"
)
CREDIT_LINE = re.compile(r"[@©]\s*(?P<credit>\S.*)")
RELATED_ITEM = re.compile(
    r"(?P<text>.+?)\s*\((?P<section>[^()]+?),\s*"
    r"(?P<day>\d{2})\.(?P<month>\d{2})\.(?P<year>\d{4})\s*-\s*(?P<hour>\d{2}):(?P<minute>\d{2})\)"
    r"\s*(?:weiterlesen(?:\.\.\.|…))?",
    re.IGNORECASE,
)
SENTENCE_END = re.compile(r"[.?!] (?=[^\W\d_])")
# Text is text when control characters (other than tab and line ends) stay rare.
MAX_CONTROL_SHARE = 0.1
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class Block:
    """A run of non-blank lines, with the 1-based number of its first line."""

    def __init__(self, line: int, lines: list[str]):
        self.line = line
        self.lines = lines

    @property
    def text(self) -> str:
        return " ".join(line.strip() for line in self.lines)

    @property
    def is_single_line(self) -> bool:
        return len(self.lines) == 1


def parse(data: bytes) -> ParsedArticle:
    blocks = split_blocks(decode(data))
    if not blocks:
        raise ParseError("file is empty")

    date_index = find_date_block(blocks)
    kicker, tags, teaser = parse_head(blocks[:date_index], blocks[date_index])
    published_at = parse_date_line(blocks[date_index])

    rest = blocks[date_index + 1 :]
    if not rest:
        raise ParseError("no headline after the date line", blocks[date_index].line)
    headline_block, rest = rest[0], rest[1:]
    if is_more_news_heading(headline_block) or CREDIT_LINE.fullmatch(headline_block.text.strip()):
        raise ParseError("no headline after the date line", headline_block.line)
    if not headline_block.is_single_line:
        raise ParseError("headline must be one line", headline_block.line)
    headline = headline_block.text

    body, credit, more_news = split_tail(rest)
    if not any(kind == "p" for kind, _ in body):
        line = rest[0].line if rest else headline_block.line
        raise ParseError("no body: at least one paragraph must follow the headline", line)

    return ParsedArticle(
        headline=headline,
        teaser=teaser,
        body_html="\n".join(f"<{kind}>{html.escape(text, quote=False)}</{kind}>" for kind, text in body),
        published_at=published_at,
        kicker=kicker,
        tags=tags,
        credit=credit,
        related=tuple(parse_related(block) for block in more_news),
    )


def decode(data: bytes) -> str:
    if b"\x00" in data:
        raise ParseError("not a text file: it contains NUL bytes")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        # Agency feeds still arrive in Windows-1252; the five bytes it leaves
        # undefined are passed through rather than failing the whole file.
        text = data.decode("cp1252", errors="replace")
    # Most texts have none: one search, and counting only where there are some.
    if CONTROL.search(text) and len(CONTROL.findall(text)) > MAX_CONTROL_SHARE * len(text):
        raise ParseError("not a text file: it is mostly control characters")
    return text


def split_blocks(text: str) -> list[Block]:
    blocks: list[Block] = []
    current: list[str] = []
    # CRLF, LF and CR end a line: as re.split(r"\r\n|\n|\r"), in a tenth of the time.
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for number, line in enumerate(lines, start=1):
        line = line.rstrip()
        if line.strip():
            if not current:
                blocks.append(Block(number, current))
            current.append(line)
        else:
            current = []
    return blocks


def find_date_block(blocks: list[Block]) -> int:
    for index, block in enumerate(blocks):
        # A lead may well start with a date; the date line is short and alone.
        if block.is_single_line and len(block.text) <= 30 and DATE_LIKE.match(block.text.strip()):
            return index
    raise ParseError("no date line (DD.MM.YYYY - HH:MM[:SS]) found")


def parse_head(head: list[Block], date_block: Block) -> tuple[str, tuple[str, ...], str]:
    """The keyword line (optional) and the lead before the date line."""
    if not head:
        raise ParseError("no lead paragraph before the date line", date_block.line)
    if len(head) > 2:
        raise ParseError(
            "expected at most a keyword line and a lead before the date line, "
            f"found {len(head)} blocks",
            head[2].line,
        )
    if len(head) == 1:
        return "", (), head[0].text
    keywords, lead = head
    if not keywords.is_single_line or keywords.text.endswith(KEYWORD_FORBIDDEN_ENDS):
        raise ParseError(
            "keyword line must be one line not ending in '.', '!' or '?'", keywords.line
        )
    tags = tuple(item.strip() for item in keywords.text.split(",") if item.strip())
    return keywords.text, tags, lead.text


def parse_date_line(block: Block) -> datetime:
    text = block.text.strip()
    match = DATE_LINE.fullmatch(text)
    if not match or not block.is_single_line:
        raise ParseError("date line must read DD.MM.YYYY - HH:MM[:SS]", block.line)
    return berlin_time(match, text, block.line)


def berlin_time(match: re.Match, text: str, line: int) -> datetime:
    parts = match.groupdict()
    try:
        # Wall-clock time in Berlin: in the spring-forward gap and the autumn
        # overlap zoneinfo picks the offset before the change (fold=0).
        return datetime(
            int(parts["year"]),
            int(parts["month"]),
            int(parts["day"]),
            int(parts["hour"]),
            int(parts["minute"]),
            int(parts.get("second") or 0),
            tzinfo=BERLIN,
        )
    except ValueError:
        raise ParseError(f"impossible date or time '{text}'", line) from None


def split_tail(blocks: list[Block]) -> tuple[list[tuple[str, str]], str, list[Block]]:
    """The body, up to the credit line or *Weitere Meldungen*, then what follows."""
    body: list[tuple[str, str]] = []
    credit = ""
    for index, block in enumerate(blocks):
        if is_more_news_heading(block):
            return body, credit, more_news_items(block, blocks[index + 1 :])
        credit_match = CREDIT_LINE.fullmatch(block.text.strip()) if block.is_single_line else None
        if credit_match:
            credit = credit_match["credit"].strip()
            after = blocks[index + 1 :]
            if after and not is_more_news_heading(after[0]):
                raise ParseError("unexpected text after the credit line", after[0].line)
            return body, credit, more_news_items(after[0], after[1:]) if after else []
        body.append(("h2" if is_subheading(block) else "p", block.text))
    return body, credit, []


def is_more_news_heading(block: Block) -> bool:
    return block.lines[0].strip().rstrip(":").lower() == MORE_NEWS_HEADING


def more_news_items(heading: Block, items: list[Block]) -> list[Block]:
    # Items may start right under the heading line, without a blank line.
    if not heading.is_single_line:
        items = [Block(heading.line + 1, heading.lines[1:]), *items]
    return items


def is_subheading(block: Block) -> bool:
    text = block.text
    return (
        block.is_single_line
        and len(text) <= SUBHEADING_MAX
        and not text.endswith(SUBHEADING_FORBIDDEN_ENDS)
    )


def parse_related(block: Block) -> ParsedRelated:
    match = RELATED_ITEM.fullmatch(block.text.strip())
    if not match:
        raise ParseError(
            "item under 'Weitere Meldungen' does not end in '(Section, DD.MM.YYYY - HH:MM)': "
            "file cut off or damaged",
            block.line,
        )
    text = match["text"].strip()
    headline, teaser = split_related(text)
    return ParsedRelated(
        text=text,
        headline=headline,
        teaser=teaser,
        section_name=match["section"].strip(),
        published_at=berlin_time(match, block.text.strip(), block.line),
    )


def split_related(text: str) -> tuple[str, str]:
    """Rules 2 and 3: the first sentence end within the first 160 characters, else all headline."""
    for end in SENTENCE_END.finditer(text):
        if end.start() >= SENTENCE_END_WITHIN:
            break
        if text[end.end()].isupper():
            return strip_period(text[: end.start() + 1]), text[end.end() :].strip()
    return strip_period(text), ""


def strip_period(headline: str) -> str:
    headline = headline.strip()
    return headline[:-1].rstrip() if headline.endswith(".") else headline


def normalize_headline(headline: str) -> str:
    """The form in which headlines are compared: white space folded, case ignored, no final '.'."""
    return strip_period(" ".join(headline.split())).casefold()
