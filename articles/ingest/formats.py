"""Which parser reads a file: told by its content, never by its name."""

from . import dpa_text
from .parsed import ParsedArticle


def parse(data: bytes) -> ParsedArticle:
    # The machine formats (digitalwires JSON, NewsML-G2, IPTC 7901) join here;
    # anything that is none of them is dpa plain text.
    return dpa_text.parse(data)
