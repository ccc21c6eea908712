"""/sitemap.xml (sections and every published article) and the Google News sitemap."""

from datetime import timedelta

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.shortcuts import render
from django.utils import timezone

from .models import Article, Section

# Google News takes articles of the last two days, at most 1,000 a sitemap.
NEWS_WINDOW = timedelta(hours=48)
NEWS_LIMIT = 1000


class SectionSitemap(Sitemap):
    changefreq = "hourly"
    priority = 0.8

    def items(self):
        return Section.objects.all()


class ArticleSitemap(Sitemap):
    limit = 50000  # This limit is defined by the sitemap protocol.
    changefreq = "daily"
    priority = 0.6

    def items(self):
        return (
            Article.objects.published()
            .select_related("section")
            .only("slug", "section__slug", "published_at", "updated_at")
            .order_by("-published_at", "-id")
        )

    def lastmod(self, article):
        return article.updated_at or article.published_at


SITEMAPS = {"sections": SectionSitemap, "articles": ArticleSitemap}


def news_sitemap(request):
    since = timezone.now() - NEWS_WINDOW
    articles = (
        Article.objects.published()
        .filter(published_at__gte=since)
        .select_related("section")
        .only("slug", "headline", "section__slug", "published_at")
        .order_by("-published_at", "-id")[:NEWS_LIMIT]
    )
    return render(
        request,
        "news-sitemap.xml",
        {"articles": articles, "publication_name": settings.NEWSROOM_SITE_NAME},
        content_type="application/xml; charset=utf-8",
    )
