"""The agency desk: what came in from the agencies, and the updates held for an editor."""

from datetime import timedelta

from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone

from .. import versions
from ..ingest import service
from ..models import Article, ArticleVersion, HeldUpdate
from ..sanitize import clean_html

# The desk shows what arrived within this window; older copy is in the article list.
WINDOW = timedelta(hours=48)
LIMIT = 50


def incoming() -> dict:
    since = timezone.now() - WINDOW
    held = list(
        HeldUpdate.objects.filter(state=HeldUpdate.State.PENDING)
        .select_related("article__section", "article__agency")
        .prefetch_related("article__tags", "article__related_links")[:LIMIT]
    )
    return {
        "new_articles": Article.objects.filter(agency__isnull=False, created_at__gte=since)
        .select_related("section", "agency")
        .defer("body")
        .order_by("-created_at")[:LIMIT],
        "updates": ArticleVersion.objects.filter(
            origin=ArticleVersion.Origin.AGENCY_UPDATE, created_at__gte=since
        )
        .select_related("article__section", "user")
        .defer("data", "article__body")
        .order_by("-created_at")[:LIMIT],
        "held": [
            (update, versions.diff(versions.snapshot(update.article), held_snapshot(update)))
            for update in held
        ],
    }


def held_snapshot(update: HeldUpdate) -> dict:
    """The held agency version in the shape of a version snapshot, to diff against the article."""
    payload = update.payload
    return {
        "headline": payload["headline"],
        "kicker": payload["kicker"],
        "teaser": payload["teaser"],
        "body": clean_html(payload["body_html"]),
        "byline": payload.get("byline", ""),
        "dateline": payload.get("dateline", ""),
        "section": update.article.section.slug,
        "status": update.article.status,
        "tags": sorted(payload["tags"], key=str.casefold),
        "related": [
            {"headline": item["headline"], "teaser": item["teaser"],
             "section_name": item["section_name"], "target": None}
            for item in payload["related"]
        ] + [
            # The link box's links follow the items, as the import stores them.
            {"headline": title, "teaser": "", "section_name": "", "target": None}
            for title, _url in payload.get("links", [])
        ],
    }


def decide(pk: int, decision: str, user) -> HeldUpdate:
    with transaction.atomic():
        held = get_object_or_404(
            HeldUpdate.objects.select_for_update().select_related("article"),
            pk=pk, state=HeldUpdate.State.PENDING,
        )
        if decision == "take":
            service.take_held_update(held, user)
        else:
            held.state = HeldUpdate.State.LEFT
            held.save(update_fields=["state"])
    return held
