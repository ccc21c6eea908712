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
from django.db.models import Subquery
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
    """The counter and the next due time, read in one query."""
    row = state_row()
    if row is None:  # the row is made by a migration; a flushed test database lacks it
        ContentVersion.objects.get_or_create(pk=1)
        row = state_row()
    counter, due, embargo = row
    return f"{counter}:{due.timestamp() if due else '-'}:{embargo.timestamp() if embargo else '-'}"


def state_row():
    now = timezone.now()
    published = Article.objects.filter(status=Article.Status.PUBLISHED)
    next_due = published.filter(published_at__gt=now).order_by("published_at")
    next_embargo = published.filter(embargo_until__gt=now).order_by("embargo_until")
    return (
        ContentVersion.objects.filter(pk=1)
        .annotate(
            next_due=Subquery(next_due.values("published_at")[:1]),
            next_embargo=Subquery(next_embargo.values("embargo_until")[:1]),
        )
        .values_list("counter", "next_due", "next_embargo")
        .first()
    )


def cached_page(view):
    """Serve GET/HEAD from the page cache with an ETag; 304 when the client has it."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        if signed_in(request):
            # Editors read the primary: a preview must show what they just saved,
            # which a lagging replica may not have yet.
            return respond(view, request, *args, **kwargs)
        with public_reads():
            return respond(view, request, *args, **kwargs)

    return wrapper


def signed_in(request) -> bool:
    """Whether someone is signed in; readers without a session cookie are not asked
    (asking reads the session, and the answer would then vary on the cookie)."""
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return False
    user = getattr(request, "user", None)
    return user is not None and user.is_authenticated


def respond(view, request, *args, **kwargs):
    key = hashlib.sha256(
        "|".join(
            [settings.NEWSROOM_RELEASE, content_state(), request.get_host(), request.get_full_path()]
        ).encode()
    ).hexdigest()
    etag = quote_etag(key[:32])
    if has_etag(request, etag):
        return finish(HttpResponseNotModified(), etag)
    cached = cache.get(f"page:{key}")
    if cached is not None:
        content, content_type = cached
        return finish(HttpResponse(content, content_type=content_type), etag)
    response = view(request, *args, **kwargs)
    if response.status_code != 200 or "private" in response.get("Cache-Control", ""):
        return response  # previews and errors are never cached
    if hasattr(response, "render"):
        response.render()
    cache.set(f"page:{key}", (response.content, response["Content-Type"]), PAGE_TIMEOUT)
    return finish(response, etag)


def has_etag(request, etag) -> bool:
    """If-None-Match compares weakly (RFC 9110, 13.1.2): a proxy that compresses
    the page passes our ETag on as W/"…", and browsers send that back."""
    sent = parse_etags(request.headers.get("If-None-Match", ""))
    return etag in {tag.removeprefix("W/") for tag in sent}


def finish(response, etag):
    response["ETag"] = etag
    patch_cache_control(response, public=True, max_age=0, s_maxage=SHARED_MAX_AGE)
    patch_vary_headers(response, ["Accept-Encoding"])
    return response

