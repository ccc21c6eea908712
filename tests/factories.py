"""Real rows for tests, made by plain functions.

The data migration provides the sections (ausland, inland, wirtschaft, sport, kultur,
wissenschaft, panorama, nachrichten) and the agency dpa; these functions look them up
by slug and create everything else.
"""

import itertools
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from articles.models import Agency, Article, Correction, RelatedLink, Section

_sequence = itertools.count(1)
# Articles made without a time are published one second apart, in the order they
# are made, within the past day: the last one made is the newest.
_start = timezone.now() - timedelta(days=1)


def make_agency(**overrides) -> Agency:
    number = next(_sequence)
    fields = {
        "name": f"Agentur {number}",
        "slug": f"agentur-{number}",
        "domain": f"agentur-{number}.example",
        "credit": f"Agentur {number} GmbH",
        **overrides,
    }
    return Agency.objects.create(**fields)


def make_article(
    *,
    section: str | Section = "inland",
    agency: str | Agency | None = "dpa",
    tags: tuple[str, ...] | list[str] = (),
    related: tuple = (),
    corrections: tuple[str, ...] | list[str] = (),
    **overrides,
) -> Article:
    """A published article, unless `status` or `published_at` say otherwise.

    `section` and `agency` take a slug or a row (`agency=None` for own copy);
    `tags` are names; `related` items become the article's *Weitere Meldungen* in
    their order, each an Article (a resolved link to it) or a dict of RelatedLink
    fields (without `target`: an unresolved agency item); `corrections` are texts
    of correction notes.
    """
    number = next(_sequence)
    fields = {
        "headline": f"Schlagzeile {number}",
        "kicker": f"Dachzeile {number}",
        "teaser": f"Vorspann {number}.",
        "body": f"<p>Absatz {number}.</p>",
        "status": Article.Status.PUBLISHED,
        "published_at": _start + timedelta(seconds=number),
        **overrides,
    }
    article = Article.objects.create(
        section=section if isinstance(section, Section) else Section.objects.get(slug=section),
        agency=agency if agency is None or isinstance(agency, Agency) else Agency.objects.get(slug=agency),
        **fields,
    )
    if tags:
        article.tags.add(*tags)
    for position, item in enumerate(related, start=1):
        if isinstance(item, Article):
            make_related(article, position=position, target=item)
        else:
            make_related(article, position=position, **item)
    for text in corrections:
        Correction.objects.create(article=article, text=text)
    return article


def make_related(
    article: Article, *, position: int, target: Article | None = None, **overrides
) -> RelatedLink:
    """An item under *Weitere Meldungen*; with a target it carries the target's text."""
    if target is not None:
        fields = {
            "headline": target.headline,
            "teaser": target.teaser,
            "section_name": target.section.name,
            "published_at": target.published_at,
        }
    else:
        number = next(_sequence)
        fields = {
            "headline": f"Weitere Meldung {number}",
            "teaser": f"Vorspann der weiteren Meldung {number}.",
            "section_name": "Politik",
            "published_at": _start + timedelta(seconds=number),
        }
    return RelatedLink.objects.create(
        article=article, position=position, target=target, **{**fields, **overrides}
    )


def make_staff_user(**overrides):
    number = next(_sequence)
    fields = {"username": f"redakteur{number}", "is_staff": True, **overrides}
    # No password: tests log in with force_login(), and hashing one is slow.
    return get_user_model().objects.create_user(password=None, **fields)


# What readers may not see, as overrides of `make_article`.
UNPUBLISHED = {
    "draft": {"status": Article.Status.DRAFT, "published_at": None},
    "in review": {"status": Article.Status.REVIEW, "published_at": None},
    "withdrawn": {"status": Article.Status.WITHDRAWN},
    "future": {"published_at": timezone.now() + timedelta(days=1)},
    "embargoed": {"embargo_until": timezone.now() + timedelta(days=1)},
}


def populate(size: int) -> list[Article]:
    """`size` published articles in three sections, for query counts: the more articles,
    the more tags, corrections and related links each (to a published article, to a
    draft, unresolved). All are tagged "Thema" and have "Meldung" in their headline."""
    draft = make_article(status=Article.Status.DRAFT, published_at=None)
    articles: list[Article] = []
    for number in range(size):
        targets = [articles[-1] if articles else draft, draft, {"headline": f"Offen {number}"}]
        articles.append(
            make_article(
                section=["inland", "ausland", "sport"][number % 3],
                headline=f"Meldung {number}",
                tags=["Thema", *(f"Stichwort {number}-{tag}" for tag in range(size // 3))],
                related=[targets[link % 3] for link in range(max(3, size // 3))],
                corrections=[f"Korrektur {number}-{note}" for note in range(size // 10)],
            )
        )
    return articles
