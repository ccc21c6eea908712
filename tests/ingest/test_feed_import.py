"""The import service with dpa's machine formats (shared/formats/dpa-feeds.md): every
sample, identity across formats, versions, withdrawal, embargo, and each field's mapping.

Pictures come from a local server or fail at once (a closed port on 127.0.0.1); their own
tests are in test_picture_download.py, the non-public parts' in test_nonpublic.py.
"""

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from articles.ingest import formats, service
from articles.ingest.parsed import ParseError
from articles.models import (
    Agency,
    Article,
    ArticleVersion,
    Correction,
    HeldUpdate,
    RelatedLink,
    Section,
)
from tests.factories import make_staff_user

from .feeds import (
    IMPORTED,
    REJECTED,
    closed_port_base,
    import_parsed,
    import_sample,
    parse_sample,
    sample_bytes,
)
from .texts import parsed as plain_text

pytestmark = pytest.mark.django_db

DW1_URN = "urn:newsml:dpa.com:20090101:240923-930-240378"
DW1_HEADLINE = "«Mythos Jungfernhäutchen» - Zwischen Aufklärung und Kommerz"
DW1_VERSION_CREATED = datetime(2024, 9, 24, 10, 5, 52, tzinfo=UTC)
DW1_FILES = ("digitalwires/dw-1.json", "newsml-g2/dw-1.xml", "iptc7901/dw-1.iptc")


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def own_cache(settings, request):
    # Pages are cached by content state; a rolled-back test must not answer the next one.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": request.node.nodeid,
        }
    }


def entry(name: str = "digitalwires/dw-1.json", **changes) -> dict:
    data = json.loads(sample_bytes(name, closed_port_base()))
    data.update(changes)
    return data


def parse_entry(data: dict):
    return formats.parse(json.dumps(data, ensure_ascii=False).encode())


def import_entry(data: dict, **options) -> service.ImportResult:
    return import_parsed(parse_entry(data), **options)


def import_file(name: str, **options) -> service.ImportResult:
    return import_sample(name, closed_port_base(), **options)


def row_counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Article, RelatedLink, ArticleVersion, HeldUpdate, Correction)
    }


def visible_to_readers(article: Article) -> bool:
    return Client().get(article.get_absolute_url()).status_code == 200


# Every sample


@pytest.mark.parametrize("name", IMPORTED)
def test_every_sample_with_text_is_created(name):
    result = import_file(name)

    assert result.outcome == "created"
    assert Article.objects.get().headline == parse_sample(name).headline


@pytest.mark.parametrize("name", REJECTED)
def test_an_entry_without_text_is_rejected_with_a_clear_error_and_nothing_written(name):
    with pytest.raises(ParseError, match="no text"):
        import_file(name)

    assert Article.objects.count() == 0


def test_every_sample_again_changes_nothing():
    for name in IMPORTED:
        import_file(name)
    before = row_counts()
    stamps = dict(Article.objects.values_list("pk", "modified_at"))

    outcomes = {name: import_file(name).outcome for name in IMPORTED}

    assert set(outcomes.values()) == {"unchanged"}, outcomes
    assert row_counts() == before
    assert dict(Article.objects.values_list("pk", "modified_at")) == stamps


def test_the_samples_are_six_articles_one_per_story():
    for name in IMPORTED:
        import_file(name)

    assert sorted(Article.objects.values_list("source_key", flat=True)) == sorted(
        {parse_sample(name).urn for name in IMPORTED if name.startswith("digitalwires/")}
    )


# Identity across formats


def test_dw1_from_json_then_xml_then_7901_is_one_article():
    outcomes = [import_file(name).outcome for name in DW1_FILES]

    article = Article.objects.get()
    assert outcomes == ["created", "unchanged", "unchanged"]
    assert article.source_key == DW1_URN
    assert article.source_version == 2
    assert article.source_version_created == DW1_VERSION_CREATED
    # The richer copy stays: the wire text has no kicker and no link box.
    assert article.kicker == "Frauenrechte"
    assert article.related_links.count() == 6


def test_dw1_from_xml_then_json_is_one_article():
    assert import_file("newsml-g2/dw-1.xml").outcome == "created"
    assert import_file("digitalwires/dw-1.json").outcome == "unchanged"

    assert Article.objects.get().source_key == DW1_URN


def test_dw1_from_7901_first_is_taken_over_by_its_json_version():
    first = import_file("iptc7901/dw-1.iptc")

    result = import_file("digitalwires/dw-1.json")

    article = Article.objects.get()
    assert (first.outcome, result.outcome) == ("created", "updated")
    assert article.pk == first.article.pk
    assert article.source_key == DW1_URN
    assert article.kicker == "Frauenrechte"
    assert import_file("iptc7901/dw-1.iptc").outcome == "unchanged"
    assert import_file("newsml-g2/dw-1.xml").outcome == "unchanged"
    assert Article.objects.count() == 1


def test_7901_matches_the_update_time_of_a_later_version():
    import_entry(entry(version=1, version_created="2024-09-24T08:00:00+00:00"))
    import_file("digitalwires/dw-1.json")  # version 2, 10:05:52 UTC

    result = import_file("iptc7901/dw-1.iptc")  # sent 12:05 Berlin time

    assert result.outcome == "unchanged"
    assert Article.objects.count() == 1


def test_7901_of_another_minute_is_another_article():
    import_file("digitalwires/dw-1.json")
    wire = sample_bytes("iptc7901/dw-1.iptc").replace(b"241205 Sep 24", b"241312 Sep 24")

    result = import_parsed(formats.parse(wire))

    assert result.outcome == "created"
    assert Article.objects.count() == 2


# Versions


def test_an_older_version_changes_nothing():
    import_file("digitalwires/dw-1.json")
    before = row_counts()

    result = import_entry(entry(version=1, version_created="2024-09-23T16:00:00+00:00", headline="Alt"))

    assert result.outcome == "unchanged"
    assert Article.objects.get().headline == DW1_HEADLINE
    assert row_counts() == before


def test_versions_compare_as_numbers():
    import_entry(entry(version=9))

    assert import_entry(entry(version=10, headline="Zehn")).outcome == "updated"
    assert import_entry(entry(version=9, headline="Neun")).outcome == "unchanged"

    article = Article.objects.get()
    assert (article.headline, article.source_version) == ("Zehn", 10)


def test_equal_version_applies_only_with_a_later_version_time():
    import_file("digitalwires/dw-1.json")

    # 11:05 at +02:00 is 09:05 UTC, earlier, although its text sorts after "10:05".
    earlier = import_entry(entry(version_created="2024-09-24T11:05:00+02:00", headline="Früher"))
    later = import_entry(entry(version_created="2024-09-24T12:06:00+02:00", headline="Später"))

    article = Article.objects.get()
    assert (earlier.outcome, later.outcome) == ("unchanged", "updated")
    assert article.headline == "Später"
    assert article.source_version_created == datetime(2024, 9, 24, 10, 6, tzinfo=UTC)


def test_a_newer_version_updates_text_and_update_time_but_not_the_publication_time():
    import_file("digitalwires/dw-1.json")

    result = import_entry(
        entry(version=3, version_created="2024-09-24T15:00:00+00:00", teaser="Neu gefasst.")
    )

    article = Article.objects.get()
    assert result.outcome == "updated"
    assert article.teaser == "Neu gefasst."
    assert article.published_at == DW1_VERSION_CREATED
    assert article.updated_at == datetime(2024, 9, 24, 15, 0, tzinfo=UTC)
    assert article.source_version == 3
    assert list(article.versions.values_list("origin", flat=True)) == ["agency_update", "import"]


def test_a_newer_version_of_an_article_an_editor_changed_is_held():
    import_file("digitalwires/dw-1.json")
    Article.objects.update(teaser="Vom Redakteur.")
    article = Article.objects.get()
    article.teaser = "Vom Redakteur."

    result = import_entry(entry(version=3, version_created="2024-09-24T15:00:00+00:00"))

    article.refresh_from_db()
    assert result.outcome == "held"
    assert article.teaser == "Vom Redakteur."
    assert article.source_version == 2
    assert HeldUpdate.objects.get().payload["version"] == 3


def test_taking_a_held_version_stores_its_version():
    import_file("digitalwires/dw-1.json")
    Article.objects.update(teaser="Vom Redakteur.")
    import_entry(entry(version=3, version_created="2024-09-24T15:00:00+00:00"))

    service.take_held_update(HeldUpdate.objects.get())

    article = Article.objects.get()
    assert article.source_version == 3
    assert import_entry(entry(version=3, version_created="2024-09-24T15:00:00+00:00")).outcome == "unchanged"


# Withdrawal


def test_a_canceled_version_withdraws_and_deletes_nothing():
    first = import_file("digitalwires/dw-1.json")
    assert visible_to_readers(first.article)

    result = import_entry(entry(version=3, version_created="2024-09-24T15:00:00+00:00", pubstatus="canceled"))

    article = Article.objects.get()
    assert result.outcome == "updated"
    assert article.status == Article.Status.WITHDRAWN
    assert article.headline == DW1_HEADLINE
    assert not visible_to_readers(article)
    assert Client().get(f"/api/articles/{article.pk}/").status_code == 404


def test_a_canceled_version_withdraws_even_an_article_an_editor_changed():
    import_file("digitalwires/dw-1.json")
    Article.objects.update(teaser="Vom Redakteur.")

    result = import_entry(entry(version=3, version_created="2024-09-24T15:00:00+00:00", pubstatus="canceled"))

    assert result.outcome == "updated"
    assert Article.objects.get().status == Article.Status.WITHDRAWN


def test_a_withdrawn_story_stays_withdrawn_until_a_newer_version_says_usable():
    import_file("digitalwires/dw-1.json")
    import_entry(entry(version=3, version_created="2024-09-24T15:00:00+00:00", pubstatus="canceled"))

    again = [import_file(name).outcome for name in DW1_FILES]
    assert again == ["unchanged"] * 3
    assert Article.objects.get().status == Article.Status.WITHDRAWN

    result = import_entry(entry(version=4, version_created="2024-09-24T16:00:00+00:00", pubstatus="usable"))

    article = Article.objects.get()
    assert result.outcome == "updated"
    assert article.status == Article.Status.PUBLISHED
    assert visible_to_readers(article)


def test_a_story_an_editor_withdrew_is_not_brought_back_by_the_agency():
    from articles import workflow

    import_file("digitalwires/dw-1.json")
    editor = make_staff_user(is_superuser=True)
    workflow.withdraw(Article.objects.get(), editor)

    result = import_entry(entry(version=3, version_created="2024-09-24T15:00:00+00:00", teaser="Neu."))

    article = Article.objects.get()
    assert result.outcome == "updated"
    assert article.teaser == "Neu."
    assert article.status == Article.Status.WITHDRAWN


def test_a_story_first_seen_canceled_is_kept_withdrawn():
    result = import_entry(entry(pubstatus="canceled"))

    assert result.outcome == "created"
    assert result.article.status == Article.Status.WITHDRAWN
    assert import_entry(entry(version=1)).outcome == "unchanged"


# Embargo


def test_a_future_embargo_hides_the_article_everywhere():
    embargo = timezone.now() + timedelta(days=1)
    result = import_entry(entry("digitalwires/embargoed.json", embargoed=embargo.isoformat()))
    article = result.article
    client = Client()

    assert result.outcome == "created"
    assert article.embargo_until == embargo.replace(microsecond=embargo.microsecond)
    assert client.get(article.get_absolute_url()).status_code == 404
    assert client.get(f"/api/articles/{article.pk}/").status_code == 404
    assert client.get("/api/articles/").json()["count"] == 0
    for path in ("/", article.section.get_absolute_url(), "/feed/", "/search/?q=Steinmeier"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert article.headline not in response.content.decode(), path


def test_an_embargo_past_shows_the_article_from_the_embargo_on():
    result = import_file("digitalwires/embargoed.json")

    article = result.article
    assert article.embargo_until == datetime(2025, 1, 23, 18, 0, tzinfo=UTC)
    # It first appeared when the embargo ended, not when dpa sent it.
    assert article.published_at == datetime(2025, 1, 23, 18, 0, tzinfo=UTC)
    assert visible_to_readers(article)


# Desk → section, status


@pytest.mark.parametrize(
    ("name", "section"),
    [
        ("digitalwires/eil.json", "inland"),  # pl, Deutschland among the geo subjects
        ("digitalwires/dw-1.json", "panorama"),  # vm
        ("digitalwires/spe_tab.json", "sport"),
        ("digitalwires/embargoed.json", "kultur"),
        ("digitalwires/hoerfunk.json", "nachrichten"),  # rs: the default section
        ("iptc7901/eil.iptc", "inland"),
        ("iptc7901/spe-tab.iptc", "sport"),
        ("newsml-g2/with_infobox.xml", "panorama"),
    ],
)
def test_the_desk_chooses_the_section(name, section):
    result = import_file(name, section=Section.objects.get(slug="wissenschaft"))

    assert result.article.section.slug == section


def test_politics_without_germany_is_ausland():
    parsed = replace(parse_sample("digitalwires/eil.json"), geo_subjects=("Frankreich",))

    assert import_parsed(parsed).article.section.slug == "ausland"


def test_business_and_an_unknown_desk():
    business = replace(parse_sample("digitalwires/eil.json"), desk="wi")
    unknown = replace(parse_sample("digitalwires/dw-1.json"), desk="xy")

    assert import_parsed(business).article.section.slug == "wirtschaft"
    assert import_parsed(unknown).article.section.slug == "nachrichten"


def test_the_desk_table_is_a_setting(settings):
    settings.NEWSROOM_DESK_SECTIONS = {"vm": "wissenschaft"}

    assert import_file("digitalwires/dw-1.json").article.section.slug == "wissenschaft"


def test_text_without_a_desk_goes_to_the_given_section():
    result = import_parsed(plain_text(), section=Section.objects.get(slug="kultur"))

    assert result.article.section.slug == "kultur"


def test_the_editorial_service_waits_in_review_although_dpa_publishes_on_import():
    assert Agency.objects.get(slug="dpa").publish_on_import

    result = import_file("digitalwires/hoerfunk.json")

    assert result.article.status == Article.Status.REVIEW
    assert not visible_to_readers(result.article)


def test_another_provider_in_the_feed_is_imported_under_dpa():
    parsed = replace(parse_sample("digitalwires/eil.json"), credit="AP", provider="AP", byline="By Jane Doe")

    article = import_parsed(parsed).article

    assert article.agency.slug == "dpa"
    assert article.byline == "By Jane Doe"


# Fields


def test_text_fields_of_dw1():
    article = import_file("digitalwires/dw-1.json").article

    assert article.headline == DW1_HEADLINE
    assert article.kicker == "Frauenrechte"
    assert article.teaser.startswith("Ein Unternehmen aus Baden vertreibt Blutkapseln")
    assert article.byline == "Von Marco Krefting und Sunrita Sen, dpa"
    assert article.dateline == "Waghäusel (dpa) -"
    assert article.body.startswith("<p>Waghäusel (dpa) - Die meisten Kundinnen")
    assert article.body.count("Waghäusel (dpa) -") == 1
    assert article.published_at == DW1_VERSION_CREATED
    assert article.updated_at is None
    assert article.agency.slug == "dpa"


def test_keywords_and_geo_subjects_are_tags_one_per_name_whatever_the_case():
    import_file("digitalwires/dw-1.json")
    parsed = replace(parse_sample("digitalwires/eil.json"), tags=("FRAUEN", "deutschland", "Grüne"))

    article = import_parsed(parsed).article

    assert sorted(article.tags.names()) == ["Deutschland", "Frauen", "Grüne"]
    assert sorted(Article.objects.get(source_key=DW1_URN).tags.names()) == [
        "Baden-Württemberg", "Deutschland", "Frauen",
    ]


def test_the_info_box_is_kept():
    article = import_file("digitalwires/with_infobox.json").article

    assert article.infobox_html.startswith("<h2>Links</h2><p><a href=\"https://www.dw.com/")
    assert 'rel="nofollow"' in article.infobox_html


def test_link_box_links_are_related_items_with_external_addresses():
    article = import_file("digitalwires/dw-1.json").article

    links = list(
        article.related_links.order_by("position").values_list("position", "headline", "url", "target")
    )
    assert links[0] == (1, "Produkte von VirginiaCare", "https://dpaq.de/SsgRreo", None)
    assert [position for position, *_ in links] == [1, 2, 3, 4, 5, 6]
    api = Client().get(f"/api/articles/{article.pk}/").json()
    assert api["related"][0] == {
        "headline": "Produkte von VirginiaCare",
        "teaser": "",
        "section": "",
        "published_at": None,
        "url": "https://dpaq.de/SsgRreo",
    }


def test_links_follow_the_weitere_meldungen_items():
    parsed = plain_text(related=("Erstes Ding. Mehr dazu (Ausland, 27.11.2025 - 15:24) weiterlesen...",))
    parsed = replace(parsed, links=(("Mehr", "https://example.org/mehr"),))

    article = import_parsed(parsed).article

    assert list(article.related_links.order_by("position").values_list("position", "url")) == [
        (1, ""),
        (2, "https://example.org/mehr"),
    ]


def test_links_do_not_count_as_an_editors_change():
    import_file("digitalwires/dw-1.json")

    assert not Article.objects.get().changed_since_import


def test_editor_notes_are_kept_for_the_admin():
    article = import_file("digitalwires/embargoed.json").article

    assert "Odesa" in article.editor_notes
    assert "Szameitat" not in article.editor_notes


def test_a_correction_is_shown_once_however_often_it_comes():
    import_file("digitalwires/dw-1.json")
    import_file("newsml-g2/dw-1.xml")
    import_entry(entry(version=3, version_created="2024-09-24T15:00:00+00:00", teaser="Neu."))

    article = Article.objects.get()
    assert list(article.corrections.values_list("text", flat=True)) == [
        "In einer früheren Version dieses Textes hieß es, Vergewaltigung in der Ehe sei bis "
        "1992 nicht strafbar gewesen. Richtig ist aber das Jahr 1997."
    ]


def test_a_correction_with_the_first_version_is_no_update():
    article = import_file("digitalwires/dw-1.json").article

    article.refresh_from_db()
    assert article.updated_at is None
    assert article.corrections.get().created_at == article.published_at


def test_a_new_correction_in_a_later_version_is_added():
    import_file("digitalwires/eil.json")
    data = entry("digitalwires/eil.json", version=2, version_created="2024-09-25T09:00:00+00:00")
    data["ednotes"] = [
        {"role": "dpaednoterole:correctionshort", "is_publishable": True, "ednote": "Name berichtigt."}
    ]

    import_entry(data)

    article = Article.objects.get()
    assert article.corrections.get().text == "Name berichtigt."
    assert article.updated_at == datetime(2024, 9, 25, 9, 0, tzinfo=UTC)


# Nothing half-written


def test_a_story_that_fails_midway_leaves_nothing(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(service, "write_links", broken)

    with pytest.raises(RuntimeError):
        import_file("digitalwires/dw-1.json")

    assert row_counts() == dict.fromkeys(row_counts(), 0)


def test_an_update_that_fails_midway_leaves_the_stored_version(monkeypatch):
    import_file("digitalwires/dw-1.json")
    before = row_counts()
    monkeypatch.setattr(service, "write_links", lambda *args, **kwargs: 1 / 0)

    with pytest.raises(ZeroDivisionError):
        import_entry(entry(version=3, version_created="2024-09-24T15:00:00+00:00", headline="Neu"))

    article = Article.objects.get()
    assert (article.headline, article.source_version) == (DW1_HEADLINE, 2)
    assert row_counts() == before


def test_a_dry_run_writes_nothing():
    result = import_file("digitalwires/dw-1.json", dry_run=True)

    assert result.outcome == "created"
    assert Article.objects.count() == 0


# What readers see


def test_the_api_has_byline_and_dateline():
    article = import_file("digitalwires/dw-1.json").article

    data = Client().get(f"/api/articles/{article.pk}/").json()

    assert data["byline"] == "Von Marco Krefting und Sunrita Sen, dpa"
    assert data["dateline"] == "Waghäusel (dpa) -"
    assert data["body_html"].startswith("<p>Waghäusel (dpa) - Die meisten")
    assert data["section"] == {"slug": "panorama", "name": "Panorama"}
    listed = Client().get("/api/articles/").json()["results"][0]
    assert (listed["byline"], listed["dateline"]) == (data["byline"], data["dateline"])


def test_the_page_shows_byline_dateline_once_info_box_and_correction():
    article = import_file("digitalwires/dw-1.json").article
    page = Client().get(article.get_absolute_url()).content.decode()

    assert '<span class="meta__byline">Von Marco Krefting und Sunrita Sen, dpa</span>' in page
    assert page.count("Waghäusel (dpa) -") == 1
    assert '<div class="article__body">\n    <p>Waghäusel (dpa) - Die meisten' in page
    assert "Richtig ist aber das Jahr 1997." in page
    assert '<a href="https://dpaq.de/SsgRreo" rel="nofollow">Produkte von VirginiaCare</a>' in page

    boxed = import_file("digitalwires/with_infobox.json").article
    page = Client().get(boxed.get_absolute_url()).content.decode()
    assert '<aside class="article__infobox" aria-label="Info"><h2>Links</h2>' in page


def test_the_info_box_is_sanitised_when_shown():
    article = import_file("digitalwires/with_infobox.json").article
    Article.objects.filter(pk=article.pk).update(
        infobox_html='<p onclick="x()">Info<script>alert(1)</script></p>'
    )

    page = Client().get(article.get_absolute_url()).content.decode()

    assert '<aside class="article__infobox" aria-label="Info"><p>Info</p></aside>' in page
    assert "alert(1)" not in page


# The admin


@pytest.fixture
def editor_client(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    client = Client()
    client.force_login(make_staff_user(is_superuser=True))
    return client


def test_the_admin_shows_version_info_box_and_notes_of_agency_copy_read_only(editor_client):
    from tests.admin.helpers import change_url

    article = import_file("digitalwires/with_infobox.json").article

    response = editor_client.get(change_url(article))

    page = response.content.decode()
    form = response.context["adminform"].form
    assert "infobox_html" not in form.fields
    assert "editor_notes" not in form.fields
    assert "10 · 22. Januar 2025 15:59" in page
    assert "<h2>Links</h2>" in page
    assert "Kontakt zum dpa-Faktencheckteam: faktencheck@dpa.com" in page


def test_an_editor_saving_agency_copy_keeps_info_box_and_notes(editor_client):
    from tests.admin.helpers import post_change

    article = import_file("digitalwires/with_infobox.json").article
    infobox, notes = article.infobox_html, article.editor_notes

    response = post_change(editor_client, article, teaser="Vom Redakteur.")

    article.refresh_from_db()
    assert response.status_code == 302
    assert (article.teaser, article.infobox_html, article.editor_notes) == ("Vom Redakteur.", infobox, notes)


def test_an_editor_can_save_embargoed_agency_copy_after_its_embargo(editor_client):
    from tests.admin.helpers import post_change

    article = import_file("digitalwires/embargoed.json").article

    response = post_change(editor_client, article, teaser="Vom Redakteur.")

    assert response.status_code == 302
    article.refresh_from_db()
    assert article.teaser == "Vom Redakteur."


def test_own_copy_has_an_editable_info_box(editor_client):
    from tests.admin.helpers import change_url
    from tests.factories import make_article

    article = make_article(agency=None)

    form = editor_client.get(change_url(article)).context["adminform"].form

    assert "infobox_html" in form.fields
    assert "editor_notes" in form.fields
