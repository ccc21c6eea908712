import calendar
import unicodedata
from datetime import date, datetime, time, timedelta

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.text import Truncator
from django.utils.timezone import make_aware
from taggit.models import Tag

from . import queries, structured_data
from . import search as full_text
from .addresses import address
from .caching import cached_page
from .models import Agency, Article, Section

MONTHS = [
    "", "Januar", "Februar", "März", "April", "Mai", "Juni",
    "Juli", "August", "September", "Oktober", "November", "Dezember",
]


@cached_page
def home(request):
    all_sections = queries.sections(request)
    return render(
        request,
        "articles/home.html",
        {
            "latest": queries.latest(),
            "blocks": queries.section_blocks(all_sections),
            "feed_url": reverse("articles:feed"),
        },
    )


@cached_page
def section(request, slug):
    section = get_object_or_404(Section, slug=slug)
    articles = Article.objects.published().for_lists().filter(section=section)
    return article_list(
        request, articles, section.name, current_section=section,
        feed_url=reverse("articles:section-feed", args=[slug]),
    )


@cached_page
def tag(request, slug):
    tag = get_object_or_404(Tag, slug=slug)
    articles = Article.objects.published().for_lists().filter(tags__slug=slug)
    return article_list(
        request, articles, tag.name, kicker="Thema",
        feed_url=reverse("articles:tag-feed", args=[slug]),
    )


@cached_page
def agency(request, slug):
    agency = get_object_or_404(Agency, slug=slug)
    articles = Article.objects.published().for_lists().filter(agency=agency)
    return article_list(
        request, articles, agency.name, kicker="Agentur",
        feed_url=reverse("articles:agency-feed", args=[slug]),
    )


@cached_page
def archive(request, year, month=None, day=None):
    """Articles of a year, a month or a day (Berlin time), with the periods above and below."""
    # Month and day 0 are no dates (and not the whole year or month); periods in the
    # calendar's first and last year would overflow when turned into UTC for the query.
    if month == 0 or day == 0 or not date.min.year < year < date.max.year:
        raise Http404("no such date")
    try:
        first = date(year, month or 1, day or 1)
    except ValueError:
        raise Http404("no such date") from None
    if day:
        last, title = first, f"{day}. {MONTHS[month]} {year}"
    elif month:
        last, title = first.replace(day=calendar.monthrange(year, month)[1]), f"{MONTHS[month]} {year}"
    else:
        last, title = date(year, 12, 31), str(year)
    start = make_aware(datetime.combine(first, time.min))
    end = make_aware(datetime.combine(last + timedelta(days=1), time.min))
    articles = Article.objects.published().for_lists().filter(published_at__gte=start, published_at__lt=end)
    return article_list(
        request, articles, title, kicker="Archiv",
        breadcrumbs=archive_breadcrumbs(year, month, day),
    )


def archive_breadcrumbs(year, month, day):
    crumbs = [(str(year), reverse("articles:archive-year", args=[year]))]
    if month:
        crumbs.append((MONTHS[month], reverse("articles:archive-month", args=[year, month])))
    if day:
        crumbs.append((f"{day}.", reverse("articles:archive-day", args=[year, month, day])))
    return crumbs


def article_list(request, articles, title, kicker="", current_section=None, feed_url=None,
                 breadcrumbs=()):
    return render(
        request,
        "articles/article_list.html",
        {
            "title": title,
            "kicker": kicker,
            "current_section": current_section,
            "feed_url": feed_url,
            "breadcrumbs": breadcrumbs,
            "page": queries.page_of(articles, request.GET.get("page")),
        },
    )


@cached_page
def search(request):
    text = request.GET.get("q", "").strip()
    page = None
    if text:
        page = full_text.results(Article.objects.published().for_lists(), text, request.GET.get("page"))
        found = full_text.snippets(page.object_list, text)
        for article in page.object_list:
            article.snippet = found.get(article.pk, "")
    return render(request, "articles/search.html", {"query": text, "page": page})


@cached_page
def article(request, section_slug, slug):
    page = queries.article_page(request, slug)
    preview = False
    if page is None:
        return render_404(request)
    article = page.article
    if not article.is_visible:
        # Editors may look at what readers may not; nobody else learns it exists.
        if not (request.user.is_authenticated and request.user.is_staff):
            return render_404(request)
        preview = True
    if article.section.slug != section_slug:
        return redirect(article, permanent=not preview)
    section = article.section
    json_ld = structured_data.news_article(article, request, page.tags, page.corrections)
    response = render(
        request,
        "articles/article.html",
        {
            "article": article,
            "tags": page.tags,
            "related": page.related,
            "corrections": page.corrections,
            "preview": preview,
            "current_section": section,
            "section_url": address("articles:section", section.slug),
            "agency_url": article.agency and address("articles:agency", article.agency.slug),
            # Truncated once here: the template asked for them three times.
            "description": truncated(article.teaser, 200),
            "og_description": truncated(article.teaser, 300),
            "canonical_url": json_ld["url"],
            "json_ld": json_ld,
        },
    )
    if preview:
        response["Cache-Control"] = "private, no-cache"
    return response


def truncated(text: str, length: int) -> str:
    """The truncatechars filter, without its Truncator for a text that fits (most teasers)."""
    if len(text) <= length:
        return unicodedata.normalize("NFC", text)  # as Truncator gives it back
    return Truncator(text).chars(length)


def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /search/",
        "",
        f"Sitemap: {request.build_absolute_uri(reverse('articles:sitemap'))}",
        f"Sitemap: {request.build_absolute_uri(reverse('articles:news-sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


def render_404(request, exception=None):
    return render(request, "404.html", status=404)

