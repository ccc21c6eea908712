"""Which parser reads a file: told by its content, never by its name.

| starts with (after a BOM and white space) | format                                     |
| `{`                                       | digitalwires JSON (one entry, or a wireQ answer) |
| `<`                                       | NewsML-G2 (a newsMessage or a newsItem)    |
| SOH, the byte 0x01                        | IPTC 7901                                  |
| anything else                             | dpa plain text                             |

A JSON or XML file that is not what dpa sends is rejected by its parser with
that said, rather than read as plain text.
"""

from . import digitalwires, dpa_text, iptc7901, newsml
from .parsed import ParsedArticle, ParseError

DIGITALWIRES, NEWSML, IPTC7901, DPA_TEXT = "digitalwires", "newsml-g2", "iptc7901", "dpa-text"
BOM = b"\xef\xbb\xbf"
LEADING_SPACE = b" \t\r\n"


def detect(data: bytes) -> str:
    start = data.removeprefix(BOM).lstrip(LEADING_SPACE)[:1]
    if start == b"{":
        return DIGITALWIRES
    if start == b"<":
        return NEWSML
    if start == b"\x01":
        return IPTC7901
    return DPA_TEXT


def parse(data: bytes) -> ParsedArticle:
    """The one story of a file; a file of several stories is an error (see `parse_all`)."""
    stories = parse_all(data)
    if len(stories) != 1:
        raise ParseError(f"the file holds {len(stories)} stories, not one")
    return stories[0]


def parse_all(data: bytes) -> list[ParsedArticle]:
    """Every story of a file: a wireQ answer or a newsMessage may hold several, or none."""
    kind = detect(data)
    if kind == DIGITALWIRES:
        return digitalwires.parse_all(data)
    if kind == NEWSML:
        return newsml.parse_all(data)
    if kind == IPTC7901:
        return [iptc7901.parse(data)]
    return [dpa_text.parse(data)]


def split(data: bytes) -> list[bytes]:
    """The file as one file per story, so that a story that fails does not take the others with it.

    Each part is read by `parse`. An error here is the whole file's (invalid JSON, unsafe XML).
    """
    kind = detect(data)
    if kind == DIGITALWIRES:
        return digitalwires.split(data)
    if kind == NEWSML:
        return newsml.split(data)
    return [data]
