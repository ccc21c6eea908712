"""*Weitere Meldungen* and the link box: related links, resolved by rule 1 and back-filled.

shared/formats/dpa-text.md, "Items under Weitere Meldungen".
"""

import re
from datetime import timedelta

from django.db import connection
from django.db.models import Q

from ..models import Article, RelatedLink
from .dpa_text import normalize_headline
from .parsed import ParsedRelated

HEADLINE_MAX = Article._meta.get_field("headline").max_length
# Not a letter or digit (`str.isalnum`): `\w` is exactly those and the underscore.
NOT_ALNUM = re.compile(r"[\W_]")


def storable_links(links) -> list[tuple[str, str]]:
    limit = RelatedLink._meta.get_field("url").max_length
    return [(title, url) for title, url in links if len(url) <= limit]


def write_links(article: Article, links, start: int) -> None:
    """The link box's links, as related items with an external address, after *Weitere Meldungen*."""
    RelatedLink.objects.bulk_create(link_box(article, links, start))


def link_box(article: Article, links, start: int) -> list[RelatedLink]:
    return [
        RelatedLink(article=article, position=position, text=title, headline=title, url=url)
        for position, (title, url) in enumerate(storable_links(links), start=start)
    ]


def prefix_keys(text: str) -> dict[str, int]:
    """Every normalised prefix of `text` that ends at a word boundary, with where it ends.

    `normalize_headline` of each prefix, written out: a batch asks this of every item."""
    limit = min(len(text), HEADLINE_MAX)
    ends = [match.start() for match in NOT_ALNUM.finditer(text, 1, limit + 1)]
    if 0 < limit == len(text):
        ends.append(limit)
    keys = {}
    for end in ends:
        if text[end - 1].isspace():
            continue  # the same prefix as one character earlier, which has it
        key = " ".join(text[:end].split())
        if key.endswith("."):
            key = key[:-1].rstrip()
        key = key.casefold()
        if key and key not in keys:
            keys[key] = end
    return keys


def write_related(article: Article, items: tuple[ParsedRelated, ...]) -> None:
    """Rule 1 first: an item whose text starts with a known headline links to that article."""
    keys_by_item = [prefix_keys(item.text) for item in items]
    known = known_headlines(set().union(*keys_by_item)) if items else []
    RelatedLink.objects.bulk_create(related_links(article, items, keys_by_item, by_headline_key(known)))


def known_headlines(keys: set[str], chunk: int = 2000) -> list[Article]:
    """The articles with one of these headline keys (id, headline, key and time only).

    A batch of stories asks for tens of thousands of prefixes at once: written as SQL,
    so that the driver binds them rather than the ORM preparing each one."""
    keys = list(keys)
    table = connection.ops.quote_name(Article._meta.db_table)
    found = []
    for start in range(0, len(keys), chunk):
        part = keys[start : start + chunk]
        found.extend(
            Article.objects.raw(
                f"SELECT id, headline, headline_key, published_at FROM {table} "
                f"WHERE headline_key IN ({', '.join(['%s'] * len(part))})",
                part,
            )
        )
    return found


def by_headline_key(articles) -> dict[str, list[Article]]:
    known: dict[str, list[Article]] = {}
    for article in articles:
        known.setdefault(article.headline_key, []).append(article)
    return known


def related_links(
    article: Article, items, keys_by_item: list[dict[str, int]], known: dict[str, list[Article]]
) -> list[RelatedLink]:
    """The article's *Weitere Meldungen*, each resolved to the best of the `known` articles
    (by headline key) its text starts with."""
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
        matches = [
            candidate
            for key in keys
            for candidate in known.get(key, ())
            if not same_article(candidate, article)
        ]
        if matches:
            link_to(link, best_match(matches, item), keys)
        links.append(link)
    return links


def same_article(one: Article, other: Article) -> bool:
    """The same object, or the same row (an article not saved yet is only itself)."""
    return one is other or (one.pk is not None and one.pk == other.pk)


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
    backfill_links_to_many([article])


def backfill_links_to_many(articles: list[Article]) -> None:
    """`backfill_links_to` for new articles at once; an item goes to the first of them it names.

    The waiting items are read for the stretches of time the articles' minutes cover
    (the index on target and time answers it) and kept for those minutes."""
    by_minute: dict = {}
    for article in articles:
        by_minute.setdefault(article.published_at.replace(second=0, microsecond=0), []).append(article)
    when = Q()
    for first, last in stretches(sorted(by_minute)):
        when |= Q(published_at__gte=first, published_at__lt=last + timedelta(minutes=1))
    ids = [article.pk for article in articles]
    waiting = (
        RelatedLink.objects.filter(when, target__isnull=True)
        .exclude(article_id__in=ids)
        .order_by()
        .only("id", "text", "headline", "published_at")
    )
    resolved = []
    for link in waiting:
        candidates = by_minute.get(link.published_at.replace(second=0, microsecond=0), ())
        if not candidates:
            continue
        keys = prefix_keys(link.text or link.headline)
        headline_key = normalize_headline(link.headline)
        for article in candidates:
            if article.headline_key in keys or headline_key == article.headline_key:
                keys.setdefault(article.headline_key, len(link.headline))
                link_to(link, article, keys)
                resolved.append((link.target_id, link.headline, link.teaser, link.pk))
                break
    if resolved:
        table = connection.ops.quote_name(RelatedLink._meta.db_table)
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {table} SET target_id = %s, headline = %s, teaser = %s WHERE id = %s", resolved
            )


def stretches(minutes: list, gap: timedelta = timedelta(hours=6)) -> list[tuple]:
    """Sorted minutes as (first, last) runs without a gap longer than `gap`: a few ranges
    to ask the database for, instead of one per minute."""
    runs = []
    for minute in minutes:
        if runs and minute - runs[-1][1] <= gap:
            runs[-1][1] = minute
        else:
            runs.append([minute, minute])
    return [(first, last) for first, last in runs]
