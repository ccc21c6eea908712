"""The import service: parsed agency articles become rows (shared/formats/dpa-text.md)."""

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from articles.ingest.dpa_text import parse
from articles.ingest.parsed import ParsedArticle
from articles.ingest.service import ImportRejected, ImportResult, import_article
from articles.models import Agency, Article, ArticleVersion, HeldUpdate, RelatedLink, Section
from tests.conftest import SAMPLE

from .texts import PARAGRAPH, dpa_text, parsed, related_item

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")

SAMPLE_HEADLINE = "Russland schlägt USA Wiederaufnahme des Flugverkehrs vor"
MERZ_HEADLINE = "Merz: Estland hat Auswirkungen des Ukrainekriegs direkt vor Augen"
MERZ_TEASER = (
    "Bundeskanzler Friedrich Merz (CDU) hat mit dem estnischen Ministerpräsidenten "
    "Kristen Michal über die Lage im Ukrainekrieg gesprochen."
)


def import_parsed(article: ParsedArticle, **options) -> ImportResult:
    options.setdefault("section", Section.objects.get(slug="nachrichten"))
    options.setdefault("agency", Agency.objects.get(slug="dpa"))
    return import_article(article, **options)


def import_sample() -> ImportResult:
    return import_parsed(parse(SAMPLE.read_bytes()))


def merz_article(date: str = "27.11.2025 - 15:24:00") -> ParsedArticle:
    """The article behind the sample's last *Weitere Meldungen* item."""
    return parsed(
        keywords="Deutschland, Estland",
        lead=MERZ_TEASER,
        date=date,
        headline=MERZ_HEADLINE,
        body=("Merz sagte in Tallinn, Estland sehe die Folgen des Krieges jeden Tag.",),
    )


def links(article: Article) -> list[tuple]:
    return [
        (link.position, link.headline, link.teaser, link.target_id)
        for link in article.related_links.order_by("position")
    ]


def row_counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Article, RelatedLink, ArticleVersion, HeldUpdate)
    }


# The sample, field by field


def test_sample_is_created_with_headline_kicker_and_teaser():
    result = import_sample()

    article = Article.objects.get()
    assert result.outcome == "created"
    assert article.headline == SAMPLE_HEADLINE
    assert article.kicker == "Russland, USA"
    assert article.teaser == (
        "Russland hat den USA bei Gesprächen in Istanbul eine Wiederaufnahme des "
        "Flugverkehrs zwischen beiden Ländern vorgeschlagen."
    )


def test_sample_tags_are_the_items_of_its_keyword_line():
    import_sample()

    assert sorted(Article.objects.get().tags.names()) == ["Russland", "USA"]


def test_sample_publication_time_is_its_date_line_in_berlin():
    import_sample()

    article = Article.objects.get()
    assert article.published_at == datetime(2025, 2, 28, 13, 16, 20, tzinfo=BERLIN)
    assert article.updated_at is None


def test_sample_body_has_seven_paragraphs_and_its_subheading_in_place():
    import_sample()

    body = Article.objects.get().body
    assert re.findall(r"<(p|h2)>", body) == ["p", "p", "p", "h2", "p", "p", "p", "p"]
    assert "<h2>US-Seite spricht von konstruktiven Gesprächen</h2>" in body


def test_sample_is_credited_to_dpa_and_filed_in_the_given_section():
    import_sample()

    article = Article.objects.get()
    assert article.agency.slug == "dpa"
    assert article.section.slug == "nachrichten"


def test_sample_related_items_are_split_by_first_sentence_end_or_kept_whole_in_order():
    import_sample()

    related = [
        (link.position, link.headline, link.teaser, link.section_name, link.published_at, link.target_id)
        for link in Article.objects.get().related_links.order_by("position")
    ]
    assert related == [
        (
            1,
            "Korruptionsskandal: Selenskyjs Bürochef tritt zurück",
            "Korruptionsermittler durchsuchen die Wohnung des Bürochefs von Präsident Selenskyj. "
            "Nur wenig später folgt ein Rücktritt. «Schwarzer Freitag» in der Ukraine.",
            "Ausland",
            datetime(2025, 11, 28, 17, 11, tzinfo=BERLIN),
            None,
        ),
        (
            2,
            "Korruptionsskandal: Durchsuchung bei Selenskyjs Bürochef",
            "Korruptionsermittler durchsuchen die Wohnung von Präsident Selenskyjs Bürochef Jermak. "
            "«Schwarzer Freitag» in der Ukraine.",
            "Ausland",
            datetime(2025, 11, 28, 8, 54, tzinfo=BERLIN),
            None,
        ),
        (
            3,
            "Selenskyj deutet Spitzengespräch über Frieden für Ukraine an",
            "Kremlchef Putin bleibt hart: Russland will internationale Anerkennung seiner "
            "Eroberungen. Die Diplomatie für ein Ende des Ukraine-Kriegs verteilt sich auf viele "
            "Orte - auch mit Moskau wird geredet.",
            "Ausland",
            datetime(2025, 11, 28, 4, 55, tzinfo=BERLIN),
            None,
        ),
        (
            4,
            "Costa: USA werden nicht für EU und Nato sprechen",
            "Nun heißt es: Was EU und Nato betrifft, wird nicht über deren Kopf hinweg "
            "entschieden. In einem ersten Friedensplan für die Ukraine wollten die USA "
            "großzügig vorgeben, was andere Beteiligte machen.",
            "Ausland",
            datetime(2025, 11, 27, 21, 36, tzinfo=BERLIN),
            None,
        ),
        (
            5,
            "Putin: Kann Angriff auf Europa schriftlich ausschließen",
            "Kremlchef Putin sagt hart: Ohne russische Kontrolle über den Donbass keine "
            "Einigung. Die USA planen mit Russland kommende Woche weiter die Chancen auf ein "
            "Kriegsende in der Ukraine auszuloten.",
            "Ausland",
            datetime(2025, 11, 27, 19, 30, tzinfo=BERLIN),
            None,
        ),
        (
            # No sentence end after the headline and no known article: all headline.
            6,
            f"{MERZ_HEADLINE} {MERZ_TEASER.removesuffix('.')}",
            "",
            "Ausland",
            datetime(2025, 11, 27, 15, 24, tzinfo=BERLIN),
            None,
        ),
    ]


# Status on import


def test_article_is_published_when_its_agency_publishes_on_import():
    import_parsed(parsed())

    assert Article.objects.get().status == Article.Status.PUBLISHED


def test_article_waits_in_review_when_its_agency_does_not_publish_on_import():
    Agency.objects.filter(slug="dpa").update(publish_on_import=False)

    import_parsed(parsed())

    assert Article.objects.get().status == Article.Status.REVIEW


# Identity and repeats


def test_same_text_again_is_unchanged():
    import_parsed(parsed())

    result = import_parsed(parsed())

    assert result.outcome == "unchanged"
    assert row_counts() == {"Article": 1, "RelatedLink": 0, "ArticleVersion": 1, "HeldUpdate": 0}


@pytest.mark.parametrize(
    "variant",
    [
        pytest.param(lambda text: text.replace("\n", "\r\n").encode(), id="crlf"),
        pytest.param(lambda text: text.replace("\n", "  \n").encode(), id="trailing-spaces"),
        pytest.param(lambda text: b"\xef\xbb\xbf" + text.encode(), id="bom"),
        pytest.param(lambda text: text.encode("cp1252"), id="cp1252"),
    ],
)
def test_same_text_in_another_encoding_or_line_ending_is_unchanged(variant):
    text = dpa_text(related=(related_item("Putin: «Kein Angriff auf Europa». Der Kremlchef äußert sich."),))
    import_parsed(parse(text.encode()))

    result = import_parsed(parse(variant(text)))

    assert result.outcome == "unchanged"
    assert Article.objects.count() == 1


def test_sample_in_cp1252_with_crlf_is_unchanged_after_the_utf8_sample():
    import_sample()
    variant = SAMPLE.read_text(encoding="utf-8").replace("\n", "\r\n").encode("cp1252")

    result = import_parsed(parse(variant))

    assert result.outcome == "unchanged"


def test_same_identity_with_other_content_updates_the_article():
    first = import_parsed(parsed()).article

    result = import_parsed(parsed(body=("Die Opposition kündigte eine Klage an.",)))

    article = Article.objects.get()
    assert result.outcome == "updated"
    assert article.pk == first.pk
    assert article.body == "<p>Die Opposition kündigte eine Klage an.</p>"


def test_update_sets_the_update_time():
    import_parsed(parsed())
    before = timezone.now()

    import_parsed(parsed(lead="Der Senat hat den Haushalt beschlossen."))

    article = Article.objects.get()
    assert before <= article.updated_at <= timezone.now()


def test_update_keeps_the_earlier_version_in_the_history():
    import_parsed(parsed())

    import_parsed(parsed(body=("Die Opposition kündigte eine Klage an.",)))

    versions = list(Article.objects.get().versions.order_by("created_at", "id"))
    assert [version.origin for version in versions] == ["import", "agency_update"]
    assert versions[0].data["body"] == f"<p>{PARAGRAPH}</p>"
    assert versions[1].data["body"] == "<p>Die Opposition kündigte eine Klage an.</p>"


def test_headline_differing_only_in_case_and_white_space_is_the_same_article():
    import_parsed(parsed())

    result = import_parsed(parsed(headline="Senat  beschließt DOPPELHAUSHALT"))

    assert result.outcome == "updated"
    assert Article.objects.count() == 1


def test_other_publication_time_is_another_article():
    import_parsed(parsed())

    result = import_parsed(parsed(date="28.02.2025 - 13:17:20"))

    assert result.outcome == "created"
    assert Article.objects.count() == 2


# Articles an editor has changed


@pytest.mark.parametrize(
    "field, edited", [("headline", "Haushalt endlich beschlossen"), ("body", "<p>Vom Desk gekürzt.</p>")]
)
def test_agency_update_of_an_edited_article_is_held_and_leaves_the_article_untouched(field, edited):
    import_parsed(parsed())
    article = Article.objects.get()
    setattr(article, field, edited)
    article.save()
    before = Article.objects.values().get()

    result = import_parsed(parsed(body=("Die Opposition kündigte eine Klage an.",)))

    assert result.outcome == "held"
    assert Article.objects.values().get() == before
    assert getattr(Article.objects.get(), field) == edited


TWO_ITEMS = (
    related_item("Erste Meldung. Ein Vorspann.", time="27.11.2025 - 15:24"),
    related_item("Zweite Meldung. Noch ein Vorspann.", time="27.11.2025 - 15:25"),
)


def test_agency_update_after_an_editor_reordered_the_related_links_is_held():
    import_parsed(parsed(related=TWO_ITEMS))
    article = Article.objects.get()
    first, second = article.related_links.order_by("position")
    RelatedLink.objects.filter(pk=first.pk).update(position=3)
    RelatedLink.objects.filter(pk=second.pk).update(position=1)
    RelatedLink.objects.filter(pk=first.pk).update(position=2)

    result = import_parsed(parsed(related=TWO_ITEMS, body=("Die Opposition kündigte eine Klage an.",)))

    assert result.outcome == "held"
    assert [link.headline for link in article.related_links.order_by("position")] == [
        "Zweite Meldung",
        "Erste Meldung",
    ]


def test_agency_update_after_an_editor_added_a_tag_is_held():
    import_parsed(parsed())
    Article.objects.get().tags.add("Klage")

    result = import_parsed(parsed(body=("Die Opposition kündigte eine Klage an.",)))

    assert result.outcome == "held"


def test_related_link_resolved_by_a_later_import_is_no_editors_change():
    import_parsed(parsed(related=TWO_ITEMS[:1]))
    import_parsed(
        parsed(headline="Erste Meldung", date="27.11.2025 - 15:24:10", keywords=None, related=())
    )
    assert RelatedLink.objects.get(position=1).target is not None

    result = import_parsed(parsed(related=TWO_ITEMS[:1], body=("Die Opposition kündigte eine Klage an.",)))

    assert result.outcome == "updated"


def test_held_agency_update_is_kept_for_the_editor():
    import_parsed(parsed())
    article = Article.objects.get()
    article.body = "<p>Vom Desk gekürzt.</p>"
    article.save()

    import_parsed(parsed(body=("Die Opposition kündigte eine Klage an.",)))

    held = HeldUpdate.objects.get()
    assert held.article_id == article.pk
    assert held.state == HeldUpdate.State.PENDING
    assert held.payload["body_html"] == "<p>Die Opposition kündigte eine Klage an.</p>"


def test_same_held_update_again_is_kept_once():
    import_parsed(parsed())
    article = Article.objects.get()
    article.body = "<p>Vom Desk gekürzt.</p>"
    article.save()
    update = parsed(body=("Die Opposition kündigte eine Klage an.",))
    import_parsed(update)

    result = import_parsed(update)

    assert result.outcome == "held"
    assert HeldUpdate.objects.count() == 1


# Weitere Meldungen: rule 1 and back-filling


def test_related_item_without_period_resolves_by_known_headline():
    merz = import_parsed(merz_article()).article

    sample = import_sample().article

    assert links(sample)[5] == (6, MERZ_HEADLINE, MERZ_TEASER, merz.pk)


def test_known_headline_is_matched_ignoring_case_and_trailing_period():
    merz = import_parsed(merz_article()).article
    text = f"{MERZ_HEADLINE.upper()}. {MERZ_TEASER}"

    result = import_parsed(parsed(related=(related_item(text),)))

    assert links(result.article) == [(1, MERZ_HEADLINE, MERZ_TEASER, merz.pk)]


def test_known_headline_beats_the_first_sentence_end():
    # Rule 2 alone would cut after "Dr." and make "Gericht: Dr" the headline.
    court = "Gericht: Dr. Müller muss Schadenersatz zahlen"
    known = import_parsed(parsed(headline=court, date="27.11.2025 - 15:24:00")).article
    text = f"{court}. Das Landgericht verurteilte den Arzt."

    result = import_parsed(parsed(headline="Anderes Thema", related=(related_item(text),)))

    assert links(result.article) == [(1, court, "Das Landgericht verurteilte den Arzt.", known.pk)]


def test_unresolved_item_is_resolved_when_its_article_arrives_later_in_the_same_minute():
    sample = import_sample().article

    merz = import_parsed(merz_article("27.11.2025 - 15:24:59")).article

    assert links(sample)[5] == (6, MERZ_HEADLINE, MERZ_TEASER, merz.pk)


def test_unresolved_item_is_not_resolved_by_an_article_of_another_minute():
    sample = import_sample().article

    import_parsed(merz_article("27.11.2025 - 15:25:00"))

    assert links(sample)[5] == (6, f"{MERZ_HEADLINE} {MERZ_TEASER.removesuffix('.')}", "", None)


# Agencies


@pytest.mark.parametrize("credit", ["© dpa", "@ dpa.de"])
def test_credit_line_names_the_agency_by_name_or_domain(credit):
    reuters = Agency.objects.create(name="Reuters", slug="reuters", domain="reuters.com")

    import_parsed(parsed(credit=credit), agency=reuters)

    assert Article.objects.get().agency.slug == "dpa"


def test_text_without_credit_line_goes_to_the_given_agency():
    reuters = Agency.objects.create(name="Reuters", slug="reuters", domain="reuters.com")

    import_parsed(parsed(credit=None), agency=reuters)

    assert Article.objects.get().agency == reuters


def test_unknown_credit_is_rejected_and_nothing_written():
    with pytest.raises(ImportRejected) as rejected:
        import_parsed(parsed(credit="© AFP", related=(related_item("Eine Meldung. Mit Vorspann."),)))

    assert str(rejected.value) == "the credit line names an unknown agency 'AFP'"
    assert row_counts() == {"Article": 0, "RelatedLink": 0, "ArticleVersion": 0, "HeldUpdate": 0}


@pytest.mark.parametrize(
    "parts, error",
    [
        pytest.param({"headline": "Lang " * 61}, "headline longer than 300 characters", id="headline"),
        pytest.param(
            {"keywords": ", ".join(["Berlin"] * 30)}, "kicker longer than 200 characters", id="kicker"
        ),
    ],
)
def test_text_too_long_for_its_field_is_rejected_on_every_database(parts, error):
    # PostgreSQL refuses such a value and SQLite stores it: the service decides first.
    with pytest.raises(ImportRejected) as rejected:
        import_parsed(parsed(**parts))

    assert str(rejected.value) == error
    assert Article.objects.count() == 0


# Dry runs


def test_dry_run_reports_created_and_writes_nothing():
    before = row_counts()

    result = import_parsed(parse(SAMPLE.read_bytes()), dry_run=True)

    assert result.outcome == "created"
    assert row_counts() == before


def test_dry_run_reports_updated_and_leaves_the_article():
    import_parsed(parsed())

    result = import_parsed(parsed(body=("Die Opposition kündigte eine Klage an.",)), dry_run=True)

    assert result.outcome == "updated"
    assert Article.objects.get().body == f"<p>{PARAGRAPH}</p>"
    assert ArticleVersion.objects.count() == 1


# Hostile text


def test_markup_in_the_body_is_stored_escaped():
    import_parsed(parsed(body=("Ein Leser schrieb <script>alert(1)</script> in das Formular.",)))

    assert Article.objects.get().body == (
        "<p>Ein Leser schrieb &lt;script&gt;alert(1)&lt;/script&gt; in das Formular.</p>"
    )


def test_markup_in_the_headline_is_stored_as_plain_text():
    import_parsed(parsed(headline="Warnung vor <script>alert(1)</script> im Kommentarfeld"))

    assert Article.objects.get().headline == "Warnung vor <script>alert(1)</script> im Kommentarfeld"


# Daylight saving time: wall-clock times that do not exist or exist twice in Berlin

DST_TIMES = [
    # The parser takes the offset before the change (fold=0) for both.
    pytest.param("30.03.2025 - 02:30:00", datetime(2025, 3, 30, 1, 30, tzinfo=UTC), id="spring-gap"),
    pytest.param("26.10.2025 - 02:30:00", datetime(2025, 10, 26, 0, 30, tzinfo=UTC), id="autumn-overlap"),
]


@pytest.mark.parametrize("date, instant", DST_TIMES)
def test_time_at_a_daylight_saving_change_imports(date, instant):
    result = import_parsed(parsed(date=date))

    assert result.outcome == "created"
    assert Article.objects.get().published_at == instant


@pytest.mark.parametrize("date, instant", DST_TIMES)
def test_time_at_a_daylight_saving_change_imports_again_unchanged(date, instant):
    import_parsed(parsed(date=date))

    result = import_parsed(parsed(date=date))

    assert result.outcome == "unchanged"
    assert Article.objects.count() == 1



def test_long_related_item_without_sentence_end_is_kept_whole():
    text = (
        f"{MERZ_HEADLINE} Bundeskanzler Friedrich Merz (CDU) hat mit dem estnischen "
        "Ministerpräsidenten Kristen Michal über die Lage im Ukrainekrieg gesprochen und dabei "
        "die Unterstützung Deutschlands für die baltischen Staaten und die Ostflanke der Nato "
        "bekräftigt, wie ein Regierungssprecher am Abend in Berlin nach dem Treffen mitteilte"
    )

    result = import_parsed(parsed(related=(related_item(text),)))

    assert len(text) > 300
    assert links(result.article) == [(1, text, "", None)]
