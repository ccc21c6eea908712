"""Search at /search/?q= and in the API: fields, rank, pages, snippets, an index that follows changes."""

from datetime import UTC, datetime

import pytest
from django.db import connection

from articles import search as full_text
from articles.ingest.parsed import ParsedArticle
from articles.ingest.service import import_article
from articles.models import Agency, Article, Section
from articles.search import search

from ..factories import UNPUBLISHED, make_article
from .support import postgres_only, result_hrefs, sqlite_only, urls

pytestmark = pytest.mark.django_db

WORD = "Zitronenfalter"


def search_page(client, text, **params):
    return client.get("/search/", {"q": text, **params})


def found(client, text) -> list[str]:
    return result_hrefs(search_page(client, text))


def found_by_api(client, text) -> list[str]:
    response = client.get("/api/articles/", {"q": text})
    assert response.status_code == 200
    return [article["url"] for article in response.json()["results"]]


def snippet_of(response) -> str:
    [snippet] = response.context["page"].object_list[0:1]
    return str(snippet.snippet)


# What is searched

FIELDS = {
    "headline": {"headline": f"{WORD} im Stadtpark gesichtet"},
    "kicker": {"kicker": WORD},
    "teaser": {"teaser": f"Ein {WORD} flog über den Markt."},
    "body": {"body": f"<p>Im Park flog ein {WORD}.</p>"},
    "tags": {"tags": [WORD]},
}


@pytest.mark.parametrize("field", FIELDS)
def test_search_finds_a_word_of_the_article(client, field):
    article = make_article(**FIELDS[field])
    make_article()

    assert found(client, WORD) == urls([article])


def test_search_finds_nothing_for_a_word_no_article_has(client):
    make_article(headline=f"{WORD} im Stadtpark gesichtet")

    assert found(client, "Kohlweißling") == []


def test_search_needs_every_word_of_the_query(client):
    both = make_article(headline=f"{WORD} und Admiral im Stadtpark")
    make_article(headline=f"{WORD} im Garten")

    assert found(client, f"{WORD} Admiral") == urls([both])


def test_query_of_punctuation_only_finds_nothing(client):
    make_article(headline="Senat beschließt Haushalt")

    response = search_page(client, "„…“ – !?")

    assert (result_hrefs(response), response.context["page"].paginator.count) == ([], 0)


def test_search_finds_both_parts_of_a_hyphenated_word(client):
    article = make_article(headline="Bund-Länder-Gipfel zur Migration")

    assert found(client, "Länder-Gipfel") == urls([article])


@pytest.mark.parametrize("state", UNPUBLISHED)
def test_search_never_finds_an_article_readers_may_not_see(client, state):
    make_article(headline=f"{WORD} im Stadtpark", **UNPUBLISHED[state])

    assert found(client, WORD) == []


@pytest.mark.parametrize("state", UNPUBLISHED)
def test_api_search_never_finds_an_article_readers_may_not_see(client, state):
    make_article(headline=f"{WORD} im Stadtpark", **UNPUBLISHED[state])

    assert found_by_api(client, WORD) == []


def test_api_search_finds_the_same_articles_as_the_search_page(client):
    matching = [make_article(**fields) for fields in FIELDS.values()]
    make_article(headline="Bahn erhöht Preise")
    make_article(headline=f"{WORD} als Entwurf", **UNPUBLISHED["draft"])

    # The API lists newest first, the page best first: the same articles, in their own orders.
    assert sorted(found_by_api(client, WORD)) == sorted(found(client, WORD)) == sorted(urls(matching))


def test_api_search_lists_newest_first(client):
    older = make_article(headline=f"{WORD} im Stadtpark")
    newer = make_article(body=f"<p>Ein {WORD}.</p>")

    assert found_by_api(client, WORD) == urls([newer, older])


# Rank and pages


def test_headline_match_ranks_before_body_only_match(client):
    in_headline = make_article(headline=f"{WORD} im Stadtpark gesichtet")
    # Newer, so that newest-first would put it on top.
    in_body = make_article(body=f"<p>Im Park flog ein {WORD}.</p>")

    assert found(client, WORD) == urls([in_headline, in_body])


def test_search_page_holds_twenty_results(client):
    for _ in range(21):
        make_article(headline=f"{WORD} im Stadtpark")

    response = search_page(client, WORD)

    assert len(result_hrefs(response)) == 20
    assert response.context["page"].paginator.count == 21


def test_search_page_two_holds_the_rest(client):
    articles = [make_article(headline=f"{WORD} im Stadtpark") for _ in range(21)]

    page_one = result_hrefs(search_page(client, WORD))
    page_two = result_hrefs(search_page(client, WORD, page="2"))

    assert len(page_two) == 1
    assert sorted(page_one + page_two) == sorted(urls(articles))


def test_search_page_links_its_next_page_keeping_the_query(client):
    for _ in range(21):
        make_article(headline=f"{WORD} im Stadtpark")

    html = search_page(client, WORD).content.decode()

    assert f'rel="next" href="?q={WORD}&amp;page=2"' in html


def test_search_page_that_is_not_there_is_404(client):
    make_article(headline=f"{WORD} im Stadtpark")

    assert search_page(client, WORD, page="2").status_code == 404


# Snippets


def test_snippet_marks_the_matching_word(client):
    make_article(body=f"<p>Im Stadtpark flog am Morgen ein {WORD} über die Wiese.</p>")

    snippet = snippet_of(search_page(client, WORD))

    assert f"<mark>{WORD}</mark>" in snippet
    assert "Stadtpark" in snippet


def test_snippet_shows_markup_of_the_text_as_text(client):
    # As the importer stores an agency text that quotes markup.
    make_article(body=f"<p>Der {WORD} &lt;script&gt;alert(1)&lt;/script&gt; flog.</p>")

    snippet = snippet_of(search_page(client, WORD))

    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in snippet
    assert "<script>" not in snippet


def test_snippet_holds_no_markup_but_its_marks(client):
    make_article(
        body=f"<p>Erster Absatz über den {WORD}.</p>\n<h2>Zwischentitel</h2>\n<p>Zweiter &amp; letzter.</p>"
    )

    snippet = snippet_of(search_page(client, WORD))

    assert snippet.replace("<mark>", "").replace("</mark>", "").count("<") == 0
    assert "&amp;amp;" not in snippet


def test_search_page_shows_the_snippet_in_the_result(client):
    make_article(body=f"<p>Im Stadtpark flog ein {WORD}.</p>")

    html = search_page(client, WORD).content.decode()

    assert f"<mark>{WORD}</mark>" in html


# The index follows every change


def test_edited_headline_is_found_by_its_new_word(client):
    article = make_article(headline="Admiral im Stadtpark gesichtet")

    article.headline = f"{WORD} im Stadtpark gesichtet"
    article.save()

    assert found(client, WORD) == urls([article])


def test_edited_headline_is_not_found_by_its_old_word(client):
    article = make_article(headline="Admiral im Stadtpark gesichtet")

    article.headline = f"{WORD} im Stadtpark gesichtet"
    article.save()

    assert found(client, "Admiral") == []


def test_edited_body_is_found_by_its_new_word(client):
    article = make_article(body="<p>Ein Admiral flog.</p>")

    article.body = f"<p>Ein {WORD} flog.</p>"
    article.save()

    assert found(client, WORD) == urls([article])


def test_added_tag_is_found(client):
    article = make_article()

    article.tags.add(WORD)

    assert found(client, WORD) == urls([article])


def test_removed_tag_is_not_found(client):
    article = make_article(tags=[WORD, "Natur"])

    article.tags.remove(WORD)

    assert found(client, WORD) == []


def test_article_is_found_once_it_is_published(client):
    article = make_article(headline=f"{WORD} im Stadtpark", **UNPUBLISHED["draft"])

    article.status = Article.Status.PUBLISHED
    article.published_at = datetime(2025, 2, 28, 12, tzinfo=UTC)
    article.save()

    assert found(client, WORD) == urls([article])


def test_withdrawn_article_is_no_longer_found(client):
    article = make_article(headline=f"{WORD} im Stadtpark")

    article.status = Article.Status.WITHDRAWN
    article.save()

    assert found(client, WORD) == []


def test_deleted_article_is_not_found(client):
    article = make_article(headline=f"{WORD} im Stadtpark")
    kept = make_article(body=f"<p>Noch ein {WORD}.</p>")

    article.delete()

    assert found(client, WORD) == urls([kept])


def parsed_article(headline: str, **fields) -> ParsedArticle:
    return ParsedArticle(
        headline=headline,
        teaser="Vorspann der Agentur.",
        body_html="<p>Text der Agentur.</p>",
        published_at=datetime(2025, 2, 28, 12, 16, tzinfo=UTC),
        urn="urn:newsml:dpa.com:20090101:250228-99-123456",
        **fields,
    )


def import_parsed(parsed: ParsedArticle) -> Article:
    return import_article(
        parsed, section=Section.objects.get(slug="inland"), agency=Agency.objects.get(slug="dpa")
    ).article


def test_imported_article_is_found(client):
    article = import_parsed(parsed_article(f"{WORD} im Stadtpark gesichtet"))

    assert found(client, WORD) == urls([article])


def test_imported_tag_is_found(client):
    article = import_parsed(parsed_article("Falter im Stadtpark gesichtet", tags=(WORD,)))

    assert found(client, WORD) == urls([article])


def test_agency_update_is_found_by_its_new_word_and_not_by_its_old_one(client):
    import_parsed(parsed_article("Admiral im Stadtpark gesichtet"))

    article = import_parsed(parsed_article(f"{WORD} im Stadtpark gesichtet"))

    assert (found(client, WORD), found(client, "Admiral")) == (urls([article]), [])


# SQLite: the FTS5 table


def fts_rows(article_id) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT headline, kicker, teaser, body, tags FROM articles_article_fts WHERE rowid = %s",
            [article_id],
        )
        return cursor.fetchall()


@sqlite_only
def test_fts_index_holds_the_text_without_markup_and_the_tags():
    article = make_article(
        headline="Senat beschließt Haushalt", kicker="Landesfinanzen", teaser="Einigung in der Nacht.",
        body="<p>Der Beschluss fiel einstimmig.</p>", tags=["Schuldenbremse", "Abgeordnetenhaus"],
    )

    [(headline, kicker, teaser, body, tags)] = fts_rows(article.pk)

    assert (headline, kicker, teaser, body) == (
        "Senat beschließt Haushalt", "Landesfinanzen", "Einigung in der Nacht.",
        "Der Beschluss fiel einstimmig.",
    )
    assert sorted(tags.split()) == ["Abgeordnetenhaus", "Schuldenbremse"]


@sqlite_only
def test_fts_index_keeps_one_row_per_article_through_edits():
    article = make_article(headline="Admiral im Stadtpark")
    article.headline = f"{WORD} im Stadtpark"
    article.save()
    article.tags.add("Natur")

    assert [row[0] for row in fts_rows(article.pk)] == [f"{WORD} im Stadtpark"]


@sqlite_only
def test_fts_row_of_a_deleted_article_is_removed():
    article = make_article(headline=f"{WORD} im Stadtpark")
    article_id = article.pk

    article.delete()

    assert fts_rows(article_id) == []


@sqlite_only
def test_fts_search_finds_the_start_of_a_word(client):
    article = make_article(headline="Senat beschließt Haushalt")

    assert found(client, "Haush") == urls([article])


@sqlite_only
def test_fts_search_finds_umlauts_written_without_dots(client):
    article = make_article(headline="Zölle auf Stahl steigen")

    assert found(client, "Zolle") == urls([article])


@sqlite_only
@pytest.mark.parametrize("text", ['Haushalt"', "Haushalt*", "(Haushalt", "-Haushalt", "^Haushalt)"])
def test_fts_query_syntax_from_a_reader_is_taken_as_words(client, text):
    article = make_article(headline="Senat beschließt Haushalt")

    assert found(client, text) == urls([article])


# PostgreSQL: the german configuration


@postgres_only
def test_plural_finds_the_singular(client):
    article = make_article(headline="Neuer Beitrag zur Rente")

    assert found(client, "Beiträge") == urls([article])


@postgres_only
def test_zoelle_finds_zoll(client):
    article = make_article(teaser="Der Zoll auf Stahl steigt.")

    assert found(client, "Zölle") == urls([article])


@postgres_only
def test_api_search_stems_german_words_too(client):
    article = make_article(body="<p>Der Zoll auf Stahl steigt.</p>")

    assert found_by_api(client, "Zölle") == urls([article])


@postgres_only
def test_search_vector_is_stored_with_the_article():
    article = make_article(headline="Neuer Beitrag zur Rente", tags=["Rentenpolitik"])

    vector = Article.objects.filter(pk=article.pk).values_list("search_vector", flat=True).get()

    assert "'beitrag':" in vector
    assert "'rentenpolit':" in vector


@postgres_only
def test_postgres_snippet_marks_the_stemmed_match(client):
    make_article(body="<p>Die Zölle auf Stahl steigen im Frühjahr deutlich.</p>")

    snippet = snippet_of(search_page(client, "Zoll"))

    assert "<mark>Zölle</mark>" in snippet


@postgres_only
def test_postgres_snippet_of_a_word_far_down_the_body_is_the_beginning(client, monkeypatch):
    monkeypatch.setattr(full_text, "SNIPPET_BODY_CHARS", 60)
    make_article(
        teaser="Der Senat tagt.",
        body=f"<p>Erster Absatz zur Sitzung.</p><p>Zweiter <a href=\"https://example.org/\">Link</a> "
        f"und ganz unten ein {WORD}.</p>",
    )

    snippet = snippet_of(search_page(client, WORD))

    # Made from the teaser and the first whole paragraph: no word of a cut tag.
    assert " ".join(snippet.split()) == "Der Senat tagt. Erster Absatz zur Sitzung."


@postgres_only
def test_postgres_snippet_of_a_long_first_paragraph_is_cut_at_the_limit(client, monkeypatch):
    monkeypatch.setattr(full_text, "SNIPPET_BODY_CHARS", 40)
    make_article(teaser="", body=f"<p>{WORD} " + "Wort " * 30 + "</p>")

    snippet = snippet_of(search_page(client, WORD))

    assert " ".join(snippet.split()) == f"<mark>{WORD}</mark> Wort Wort Wort Wort Wo"


def test_renamed_tag_is_found_by_its_new_name_only():
    from taggit.models import Tag

    article = make_article(headline="Falter im Garten", tags=["Zitronenfalter"])
    tag = Tag.objects.get(name="Zitronenfalter")
    tag.name = "Schmetterling"
    tag.save()

    assert list(search(Article.objects.all(), "Schmetterling")) == [article]
    assert list(search(Article.objects.all(), "Zitronenfalter")) == []


def test_deleted_tag_is_no_longer_found():
    from taggit.models import Tag

    make_article(headline="Falter im Garten", tags=["Zitronenfalter"])
    Tag.objects.get(name="Zitronenfalter").delete()

    assert list(search(Article.objects.all(), "Zitronenfalter")) == []


# The bound: the search page ranks and counts the newest MOST matches only


@pytest.fixture
def most_three(monkeypatch):
    from articles import search as full_text

    monkeypatch.setattr(full_text, "MOST", 3)


def test_search_page_ranks_the_newest_matches_only(client, most_three):
    oldest_in_headline = make_article(headline=f"{WORD} im Stadtpark")
    newer_in_body = [make_article(body=f"<p>Ein {WORD} flog.</p>") for _ in range(3)]

    # The oldest would rank first, but it is not among the newest three.
    assert sorted(found(client, WORD)) == sorted(urls(newer_in_body))
    assert oldest_in_headline.get_absolute_url() not in found(client, WORD)


def test_search_page_ranks_within_the_newest_matches(client, most_three):
    in_body = [make_article(body=f"<p>Ein {WORD} flog.</p>") for _ in range(3)]
    in_headline = make_article(headline=f"{WORD} im Stadtpark")

    assert found(client, WORD)[0] == in_headline.get_absolute_url()
    assert sorted(found(client, WORD)[1:]) == sorted(urls(in_body[1:]))


def test_search_page_says_there_are_more_matches_than_it_ranks(client, most_three):
    for _ in range(4):
        make_article(headline=f"{WORD} im Stadtpark")

    response = search_page(client, WORD)

    assert response.context["page"].paginator.count == 3
    assert f"Mehr als 3 Treffer für „{WORD}“: die neuesten 3, die besten zuerst" in response.content.decode()


def test_search_page_gives_the_exact_count_up_to_the_bound(client, most_three):
    for _ in range(3):
        make_article(headline=f"{WORD} im Stadtpark")

    html = search_page(client, WORD).content.decode()

    assert f"3 Treffer für „{WORD}“" in html
    assert "Mehr als" not in html


def test_search_page_past_the_bound_is_404(client, most_three):
    from django.test import override_settings

    for _ in range(5):
        make_article(headline=f"{WORD} im Stadtpark")

    with override_settings(NEWSROOM_PAGE_SIZE=2):
        pages = [search_page(client, WORD, page=str(number)) for number in (1, 2, 3)]

    assert [response.status_code for response in pages] == [200, 200, 404]
    assert [len(result_hrefs(response)) for response in pages[:2]] == [2, 1]


def test_search_page_shows_the_query_of_a_bounded_count_as_text(client, most_three):
    for _ in range(4):
        make_article(headline=f"{WORD} im Stadtpark")

    html = search_page(client, f"{WORD} <>&").content.decode()

    assert f"Mehr als 3 Treffer für „{WORD} &lt;&gt;&amp;“" in html


def test_search_page_never_counts_an_unpublished_match(client, most_three):
    make_article(headline=f"{WORD} im Stadtpark")
    for _ in range(3):
        make_article(headline=f"{WORD} als Entwurf", **UNPUBLISHED["draft"])

    response = search_page(client, WORD)

    assert (response.context["page"].paginator.count, response.context["page"].paginator.more) == (1, False)
