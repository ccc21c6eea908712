"""An article's history: a snapshot after every save and agency update, diffs, restore."""

import difflib
import re

from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from .models import Article, ArticleVersion

# What a version keeps and what can be restored: the words and how they are filed.
TEXT_FIELDS = ("headline", "kicker", "teaser", "body", "byline", "dateline")
LABELS = {
    "headline": _("headline"),
    "kicker": _("kicker"),
    "teaser": _("teaser"),
    "body": _("body"),
    "byline": _("byline"),
    "dateline": _("dateline"),
    "section": _("section"),
    "status": _("status"),
    "tags": _("tags"),
    "related": _("related links"),
}
WORDS = re.compile(r"\s+|[^\s]+")


def snapshot(article: Article, tags=None, links=None) -> dict:
    """The article as it stands; `tags` (names) and `links` (its related links, in order)
    default to the stored ones (two queries)."""
    if tags is None:
        tags = [tag.name for tag in article.tags.all()]
    if links is None:
        links = article.related_links.all()
    data = {field: getattr(article, field) for field in TEXT_FIELDS}
    data.update(
        section=article.section.slug,
        status=article.status,
        tags=sorted(tags, key=str.casefold),
        related=[
            {
                "headline": link.headline,
                "teaser": link.teaser,
                "section_name": link.section_name,
                "target": link.target_id,
            }
            for link in links
        ],
    )
    return data


def record(article: Article, origin: str, user=None) -> ArticleVersion:
    return ArticleVersion.objects.create(
        article=article, origin=origin, user=user, data=snapshot(article)
    )


def record_if_changed(article: Article, origin: str, user=None) -> ArticleVersion | None:
    """A version of the article as it stands, unless the newest version already is that."""
    latest = article.versions.first()
    if latest is not None and latest.data == snapshot(article):
        return None
    return record(article, origin, user)


def changed_fields(old: dict | None, new: dict) -> list[str]:
    if old is None:
        return []
    return [field for field in LABELS if old.get(field) != new.get(field)]


def diff(old: dict, new: dict) -> list[tuple[str, str]]:
    """[(label, html)] for every field that differs, words marked <del> and <ins>."""
    rows = []
    for field in changed_fields(old, new):
        before, after = as_text(old.get(field)), as_text(new.get(field))
        if before != after:
            rows.append((str(LABELS[field]), word_diff(before, after)))
    return rows


def as_text(value) -> str:
    if isinstance(value, list):
        return "\n".join(
            item["headline"] if isinstance(item, dict) else str(item) for item in value
        )
    return "" if value is None else str(value)


def word_diff(old: str, new: str) -> str:
    old_words, new_words = WORDS.findall(old), WORDS.findall(new)
    parts = []
    matcher = difflib.SequenceMatcher(a=old_words, b=new_words, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            parts.append(escape("".join(old_words[a1:a2])))
            continue
        if a2 > a1:
            parts.append(f"<del>{escape(''.join(old_words[a1:a2]))}</del>")
        if b2 > b1:
            parts.append(f"<ins>{escape(''.join(new_words[b1:b2]))}</ins>")
    return mark_safe("".join(parts))


def with_changes(versions: list[ArticleVersion]) -> list[tuple[ArticleVersion, list[str]]]:
    """Versions newest first, each with the labels of what it changed from the one before."""
    rows = []
    for index, version in enumerate(versions):
        older = versions[index + 1].data if index + 1 < len(versions) else None
        rows.append((version, [str(LABELS[f]) for f in changed_fields(older, version.data)]))
    return rows


def restore(version: ArticleVersion, user) -> ArticleVersion:
    """Put the version's text and tags back; the restore is itself a new version."""
    article = version.article
    for field in TEXT_FIELDS:
        setattr(article, field, version.data.get(field, ""))
    article.save()
    article.tags.set(version.data.get("tags", []))
    return record(article, ArticleVersion.Origin.EDIT, user)
