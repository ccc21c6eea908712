"""Format detection by content, one story in three formats, and what never leaves the parser.

Pure: bytes in, ParsedArticles out, no database.
"""

import json
import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from articles.ingest import formats
from articles.ingest.parsed import ParseError

SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "samples"
BERLIN = ZoneInfo("Europe/Berlin")
ALL_SAMPLES = sorted(
    path for path in SAMPLES.glob("*/*") if path.suffix in {".json", ".xml", ".iptc", ".txt"}
)
DW1 = [
    SAMPLES / "digitalwires" / "dw-1.json",
    SAMPLES / "newsml-g2" / "dw-1.xml",
    SAMPLES / "iptc7901" / "dw-1.iptc",
]
# Samples with no text at all (a bare photo or audio entry): rejected by the rules.
NO_TEXT = {"audio.json", "image.json", "no_content.json", "image.xml"}

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE = re.compile(r"\+\d[\d -]{6,}\d")
# Contacts named only in the non-public parts (people quoted in the body are public text).
NON_PUBLIC_NAMES = (
    "Julia Vogler", "Lea Geiger", "Dorothee Schöpfer", "Meyel Löning", "Sabrina Szameitat",
    "Gregor Tholl", "Ortsname korrigiert",
)


def non_public_texts() -> list[str]:
    """What dpa marks non-public in the digitalwires samples; their G2 and 7901 twins carry the same."""
    texts = []
    for path in (SAMPLES / "digitalwires").glob("*.json"):
        entry = json.loads(path.read_text())
        texts.append((entry.get("notepad") or {}).get("nonpublic_html") or "")
        notes = entry.get("ednotes") or ()
        texts += [note["ednote"] for note in notes if note.get("is_publishable") is not True]
    return texts


def secrets() -> set[str]:
    found = set(NON_PUBLIC_NAMES)
    for text in non_public_texts():
        found |= set(EMAIL.findall(text))
        found |= {" ".join(phone.split()) for phone in PHONE.findall(text)}
    return found


SECRETS = secrets()


def test_the_secrets_were_found():
    assert {"vogler@schlag-agentur.de", "+49 30 32779356"} <= SECRETS
    assert {"Szameitat.Sabrina@dpa.com", "+49 30 2852-32292"} <= SECRETS


@pytest.mark.parametrize("path", ALL_SAMPLES, ids=lambda path: f"{path.parent.name}/{path.name}")
def test_no_non_public_contact_leaves_the_parser(path):
    try:
        stories = formats.parse_all(path.read_bytes())
    except ParseError as error:
        assert path.name in NO_TEXT
        shown = str(error)
    else:
        assert path.name not in NO_TEXT
        shown = "".join(repr(story) + json.dumps(story.to_dict(), ensure_ascii=False) for story in stories)
    # Wrapped lines may split a phone number; compare without white space too.
    flat = re.sub(r"\s+", "", shown)
    leaked = {secret for secret in SECRETS if secret in shown or re.sub(r"\s+", "", secret) in flat}
    assert leaked == set()


@pytest.mark.parametrize(
    ("folder", "kind"),
    [
        ("digitalwires", "digitalwires"),
        ("newsml-g2", "newsml-g2"),
        ("iptc7901", "iptc7901"),
        ("dpa-text", "dpa-text"),
    ],
)
def test_every_sample_is_told_by_its_content(folder, kind):
    assert {formats.detect(path.read_bytes()) for path in (SAMPLES / folder).iterdir()} == {kind}


def test_a_bom_and_leading_white_space_do_not_hide_the_format():
    assert formats.detect(b"\xef\xbb\xbf \r\n{}") == "digitalwires"
    assert formats.detect(b"\n<?xml version='1.0'?><x/>") == "newsml-g2"
    assert formats.detect(b"\r\n\x01bdt0000 3 vm 1 dpa 0000") == "iptc7901"


def test_the_file_name_does_not_matter(tmp_path):
    source = tmp_path / "story.txt"
    source.write_bytes((SAMPLES / "digitalwires" / "eil.json").read_bytes())
    assert formats.parse(source.read_bytes()).format == "digitalwires"


def test_plain_text_still_goes_to_the_text_parser():
    parsed = formats.parse((SAMPLES / "dpa-text" / "russland-usa-flugverkehr.txt").read_bytes())
    assert parsed.format == "dpa-text"
    assert parsed.headline == "Russland schlägt USA Wiederaufnahme des Flugverkehrs vor"


def test_dw1_in_all_three_formats_is_one_story():
    json_story, xml_story, wire_story = (formats.parse(path.read_bytes()) for path in DW1)
    assert json_story.urn == xml_story.urn == "urn:newsml:dpa.com:20090101:240923-930-240378"
    assert wire_story.urn == ""
    assert json_story.headline == xml_story.headline == wire_story.headline
    # 7901 sends the time to the minute, in Berlin.
    assert json_story.published_at == xml_story.published_at
    assert json_story.published_at.replace(second=0) == wire_story.published_at
    assert wire_story.published_at == datetime(2024, 9, 24, 12, 5, tzinfo=BERLIN)


def test_dw1_in_all_three_formats_has_the_same_text():
    json_story, xml_story, wire_story = (formats.parse(path.read_bytes()) for path in DW1)
    for field in ("teaser", "byline", "dateline", "body_html", "desk", "correction"):
        assert getattr(json_story, field) == getattr(xml_story, field) == getattr(wire_story, field), field


def test_a_wireq_answer_gives_every_entry_and_parse_wants_one():
    entry = json.loads((SAMPLES / "digitalwires" / "eil.json").read_text())
    other = {**entry, "urn": entry["urn"] + "-2", "headline": "Zweite Meldung"}
    answer = json.dumps({"entries": [entry, other]}).encode()
    assert [story.headline for story in formats.parse_all(answer)] == [entry["headline"], "Zweite Meldung"]
    with pytest.raises(ParseError, match="the file holds 2 stories, not one"):
        formats.parse(answer)


def test_an_empty_wireq_answer_holds_nothing():
    assert formats.parse_all(b'{"entries": []}') == []
    with pytest.raises(ParseError, match="holds 0 stories"):
        formats.parse(b'{"entries": []}')


def test_split_keeps_a_bad_entry_apart_from_the_good_ones():
    good = json.loads((SAMPLES / "digitalwires" / "eil.json").read_text())
    photo = json.loads((SAMPLES / "digitalwires" / "image.json").read_text())
    parts = formats.split(json.dumps({"entries": [good, photo]}).encode())
    assert formats.parse(parts[0]).urn == good["urn"]
    with pytest.raises(ParseError, match="no text"):
        formats.parse(parts[1])


def test_split_of_a_one_story_format_is_the_file():
    data = (SAMPLES / "iptc7901" / "eil.iptc").read_bytes()
    assert formats.split(data) == [data]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b'{"format": "digitalwires@0.9.1", "urn": }', "invalid JSON"),
        (b'{"format": "digitalwires@0.9.1", "headline": "x"}', "entry without urn"),
        (b'{"hello": 1}', "neither a digitalwires entry"),
        (b'<!DOCTYPE x [<!ENTITY a SYSTEM "file:///etc/passwd">]><x>&a;</x>', "DOCTYPE or ENTITY"),
        (b"<html><body>Hallo</body></html>", "not NewsML-G2"),
        (b"\x01bdt0000 3 vm 1 dpa 0000\nStichwort/\n\x02Kopf =\n\nText.\n", "no ETX"),
    ],
)
def test_broken_input_in_each_format_is_one_clear_error(data, message):
    with pytest.raises(ParseError, match=message):
        formats.parse_all(data)
