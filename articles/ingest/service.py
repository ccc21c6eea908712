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

from dataclasses import dataclass, replace
from datetime import datetime

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from taggit.models import Tag, TaggedItem

from .. import signals, versions
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
from .agency_picture import (
    PICTURE_NOTE,
    FetchedPicture,
    fetch_picture,
    note_written,
    remove_files,
    set_picture,
    wants_picture,
)
from .identity import TIME_MATCHED_FORMATS, find_article, identity_key, is_newer, is_versioned
from .parsed import ParsedArticle
from .related import backfill_links_to, storable_links, write_links, write_related

CREATED, UPDATED, UNCHANGED, HELD = "created", "updated", "unchanged", "held"
# Decisions on a stored article beyond the outcomes above.
WITHDRAW, UPDATE = "withdraw", "update"
# Two imports of one new article race to insert it; the loser starts again and
# finds the winner's row. More rounds than this means something else is wrong.
ATTEMPTS = 3
USABLE = "usable"
# The editorial service (previews, programmes, notes to editors) is never published on import.
REVIEW_DESKS = {"rs"}
# Values in one `IN (…)`: far below SQLite's and PostgreSQL's limits on parameters.
IN_CHUNK = 2000


class ImportRejected(Exception):
    """The parsed article cannot be imported (e.g. its credit names an unknown agency)."""


@dataclass(frozen=True)
class ImportResult:
    outcome: str
    article: Article
    # What the output line should add to the headline, e.g. "picture not downloaded: HTTP 404";
    # "" when everything went as the agency sent it.
    note: str = ""


def import_article(
    parsed: ParsedArticle,
    *,
    section: Section,
    agency: Agency,
    dry_run: bool = False,
    download_pictures: bool = True,
    digest: str = "",
) -> ImportResult:
    """Create or update the article.

    `agency` is used when the text credits none (or, for feed copy, a provider that is
    no agency here: AP or Europa Press in dpa's feed); `section` when the text names no
    desk. `download_pictures=False` (and a dry run) fetch no picture. `digest` (of the
    input's bytes, articles.ingest.batch) is stored with what the input changed.
    """
    check_lengths(parsed)
    agency = agency_for(parsed, agency)
    section = section_for(parsed, section)
    notes: list[str] = []
    if len(storable_links(parsed.links)) < len(parsed.links):
        notes.append("a link of the link box not kept: its address is too long")
    # Looked up without a write transaction (and without its lock): a repeat of what is
    # stored is answered here, and a new picture is fetched before the transaction.
    found = find_article(parsed, agency)
    decision = decide(found, parsed, parsed.content_hash())
    if decision == UNCHANGED:
        return ImportResult(UNCHANGED, found)
    picture = None
    if parsed.picture is not None and decision in (CREATED, UPDATE) and wants_picture(found, parsed.picture):
        if dry_run or not download_pictures:
            notes.append(PICTURE_NOTE.format("not fetched in a dry run" if dry_run else "downloads are off"))
        else:
            picture = fetch_picture(parsed.picture, notes)
    for attempt in range(1, ATTEMPTS + 1):
        written: list[str] = []
        try:
            with transaction.atomic():
                with signals.deferred_indexing():
                    result = apply(parsed, section, agency, picture, written, digest)
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


def decide(article: Article | None, parsed: ParsedArticle, content_hash: str) -> str:
    if article is None:
        return CREATED
    if repeats(article, parsed, content_hash):
        return UNCHANGED
    if parsed.pubstatus != USABLE:
        return WITHDRAW  # the agency's withdrawal is taken even when an editor changed the text
    if article.changed_since_import:
        return HELD
    return UPDATE


def repeats(article: Article, parsed: ParsedArticle, content_hash: str) -> bool:
    """The stored article has this copy already, or a newer version of it."""
    if parsed.urn:
        if not is_newer(parsed, article):
            return True
    elif is_versioned(article):
        # A copy without version (7901) of a story stored from JSON or XML: its time matched
        # the stored version's or an earlier one, and the versioned copy carries more.
        return True
    return article.content_hash == content_hash


def apply(
    parsed: ParsedArticle,
    section: Section,
    agency: Agency,
    picture: FetchedPicture | None = None,
    written: list[str] | None = None,
    digest: str = "",
) -> ImportResult:
    content_hash = parsed.content_hash()
    article = find_article(parsed, agency, lock=True)
    decision = decide(article, parsed, content_hash)
    if decision == CREATED:
        article = create(parsed, section, agency, content_hash, picture, written, digest)
        return ImportResult(CREATED, article)
    if decision == UNCHANGED:
        return ImportResult(UNCHANGED, article)
    if decision == WITHDRAW:
        withdraw(article, parsed, content_hash, digest)
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
    update(article, parsed, content_hash, picture=picture, written=written, digest=digest)
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


def withdraw(article: Article, parsed: ParsedArticle, content_hash: str, digest: str = "") -> None:
    """The agency withdrew the story: readers lose it, nothing is deleted, the text stays."""
    article.status = Article.Status.WITHDRAWN
    article.content_hash = content_hash
    article.source_digest = digest
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


def new_article(
    parsed: ParsedArticle, section: Section, agency: Agency, content_hash: str, digest: str = ""
) -> Article:
    """The article of a new story, not saved yet."""
    article = Article(
        section=section,
        agency=agency,
        status=initial_status(parsed, agency),
        published_at=publication_time(parsed),
        embargo_until=parsed.embargo,
        source_key=identity_key(parsed),
        source_digest=digest,
    )
    fill(article, parsed, content_hash)
    set_source_version(article, parsed)
    return article


def create(
    parsed: ParsedArticle,
    section: Section,
    agency: Agency,
    content_hash: str,
    picture: FetchedPicture | None = None,
    written: list[str] | None = None,
    digest: str = "",
) -> Article:
    article = new_article(parsed, section, agency, content_hash, digest)
    new_picture = set_picture(article, parsed.picture, picture)
    article.save()
    if new_picture:
        note_written(article, written)
    set_tags(article, parsed.tags)
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
    digest: str = "",
) -> None:
    """`digest`: of the input applied; "" (an editor took a held update) matches no input."""
    fill(article, parsed, content_hash)
    article.source_digest = digest
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
    set_tags(article, parsed.tags)
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




def set_tags(article: Article, names) -> None:
    """The agency's tags, one per name case aside, in a few queries.

    taggit's `tags.set()` asks for every tag and every tagged item on its own; an
    import runs this for every story. The signals it would send are not needed: the
    import brings the index up to date once, at its end.
    """
    by_key = tags_named(names)
    tagged = TaggedItem.objects.filter(
        content_type=ContentType.objects.get_for_model(Article), object_id=article.pk
    )
    tagged.exclude(tag__in=list(by_key.values())).delete()
    present = set(tagged.values_list("tag_id", flat=True))
    TaggedItem.objects.bulk_create(
        TaggedItem(content_object=article, tag=tag) for tag in by_key.values() if tag.pk not in present
    )


def tags_named(names) -> dict[str, Tag]:
    """{casefolded name: Tag} for these names, made where missing (tag names ignore case).

    Exact names are looked up first, in one query on the unique index; the few
    left (another case, or new) one by one, case aside.
    """
    wanted: dict[str, str] = {}
    for name in names:
        wanted.setdefault(name.casefold(), name)
    by_key: dict[str, Tag] = {}
    values = list(wanted.values())
    for start in range(0, len(values), IN_CHUNK):
        for tag in Tag.objects.filter(name__in=values[start : start + IN_CHUNK]):
            by_key.setdefault(tag.name.casefold(), tag)
    for key, name in wanted.items():
        if key not in by_key:
            tag = Tag.objects.filter(name__iexact=name).first()
            # taggit makes the new tag's unique slug
            by_key[key] = tag if tag is not None else Tag.objects.create(name=name)
    return by_key


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
