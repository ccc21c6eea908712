"""The date archive in Berlin time, and the 404 and 500 pages in the site's design."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.urls import path

from ..factories import UNPUBLISHED, make_article
from .support import result_hrefs, urls

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")


def berlin(*parts) -> datetime:
    return datetime(*parts, tzinfo=BERLIN)


# The archive


def test_day_archive_lists_exactly_the_articles_of_that_berlin_day_newest_first(client):
    make_article(published_at=berlin(2025, 2, 27, 23, 59))
    # 00:10 in Berlin is 27 February in UTC; 00:30 on 1 March in Berlin is 28 February in UTC.
    day = [
        make_article(published_at=berlin(2025, 2, 28, 0, 10)),
        make_article(published_at=berlin(2025, 2, 28, 13, 16)),
        make_article(published_at=berlin(2025, 2, 28, 23, 30)),
    ]
    make_article(published_at=berlin(2025, 3, 1, 0, 30))

    assert result_hrefs(client.get("/archiv/2025/02/28/")) == urls(day[::-1])


def test_article_at_half_past_eleven_at_night_is_not_on_the_next_day(client):
    make_article(published_at=berlin(2025, 2, 28, 23, 30))

    assert result_hrefs(client.get("/archiv/2025/03/01/")) == []


def test_article_after_midnight_in_berlin_is_on_the_berlin_day_not_the_utc_day(client):
    # 23:30 UTC on 28 February.
    article = make_article(published_at=berlin(2025, 3, 1, 0, 30))

    on_28th = result_hrefs(client.get("/archiv/2025/02/28/"))
    on_1st = result_hrefs(client.get("/archiv/2025/03/01/"))

    assert (on_28th, on_1st) == ([], urls([article]))


def test_month_archive_lists_exactly_the_articles_of_that_berlin_month_newest_first(client):
    make_article(published_at=berlin(2025, 1, 31, 23, 59))
    month = [
        make_article(published_at=berlin(2025, 2, 1, 0, 30)),
        make_article(published_at=berlin(2025, 2, 14, 12)),
        make_article(published_at=berlin(2025, 2, 28, 23, 30)),
    ]
    make_article(published_at=berlin(2025, 3, 1, 0, 30))

    assert result_hrefs(client.get("/archiv/2025/02/")) == urls(month[::-1])


def test_year_archive_lists_exactly_the_articles_of_that_berlin_year_newest_first(client):
    make_article(published_at=berlin(2024, 12, 31, 23, 59))
    year = [
        make_article(published_at=berlin(2025, 1, 1, 0, 30)),
        make_article(published_at=berlin(2025, 7, 15, 13, 5)),
        make_article(published_at=berlin(2025, 12, 31, 23, 30)),
    ]
    make_article(published_at=berlin(2026, 1, 1, 0, 30))

    assert result_hrefs(client.get("/archiv/2025/")) == urls(year[::-1])


@pytest.mark.parametrize("state", ["draft", "in review", "withdrawn", "embargoed"])
def test_archive_leaves_out_unpublished_articles(client, state):
    published = make_article(published_at=berlin(2025, 2, 28, 12))
    make_article(**{**UNPUBLISHED[state], "published_at": berlin(2025, 2, 28, 13)})

    assert result_hrefs(client.get("/archiv/2025/02/28/")) == urls([published])


def test_archive_of_the_day_of_a_scheduled_article_leaves_it_out(client):
    scheduled = make_article(**UNPUBLISHED["future"])
    day = scheduled.published_at.astimezone(BERLIN)

    assert result_hrefs(client.get(f"/archiv/{day:%Y/%m/%d}/")) == []


def test_archive_page_names_its_period(client):
    html = client.get("/archiv/2025/02/28/").content.decode()

    assert re.search(r"<h1>\s*28\. Februar 2025\s*</h1>", html) is not None


def test_archive_page_two_holds_the_rest(client):
    articles = [make_article(published_at=berlin(2025, 2, 28, 8, minute)) for minute in range(21)]

    assert result_hrefs(client.get("/archiv/2025/02/28/", {"page": "2"})) == urls(articles[:1])


@pytest.mark.parametrize(
    "url",
    [
        "/archiv/2025/02/30/",
        "/archiv/2025/02/29/",
        "/archiv/2025/13/",
        "/archiv/2025/0/",
        "/archiv/2025/02/0/",
        "/archiv/0/",
        "/archiv/1/",
        "/archiv/9999/12/31/",
        "/archiv/99999/",
    ],
)
def test_archive_of_a_date_that_is_not_there_is_404(client, url):
    assert client.get(url).status_code == 404


def test_archive_of_a_leap_day_is_there(client):
    article = make_article(published_at=berlin(2024, 2, 29, 12))

    assert result_hrefs(client.get("/archiv/2024/02/29/")) == urls([article])


# 404 and 500

NOT_FOUND = {
    "unknown address": "/gibt/es/nicht/",
    "unknown section": "/feuilleton/",
    "unknown article": "/inland/gibt-es-nicht/",
    "draft": "/inland/entwurf/",
    "invalid date": "/archiv/2025/02/30/",
}


@pytest.mark.parametrize("url", NOT_FOUND.values(), ids=NOT_FOUND.keys())
def test_404_page_has_the_site_header_and_navigation(client, url):
    make_article(slug="entwurf", **UNPUBLISHED["draft"])

    response = client.get(url)

    html = response.content.decode()
    assert response.status_code == 404
    assert '<header class="site-header">' in html
    assert '<nav class="site-nav" aria-label="Ressorts">' in html
    assert '<a href="/inland/">Inland</a>' in html


def test_404_page_says_the_page_is_not_there(client):
    html = client.get("/gibt/es/nicht/").content.decode()

    assert re.search(r"<h1>\s*Seite nicht gefunden\s*</h1>", html) is not None


def test_404_page_is_not_for_search_engines(client):
    html = client.get("/gibt/es/nicht/").content.decode()

    assert '<meta name="robots" content="noindex">' in html


def test_500_page_renders_standalone_in_german():
    html = render_to_string("500.html")

    assert '<html lang="de">' in html
    assert re.search(r"<h1>\s*Da ist etwas schiefgegangen\s*</h1>", html) is not None


def test_500_page_has_no_inline_style_or_script():
    html = render_to_string("500.html").lower()

    assert ("<style" in html, "<script" in html, " style=" in html) == (False, False, False)


def test_500_page_uses_the_site_stylesheet():
    assert '<link rel="stylesheet" href="/static/css/site.css">' in render_to_string("500.html")


def broken(request):
    raise RuntimeError("the database is gone")


urlpatterns = [path("kaputt/", broken)]


@pytest.mark.urls(__name__)
def test_server_error_answers_500_with_the_500_page():
    response = Client(raise_request_exception=False).get("/kaputt/")

    assert response.status_code == 500
    assert re.search(r"<h1>\s*Da ist etwas schiefgegangen\s*</h1>", response.content.decode()) is not None
