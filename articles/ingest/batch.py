"""Agency input in batches: what a run over a busy day's folder spends its time on.

Most stories of such a run are new, and a run over the same folder again finds every
one stored. For each batch of up to `SIZE` stories, in input order:

1. Repeats byte for byte: each story's `digest` (its bytes, the fallback agency and the
   release of the import code) is looked up in one query; a stored one is `unchanged`
   without being read again.
2. The others are parsed and looked up by their identity in one query; a copy the stored
   article already has is `unchanged`.
3. New stories that need nothing else are written together (`create_many`): one
   transaction, bulk inserts, the search index and content version once.

Everything else goes through `service.import_article`, one story at a time and in input
order, as a story on its own would: updates, held and withdrawn copies, a picture to
fetch, a urn or wire copy that may match a stored story by time, a story that comes twice
in the batch, and a repeat of an article an earlier story of the batch changed. So does a
batch whose bulk write fails (another process stored one of its stories first: the unique
identity index says so).

What a batch writes equals what its stories one at a time would write
(tests/ingest/test_batch.py), but for one thing: an article's first version shows an item
naming a story later in the same batch as resolved, as it is once the batch is stored.
A byte-for-byte repeat is reported with the article's headline as it stands.
"""

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection, models, transaction
from taggit.models import TaggedItem

from .. import signals, versions
from ..models import Agency, Article, ArticleVersion, Correction, RelatedLink, Section
from . import formats, related, service
from .dpa_text import normalize_headline
from .identity import TIME_MATCHED_FORMATS, identity_key
from .parsed import ParsedArticle, ParseError

FAILED = "failed"
SIZE = 500
# Fields whose Python values the drivers do not take as they are (`insert`).
NEEDS_PREPARATION = (models.DateTimeField, models.JSONField, models.FileField)
# Rows a RETURNING insert writes at once: 500 articles are ~16,000 parameters.
RETURNING_ROWS = 500
# What telling a repeat from a new version takes (service.repeats).
IDENTITY_FIELDS = (
    "id", "agency_id", "source_key", "source_version", "source_version_created", "content_hash"
)


@dataclass(frozen=True)
class Story:
    """One story of the input, as imported (or not)."""

    outcome: str  # created, updated, unchanged, held or failed
    detail: str  # the headline (and a note from the import, such as a picture not fetched), or the error
    raw: bytes  # the story's own input: what an editor retries when it failed
    part: str = ""  # "entry 2" / "newsItem 2" inside an input of several stories, else ""

    @property
    def failed(self) -> bool:
        return self.outcome == FAILED


def unexpected(error: Exception) -> str:
    return f"unexpected error: {type(error).__name__}: {error}"


def code_release() -> bytes:
    """The import code as it reads input now: a new release reads every input again."""
    here = Path(__file__).resolve().parent
    files = sorted(here.glob("*.py")) + [here.parent / "sanitize.py"]
    return hashlib.sha256(b"".join(path.read_bytes() for path in files)).hexdigest().encode()


RELEASE = code_release()


def digest(raw: bytes, agency: Agency) -> str:
    """Of one story's bytes as imported with `agency` as the fallback (identity is per agency)."""
    return hashlib.sha256(b"%s\0%d\0%s" % (RELEASE, agency.pk, raw)).hexdigest()


@dataclass
class Item:
    """A story of the batch on its way."""

    source: Any  # what the caller gave with the input, handed back with the story
    raw: bytes
    part: str = ""
    digest: str = ""
    story: Story | None = None  # the outcome, once known
    parsed: ParsedArticle | None = None
    section: Section | None = None
    agency: Agency | None = None
    content_hash: str = ""
    key: tuple = field(default=())  # (agency id, identity at the agency)
    repeat_of: int | None = None  # the article whose input this is, byte for byte

    def done(self, outcome: str, detail: str) -> None:
        prefix = f"{self.part}: " if self.part and outcome == FAILED else ""
        self.story = Story(outcome, f"{prefix}{detail}", self.raw, self.part)


def import_inputs(
    inputs: Iterable[tuple[Any, bytes | Story]],
    *,
    section: Section,
    agency: Agency,
    pictures: bool = True,
    size: int = SIZE,
) -> Iterator[tuple[Any, Story]]:
    """Every story of every input, with the input's `source`, in input order.

    An input is its bytes, or a `Story` that already failed (a file that could not be read).
    `pictures=False` fetches no picture.
    """
    batch = Batch(section=section, agency=agency, pictures=pictures)
    items: list[Item] = []
    for source, data in inputs:
        if isinstance(data, Story):
            items.append(Item(source, data.raw, story=data))
        else:
            items.extend(split(source, data))
        if len(items) >= size:
            yield from batch.run(items)
            items = []
    yield from batch.run(items)


def split(source, data: bytes) -> list[Item]:
    """The stories of one input; an input of one story is read as it came, so that its
    errors name its own lines."""
    try:
        parts = formats.split(data)
    except ParseError as error:  # the whole input is broken: invalid JSON, unsafe XML
        return [Item(source, data, story=Story(FAILED, str(error), data))]
    except Exception as error:  # one bad input must not end a run
        return [Item(source, data, story=Story(FAILED, unexpected(error), data))]
    if len(parts) <= 1:
        return [Item(source, data)]
    kind = "newsItem" if formats.detect(data) == formats.NEWSML else "entry"
    return [Item(source, part, f"{kind} {number}") for number, part in enumerate(parts, start=1)]


class Batch:
    def __init__(self, *, section: Section, agency: Agency, pictures: bool):
        self.section = section
        self.agency = agency
        self.pictures = pictures
        # Credit lines and desks repeat all day: each is looked up once a run.
        self.agencies: dict[tuple, Agency | service.ImportRejected] = {}
        self.sections: dict[tuple, Section] = {}

    def run(self, items: list[Item]) -> Iterator[tuple[Any, Story]]:
        for item in items:
            if item.story is None:
                item.digest = digest(item.raw, self.agency)
        self.answer_repeats(items)
        for item in items:
            if item.story is None:
                self.read(item)
        stored = self.stored_by_identity([item for item in items if item.story is None])
        fast: list[Item] = []
        seen: set[tuple] = set()
        touched: set[int] = set()  # articles changed by a story of this batch on its own
        for item in items:
            if item.repeat_of in touched:
                # A story earlier in this batch changed the article: read this one after all.
                item.story = item.repeat_of = None
                self.read(item)
                if item.story is None:
                    self.write(fast)
                    fast = []
                    result = self.import_one(item)
                    if result is not None:
                        touched.add(result.article.pk)
                continue
            if item.story is not None:
                continue
            article = stored.get(item.key)
            again = item.key in seen or (article is not None and article.pk in touched)
            seen.add(item.key)
            if not again and article is not None and service.repeats(article, item.parsed, item.content_hash):
                item.done(service.UNCHANGED, item.parsed.headline)
            elif not again and article is None and self.simple(item.parsed):
                fast.append(item)
            else:
                self.write(fast)
                fast = []
                result = self.import_one(item)
                if result is not None:
                    touched.add(result.article.pk)
        self.write(fast)
        for item in items:
            yield item.source, item.story

    def answer_repeats(self, items: list[Item]) -> None:
        digests = [item.digest for item in items if item.story is None]
        stored = {}
        for start in range(0, len(digests), service.IN_CHUNK):
            for digest_, pk, headline in (
                Article.objects.filter(source_digest__in=digests[start : start + service.IN_CHUNK])
                .order_by()
                .values_list("source_digest", "id", "headline")
            ):
                stored[digest_] = (pk, headline)
        for item in items:
            if item.story is None and item.digest in stored:
                item.repeat_of, headline = stored[item.digest]
                item.done(service.UNCHANGED, headline)

    def read(self, item: Item) -> None:
        """Parse the story and find where it goes; a story that cannot be imported fails here."""
        try:
            parsed = formats.parse(item.raw)
            service.check_lengths(parsed)
            item.agency = self.agency_for(parsed)
            item.section = self.section_for(parsed)
        except (ParseError, service.ImportRejected) as error:
            item.done(FAILED, str(error))
            return
        except Exception as error:  # one bad story must not end the run with a traceback
            item.done(FAILED, unexpected(error))
            return
        item.parsed = parsed
        item.content_hash = parsed.content_hash()
        item.key = (item.agency.pk, identity_key(parsed))

    def agency_for(self, parsed: ParsedArticle) -> Agency:
        memo = (parsed.credit, bool(parsed.provider))
        if memo not in self.agencies:
            try:
                self.agencies[memo] = service.agency_for(parsed, self.agency)
            except service.ImportRejected as error:
                self.agencies[memo] = error
        found = self.agencies[memo]
        if isinstance(found, service.ImportRejected):
            raise found
        return found

    def section_for(self, parsed: ParsedArticle) -> Section:
        memo = (parsed.desk, parsed.geo_subjects)
        if memo not in self.sections:
            self.sections[memo] = service.section_for(parsed, self.section)
        return self.sections[memo]

    def stored_by_identity(self, items: list[Item]) -> dict[tuple, Article]:
        keys_by_agency: dict[int, list[str]] = {}
        for item in items:
            keys_by_agency.setdefault(item.key[0], []).append(item.key[1])
        stored = {}
        for agency_id, keys in keys_by_agency.items():
            for start in range(0, len(keys), service.IN_CHUNK):
                for article in Article.objects.filter(
                    agency_id=agency_id, source_key__in=keys[start : start + service.IN_CHUNK]
                ).only(*IDENTITY_FIELDS):
                    stored[(agency_id, article.source_key)] = article
        return stored

    def simple(self, parsed: ParsedArticle) -> bool:
        """A new story that can be written with others: nothing to fetch, nothing to match by time."""
        return not (
            parsed.urn  # may adopt an article stored from its wire text
            or parsed.format in TIME_MATCHED_FORMATS
            or parsed.picture is not None
            or len(related.storable_links(parsed.links)) < len(parsed.links)
        )

    def import_one(self, item: Item) -> service.ImportResult | None:
        try:
            result = service.import_article(
                item.parsed,
                section=self.section,
                agency=self.agency,
                download_pictures=self.pictures,
                digest=item.digest,
            )
        except service.ImportRejected as error:
            item.done(FAILED, str(error))
            return None
        except Exception as error:  # one bad story must not end the run with a traceback
            item.done(FAILED, unexpected(error))
            return None
        detail = f"{item.parsed.headline} ({result.note})" if result.note else item.parsed.headline
        item.done(result.outcome, detail)
        return result

    def write(self, items: list[Item]) -> None:
        if not items:
            return
        try:
            create_many(items)
        except IntegrityError:
            # Another process stored one of them meanwhile: each story on its own finds it.
            for item in items:
                self.import_one(item)
            return
        for item in items:
            item.done(service.CREATED, item.parsed.headline)


def create_many(items: list[Item]) -> None:
    """New articles, as `service.create` makes one: made ready first (reads and Python),
    then written in one transaction of a few statements, so that the write lock (on
    SQLite, the whole database's) is held for the writing only."""
    parsed = [item.parsed for item in items]
    articles = [
        service.new_article(item.parsed, item.section, item.agency, item.content_hash, item.digest)
        for item in items
    ]
    for article in articles:
        article.headline_key = normalize_headline(article.headline)
    give_slugs(articles)
    links = link_articles(articles, parsed)
    with transaction.atomic(), signals.deferred_indexing():
        insert(Article, articles, unique="slug")
        signals.changed(article.pk for article in articles)
        related.backfill_links_to_many(articles)
        all_links = [link for article_links in links for link in article_links]
        for link in all_links:
            link.article_id = link.article.pk
            link.target_id = link.target.pk if link.target is not None else None
        insert(RelatedLink, all_links)
        tags = tag_articles(articles, [story.tags for story in parsed])
        insert(
            Correction,
            [
                Correction(article_id=article.pk, text=story.correction, created_at=article.published_at)
                for article, story in zip(articles, parsed, strict=True)
                if story.correction
            ],
        )
        insert(
            ArticleVersion,
            [
                ArticleVersion(
                    article_id=article.pk,
                    origin=ArticleVersion.Origin.IMPORT,
                    data=versions.snapshot(article, tags=article_tags, links=article_links),
                )
                for article, article_tags, article_links in zip(articles, tags, links, strict=True)
            ],
        )


def insert(model, objects: list, *, unique: str = "") -> None:
    """New rows in a few statements; with `unique` (a unique field's name) each object gets
    the id of its row, found by that field.

    `bulk_create` prepares every value of every row through the ORM, which costs an
    import more than the insert itself. Here only the values that need it (times, JSON,
    files) go through their field (`pre_save`, then `get_db_prep_save`); text, numbers and
    ids go as they are. The objects must be complete: related ids set."""
    if not objects:
        return
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    prepared = {field.attname for field in fields if isinstance(field, NEEDS_PREPARATION)}
    rows = [
        [
            field.get_db_prep_save(field.pre_save(obj, True), connection)
            if field.attname in prepared
            else getattr(obj, field.attname)
            for field in fields
        ]
        for obj in objects
    ]
    quote = connection.ops.quote_name
    head = f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(field.column) for field in fields)})"
    row = f"({', '.join(['%s'] * len(fields))})"
    with connection.cursor() as cursor:
        if not unique:
            cursor.executemany(f"{head} VALUES {row}", rows)
            return
        # RETURNING (SQLite 3.35+, PostgreSQL) names no order: each id comes with its row's
        # unique value. A statement's parameters stay far below either database's limit.
        by_unique = {getattr(obj, unique): obj for obj in objects}
        returning = f"RETURNING {quote(model._meta.pk.column)}, {quote(model._meta.get_field(unique).column)}"
        for start in range(0, len(rows), RETURNING_ROWS):
            chunk = rows[start : start + RETURNING_ROWS]
            cursor.execute(
                f"{head} VALUES {', '.join([row] * len(chunk))} {returning}",
                [value for values in chunk for value in values],
            )
            for pk, value in cursor.fetchall():
                obj = by_unique[value]
                obj.pk = pk
                obj._state.adding = False
                obj._state.db = connection.alias


def give_slugs(articles: list[Article]) -> None:
    """Each article its headline's slug; the taken ones in one query, numbered one by one."""
    bases = [article.slug_base() for article in articles]
    taken = set()
    for start in range(0, len(bases), service.IN_CHUNK):
        taken.update(
            Article.objects.filter(slug__in=bases[start : start + service.IN_CHUNK])
            .order_by()
            .values_list("slug", flat=True)
        )
    given: set[str] = set()
    for article, base in zip(articles, bases, strict=True):
        article.slug = base if base not in taken and base not in given else article.unique_slug(given)
        given.add(article.slug)


def tag_articles(articles: list[Article], names: list[tuple[str, ...]]) -> list[list[str]]:
    """The agency's tags on the new articles; each article's tag names as stored."""
    by_key = service.tags_named(name for article_names in names for name in article_names)
    content_type = ContentType.objects.get_for_model(Article)
    rows, stored_names = [], []
    for article, article_names in zip(articles, names, strict=True):
        keys = dict.fromkeys(name.casefold() for name in article_names)
        rows.extend(
            TaggedItem(content_type_id=content_type.pk, object_id=article.pk, tag_id=by_key[key].pk)
            for key in keys
        )
        stored_names.append([by_key[key].name for key in keys])
    insert(TaggedItem, rows)
    return stored_names


def link_articles(articles: list[Article], parsed: list[ParsedArticle]) -> list[list[RelatedLink]]:
    """*Weitere Meldungen* and the link box of the new articles, not saved yet: resolved
    against the stored headlines (one lookup) and the batch's own; each article's links in order."""
    keys = [[related.prefix_keys(item.text) for item in story.related] for story in parsed]
    wanted = set()
    for story_keys in keys:
        for item_keys in story_keys:
            wanted.update(item_keys)
    known = related.known_headlines(wanted)
    known.extend(article for article in articles if article.headline_key in wanted)
    known = related.by_headline_key(known)
    return [
        related.related_links(article, story.related, story_keys, known)
        + related.link_box(article, story.links, start=len(story.related) + 1)
        for article, story, story_keys in zip(articles, parsed, keys, strict=True)
    ]
