"""What the machine formats share: their HTML, notes, links, names and times.

digitalwires JSON and NewsML-G2 carry the same fields (dpa makes one from the
other); IPTC 7901 needs the names and times. Pure, like the parsers.
"""

import html
import re
from collections.abc import Iterable
from datetime import datetime
from html.parser import HTMLParser

import nh3

from ..sanitize import clean_html
from .parsed import ParseError

# dpa's own words for where the non-public part of a notepad begins.
NON_PUBLIC_MARKER = "Die folgenden Informationen sind nicht zur Veröffentlichung bestimmt"
WEB_SCHEMES = ("http://", "https://")
FIRST_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.DOTALL)
TAG = re.compile(r"<[^<>]*>")
CLASS_ATTRIBUTE = re.compile(r"""class\s*=\s*["']([^"']*)["']""", re.IGNORECASE)
BLOCKS = "p|h2|h3|ul|ol|li|table|thead|tbody|tr|th|td|caption|blockquote"
BLOCK_TAG = re.compile(rf"</?(?:{BLOCKS})\b[^>]*>")
TOKENS = re.compile(r"(<[^<>]*>)")
NBSP = "&nbsp;"
OPEN_OR_CLOSE_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)([^<>]*)>")
# Elements without content, and those an HTML parser closes by itself when the next one starts.
SELF_CLOSING = {
    "br", "img", "hr", "input", "meta", "link", "wbr", "source", "area", "col", "embed", "param",
    "track", "p", "li", "dt", "dd", "tr", "td", "th", "option",
}
MAX_NESTING = 500
PUBSTATUSES = ("usable", "canceled", "withheld")
READABLE_TAGS = {
    "section", "header", "div", "p", "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "a", "br",
    "span", "strong", "em", "table", "thead", "tbody", "tr", "td", "th",
}
READABLE_ATTRIBUTES = {"*": {"class"}, "a": {"href"}}


def plain(value) -> str:
    """Text with white space folded; None is ""."""
    return " ".join(str(value).split()) if value is not None else ""


def unique(names: Iterable[str | None]) -> tuple[str, ...]:
    """Names in order, each once ignoring case: the first spelling wins."""
    seen, result = set(), []
    for name in names:
        name = plain(name)
        if name and name.casefold() not in seen:
            seen.add(name.casefold())
            result.append(name)
    return tuple(result)


def is_web_url(url: str | None) -> bool:
    return isinstance(url, str) and url.strip().lower().startswith(WEB_SCHEMES)


def aware_time(value, what: str) -> datetime | None:
    """An ISO 8601 time with its UTC offset; None and "" are None."""
    if value is None or value == "":
        return None
    try:
        moment = datetime.fromisoformat(str(value).strip())
    except ValueError:
        raise ParseError(f"{what} is not an ISO 8601 time: {value!r}") from None
    if moment.tzinfo is None:
        raise ParseError(f"{what} has no UTC offset: {value!r}")
    return moment


def full_time(value) -> datetime | None:
    """`content_created` counts only as a full time: a date alone (2019-12-07) does not."""
    if not isinstance(value, str) or "T" not in value:
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def publication_time(content_created, version_created: datetime | None, where: str) -> datetime:
    moment = full_time(content_created) or version_created
    if moment is None:
        raise ParseError(f"{where}no publication time: no version_created and no full content_created")
    return moment


def pubstatus(value, where: str) -> str:
    """usable, canceled or withheld; missing or null means usable."""
    status = plain(value).lower().removeprefix("stat:") or "usable"
    if status not in PUBSTATUSES:
        raise ParseError(f"{where}unknown pubstatus {value!r} (expected one of {', '.join(PUBSTATUSES)})")
    return status


def clean(markup: str, what: str = "article_html") -> str:
    """Allow-listed HTML without the white space at the edges of its blocks.

    It shows nowhere, and without it one story in two formats (wrapped wire text,
    digitalwires HTML, indented XHTML) is the same HTML.
    """
    refuse_deep_nesting(markup, what)
    parts = TOKENS.split(clean_html(markup))  # text, tag, text, tag, …, text
    for index in range(0, len(parts), 2):
        if index and BLOCK_TAG.fullmatch(parts[index - 1]):
            parts[index] = strip_space(parts[index], leading=True)
        if index + 1 < len(parts) and BLOCK_TAG.fullmatch(parts[index + 1]):
            parts[index] = strip_space(parts[index], leading=False)
    return "".join(parts)


def strip_space(text: str, leading: bool) -> str:
    """White space and non-breaking spaces off one end of `text`."""
    if leading:
        start = 0
        while True:
            while start < len(text) and text[start].isspace():
                start += 1
            if not text.startswith(NBSP, start):
                return text[start:]
            start += len(NBSP)
    end = len(text)
    while True:
        while end and text[end - 1].isspace():
            end -= 1
        if not text.endswith(NBSP, 0, end):
            return text[:end]
        end -= len(NBSP)


def refuse_deep_nesting(markup: str, what: str) -> None:
    """The HTML5 parser behind the sanitiser slows down with the square of the nesting depth:
    no real story nests deep, a broken or hostile one would take minutes."""
    depth = 0
    for found in OPEN_OR_CLOSE_TAG.finditer(markup):
        closing, name, rest = found.groups()
        name = name.lower()
        if name in SELF_CLOSING or rest.endswith("/"):
            continue
        depth += -1 if closing else 1
        if depth > MAX_NESTING:
            raise ParseError(f"{what} nests elements more than {MAX_NESTING} deep")


def dateline_of(value) -> str:
    """dpa's "Peine (dpa/lni) - " without the white space around it."""
    return plain(value)


def body_html(article_html: str, dateline: str) -> str:
    """The allow-listed body, its first paragraph led by the dateline, never twice."""
    body = clean(article_html)
    if not dateline or "<p>" not in body or marks_dateline(before_first_paragraph_end(article_html)):
        return body
    first = FIRST_PARAGRAPH.search(body)
    if first and text_of(first[1]).startswith(dateline.rstrip(" -–")):
        return body
    return body.replace("<p>", f"<p>{html.escape(dateline, quote=False)} ", 1)


def marks_dateline(markup: str) -> bool:
    """Some entries carry the dateline as <span class="dateline">."""
    return any("dateline" in found[1].lower().split() for found in CLASS_ATTRIBUTE.finditer(markup))


def before_first_paragraph_end(markup: str) -> str:
    end = markup.lower().find("</p>")
    return markup if end < 0 else markup[:end]


def text_of(markup: str) -> str:
    return plain(html.unescape(TAG.sub("", markup)))


def public_text(text: str) -> str:
    """`text` up to dpa's non-public marker: whatever follows it is never kept."""
    return text.split(NON_PUBLIC_MARKER, 1)[0]


def notes_text(notepad_html: str) -> list[str]:
    """The public notepad as lines of plain text: headings, "- " items, links with their address."""
    if not notepad_html:
        return []
    reader = read(notepad_html)
    return [line for line in map(plain, public_text("".join(reader.out)).split("\n")) if line]


def links_of(linkbox_html: str) -> tuple[tuple[str, str], ...]:
    """(title, url) of each http(s) link, each address once."""
    if not linkbox_html:
        return ()
    return unique_links(read(linkbox_html).links)


def unique_links(links: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    seen, result = set(), []
    for title, url in links:
        url = url.strip()
        if is_web_url(url) and url not in seen:
            seen.add(url)
            result.append((plain(title) or url, url))
    return tuple(result)


def read(markup: str) -> "NotepadReader":
    # The allow-list first: what the reader then sees is well-formed, and Python's
    # HTML parser is slow (quadratic) only on broken markup.
    reader = NotepadReader()
    reader.feed(nh3.clean(markup, tags=READABLE_TAGS, attributes=READABLE_ATTRIBUTES, link_rel=None))
    reader.close()
    return reader


class NotepadReader(HTMLParser):
    """Text and links of notepad HTML, leaving out the non-public part, the header and the closing line."""

    SKIPPED_CLASSES = {"np-nonpublic", "closingline"}
    BLOCKS = {"p", "div", "section", "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "br", "tr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.links: list[tuple[str, str]] = []
        self.skipping: list[str] = []  # the skipped element's tag, once per open element of that name
        self.href: str | None = None
        self.link_text: list[str] = []

    def handle_starttag(self, tag, attrs):
        if self.skipping:
            if tag == self.skipping[0]:
                self.skipping.append(tag)
            return
        classes = set((dict(attrs).get("class") or "").split())
        if tag == "header" or classes & self.SKIPPED_CLASSES:
            self.skipping.append(tag)
            return
        if tag in self.BLOCKS:
            self.out.append("\n")
        if tag == "li":
            self.out.append("- ")
        if tag == "a":
            self.href = dict(attrs).get("href") or ""
            self.link_text = []

    def handle_endtag(self, tag):
        if self.skipping:
            if tag == self.skipping[0]:
                self.skipping.pop()
            return
        if tag == "a" and self.href is not None:
            title = plain("".join(self.link_text))
            if is_web_url(self.href):
                self.links.append((title, self.href))
                self.out.append(f" ({self.href})" if title else self.href)
            self.href = None
        if tag in self.BLOCKS:
            self.out.append("\n")

    def handle_data(self, data):
        if self.skipping:
            return
        self.out.append(data)
        if self.href is not None:
            self.link_text.append(data)
