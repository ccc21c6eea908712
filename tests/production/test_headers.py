"""The response headers of public pages under the settings production runs (issue 5).

The security settings are read from `newsroom.settings` imported in a process with
`DJANGO_DEBUG=0`, exactly as production computes them, and applied to this test run.
"""

import json
import re
import subprocess
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from articles.models import Article, Section

from .support import PYTHON, ROOT, production_env

pytestmark = pytest.mark.django_db

HOST = "news.example.org"
PRODUCTION_SETTINGS = [
    "DEBUG",
    "ALLOWED_HOSTS",
    "SECURE_SSL_REDIRECT",
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
    "SECURE_CROSS_ORIGIN_OPENER_POLICY",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "X_FRAME_OPTIONS",
    "CONTENT_SECURITY_POLICY",
]
# An executable inline script: a <script> without src whose type is not a data block.
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\ssrc=)(?![^>]*type=\"application/ld\+json\")[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)


@pytest.fixture(scope="module")
def production_values() -> dict:
    script = (
        "import json, newsroom.settings as s; "
        f"print(json.dumps({{name: getattr(s, name) for name in {PRODUCTION_SETTINGS!r}}}))"
    )
    result = subprocess.run(
        [PYTHON, "-c", script], cwd=ROOT, env=production_env(), capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture
def production(settings, production_values):
    """This test run with production's security settings; a new Client picks them up."""
    for name, value in production_values.items():
        setattr(settings, name, tuple(value) if name == "SECURE_PROXY_SSL_HEADER" else value)
    cache.clear()
    return production_values


@pytest.fixture
def reader():
    return Client(HTTP_HOST=HOST)


def make_article(**fields) -> Article:
    defaults = {
        "headline": "Senat beschließt Doppelhaushalt",
        "teaser": "Nach langem Streit.",
        "body": "<p>Die Koalition einigte sich.</p>",
        "section": Section.objects.get(slug="inland"),
        "status": Article.Status.PUBLISHED,
        "published_at": timezone.now() - timedelta(hours=1),
    }
    return Article.objects.create(**{**defaults, **fields})


def directives(header: str) -> dict[str, list[str]]:
    parsed = {}
    for part in header.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


def test_production_really_is_hardened(production_values):
    assert production_values["DEBUG"] is False
    assert production_values["ALLOWED_HOSTS"] == [HOST]
    assert production_values["SECURE_SSL_REDIRECT"] is True
    assert production_values["SECURE_HSTS_SECONDS"] >= 365 * 24 * 3600
    assert production_values["SESSION_COOKIE_SECURE"] and production_values["CSRF_COOKIE_SECURE"]


@pytest.mark.parametrize("page", ["home", "article"])
def test_public_page_headers(production, reader, page):
    article = make_article()
    path = "/" if page == "home" else article.get_absolute_url()

    response = reader.get(path, secure=True)

    assert response.status_code == 200
    csp = directives(response["Content-Security-Policy"])
    assert csp["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in csp["style-src"]
    assert csp["object-src"] == ["'none'"] and csp["frame-ancestors"] == ["'none'"]
    html = response.content.decode()
    assert not INLINE_SCRIPT.search(html), INLINE_SCRIPT.search(html).group()
    assert not INLINE_HANDLER.search(html), INLINE_HANDLER.search(html).group()
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == production["SECURE_REFERRER_POLICY"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["Strict-Transport-Security"] == (
        f"max-age={production['SECURE_HSTS_SECONDS']}; includeSubDomains; preload"
    )
    cache_control = {item.strip() for item in response["Cache-Control"].split(",")}
    assert "public" in cache_control and "private" not in cache_control
    assert response["ETag"]
    # The same for every reader: a CDN may keep one copy (no "Vary: Cookie").
    assert "cookie" not in response.get("Vary", "").lower()

    again = reader.get(path, secure=True, headers={"If-None-Match": response["ETag"]})
    assert again.status_code == 304
    assert again["ETag"] == response["ETag"]
    assert not again.content


def test_behind_the_proxy_https_is_told_by_its_header(production, reader):
    """TLS ends at the load balancer: plain HTTP is sent to https, the proxy's word is taken."""
    plain = reader.get("/")
    assert plain.status_code == 301
    assert plain["Location"] == f"https://{HOST}/"

    proxied = reader.get("/", headers={"X-Forwarded-Proto": "https"})
    assert proxied.status_code == 200
    assert "Strict-Transport-Security" in proxied


def test_a_change_gives_a_new_etag(production, reader):
    article = make_article()
    first = reader.get("/", secure=True)
    article.headline = "Abgeordnetenhaus vertagt Sitzung"
    article.save()

    second = reader.get("/", secure=True, headers={"If-None-Match": first["ETag"]})

    assert second.status_code == 200
    assert second["ETag"] != first["ETag"]
    assert "Abgeordnetenhaus vertagt Sitzung" in second.content.decode()


def test_preview_of_a_draft_is_private(production, reader):
    draft = make_article(headline="Noch nicht freigegeben", status=Article.Status.DRAFT)
    editor = get_user_model().objects.create_user("redakteurin", password="x" * 16, is_staff=True)
    staff = Client(HTTP_HOST=HOST)
    staff.force_login(editor)

    preview = staff.get(draft.get_absolute_url(), secure=True)

    assert preview.status_code == 200
    assert "Noch nicht freigegeben" in preview.content.decode()
    cache_control = {item.strip() for item in preview["Cache-Control"].split(",")}
    assert {"private", "no-cache"} <= cache_control
    assert "public" not in cache_control
    assert not any(item.startswith("s-maxage") for item in cache_control)
    assert "ETag" not in preview
    # Nothing of the preview was kept for readers.
    assert reader.get(draft.get_absolute_url(), secure=True).status_code == 404


@pytest.mark.parametrize("page", ["home", "article"])
def test_page_from_the_cache_has_the_headers_of_the_first(production, reader, page):
    """The second request is answered by PageCacheMiddleware, before the middleware that set them."""
    article = make_article()
    path = "/" if page == "home" else article.get_absolute_url()
    first = reader.get(path, secure=True)

    again = reader.get(path, secure=True)
    not_modified = reader.get(path, secure=True, headers={"If-None-Match": first["ETag"]})

    security = [
        "Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options", "Referrer-Policy",
        "Cross-Origin-Opener-Policy", "Strict-Transport-Security", "Cache-Control", "ETag",
    ]
    assert (again.status_code, again.content) == (200, first.content)
    assert {name: again[name] for name in security} == {name: first[name] for name in security}
    assert not_modified.status_code == 304
    assert {name: not_modified[name] for name in security} == {name: first[name] for name in security}
