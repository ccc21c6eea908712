"""ETags, 304s and Cache-Control, and a page cache that never serves a page older than its data."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.caching import PageCacheMiddleware
from articles.models import Article, Section

from ..admin.helpers import post_change
from ..factories import UNPUBLISHED, make_article, make_staff_user
from .support import result_hrefs

pytestmark = pytest.mark.django_db

PAGES = {
    "article": "/inland/senat-beschliesst-haushalt/",
    "home": "/",
    "section": "/inland/",
    "tag": "/tag/haushalt/",
    "agency": "/agency/dpa/",
    "archive": "/archiv/2025/02/",
    "search": "/search/?q=Haushalt",
    "rss feed": "/feed/",
    "atom feed": "/inland/feed/atom/",
    "sitemap index": "/sitemap.xml",
    "article sitemap": "/sitemap-articles.xml",
    "news sitemap": "/news-sitemap.xml",
    "api": "/api/articles/",
}


@pytest.fixture
def article():
    return make_article(
        slug="senat-beschliesst-haushalt",
        headline="Senat beschließt Haushalt",
        tags=["Haushalt"],
        published_at=timezone.now() - timedelta(hours=1),
        related=[{"headline": "Opposition kündigt Klage an"}],
    )


def editor(kind: str):
    if kind == "superuser":
        return make_staff_user(is_superuser=True)
    user = make_staff_user()
    user.groups.add(Group.objects.get(name="Redaktion"))
    return user


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page_text(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


# Validators and 304


@pytest.mark.parametrize("url", PAGES.values(), ids=PAGES.keys())
def test_public_page_has_an_etag(client, article, url):
    response = client.get(url)

    assert response.status_code == 200
    assert response["ETag"].startswith('"')


@pytest.mark.parametrize("url", PAGES.values(), ids=PAGES.keys())
def test_request_with_the_current_etag_gets_304_without_a_body(client, article, url):
    etag = client.get(url)["ETag"]

    response = client.get(url, headers={"If-None-Match": etag})

    assert (response.status_code, response.content) == (304, b"")


@pytest.mark.parametrize("url", PAGES.values(), ids=PAGES.keys())
def test_request_with_a_weak_form_of_the_current_etag_gets_304(client, article, url):
    etag = client.get(url)["ETag"]

    # What a proxy that compresses the page may send back.
    assert client.get(url, headers={"If-None-Match": f"W/{etag}"}).status_code == 304


def test_request_with_an_etag_of_before_a_change_gets_the_new_page(client, article):
    etag = client.get(article.get_absolute_url())["ETag"]
    article.headline = "Senat verschiebt Haushalt"
    article.save()

    response = client.get(article.get_absolute_url(), headers={"If-None-Match": etag})

    assert response.status_code == 200
    assert response["ETag"] != etag
    assert "Senat verschiebt Haushalt" in response.content.decode()


def test_etag_differs_from_page_to_page(client, article):
    assert client.get("/")["ETag"] != client.get("/inland/")["ETag"]


def test_304_keeps_the_cache_control_of_the_page(client, article):
    url = article.get_absolute_url()
    etag = client.get(url)["ETag"]

    response = client.get(url, headers={"If-None-Match": etag})

    assert response["Cache-Control"] == client.get(url)["Cache-Control"]


# Cache-Control


@pytest.mark.parametrize("url", PAGES.values(), ids=PAGES.keys())
def test_public_page_may_be_kept_by_shared_caches(client, article, url):
    directives = {part.strip() for part in client.get(url)["Cache-Control"].split(",")}

    assert directives == {"public", "max-age=0", "s-maxage=60"}


@pytest.mark.parametrize("state", ["draft", "future", "withdrawn"])
def test_staff_preview_is_private_and_has_no_etag(state):
    article = make_article(**UNPUBLISHED[state])

    response = signed_in(make_staff_user()).get(article.get_absolute_url())

    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-cache"
    assert "ETag" not in response


@pytest.mark.parametrize("state", ["draft", "future", "withdrawn"])
def test_reader_in_another_browser_gets_404_after_a_staff_preview(state):
    article = make_article(**UNPUBLISHED[state])
    assert signed_in(make_staff_user()).get(article.get_absolute_url()).status_code == 200

    assert Client().get(article.get_absolute_url()).status_code == 404


def test_reader_never_gets_the_preview_banner_once_the_article_is_due():
    article = make_article(**UNPUBLISHED["future"])
    preview = page_text(signed_in(make_staff_user()), article.get_absolute_url())
    Article.objects.filter(pk=article.pk).update(published_at=timezone.now() - timedelta(minutes=1))

    page = page_text(Client(), article.get_absolute_url())

    assert ("Vorschau:" in preview, "Vorschau:" in page) == (True, False)


def test_404_is_not_kept_by_shared_caches(client):
    response = client.get("/inland/gibt-es-nicht/")

    assert response.status_code == 404
    assert "public" not in response.get("Cache-Control", "")


# A cached page shows a change at once


@pytest.mark.parametrize("kind", ["superuser", "Redaktion"])
def test_cached_article_page_shows_a_headline_an_editor_changed_in_the_admin(article, kind):
    reader = Client()
    assert "Senat beschließt Haushalt" in page_text(reader, article.get_absolute_url())

    response = post_change(signed_in(editor(kind)), article, headline="Senat verschiebt Haushalt")

    assert response.status_code == 302
    assert "Senat verschiebt Haushalt" in page_text(reader, article.get_absolute_url())


def test_cached_article_page_shows_a_headline_changed_by_a_save(article):
    reader = Client()
    page_text(reader, article.get_absolute_url())

    article.headline = "Senat verschiebt Haushalt"
    article.save()

    assert "Senat verschiebt Haushalt" in page_text(reader, article.get_absolute_url())


def test_cached_home_lists_an_article_an_editor_published_in_the_admin(article):
    reader = Client()
    draft = make_article(headline="Bahn erhöht Preise", **UNPUBLISHED["draft"])
    page_text(reader, "/")

    post_change(
        signed_in(editor("Redaktion")), draft, status="published",
        published_at_0=timezone.localdate().isoformat(), published_at_1="00:00:00",
    )

    assert "Bahn erhöht Preise" in page_text(reader, "/")


def test_cached_article_page_is_404_once_the_article_is_withdrawn(article):
    reader = Client()
    page_text(reader, article.get_absolute_url())

    article.status = Article.Status.WITHDRAWN
    article.save()

    assert reader.get(article.get_absolute_url()).status_code == 404


def test_cached_article_page_shows_the_new_name_of_its_section(article):
    reader = Client()
    page_text(reader, article.get_absolute_url())

    section = Section.objects.get(slug="inland")
    section.name = "Deutschland"
    section.save()

    assert '<a href="/inland/">Deutschland</a>' in page_text(reader, article.get_absolute_url())


def test_cached_article_page_shows_a_changed_related_link(article):
    reader = Client()
    page_text(reader, article.get_absolute_url())

    link = article.related_links.get()
    link.headline = "Opposition reicht Klage ein"
    link.save()

    assert "Opposition reicht Klage ein" in page_text(reader, article.get_absolute_url())


def test_cached_article_page_shows_a_related_link_that_became_resolved(article):
    reader = Client()
    page_text(reader, article.get_absolute_url())
    target = make_article(headline="Opposition kündigt Klage an", slug="opposition-klage")

    link = article.related_links.get()
    link.target = target
    link.save()

    assert '<a href="/inland/opposition-klage/">' in page_text(reader, article.get_absolute_url())


def test_cached_article_page_no_longer_shows_a_deleted_related_link(article):
    reader = Client()
    page_text(reader, article.get_absolute_url())

    article.related_links.get().delete()

    assert "Opposition kündigt Klage an" not in page_text(reader, article.get_absolute_url())


def test_cached_home_shows_a_scheduled_article_when_its_time_comes(client, article):
    scheduled = make_article(headline="Bahn erhöht Preise", published_at=timezone.now() + timedelta(hours=1))
    assert scheduled.get_absolute_url() not in result_hrefs(client.get("/"))

    # Time passes: no save, no signal, nothing cleared.
    Article.objects.filter(pk=scheduled.pk).update(published_at=timezone.now() - timedelta(seconds=1))

    assert scheduled.get_absolute_url() in result_hrefs(client.get("/"))


# Readers' pages answered by PageCacheMiddleware


def statements_of(client, url) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return [query["sql"] for query in queries.captured_queries]


def test_readers_second_request_reads_only_the_content_state(article):
    reader = Client()
    statements_of(reader, article.get_absolute_url())

    # 1 content state: the stored response is answered before sessions and the view.
    assert len(statements_of(reader, article.get_absolute_url())) == 1


def test_signed_in_editor_is_not_answered_with_the_readers_stored_page(article):
    Client().get(article.get_absolute_url())

    statements = statements_of(signed_in(editor("Redaktion")), article.get_absolute_url())

    # Rendered for the editor: the article is read.
    assert any(f"'{article.slug}'" in sql for sql in statements)


def test_readers_are_not_answered_with_a_page_an_editor_was_shown(article):
    signed_in(editor("Redaktion")).get(article.get_absolute_url())

    statements = statements_of(Client(), article.get_absolute_url())

    # Rendered afresh for the reader: the article is read again.
    assert any(f"'{article.slug}'" in sql for sql in statements)


def test_a_response_that_sets_a_cookie_is_not_stored():
    def page_setting_a_cookie(request, cookie):
        response = HttpResponse("page")
        response.page_state = "1:-:-"  # what cached_page marks a reader's page with
        if cookie:
            response.set_cookie("tracking", "1")
        return response

    stored = {}
    for cookie in (False, True):
        request = RequestFactory().get(f"/seite-{cookie}/")
        PageCacheMiddleware(lambda request, cookie=cookie: page_setting_a_cookie(request, cookie))(request)
        stored[cookie] = cache.get(request._page_slot) is not None

    assert stored == {False: True, True: False}
