"""Who may do what in the article admin: reporters write and submit, only editors publish.

Every refusal is checked in the database, not in the page: a hidden button proves nothing.
"""

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from articles.models import Article, ArticleVersion
from tests.factories import make_article

from .helpers import ADD_URL, add_article, change_url, form_data, form_errors, post_change, run_action

pytestmark = pytest.mark.django_db


def status_choices(response) -> list[str]:
    return [value for value, _label in response.context["adminform"].form.fields["status"].choices]


def test_reporter_adds_an_article_as_draft(reporter_client, reporter):
    response = add_article(reporter_client, headline="Stadtrat tagt", section="1", status="draft")

    assert response.status_code == 302
    article = Article.objects.get(headline="Stadtrat tagt")
    assert article.status == Article.Status.DRAFT
    assert article.versions.get().user == reporter


def test_reporter_submits_a_draft_for_review_through_the_form(reporter_client):
    draft = make_article(status=Article.Status.DRAFT, agency=None)

    response = post_change(reporter_client, draft, status="review")

    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Article.Status.REVIEW


def test_reporter_submits_a_draft_for_review_with_the_action(reporter_client, reporter):
    draft = make_article(status=Article.Status.DRAFT, agency=None)

    run_action(reporter_client, "submit_for_review", draft)

    draft.refresh_from_db()
    assert draft.status == Article.Status.REVIEW
    assert draft.versions.get().user == reporter


def test_reporter_form_offers_only_draft_and_review(reporter_client):
    draft = make_article(status=Article.Status.DRAFT, agency=None)

    assert status_choices(reporter_client.get(ADD_URL)) == ["draft", "review"]
    assert status_choices(reporter_client.get(change_url(draft))) == ["draft", "review"]


def test_editor_form_offers_every_status(editor_client):
    assert status_choices(editor_client.get(ADD_URL)) == ["draft", "review", "published", "withdrawn"]


@pytest.mark.parametrize("status", ["published", "withdrawn"])
def test_crafted_add_post_with_a_public_status_creates_nothing_for_reporter(reporter_client, status):
    response = add_article(reporter_client, headline="Heimlich veröffentlicht", section="1", status=status)

    assert response.status_code == 200
    assert "status" in form_errors(response)
    assert not Article.objects.filter(headline="Heimlich veröffentlicht").exists()


def test_crafted_change_post_with_published_status_leaves_the_draft_unpublished(reporter_client):
    draft = make_article(status=Article.Status.DRAFT, agency=None)

    response = post_change(reporter_client, draft, status="published")

    assert response.status_code == 200
    assert "status" in form_errors(response)
    draft.refresh_from_db()
    assert draft.status == Article.Status.DRAFT
    assert not Article.objects.published().filter(pk=draft.pk).exists()


def test_crafted_publish_action_does_nothing_for_reporter(reporter_client):
    in_review = make_article(status=Article.Status.REVIEW, agency=None)

    run_action(reporter_client, "publish", in_review)

    in_review.refresh_from_db()
    assert in_review.status == Article.Status.REVIEW
    assert not in_review.versions.exists()


def test_crafted_withdraw_action_does_nothing_for_reporter(reporter_client):
    published = make_article()

    run_action(reporter_client, "withdraw", published)

    published.refresh_from_db()
    assert published.status == Article.Status.PUBLISHED


def test_published_article_is_read_only_for_reporter(reporter_client, editor_client):
    published = make_article(headline="Original")
    # The reporter sends what an editor's form would hold, with a new headline.
    data = form_data(editor_client.get(change_url(published)))

    response = reporter_client.post(change_url(published), {**data, "headline": "Geändert"})

    assert response.status_code == 403
    published.refresh_from_db()
    assert published.headline == "Original"


def test_published_article_form_shows_no_save_button_to_reporter(reporter_client):
    published = make_article()

    response = reporter_client.get(change_url(published))

    assert response.status_code == 200
    assert response.context["has_change_permission"] is False
    assert 'name="_save"' not in response.content.decode()


def test_editor_publishes_with_the_action(editor_client, editor):
    in_review = make_article(status=Article.Status.REVIEW, published_at=None)

    run_action(editor_client, "publish", in_review)

    in_review.refresh_from_db()
    assert in_review.status == Article.Status.PUBLISHED
    assert in_review.is_visible is True
    assert in_review.versions.get().user == editor


def test_editor_withdraws_with_the_action(editor_client):
    published = make_article()

    run_action(editor_client, "withdraw", published)

    published.refresh_from_db()
    assert published.status == Article.Status.WITHDRAWN
    assert Client().get(published.get_absolute_url()).status_code == 404


def test_editor_publishes_through_the_form(editor_client):
    in_review = make_article(status=Article.Status.REVIEW)

    response = post_change(editor_client, in_review, status="published")

    assert response.status_code == 302
    in_review.refresh_from_db()
    assert in_review.status == Article.Status.PUBLISHED
    assert Client().get(in_review.get_absolute_url()).status_code == 200


def test_editor_withdraws_through_the_form(editor_client):
    published = make_article()

    response = post_change(editor_client, published, status="withdrawn")

    assert response.status_code == 302
    published.refresh_from_db()
    assert published.status == Article.Status.WITHDRAWN


def test_withdrawing_keeps_the_article_its_text_and_history(editor_client):
    published = make_article(body="<p>Bleibt erhalten.</p>", related=[{"headline": "Mehr dazu"}])

    run_action(editor_client, "withdraw", published)

    withdrawn = Article.objects.get(pk=published.pk)
    assert withdrawn.body == "<p>Bleibt erhalten.</p>"
    assert [link.headline for link in withdrawn.related_links.all()] == ["Mehr dazu"]
    assert ArticleVersion.objects.filter(article=withdrawn).count() == 1


def test_only_redaktion_holds_the_publish_permission(editor, reporter):
    permission = Permission.objects.get(content_type__app_label="articles", codename="publish_article")

    assert [group.name for group in permission.group_set.all()] == ["Redaktion"]
    assert editor.has_perm("articles.publish_article") is True
    assert reporter.has_perm("articles.publish_article") is False


def test_editors_may_see_and_retry_failed_agency_input():
    from django.contrib.auth.models import Group

    codenames = set(Group.objects.get(name="Redaktion").permissions.values_list("codename", flat=True))

    assert {"view_failedentry", "change_failedentry"} <= codenames
