"""axe-core finds no violations on the reader's pages, at a desktop and a phone width, in headless Chromium.

Debian's chromium at /usr/bin/chromium, never `playwright install`; the tests skip with
the reason when it is missing or does not start.
"""

import io
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from ..factories import UNPUBLISHED, make_article

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]

pytestmark = [
    pytest.mark.browser,
    # The live server reads the test's rows from another thread: they must be committed.
    # Committed rows are flushed afterwards, with the sections and the agency of the
    # data migration; serialized_rollback brings those back for every test.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PAGES = {
    "home": "/",
    "section": "/inland/",
    "article": "/inland/senat-beschliesst-haushalt/",
    "tag": "/tag/schuldenbremse/",
    "search": "/search/?q=Haushalt",
    "archive": "/archiv/2025/02/28/",
    "404": "/gibt/es/nicht/",
}
WIDTHS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


class Browser:
    """Headless Chromium driven by Playwright's sync API in a thread of its own.

    A second sync Playwright started in the thread where another one runs (the
    session-wide one of tests/browser) takes that thread's context with it, and
    with it Django's database connection: the tests would then see an empty
    database. In a thread of its own it touches nothing of the tests' thread.
    """

    def __init__(self):
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chromium")
        self._playwright = self._browser = None

    def run(self, function, *args):
        """function(*args) in the browser's thread; its result, or its exception, here."""
        return self._thread.submit(function, *args).result()

    def start(self) -> str | None:
        """Launch Chromium; the reason when it cannot be launched."""
        from playwright.sync_api import Error, sync_playwright

        self._playwright = sync_playwright().start()
        try:
            self._browser = self._playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
            )
        except Error as error:
            self._playwright.stop()
            return f"Playwright cannot launch {CHROMIUM}: {error.message.splitlines()[0]}"
        return None

    def stop(self) -> None:
        self._browser.close()
        self._playwright.stop()

    def visit(self, base_url: str, path: str, width: str, color_scheme: str, inspect):
        """Open `path` in a fresh German browser and return what inspect(page) finds there."""
        context = self._browser.new_context(
            base_url=base_url, locale="de-DE", timezone_id="Europe/Berlin",
            viewport=WIDTHS[width], color_scheme=color_scheme,
        )
        try:
            page = context.new_page()
            response = page.goto(path)
            return response.status, inspect(page)
        finally:
            context.close()


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"chromium is not installed at {CHROMIUM}")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        pytest.skip("the Python package playwright is not installed")
    with pytest.MonkeyPatch.context() as patch:
        # Playwright runs an event loop. Ours runs in the browser's thread, but the
        # tests' thread may hold another one (tests/browser): let the ORM work there.
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        chromium = Browser()
        reason = chromium.run(chromium.start)
        if reason:
            pytest.skip(reason)
        yield chromium
        chromium.run(chromium.stop)


def jpeg(width: int, height: int) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.linear_gradient("L").resize((width, height)).convert("RGB").save(out, "JPEG")
    return SimpleUploadedFile("senat.jpg", out.getvalue(), content_type="image/jpeg")


@pytest.fixture
def site(settings, tmp_path):
    """A small newspaper: an article with everything it can show, and some around it."""
    settings.MEDIA_ROOT = tmp_path / "media"
    published_at = datetime(2025, 2, 28, 12, 16, tzinfo=UTC)
    target = make_article(
        headline="Opposition kündigt Klage gegen den Haushalt an", section="inland",
        published_at=published_at.replace(hour=10),
    )
    for number, section in enumerate(["ausland", "wirtschaft", "sport", "kultur", "inland"]):
        make_article(
            section=section, headline=f"Meldung {number + 1} aus dem Ressort",
            kicker="Kurz gemeldet", teaser="Ein Vorspann, der die Meldung in einem Satz erzählt.",
            published_at=published_at.replace(hour=8 + number),
        )
    make_article(headline="Haushalt im Entwurf", **UNPUBLISHED["draft"])
    return make_article(
        slug="senat-beschliesst-haushalt",
        kicker="Landesfinanzen",
        headline="Senat beschließt Haushalt",
        teaser="Die Koalition einigte sich nach Verhandlungen bis in die Nacht.",
        body="<p>Der Beschluss zum Haushalt fiel einstimmig.</p>\n<h2>Opposition kritisiert Schulden</h2>\n"
        "<p>Die Fraktionen kündigten Widerstand an.</p>",
        byline="Von Erika Mustermann",
        published_at=published_at,
        updated_at=published_at.replace(hour=14),
        tags=["Schuldenbremse", "Abgeordnetenhaus"],
        related=[target, {"headline": "Senatorin tritt zurück", "teaser": "Sie nennt persönliche Gründe."}],
        corrections=["In einer früheren Fassung stand ein falscher Betrag."],
        picture=jpeg(1600, 900),
        picture_alt="Die Senatorinnen und Senatoren bei der Abstimmung im Plenarsaal",
        picture_caption="Abstimmung im Abgeordnetenhaus",
        picture_credit="Erika Mustermann/dpa",
    )


@pytest.fixture(params=WIDTHS)
def width(request):
    return request.param


@pytest.fixture
def visit(browser, live_server, site):
    """visit(name, inspect, width=, color_scheme=): what inspect(page) finds on one of PAGES."""

    def visit(name: str, inspect, width: str = "desktop", color_scheme: str = "light"):
        status, found = browser.run(browser.visit, live_server.url, PAGES[name], width, color_scheme, inspect)
        assert status == (404 if name == "404" else 200)
        return found

    return visit


def axe_report(page) -> str | None:
    """axe-core's report of the page's violations, None when there are none."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return results.generate_report() if results.violations_count else None


@pytest.mark.parametrize("name", PAGES)
def test_axe_finds_no_violations(visit, name, width):
    assert visit(name, axe_report, width) is None


@pytest.mark.parametrize("name", PAGES)
def test_axe_finds_no_violations_in_dark_mode(visit, name, width):
    assert visit(name, axe_report, width, color_scheme="dark") is None


def scroll_sideways(page) -> int:
    return page.evaluate("() => { window.scrollTo(100, 0); return window.scrollX; }")


@pytest.mark.parametrize("name", PAGES)
def test_page_does_not_scroll_sideways_on_a_phone(visit, name):
    assert visit(name, scroll_sideways, "phone") == 0


@pytest.mark.parametrize("name", PAGES)
def test_page_is_marked_as_german(visit, name):
    assert visit(name, lambda page: page.locator("html").get_attribute("lang")) == "de"


def first_tab_stop(page) -> list[str]:
    page.keyboard.press("Tab")
    return page.evaluate(
        "() => [document.activeElement.textContent.trim(), document.activeElement.getAttribute('href')]"
    )


@pytest.mark.parametrize("name", PAGES)
def test_first_tab_reaches_the_skip_link_to_the_main_content(visit, name):
    assert visit(name, first_tab_stop) == ["Zum Inhalt springen", "#inhalt"]


def focus_after_skip_link(page) -> str:
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    return page.evaluate("() => document.activeElement.tagName + '#' + document.activeElement.id")


@pytest.mark.parametrize("name", PAGES)
def test_skip_link_moves_the_focus_to_the_main_content(visit, name):
    assert visit(name, focus_after_skip_link) == "MAIN#inhalt"


def test_article_picture_has_its_alternative_text(visit):
    alt = visit("article", lambda page: page.locator(".article__figure img").get_attribute("alt"))

    assert alt == "Die Senatorinnen und Senatoren bei der Abstimmung im Plenarsaal"


def test_article_picture_keeps_its_place_before_it_loads(visit, site):
    rendition = site.rendition("article")

    # The live server serves no media: the picture never loads, and its box is what
    # the width and height in the markup reserve.
    box = visit("article", lambda page: page.locator(".article__figure img").bounding_box())

    assert round(box["width"] / box["height"], 2) == round(rendition["width"] / rendition["height"], 2)
