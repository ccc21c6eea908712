"""*Weitere Meldungen* and the link box: related links, resolved by rule 1 and back-filled.

shared/formats/dpa-text.md, "Items under Weitere Meldungen".
"""

from datetime import timedelta

from ..models import Article, RelatedLink
from .dpa_text import normalize_headline
from .parsed import ParsedRelated


def storable_links(links) -> list[tuple[str, str]]:
    limit = RelatedLink._meta.get_field("url").max_length
    return [(title, url) for title, url in links if len(url) <= limit]


def write_links(article: Article, links, start: int) -> None:
    """The link box's links, as related items with an external address, after *Weitere Meldungen*."""
    RelatedLink.objects.bulk_create(
        RelatedLink(article=article, position=position, text=title, headline=title, url=url)
        for position, (title, url) in enumerate(storable_links(links), start=start)
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
    ).exclude(article=article).order_by()
    resolved = []
    for link in waiting:
        keys = prefix_keys(link.text or link.headline)
        if article.headline_key in keys or normalize_headline(link.headline) == article.headline_key:
            keys.setdefault(article.headline_key, len(link.headline))
            link_to(link, article, keys)
            resolved.append(link)
    RelatedLink.objects.bulk_update(resolved, ["target", "headline", "teaser"])
