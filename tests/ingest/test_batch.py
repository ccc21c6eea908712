"""The batch importer (articles/ingest/batch.py) against the one-story-at-a-time service.

A batch must leave the database exactly as importing its stories one by one would:
articles, slugs, tags, related links (resolved by rule 1, back-filled), versions and
the search index; and answer repeats without reading them.
"""


import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles import search
from articles.ingest import batch, formats, service
from articles.ingest.intake import default_agency, default_section
from articles.models import Article, HeldUpdate
from bench.corpus import Corpus

from .texts import HEADLINE, dpa_text, related_item

pytestmark = pytest.mark.django_db


def corpus_inputs(n: int) -> list[tuple[str, bytes]]:
    """The benchmark's corpus: stories whose related items point at earlier and later ones."""
    made = Corpus(n, seed=11)
    return [(name, data) for _section, name, data in (made.article(index) for index in range(n))]


def run(inputs, size: int = batch.SIZE) -> list[tuple[str, str, str]]:
    stories = batch.import_inputs(
        inputs, section=default_section(), agency=default_agency(), pictures=False, size=size
    )
    return [(source, story.outcome, story.detail) for source, story in stories]


def one_by_one(inputs) -> list[str]:
    outcomes = []
    for _name, data in inputs:
        result = service.import_article(
            formats.parse(data), section=default_section(), agency=default_agency(), download_pictures=False
        )
        outcomes.append(result.outcome)
    return outcomes


def stored() -> dict:
    """Everything an import writes, keyed by the agency identity instead of row ids."""
    by_id = dict(Article.objects.values_list("id", "source_key"))
    shape = {}
    for article in Article.objects.prefetch_related("tags", "related_links", "corrections", "versions"):
        links = [
            (link.position, link.text, link.headline, link.teaser, link.url, by_id.get(link.target_id))
            for link in article.related_links.all()
        ]
        (version,) = article.versions.all()
        data = dict(version.data)
        data["related"] = [{**item, "target": by_id.get(item["target"])} for item in data["related"]]
        shape[article.source_key] = {
            "fields": (
                article.slug, article.section_id, article.status, article.headline, article.headline_key,
                article.teaser, article.body, article.published_at, article.content_hash,
                article.imported_fingerprint,
            ),
            "tags": sorted(tag.name for tag in article.tags.all()),
            "links": links,
            "corrections": [correction.text for correction in article.corrections.all()],
            "version": data,
        }
    return shape


def without_version_links(shape: dict) -> dict:
    return {
        key: {**article, "version": {**article["version"], "related": None}} for key, article in shape.items()
    }


def found(word: str) -> list[str]:
    by_id = dict(Article.objects.values_list("id", "source_key"))
    return sorted(by_id[article.pk] for article in search.search(Article.objects.all(), word))


def test_a_batch_stores_what_one_story_at_a_time_stores():
    inputs = corpus_inputs(120)
    outcomes = run(inputs, size=50)  # three batches: links inside a batch and across them
    assert [outcome for _source, outcome, _detail in outcomes] == ["created"] * 120
    in_batches = stored()
    searched = {word: found(word) for word in ("Berlin", "Regierung", "Streik")}
    linked = sum(1 for article in in_batches.values() for link in article["links"] if link[-1])
    assert linked > 20, "the corpus should resolve links inside and across batches"

    Article.objects.all().delete()
    assert one_by_one(inputs) == ["created"] * 120
    alone = stored()
    assert without_version_links(alone) == without_version_links(in_batches)
    # The links themselves are the same. The first version of an article whose item names
    # a story later in its batch shows that link resolved (as stored), where one story at a
    # time shows it waiting: the batch is written at once.
    for key, article in in_batches.items():
        for batch_item, alone_item, link in zip(
            article["version"]["related"], alone[key]["version"]["related"], article["links"], strict=False
        ):
            if batch_item != alone_item:
                assert alone_item["target"] is None
                _position, _text, headline, teaser, _url, target = link
                assert batch_item == {**alone_item, "headline": headline, "teaser": teaser, "target": target}
    assert {word: found(word) for word in searched} == searched


def test_the_same_input_again_is_unchanged_without_being_read(django_assert_max_num_queries):
    inputs = corpus_inputs(60)
    run(inputs)
    section, agency = default_section(), default_agency()
    with django_assert_max_num_queries(1):  # the digests, and nothing else
        stories = batch.import_inputs(inputs, section=section, agency=agency, pictures=False)
        outcomes = [(source, story.outcome, story.detail) for source, story in stories]
    assert {outcome for _source, outcome, _detail in outcomes} == {"unchanged"}
    headlines = dict(Article.objects.values_list("source_digest", "headline"))
    assert [detail for _source, _outcome, detail in outcomes] == [
        headlines[batch.digest(data, default_agency())] for _name, data in inputs
    ]


def test_a_new_release_of_the_import_code_reads_everything_again(monkeypatch):
    inputs = corpus_inputs(10)
    run(inputs)
    monkeypatch.setattr(batch, "RELEASE", b"another release")
    assert {outcome for _source, outcome, _detail in run(inputs)} == {"unchanged"}


def test_a_story_twice_in_one_batch_is_created_then_unchanged_or_updated():
    first = dpa_text().encode()
    changed = dpa_text(body=("Ein anderer Absatz.",)).encode()
    outcomes = run([("a", first), ("b", first), ("c", changed), ("d", first)])
    assert [outcome for _source, outcome, _detail in outcomes] == [
        "created", "unchanged", "updated", "updated"
    ]
    assert Article.objects.count() == 1


def test_a_repeat_of_the_stored_copy_after_an_update_in_the_same_batch_is_read_again():
    """Its digest matched the article before the update; one story at a time it is an update back."""
    original = dpa_text().encode()
    run([("a", original)])
    body = Article.objects.get().body
    outcomes = run([("b", dpa_text(body=("Neu gefasst.",)).encode()), ("c", original)])
    assert [outcome for _source, outcome, _detail in outcomes] == ["updated", "updated"]
    assert Article.objects.get().body == body


def test_an_update_between_new_stories_keeps_input_order_and_links():
    run([("old", dpa_text().encode())])
    later = dpa_text(
        headline="Opposition kritisiert den Haushalt",
        date="28.02.2025 - 14:00:00",
        related=(related_item(f"{HEADLINE}. Die Koalition einigte sich.", time="28.02.2025 - 13:16"),),
    ).encode()
    inputs = [
        ("changed", dpa_text(body=("Neu gefasst.",)).encode()),
        ("new", later),
        ("broken", b"\n\n"),
    ]
    outcomes = run(inputs)
    assert [(source, outcome) for source, outcome, _detail in outcomes] == [
        ("changed", "updated"),
        ("new", "created"),
        ("broken", "failed"),
    ]
    link = Article.objects.get(headline="Opposition kritisiert den Haushalt").related_links.get()
    assert link.target == Article.objects.get(headline=HEADLINE)


def test_a_story_another_process_stored_meanwhile_is_found_again():
    """The bulk write fails on the unique identity; every story of it goes on its own."""
    data = dpa_text().encode()
    runner = batch.Batch(section=default_section(), agency=default_agency(), pictures=False)
    item = batch.Item("a", data, digest=batch.digest(data, default_agency()))
    runner.read(item)
    other = batch.Item("b", dpa_text(headline="Noch eine Meldung").encode())
    runner.read(other)
    # Between this batch's lookup and its write, another importer stores the first story.
    service.import_article(item.parsed, section=default_section(), agency=default_agency())
    runner.write([item, other])
    assert (item.story.outcome, other.story.outcome) == ("unchanged", "created")
    assert Article.objects.count() == 2


def test_a_held_update_stays_held_when_it_comes_again():
    run([("a", dpa_text().encode())])
    article = Article.objects.get()
    article.headline = "Von der Redaktion"
    article.save()
    changed = dpa_text(body=("Neu gefasst.",)).encode()
    assert run([("b", changed)])[0][1] == "held"
    assert run([("b", changed)])[0][1] == "held"
    assert HeldUpdate.objects.count() == 1


def test_taking_a_held_update_forgets_the_digest():
    run([("a", dpa_text().encode())])
    article = Article.objects.get()
    article.headline = "Von der Redaktion"
    article.save()
    run([("b", dpa_text(body=("Neu gefasst.",)).encode())])
    service.take_held_update(HeldUpdate.objects.get())
    assert Article.objects.get().source_digest == ""


def test_the_digest_depends_on_the_fallback_agency(tmp_path):
    data = dpa_text(credit=None).encode()
    dpa = default_agency()
    other = type(dpa).objects.create(slug="afp", name="AFP", domain="afp.com")
    assert batch.digest(data, dpa) != batch.digest(data, other)
    run([("a", data)])
    stories = batch.import_inputs([("a", data)], section=default_section(), agency=other, pictures=False)
    assert [story.outcome for _source, story in stories] == ["created"]


def test_a_credit_line_is_looked_up_once_a_run():
    inputs = corpus_inputs(40)
    section, agency = default_section(), default_agency()
    with CaptureQueriesContext(connection) as queries:
        stories = list(batch.import_inputs(inputs, section=section, agency=agency, pictures=False, size=10))
    assert {story.outcome for _source, story in stories} == {"created"}
    credit_lookups = [q for q in queries.captured_queries if "articles_agency" in q["sql"]]
    assert len(credit_lookups) == 1
