"""The JSON API: /api/articles/ and /api/articles/<id>/, published articles only."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache

from articles.models import Article

from .factories import UNPUBLISHED, make_agency, make_article, make_related, populate

pytestmark = pytest.mark.django_db

LIST = "/api/articles/"

# 28.02.2025 12:16:20 UTC is 13:16:20 in Berlin (winter time, UTC+1).
WINTER = datetime(2025, 2, 28, 12, 16, 20, tzinfo=UTC)
# 15.07.2025 11:05 UTC is 13:05 in Berlin (summer time, UTC+2).
SUMMER = datetime(2025, 7, 15, 11, 5, tzinfo=UTC)



@pytest.fixture(autouse=True)
def cold_cache():
    """Each test starts from an empty cache: no answer about another test's data is served."""
    cache.clear()


def get_json(client, url, params=None):
    response = client.get(url, params or {})
    assert (response.status_code, response["Content-Type"]) == (200, "application/json; charset=utf-8")
    return json.loads(response.content)


def ids(data) -> list[int]:
    return [item["id"] for item in data["results"]]


def pks(articles) -> list[int]:
    return [article.pk for article in articles]


# The list


def test_list_answers_count_next_previous_and_results(client):
    make_article()

    assert sorted(get_json(client, LIST)) == ["count", "next", "previous", "results"]


def test_list_is_newest_first(client):
    older = make_article(published_at=WINTER)
    newer = make_article(published_at=SUMMER)
    middle = make_article(published_at=WINTER + timedelta(days=1))

    assert ids(get_json(client, LIST)) == pks([newer, middle, older])


def test_list_leaves_out_unpublished_articles(client):
    published = make_article()
    for state in UNPUBLISHED.values():
        make_article(**state)

    data = get_json(client, LIST)

    assert (data["count"], ids(data)) == (1, [published.pk])


def test_list_holds_twenty_a_page_and_links_the_next(client):
    articles = [make_article() for _ in range(21)]

    data = get_json(client, LIST)

    assert (data["count"], ids(data), data["next"], data["previous"]) == (
        21,
        pks(articles[::-1][:20]),
        "http://testserver/api/articles/?page=2",
        None,
    )


def test_list_page_two_holds_the_rest_and_links_back(client):
    articles = [make_article() for _ in range(21)]

    data = get_json(client, LIST, {"page": "2"})

    assert (data["count"], ids(data), data["next"], data["previous"]) == (
        21,
        pks(articles[:1]),
        None,
        "http://testserver/api/articles/?page=1",
    )


def test_list_page_links_keep_the_filters(client):
    for _ in range(21):
        make_article(section="sport")

    data = get_json(client, LIST, {"section": "sport"})

    assert data["next"] == "http://testserver/api/articles/?section=sport&page=2"


@pytest.mark.parametrize("page", ["99", "abc"])
def test_list_page_that_is_not_there_is_404(client, page):
    make_article()

    assert client.get(LIST, {"page": page}).status_code == 404


def test_list_of_nothing_is_empty(client):
    assert get_json(client, LIST) == {"count": 0, "next": None, "previous": None, "results": []}


def test_list_filters_by_section(client):
    sport = make_article(section="sport")
    make_article(section="kultur")

    assert ids(get_json(client, LIST, {"section": "sport"})) == [sport.pk]


def test_list_filters_by_tag_name_in_any_case(client):
    tagged = make_article(tags=["Bundesliga"])
    make_article(tags=["Handball"])

    assert ids(get_json(client, LIST, {"tag": "bundesliga"})) == [tagged.pk]


def test_list_filters_by_agency(client):
    afp = make_agency(slug="afp", name="AFP", domain="afp.com")
    from_afp = make_article(agency=afp)
    make_article(agency="dpa")
    make_article(agency=None)

    assert ids(get_json(client, LIST, {"agency": "afp"})) == [from_afp.pk]


def test_list_filters_by_search_text(client):
    by_headline = make_article(headline="Senat beschließt Haushalt")
    make_article(headline="Bahn erhöht Preise")
    by_body = make_article(body="<p>Der Haushalt ist beschlossen.</p>")

    assert ids(get_json(client, LIST, {"q": "haushalt"})) == pks([by_body, by_headline])


def test_list_with_search_text_stays_newest_first(client):
    best_match_older = make_article(headline="Haushalt, Haushalt, Haushalt", kicker="Haushalt")
    weaker_match_newer = make_article(body="<p>Nebenbei ging es um den Haushalt.</p>")

    assert ids(get_json(client, LIST, {"q": "Haushalt"})) == pks([weaker_match_newer, best_match_older])


def test_list_search_text_matches_tags(client):
    tagged = make_article(tags=["Schuldenbremse"])
    make_article(tags=["Bundesliga"])

    assert ids(get_json(client, LIST, {"q": "schuldenbremse"})) == [tagged.pk]


def test_list_filters_combine(client):
    afp = make_agency(slug="afp", name="AFP", domain="afp.com")
    wanted = {"section": "inland", "tags": ["Berlin"], "agency": afp, "headline": "Senat beschließt Haushalt"}
    match = make_article(**wanted)
    make_article(**{**wanted, "section": "ausland"})
    make_article(**{**wanted, "tags": ["Hamburg"]})
    make_article(**{**wanted, "agency": "dpa"})
    make_article(**{**wanted, "headline": "Senat vertagt Entscheidung"})

    data = get_json(client, LIST, {"section": "inland", "tag": "Berlin", "agency": "afp", "q": "Haushalt"})

    assert ids(data) == [match.pk]


def test_list_refuses_post(client):
    assert client.post(LIST).status_code == 405


# An article

FIELDS = [
    "agency", "body_html", "byline", "dateline", "headline", "id", "kicker", "published_at",
    "related", "section", "slug", "tags", "teaser", "updated_at", "url",
]


@pytest.fixture
def full_article():
    target = make_article(
        headline="Bahn erhöht Preise", teaser="Fahrkarten werden teurer.", section="wirtschaft",
        published_at=WINTER - timedelta(hours=2),
    )
    return make_article(
        slug="senat-beschliesst-haushalt",
        kicker="Landesfinanzen",
        headline="Senat beschließt Haushalt",
        teaser="Die Koalition einigte sich nach Verhandlungen bis in die Nacht.",
        byline="Anna Müller",
        dateline="Berlin",
        body="<p>Der Beschluss fiel einstimmig.</p><h2>Opposition kritisiert Schulden</h2>",
        published_at=WINTER,
        tags=["Schuldenbremse", "berlin", "Abgeordnetenhaus"],
        related=[
            target,
            {
                "headline": "Senatorin tritt zurück",
                "teaser": "Die Finanzsenatorin gibt ihr Amt auf.",
                "section_name": "Politik",
                "published_at": SUMMER,
            },
        ],
    )


def test_article_has_exactly_the_fields_of_the_contract(client, full_article):
    data = get_json(client, f"/api/articles/{full_article.pk}/")

    assert sorted(data) == FIELDS


def test_article_fields_carry_the_articles_values(client, full_article):
    target = Article.objects.get(headline="Bahn erhöht Preise")

    data = get_json(client, f"/api/articles/{full_article.pk}/")

    assert data == {
        "id": full_article.pk,
        "slug": "senat-beschliesst-haushalt",
        "url": "/inland/senat-beschliesst-haushalt/",
        "headline": "Senat beschließt Haushalt",
        "kicker": "Landesfinanzen",
        "teaser": "Die Koalition einigte sich nach Verhandlungen bis in die Nacht.",
        "byline": "Anna Müller",
        "dateline": "Berlin",
        "body_html": "<p>Der Beschluss fiel einstimmig.</p><h2>Opposition kritisiert Schulden</h2>",
        "section": {"slug": "inland", "name": "Inland"},
        "agency": {"slug": "dpa", "name": "dpa"},
        "tags": ["Abgeordnetenhaus", "berlin", "Schuldenbremse"],
        "published_at": "2025-02-28T13:16:20+01:00",
        "updated_at": None,
        "related": [
            {
                "headline": "Bahn erhöht Preise",
                "teaser": "Fahrkarten werden teurer.",
                "section": "Wirtschaft",
                "published_at": "2025-02-28T11:16:20+01:00",
                "url": target.get_absolute_url(),
            },
            {
                "headline": "Senatorin tritt zurück",
                "teaser": "Die Finanzsenatorin gibt ihr Amt auf.",
                "section": "Politik",
                "published_at": "2025-07-15T13:05:00+02:00",
                "url": None,
            },
        ],
    }


def test_list_item_is_the_same_as_the_article(client, full_article):
    [item] = [item for item in get_json(client, LIST)["results"] if item["id"] == full_article.pk]

    assert item == get_json(client, f"/api/articles/{full_article.pk}/")


def test_article_of_own_copy_has_null_agency_and_empty_strings(client):
    article = make_article(agency=None, kicker="", byline="", dateline="", teaser="")

    data = get_json(client, f"/api/articles/{article.pk}/")

    assert (data["agency"], data["kicker"], data["byline"], data["dateline"], data["teaser"]) == (
        None, "", "", "", "",
    )


def test_article_update_time_has_its_offset(client):
    article = make_article(published_at=WINTER, updated_at=SUMMER)

    assert get_json(client, f"/api/articles/{article.pk}/")["updated_at"] == "2025-07-15T13:05:00+02:00"


@pytest.mark.parametrize("state", UNPUBLISHED)
def test_related_item_with_unpublished_target_has_null_url(client, state):
    target = make_article(**UNPUBLISHED[state])
    article = make_article(related=[target])

    [related] = get_json(client, f"/api/articles/{article.pk}/")["related"]

    assert related["url"] is None


def test_related_items_follow_their_position_not_their_creation(client):
    article = make_article()
    make_related(article, position=2, headline="Zweite Meldung")
    make_related(article, position=1, headline="Erste Meldung")

    related = get_json(client, f"/api/articles/{article.pk}/")["related"]

    assert [item["headline"] for item in related] == ["Erste Meldung", "Zweite Meldung"]


@pytest.mark.parametrize("state", UNPUBLISHED)
def test_unpublished_article_is_404(client, state):
    article = make_article(**UNPUBLISHED[state])

    assert client.get(f"/api/articles/{article.pk}/").status_code == 404


def test_unknown_article_is_404(client):
    assert client.get("/api/articles/999999/").status_code == 404


# Markup in agency and editor text

SCRIPT = "<script>alert(1)</script>"


@pytest.fixture
def hostile_article():
    return make_article(
        kicker=SCRIPT,
        headline="Warnung </script><script>x</script>",
        teaser=f"Vorspann {SCRIPT}",
        # The importer escapes the agency's text; an editor's HTML is sanitised on save.
        body=f"<p>&lt;script&gt;alert(1)&lt;/script&gt;</p><p>Redaktion: {SCRIPT}</p>",
        tags=["<i>Thema</i>"],
    )


def test_agency_markup_in_body_html_stays_escaped(client, hostile_article):
    data = get_json(client, f"/api/articles/{hostile_article.pk}/")

    assert data["body_html"] == "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p><p>Redaktion: </p>"


def test_text_fields_keep_markup_as_plain_text(client, hostile_article):
    data = get_json(client, f"/api/articles/{hostile_article.pk}/")

    assert (data["kicker"], data["headline"], data["tags"]) == (
        SCRIPT,
        "Warnung </script><script>x</script>",
        ["<i>Thema</i>"],
    )


@pytest.mark.parametrize("answer", ["list", "article"])
def test_answer_carries_no_markup_a_browser_could_render(client, hostile_article, answer):
    url = LIST if answer == "list" else f"/api/articles/{hostile_article.pk}/"

    content = client.get(url).content

    assert b"<script" not in content
    assert b"</script" not in content
    assert b"<i>" not in content


# Query counts: fixed, however many articles, tags and related links there are.
# Each answer first reads the content state its cache is keyed on (1 query); the
# counts are those of an answer not yet in the cache.

SIZES = pytest.mark.parametrize("size", [3, 30])


@SIZES
def test_list_makes_a_fixed_number_of_queries(client, django_assert_num_queries, size):
    populate(size)

    # 1 content state + 1 count + 1 page of articles with section and agency joined
    # + 1 their tags + 1 their related links with targets and the targets' sections.
    with django_assert_num_queries(5):
        get_json(client, LIST, {"section": "inland", "tag": "Thema", "agency": "dpa", "q": "Meldung"})


@SIZES
def test_article_makes_a_fixed_number_of_queries(client, django_assert_num_queries, size):
    article = populate(size)[-1]

    # 1 content state + 1 the article with section and agency + 1 its tags + 1 its
    # related links with their targets and the targets' sections.
    with django_assert_num_queries(4):
        get_json(client, f"/api/articles/{article.pk}/")
