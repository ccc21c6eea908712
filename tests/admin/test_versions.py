"""An article's history in the admin: a version per save, a diff between two, restore."""

import pytest
from django.urls import reverse

from articles.models import ArticleVersion
from tests.factories import make_article

from .helpers import change_url, post_change

pytestmark = pytest.mark.django_db


def versions_url(article) -> str:
    return reverse("admin:articles_article_versions", args=[article.pk])


def restore_url(version) -> str:
    return reverse("admin:articles_article_restore", args=[version.article_id, version.pk])


@pytest.fixture
def edited_twice(editor_client):
    """An article saved in the admin as „Erste Fassung“, then as „Zweite Fassung“."""
    article = make_article(headline="Vorlage")
    post_change(editor_client, article, headline="Erste Fassung")
    post_change(editor_client, article, headline="Zweite Fassung")
    article.refresh_from_db()
    return article


def test_every_admin_save_records_a_version_with_its_user(edited_twice, editor):
    history = edited_twice.versions.order_by("created_at", "id")

    assert [(v.data["headline"], v.user, v.origin) for v in history] == [
        ("Erste Fassung", editor, ArticleVersion.Origin.EDIT),
        ("Zweite Fassung", editor, ArticleVersion.Origin.EDIT),
    ]


def test_versions_page_shows_the_diff_between_two_versions(edited_twice, editor_client):
    older, newer = edited_twice.versions.order_by("created_at", "id")

    response = editor_client.get(versions_url(edited_twice), {"a": older.pk, "b": newer.pk})

    assert response.status_code == 200
    assert "<del>Erste</del><ins>Zweite</ins> Fassung" in response.content.decode()


def test_versions_page_lists_every_version_with_its_user(edited_twice, editor_client, editor):
    page = editor_client.get(versions_url(edited_twice)).content.decode()

    assert page.count('name="b"') == 2
    assert page.count(f"<td>{editor.username}</td>") == 2


def test_restore_brings_back_the_old_headline(edited_twice, editor_client):
    older = edited_twice.versions.get(data__headline="Erste Fassung")

    response = editor_client.post(restore_url(older))

    assert response.status_code == 302
    assert response.url == change_url(edited_twice)
    edited_twice.refresh_from_db()
    assert edited_twice.headline == "Erste Fassung"


def test_restore_is_itself_a_new_version(edited_twice, editor_client, editor):
    older = edited_twice.versions.get(data__headline="Erste Fassung")

    editor_client.post(restore_url(older))

    newest = edited_twice.versions.order_by("-created_at", "-id").first()
    assert edited_twice.versions.count() == 3
    assert (newest.data["headline"], newest.user) == ("Erste Fassung", editor)


def test_restore_by_get_changes_nothing(edited_twice, editor_client):
    older = edited_twice.versions.get(data__headline="Erste Fassung")

    response = editor_client.get(restore_url(older))

    assert response.status_code == 403
    edited_twice.refresh_from_db()
    assert edited_twice.headline == "Zweite Fassung"


def test_reporter_cannot_restore_a_version_of_a_published_article(edited_twice, reporter_client):
    older = edited_twice.versions.get(data__headline="Erste Fassung")

    response = reporter_client.post(restore_url(older))

    assert response.status_code == 403
    edited_twice.refresh_from_db()
    assert edited_twice.headline == "Zweite Fassung"
