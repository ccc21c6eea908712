"""RSS 2.0 and Atom feeds of the site, a section, a tag and an agency."""

from urllib.parse import urlsplit

import feedparser
import pytest
from django.test import Client

from articles.models import Section

from ..factories import UNPUBLISHED, make_article
from .support import feed_links, urls

pytestmark = pytest.mark.django_db

# The list a feed belongs to: its page, its feeds, and how to make an article of it and one of another list.
LISTS = {
    "site": ("/", "/feed/", {}, None),
    "section": ("/sport/", "/sport/feed/", {"section": "sport"}, {"section": "kultur"}),
    "tag": ("/tag/bundesliga/", "/tag/bundesliga/feed/", {"tags": ["Bundesliga"]}, {"tags": ["Handball"]}),
    "agency": ("/agency/dpa/", "/agency/dpa/feed/", {"agency": "dpa"}, {"agency": None}),
}
FEEDS = [
    pytest.param(kind, feed + suffix, id=f"{kind}-{'atom' if suffix else 'rss'}")
    for kind, (_, feed, _, _) in LISTS.items()
    for suffix in ("", "atom/")
]


def parsed(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return feedparser.parse(response.content)


def entry_paths(feed) -> list[str]:
    return [urlsplit(entry.link).path for entry in feed.entries]


@pytest.mark.parametrize(("kind", "url"), FEEDS)
def test_feed_parses_without_errors(client, kind, url):
    make_article(
        **LISTS[kind][2], headline="Müller & Söhne: <Rekord> im „Export“", teaser="Umsatz > 5 % & mehr"
    )

    feed = parsed(client, url)

    assert feed.bozo is False, feed.get("bozo_exception")
    assert [entry.title for entry in feed.entries] == ["Müller & Söhne: <Rekord> im „Export“"]


@pytest.mark.parametrize(("kind", "url"), FEEDS)
def test_feed_is_rss_2_or_atom_1(client, kind, url):
    make_article(**LISTS[kind][2])

    assert parsed(client, url).version == ("atom10" if url.endswith("atom/") else "rss20")


@pytest.mark.parametrize(("kind", "url"), FEEDS)
def test_feed_holds_exactly_its_published_articles_newest_first(client, kind, url):
    _, _, own, other = LISTS[kind]
    older, newer = make_article(**own), make_article(**own)
    for state in UNPUBLISHED.values():
        make_article(**own, **state)
    if other is not None:
        make_article(**other)

    assert entry_paths(parsed(client, url)) == urls([newer, older])


@pytest.mark.parametrize(("kind", "url"), FEEDS)
def test_feed_links_items_with_absolute_addresses(client, kind, url):
    article = make_article(**LISTS[kind][2])

    [entry] = parsed(client, url).entries

    assert entry.link == f"http://testserver{article.get_absolute_url()}"


def test_feed_holds_the_thirty_newest(client):
    articles = [make_article() for _ in range(31)]

    assert entry_paths(parsed(client, "/feed/")) == urls(articles[::-1][:30])


CHANGES = {
    "headline": lambda article: setattr(article, "headline", "Neue Schlagzeile"),
    "slug": lambda article: setattr(article, "slug", "neue-adresse"),
    "section": lambda article: setattr(article, "section", Section.objects.get(slug="ausland")),
}


@pytest.mark.parametrize("change", CHANGES)
@pytest.mark.parametrize("url", ["/feed/", "/feed/atom/"])
def test_item_id_stays_the_same_when_the_article_changes(url, change):
    article = make_article()
    [before] = parsed(Client(), url).entries

    CHANGES[change](article)
    article.save()
    [after] = parsed(Client(), url).entries

    assert after.id == before.id


@pytest.mark.parametrize(
    "url", ["/feuilleton/feed/", "/tag/gibt-es-nicht/feed/", "/agency/reuters/feed/atom/"]
)
def test_feed_of_an_unknown_list_is_404(client, url):
    make_article()

    assert client.get(url).status_code == 404


@pytest.mark.parametrize("kind", LISTS)
def test_page_names_its_feed_as_rss_alternate(client, kind):
    page, feed, own, _ = LISTS[kind]
    make_article(**own)

    assert feed in feed_links(client.get(page))


def test_section_page_names_the_site_feed_and_its_own(client):
    make_article(section="sport")

    assert feed_links(client.get("/sport/")) == ["/feed/", "/sport/feed/"]
