"""IPTC 7901 as dpa's German services send it (shared/formats/dpa-feeds.md, "IPTC 7901").

Bytes in, ParsedArticle out; pure. The `# Notizblock` section is for editors only
and everything after dpa's non-public marker is confidential: neither is kept in
any field. The only thing read from the notepad is an embargo (*Sperrfrist*),
so that an embargoed story is never published early.
"""

import html
import re
from datetime import datetime, timedelta

from . import markup
from .dpa_text import BERLIN, SUBHEADING_FORBIDDEN_ENDS, SUBHEADING_MAX, Block, decode
from .parsed import ParsedArticle, ParseError

FORMAT = "iptc7901"
SOH, STX, ETX = "\x01", "\x02", "\x03"
AGENCY = "dpa"  # every German 7901 service (bdt, lni, spe, …) is dpa's
LANGUAGE = "de"

HEADER = re.compile(
    r"(?P<service>[a-z]+)(?P<sequence>\d+)\s+(?P<priority>\d)\s+(?P<desk>[a-z]+)\s+"
    r"(?P<words>\d+)\s+(?P<source>\S+)",
    re.IGNORECASE,
)
TRAILER = re.compile(
    r"(?P<day>\d{2})(?P<hour>\d{2})(?P<minute>\d{2})\s+(?P<month>[^\W\d_]{3,4})\.?\s+(?P<year>\d{2})\b"
)
MONTHS = {
    "jan": 1, "feb": 2, "mär": 3, "mrz": 3, "mar": 3, "apr": 4, "mai": 5, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "sept": 9, "okt": 10, "oct": 10, "nov": 11, "dez": 12, "dec": 12,
}
MONTH_NAMES = {
    "januar": 1, "jänner": 1, "februar": 2, "märz": 3, "april": 4, "mai": 5, "juni": 6, "juli": 7,
    "august": 8, "september": 9, "oktober": 10, "november": 11, "dezember": 12,
}
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
HEAD_END = re.compile(r"(?:^|\s)=$")
DATELINE = re.compile(r"[^\W\d_][^()\n]{0,80}? \([^()\s]{2,30}\) [-–] ")
NOTEPAD = re.compile(r"#\s*Notizblock\b", re.IGNORECASE)
SEPARATOR = re.compile(r"(?:\*\s*){3,}")
LIST_ITEM = re.compile(r"\s*\*\s+(?P<item>\S.*)")
BANNER = re.compile(r"\+{3}\s*(?P<heading>.*?)\s*\+{3}")
BANNER_MAX = 200  # a heading is short; longer lines are not tried (no quadratic matching)
TABLE_ROW = re.compile(r"\|.*\|")
CLOSING_LINE = re.compile(r"[a-z][a-z0-9-]*(?: [a-z0-9äöüß/-]+)+")
CORRECTION = re.compile(r"Berichtigung\s*:\s*(?P<text>.+)", re.IGNORECASE | re.DOTALL)
# "Sperrfrist 23. Januar 19.00 Uhr", "Sperrfrist: Donnerstag, 02.01.2025, 6.00 Uhr",
# "Sperrfrist der Meldung bis heute Abend (23.01.), 19.00 Uhr", "Sperrfrist morgen 10.00 Uhr".
EMBARGO = re.compile(
    r"Sperrfrist\b(?P<words>\D{0,60}?)"
    r"(?:(?P<day>\d{1,2})\.\s*(?:(?P<month_name>[^\W\d_]+)|(?P<month>\d{1,2})\.)\s*(?P<year>\d{4})?[\s,)]*)?"
    r"(?:um\s+)?(?P<hour>\d{1,2})[.:](?P<minute>\d{2})\s*Uhr",
    re.IGNORECASE,
)
WEEKDAYS = {
    "montag": 0, "dienstag": 1, "mittwoch": 2, "donnerstag": 3, "freitag": 4, "samstag": 5, "sonntag": 6,
}
QUOTES = "\"“”»«„"
# The wire marks Germany's places nowhere; these are the ones the desk "pl" rule needs.
GERMAN_PLACES = {
    "deutschland", "baden-württemberg", "bayern", "berlin", "brandenburg", "bremen", "hamburg",
    "hessen", "mecklenburg-vorpommern", "niedersachsen", "nordrhein-westfalen", "rheinland-pfalz",
    "saarland", "sachsen", "sachsen-anhalt", "schleswig-holstein", "thüringen",
}


def parse(data: bytes) -> ParsedArticle:
    text = re.sub(r"\r\n?", "\n", decode(data))
    soh = text.find(SOH)
    if soh < 0:
        raise ParseError("not IPTC 7901: no SOH (0x01) before the header")
    stx = text.find(STX, soh)
    if stx < 0:
        raise ParseError("no STX (0x02): the text of the story does not begin", line_at(text, soh))
    etx = text.find(ETX, stx)
    if etx < 0:
        raise ParseError("no ETX (0x03) with the sending time: the file is cut off", line_at(text, len(text)))

    header_end = text.find("\n", soh)
    header_end = stx if header_end < 0 or header_end > stx else header_end
    header = HEADER.match(text[soh + 1 : header_end].strip())
    if not header:
        raise ParseError("header must read like 'bdt0000 3 vm 831  dpa 0000'", line_at(text, soh))
    keywords = markup.unique(text[header_end:stx].replace("\n", " ").split("/"))

    lines = numbered_lines(text[stx + 1 : etx], line_at(text, stx))
    head, rest = split_head(lines, line_at(text, stx))
    headline, byline, notes = parse_head(head)
    published_at = sending_time(text[etx + 1 :], line_at(text, etx))
    body_lines, notepad = cut_notepad(rest)
    embargo = embargo_of([*notes, *public_notepad(notepad)], published_at)

    blocks = drop_closing_line(split_blocks(body_lines))
    teaser = ""
    if len(blocks) > 1 and not DATELINE.match(blocks[0].text) and DATELINE.match(blocks[1].text):
        teaser, blocks = blocks[0].text, blocks[1:]
    if not blocks and not teaser:
        raise ParseError("no text after the head block", head[-1][0])
    dateline = DATELINE.match(blocks[0].text) if blocks else None
    correction = next((found["text"] for note in notes if (found := CORRECTION.match(note))), "")
    return ParsedArticle(
        headline=headline,
        teaser=teaser,
        body_html=markup.clean("".join(render(block) for block in blocks)),
        published_at=published_at,
        tags=keywords,
        credit=AGENCY,
        byline=byline,
        dateline=markup.dateline_of(dateline[0]) if dateline else "",
        format=FORMAT,
        embargo=embargo,
        desk=header["desk"].lower(),
        geo_subjects=tuple(word for word in keywords if word.casefold() in GERMAN_PLACES),
        editor_notes="\n".join(note for note in notes if not CORRECTION.match(note)),
        correction=markup.plain(correction),
        provider=header["source"],
        language=LANGUAGE,
    )


def line_at(text: str, position: int) -> int:
    return text.count("\n", 0, position) + 1


def numbered_lines(text: str, first: int) -> list[tuple[int, str]]:
    """(line number, line) with control characters (the wire's bells) removed."""
    return [
        (number, CONTROL.sub("", line).rstrip())
        for number, line in enumerate(text.split("\n"), start=first)
    ]


def split_head(lines, stx_line: int) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """The head block: the first run of lines, ending in a line that ends in ' ='."""
    start = next((index for index, (_, line) in enumerate(lines) if line.strip()), None)
    if start is None:
        raise ParseError("no head block after STX", stx_line)
    for index in range(start, len(lines)):
        line = lines[index][1]
        if not line.strip():
            break
        if HEAD_END.search(line):
            return lines[start : index + 1], lines[index + 1 :]
    raise ParseError(
        "the head block (notes, headline, byline) must end in a line ending in ' ='", lines[start][0]
    )


def parse_head(head) -> tuple[str, str, list[str]]:
    """Headline, byline and the notes in parentheses; a note may wrap over several lines."""
    headline, byline, notes = [], "", []
    note: list[str] = []
    depth = 0
    for index, (_, line) in enumerate(head):
        line = line.strip()
        if index == len(head) - 1:
            line = line[:-1].rstrip()
        if note or line.startswith("("):
            note.append(line)
            depth += line.count("(") - line.count(")")
            if depth <= 0:
                notes.append(note_text(" ".join(note)))
                note, depth = [], 0
        elif line.startswith("Von "):
            byline = markup.plain(line)
        elif line:
            headline.append(line)
    if note:
        raise ParseError("a note in parentheses in the head block is not closed", head[-1][0])
    if not headline:
        raise ParseError("no headline in the head block", head[0][0])
    return markup.plain(" ".join(headline)), byline, [note for note in notes if note]


def note_text(note: str) -> str:
    note = markup.plain(note)
    if note.startswith("(") and note.endswith(")"):
        note = note[1:-1]
    return note.strip()


def sending_time(trailer: str, line: int) -> datetime:
    """`251852 Sep 24`: the 25th, 18:52, September 2024, Berlin time."""
    found = TRAILER.search(trailer)
    month = MONTHS.get(found["month"].lower()) if found else None
    if not found or not month:
        raise ParseError("the time after ETX must read DDHHMM Mon YY, as in '251852 Sep 24'", line)
    try:
        return datetime(
            2000 + int(found["year"]), month, int(found["day"]), int(found["hour"]), int(found["minute"]),
            tzinfo=BERLIN,
        )
    except ValueError:
        raise ParseError(f"impossible sending time '{found[0]}'", line) from None


def cut_notepad(lines) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """The body, and the notepad: from `# Notizblock`, or from the non-public marker if it comes first."""
    for index, (_, line) in enumerate(lines):
        if NOTEPAD.match(line.strip()) or markup.NON_PUBLIC_MARKER in line:
            # The `* * * *` rule above the marker belongs to what it separates.
            while index and is_rule_or_blank(lines[index - 1][1]):
                index -= 1
            return lines[:index], lines[index:]
    return lines, []


def is_rule_or_blank(line: str) -> bool:
    return not line.strip() or bool(SEPARATOR.fullmatch(line.strip()))


def public_notepad(notepad) -> list[str]:
    """The notepad's lines before the non-public marker and its `* * * *` rule."""
    public = []
    for _, line in notepad:
        if markup.NON_PUBLIC_MARKER in line or SEPARATOR.fullmatch(line.strip()):
            break
        public.append(line.strip())
    return [" ".join(public)]


def embargo_of(notes: list[str], sent: datetime) -> datetime | None:
    """The *Sperrfrist* of a note, in Berlin time.

    Without a date it is the sending day, the named weekday or tomorrow (*morgen*) on or
    after it; a time already past is the next day's. A note that names a Sperrfrist this
    cannot read rejects the story: better an editor's look than a story out too early.
    """
    for note in notes:
        if "sperrfrist" not in note.lower():
            continue
        found = EMBARGO.search(note)
        if not found:
            raise ParseError(f"embargo (Sperrfrist) not understood: '{markup.plain(note)[:120]}'")
        try:
            moment = embargo_time(found, sent)
        except ValueError:
            raise ParseError(f"impossible embargo time '{markup.plain(found[0])}'") from None
        return moment
    return None


def embargo_time(found: re.Match, sent: datetime) -> datetime:
    time_of_day = {"hour": int(found["hour"]), "minute": int(found["minute"]), "second": 0, "microsecond": 0}
    if found["day"]:
        month = int(found["month"]) if found["month"] else MONTH_NAMES.get(found["month_name"].lower())
        if not month:
            raise ValueError(found["month_name"])
        year = int(found["year"]) if found["year"] else sent.year
        moment = sent.replace(year=year, month=month, day=int(found["day"]), **time_of_day)
        if not found["year"] and moment < sent - timedelta(days=180):
            moment = moment.replace(year=year + 1)
        return moment
    words = found["words"].lower().split()
    moment = sent.replace(**time_of_day)
    weekday = next((WEEKDAYS[word.strip(",.:")] for word in words if word.strip(",.:") in WEEKDAYS), None)
    if weekday is not None:
        moment += timedelta(days=(weekday - sent.weekday()) % 7)
    elif "übermorgen" in words:
        moment += timedelta(days=2)
    elif "morgen" in words:
        moment += timedelta(days=1)
    if moment < sent:
        moment += timedelta(days=1)
    return moment


def split_blocks(lines) -> list[Block]:
    blocks: list[Block] = []
    current: list[str] = []
    for number, line in lines:
        if line.strip():
            if not current:
                blocks.append(Block(number, current))
            current.append(line)
        else:
            current = []
    return blocks


def drop_closing_line(blocks: list[Block]) -> list[Block]:
    """The editors' initials that close the story (`dpa kre/su yysw a3 lön mda`) are no text."""
    if blocks and blocks[-1].is_single_line and CLOSING_LINE.fullmatch(blocks[-1].text.strip()):
        return blocks[:-1]
    return blocks


def render(block: Block) -> str:
    if all(TABLE_ROW.fullmatch(line.strip()) for line in block.lines):
        return table([[cell.strip() for cell in line.strip()[1:-1].split("|")] for line in block.lines])
    parts: list[str] = []
    paragraph: list[str] = []
    items: list[list[str]] = []

    def flush():
        if paragraph:
            text = " ".join(line.strip() for line in paragraph)
            tag = "h2" if len(paragraph) == 1 and is_subheading(text) else "p"
            parts.append(f"<{tag}>{escape(text)}</{tag}>")
            paragraph.clear()
        if items:
            parts.append("<ul>" + "".join(f"<li>{escape(' '.join(item))}</li>" for item in items) + "</ul>")
            items.clear()

    for line in block.lines:
        banner = BANNER.fullmatch(line.strip()) if len(line) <= BANNER_MAX else None
        item = LIST_ITEM.fullmatch(line) if not SEPARATOR.fullmatch(line.strip()) else None
        if banner:
            flush()
            parts.append(f"<h2>{escape(banner['heading'])}</h2>")
        elif item:
            if paragraph:
                flush()
            items.append([item["item"].strip()])
        elif items:
            items[-1].append(line.strip())
        else:
            paragraph.append(line)
    flush()
    return "".join(parts)


def is_subheading(text: str) -> bool:
    """The plain text's rule: one short line without final punctuation.

    A line that ends in a closing quotation mark is a subheading when no sentence
    ends inside the quotation: dpa's «Patriarchat hat keine Herkunft» is one (the
    same story's digitalwires version marks it <h2>), «Wir bleiben.» is not.
    """
    if len(text) > SUBHEADING_MAX:
        return False
    unquoted = text.rstrip(QUOTES)
    if unquoted != text:
        return bool(unquoted) and not unquoted.endswith((".", ",", ":", ";", "!", "?"))
    return not text.endswith(SUBHEADING_FORBIDDEN_ENDS)


def table(rows: list[list[str]]) -> str:
    """A wire table (`| a | b |` lines); a short row's last cell spans the rest, as in digitalwires."""
    width = max(len(row) for row in rows)
    html_rows = []
    for row in rows:
        cells = [f"<td>{escape(cell)}</td>" for cell in row]
        if len(row) < width:
            cells[-1] = f'<td colspan="{width - len(row) + 1}">{escape(row[-1])}</td>'
        html_rows.append("<tr>" + "".join(cells) + "</tr>")
    return "<table><tbody>" + "".join(html_rows) + "</tbody></table>"


def escape(text: str) -> str:
    return html.escape(markup.plain(text), quote=False)
