"""dpa's digitalwires JSON, field by field (shared/formats/dpa-feeds.md).

Pure: bytes in, a ParsedArticle out, no database.
"""

import json
import re
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from articles.ingest import digitalwires
from articles.ingest.parsed import ParsedArticle, ParseError

SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "samples" / "digitalwires"


def sample(name: str) -> ParsedArticle:
    return digitalwires.parse((SAMPLES / name).read_bytes())


def sample_entry(name: str) -> dict:
    return json.loads((SAMPLES / name).read_text())


def entry(**fields) -> dict:
    """A small valid entry; a field given as None is left out."""
    data = {
        "format": "digitalwires@0.9.1",
        "urn": "urn:newsml:dpa.com:20090101:250101-99-000001",
        "version": 1,
        "version_created": "2025-01-01T10:00:00+01:00",
        "pubstatus": "usable",
        "headline": "Überschrift",
        "dateline": "Berlin (dpa) - ",
        "article_html": '<section class="main"><p>Erster Absatz.</p></section>',
        "categories": [],
    }
    data.update(fields)
    return {key: value for key, value in data.items() if value is not None}


def parse_entry(**fields) -> ParsedArticle:
    return digitalwires.parse(json.dumps(entry(**fields)).encode())


def h2s(html: str) -> list[str]:
    return re.findall(r"<h2>(.*?)</h2>", html)


# dw-1: the story that also comes as NewsML-G2 and IPTC 7901


def test_dw1_identity_and_version():
    parsed = sample("dw-1.json")
    assert parsed.urn == "urn:newsml:dpa.com:20090101:240923-930-240378"
    assert parsed.version == 2
    assert parsed.version_created == datetime(2024, 9, 24, 10, 5, 52, tzinfo=UTC)
    assert parsed.format == "digitalwires"


def test_dw1_publication_time_is_version_created_as_content_created_is_null():
    assert sample("dw-1.json").published_at == datetime(2024, 9, 24, 10, 5, 52, tzinfo=UTC)


def test_dw1_text_fields():
    parsed = sample("dw-1.json")
    assert parsed.headline == "«Mythos Jungfernhäutchen» - Zwischen Aufklärung und Kommerz"
    assert parsed.kicker == "Frauenrechte"
    assert parsed.teaser.startswith("Ein Unternehmen aus Baden vertreibt Blutkapseln")
    assert parsed.byline == "Von Marco Krefting und Sunrita Sen, dpa"
    assert parsed.subhead == ""
    assert parsed.language == "de"
    assert parsed.credit == "dpa"
    assert parsed.provider == "dpa"


def test_dw1_dateline_leads_the_first_paragraph_once():
    parsed = sample("dw-1.json")
    assert parsed.dateline == "Waghäusel (dpa) -"
    assert parsed.body_html.startswith("<p>Waghäusel (dpa) - Die meisten Kundinnen")
    assert parsed.body_html.count("Waghäusel (dpa)") == 1


def test_dw1_body_keeps_subheadings_and_drops_the_section_wrapper():
    body = sample("dw-1.json").body_html
    assert h2s(body) == [
        "Betroffene werden geächtet und verstoßen",
        "Immer wieder kontroverse Diskussionen in Workshops",
        "Terre des Femmes: Notsituation nicht ausnutzen",
        "Aufklären über «Mythos Jungfernhäutchen»",
        "«Patriarchat hat keine Herkunft»",
    ]
    assert "<section" not in body
    assert body.endswith("sei noch in den 1950ern weit verbreitet gewesen.</p>")


def test_dw1_desk_tags_and_places():
    parsed = sample("dw-1.json")
    assert parsed.desk == "vm"
    assert parsed.tags == ("Frauen", "Baden-Württemberg", "Deutschland")
    assert parsed.geo_subjects == ("Baden-Württemberg", "Deutschland")


def test_dw1_link_box_becomes_links():
    links = sample("dw-1.json").links
    assert len(links) == 6
    assert links[0] == ("Produkte von VirginiaCare", "https://dpaq.de/SsgRreo")
    assert links[-1] == ("Info-Flyer des Mädchen*gesundheitsladens", "https://dpaq.de/LJsy9eh")


def test_dw1_correction_is_the_short_correction_note():
    assert sample("dw-1.json").correction == (
        "In einer früheren Version dieses Textes hieß es, Vergewaltigung in der Ehe sei bis 1992 "
        "nicht strafbar gewesen. Richtig ist aber das Jahr 1997."
    )


def test_dw1_editor_notes_hold_the_public_notepad_and_publishable_ednotes():
    notes = sample("dw-1.json").editor_notes.splitlines()
    assert "- Produkte der Marke VirginiaCare" in notes
    assert "- Produkte von VirginiaCare (https://dpaq.de/SsgRreo)" in notes
    assert "Foto Produktion" in notes
    assert "Notizblock" not in notes


def test_dw1_has_no_picture_embargo_or_infobox():
    parsed = sample("dw-1.json")
    assert (parsed.picture, parsed.embargo, parsed.infobox_html) == (None, None, "")
    assert parsed.pubstatus == "usable"


# The other samples


def test_eil_is_a_politics_story_about_germany_without_teaser():
    parsed = sample("eil.json")
    assert (parsed.desk, parsed.geo_subjects, parsed.teaser) == ("pl", ("Deutschland",), "")
    assert parsed.tags == ("Grüne", "Deutschland")
    assert parsed.body_html.startswith("<p>Berlin (dpa) - Die Grünen-Spitze")
    assert parsed.body_html.count("Berlin (dpa)") == 1


def test_embargoed_carries_its_embargo_as_an_aware_time():
    parsed = sample("embargoed.json")
    assert parsed.embargo == datetime(2025, 1, 23, 18, 0, tzinfo=UTC)
    assert parsed.desk == "ku"
    assert parsed.links == (("Informationen zur Ausstellung", "https://dpaq.de/FFJbkHx"),)


def test_with_infobox_keeps_the_infobox_allow_listed():
    infobox = sample("with_infobox.json").infobox_html
    assert infobox.startswith("<h2>Links</h2><p><a href=\"https://www.dw.com/de/faktencheck-")
    assert 'rel="nofollow"' in infobox
    assert "class=" not in infobox
    assert "<section" not in infobox


def test_with_infobox_picture_is_the_feature_image_at_its_largest_rendition():
    picture = sample("with_infobox.json").picture
    assert picture.url == sample_entry("with_infobox.json")["associations"][0]["renditions"][0]["url"]
    assert picture.caption == (
        "In der kalifornischen Stadt Paradise hatten im Jahr 2018 Brände etwa 11.000 Wohngebäude zerstört."
    )
    assert picture.credit == "Barbara Munker/dpa"
    assert picture.alt == "Ein ausgebranntes Fahrzeug und Trümmer nach dem Waldbrand."
    assert (picture.width, picture.height) == (2048, 1536)
    assert picture.urn == "urn:newsml:dpa.com:20090101:250122-99-672161"


def test_with_infobox_body_links_get_nofollow_and_lose_their_class():
    body = sample("with_infobox.json").body_html
    assert '<a href="https://ghostarchive.org/archive/e2OJL" rel="nofollow">Post</a>' in body
    assert "externalLink" not in body


def test_with_infobox_link_box_titles_fall_back_to_the_address():
    assert sample("with_infobox.json").links[0] == (
        "https://www.dpa.com/faktencheck",
        "https://www.dpa.com/faktencheck",
    )


def test_hoerfunk_is_editorial_service_and_keeps_the_contact_printed_in_its_body():
    parsed = sample("hoerfunk.json")
    assert (parsed.desk, parsed.version) == ("rs", 6)
    assert "audio@dpa.com" in parsed.body_html


def test_spe_tab_null_pubstatus_means_usable_and_tables_survive():
    parsed = sample("spe_tab.json")
    assert (parsed.pubstatus, parsed.version, parsed.desk) == ("usable", 33, "sp")
    assert parsed.body_html.startswith('<p>6. Spieltag:</p><table><tbody><tr><td colspan="4">Freitag')
    assert "align" not in parsed.body_html
    assert parsed.body_html.count("<table>") == 3


@pytest.mark.parametrize("name", ["image.json", "no_content.json", "audio.json"])
def test_entry_without_any_text_is_rejected(name):
    with pytest.raises(ParseError, match="entry has no text: neither article_html nor teaser"):
        sample(name)


# Mapping rules


def test_teaser_alone_is_text_enough():
    parsed = parse_entry(article_html=None, teaser="Nur ein Vorspann.")
    assert (parsed.teaser, parsed.body_html) == ("Nur ein Vorspann.", "")


def test_full_content_created_is_the_publication_time():
    parsed = parse_entry(content_created="2025-01-01T08:30:00+01:00")
    assert parsed.published_at == datetime(2025, 1, 1, 7, 30, tzinfo=UTC)
    assert parsed.version_created == datetime(2025, 1, 1, 9, 0, tzinfo=UTC)


def test_content_created_as_a_date_alone_falls_back_to_version_created():
    assert parse_entry(content_created="2019-12-07").published_at == datetime(2025, 1, 1, 9, 0, tzinfo=UTC)


def test_canceled_pubstatus_is_kept():
    assert parse_entry(pubstatus="canceled").pubstatus == "canceled"


def test_version_is_a_number_even_when_sent_as_text():
    assert parse_entry(version="10").version == 10


def test_desk_comes_from_the_qcode_whatever_its_name():
    desk = {"type": "dnltype:desk", "name": "economics", "qcode": "dpacat:wi"}
    assert parse_entry(categories=[desk]).desk == "wi"


def test_tags_are_unique_ignoring_case_first_spelling_wins():
    categories = [
        {"type": "dnltype:keyword", "name": "Internacional"},
        {"type": "dnltype:keyword", "name": "INTERNACIONAL"},
        {"type": "dnltype:geosubject", "name": "España"},
        {"type": "dnltype:keyword", "name": "ESPAÑA"},
        {"type": "dnltype:dpasubject", "name": "Economía"},
    ]
    assert parse_entry(categories=categories).tags == ("Internacional", "ESPAÑA")


def test_dateline_already_in_article_html_is_not_added_again():
    html = '<p><span class="dateline">Berlin <span class="credit">(dpa)</span> - </span>Text.</p>'
    assert parse_entry(article_html=html).body_html == "<p>Berlin (dpa) - Text.</p>"


def test_dateline_already_leading_the_text_is_not_added_again():
    assert parse_entry(article_html="<p>Berlin (dpa) - Text.</p>").body_html == "<p>Berlin (dpa) - Text.</p>"


def test_dateline_goes_into_the_first_paragraph_after_a_subheading():
    html = "<h2>Zwischenzeile</h2><p>Text.</p>"
    assert parse_entry(article_html=html).body_html == "<h2>Zwischenzeile</h2><p>Berlin (dpa) - Text.</p>"


def test_feature_image_wins_over_rank_and_the_largest_rendition_is_taken():
    def rendition(size, url):
        return {"size": size, "width": size, "height": size * 2 // 3, "url": url}

    associations = [
        {"type": "audio", "rank": 1, "renditions": [{"url": "https://a.example/audio.mp3"}]},
        {"type": "image", "rank": 1, "renditions": [rendition(4096, "https://a.example/rank1.jpg")]},
        {
            "type": "image",
            "rank": 2,
            "is_featureimage": True,
            "caption": "Bildunterschrift",
            "creditline": "Foto: dpa",
            "renditions": [
                rendition(800, "https://a.example/s800.jpg"),
                rendition(2048, "https://a.example/s2048.jpg"),
                rendition(9000, "javascript:alert(1)"),
                rendition(200, "https://a.example/s200.jpg"),
            ],
        },
    ]
    picture = parse_entry(associations=associations).picture
    assert (picture.url, picture.caption, picture.credit) == (
        "https://a.example/s2048.jpg",
        "Bildunterschrift",
        "Foto: dpa",
    )


def test_without_feature_image_the_rank_1_image_is_taken():
    associations = [
        {"type": "image", "rank": 2, "renditions": [{"size": 2048, "url": "https://a.example/2.jpg"}]},
        {"type": "image", "rank": 1, "renditions": [{"size": 2048, "url": "https://a.example/1.jpg"}]},
    ]
    assert parse_entry(associations=associations).picture.url == "https://a.example/1.jpg"


def test_wireq_answer_gives_every_entry():
    second = entry(urn="urn:newsml:dpa.com:20090101:250101-99-000002", headline="Zwei")
    answer = {"entries": [entry(), second]}
    parsed = digitalwires.parse_all(json.dumps(answer).encode())
    assert [item.headline for item in parsed] == ["Überschrift", "Zwei"]


def test_wireq_answer_splits_into_entries_each_parsed_alone():
    answer = {"entries": [entry(), sample_entry("image.json")]}
    first, second = digitalwires.split(json.dumps(answer).encode())
    assert digitalwires.parse(first).headline == "Überschrift"
    with pytest.raises(ParseError, match="no text"):
        digitalwires.parse(second)


def test_round_trip_through_plain_data_keeps_everything():
    parsed = sample("with_infobox.json")
    data = json.loads(json.dumps(parsed.to_dict()))
    assert ParsedArticle.from_dict(data) == parsed
    assert ParsedArticle.from_dict(data).content_hash() == parsed.content_hash()


def test_a_new_version_changes_the_content_hash():
    assert parse_entry(version=1).content_hash() != parse_entry(version=2).content_hash()


# Broken input: one clear error each


def test_invalid_json_names_the_line():
    with pytest.raises(ParseError, match=r"invalid JSON: .*\(line 3\)"):
        digitalwires.parse(b'{\n  "format": "digitalwires@0.9.1",\n  "urn": ,\n}')


def test_json_that_is_not_digitalwires_is_named_so():
    with pytest.raises(ParseError, match="neither a digitalwires entry"):
        digitalwires.parse(b'{"hello": "world"}')


@pytest.mark.parametrize("urn", [None, "", "   "])
def test_entry_without_urn_is_rejected(urn):
    with pytest.raises(ParseError, match="entry without urn"):
        parse_entry(urn=urn)


def test_entry_without_urn_in_a_wireq_answer_names_the_entry():
    answer = {"entries": [entry(), entry(urn=None)]}
    with pytest.raises(ParseError, match="entry 2: entry without urn"):
        digitalwires.parse_all(json.dumps(answer).encode())


def test_entry_without_headline_is_rejected():
    with pytest.raises(ParseError, match="entry without headline"):
        parse_entry(headline="")


def test_entry_without_any_time_is_rejected():
    with pytest.raises(ParseError, match="no publication time"):
        parse_entry(version_created=None)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"version_created": "gestern"}, "version_created is not an ISO 8601 time"),
        ({"version_created": "2025-01-01T10:00:00"}, "version_created has no UTC offset"),
        ({"embargoed": "morgen früh"}, "embargoed is not an ISO 8601 time"),
        ({"version": 2.5}, "version must be a whole number"),
        ({"version": True}, "version must be a whole number"),
        ({"pubstatus": "deleted"}, "unknown pubstatus"),
        ({"headline": ["a", "b"]}, "headline must be a string"),
    ],
)
def test_wrong_values_are_rejected_with_the_field_named(fields, message):
    with pytest.raises(ParseError, match=message):
        parse_entry(**fields)


def test_entries_that_are_not_objects_are_rejected():
    with pytest.raises(ParseError, match="entry 2 is not a JSON object"):
        digitalwires.parse_all(json.dumps({"entries": [entry(), "x"]}).encode())


def test_json_that_is_not_utf8_is_rejected():
    with pytest.raises(ParseError, match="must be UTF-8"):
        digitalwires.parse(json.dumps(entry(headline="Grüße"), ensure_ascii=False).encode("latin-1"))


def test_absurdly_nested_json_is_rejected_not_a_crash():
    with pytest.raises(ParseError, match="invalid JSON"):
        digitalwires.parse(b"[" * 100_000 + b"]" * 100_000)


def test_deeply_nested_html_is_refused_not_slowly_cleaned():
    with pytest.raises(ParseError, match="article_html nests elements more than 500 deep"):
        parse_entry(article_html="<div>" * 100_000 + "Text")


def test_broken_markup_is_cleaned_in_linear_time():
    started = time.monotonic()
    broken = "<p>Text</p><dnl-embed>" + '<a x="' * 100_000
    parsed = parse_entry(article_html=broken, linkbox_html="<a " * 100_000)
    assert parsed.body_html == "<p>Berlin (dpa) - Text</p>"
    assert time.monotonic() - started < 5
