"""Embargo and scheduled publishing through the admin: the time decides, no cron."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.timezone import localtime

from articles.models import Article
from tests.factories import make_article

from .helpers import datetime_input, form_errors, post_change, run_action

pytestmark = pytest.mark.django_db


def test_form_refuses_publishing_before_the_embargo(editor_client):
    embargo = timezone.now() + timedelta(hours=2)
    held = make_article(status=Article.Status.REVIEW, embargo_until=embargo)

    response = post_change(
        editor_client, held, status="published",
        **datetime_input("published_at", embargo - timedelta(minutes=1)),
    )

    assert response.status_code == 200
    # The message names the embargo's end, as the editor's locale writes it.
    [message] = form_errors(response)["published_at"]
    assert date_format(localtime(embargo), "DATETIME_FORMAT") in message
    held.refresh_from_db()
    assert held.status == Article.Status.REVIEW


def test_action_refuses_publishing_before_the_embargo(editor_client):
    held = make_article(
        status=Article.Status.REVIEW, published_at=None,
        embargo_until=timezone.now() + timedelta(hours=2),
    )

    run_action(editor_client, "publish", held)

    held.refresh_from_db()
    assert held.status == Article.Status.REVIEW
    assert held.published_at is None


def test_form_publishes_at_the_end_of_the_embargo(editor_client):
    embargo = (timezone.now() + timedelta(hours=2)).replace(microsecond=0)
    held = make_article(status=Article.Status.REVIEW, embargo_until=embargo)

    response = post_change(editor_client, held, status="published", **datetime_input("published_at", embargo))

    assert response.status_code == 302
    held.refresh_from_db()
    assert held.status == Article.Status.PUBLISHED
    assert held.published_at == embargo


def test_action_publishes_once_the_embargo_has_passed(editor_client):
    held = make_article(
        status=Article.Status.REVIEW, published_at=None,
        embargo_until=timezone.now() - timedelta(minutes=5),
    )

    run_action(editor_client, "publish", held)

    held.refresh_from_db()
    assert held.status == Article.Status.PUBLISHED
    assert held.published_at >= held.embargo_until


def test_action_publishes_agency_copy_sent_before_its_embargo_once_the_embargo_has_passed(editor_client):
    # Agency copy carries the time the agency sent it, before the embargo it names.
    sent = timezone.now() - timedelta(hours=2)
    held = make_article(
        status=Article.Status.REVIEW, published_at=sent, embargo_until=sent + timedelta(hours=1)
    )

    run_action(editor_client, "publish", held)

    held.refresh_from_db()
    assert held.status == Article.Status.PUBLISHED
    assert held.published_at >= held.embargo_until
    assert Client().get(held.get_absolute_url()).status_code == 200


def test_scheduled_article_is_not_on_the_site_before_its_time(editor_client):
    draft = make_article(status=Article.Status.DRAFT)
    later = (timezone.now() + timedelta(hours=3)).replace(microsecond=0)

    post_change(editor_client, draft, status="published", **datetime_input("published_at", later))

    draft.refresh_from_db()
    assert draft.status == Article.Status.PUBLISHED
    assert Client().get(draft.get_absolute_url()).status_code == 404


def test_scheduled_article_appears_when_its_time_comes(editor_client):
    draft = make_article(status=Article.Status.DRAFT, headline="Pünktlich um drei")
    later = (timezone.now() + timedelta(hours=3)).replace(microsecond=0)
    post_change(editor_client, draft, status="published", **datetime_input("published_at", later))
    reader = Client()
    assert reader.get(draft.get_absolute_url()).status_code == 404

    # The clock reaches the publication time: nothing runs, the next request shows it.
    Article.objects.filter(pk=draft.pk).update(published_at=timezone.now() - timedelta(seconds=1))

    response = reader.get(draft.get_absolute_url())
    assert response.status_code == 200
    assert "Pünktlich um drei" in response.content.decode()


def test_publishing_through_the_form_without_a_time_publishes_now(editor_client):
    in_review = make_article(status=Article.Status.REVIEW, published_at=None)

    response = post_change(editor_client, in_review, status="published")

    assert response.status_code == 302
    in_review.refresh_from_db()
    assert in_review.published_at is not None
    assert in_review.published_at <= timezone.now()
    assert Client().get(in_review.get_absolute_url()).status_code == 200
