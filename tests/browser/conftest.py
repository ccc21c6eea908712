"""Headless Chromium for the browser tests, driven by Playwright's sync API.

The tests use Debian's chromium (never `playwright install`) and skip with the
reason when it is missing or does not start.

Playwright's sync API keeps an asyncio event loop running in the main thread while
a test also uses the ORM there. So, for as long as a browser runs:

- Django's async-safety check is switched off (DJANGO_ALLOW_ASYNC_UNSAFE);
- Django's connections are other objects: asgiref keeps thread-critical locals per
  context while a loop runs. The ORM works on a second connection to the same test
  database (the tests are transactional, so both see every commit), but that
  connection lacks what the test database was serialized to for
  `serialized_rollback`. Hence the browser is started per test, after the database
  fixtures, and stopped before them: nothing outside these tests runs under the loop.
"""

import shutil
from pathlib import Path

import pytest
from django.db import connections

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def chromium_path() -> str | None:
    if Path("/usr/bin/chromium").exists():
        return "/usr/bin/chromium"
    return shutil.which("chromium")


@pytest.fixture
def browser(monkeypatch):
    executable = chromium_path()
    if executable is None:
        pytest.skip("chromium is not installed (/usr/bin/chromium, or `chromium` on PATH)")
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError:
        pytest.skip("the Python package playwright is not installed")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    playwright = sync_playwright().start()
    try:
        try:
            browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        except Error as error:
            pytest.skip(f"Playwright cannot launch {executable}: {error.message.splitlines()[0]}")
        yield browser
        browser.close()
    finally:
        connections.close_all()  # the connections opened while the loop ran
        playwright.stop()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def new_context(browser, live_server, request, tmp_path):
    """new_context() opens a fresh browser (own cookies) on the live server, German and in Berlin.

    When the test fails, every page still open is saved as a screenshot to tmp_path.
    A JavaScript error or a Content-Security-Policy violation on any page fails the test.
    """
    contexts = []
    page_errors = []

    def on_console(message):
        if message.type == "error" and "Content Security Policy" in message.text:
            page_errors.append(f"{message.location.get('url')}: {message.text}")

    def new_context():
        context = browser.new_context(
            base_url=live_server.url,
            locale="de-DE",
            timezone_id="Europe/Berlin",
            viewport={"width": 1280, "height": 1000},
        )
        context.set_default_timeout(10_000)  # generous: CI machines are busy
        context.on("console", on_console)
        context.on(
            "weberror", lambda error: page_errors.append(f"{error.page and error.page.url}: {error.error}")
        )
        contexts.append(context)
        return context

    yield new_context
    report = getattr(request.node, "report_call", None)
    for number, context in enumerate(contexts):
        if report is not None and report.failed:
            for page_number, page in enumerate(context.pages):
                path = tmp_path / f"failure-{number}-{page_number}.png"
                try:
                    page.screenshot(path=path, full_page=True)
                    print(f"screenshot of {page.url}: {path}")
                except Exception as error:  # a screenshot is a courtesy, not a second failure
                    print(f"no screenshot of {page.url}: {error}")
        context.close()
    if report is not None and report.passed:
        assert not page_errors, "errors in the browser:\n" + "\n".join(page_errors)


@pytest.fixture(autouse=True)
def _no_login_throttling():
    """Overrides tests/conftest.py's fixture of this name, which turns django-axes off.

    The browser logs in through the real login form, as people do, so login
    throttling stays on here.
    """
