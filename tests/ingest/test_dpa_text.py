"""The dpa plain-text parser, rule by rule (shared/formats/dpa-text.md).

Pure: bytes in, a ParsedArticle out, no database.
"""

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from articles.ingest.dpa_text import parse, split_related
from articles.ingest.parsed import ParsedArticle, ParsedRelated, ParseError

BERLIN = ZoneInfo("Europe/Berlin")

# The repository is /work/main; the shared formats and samples live next to it.
SAMPLE = (
    Path(__file__).resolve().parents[3]
    / "shared"
    / "samples"
    / "dpa-text"
    / "russland-usa-flugverkehr.txt"
)

KEYWORD = "Berlin, Brandenburg"
LEAD = "Der Senat hat den Doppelhaushalt nach langem Streit beschlossen."
DATE = "28.02.2025 - 13:16:20"
HEADLINE = "Senat beschließt Haushalt"
PARAGRAPH = "Die Koalition einigte sich nach Verhandlungen bis in die Nacht."
CREDIT = "@ dpa.de"

# Line numbers of the blocks in the default layout of `article()`: one blank line
# between blocks, so block n starts on line 2n - 1.
KEYWORD_LINE, LEAD_LINE, DATE_LINE, HEADLINE_LINE, BODY_LINE, CREDIT_LINE = (
    1,
    3,
    5,
    7,
    9,
    11,
)


def blocks(*texts: str) -> bytes:
    """A file of the given blocks, one blank line between them, UTF-8."""
    return ("\n\n".join(texts) + "\n").encode()


def article(
    *,
    keyword: str | None = KEYWORD,
    lead: str | None = LEAD,
    date: str | None = DATE,
    headline: str | None = HEADLINE,
    body: tuple[str, ...] = (PARAGRAPH,),
    credit: str | None = CREDIT,
    related: tuple[str, ...] | None = None,
) -> bytes:
    """A small article; None leaves a block out, `related` adds Weitere Meldungen."""
    parts = [keyword, lead, date, headline, *body, credit]
    if related is not None:
        parts += ["Weitere Meldungen", *related]
    return blocks(*(part for part in parts if part is not None))


def item(
    text: str,
    section: str = "Inland",
    when: str = "28.11.2025 - 17:11",
    tail: str = " weiterlesen...",
) -> str:
    """One block under Weitere Meldungen."""
    return f"{text} ({section}, {when}){tail}"


def related_of(*texts: str) -> tuple[ParsedRelated, ...]:
    return parse(article(related=tuple(item(text) for text in texts))).related


def text_of_length(n: int) -> str:
    """Lower-case words without any sentence end, exactly n characters."""
    text = ("Titel" + " wort" * n)[: n - 1] + "x"
    assert len(text) == n
    return text


def parse_error(data: bytes) -> ParseError:
    with pytest.raises(ParseError) as excinfo:
        parse(data)
    return excinfo.value


# --- The real sample -------------------------------------------------------------


@pytest.fixture(scope="module")
def sample() -> ParsedArticle:
    return parse(SAMPLE.read_bytes())


def test_sample_kicker_is_the_whole_keyword_line(sample):
    assert sample.kicker == "Russland, USA"


def test_sample_tags_are_the_keyword_items(sample):
    assert sample.tags == ("Russland", "USA")


def test_sample_teaser_is_the_lead(sample):
    assert sample.teaser == (
        "Russland hat den USA bei Gesprächen in Istanbul eine Wiederaufnahme "
        "des Flugverkehrs zwischen beiden Ländern vorgeschlagen."
    )


def test_sample_published_at_is_berlin_local_time(sample):
    assert sample.published_at == datetime(2025, 2, 28, 13, 16, 20, tzinfo=BERLIN)
    assert sample.published_at.utcoffset() == timedelta(hours=1)


def test_sample_headline(sample):
    assert sample.headline == "Russland schlägt USA Wiederaufnahme des Flugverkehrs vor"


def test_sample_body_has_seven_paragraphs(sample):
    assert sample.body_html.count("<p>") == 7
    assert sample.body_html.count("</p>") == 7


def test_sample_body_has_its_one_subheading_after_the_third_paragraph(sample):
    elements = sample.body_html.split("\n")
    assert len(elements) == 8
    assert sample.body_html.count("<h2>") == 1
    assert elements[3] == "<h2>US-Seite spricht von konstruktiven Gesprächen</h2>"


def test_sample_body_starts_and_ends_with_its_paragraphs(sample):
    elements = sample.body_html.split("\n")
    assert elements[0].startswith("<p>Für die Gesundung der Beziehungen beider Länder")
    assert elements[-1] == (
        "<p>Putin und Trump hatten bei einem Telefonat in diesem Monat die Kontakte "
        "vereinbart. Gesprochen werden soll auch über eine Beendigung des Krieges in "
        "der Ukraine und über ein Treffen der beiden Präsidenten. Einen Termin gibt "
        "es aber nicht.</p>"
    )


def test_sample_quotation_marks_stay_unescaped_in_body(sample):
    assert '"In konstruktiven Gesprächen legten beide Seiten' in sample.body_html


def test_sample_credit_is_the_domain(sample):
    assert sample.credit == "dpa.de"


def test_sample_has_six_related_items(sample):
    assert len(sample.related) == 6


SAMPLE_SPLITS = [
    (
        "Korruptionsskandal: Selenskyjs Bürochef tritt zurück",
        (
            "Korruptionsermittler durchsuchen die Wohnung des Bürochefs von Präsident "
            "Selenskyj. Nur wenig später folgt ein Rücktritt. «Schwarzer Freitag» in der "
            "Ukraine."
        ),
    ),
    (
        "Korruptionsskandal: Durchsuchung bei Selenskyjs Bürochef",
        (
            "Korruptionsermittler durchsuchen die Wohnung von Präsident Selenskyjs "
            "Bürochef Jermak. «Schwarzer Freitag» in der Ukraine."
        ),
    ),
    (
        "Selenskyj deutet Spitzengespräch über Frieden für Ukraine an",
        (
            "Kremlchef Putin bleibt hart: Russland will internationale Anerkennung seiner "
            "Eroberungen. Die Diplomatie für ein Ende des Ukraine-Kriegs verteilt sich auf "
            "viele Orte - auch mit Moskau wird geredet."
        ),
    ),
    (
        "Costa: USA werden nicht für EU und Nato sprechen",
        (
            "Nun heißt es: Was EU und Nato betrifft, wird nicht über deren Kopf hinweg "
            "entschieden. In einem ersten Friedensplan für die Ukraine wollten die USA "
            "großzügig vorgeben, was andere Beteiligte machen."
        ),
    ),
    (
        "Putin: Kann Angriff auf Europa schriftlich ausschließen",
        (
            "Kremlchef Putin sagt hart: Ohne russische Kontrolle über den Donbass keine "
            "Einigung. Die USA planen mit Russland kommende Woche weiter die Chancen auf "
            "ein Kriegsende in der Ukraine auszuloten."
        ),
    ),
    (
        # No period after the real headline: rule 3, the whole text is the headline
        # (its final "." dropped), and the teaser is empty.
        (
            "Merz: Estland hat Auswirkungen des Ukrainekriegs direkt vor Augen "
            "Bundeskanzler Friedrich Merz (CDU) hat mit dem estnischen "
            "Ministerpräsidenten Kristen Michal über die Lage im Ukrainekrieg gesprochen"
        ),
        "",
    ),
]


@pytest.mark.parametrize(
    ("index", "headline", "teaser"), [(i, *s) for i, s in enumerate(SAMPLE_SPLITS)]
)
def test_sample_related_headline_and_teaser_split(sample, index, headline, teaser):
    assert (sample.related[index].headline, sample.related[index].teaser) == (
        headline,
        teaser,
    )


def test_sample_related_text_is_the_whole_item_before_the_parenthesis(sample):
    assert sample.related[5].text == (
        "Merz: Estland hat Auswirkungen des Ukrainekriegs direkt vor Augen "
        "Bundeskanzler Friedrich Merz (CDU) hat mit dem estnischen "
        "Ministerpräsidenten Kristen Michal über die Lage im Ukrainekrieg gesprochen."
    )


def test_sample_related_sections(sample):
    assert [r.section_name for r in sample.related] == ["Ausland"] * 6


def test_sample_related_times_in_file_order(sample):
    assert [r.published_at for r in sample.related] == [
        datetime(2025, 11, 28, 17, 11, tzinfo=BERLIN),
        datetime(2025, 11, 28, 8, 54, tzinfo=BERLIN),
        datetime(2025, 11, 28, 4, 55, tzinfo=BERLIN),
        datetime(2025, 11, 27, 21, 36, tzinfo=BERLIN),
        datetime(2025, 11, 27, 19, 30, tzinfo=BERLIN),
        datetime(2025, 11, 27, 15, 24, tzinfo=BERLIN),
    ]


def test_sample_related_have_no_url(sample):
    assert [r.url for r in sample.related] == [""] * 6


def test_sample_format_is_dpa_text(sample):
    assert sample.format == "dpa-text"


# --- Encoding and lines ------------------------------------------------------------


def sample_text() -> str:
    return SAMPLE.read_bytes().decode("utf-8")


@pytest.mark.parametrize(
    "variant",
    [
        pytest.param(
            lambda text: b"\xef\xbb\xbf" + text.encode("utf-8"), id="utf-8-bom"
        ),
        pytest.param(lambda text: text.encode("cp1252"), id="cp1252"),
        pytest.param(lambda text: text.replace("\n", "\r\n").encode(), id="crlf"),
        pytest.param(
            lambda text: "".join(
                line + ("\r\n" if i % 2 else "\n")
                for i, line in enumerate(text.split("\n"))
            ).encode(),
            id="mixed-line-endings",
        ),
        pytest.param(
            lambda text: "\n".join(line + " \t " for line in text.split("\n")).encode(),
            id="trailing-white-space",
        ),
    ],
)
def test_same_article_in_another_encoding_or_layout_parses_equal(variant):
    assert parse(variant(sample_text())) == parse(sample_text().encode("utf-8"))


def test_cp1252_file_decodes_umlauts_and_guillemets():
    data = article(headline="Schäden von «vielen» Millionen").decode().encode("cp1252")
    assert parse(data).headline == "Schäden von «vielen» Millionen"


def test_cp1252_file_decodes_characters_latin_1_lacks():
    # 0x80-0x9f are control characters in Latin-1 but € „ “ – in cp1252.
    data = article(headline="„Fünf €“ – mehr nicht").decode().encode("cp1252")
    assert parse(data).headline == "„Fünf €“ – mehr nicht"


def test_byte_order_mark_is_not_part_of_the_kicker():
    assert parse(b"\xef\xbb\xbf" + article()).kicker == KEYWORD


def test_blank_lines_with_spaces_separate_blocks():
    data = article().replace(b"\n\n", b"\n   \t\n")
    assert parse(data) == parse(article())


def test_several_blank_lines_separate_blocks():
    data = article().replace(b"\n\n", b"\n\n\n\n")
    assert parse(data) == parse(article())


# --- Keyword line and lead ---------------------------------------------------------


def test_keyword_line_is_the_kicker():
    assert parse(article(keyword="Berlin, Brandenburg")).kicker == "Berlin, Brandenburg"


def test_keyword_items_are_stripped_tags_in_order():
    assert parse(article(keyword="Berlin ,Brandenburg ,  Bundesrat")).tags == (
        "Berlin",
        "Brandenburg",
        "Bundesrat",
    )


def test_single_keyword_is_one_tag():
    assert parse(article(keyword="Berlin")).tags == ("Berlin",)


def test_without_keyword_line_kicker_is_empty():
    assert parse(article(keyword=None)).kicker == ""


def test_without_keyword_line_there_are_no_tags():
    assert parse(article(keyword=None)).tags == ()


def test_without_keyword_line_the_single_block_is_the_lead():
    assert parse(article(keyword=None)).teaser == LEAD


def test_lead_ending_in_period_alone_before_date_is_the_lead():
    assert (
        parse(article(keyword=None, lead="Es ist entschieden.")).teaser
        == "Es ist entschieden."
    )


def test_lead_starting_with_a_date_is_not_the_date_line():
    lead = "01.05.2025: Zehntausende demonstrieren in Berlin am Tag der Arbeit."
    assert parse(article(lead=lead)).teaser == lead


def test_lead_lines_are_joined_with_spaces():
    assert (
        parse(article(lead="Der Senat hat\nentschieden.")).teaser
        == "Der Senat hat entschieden."
    )


# --- Date line -----------------------------------------------------------------------


def test_date_line_with_seconds():
    assert parse(article(date="01.03.2025 - 09:05:07")).published_at == datetime(
        2025, 3, 1, 9, 5, 7, tzinfo=BERLIN
    )


def test_date_line_without_seconds():
    assert parse(article(date="01.03.2025 - 09:05")).published_at == datetime(
        2025, 3, 1, 9, 5, tzinfo=BERLIN
    )


def test_winter_date_is_one_hour_ahead_of_utc():
    assert parse(
        article(date="28.02.2025 - 13:16")
    ).published_at.utcoffset() == timedelta(hours=1)


def test_summer_date_is_two_hours_ahead_of_utc():
    assert parse(
        article(date="15.07.2025 - 12:00")
    ).published_at.utcoffset() == timedelta(hours=2)


@pytest.mark.parametrize(
    "date",
    [
        pytest.param("30.03.2025 - 02:30:00", id="spring-forward-gap"),
        pytest.param("26.10.2025 - 02:30:00", id="autumn-overlap"),
    ],
)
def test_time_at_daylight_saving_change_parses_aware_and_repeatably(date):
    first = parse(article(date=date)).published_at
    second = parse(article(date=date)).published_at
    assert first.tzinfo == BERLIN
    assert first.utcoffset() in (timedelta(hours=1), timedelta(hours=2))
    assert first == second
    assert first.utcoffset() == second.utcoffset()


# --- Headline ------------------------------------------------------------------------


def test_headline_is_the_line_after_the_date():
    assert (
        parse(article(headline="Senat beschließt Haushalt")).headline
        == "Senat beschließt Haushalt"
    )


def test_markup_in_headline_stays_plain_text():
    data = article(headline="Warnung vor <script> & Co")
    assert parse(data).headline == "Warnung vor <script> & Co"


# --- Body ------------------------------------------------------------------------------


def body_of(*body: str) -> list[str]:
    return parse(article(body=body)).body_html.split("\n")


def test_body_paragraph_is_a_p_element():
    assert body_of("Ein Absatz.") == ["<p>Ein Absatz.</p>"]


def test_body_lines_of_a_paragraph_are_joined_with_spaces():
    assert body_of("Erste Zeile\nzweite Zeile\ndritte Zeile.") == [
        "<p>Erste Zeile zweite Zeile dritte Zeile.</p>"
    ]


def test_short_single_line_block_is_a_subheading():
    assert body_of("Kritik der Opposition", PARAGRAPH) == [
        "<h2>Kritik der Opposition</h2>",
        f"<p>{PARAGRAPH}</p>",
    ]


def test_subheading_of_100_characters_is_a_subheading():
    assert (
        body_of(text_of_length(100), PARAGRAPH)[0] == f"<h2>{text_of_length(100)}</h2>"
    )


def test_single_line_of_101_characters_is_a_paragraph():
    assert body_of(text_of_length(101), PARAGRAPH)[0] == f"<p>{text_of_length(101)}</p>"


@pytest.mark.parametrize("end", [".", ",", ":", ";", '"', "“", "”", "»", "«"])
def test_short_line_ending_in_forbidden_character_is_a_paragraph(end):
    assert body_of(f"Kritik der Opposition{end}", PARAGRAPH)[0] == (
        f"<p>Kritik der Opposition{end}</p>"
    )


@pytest.mark.parametrize("end", ["?", "!"])
def test_short_line_ending_in_question_or_exclamation_mark_is_a_subheading(end):
    assert body_of(f"Wer zahlt die Rechnung{end}", PARAGRAPH)[0] == (
        f"<h2>Wer zahlt die Rechnung{end}</h2>"
    )


def test_two_line_block_of_short_lines_is_a_paragraph():
    assert (
        body_of("Kritik der\nOpposition", PARAGRAPH)[0]
        == "<p>Kritik der Opposition</p>"
    )


def test_markup_in_body_is_escaped():
    assert body_of("Die Seite lud <script>alert(1)</script> & mehr.") == [
        "<p>Die Seite lud &lt;script&gt;alert(1)&lt;/script&gt; &amp; mehr.</p>"
    ]


def test_quotation_marks_in_body_are_not_escaped():
    assert body_of('Er sagte: "Wir sind einig."') == [
        '<p>Er sagte: "Wir sind einig."</p>'
    ]


def test_markup_in_subheading_is_escaped():
    assert (
        body_of("Gewinne & <Verluste>", PARAGRAPH)[0]
        == "<h2>Gewinne &amp; &lt;Verluste&gt;</h2>"
    )


# --- Credit line -----------------------------------------------------------------------


def test_at_credit_line_gives_the_domain():
    assert parse(article(credit="@ dpa.de")).credit == "dpa.de"


def test_copyright_credit_line_gives_the_name():
    assert parse(article(credit="© dpa")).credit == "dpa"


def test_credit_line_without_space_after_sign():
    assert parse(article(credit="@dpa.de")).credit == "dpa.de"


def test_without_credit_line_credit_is_empty():
    assert parse(article(credit=None)).credit == ""


def test_credit_line_is_not_part_of_the_body():
    assert (
        parse(article(body=(PARAGRAPH,), credit="© dpa")).body_html
        == f"<p>{PARAGRAPH}</p>"
    )


# --- Weitere Meldungen -----------------------------------------------------------------


def test_without_weitere_meldungen_there_are_no_related_items():
    assert parse(article()).related == ()


def test_weitere_meldungen_after_credit_line():
    related = related_of("Streit um Rente. Die Koalition ringt um einen Kompromiss.")
    assert related == (
        ParsedRelated(
            text="Streit um Rente. Die Koalition ringt um einen Kompromiss.",
            headline="Streit um Rente",
            teaser="Die Koalition ringt um einen Kompromiss.",
            section_name="Inland",
            published_at=datetime(2025, 11, 28, 17, 11, tzinfo=BERLIN),
        ),
    )


def test_weitere_meldungen_without_credit_line_ends_the_body():
    parsed = parse(
        article(credit=None, related=(item("Streit um Rente. Die Koalition ringt."),))
    )
    assert parsed.body_html == f"<p>{PARAGRAPH}</p>"
    assert parsed.credit == ""
    assert [r.headline for r in parsed.related] == ["Streit um Rente"]


def test_related_items_keep_file_order():
    related = related_of(
        "Erste Meldung. Text.", "Zweite Meldung. Text.", "Dritte Meldung. Text."
    )
    assert [r.headline for r in related] == [
        "Erste Meldung",
        "Zweite Meldung",
        "Dritte Meldung",
    ]


def test_related_section_and_time_come_from_the_parenthesis():
    data = article(
        related=(
            item(
                "Unfall auf der A9. Zwei Verletzte.", "Panorama", "01.03.2025 - 09:05"
            ),
        )
    )
    (related,) = parse(data).related
    assert (related.section_name, related.published_at) == (
        "Panorama",
        datetime(2025, 3, 1, 9, 5, tzinfo=BERLIN),
    )


def test_related_item_with_unicode_ellipsis_weiterlesen():
    data = article(
        related=(item("Streit um Rente. Die Koalition ringt.", tail=" weiterlesen…"),)
    )
    assert parse(data).related == related_of("Streit um Rente. Die Koalition ringt.")


def test_related_item_without_weiterlesen():
    data = article(related=(item("Streit um Rente. Die Koalition ringt.", tail=""),))
    assert parse(data).related == related_of("Streit um Rente. Die Koalition ringt.")


def test_related_item_with_parenthesis_in_text_uses_the_final_one():
    (related,) = related_of("Merz (CDU) lobt Estland. Der Kanzler war in Tallinn.")
    assert (related.text, related.section_name) == (
        "Merz (CDU) lobt Estland. Der Kanzler war in Tallinn.",
        "Inland",
    )


# --- Splitting related headline and teaser (rules 2 and 3) -----------------------------


def test_related_item_splits_at_first_sentence_end():
    (related,) = related_of(
        "Streit um Rente. Die Koalition ringt. Eine Einigung fehlt."
    )
    assert (related.headline, related.teaser) == (
        "Streit um Rente",
        "Die Koalition ringt. Eine Einigung fehlt.",
    )


def test_related_item_without_period_is_all_headline():
    (related,) = related_of("Merz lobt Estland als Vorbild")
    assert (related.headline, related.teaser) == ("Merz lobt Estland als Vorbild", "")


def test_related_item_all_headline_drops_trailing_period():
    (related,) = related_of("Merz lobt Estland als Vorbild.")
    assert (related.text, related.headline, related.teaser) == (
        "Merz lobt Estland als Vorbild.",
        "Merz lobt Estland als Vorbild",
        "",
    )


@pytest.mark.parametrize("end", ["?", "!"])
def test_related_question_or_exclamation_mark_stays_in_headline(end):
    (related,) = related_of(f"Wer zahlt die Rente{end} Die Koalition streitet.")
    assert (related.headline, related.teaser) == (
        f"Wer zahlt die Rente{end}",
        "Die Koalition streitet.",
    )


def test_related_sentence_end_before_umlaut_capital_splits():
    (related,) = related_of("Streit um Rente. Ärger in der Koalition.")
    assert (related.headline, related.teaser) == (
        "Streit um Rente",
        "Ärger in der Koalition.",
    )


def test_related_period_before_digit_does_not_split():
    (related,) = related_of("Lottozahl Nr. 5 bleibt die seltenste")
    assert (related.headline, related.teaser) == (
        "Lottozahl Nr. 5 bleibt die seltenste",
        "",
    )


def test_related_period_without_space_does_not_split():
    (related,) = related_of("Inflation steigt auf 3.5 Prozent")
    assert (related.headline, related.teaser) == (
        "Inflation steigt auf 3.5 Prozent",
        "",
    )


def test_related_period_before_lower_case_word_does_not_split():
    (related,) = related_of("Preise steigen um ca. zehn Prozent")
    assert (related.headline, related.teaser) == (
        "Preise steigen um ca. zehn Prozent",
        "",
    )


def test_related_sentence_end_within_first_160_characters_splits():
    headline = text_of_length(150)
    (related,) = related_of(f"{headline}. Der Teaser folgt")
    assert (related.headline, related.teaser) == (headline, "Der Teaser folgt")


def test_related_sentence_end_after_160_characters_is_all_headline():
    text = f"{text_of_length(169)}. Der Teaser folgt"
    (related,) = related_of(text)
    assert (related.headline, related.teaser) == (text, "")


def test_related_headline_keeps_markup_as_plain_text():
    (related,) = related_of("Warnung vor <script> & Co. Die Polizei ermittelt.")
    assert (related.headline, related.teaser) == (
        "Warnung vor <script> & Co",
        "Die Polizei ermittelt.",
    )


def test_split_related_at_question_mark():
    assert split_related("Wer zahlt? Der Bund springt ein.") == (
        "Wer zahlt?",
        "Der Bund springt ein.",
    )


def test_split_related_without_sentence_end():
    assert split_related("Merz lobt Estland als Vorbild") == (
        "Merz lobt Estland als Vorbild",
        "",
    )


def test_split_related_at_period_leaves_period_out_of_headline():
    assert split_related("Streit um Rente. Die Koalition ringt.") == (
        "Streit um Rente",
        "Die Koalition ringt.",
    )


# --- Errors ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"", id="empty"),
        pytest.param(b" \n\t\r\n   \n", id="white-space"),
        pytest.param(b"\xef\xbb\xbf\n", id="byte-order-mark"),
    ],
)
def test_empty_file_is_rejected(data):
    error = parse_error(data)
    assert "file is empty" in error.message
    assert error.line is None


def test_file_with_nul_bytes_is_not_text():
    assert (
        "not a text file"
        in parse_error(article().replace(b"Senat", b"Se\x00nat")).message
    )


def test_file_of_control_characters_is_not_text():
    assert "not a text file" in parse_error(bytes(range(1, 9)) * 40).message


def test_file_without_date_line_is_rejected():
    error = parse_error(article(keyword=None, date=None))
    assert "no date line" in error.message


@pytest.mark.parametrize(
    "date",
    [
        "28.02.2025 13:16",
        "28.02.2025 - 13.16",
        "28.02.2025 - 13:16 Uhr",
        "28.02.25 - 13:16",
    ],
)
def test_malformed_date_line_is_rejected_with_its_line(date):
    error = parse_error(article(date=date))
    assert "date line must read DD.MM.YYYY - HH:MM[:SS]" in error.message
    assert error.line == DATE_LINE


@pytest.mark.parametrize(
    "date", ["31.02.2025 - 13:16", "28.02.2025 - 25:00", "28.13.2025 - 13:16"]
)
def test_impossible_date_is_rejected_with_the_date_line(date):
    error = parse_error(article(date=date))
    assert "impossible date" in error.message
    assert error.line == DATE_LINE


def test_date_line_first_means_no_lead():
    assert "no lead" in parse_error(article(keyword=None, lead=None)).message


def test_third_block_before_date_line_is_rejected_at_that_block():
    error = parse_error(
        blocks(KEYWORD, LEAD, "Noch ein Absatz.", DATE, HEADLINE, PARAGRAPH)
    )
    assert "before the date line" in error.message
    assert error.line == 5


def test_keyword_line_of_two_lines_is_rejected():
    error = parse_error(article(keyword="Berlin,\nBrandenburg"))
    assert "keyword line" in error.message
    assert error.line == KEYWORD_LINE


@pytest.mark.parametrize("end", [".", "!", "?"])
def test_keyword_line_ending_in_sentence_end_is_rejected(end):
    error = parse_error(article(keyword=f"Berlin, Brandenburg{end}"))
    assert "keyword line" in error.message
    assert error.line == KEYWORD_LINE


def test_date_line_as_last_block_means_no_headline():
    assert (
        "no headline"
        in parse_error(article(headline=None, body=(), credit=None)).message
    )


def test_headline_of_two_lines_is_rejected_with_its_line():
    error = parse_error(article(headline="Senat beschließt\nHaushalt"))
    assert "headline must be one line" in error.message
    assert error.line == HEADLINE_LINE


def test_nothing_after_headline_means_no_body():
    assert "no body" in parse_error(article(body=(), credit=None)).message


def test_only_subheadings_mean_no_body():
    assert (
        "no body"
        in parse_error(article(body=("Kritik der Opposition", "Wer zahlt?"))).message
    )


def test_only_credit_line_means_no_body():
    assert "no body" in parse_error(article(body=(), credit="@ dpa.de")).message


@pytest.mark.parametrize(
    "broken",
    [
        pytest.param(
            "Streit um Rente. Die Koalition ringt um einen Komp", id="cut-off"
        ),
        pytest.param(
            "Streit um Rente. Die Koalition ringt. (Inland, 28.11.2025)", id="no-time"
        ),
        pytest.param(
            "Streit um Rente. Die Koalition ringt. (28.11.2025 - 17:11)",
            id="no-section",
        ),
        pytest.param(
            "Streit um Rente. Die Koalition ringt. (Inland, 28.11.2025 - 17:1",
            id="unclosed",
        ),
        pytest.param(
            item("Streit um Rente. Die Koalition ringt.") + " Mehr dazu",
            id="text-after-parenthesis",
        ),
    ],
)
def test_damaged_related_item_is_rejected_with_its_line(broken):
    error = parse_error(article(related=(item("Erste Meldung. Text."), broken)))
    assert "Weitere Meldungen" in error.message
    assert "cut off or damaged" in error.message
    # credit on 11, heading on 13, first item on 15
    assert error.line == 17


def test_text_after_credit_line_is_rejected_with_its_line():
    error = parse_error(
        blocks(KEYWORD, LEAD, DATE, HEADLINE, PARAGRAPH, CREDIT, "Noch ein Absatz.")
    )
    assert "after the credit line" in error.message
    assert error.line == CREDIT_LINE + 2


def test_line_numbers_count_crlf_lines_once():
    error = parse_error(
        article(headline="Senat beschließt\nHaushalt").replace(b"\n", b"\r\n")
    )
    assert error.line == HEADLINE_LINE


def test_credit_line_right_after_the_date_line_is_no_headline():
    data = b"Lead paragraph.\n\n28.02.2025 - 13:16:20\n\n@ dpa.de\n"

    with pytest.raises(ParseError) as error:
        parse(data)

    assert "no headline" in error.value.message
    assert error.value.line == 5
