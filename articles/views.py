from django.shortcuts import get_object_or_404, redirect, render
from taggit.models import Tag

from . import queries, structured_data
from .models import Agency, Article, Section


def home(request):
    all_sections = queries.sections(request)
    return render(
        request,
        "articles/home.html",
        {
            "latest": queries.latest(),
            "blocks": queries.section_blocks(all_sections),
        },
    )


def section(request, slug):
    section = get_object_or_404(Section, slug=slug)
    articles = Article.objects.published().for_lists().filter(section=section)
    return article_list(request, articles, section.name, section, current_section=section)


def tag(request, slug):
    tag = get_object_or_404(Tag, slug=slug)
    articles = Article.objects.published().for_lists().filter(tags__slug=slug)
    return article_list(request, articles, tag.name, tag, kicker="Thema")


def agency(request, slug):
    agency = get_object_or_404(Agency, slug=slug)
    articles = Article.objects.published().for_lists().filter(agency=agency)
    return article_list(request, articles, agency.name, agency, kicker="Agentur")


def article_list(request, articles, title, subject, kicker="", current_section=None):
    return render(
        request,
        "articles/article_list.html",
        {
            "title": title,
            "kicker": kicker,
            "subject": subject,
            "current_section": current_section,
            "page": queries.page_of(articles, request.GET.get("page")),
        },
    )


def search(request):
    text = request.GET.get("q", "").strip()
    page = None
    if text:
        page = queries.page_of(
            queries.search(Article.objects.published().for_lists(), text), request.GET.get("page")
        )
    return render(request, "articles/search.html", {"query": text, "page": page})


def article(request, section_slug, slug):
    article = Article.objects.for_page().filter(slug=slug).first()
    preview = False
    if article is None:
        return render_404(request)
    if not article.is_visible:
        # Editors may look at what readers may not; nobody else learns it exists.
        if not (request.user.is_authenticated and request.user.is_staff):
            return render_404(request)
        preview = True
    if article.section.slug != section_slug:
        return redirect(article, permanent=not preview)
    response = render(
        request,
        "articles/article.html",
        {
            "article": article,
            "tags": sorted(article.tags.all(), key=lambda tag: tag.name.casefold()),
            "related": article.related_links.all(),
            "preview": preview,
            "current_section": article.section,
            "json_ld": structured_data.news_article(article, request),
        },
    )
    if preview:
        response["Cache-Control"] = "private, no-cache"
    return response


def render_404(request):
    return render(request, "404.html", status=404)
