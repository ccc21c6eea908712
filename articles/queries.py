"""The reads behind the public pages and the API, each a fixed number of queries."""

import hashlib
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import connection, connections, router
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from taggit.models import Tag, TaggedItem

from .addresses import addresses_of
from .models import Agency, Article, Correction, RelatedLink, Section

HOME_LATEST = 12
HOME_PER_SECTION = 4
SECTIONS_TIMEOUT = 300


def sections(request) -> list[Section]:
    """The sections, each with its `url`, read once per request (navigation and home
    share them), and once per content state for pages that know it (a section's
    change moves the state; the state is read first thing anyway)."""
    if not hasattr(request, "_newsroom_sections"):
        state = getattr(request, "content_state", None)
        key = None
        if state:  # keyed like the pages: a deploy may change what a section carries
            key = "sections:" + hashlib.sha256(f"{settings.NEWSROOM_RELEASE}|{state}".encode()).hexdigest()
        found = cache.get(key) if key else None
        if found is None:
            found = list(Section.objects.all())
            for section in found:
                section.url = section.get_absolute_url()
            if key:
                cache.set(key, found, SECTIONS_TIMEOUT)
        request._newsroom_sections = found
    return request._newsroom_sections


def latest(limit: int = HOME_LATEST) -> list[Article]:
    return list(Article.objects.published().for_lists()[:limit])


def section_blocks(all_sections: list[Section], per_section: int = HOME_PER_SECTION):
    """The newest articles of every section in one query: [(section, [article, …])].

    One index range per section (article_section_idx), each `per_section` long: a
    window function over every published article read them all (70 ms at 10,000).
    """
    if not all_sections:
        return []
    published = Article.objects.published().order_by("-published_at", "-id").values("pk")
    newest = Q()
    for section in all_sections:
        newest |= Q(pk__in=published.filter(section=section)[:per_section])
    by_section: dict[int, list[Article]] = {}
    for article in Article.objects.for_lists().filter(newest):
        by_section.setdefault(article.section_id, []).append(article)
    return [(section, by_section[section.pk]) for section in all_sections if section.pk in by_section]


@dataclass
class RelatedItem:
    """An item of "Weitere Meldungen" as readers see it."""

    headline: str
    teaser: str
    section_name: str
    published_at: datetime | None
    # The linked article's address while readers may see it, else the agency's
    # external one (nofollow: not ours to vouch for), else None.
    url: str | None
    nofollow: bool


@dataclass
class ArticlePage:
    article: Article
    tags: list[Tag]
    related: list[RelatedItem]
    corrections: list[Correction]


def article_page(request, slug: str) -> ArticlePage | None:
    """An article with what its page shows, whatever its status (the view decides who
    may see it): the article with its section and agency, its tags (by name), its
    related items with the addresses they link to, its corrections.

    Four queries (the section comes from the navigation's list), written as SQL
    once, like the content state: the ORM took longer to build them than the
    database to answer them.
    """
    connection = connections[router.db_for_read(Article)]
    [row] = fetch(connection, article_sql(), [slug]) or [None]
    if row is None:
        return None
    article, agency = instance(connection, Article, row, skip=ARTICLE_SKIP)
    section = {section.pk: section for section in sections(request)}.get(article.section_id)
    if section is not None:  # else a section newer than the list: read when asked for
        article.section = section
    if article.agency_id is not None:
        # Only what the page shows of the agency; the rest would load if asked for.
        article.agency = Agency.from_db(
            connection.alias, ["id", *AGENCY_FIELDS], [article.agency_id, *agency]
        )
    content_type = ContentType.objects.get_for_model(Article).pk
    tags = sorted(
        (
            instance(connection, Tag, row)[0]
            for row in fetch(connection, tags_sql(), [content_type, article.pk])
        ),
        key=lambda tag: tag.name.casefold(),
    )
    tag_address = addresses_of("articles:tag", 1)
    for tag in tags:
        tag.url = tag_address(tag.slug)
    related = related_items(connection, article.pk)
    corrections = [
        instance(connection, Correction, row)[0] for row in fetch(connection, corrections_sql(), [article.pk])
    ]
    return ArticlePage(article, tags, related, corrections)


AGENCY_FIELDS = ["name", "slug", "credit"]
ARTICLE_SKIP = frozenset({"search_vector"})  # the full-text vector is never shown


def fetch(connection, sql: str, params) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def instance(connection, model, row, skip=frozenset()):
    """The model instance of a row of `columns(model, …, skip)` as the ORM would make it
    (what RawQuerySet does, without working out the columns for every query), and the
    row's further columns."""
    names, converters = row_plan(connection, model, skip)
    values = list(row[: len(names)])
    for position, column, convert in converters:
        values[position] = convert(values[position], column, connection)
    return model.from_db(connection.alias, names, values), row[len(names):]


def converted(connection, field, value):
    """A column's value as the ORM gives it (SQLite returns times as text, for one)."""
    column, converters = field_converters(connection, field)
    for convert in converters:
        value = convert(value, column, connection)
    return value


# Worked out once per connection: asking the backend and the fields costs more than converting.
@lru_cache(maxsize=32)
def row_plan(connection, model, skip):
    """The attribute names of `columns(model, …, skip)` and the converters of those that have any."""
    fields = [field for field in model._meta.concrete_fields if field.name not in skip]
    converters = []
    for position, field in enumerate(fields):
        column, own = field_converters(connection, field)
        converters += [(position, column, convert) for convert in own]
    return [field.attname for field in fields], converters


@lru_cache(maxsize=256)
def field_converters(connection, field):
    column = field.get_col(field.model._meta.db_table)
    return column, [*connection.ops.get_db_converters(column), *column.get_db_converters(connection)]


# Both backends quote names alike, so the statements are made once per process.
def quote(name: str) -> str:
    return connection.ops.quote_name(name)


def columns(model, alias: str, skip=()) -> str:
    return ", ".join(
        f"{alias}.{quote(field.column)}" for field in model._meta.concrete_fields if field.name not in skip
    )


@lru_cache
def article_sql() -> str:
    agency_columns = ", ".join(f"agency.{quote(name)}" for name in AGENCY_FIELDS)
    return (
        f"SELECT {columns(Article, 'article', skip=ARTICLE_SKIP)}, {agency_columns}"
        f" FROM {quote(Article._meta.db_table)} article"
        f" LEFT JOIN {quote(Agency._meta.db_table)} agency ON agency.id = article.agency_id"
        " WHERE article.slug = %s"
    )


@lru_cache
def tags_sql() -> str:
    return (
        f"SELECT {columns(Tag, 'tag')} FROM {quote(Tag._meta.db_table)} tag"
        f" INNER JOIN {quote(TaggedItem._meta.db_table)} tagged ON tagged.tag_id = tag.id"
        " WHERE tagged.content_type_id = %s AND tagged.object_id = %s"
    )


@lru_cache
def corrections_sql() -> str:
    return (
        f"SELECT {columns(Correction, 'correction')} FROM {quote(Correction._meta.db_table)} correction"
        " WHERE correction.article_id = %s ORDER BY correction.created_at, correction.id"
    )


def related_items(connection, article_id: int) -> list[RelatedItem]:
    """The article's related items in order, each with the address it links to."""
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    time = RelatedLink._meta.get_field("published_at")
    article_address = addresses_of("articles:article", 2)
    items = []
    rows = fetch(connection, related_sql(), [Article.Status.PUBLISHED.value, now, now, article_id])
    for headline, teaser, section_name, published_at, external, slug, section_slug, visible in rows:
        url = article_address(section_slug, slug) if visible else external or None
        items.append(
            RelatedItem(
                headline, teaser, section_name, converted(connection, time, published_at), url,
                nofollow=not visible and bool(url),
            )
        )
    return items


@lru_cache
def related_sql() -> str:
    link, target = RelatedLink._meta, Article._meta
    return (
        "SELECT link.headline, link.teaser, link.section_name, link.published_at, link.url,"
        " target.slug, section.slug,"
        # Readers may see the target: Article.objects.published(), for one row.
        " CASE WHEN target.status = %s AND target.published_at <= %s"
        " AND (target.embargo_until IS NULL OR target.embargo_until <= %s) THEN 1 ELSE 0 END"
        f" FROM {quote(link.db_table)} link"
        f" LEFT JOIN {quote(target.db_table)} target ON target.id = link.target_id"
        f" LEFT JOIN {quote(Section._meta.db_table)} section ON section.id = target.section_id"
        " WHERE link.article_id = %s ORDER BY link.position"
    )


def page_of(queryset, number, per_page: int | None = None):
    """One page of a list (a count and a slice: two queries); 404 for a page that is not there."""
    paginator = Paginator(queryset, per_page or settings.NEWSROOM_PAGE_SIZE, allow_empty_first_page=True)
    try:
        return paginator.page(number or 1)
    except (PageNotAnInteger, EmptyPage):
        raise Http404("no such page") from None
