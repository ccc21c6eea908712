"""HTTP caching and the page cache for public pages.

Everything is keyed on the *content state*: the `ContentVersion` counter, which
every change moves, and the next moment a scheduled article or an embargo comes
due. One query reads it; a page cached under an older state is never served
again, whichever process made the change, and a scheduled article appears the
moment its time comes, without a cron job and without clearing anything.
"""

import hashlib
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db import connections, router
from django.http import HttpResponse, HttpResponseNotModified
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import parse_etags, quote_etag

from newsroom.routers import public_reads

from .models import Article, ContentVersion

# Shared caches (a CDN, a proxy) may keep a public page this long; browsers revalidate.
SHARED_MAX_AGE = 60
PAGE_TIMEOUT = 300


def content_state() -> str:
    """The counter and the next due times, read in one query."""
    row = state_row()
    if row is None:  # the row is made by a migration; a flushed test database lacks it
        ContentVersion.objects.get_or_create(pk=1)
        row = state_row()
    return ":".join("-" if value is None else str(value) for value in row)


# Every public request asks this, so it is written once as SQL rather than built by
# the ORM each time (building it cost more than running it). The due times are the
# next scheduled publication and the next embargo end (of any article: the embargo's
# own index answers that at once): readers' pages change then.
STATE_SQL = """
    SELECT version.counter,
        (SELECT article.published_at FROM {articles} article
         WHERE article.status = %s AND article.published_at > %s
         ORDER BY article.published_at LIMIT 1),
        (SELECT article.embargo_until FROM {articles} article
         WHERE article.embargo_until > %s
         ORDER BY article.embargo_until LIMIT 1)
    FROM {versions} version WHERE version.id = 1
"""


def state_row():
    connection = connections[router.db_for_read(ContentVersion)]
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    sql = STATE_SQL.format(
        articles=connection.ops.quote_name(Article._meta.db_table),
        versions=connection.ops.quote_name(ContentVersion._meta.db_table),
    )
    published = Article.Status.PUBLISHED.value
    with connection.cursor() as cursor:
        cursor.execute(sql, [published, now, now])
        return cursor.fetchone()


def cached_page(view):
    """Serve GET/HEAD from the page cache with an ETag; 304 when the client has it."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        if signed_in(request):
            # Editors read the primary: a preview must show what they just saved,
            # which a lagging replica may not have yet.
            return respond(view, request, "editor", *args, **kwargs)
        with public_reads():
            return respond(view, request, "reader", *args, **kwargs)

    return wrapper


def signed_in(request) -> bool:
    """Whether someone is signed in; readers without a session cookie are not asked
    (asking reads the session, and the answer would then vary on the cookie)."""
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return False
    user = getattr(request, "user", None)
    return user is not None and user.is_authenticated


def page_key(request, state: str, audience: str) -> str:
    """The page's identity: what is shown (release, content state), where, and to whom."""
    return hashlib.sha256(
        "|".join(
            [
                settings.NEWSROOM_RELEASE, state, audience, request.scheme,
                request.get_host(), request.get_full_path(),
            ]
        ).encode()
    ).hexdigest()


def respond(view, request, audience, *args, **kwargs):
    # PageCacheMiddleware has read the state already when it had this page, and
    # keeps the response itself: a second copy here would halve what the cache holds.
    by_middleware = hasattr(request, "_page_slot")
    # The page's reads may key on it too (the sections of the navigation).
    request.content_state = state = getattr(request, "content_state", None) or content_state()
    key = page_key(request, state, audience)
    etag = quote_etag(key[:32])
    if has_etag(request, etag):
        return finish(HttpResponseNotModified(), etag)
    cached = None if by_middleware else cache.get(f"page:{key}")
    if cached is not None:
        content, content_type = cached
        return finish(HttpResponse(content, content_type=content_type), etag)
    response = view(request, *args, **kwargs)
    if response.status_code != 200 or "private" in response.get("Cache-Control", ""):
        return response  # previews and errors are never cached
    if hasattr(response, "render"):
        response.render()
    if by_middleware and audience == "reader":
        response.page_state = state
    else:
        cache.set(f"page:{key}", (response.content, response["Content-Type"]), PAGE_TIMEOUT)
    return finish(response, etag)


def has_etag(request, etag) -> bool:
    """If-None-Match compares weakly (RFC 9110, 13.1.2): a proxy that compresses
    the page passes our ETag on as W/"…", and browsers send that back."""
    sent = parse_etags(request.META.get("HTTP_IF_NONE_MATCH", ""))
    return etag in {tag.removeprefix("W/") for tag in sent}


def finish(response, etag):
    response["ETag"] = etag
    patch_cache_control(response, public=True, max_age=0, s_maxage=SHARED_MAX_AGE)
    patch_vary_headers(response, ["Accept-Encoding"])
    return response


class PageCacheMiddleware:
    """Readers' pages straight from the cache, before sessions, CSRF, auth and the URLconf.

    Placed after SecurityMiddleware (its HSTS header depends on each request's
    scheme) and before everything else. A reader's request (GET or HEAD without a
    session cookie) for an address whose page `cached_page` rendered for a reader
    is answered with that response as the inner middleware finished it (CSP,
    X-Frame-Options and all) while the content state is the one it was rendered
    at. Only answers to such GETs that set no cookie are kept; editors, who have
    a session cookie, never meet them. One response per address: a newer
    state replaces it. Addresses that are no cached page cost one cache miss, no query.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ("GET", "HEAD") or settings.SESSION_COOKIE_NAME in request.COOKIES:
            return self.get_response(request)
        request._page_slot = slot = "page:response:" + hashlib.sha256(
            "|".join(
                [settings.NEWSROOM_RELEASE, request.scheme, request.get_host(), request.get_full_path()]
            ).encode()
        ).hexdigest()
        stored = cache.get(slot)
        if stored is not None:
            state, response = stored
            with public_reads():
                request.content_state = content_state()
            if state == request.content_state:
                return not_modified(response) if has_etag(request, response["ETag"]) else response
        response = self.get_response(request)
        state = getattr(response, "page_state", None)
        # Only a GET's: a HEAD's answer may have lost its body on the way out.
        if state is not None and request.method == "GET" and not response.cookies:
            cache.set(slot, (state, response), PAGE_TIMEOUT)
        return response


def not_modified(response):
    """A 304 with the stored page's headers, as `finish` gives the view's own 304."""
    answer = HttpResponseNotModified()
    for name, value in response.items():
        if name.lower() not in ("content-type", "content-length"):
            answer[name] = value
    return answer
