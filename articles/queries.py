"""The reads behind the public pages and the API, each a fixed number of queries."""

from django.conf import settings
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import Q
from django.http import Http404

from .models import Article, Section

HOME_LATEST = 12
HOME_PER_SECTION = 4


def sections(request) -> list[Section]:
    """The sections, read once per request (navigation and home share them)."""
    if not hasattr(request, "_newsroom_sections"):
        request._newsroom_sections = list(Section.objects.all())
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


def page_of(queryset, number, per_page: int | None = None):
    """One page of a list (a count and a slice: two queries); 404 for a page that is not there."""
    paginator = Paginator(queryset, per_page or settings.NEWSROOM_PAGE_SIZE, allow_empty_first_page=True)
    try:
        return paginator.page(number or 1)
    except (PageNotAnInteger, EmptyPage):
        raise Http404("no such page") from None
