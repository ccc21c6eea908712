"""Who a parsed story is among the stored articles, and whether its version is newer.

The urn where the format has one (digitalwires and NewsML-G2 are one story); otherwise
first publication time and headline. A wire copy without urn (IPTC 7901) is also found
by agency, time to the minute and headline (shared/formats/dpa-feeds.md).
"""

import hashlib
from datetime import UTC, timedelta

from django.db.models import Q

from ..models import Agency, Article
from .dpa_text import normalize_headline
from .parsed import ParsedArticle

# Copies without urn and version that are found again by agency, time and headline:
# IPTC 7901 carries the time its version was sent (dpa-feeds.md, "Identity and versions").
TIME_MATCHED_FORMATS = {"iptc7901"}
TEXT_KEY_PREFIX = "text:"


def identity_key(parsed: ParsedArticle) -> str:
    """The article at its agency: its urn, or first publication time and headline."""
    if parsed.urn:
        return parsed.urn
    identity = f"{parsed.published_at.astimezone(UTC).isoformat()}|{normalize_headline(parsed.headline)}"
    return TEXT_KEY_PREFIX + hashlib.sha256(identity.encode()).hexdigest()


def find_article(parsed: ParsedArticle, agency: Agency, lock: bool = False) -> Article | None:
    articles = Article.objects.filter(agency=agency)
    if lock:
        articles = articles.select_for_update()
    article = articles.filter(source_key=identity_key(parsed)).first()
    if article is not None:
        return article
    if parsed.urn:
        # The story came first as wire text (no urn): it becomes this urn's article.
        return time_matched(articles.filter(source_key__startswith=TEXT_KEY_PREFIX), parsed)
    if parsed.format in TIME_MATCHED_FORMATS:
        return time_matched(articles, parsed)
    return None


def time_matched(articles, parsed: ParsedArticle) -> Article | None:
    """Same headline, and the copy's time in the minute of the stored story's publication,
    update or version time."""
    moments = {parsed.published_at, parsed.version_created} - {None}
    when = Q()
    for moment in moments:
        start = moment.replace(second=0, microsecond=0)
        for field in ("published_at", "updated_at", "source_version_created"):
            when |= Q(**{f"{field}__gte": start, f"{field}__lt": start + timedelta(minutes=1)})
    return (
        articles.filter(when, headline_key=normalize_headline(parsed.headline))
        .order_by("-published_at", "-id")
        .first()
    )


def is_versioned(article: Article) -> bool:
    """Stored from a format that counts versions (a urn)."""
    return article.source_version is not None or not article.source_key.startswith(TEXT_KEY_PREFIX)


def is_newer(parsed: ParsedArticle, article: Article) -> bool:
    """Higher version; equal version and later version time. Numbers and times, never strings."""
    if article.source_version is None and article.source_version_created is None:
        return True
    if (
        parsed.version is not None
        and article.source_version is not None
        and parsed.version != article.source_version
    ):
        return parsed.version > article.source_version
    if parsed.version_created is not None and article.source_version_created is not None:
        return parsed.version_created > article.source_version_created
    return False
