"""IPTC 7901 as dpa's German services send it, rule by rule (shared/formats/dpa-feeds.md).

Pure: bytes in, a ParsedArticle out, no database.
"""

import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from articles.ingest import digitalwires, iptc7901
from articles.ingest.parsed import ParsedArticle, ParseError

SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "samples"
BERLIN = ZoneInfo("Europe/Berlin")

HEADER = "bdt0123 3 pl 120  dpa 0000"
KEYWORDS = "Bundestag/Haushalt/Deutschland/"
HEAD = "Bundestag beschließt Haushalt ="
TEASER = "Nach langem Streit hat der Bundestag den Haushalt beschlossen. Die Opposition\nstimmte dagegen."
FIRST = "Berlin (dpa) - Der Bundestag hat am Freitag den Haushalt für das\nkommende Jahr beschlossen."
TRAILER = "251852 Sep 24"


def sample(name: str) -> ParsedArticle:
    return iptc7901.parse((SAMPLES / "iptc7901" / name).read_bytes())


def wire(
    *paragraphs: str,
    head: str = HEAD,
    header: str = HEADER,
    keywords: str = KEYWORDS,
    notepad: str = "",
    trailer: str = TRAILER,
    newline: str = "\n",
) -> bytes:
    """A 7901 story as dpa sends it: SOH header, keywords, STX head block, text, ETX time."""
    paragraphs = paragraphs or (TEASER, FIRST)
    text = "\n\n".join(paragraphs) + ("\n\n# Notizblock\n\n" + notepad if notepad else "")
    closing = "dpa abc yydd n1 sku"
    story = f"\x01{header}\n\n{keywords}\n\x02{head}\n\n{text}\n\n{closing}\n\n\x03{trailer}\n\x7f\n\x7f\x04"
    return story.replace("\n", newline).encode()


def h2s(html: str) -> list[str]:
    return re.findall(r"<h2>(.*?)</h2>", html)


# dw-1: the story that also comes as digitalwires JSON and NewsML-G2


def test_dw1_head_block():
    parsed = sample("dw-1.iptc")
    assert parsed.headline == "«Mythos Jungfernhäutchen» - Zwischen Aufklärung und Kommerz"
    assert parsed.byline == "Von Marco Krefting und Sunrita Sen, dpa"
    assert parsed.editor_notes == "KORR-Bericht\nFoto Produktion"


def test_dw1_correction_note_is_the_correction():
    assert sample("dw-1.iptc").correction == (
        "In einer früheren Version dieses Textes hieß es, Vergewaltigung in der Ehe sei bis 1992 "
        "nicht strafbar gewesen. Richtig ist aber das Jahr 1997."
    )


def test_dw1_sending_time_is_the_publication_time():
    assert sample("dw-1.iptc").published_at == datetime(2024, 9, 24, 12, 5, tzinfo=BERLIN)


def test_dw1_header_keywords_and_identity():
    parsed = sample("dw-1.iptc")
    assert (parsed.desk, parsed.provider, parsed.credit, parsed.format) == ("vm", "dpa", "dpa", "iptc7901")
    assert parsed.tags == ("Gesundheit", "Gesellschaft", "Baden-Württemberg", "Deutschland", "Frauen")
    assert parsed.geo_subjects == ("Baden-Württemberg", "Deutschland")
    assert (parsed.urn, parsed.version, parsed.version_created) == ("", None, None)


def test_dw1_teaser_dateline_and_body_are_those_of_the_digitalwires_version():
    parsed = sample("dw-1.iptc")
    twin = digitalwires.parse((SAMPLES / "digitalwires" / "dw-1.json").read_bytes())
    assert parsed.teaser == twin.teaser
    assert parsed.dateline == twin.dateline == "Waghäusel (dpa) -"
    assert parsed.body_html == twin.body_html
    assert parsed.body_html.count("Waghäusel (dpa)") == 1


def test_dw1_notepad_and_closing_line_are_not_text():
    body = sample("dw-1.iptc").body_html
    assert "Notizblock" not in body
    assert "yysw" not in body
    assert body.endswith("sei noch in den 1950ern weit verbreitet gewesen.</p>")


def test_eil_with_crlf_and_bells():
    parsed = sample("eil.iptc")
    assert parsed.headline == "Grünen-Spitze tritt nach Wahlniederlagen ab"
    assert parsed.editor_notes == "Eil"
    assert (parsed.teaser, parsed.desk, parsed.dateline) == ("", "pl", "Berlin (dpa) -")
    assert parsed.published_at == datetime(2024, 9, 25, 10, 37, tzinfo=BERLIN)
    assert parsed.body_html.startswith("<p>Berlin (dpa) - Die Grünen-Spitze zieht")


def test_spe_tab_tables_and_german_month():
    parsed = sample("spe-tab.iptc")
    twin = digitalwires.parse((SAMPLES / "digitalwires" / "spe_tab.json").read_bytes())
    assert parsed.published_at == datetime(2024, 10, 6, 21, 30, tzinfo=BERLIN)
    assert (parsed.teaser, parsed.dateline, parsed.provider) == ("", "", "dpa-spe")
    assert parsed.body_html == twin.body_html


# The rules, one by one


def test_trailer_of_the_spec():
    assert iptc7901.parse(wire()).published_at == datetime(2024, 9, 25, 18, 52, tzinfo=BERLIN)


def test_keyword_line_with_trailing_slash_gives_tags():
    assert iptc7901.parse(wire()).tags == ("Bundestag", "Haushalt", "Deutschland")


def test_teaser_is_the_paragraph_before_the_dateline():
    parsed = iptc7901.parse(wire())
    assert parsed.teaser == " ".join(TEASER.split())
    assert parsed.body_html == (
        "<p>Berlin (dpa) - Der Bundestag hat am Freitag den Haushalt für das kommende Jahr beschlossen.</p>"
    )


def test_a_service_text_without_dateline_has_no_teaser():
    parsed = iptc7901.parse(wire("Die Termine des Tages.", "Weitere Termine folgen."))
    assert parsed.teaser == ""
    assert parsed.body_html == "<p>Die Termine des Tages.</p><p>Weitere Termine folgen.</p>"


def test_headline_may_wrap_and_notes_may_wrap_and_close_the_head_block():
    head = (
        "(Achtung - Planungshinweis: Die Abstimmung\nist für 10.00 Uhr geplant)\n"
        "Bundestag beschließt\nHaushalt für 2025\nVon Anna Schreiber, dpa\n(Foto Illustration) ="
    )
    parsed = iptc7901.parse(wire(head=head))
    assert parsed.headline == "Bundestag beschließt Haushalt für 2025"
    assert parsed.byline == "Von Anna Schreiber, dpa"
    assert parsed.editor_notes == (
        "Achtung - Planungshinweis: Die Abstimmung ist für 10.00 Uhr geplant\nFoto Illustration"
    )


def test_subheadings_lists_and_banner_headings():
    parsed = iptc7901.parse(
        wire(
            TEASER,
            FIRST,
            "Was jetzt kommt",
            "Die Punkte:\n  * mehr Geld für Schulen,\n    Kitas und Hochschulen\n  * weniger Schulden",
            "+++ Liveticker +++",
            "Kurz.",
        )
    )
    assert parsed.body_html.endswith(
        "<h2>Was jetzt kommt</h2><p>Die Punkte:</p>"
        "<ul><li>mehr Geld für Schulen, Kitas und Hochschulen</li><li>weniger Schulden</li></ul>"
        "<h2>Liveticker</h2><p>Kurz.</p>"
    )


@pytest.mark.parametrize(
    ("line", "tag"),
    [
        ("Betroffene werden geächtet und verstoßen", "h2"),
        ("Was bedeutet das für Mieter?", "h2"),
        ("«Patriarchat hat keine Herkunft»", "h2"),
        ("«Wir bleiben.»", "p"),
        ("Das war es.", "p"),
        ("Es folgen:", "p"),
        ("x" * 101, "p"),
    ],
)
def test_a_single_short_line_without_final_punctuation_is_a_subheading(line, tag):
    body = iptc7901.parse(wire(TEASER, FIRST, line)).body_html
    assert body.endswith(f"<{tag}>{line}</{tag}>")


def test_text_is_escaped():
    body = iptc7901.parse(wire(TEASER, FIRST + " <script>alert(1)</script> & mehr.")).body_html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; mehr.</p>" in body


def test_closing_line_before_etx_is_no_text():
    assert "sku" not in iptc7901.parse(wire()).body_html


def test_notepad_public_part_is_not_kept_either():
    parsed = iptc7901.parse(wire(notepad="## Redaktionelle Hinweise\n- Zu diesem Text gibt es Bilder"))
    assert "Bilder" not in repr(parsed)


def test_text_after_the_non_public_marker_is_dropped_even_without_notepad_heading():
    parsed = iptc7901.parse(
        wire(
            TEASER,
            FIRST,
            "* * * *\nDie folgenden Informationen sind nicht zur Veröffentlichung bestimmt",
            "Kontakt: Anna Geheim, +49 30 1234567, anna@example.org",
        )
    )
    assert "Geheim" not in repr(parsed)
    assert "* * *" not in parsed.body_html


def test_embargo_in_a_head_note_is_read():
    parsed = iptc7901.parse(wire(head="(Sperrfrist: 26. September, 10.00 Uhr)\n" + HEAD))
    assert parsed.embargo == datetime(2024, 9, 26, 10, 0, tzinfo=BERLIN)


def test_embargo_in_the_public_notepad_is_read_though_the_notepad_is_not_kept():
    notepad = (
        "## Redaktionelle Hinweise\n"
        "- Sperrfrist 25. September 19.00 Uhr - Bitte beachten Sie die\n  Sperrfrist"
    )
    parsed = iptc7901.parse(wire(notepad=notepad))
    assert parsed.embargo == datetime(2024, 9, 25, 19, 0, tzinfo=BERLIN)
    assert "Bitte beachten" not in repr(parsed)


def test_embargo_with_a_numeric_date_and_year():
    parsed = iptc7901.parse(wire(head="(Sperrfrist 02.01.2025, 6.00 Uhr)\n" + HEAD))
    assert parsed.embargo == datetime(2025, 1, 2, 6, 0, tzinfo=BERLIN)


def test_embargo_in_dpas_standard_words_is_read():
    note = "(Bitte beachten Sie die Sperrfrist der Meldung bis heute Abend (25.09.), 19.00 Uhr.)"
    parsed = iptc7901.parse(wire(head=note + "\n" + HEAD))
    assert parsed.embargo == datetime(2024, 9, 25, 19, 0, tzinfo=BERLIN)


@pytest.mark.parametrize(
    ("note", "embargo"),
    [
        ("(Sperrfrist 20.00 Uhr)", datetime(2024, 9, 25, 20, 0, tzinfo=BERLIN)),
        ("(Sperrfrist 6.00 Uhr)", datetime(2024, 9, 26, 6, 0, tzinfo=BERLIN)),
        ("(Sperrfrist morgen, 10.00 Uhr)", datetime(2024, 9, 26, 10, 0, tzinfo=BERLIN)),
        ("(Sperrfrist Freitag, 10.00 Uhr)", datetime(2024, 9, 27, 10, 0, tzinfo=BERLIN)),
    ],
)
def test_embargo_without_a_date_is_the_next_such_time_after_sending(note, embargo):
    # Sent on Wednesday, 25 September 2024, 18:52.
    assert iptc7901.parse(wire(head=note + "\n" + HEAD)).embargo == embargo


def test_an_embargo_that_cannot_be_read_rejects_the_story_rather_than_publish_it_early():
    with pytest.raises(ParseError, match="embargo \\(Sperrfrist\\) not understood"):
        iptc7901.parse(wire(head="(Sperrfrist bis auf Weiteres)\n" + HEAD))


# Broken input: one clear error each


def test_missing_etx_means_cut_off():
    data = wire().split(b"\x03")[0]
    with pytest.raises(ParseError, match="no ETX .* the file is cut off"):
        iptc7901.parse(data)


def test_missing_stx():
    with pytest.raises(ParseError, match=r"no STX \(0x02\): .*\(line 1\)"):
        iptc7901.parse(wire().replace(b"\x02", b""))


@pytest.mark.parametrize("trailer", ["", "2518 Sep 24", "251852 Foo 24", "321852 Sep 24"])
def test_a_bad_sending_time_is_rejected(trailer):
    with pytest.raises(ParseError, match="time after ETX|impossible sending time"):
        iptc7901.parse(wire(trailer=trailer))


def test_a_bad_header_is_rejected_with_its_line():
    with pytest.raises(ParseError, match=r"header must read like .*\(line 1\)"):
        iptc7901.parse(wire(header="hallo welt"))


def test_a_head_block_without_the_closing_equals_sign_is_rejected():
    with pytest.raises(ParseError, match=r"head block .* must end in a line ending in ' =' \(line 4\)"):
        iptc7901.parse(wire(head="Bundestag beschließt Haushalt"))


def test_an_unclosed_note_is_rejected():
    with pytest.raises(ParseError, match="note in parentheses in the head block is not closed"):
        iptc7901.parse(wire(head="(Vorschau\n" + HEAD))


def test_a_story_without_text_is_rejected():
    data = f"\x01{HEADER}\n\n{KEYWORDS}\n\x02{HEAD}\n\n\x03{TRAILER}".encode()
    with pytest.raises(ParseError, match="no text after the head block"):
        iptc7901.parse(data)


def test_crlf_and_lf_give_the_same_story():
    assert iptc7901.parse(wire(newline="\r\n")) == iptc7901.parse(wire())
