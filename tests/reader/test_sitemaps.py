"""/sitemap.xml with its parts, the Google News sitemap and robots.txt."""

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone
from django.utils.text import slugify
from django.utils.timezone import localtime

from articles.models import Article, Section
from articles.sitemaps import ArticleSitemap

from ..factories import UNPUBLISHED, make_article

pytestmark = pytest.mark.django_db

NS = {
    "sm": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "news": "http://www.google.com/schemas/sitemap-news/0.9",
}
HOST = "http://testserver"


def xml_of(client, url) -> ET.Element:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    return ET.fromstring(response.content)


def locs(root: ET.Element) -> list[str]:
    return [loc.text for loc in root.findall("sm:*/sm:loc", NS)]


def lastmods(root: ET.Element) -> dict[str, str]:
    return {
        url.findtext("sm:loc", namespaces=NS): url.findtext("sm:lastmod", namespaces=NS)
        for url in root.findall("sm:url", NS)
    }


def absolute(articles) -> list[str]:
    return [HOST + article.get_absolute_url() for article in articles]


# /sitemap.xml and its parts


def test_sitemap_index_names_its_parts(client):
    make_article()

    root = xml_of(client, "/sitemap.xml")

    assert root.tag == f"{{{NS['sm']}}}sitemapindex"
    assert locs(root) == [f"{HOST}/sitemap-sections.xml", f"{HOST}/sitemap-articles.xml"]


def test_section_sitemap_lists_every_section(client):
    root = xml_of(client, "/sitemap-sections.xml")

    assert sorted(locs(root)) == sorted(
        HOST + section.get_absolute_url() for section in Section.objects.all()
    )


def test_article_sitemap_lists_exactly_the_published_articles(client):
    published = [make_article(section=slug) for slug in ("inland", "sport", "kultur")]
    for state in UNPUBLISHED.values():
        make_article(**state)

    assert sorted(locs(xml_of(client, "/sitemap-articles.xml"))) == sorted(absolute(published))


def test_article_sitemap_gives_the_day_of_the_last_change_in_berlin_time(client):
    # 23:30 UTC on 28 February is already 1 March in Berlin.
    updated = make_article(
        published_at=datetime(2025, 2, 27, 12, tzinfo=UTC),
        updated_at=datetime(2025, 2, 28, 23, 30, tzinfo=UTC),
    )
    unchanged = make_article(published_at=datetime(2025, 2, 20, 9, tzinfo=UTC))

    assert lastmods(xml_of(client, "/sitemap-articles.xml")) == {
        HOST + updated.get_absolute_url(): "2025-03-01",
        HOST + unchanged.get_absolute_url(): "2025-02-20",
    }


def test_article_sitemap_splits_at_fifty_thousand_addresses():
    assert ArticleSitemap.limit == 50_000
    assert ArticleSitemap().paginator.per_page == 50_000


def test_sitemap_index_names_a_second_article_page_when_the_limit_is_reached(client, monkeypatch):
    monkeypatch.setattr(ArticleSitemap, "limit", 2)
    for _ in range(3):
        make_article()

    assert locs(xml_of(client, "/sitemap.xml"))[1:] == [
        f"{HOST}/sitemap-articles.xml",
        f"{HOST}/sitemap-articles.xml?p=2",
    ]


def test_second_article_sitemap_page_holds_the_oldest(client, monkeypatch):
    monkeypatch.setattr(ArticleSitemap, "limit", 2)
    oldest, *newer = [make_article() for _ in range(3)]

    assert (
        locs(xml_of(client, "/sitemap-articles.xml")),
        locs(xml_of(client, "/sitemap-articles.xml?p=2")),
    ) == (absolute(newer[::-1]), absolute([oldest]))


def test_article_sitemap_page_that_is_not_there_is_404(client, monkeypatch):
    monkeypatch.setattr(ArticleSitemap, "limit", 2)
    for _ in range(3):
        make_article()

    assert client.get("/sitemap-articles.xml?p=3").status_code == 404


def test_sitemap_of_an_unknown_part_is_404(client):
    assert client.get("/sitemap-tags.xml").status_code == 404


# /news-sitemap.xml


def ago(**delta):
    return timezone.now() - timedelta(**delta)


def news_entries(client) -> list[ET.Element]:
    root = xml_of(client, "/news-sitemap.xml")
    assert root.tag == f"{{{NS['sm']}}}urlset"
    return root.findall("sm:url", NS)


def test_news_sitemap_holds_exactly_the_published_articles_of_the_last_48_hours(client):
    recent = [make_article(published_at=ago(hours=47)), make_article(published_at=ago(minutes=5))]
    make_article(published_at=ago(hours=49))
    for state in UNPUBLISHED.values():
        make_article(**{"published_at": ago(hours=1), **state})

    assert [url.findtext("sm:loc", namespaces=NS) for url in news_entries(client)] == absolute(recent[::-1])


def test_news_sitemap_entry_names_publication_language_date_and_title(client):
    article = make_article(headline="Müller & Söhne <GmbH> meldet Rekord", published_at=ago(hours=2))

    [url] = news_entries(client)

    news = url.find("news:news", NS)
    assert {
        "name": news.findtext("news:publication/news:name", namespaces=NS),
        "language": news.findtext("news:publication/news:language", namespaces=NS),
        "date": news.findtext("news:publication_date", namespaces=NS),
        "title": news.findtext("news:title", namespaces=NS),
    } == {
        "name": "Newsroom",
        "language": "de",
        "date": localtime(article.published_at).isoformat(),
        "title": "Müller & Söhne <GmbH> meldet Rekord",
    }


def test_news_sitemap_holds_at_most_the_thousand_newest(client):
    section = Section.objects.get(slug="inland")
    start = ago(hours=40)
    # Made in one insert: the sitemap needs rows, not the search index.
    Article.objects.bulk_create(
        Article(
            headline=f"Meldung {number}", headline_key=f"meldung {number}", slug=slugify(f"meldung-{number}"),
            section=section, status=Article.Status.PUBLISHED, published_at=start + timedelta(seconds=number),
        )
        for number in range(1001)
    )

    entries = news_entries(client)

    assert len(entries) == 1000
    assert entries[-1].findtext("sm:loc", namespaces=NS) == f"{HOST}/inland/meldung-1/"


# /robots.txt


def test_robots_txt_names_both_sitemaps_with_absolute_addresses(client):
    response = client.get("/robots.txt")

    assert response["Content-Type"] == "text/plain; charset=utf-8"
    sitemaps = [line for line in response.content.decode().splitlines() if line.startswith("Sitemap:")]
    assert sitemaps == [f"Sitemap: {HOST}/sitemap.xml", f"Sitemap: {HOST}/news-sitemap.xml"]
