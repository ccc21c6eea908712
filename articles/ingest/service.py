"""Turn a parsed agency article into rows: idempotent, one transaction per article.

Knows nothing of file formats; `ParsedArticle` is all it reads.
"""

import hashlib
from dataclasses import dataclass
from datetime import UTC, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from taggit.models import Tag

from .. import versions
from ..models import Agency, Article, ArticleVersion, HeldUpdate, RelatedLink, Section
from ..sanitize import clean_html
from .dpa_text import normalize_headline
from .parsed import ParsedArticle, ParsedRelated

CREATED, UPDATED, UNCHANGED, HELD = "created", "updated", "unchanged", "held"
# Two imports of one new article race to insert it; the loser starts again and
# finds the winner's row. More rounds than this means something else is wrong.
ATTEMPTS = 3


class ImportRejected(Exception):
    """The parsed article cannot be imported (e.g. its credit names an unknown agency)."""


@dataclass(frozen=True)
class ImportResult:
    outcome: str
    article: Article


def import_article(
    parsed: ParsedArticle, *, section: Section, agency: Agency, dry_run: bool = False
) -> ImportResult:
    """Create or update the article; `agency` is used when the text credits none."""
    check_lengths(parsed)
    agency = credited_agency(parsed.credit) if parsed.credit else agency
    for attempt in range(1, ATTEMPTS + 1):
        try:
            with transaction.atomic():
                result = apply(parsed, section, agency)
                if dry_run:
                    transaction.set_rollback(True)
                return result
        except IntegrityError:
            if attempt == ATTEMPTS:
                raise
    raise AssertionError("unreachable")


def check_lengths(parsed: ParsedArticle) -> None:
    """Reject what the database cannot hold, alike on every database (SQLite would store it)."""
    for name in ("headline", "kicker"):
        limit = Article._meta.get_field(name).max_length
        if len(getattr(parsed, name)) > limit:
            raise ImportRejected(f"{name} longer than {limit} characters")
    tag_limit = Tag._meta.get_field("name").max_length
    for tag in parsed.tags:
        if len(tag) > tag_limit:
            raise ImportRejected(f"tag '{tag[:30]}…' longer than {tag_limit} characters")
    section_limit = RelatedLink._meta.get_field("section_name").max_length
    for item in parsed.related:
        if len(item.section_name) > section_limit:
            raise ImportRejected(
                f"section of a related item longer than {section_limit} characters"
            )


def credited_agency(credit: str) -> Agency:
    agency = Agency.objects.filter(
        Q(domain__iexact=credit) | Q(slug__iexact=credit) | Q(name__iexact=credit)
    ).first()
    if agency is None:
        raise ImportRejected(f"the credit line names an unknown agency '{credit}'")
    return agency


def identity_key(parsed: ParsedArticle) -> str:
    """The article at its agency: its urn, or first publication time and headline."""
    if parsed.urn:
        return parsed.urn
    identity = f"{parsed.published_at.astimezone(UTC).isoformat()}|{normalize_headline(parsed.headline)}"
    return "text:" + hashlib.sha256(identity.encode()).hexdigest()


def apply(parsed: ParsedArticle, section: Section, agency: Agency) -> ImportResult:
    content_hash = parsed.content_hash()
    article = (
        Article.objects.select_for_update()
        .filter(agency=agency, source_key=identity_key(parsed))
        .first()
    )
    if article is None:
        return ImportResult(CREATED, create(parsed, section, agency, content_hash))
    if article.content_hash == content_hash:
        return ImportResult(UNCHANGED, article)
    if article.changed_since_import:
        HeldUpdate.objects.get_or_create(
            article=article,
            content_hash=content_hash,
            defaults={"payload": parsed.to_dict()},
        )
        return ImportResult(HELD, article)
    update(article, parsed, content_hash)
    return ImportResult(UPDATED, article)


def create(parsed: ParsedArticle, section: Section, agency: Agency, content_hash: str) -> Article:
    status = Article.Status.PUBLISHED if agency.publish_on_import else Article.Status.REVIEW
    article = Article(
        section=section,
        agency=agency,
        status=status,
        published_at=parsed.published_at,
        source_key=identity_key(parsed),
    )
    fill(article, parsed, content_hash)
    article.save()
    article.tags.set(list(parsed.tags))
    write_related(article, parsed.related)
    backfill_links_to(article)
    versions.record(article, ArticleVersion.Origin.IMPORT)
    return article


def update(article: Article, parsed: ParsedArticle, content_hash: str, user=None) -> None:
    fill(article, parsed, content_hash)
    article.updated_at = timezone.now()
    article.save()
    article.tags.set(list(parsed.tags))
    article.related_links.all().delete()
    write_related(article, parsed.related)
    versions.record(article, ArticleVersion.Origin.AGENCY_UPDATE, user)


def fill(article: Article, parsed: ParsedArticle, content_hash: str) -> None:
    article.headline = parsed.headline
    article.kicker = parsed.kicker
    article.teaser = parsed.teaser
    article.body = parsed.body_html
    article.byline = parsed.byline
    article.dateline = parsed.dateline
    article.content_hash = content_hash
    # The fingerprint is taken of the body as it will be stored.
    article.body = clean_html(article.body)
    article.imported_fingerprint = article.editorial_fingerprint(
        tags=parsed.tags, related_texts=[item.text for item in parsed.related]
    )


def prefix_keys(text: str) -> dict[str, int]:
    """Every normalised prefix of `text` that ends at a word boundary, with where it ends."""
    limit = min(len(text), Article._meta.get_field("headline").max_length)
    keys = {}
    for end in range(1, limit + 1):
        if end == len(text) or not text[end].isalnum():
            keys.setdefault(normalize_headline(text[:end]), end)
    keys.pop("", None)
    return keys


def write_related(article: Article, items: tuple[ParsedRelated, ...]) -> None:
    """Rule 1 first: an item whose text starts with a known headline links to that article."""
    keys_by_item = [prefix_keys(item.text) for item in items]
    wanted = set().union(*keys_by_item) if items else set()
    known = list(
        Article.objects.filter(headline_key__in=wanted)
        .exclude(pk=article.pk)
        .only("id", "headline", "headline_key", "published_at")
    )
    links = []
    for position, (item, keys) in enumerate(zip(items, keys_by_item, strict=True), start=1):
        link = RelatedLink(
            article=article,
            position=position,
            text=item.text,
            headline=item.headline,
            teaser=item.teaser,
            section_name=item.section_name,
            published_at=item.published_at,
            url=item.url,
        )
        matches = [candidate for candidate in known if candidate.headline_key in keys]
        if matches:
            link_to(link, best_match(matches, item), keys)
        links.append(link)
    RelatedLink.objects.bulk_create(links)


def best_match(matches: list[Article], item: ParsedRelated) -> Article:
    """The same minute first, then the longest headline, then the newest."""

    def rank(candidate: Article):
        same_minute = candidate.published_at is not None and same_minute_as(
            candidate.published_at, item.published_at
        )
        return (same_minute, len(candidate.headline_key), candidate.published_at or item.published_at)

    return max(matches, key=rank)


def same_minute_as(moment, minute) -> bool:
    start = minute.replace(second=0, microsecond=0)
    return start <= moment < start + timedelta(minutes=1)


def link_to(link: RelatedLink, target: Article, keys: dict[str, int]) -> None:
    """Resolve the link and split its text again at the target's headline."""
    end = keys[target.headline_key]
    link.target = target
    link.headline = target.headline
    link.teaser = link.text[end:].lstrip(" .").strip()


def backfill_links_to(article: Article) -> None:
    """Items that named this article before it arrived: same minute, its headline leading their text."""
    start = article.published_at.replace(second=0, microsecond=0)
    waiting = RelatedLink.objects.filter(
        target__isnull=True, published_at__gte=start, published_at__lt=start + timedelta(minutes=1)
    ).exclude(article=article)
    resolved = []
    for link in waiting:
        keys = prefix_keys(link.text or link.headline)
        if article.headline_key in keys or normalize_headline(link.headline) == article.headline_key:
            keys.setdefault(article.headline_key, len(link.headline))
            link_to(link, article, keys)
            resolved.append(link)
    RelatedLink.objects.bulk_update(resolved, ["target", "headline", "teaser"])


def take_held_update(held: HeldUpdate, user=None) -> Article:
    """Apply an agency update an editor chose to take; the editor's text stays in the history."""
    with transaction.atomic():
        article = Article.objects.select_for_update().get(pk=held.article_id)
        versions.record_if_changed(article, ArticleVersion.Origin.EDIT, user)
        update(article, ParsedArticle.from_dict(held.payload), held.content_hash, user)
        held.state = HeldUpdate.State.TAKEN
        held.save(update_fields=["state"])
    return article
