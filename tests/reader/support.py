"""What the reader's-site tests share: which database answers, and the links a page makes."""

import re
from html.parser import HTMLParser

import pytest
from django.db import connection

ON_POSTGRES = connection.vendor == "postgresql"

sqlite_only = pytest.mark.skipif(
    ON_POSTGRES, reason="tests SQLite's FTS5 index; PostgreSQL searches its own tsvector"
)
postgres_only = pytest.mark.skipif(
    not ON_POSTGRES,
    reason="German stemming needs PostgreSQL's full-text search (set DATABASE_URL=postgres://…)",
)

TEASER_LINK = re.compile(r'class="teaser__headline"><a href="([^"]+)"')


def result_hrefs(response) -> list[str]:
    """The addresses of the teasers on a list or search page, in page order."""
    assert response.status_code == 200
    return TEASER_LINK.findall(response.content.decode())


def urls(articles) -> list[str]:
    return [article.get_absolute_url() for article in articles]


class HeadLinks(HTMLParser):
    """The <link> elements of a page's <head>, each a dict of its attributes."""

    def __init__(self, html: str):
        super().__init__()
        self.links: list[dict] = []
        self._in_head = False
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        if tag == "head":
            self._in_head = True
        elif tag == "link" and self._in_head:
            self.links.append(dict(attrs))

    def handle_endtag(self, tag):
        if tag == "head":
            self._in_head = False


def feed_links(response) -> list[str]:
    """The addresses of the RSS feeds a page names as its alternates."""
    assert response.status_code == 200
    return [
        link["href"]
        for link in HeadLinks(response.content.decode()).links
        if link.get("rel") == "alternate" and link.get("type") == "application/rss+xml"
    ]
