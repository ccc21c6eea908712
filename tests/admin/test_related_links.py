"""*Weitere Meldungen* as an ordered inline: reorder by position numbers, link by choosing an article."""

import pytest
from django.test import Client

from articles.models import RelatedLink
from tests.factories import make_article

from .helpers import change_url, form_data

pytestmark = pytest.mark.django_db

PREFIX = "related_links"


@pytest.fixture
def article(db):
    return make_article(related=[{"headline": "Erste Meldung"}, {"headline": "Zweite Meldung"}])


def swap_first_two(client, article):
    data = form_data(client.get(change_url(article)))
    assert (data[f"{PREFIX}-0-headline"], data[f"{PREFIX}-1-headline"]) == ("Erste Meldung", "Zweite Meldung")
    data[f"{PREFIX}-0-position"], data[f"{PREFIX}-1-position"] = 2, 1
    return client.post(change_url(article), data)


def test_swapping_positions_saves(editor_client, article):
    response = swap_first_two(editor_client, article)

    assert response.status_code == 302
    links = article.related_links.order_by("position")
    assert [(link.position, link.headline) for link in links] == [(1, "Zweite Meldung"), (2, "Erste Meldung")]


def test_article_page_follows_the_new_order(editor_client, article):
    swap_first_two(editor_client, article)

    page = Client().get(article.get_absolute_url()).content.decode()

    assert page.index("Zweite Meldung") < page.index("Erste Meldung")


def test_api_follows_the_new_order(editor_client, article):
    swap_first_two(editor_client, article)

    related = Client().get(f"/api/articles/{article.pk}/").json()["related"]

    assert [item["headline"] for item in related] == ["Zweite Meldung", "Erste Meldung"]


def test_link_chosen_by_its_target_article_takes_the_target_headline(editor_client, article):
    target = make_article(headline="Zielartikel mit eigener Überschrift", section="wirtschaft")
    data = form_data(editor_client.get(change_url(article)))
    extra = int(data[f"{PREFIX}-TOTAL_FORMS"]) - 1  # the empty row the inline offers
    data[f"{PREFIX}-{extra}-target"] = target.pk

    response = editor_client.post(change_url(article), data)

    assert response.status_code == 302
    link = article.related_links.get(target=target)
    assert (link.position, link.headline, link.section_name) == (
        3, "Zielartikel mit eigener Überschrift", "Wirtschaft"
    )
    assert link.published_at == target.published_at


def test_link_without_target_or_headline_is_refused(editor_client, article):
    data = form_data(editor_client.get(change_url(article)))
    extra = int(data[f"{PREFIX}-TOTAL_FORMS"]) - 1
    data[f"{PREFIX}-{extra}-teaser"] = "Nur ein Vorspann"

    response = editor_client.post(change_url(article), data)

    assert response.status_code == 200
    assert RelatedLink.objects.filter(article=article).count() == 2
