"""The reads behind the public pages (articles/queries.py)."""

import pytest
from django.test import RequestFactory

from articles import queries
from articles.models import Agency

from .factories import make_article

pytestmark = pytest.mark.django_db


def test_article_page_reads_the_section_itself_when_the_navigation_lacks_it():
    article = make_article(section="sport")
    request = RequestFactory().get("/")
    request._newsroom_sections = []  # a list read before the section was made

    page = queries.article_page(request, article.slug)

    assert page.article.section.slug == "sport"


def test_article_page_loads_what_the_page_shows_of_the_agency_and_the_rest_when_asked():
    article = make_article()
    agency = Agency.objects.get(pk=article.agency_id)

    page = queries.article_page(RequestFactory().get("/"), article.slug)

    assert (page.article.agency.name, page.article.agency.credit) == (agency.name, agency.credit)
    assert page.article.agency.domain == agency.domain


def test_article_page_of_an_unknown_slug_is_none():
    assert queries.article_page(RequestFactory().get("/"), "gibt-es-nicht") is None


def reader_request(state: str):
    request = RequestFactory().get("/")
    request.content_state = state
    return request


def test_sections_are_read_once_per_content_state(django_assert_num_queries):
    queries.sections(reader_request("7:-:-"))

    with django_assert_num_queries(0):
        again = queries.sections(reader_request("7:-:-"))
    with django_assert_num_queries(1):
        queries.sections(reader_request("8:-:-"))

    assert ("inland", "/inland/") in [(section.slug, section.url) for section in again]
