"""The agency desk: an agency update of an article an editor changed is held, never applied by itself.

The story: dpa sends the sample text, an editor rewrites the headline in the admin,
dpa sends the story again with a changed sentence.
"""

import pytest
from django.urls import reverse

from articles.ingest import service
from articles.ingest.dpa_text import parse
from articles.models import Agency, Article, ArticleVersion, HeldUpdate, Section

from .helpers import post_change

pytestmark = pytest.mark.django_db

AGENCY_HEADLINE = "Russland schlägt USA Wiederaufnahme des Flugverkehrs vor"
EDITOR_HEADLINE = "Moskau will wieder Flüge in die USA"
OLD_SENTENCE = "Details gab es nicht."
NEW_SENTENCE = "Einzelheiten nannte keine Seite."
DESK_URL = "/admin/articles/article/desk/"


def import_text(data: bytes) -> service.ImportResult:
    return service.import_article(
        parse(data), section=Section.objects.get(slug="ausland"), agency=Agency.objects.get(slug="dpa")
    )


def decision_url(held: HeldUpdate, decision: str) -> str:
    return reverse("admin:articles_article_held", args=[held.pk, decision])


@pytest.fixture
def held(sample_bytes, editor_client) -> HeldUpdate:
    """The sample imported, its headline changed by an editor, then an agency update of it."""
    assert OLD_SENTENCE.encode() in sample_bytes
    article = import_text(sample_bytes).article
    assert post_change(editor_client, article, headline=EDITOR_HEADLINE).status_code == 302
    result = import_text(sample_bytes.replace(OLD_SENTENCE.encode(), NEW_SENTENCE.encode()))
    assert result.outcome == service.HELD
    return HeldUpdate.objects.get(article=article)


def test_update_of_an_edited_article_is_held_and_leaves_its_text(held):
    article = Article.objects.get(pk=held.article_id)

    assert held.state == HeldUpdate.State.PENDING
    assert article.headline == EDITOR_HEADLINE
    assert OLD_SENTENCE in article.body
    assert NEW_SENTENCE not in article.body


def test_desk_lists_the_held_update_with_a_diff(held, editor_client):
    page = editor_client.get(DESK_URL).content.decode()

    held_section = page[page.index('id="held-updates"'):page.index('id="new-articles"')]
    assert EDITOR_HEADLINE in held_section
    assert f"<ins>{NEW_SENTENCE.split()[0]}" in held_section
    assert "<del>Details" in held_section
    assert decision_url(held, "take") in held_section
    assert decision_url(held, "leave") in held_section


def test_taking_the_held_update_applies_the_agency_text(held, editor_client):
    response = editor_client.post(decision_url(held, "take"))

    assert response.status_code == 302
    article = Article.objects.get(pk=held.article_id)
    assert article.headline == AGENCY_HEADLINE
    assert NEW_SENTENCE in article.body
    held.refresh_from_db()
    assert held.state == HeldUpdate.State.TAKEN


def test_taking_the_held_update_keeps_the_editor_version_in_the_history(held, editor_client, editor):
    editor_client.post(decision_url(held, "take"))

    history = list(ArticleVersion.objects.filter(article_id=held.article_id).order_by("created_at", "id"))
    assert [(v.origin, v.data["headline"]) for v in history] == [
        (ArticleVersion.Origin.IMPORT, AGENCY_HEADLINE),
        (ArticleVersion.Origin.EDIT, EDITOR_HEADLINE),
        (ArticleVersion.Origin.AGENCY_UPDATE, AGENCY_HEADLINE),
    ]
    assert NEW_SENTENCE in history[-1].data["body"]
    assert history[-1].user == editor


def test_leaving_the_held_update_keeps_the_editor_text(held, editor_client):
    response = editor_client.post(decision_url(held, "leave"))

    assert response.status_code == 302
    article = Article.objects.get(pk=held.article_id)
    assert article.headline == EDITOR_HEADLINE
    assert NEW_SENTENCE not in article.body
    held.refresh_from_db()
    assert held.state == HeldUpdate.State.LEFT
    assert not article.versions.filter(origin=ArticleVersion.Origin.AGENCY_UPDATE).exists()


def test_left_update_is_no_longer_on_the_desk(held, editor_client):
    editor_client.post(decision_url(held, "leave"))

    assert decision_url(held, "take") not in editor_client.get(DESK_URL).content.decode()


@pytest.mark.parametrize("decision", ["take", "leave"])
def test_reporter_cannot_decide_on_a_held_update(held, reporter_client, decision):
    response = reporter_client.post(decision_url(held, decision))

    assert response.status_code == 403
    held.refresh_from_db()
    assert held.state == HeldUpdate.State.PENDING
    assert Article.objects.get(pk=held.article_id).headline == EDITOR_HEADLINE
