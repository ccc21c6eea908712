"""Turn a parsed agency article into rows: idempotent, one transaction per article.

Knows nothing of file formats; `ParsedArticle` is all it reads (shared/formats/dpa-text.md
and dpa-feeds.md):

- Identity: the story's urn where it has one (digitalwires and NewsML-G2 are one story);
  otherwise its first publication time and headline. A wire copy without urn or version
  (IPTC 7901) is also found by agency, time to the minute and headline, so a story first
  imported from JSON or XML is found again.
- Versions: a version of a urn applies only when it is newer than the stored one; a wire
  copy of a story that counts versions is the same version as stored, or an older one.
- `canceled` (or `withheld`) withdraws, never deletes; a newer usable version brings the
  story back unless an editor withdrew it.
- The picture is fetched before the transaction (the row lock is not held for a slow host)
  and only when the story is new or brings a picture not stored yet; a failed fetch
  leaves the story without picture and says so in `ImportResult.note`.
"""

import hashlib
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import PurePosixPath
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from taggit.models import Tag

from .. import pictures, versions
from ..models import (
    Agency,
    Article,
    ArticleVersion,
    Correction,
    HeldUpdate,
    RelatedLink,
    Section,
)
from ..sanitize import clean_html
from . import pictures_fetch
from .dpa_text import normalize_headline
from .parsed import ParsedArticle, ParsedPicture, ParsedRelated

CREATED, UPDATED, UNCHANGED, HELD = "created", "updated", "unchanged", "held"
# Decisions on a stored article beyond the outcomes above.
WITHDRAW, UPDATE = "withdraw", "update"
# Two imports of one new article race to insert it; the loser starts again and
# finds the winner's row. More rounds than this means something else is wrong.
ATTEMPTS = 3
USABLE = "usable"
# Copies without urn and version that are found again by agency, time and headline:
# IPTC 7901 carries the time its version was sent (dpa-feeds.md, "Identity and versions").
TIME_MATCHED_FORMATS = {"iptc7901"}
TEXT_KEY_PREFIX = "text:"
# The editorial service (previews, programmes, notes to editors) is never published on import.
REVIEW_DESKS = {"rs"}
# Pictures fetched from the agency are stored as "agency-<key>.<suffix>": the key tells
# whether a later version brings the same picture (no second download) or another one.
AGENCY_PICTURE_PREFIX = "agency-"
PICTURE_NOTE = "picture not downloaded: {}"


class ImportRejected(Exception):
    """The parsed article cannot be imported (e.g. its credit names an unknown agency)."""


@dataclass(frozen=True)
class ImportResult:
    outcome: str
    article: Article
    # What the output line should add to the headline, e.g. "picture not downloaded: HTTP 404";
    # "" when everything went as the agency sent it.
    note: str = ""


@dataclass(frozen=True)
class FetchedPicture:
    data: bytes
    name: str  # "agency-<key>.jpg": the suffix matches the content


def import_article(
    parsed: ParsedArticle,
    *,
    section: Section,
    agency: Agency,
    dry_run: bool = False,
    download_pictures: bool = True,
) -> ImportResult:
    """Create or update the article.

    `agency` is used when the text credits none (or, for feed copy, a provider that is
    no agency here: AP or Europa Press in dpa's feed); `section` when the text names no
    desk. `download_pictures=False` (and a dry run) fetch no picture.
    """
    check_lengths(parsed)
    agency = agency_for(parsed, agency)
    section = section_for(parsed, section)
    notes: list[str] = []
    if len(storable_links(parsed.links)) < len(parsed.links):
        notes.append("a link of the link box not kept: its address is too long")
    picture = None
    if parsed.picture is not None and picture_needed(parsed, agency):
        if dry_run or not download_pictures:
            notes.append(PICTURE_NOTE.format("not fetched in a dry run" if dry_run else "downloads are off"))
        else:
            picture = fetch_picture(parsed.picture, notes)
    for attempt in range(1, ATTEMPTS + 1):
        written: list[str] = []
        try:
            with transaction.atomic():
                result = apply(parsed, section, agency, picture, written)
                if dry_run:
                    transaction.set_rollback(True)
        except IntegrityError:
            remove_files(written)
            if attempt == ATTEMPTS:
                raise
            continue
        except BaseException:
            remove_files(written)  # nothing half-written: no picture without its story
            raise
        if dry_run:
            remove_files(written)
        return replace(result, note="; ".join(dict.fromkeys(notes)))
    raise AssertionError("unreachable")


def check_lengths(parsed: ParsedArticle) -> None:
    """Reject what the database cannot hold, alike on every database (SQLite would store it)."""
    for name in ("headline", "kicker", "byline", "dateline"):
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


def credited_agency(credit: str) -> Agency | None:
    return Agency.objects.filter(
        Q(domain__iexact=credit) | Q(slug__iexact=credit) | Q(name__iexact=credit)
    ).first()


def agency_for(parsed: ParsedArticle, agency: Agency) -> Agency:
    """The credited agency; another provider in an agency's feed (parsed.provider) travels under `agency`."""
    if not parsed.credit:
        return agency
    credited = credited_agency(parsed.credit)
    if credited is not None:
        return credited
    if parsed.provider:
        return agency
    raise ImportRejected(f"the credit line names an unknown agency '{parsed.credit}'")


def section_for(parsed: ParsedArticle, fallback: Section) -> Section:
    """The section of the story's desk (settings.NEWSROOM_DESK_SECTIONS); `fallback` without a desk.

    A table entry is a section slug, or {geo subject: slug, "*": slug} where the geo
    subjects decide (pl: Inland with Deutschland among them, else Ausland). A desk the
    table does not name, or a slug no section has, files under the default section.
    """
    if not parsed.desk:
        return fallback
    entry = getattr(settings, "NEWSROOM_DESK_SECTIONS", {}).get(parsed.desk.lower())
    if isinstance(entry, dict):
        places = {place.casefold() for place in parsed.geo_subjects}
        slug = next(
            (slug for place, slug in entry.items() if place != "*" and place.casefold() in places),
            entry.get("*"),
        )
    else:
        slug = entry
    slugs = [slug] if slug else []
    slugs.append(settings.NEWSROOM_DEFAULT_SECTION)
    found = {section.slug: section for section in Section.objects.filter(slug__in=slugs)}
    return next((found[slug] for slug in slugs if slug in found), fallback)


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


def decide(article: Article | None, parsed: ParsedArticle, content_hash: str) -> str:
    if article is None:
        return CREATED
    if parsed.urn:
        if not is_newer(parsed, article):
            return UNCHANGED
    elif is_versioned(article):
        # A copy without version (7901) of a story stored from JSON or XML: its time matched
        # the stored version's or an earlier one, and the versioned copy carries more.
        return UNCHANGED
    if article.content_hash == content_hash:
        return UNCHANGED
    if parsed.pubstatus != USABLE:
        return WITHDRAW  # the agency's withdrawal is taken even when an editor changed the text
    if article.changed_since_import:
        return HELD
    return UPDATE


def apply(
    parsed: ParsedArticle,
    section: Section,
    agency: Agency,
    picture: FetchedPicture | None = None,
    written: list[str] | None = None,
) -> ImportResult:
    content_hash = parsed.content_hash()
    article = find_article(parsed, agency, lock=True)
    decision = decide(article, parsed, content_hash)
    if decision == CREATED:
        article = create(parsed, section, agency, content_hash, picture, written)
        return ImportResult(CREATED, article)
    if decision == UNCHANGED:
        return ImportResult(UNCHANGED, article)
    if decision == WITHDRAW:
        withdraw(article, parsed, content_hash)
        return ImportResult(UPDATED, article)
    if decision == HELD:
        HeldUpdate.objects.get_or_create(
            article=article,
            content_hash=content_hash,
            defaults={"payload": parsed.to_dict()},
        )
        return ImportResult(HELD, article)
    if article.status == Article.Status.WITHDRAWN and parsed.urn and withdrawn_by_agency(article):
        # A newer usable version of a story the agency withdrew: back as on import.
        article.status = initial_status(parsed, agency)
    if parsed.urn and article.source_key != parsed.urn:
        article.source_key = parsed.urn  # adopted from its wire copy
    update(article, parsed, content_hash, picture=picture, written=written)
    return ImportResult(UPDATED, article)


def initial_status(parsed: ParsedArticle, agency: Agency) -> str:
    if parsed.pubstatus != USABLE:
        return Article.Status.WITHDRAWN
    if parsed.desk.lower() in REVIEW_DESKS or not agency.publish_on_import:
        return Article.Status.REVIEW
    return Article.Status.PUBLISHED


def withdrawn_by_agency(article: Article) -> bool:
    """Withdrawn by an import, not by an editor: the newest version is not an editor's."""
    latest = article.versions.first()
    return latest is None or latest.origin != ArticleVersion.Origin.EDIT


def withdraw(article: Article, parsed: ParsedArticle, content_hash: str) -> None:
    """The agency withdrew the story: readers lose it, nothing is deleted, the text stays."""
    article.status = Article.Status.WITHDRAWN
    article.content_hash = content_hash
    set_source_version(article, parsed)
    article.save()
    versions.record(article, ArticleVersion.Origin.AGENCY_UPDATE)


def set_source_version(article: Article, parsed: ParsedArticle) -> None:
    if parsed.urn:
        article.source_version = parsed.version
        article.source_version_created = parsed.version_created


def publication_time(parsed: ParsedArticle) -> datetime:
    """The first publication; copy under embargo appears when its embargo ends."""
    if parsed.embargo is not None and parsed.embargo > parsed.published_at:
        return parsed.embargo
    return parsed.published_at


def create(
    parsed: ParsedArticle,
    section: Section,
    agency: Agency,
    content_hash: str,
    picture: FetchedPicture | None = None,
    written: list[str] | None = None,
) -> Article:
    article = Article(
        section=section,
        agency=agency,
        status=initial_status(parsed, agency),
        published_at=publication_time(parsed),
        embargo_until=parsed.embargo,
        source_key=identity_key(parsed),
    )
    fill(article, parsed, content_hash)
    set_source_version(article, parsed)
    new_picture = set_picture(article, parsed.picture, picture)
    article.save()
    if new_picture:
        note_written(article, written)
    article.tags.set(list(parsed.tags))
    write_related(article, parsed.related)
    write_links(article, parsed.links, start=len(parsed.related) + 1)
    if parsed.correction:
        # The story as first published is the corrected one: no update time for readers.
        Correction.objects.bulk_create(
            [Correction(article=article, text=parsed.correction, created_at=article.published_at)]
        )
    backfill_links_to(article)
    versions.record(article, ArticleVersion.Origin.IMPORT)
    return article


def update(
    article: Article,
    parsed: ParsedArticle,
    content_hash: str,
    user=None,
    picture: FetchedPicture | None = None,
    written: list[str] | None = None,
) -> None:
    fill(article, parsed, content_hash)
    set_source_version(article, parsed)
    moment = update_time(parsed)
    if article.published_at is None or moment > article.published_at:
        article.updated_at = moment
    article.embargo_until = parsed.embargo
    if parsed.embargo is not None and article.published_at and article.published_at < parsed.embargo:
        article.published_at = parsed.embargo
    new_picture = set_picture(article, parsed.picture, picture)
    article.save()
    if new_picture:
        note_written(article, written)
    article.tags.set(list(parsed.tags))
    article.related_links.all().delete()
    write_related(article, parsed.related)
    write_links(article, parsed.links, start=len(parsed.related) + 1)
    if parsed.correction and not article.corrections.filter(text=parsed.correction).exists():
        Correction.objects.create(
            article=article, text=parsed.correction, created_at=article.updated_at or timezone.now()
        )
    versions.record(article, ArticleVersion.Origin.AGENCY_UPDATE, user)


def update_time(parsed: ParsedArticle) -> datetime:
    """When this version was made: its version time, a wire copy's sending time, else now."""
    if parsed.version_created is not None:
        return parsed.version_created
    if parsed.format in TIME_MATCHED_FORMATS:
        return parsed.published_at
    return timezone.now()


def fill(article: Article, parsed: ParsedArticle, content_hash: str) -> None:
    article.headline = parsed.headline
    article.kicker = parsed.kicker
    article.teaser = parsed.teaser
    article.body = parsed.body_html
    article.byline = parsed.byline
    article.dateline = parsed.dateline
    article.infobox_html = clean_html(parsed.infobox_html)
    # Admin only; the parsers keep nothing non-public in it.
    article.editor_notes = parsed.editor_notes
    article.content_hash = content_hash
    # The fingerprint is taken of the body as it will be stored.
    article.body = clean_html(article.body)
    article.imported_fingerprint = article.editorial_fingerprint(
        tags=parsed.tags, related_texts=related_texts(parsed)
    )


def related_texts(parsed: ParsedArticle) -> list[str]:
    """The `text` of every related link the import writes, in order (the editorial fingerprint)."""
    return [item.text for item in parsed.related] + [title for title, _url in storable_links(parsed.links)]


def storable_links(links) -> list[tuple[str, str]]:
    limit = RelatedLink._meta.get_field("url").max_length
    return [(title, url) for title, url in links if len(url) <= limit]


def write_links(article: Article, links, start: int) -> None:
    """The link box's links, as related items with an external address, after *Weitere Meldungen*."""
    RelatedLink.objects.bulk_create(
        RelatedLink(article=article, position=position, text=title, headline=title, url=url)
        for position, (title, url) in enumerate(storable_links(links), start=start)
    )


# The picture


def picture_key(picture: ParsedPicture) -> str:
    """The picture's identity at the agency: its urn, else its address without the query
    (dpa signs its addresses anew with every delivery)."""
    if picture.urn:
        identity = picture.urn
    else:
        parts = urlsplit(picture.url)
        identity = urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
    return hashlib.sha256(identity.encode()).hexdigest()[:20]


def stored_picture_key(article: Article) -> str | None:
    """The key of the agency picture the article has; None without one or with an editor's own."""
    if not article.picture:
        return None
    stem = PurePosixPath(article.picture.name).stem
    if not stem.startswith(AGENCY_PICTURE_PREFIX):
        return None
    return stem.removeprefix(AGENCY_PICTURE_PREFIX)[:20]


def wants_picture(article: Article | None, picture: ParsedPicture) -> bool:
    """A download is needed: no picture yet, or the agency's picture is another one.
    An editor's own picture is never replaced."""
    if article is None or not article.picture:
        return True
    stored = stored_picture_key(article)
    return stored is not None and stored != picture_key(picture)


def picture_needed(parsed: ParsedArticle, agency: Agency) -> bool:
    """Looked up before the transaction, without locks: would this import store a new picture?"""
    article = find_article(parsed, agency)
    if decide(article, parsed, parsed.content_hash()) not in (CREATED, UPDATE):
        return False
    return wants_picture(article, parsed.picture)


def fetch_picture(picture: ParsedPicture, notes: list[str]) -> FetchedPicture | None:
    """The picture's bytes, checked as an upload is; None (and a note) when that fails."""
    deadline = getattr(settings, "NEWSROOM_PICTURE_TIMEOUT", pictures_fetch.DEADLINE)
    try:
        data = pictures_fetch.fetch(picture.url, deadline=deadline, max_bytes=pictures.MAX_BYTES)
    except pictures_fetch.FetchError as error:
        notes.append(PICTURE_NOTE.format(error))
        return None
    suffix = pictures_fetch.suffix_of(data) or PurePosixPath(urlsplit(picture.url).path).suffix.lower()
    name = f"{AGENCY_PICTURE_PREFIX}{picture_key(picture)}{suffix}"
    try:
        pictures.validate_picture(ContentFile(data, name=name))
    except ValidationError as error:
        notes.append(PICTURE_NOTE.format(" ".join(error.messages)))
        return None
    return FetchedPicture(data, name)


def set_picture(article: Article, parsed: ParsedPicture | None, fetched: FetchedPicture | None) -> bool:
    """The agency's picture on the article: a new one stored, the same one's texts renewed,
    one the agency no longer sends removed. An editor's own picture stays.

    True when a new file is to be stored.
    """
    stored = stored_picture_key(article)
    if parsed is None:
        if stored is not None:
            article.picture = None
            article.picture_caption = article.picture_credit = article.picture_alt = ""
        return False
    key = picture_key(parsed)
    if stored == key:
        set_picture_texts(article, parsed, keep=True)
        return False
    if article.picture and stored is None:
        return False  # the editor's picture
    if fetched is None or not fetched.name.startswith(AGENCY_PICTURE_PREFIX + key):
        return False  # not fetched: the note says why
    article.picture = ContentFile(fetched.data, name=fetched.name)
    set_picture_texts(article, parsed, keep=False)
    return True


def set_picture_texts(article: Article, picture: ParsedPicture, keep: bool) -> None:
    """Caption, credit and alternative text; with `keep`, a text the agency leaves out stays."""
    for field, value in (
        ("picture_caption", picture.caption),
        ("picture_credit", picture.credit),
        ("picture_alt", picture.alt or picture.caption),
    ):
        if value or not keep:
            setattr(article, field, shortened(value, Article._meta.get_field(field).max_length))


def shortened(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def note_written(article: Article, written: list[str] | None) -> None:
    """The files a new picture put in storage, to be removed if the story does not commit.

    Renditions are named after the picture's own (unique) file name: no other article shares them.
    """
    if written is None or not article.picture:
        return
    written.append(article.picture.name)
    renditions = article.picture_renditions or {}
    written.extend(value["name"] for value in renditions.values() if isinstance(value, dict))


def remove_files(names: list[str]) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:
            pass


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
    parsed = ParsedArticle.from_dict(held.payload)
    picture = None
    if parsed.picture is not None and wants_picture(Article.objects.get(pk=held.article_id), parsed.picture):
        picture = fetch_picture(parsed.picture, [])
    written: list[str] = []
    try:
        with transaction.atomic():
            article = Article.objects.select_for_update().get(pk=held.article_id)
            versions.record_if_changed(article, ArticleVersion.Origin.EDIT, user)
            update(article, parsed, held.content_hash, user, picture=picture, written=written)
            held.state = HeldUpdate.State.TAKEN
            held.save(update_fields=["state"])
    except BaseException:
        remove_files(written)
        raise
    return article
