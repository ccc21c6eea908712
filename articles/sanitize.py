"""The allow-list for article HTML: what a body may contain, whoever wrote it."""

import re

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
EMBED_TAG = re.compile(r"<(?P<closing>/?)dnl-", re.IGNORECASE)

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

    Done on the tags themselves, before any HTML parser: a parser would move a <p>
    inside an unknown element out of it, and its text would survive. One pass, so
    broken markup costs no more than good markup.
    """
    kept: list[str] = []
    depth = 0  # open <dnl-…> elements at `position`
    keep_from = position = 0
    for tag in EMBED_TAG.finditer(html):
        if tag.start() < position:
            continue
        end = html.find(">", tag.end())
        position = len(html) if end < 0 else end + 1
        if not depth:
            kept.append(html[keep_from : tag.start()])
        if tag["closing"]:
            depth = max(depth - 1, 0)
        elif not html.endswith("/>", 0, position):
            depth += 1
        if not depth:
            keep_from = position
    if not depth:
        kept.append(html[keep_from:])
    return "".join(kept)
