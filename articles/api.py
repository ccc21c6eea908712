"""The JSON API: published articles only, plain Django views."""

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse
from django.utils.timezone import localtime
from django.views.decorators.http import require_GET

from . import queries
from . import search as full_text
from .caching import cached_page
from .models import Article

# Escaped as in Django's json_script: the answer never carries markup a browser
# could be talked into rendering, and decodes to the same strings.
JSON_ESCAPES = {"<": "\\u003C", ">": "\\u003E", "&": "\\u0026"}


def escaped_json(text: str) -> str:
    """`text` with JSON_ESCAPES applied: three replace() calls, where str.translate
    took 40 µs for an article's JSON-LD."""
    for character, escape in JSON_ESCAPES.items():
        text = text.replace(character, escape)
    return text


def json_response(data, status=200) -> HttpResponse:
    text = escaped_json(json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False))
    return HttpResponse(text, status=status, content_type="application/json; charset=utf-8")


def iso(moment) -> str | None:
    return localtime(moment).isoformat() if moment else None


def article_json(article: Article) -> dict:
    return {
        "id": article.pk,
        "slug": article.slug,
        "url": article.get_absolute_url(),
        "headline": article.headline,
        "kicker": article.kicker,
        "teaser": article.teaser,
        "byline": article.byline,
        "dateline": article.dateline,
        "body_html": str(article.body_html),
        "section": {"slug": article.section.slug, "name": article.section.name},
        "agency": (
            {"slug": article.agency.slug, "name": article.agency.name} if article.agency else None
        ),
        "tags": sorted((tag.name for tag in article.tags.all()), key=str.casefold),
        "published_at": iso(article.published_at),
        "updated_at": iso(article.updated_at),
        "related": [
            {
                "headline": link.headline,
                "teaser": link.teaser,
                "section": link.section_name,
                "published_at": iso(link.published_at),
                "url": link.get_target_url(),
            }
            for link in article.related_links.all()
        ],
    }


@require_GET
@cached_page
def article_list(request):
    articles = Article.objects.published().for_page().order_by("-published_at", "-id")
    params = request.GET
    if params.get("section"):
        articles = articles.filter(section__slug=params["section"])
    if params.get("agency"):
        articles = articles.filter(agency__slug=params["agency"])
    if params.get("tag"):
        articles = articles.filter(tags__name__iexact=params["tag"])
    if params.get("q", "").strip():
        # The contract lists newest first, with a search text too: matches, not ranks.
        articles = full_text.search(articles, params["q"]).order_by("-published_at", "-id")
    try:
        page = queries.page_of(articles, params.get("page"))
    except Http404:
        return json_response({"detail": "Ungültige Seite."}, status=404)
    return json_response(
        {
            "count": page.paginator.count,
            "next": page_url(request, page.next_page_number()) if page.has_next() else None,
            "previous": (
                page_url(request, page.previous_page_number()) if page.has_previous() else None
            ),
            "results": [article_json(article) for article in page.object_list],
        }
    )


@require_GET
@cached_page
def article_detail(request, pk):
    article = Article.objects.published().for_page().filter(pk=pk).first()
    if article is None:
        return json_response({"detail": "Nicht gefunden."}, status=404)
    return json_response(article_json(article))


def page_url(request, number: int) -> str:
    params = request.GET.copy()
    params["page"] = number
    return request.build_absolute_uri(f"{request.path}?{params.urlencode()}")
