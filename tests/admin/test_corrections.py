"""Corrections: an editor adds a note to a published article; readers see it and the update time moves."""

import json
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from articles.models import Article, Correction
from tests.factories import make_article

from .helpers import change_url, datetime_input, form_data

pytestmark = pytest.mark.django_db

PREFIX = "corrections"
NOTE = "In einer früheren Fassung stand, der Senat habe einstimmig beschlossen."
JSON_LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


def add_correction(client, article, text: str = NOTE, at=None):
    data = form_data(client.get(change_url(article)))
    index = int(data[f"{PREFIX}-TOTAL_FORMS"])
    data[f"{PREFIX}-TOTAL_FORMS"] = index + 1
    data[f"{PREFIX}-{index}-text"] = text
    data.update(datetime_input(f"{PREFIX}-{index}-created_at", at or timezone.now()))
    return client.post(change_url(article), data)


@pytest.fixture
def published(db):
    return make_article(updated_at=timezone.now() - timedelta(days=1))


def test_editor_adds_a_correction_to_a_published_article(editor_client, published):
    response = add_correction(editor_client, published)

    assert response.status_code == 302
    assert list(published.corrections.values_list("text", flat=True)) == [NOTE]


def test_correction_moves_the_update_time(editor_client, published):
    before = published.updated_at
    at = timezone.now().replace(microsecond=0)

    add_correction(editor_client, published, at=at)

    published.refresh_from_db()
    assert before < published.updated_at == at


def test_correction_is_in_the_json_ld(editor_client, published):
    at = timezone.now().replace(microsecond=0)
    add_correction(editor_client, published, at=at)

    page = Client().get(published.get_absolute_url()).content.decode()

    data = json.loads(JSON_LD.search(page).group(1))
    assert data["correction"] == [
        {
            "@type": "CorrectionComment",
            "text": NOTE,
            "datePublished": timezone.localtime(at).isoformat(),
        }
    ]
    assert data["dateModified"] == timezone.localtime(at).isoformat()


def test_correction_shows_on_the_article_page(editor_client, published):
    add_correction(editor_client, published)

    page = Client().get(published.get_absolute_url()).content.decode()
    body = page[page.index("<body"):]

    assert NOTE in body


def test_draft_takes_no_correction(editor_client):
    draft = make_article(status=Article.Status.DRAFT)

    add_correction(editor_client, draft)

    assert not Correction.objects.filter(article=draft).exists()
