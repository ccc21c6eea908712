"""The allow-list for article HTML: what a body may contain, whoever wrote it."""

import re
from html.parser import HTMLParser

import nh3

ALLOWED_TAGS = {
    "p", "h2", "h3", "ul", "ol", "li", "strong", "em", "br", "a", "blockquote",
    "table", "thead", "tbody", "tr", "th", "td", "caption",
}
ALLOWED_ATTRIBUTES = {"a": {"href"}, "th": {"colspan", "rowspan"}, "td": {"colspan", "rowspan"}}
# Removed with everything inside them; any other tag that is not allowed goes, its text stays.
DROPPED_WITH_CONTENT = {
    "script", "style", "template", "noscript", "iframe", "object", "embed", "svg", "math",
    "head", "title",
}
# dpa's embeds (<dnl-…>): what they stand for is delivered elsewhere, their text means nothing here.
EMBED_PREFIX = "dnl-"

EMPTY_PARAGRAPH = re.compile(r"<p>(?:\s|&nbsp;|\xa0|<br>|</?strong>|</?em>)*</p>")


def clean_html(html: str) -> str:
    if not html:
        return ""
    cleaned = nh3.clean(
        drop_embeds(html),
        tags=ALLOWED_TAGS,
        clean_content_tags=DROPPED_WITH_CONTENT,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https"},
        link_rel="nofollow",
    )
    return EMPTY_PARAGRAPH.sub("", cleaned).strip()


def drop_embeds(html: str) -> str:
    """`html` without its <dnl-…> elements and their content.

    A tokenizer, not a tree builder: an HTML5 parser would move a <p> inside an
    unknown element out of it, and its text would survive.
    """
    if EMBED_PREFIX not in html.lower():
        return html
    dropper = EmbedDropper()
    dropper.feed(html)
    dropper.close()
    return "".join(dropper.out)


class EmbedDropper(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=False)
        self.out: list[str] = []
        self.depth = 0  # open <dnl-…> elements around the current position

    def handle_starttag(self, tag, attrs):
        if tag.startswith(EMBED_PREFIX):
            self.depth += 1
        elif not self.depth:
            self.out.append(self.get_starttag_text())

    def handle_startendtag(self, tag, attrs):
        if not self.depth and not tag.startswith(EMBED_PREFIX):
            self.out.append(self.get_starttag_text())

    def handle_endtag(self, tag):
        if tag.startswith(EMBED_PREFIX):
            self.depth = max(self.depth - 1, 0)
        elif not self.depth:
            self.out.append(f"</{tag}>")

    def handle_data(self, data):
        if not self.depth:
            self.out.append(data)

    def handle_entityref(self, name):
        self.handle_data(f"&{name};")

    def handle_charref(self, name):
        self.handle_data(f"&#{name};")
