"""The public pages: home, section, tag, agency, article and search."""

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser

import pytest
from django.core.cache import cache

from articles.models import Article

from .factories import UNPUBLISHED, make_agency, make_article, make_related, make_staff_user, populate

pytestmark = pytest.mark.django_db

# 28.02.2025 12:16:20 UTC is 13:16 in Berlin (winter time, UTC+1).
WINTER = datetime(2025, 2, 28, 12, 16, 20, tzinfo=UTC)
# 15.07.2025 11:05 UTC is 13:05 in Berlin (summer time, UTC+2).
SUMMER = datetime(2025, 7, 15, 11, 5, tzinfo=UTC)



@pytest.fixture(autouse=True)
def cold_cache():
    """Each test starts from an empty cache: no page of another test's data is served."""
    cache.clear()


@dataclass
class Block:
    """An <h2> of the page's <main> and the links that follow it, up to the next <h2>."""

    heading: str = ""
    heading_href: str | None = None
    hrefs: list[str] = field(default_factory=list)


class Page(HTMLParser):
    """The parts of a page the tests look at, as a browser reads them."""

    def __init__(self, html: str):
        super().__init__()
        self.meta: dict[str, str] = {}
        self.link_rel: dict[str, str] = {}
        self.json_ld: list[str] = []
        self.links: list[tuple[str, str]] = []  # (text, href) of the links in <main>
        self.blocks: list[Block] = [Block()]
        self._in_main = self._in_h2 = self._in_ld = False
        self._href: str | None = None
        self._text: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta" and ("property" in attrs or "name" in attrs):
            self.meta[attrs.get("property") or attrs["name"]] = attrs.get("content", "")
        elif tag == "link" and "rel" in attrs:
            self.link_rel[attrs["rel"]] = attrs.get("href", "")
        elif tag == "script" and attrs.get("type") == "application/ld+json":
            self._in_ld = True
            self.json_ld.append("")
        elif tag == "main":
            self._in_main = True
        elif tag == "h2" and self._in_main:
            self._in_h2 = True
            self.blocks.append(Block())
        elif tag == "a" and self._in_main:
            self._href, self._text = attrs.get("href"), []

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_ld = False
        elif tag == "main":
            self._in_main = False
        elif tag == "h2":
            self._in_h2 = False
        elif tag == "a" and self._href is not None:
            self.links.append((" ".join("".join(self._text).split()), self._href))
            if self._in_h2 and self.blocks[-1].heading_href is None:
                self.blocks[-1].heading_href = self._href
            else:
                self.blocks[-1].hrefs.append(self._href)
            self._href = None

    def handle_data(self, data):
        if self._in_ld:
            self.json_ld[-1] += data
        if self._in_h2:
            self.blocks[-1].heading += data
        if self._href is not None:
            self._text.append(data)

    def link(self, text: str) -> str | None:
        """The address of the link in <main> that reads `text`, None when there is none."""
        hrefs = [href for link_text, href in self.links if link_text == text]
        assert len(hrefs) <= 1, f"{len(hrefs)} links read {text!r}"
        return hrefs[0] if hrefs else None

    def block(self, heading: str) -> Block:
        [block] = [block for block in self.blocks if block.heading.strip() == heading]
        return block


def html_of(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def body_of(response) -> str:
    """The page from <body> on: <head> repeats headline, teaser and tags in meta tags."""
    html = html_of(response)
    return html[html.index("<body") :]


def article_hrefs(response, articles) -> list[str]:
    """The links of the page's <main> to any of `articles`, in page order."""
    known = set(urls(articles))
    return [href for _, href in Page(html_of(response)).links if href in known]


def urls(articles) -> list[str]:
    return [article.get_absolute_url() for article in articles]


def position(html: str, pattern: str) -> int:
    match = re.search(pattern, html)
    assert match is not None, f"{pattern!r} is not on the page"
    return match.start()


# Home


def test_home_lists_the_twelve_newest_articles_newest_first(client):
    articles = [make_article(section=slug) for slug in ["inland", "ausland", "sport"] * 5]

    response = client.get("/")

    latest = Page(html_of(response)).block("Neueste Meldungen")
    known = set(urls(articles))
    assert [href for href in latest.hrefs if href in known] == urls(articles[::-1][:12])


def test_home_shows_a_block_with_the_four_newest_of_each_section_that_has_articles(client):
    inland = [make_article(section="inland") for _ in range(5)]
    sport = [make_article(section="sport") for _ in range(2)]

    page = Page(html_of(client.get("/")))

    known = set(urls(inland + sport))
    section_blocks = [
        (block.heading_href, [href for href in block.hrefs if href in known])
        for block in page.blocks
        if block.heading_href is not None
    ]
    assert section_blocks == [
        ("/inland/", urls(inland[::-1][:4])),
        ("/sport/", urls(sport[::-1])),
    ]


def test_home_leaves_out_unpublished_articles(client):
    published = make_article()
    for state in UNPUBLISHED.values():
        make_article(**state)

    response = client.get("/")

    # Once among the newest, once in its section's block.
    assert article_hrefs(response, Article.objects.all()) == urls([published, published])


# Section, tag and agency pages

LISTS = {
    "section": ("/sport/", {"section": "sport"}, {"section": "kultur"}),
    "tag": ("/tag/bundesliga/", {"tags": ["Bundesliga"]}, {"tags": ["Handball"]}),
    "agency": ("/agency/dpa/", {"agency": "dpa"}, {"agency": None}),
}


@pytest.mark.parametrize("kind", LISTS)
def test_list_page_shows_only_its_articles_newest_first(client, kind):
    url, own, other = LISTS[kind]
    older, newer = make_article(**own), make_article(**own)
    make_article(**other)

    response = client.get(url)

    assert article_hrefs(response, Article.objects.all()) == urls([newer, older])


@pytest.mark.parametrize("kind", LISTS)
def test_list_page_leaves_out_unpublished_articles(client, kind):
    url, own, _ = LISTS[kind]
    published = make_article(**own)
    for state in UNPUBLISHED.values():
        make_article(**own, **state)

    response = client.get(url)

    assert article_hrefs(response, Article.objects.all()) == urls([published])


@pytest.mark.parametrize("kind", LISTS)
def test_list_page_holds_the_twenty_newest(client, kind):
    url, own, _ = LISTS[kind]
    articles = [make_article(**own) for _ in range(21)]

    response = client.get(url)

    assert article_hrefs(response, articles) == urls(articles[::-1][:20])


@pytest.mark.parametrize("kind", LISTS)
def test_list_page_two_holds_the_rest(client, kind):
    url, own, _ = LISTS[kind]
    articles = [make_article(**own) for _ in range(21)]

    response = client.get(url, {"page": "2"})

    assert article_hrefs(response, articles) == urls(articles[:1])


@pytest.mark.parametrize("page", ["99", "abc"])
@pytest.mark.parametrize("kind", LISTS)
def test_list_page_that_is_not_there_is_404(client, kind, page):
    url, own, _ = LISTS[kind]
    for _ in range(3):
        make_article(**own)

    response = client.get(url, {"page": page})

    assert response.status_code == 404


@pytest.mark.parametrize("url", ["/feuilleton/", "/tag/gibt-es-nicht/", "/agency/reuters/"])
def test_list_page_of_unknown_slug_is_404(client, url):
    assert client.get(url).status_code == 404


# Search


def test_search_lists_the_matching_articles(client):
    by_headline = make_article(headline="Senat beschließt Haushalt")
    make_article(headline="Bahn erhöht Preise")
    by_teaser = make_article(teaser="Der Haushalt ist beschlossen.")

    response = client.get("/search/", {"q": "haushalt"})

    # Best match first: the order is the search's, not asserted here.
    assert sorted(article_hrefs(response, Article.objects.all())) == sorted(urls([by_headline, by_teaser]))


def test_search_leaves_out_unpublished_articles(client):
    published = make_article(headline="Haushalt beschlossen")
    for state in UNPUBLISHED.values():
        make_article(headline="Haushalt beschlossen", **state)

    response = client.get("/search/", {"q": "Haushalt"})

    assert article_hrefs(response, Article.objects.all()) == urls([published])


def test_search_result_shows_escaped_agency_text_escaped_once(client):
    # As the importer stores "Procter & Gamble" and "<b>Zitat</b>" of an agency text.
    make_article(body="<p>Procter &amp; Gamble meldet Gewinn: &lt;b&gt;Zitat&lt;/b&gt;</p>")

    html = html_of(client.get("/search/", {"q": "Gewinn"}))

    assert "Procter &amp; Gamble" in html
    assert "&lt;b&gt;Zitat&lt;/b&gt;" in html
    assert "&amp;amp;" not in html
    assert "&amp;lt;" not in html


# The article page


@pytest.fixture
def full_article():
    agency = make_agency(credit="Testagentur Nachrichtendienst")
    target = make_article(headline="Bahn erhöht Preise", section="wirtschaft")
    return make_article(
        slug="senat-beschliesst-haushalt",
        kicker="Landesfinanzen",
        headline="Senat beschließt Haushalt",
        teaser="Die Koalition einigte sich nach Verhandlungen bis in die Nacht.",
        body="<p>Der Beschluss fiel einstimmig.</p>\n<h2>Opposition kritisiert Schulden</h2>\n"
        "<p>Die Fraktionen kündigten Widerstand an.</p>",
        published_at=WINTER,
        agency=agency,
        tags=["Schuldenbremse", "Abgeordnetenhaus"],
        related=[target, {"headline": "Senatorin tritt zurück"}],
    )


def test_article_page_shows_its_parts_in_order(client, full_article):
    body = body_of(client.get(full_article.get_absolute_url()))

    parts = {
        "kicker": position(body, "Landesfinanzen"),
        "headline": position(body, r"<h1[^>]*>\s*Senat beschließt Haushalt\s*</h1>"),
        "date": position(body, "28.02.2025, 13:16 Uhr"),
        "teaser": position(body, "Die Koalition einigte sich"),
        "body": position(body, "Der Beschluss fiel einstimmig."),
        "subheading": position(body, r"<h2[^>]*>\s*Opposition kritisiert Schulden\s*</h2>"),
        "credit": position(body, "Testagentur Nachrichtendienst"),
        "tag Abgeordnetenhaus": position(body, "Abgeordnetenhaus"),
        "tag Schuldenbremse": position(body, "Schuldenbremse"),
        "Weitere Meldungen": position(body, "Weitere Meldungen"),
        "first related": position(body, "Bahn erhöht Preise"),
        "second related": position(body, "Senatorin tritt zurück"),
    }
    assert sorted(parts, key=parts.get) == list(parts)


def test_article_page_shows_summer_time_in_berlin_time(client):
    article = make_article(published_at=SUMMER)

    body = body_of(client.get(article.get_absolute_url()))

    assert "15.07.2025, 13:05 Uhr" in body


def test_article_page_links_its_tags_to_their_pages(client, full_article):
    page = Page(html_of(client.get(full_article.get_absolute_url())))

    assert (page.link("Abgeordnetenhaus"), page.link("Schuldenbremse")) == (
        "/tag/abgeordnetenhaus/",
        "/tag/schuldenbremse/",
    )


def test_article_page_links_its_agency_credit_to_the_agency_page(client, full_article):
    page = Page(html_of(client.get(full_article.get_absolute_url())))

    assert page.link("Testagentur Nachrichtendienst") == full_article.agency.get_absolute_url()


def test_tag_with_umlaut_links_to_a_tag_page_listing_the_article(client):
    article = make_article(tags=["Fußball"])
    page = Page(html_of(client.get(article.get_absolute_url())))

    response = client.get(page.link("Fußball"))

    assert article_hrefs(response, [article]) == urls([article])


def test_related_item_with_published_target_links_to_it(client, full_article):
    target = Article.objects.get(headline="Bahn erhöht Preise")

    page = Page(html_of(client.get(full_article.get_absolute_url())))

    assert page.link("Bahn erhöht Preise") == target.get_absolute_url()


def test_unresolved_related_item_shows_as_text_without_link(client, full_article):
    response = client.get(full_article.get_absolute_url())

    assert "Senatorin tritt zurück" in body_of(response)
    assert Page(html_of(response)).link("Senatorin tritt zurück") is None


@pytest.mark.parametrize("state", UNPUBLISHED)
def test_related_item_with_unpublished_target_shows_as_text_without_link(client, state):
    target = make_article(headline="Senatorin tritt zurück", **UNPUBLISHED[state])
    article = make_article(related=[target])

    response = client.get(article.get_absolute_url())

    assert "Senatorin tritt zurück" in body_of(response)
    assert Page(html_of(response)).link("Senatorin tritt zurück") is None


def test_related_items_follow_their_position_not_their_creation(client):
    article = make_article()
    make_related(article, position=2, headline="Zweite Meldung")
    make_related(article, position=1, headline="Erste Meldung")

    body = body_of(client.get(article.get_absolute_url()))

    assert position(body, "Erste Meldung") < position(body, "Zweite Meldung")


def test_related_item_with_an_external_address_links_there_with_nofollow(client):
    article = make_article(related=[{"headline": "Produkte von Virginia", "url": "https://dpaq.de/Ss"}])

    html = html_of(client.get(article.get_absolute_url()))

    assert '<a href="https://dpaq.de/Ss" rel="nofollow">Produkte von Virginia</a>' in html


def test_navigation_marks_the_article_section_as_current(client):
    article = make_article(section="inland")

    html = html_of(client.get(article.get_absolute_url()))

    assert re.findall(r'<a href="([^"]*)" aria-current="page">', html) == ["/inland/"]


def test_long_teaser_is_cut_for_the_description_and_opengraph(client):
    article = make_article(teaser="Wort " * 80)

    html = html_of(client.get(article.get_absolute_url()))

    description = re.search(r'<meta name="description" content="([^"]*)">', html)[1]
    opengraph = re.search(r'<meta property="og:description" content="([^"]*)">', html)[1]
    assert (len(description), description[-1], len(opengraph), opengraph[-1]) == (200, "…", 300, "…")


def test_article_page_without_related_items_has_no_weitere_meldungen(client):
    article = make_article()

    assert "Weitere Meldungen" not in body_of(client.get(article.get_absolute_url()))


def test_article_page_has_canonical_link_to_itself(client, full_article):
    page = Page(html_of(client.get(full_article.get_absolute_url())))

    assert page.link_rel["canonical"] == "http://testserver/inland/senat-beschliesst-haushalt/"


def test_article_page_has_opengraph_title_and_url(client, full_article):
    page = Page(html_of(client.get(full_article.get_absolute_url())))

    assert (page.meta["og:title"], page.meta["og:url"]) == (
        "Senat beschließt Haushalt",
        "http://testserver/inland/senat-beschliesst-haushalt/",
    )


def test_article_page_has_newsarticle_json_ld(client, full_article):
    [json_ld] = Page(html_of(client.get(full_article.get_absolute_url()))).json_ld

    data = json.loads(json_ld)

    assert (data["@type"], data["headline"], data["datePublished"]) == (
        "NewsArticle",
        "Senat beschließt Haushalt",
        "2025-02-28T13:16:20+01:00",
    )


# Who may see an article


@pytest.mark.parametrize("state", UNPUBLISHED)
def test_reader_gets_404_for_unpublished_article(client, state):
    article = make_article(**UNPUBLISHED[state])

    assert client.get(article.get_absolute_url()).status_code == 404


@pytest.mark.parametrize("state", UNPUBLISHED)
def test_logged_in_non_staff_user_gets_404_for_unpublished_article(client, state):
    article = make_article(**UNPUBLISHED[state])
    client.force_login(make_staff_user(is_staff=False))

    assert client.get(article.get_absolute_url()).status_code == 404


@pytest.mark.parametrize("state", UNPUBLISHED)
def test_staff_user_previews_unpublished_article(client, state):
    article = make_article(headline="Vorab: Senat beschließt Haushalt", **UNPUBLISHED[state])
    client.force_login(make_staff_user())

    body = body_of(client.get(article.get_absolute_url()))

    assert re.search(r"<h1[^>]*>\s*Vorab: Senat beschließt Haushalt\s*</h1>", body) is not None


@pytest.mark.parametrize("state", UNPUBLISHED)
def test_preview_is_never_cached(client, state):
    article = make_article(**UNPUBLISHED[state])
    client.force_login(make_staff_user())

    response = client.get(article.get_absolute_url())

    assert response["Cache-Control"] == "private, no-cache"


@pytest.mark.parametrize("state", UNPUBLISHED)
def test_reader_after_a_preview_still_gets_404(client, state):
    article = make_article(**UNPUBLISHED[state])
    client.force_login(make_staff_user())
    html_of(client.get(article.get_absolute_url()))
    client.logout()

    assert client.get(article.get_absolute_url()).status_code == 404


def test_unknown_article_is_404(client):
    assert client.get("/inland/gibt-es-nicht/").status_code == 404


def test_wrong_section_in_address_redirects_to_the_canonical_address(client):
    make_article(section="inland", slug="senat-beschliesst-haushalt")

    response = client.get("/sport/senat-beschliesst-haushalt/")

    assert (response.status_code, response["Location"]) == (301, "/inland/senat-beschliesst-haushalt/")


def test_wrong_section_of_unpublished_article_is_404_for_readers(client):
    make_article(section="inland", slug="senat-beschliesst-haushalt", **UNPUBLISHED["draft"])

    assert client.get("/sport/senat-beschliesst-haushalt/").status_code == 404


# Markup in agency and editor text is shown as text

SCRIPT = "<script>alert(1)</script>"
ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"
HEADLINE = "Warnung </script><script>x</script>"
ESCAPED_HEADLINE = "Warnung &lt;/script&gt;&lt;script&gt;x&lt;/script&gt;"


@pytest.fixture
def hostile_article():
    return make_article(
        slug="warnung",
        kicker=SCRIPT,
        headline=HEADLINE,
        teaser=f"Vorspann {SCRIPT}",
        # The importer escapes the agency's text; an editor's HTML is sanitised on save.
        body="<p>&lt;img src=x onerror=alert(1)&gt;</p>\n<p>Redaktion: <img src=x onerror=alert(1)></p>",
        tags=["<i>Thema</i>"],
    )


HOSTILE_PAGES = {
    "home": "/",
    "section": "/inland/",
    "tag": "/tag/ithemai/",
    "agency": "/agency/dpa/",
    "article": "/inland/warnung/",
    "search": "/search/?q=Warnung",
}


@pytest.mark.parametrize("page", HOSTILE_PAGES)
def test_markup_in_kicker_and_headline_is_shown_as_text(client, hostile_article, page):
    html = html_of(client.get(HOSTILE_PAGES[page]))

    assert SCRIPT not in html
    assert "<script>x</script>" not in html
    assert ESCAPED_SCRIPT in html
    assert ESCAPED_HEADLINE in html


def test_markup_in_agency_body_text_is_shown_as_text(client, hostile_article):
    body = body_of(client.get(hostile_article.get_absolute_url()))

    assert "&lt;img src=x onerror=alert(1)&gt;" in body


def test_markup_in_editor_body_is_removed(client, hostile_article):
    html = html_of(client.get(hostile_article.get_absolute_url()))

    assert "<img src=x" not in html


def test_markup_in_tag_name_is_shown_as_text(client, hostile_article):
    html = html_of(client.get(hostile_article.get_absolute_url()))

    assert "<i>Thema</i>" not in html
    assert "&lt;i&gt;Thema&lt;/i&gt;" in html


def test_json_ld_keeps_a_headline_with_script_end_tags_inside(client, hostile_article):
    # A browser ends the script at the first "</script": a raw one in the headline
    # would cut the JSON short here, and let "<script>x</script>" run.
    [json_ld] = Page(html_of(client.get(hostile_article.get_absolute_url()))).json_ld

    assert json.loads(json_ld)["headline"] == HEADLINE


def test_search_query_with_markup_is_shown_as_text(client):
    html = html_of(client.get("/search/", {"q": SCRIPT}))

    assert SCRIPT not in html
    assert ESCAPED_SCRIPT in html


# Query counts: every page reads a fixed number of times, however much there is.
# Each page first reads the content state its cache is keyed on (1 query); the
# counts are those of a page not yet in the cache.

SIZES = pytest.mark.parametrize("size", [3, 30])


@SIZES
def test_home_makes_a_fixed_number_of_queries(client, django_assert_num_queries, size):
    populate(size)

    # 1 content state + 1 sections (navigation and blocks share them) + 1 newest
    # articles + 1 query for the newest of every section (an index range each);
    # teasers join section and agency.
    with django_assert_num_queries(4):
        html_of(client.get("/"))


@SIZES
def test_section_page_makes_a_fixed_number_of_queries(client, django_assert_num_queries, size):
    populate(size)

    # 1 content state + 1 the section + 1 sections for the navigation + 1 count
    # + 1 page of articles with section and agency joined.
    with django_assert_num_queries(5):
        html_of(client.get("/inland/"))


@SIZES
def test_tag_page_makes_a_fixed_number_of_queries(client, django_assert_num_queries, size):
    populate(size)

    # 1 content state + 1 the tag + 1 sections for the navigation + 1 count
    # + 1 page of articles.
    with django_assert_num_queries(5):
        html_of(client.get("/tag/thema/"))


@SIZES
def test_agency_page_makes_a_fixed_number_of_queries(client, django_assert_num_queries, size):
    populate(size)

    # 1 content state + 1 the agency + 1 sections for the navigation + 1 count
    # + 1 page of articles.
    with django_assert_num_queries(5):
        html_of(client.get("/agency/dpa/"))


@SIZES
def test_search_page_makes_a_fixed_number_of_queries(client, django_assert_num_queries, size):
    populate(size)

    # 1 content state + 1 sections for the navigation + 1 the newest matches with
    # their rank (counted from the same rows) + 1 the page's articles + 1 snippets of that page.
    with django_assert_num_queries(5):
        html_of(client.get("/search/", {"q": "Meldung"}))


@SIZES
def test_article_page_makes_a_fixed_number_of_queries(client, django_assert_num_queries, size):
    article = populate(size)[-1]

    # 1 content state + 1 the article with section and agency + 1 its tags + 1 its
    # related links with their targets and the targets' sections + 1 its corrections
    # + 1 sections for the navigation.
    with django_assert_num_queries(6):
        html_of(client.get(article.get_absolute_url()))


@SIZES
def test_cached_page_makes_one_query(client, django_assert_num_queries, size):
    populate(size)
    html_of(client.get("/"))

    # 1 content state: unchanged, so the page comes from the cache.
    with django_assert_num_queries(1):
        html_of(client.get("/"))
