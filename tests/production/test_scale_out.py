"""Two gunicorn servers on one PostgreSQL and one Redis (issue 5, DESIGN.md "Consistency").

Each server runs with production settings (DJANGO_DEBUG=0, whitenoise over a
collectstatic of its own), two workers, against this run's test database and a
Redis database of its own. What one server does, the other shows on the next request;
an import running while both serve traffic loses nothing and duplicates nothing.
"""

import json
import os
import re
import signal
import socket
import subprocess
import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone
from taggit.models import Tag

from articles.models import Article, ArticleVersion, Section

from .support import BIN, PYTHON, ROOT, manage, production_env, url_of_test_database
from .web import Browser, fetch, form_fields, replace

DATABASE_URL = os.environ.get("DATABASE_URL", "")
REDIS_URL = os.environ.get("REDIS_URL", "")
pytestmark = [
    pytest.mark.skipif(
        not DATABASE_URL.startswith(("postgres://", "postgresql://")) or not REDIS_URL,
        reason="the scale-out test needs DATABASE_URL=postgres://… and REDIS_URL (CI sets both)",
    ),
    # The servers and the importers are other processes: they see committed rows only.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# A Redis database of the servers' own, emptied before each test: the test database
# starts every test from the same content version, so pages a server cached in an
# earlier test (or run) must not be found again.
SERVER_REDIS_DB = 5
PASSWORD = "Redaktion-Passwort-2025"
IMPORTED = 30
SUMMARY = re.compile(r"^(\d+) created, (\d+) updated, (\d+) unchanged, (\d+) held, (\d+) failed$", re.M)


def server_redis_url() -> str:
    parts = urlsplit(REDIS_URL)
    db = SERVER_REDIS_DB if parts.path.strip("/") != str(SERVER_REDIS_DB) else SERVER_REDIS_DB + 1
    return urlunsplit(parts._replace(path=f"/{db}"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """`gunicorn -c gunicorn.conf.py newsroom.wsgi` in a process group of its own."""

    def __init__(self, name: str, env: dict[str, str], log_dir: Path):
        self.name = name
        self.address = f"127.0.0.1:{free_port()}"
        self.log = log_dir / f"gunicorn-{name}.log"
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "newsroom.wsgi"],
                cwd=ROOT,
                env={**env, "GUNICORN_BIND": self.address, "GUNICORN_WORKERS": "2"},
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_until_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"server {self.name} exited {self.process.returncode}:\n{self.tail()}")
            try:
                if fetch(self.address, "GET", "/robots.txt", timeout=5).status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"server {self.name} did not answer within {timeout} s:\n{self.tail()}")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)  # the master and its workers
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)

    def tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


@pytest.fixture(scope="module")
def static_root(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("staticfiles")
    result = manage("collectstatic", "--noinput", "--verbosity", "0",
                    env=production_env(STATIC_ROOT=str(root)), timeout=300)
    assert result.returncode == 0, result.stderr
    return root


@pytest.fixture(scope="module")
def server_env(django_db_setup, static_root) -> dict[str, str]:
    return production_env(
        DATABASE_URL=url_of_test_database(),
        REDIS_URL=server_redis_url(),
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_SECURE_SSL_REDIRECT="0",
        STATIC_ROOT=str(static_root),
        GUNICORN_LOG_LEVEL="warning",
    )


@pytest.fixture(scope="module")
def servers(server_env, tmp_path_factory):
    """Servers A and B, stopped at the end of the module whatever happened."""
    log_dir = tmp_path_factory.mktemp("logs")
    started = []
    try:
        for name in ("A", "B"):
            started.append(Server(name, server_env, log_dir))
        for server in started:
            server.wait_until_ready()
        yield tuple(started)
    finally:
        for server in started:
            server.stop()


@pytest.fixture
def shared_cache():
    """The servers' Redis database, empty at the start of each test."""
    client = redis.Redis.from_url(server_redis_url())
    client.flushdb()
    yield client
    client.close()


@pytest.fixture
def editor():
    user = get_user_model().objects.create_user("redakteurin", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name="Redaktion"))
    return user


def published_article(headline: str) -> Article:
    return Article.objects.create(
        headline=headline,
        kicker="Berlin",
        teaser="Nach langem Streit.",
        body="<p>Die Koalition einigte sich nach Verhandlungen bis in die Nacht.</p>",
        section=Section.objects.get(slug="inland"),
        status=Article.Status.PUBLISHED,
        published_at=timezone.now() - timedelta(hours=1),
    )


def log_in(browser: Browser, server: Server, username: str, password: str):
    login = browser.get(server.address, "/admin/login/?next=/admin/")
    assert login.status == 200
    fields = dict(form_fields(login.text, "login-form"))
    fields.update(username=username, password=password)
    return browser.post(server.address, "/admin/login/?next=/admin/", fields)


def page_keys(cache) -> list[bytes]:
    return cache.keys("*:page:*")


def test_an_editors_change_through_one_server_shows_through_the_other(servers, shared_cache, editor):
    a, b = servers
    article = published_article("Senat beschließt Doppelhaushalt")
    path = article.get_absolute_url()
    reader = Browser()

    # B serves the article and keeps it in the shared page cache.
    before = reader.get(b.address, path)
    assert before.status == 200, b.tail()
    assert "Senat beschließt Doppelhaushalt" in before.text
    assert page_keys(shared_cache), "B cached nothing in Redis"
    assert reader.get(b.address, path, {"If-None-Match": before.header("ETag")}).status == 304

    # The editor signs in through A ...
    desk = Browser(behind_tls=True)
    signed_in = log_in(desk, a, "redakteurin", PASSWORD)
    assert signed_in.status == 302 and signed_in.header("Location") == "/admin/", signed_in.text[:500]
    # ... and the session is good on B too (sessions live in the database, read through Redis).
    assert desk.get(b.address, "/admin/").status == 200

    # ... and changes the headline in the admin's change form on A.
    change = f"/admin/articles/article/{article.pk}/change/"
    form = desk.get(a.address, change)
    assert form.status == 200
    fields = replace(form_fields(form.text, "article_form"), headline="Senat vertagt Doppelhaushalt")
    saved = desk.post(a.address, change, fields + [("_save", "Sichern")])
    assert saved.status == 302, saved.text[:3000]
    article.refresh_from_db()
    assert article.headline == "Senat vertagt Doppelhaushalt"

    # B's very next answer has the new headline: no old page, no 304 for the old ETag.
    after = reader.get(b.address, path, {"If-None-Match": before.header("ETag")})
    assert after.status == 200
    assert "Senat vertagt Doppelhaushalt" in after.text
    assert "Senat beschließt Doppelhaushalt" not in after.text
    assert after.header("ETag") != before.header("ETag")
    api = fetch(b.address, "GET", f"/api/articles/{article.pk}/")
    assert '"headline": "Senat vertagt Doppelhaushalt"' in api.text
    home = fetch(a.address, "GET", "/")
    assert "Senat vertagt Doppelhaushalt" in home.text


def test_static_files_are_hashed_compressed_and_cached_forever(servers, shared_cache):
    a, b = servers
    home = fetch(a.address, "GET", "/")
    assert home.status == 200
    stylesheets = re.findall(r'href="(/static/[^"]+\.css)"', home.text)
    assert stylesheets, home.text[:1000]
    for href in stylesheets:
        assert re.search(r"\.[0-9a-f]{12}\.css$", href), f"not a hashed name: {href}"
        for server in servers:
            css = fetch(server.address, "GET", href, headers={"Accept-Encoding": "gzip"})
            assert css.status == 200
            assert css.header("Content-Encoding") == "gzip"
            assert "immutable" in css.header("Cache-Control")


def test_security_headers_through_gunicorn_behind_a_tls_proxy(servers, shared_cache):
    a, _ = servers
    response = Browser(behind_tls=True).get(a.address, "/")
    assert response.status == 200
    assert response.header("Strict-Transport-Security").startswith("max-age=")
    assert "script-src 'self'" in response.header("Content-Security-Policy")
    assert response.header("X-Content-Type-Options") == "nosniff"
    assert response.header("X-Frame-Options") == "DENY"


# The import while both servers serve traffic


def dpa_text(number: int) -> str:
    """A small dpa plain text (shared/formats/dpa-text.md), one of a kind per number."""
    minute = f"{number:02d}"
    return "\n\n".join(
        [
            f"Berlin, Haushalt, Bezirk {number}",
            f"Der Bezirk {number} hat seinen Haushalt nach langem Streit beschlossen.",
            f"01.03.2025 - 10:{minute}:00",
            f"Bezirk {number} beschließt Haushalt",
            f"Die Bezirksverordneten von Bezirk {number} einigten sich in der Nacht.",
            "Der Haushalt gilt für zwei Jahre.",
            "@ dpa.de",
        ]
    ) + "\n"


class Traffic:
    """Threads that request pages of both servers until stopped, counting every answer."""

    def __init__(self, servers, paths: list[str], threads_per_server: int = 2):
        self.stop_event = threading.Event()
        self.answers: Counter = Counter()
        self.failures: list[str] = []
        self.threads = [
            threading.Thread(target=self.run, args=(server, paths), daemon=True)
            for server in servers
            for _ in range(threads_per_server)
        ]

    def run(self, server, paths):
        while not self.stop_event.is_set():
            for path in paths:
                try:
                    status = fetch(server.address, "GET", path, timeout=30).status
                except OSError as error:
                    self.failures.append(f"{server.name} {path}: {error!r}")
                    continue
                self.answers[server.name, status] += 1
                if status >= 500:
                    self.failures.append(f"{server.name} {path}: {status}")

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stop_event.set()
        for thread in self.threads:
            thread.join(timeout=60)


def run_import(env, folder: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [PYTHON, "manage.py", "import_dpa", "--section", "inland", str(folder)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def finished(process: subprocess.Popen) -> tuple[int, str, tuple[int, ...]]:
    stdout, stderr = process.communicate(timeout=300)
    found = SUMMARY.findall(stdout)
    assert found, f"no summary line:\n{stdout}\n{stderr}"
    return process.returncode, stdout + stderr, tuple(map(int, found[-1]))


def api_headlines(server: Server) -> dict[int, str]:
    """Every article the API lists through `server`, page by page."""
    seen, page = {}, 1
    while True:
        response = fetch(server.address, "GET", f"/api/articles/?agency=dpa&page={page}")
        assert response.status == 200, response.text[:500]
        data = json.loads(response.body)
        for item in data["results"]:
            assert item["id"] not in seen, f"{item['id']} listed twice"
            seen[item["id"]] = item["headline"]
        if not data["next"]:
            assert len(seen) == data["count"]
            return seen
        page += 1


def test_an_import_during_traffic_loses_nothing_and_duplicates_nothing(
    servers, shared_cache, server_env, tmp_path
):
    a, b = servers
    own = published_article("Senat beschließt Doppelhaushalt")
    folder = tmp_path / "drop"
    folder.mkdir()
    for number in range(1, IMPORTED + 1):
        (folder / f"meldung-{number:02d}.txt").write_text(dpa_text(number))
    expected = {f"Bezirk {number} beschließt Haushalt" for number in range(1, IMPORTED + 1)}
    before = Article.objects.count()
    paths = ["/", own.get_absolute_url(), "/inland/", "/api/articles/", "/api/articles/?agency=dpa"]

    importers = []
    try:
        with Traffic(servers, paths) as traffic:
            time.sleep(0.5)  # the servers are busy before the imports start
            importers += [run_import(server_env, folder), run_import(server_env, folder)]
            runs = [finished(importers[0]), finished(importers[1])]
            importers.append(run_import(server_env, folder))
            runs.append(finished(importers[2]))
            time.sleep(0.5)
    finally:
        for importer in importers:
            if importer.poll() is None:
                importer.kill()
                importer.wait()

    for code, output, _ in runs:
        assert code == 0, output
    (_, _, one), (_, _, two), (_, _, again) = runs
    # Between them the two concurrent runs created each article once and found it once.
    assert one[0] + two[0] == IMPORTED, runs
    assert one[2] + two[2] == IMPORTED, runs
    assert one[1] == two[1] == one[3] == two[3] == one[4] == two[4] == 0, runs
    assert again == (0, 0, IMPORTED, 0, 0), runs[2][1]

    imported = Article.objects.filter(agency__slug="dpa")
    assert Article.objects.count() == before + IMPORTED
    assert sorted(imported.values_list("headline", flat=True)) == sorted(expected)
    assert imported.values("source_key").distinct().count() == IMPORTED
    assert imported.values("slug").distinct().count() == IMPORTED
    versions = Counter(ArticleVersion.objects.filter(article__in=imported).values_list("article", flat=True))
    assert set(versions.values()) == {1}, "each import is one version"
    assert Tag.objects.filter(name__iexact="Berlin").count() == 1
    for article in imported.prefetch_related("tags"):
        assert len({tag.name.casefold() for tag in article.tags.all()}) == len(article.tags.all()) == 3

    assert not traffic.failures, "\n".join(traffic.failures[:20]) + f"\n{a.tail()}\n{b.tail()}"
    for server in servers:
        assert traffic.answers[server.name, 200] >= 10, traffic.answers

    # Every server lists all of them, right away.
    ids = set(imported.values_list("pk", flat=True))
    for server in servers:
        assert set(api_headlines(server)) == ids
        home = fetch(server.address, "GET", "/")
        assert f"Bezirk {IMPORTED} beschließt Haushalt" in home.text  # the newest of them
