from django.contrib.sitemaps import views as sitemap_views
from django.urls import path

from . import api, sitemaps, views
from .caching import cached_page
from .feeds import feeds_for

app_name = "articles"

site_rss, site_atom = feeds_for()
section_rss, section_atom = feeds_for("section")
tag_rss, tag_atom = feeds_for("tag")
agency_rss, agency_atom = feeds_for("agency")

# Section and article addresses take what is left, so they come last.
urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("robots.txt", views.robots_txt, name="robots"),
    path(
        "sitemap.xml",
        cached_page(sitemap_views.index),
        {"sitemaps": sitemaps.SITEMAPS, "sitemap_url_name": "articles:sitemap-section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        cached_page(sitemap_views.sitemap),
        {"sitemaps": sitemaps.SITEMAPS},
        name="sitemap-section",
    ),
    path("news-sitemap.xml", cached_page(sitemaps.news_sitemap), name="news-sitemap"),
    path("feed/", cached_page(site_rss), name="feed"),
    path("feed/atom/", cached_page(site_atom), name="feed-atom"),
    path("archiv/<int:year>/", views.archive, name="archive-year"),
    path("archiv/<int:year>/<int:month>/", views.archive, name="archive-month"),
    path("archiv/<int:year>/<int:month>/<int:day>/", views.archive, name="archive-day"),
    path("tag/<str:slug>/", views.tag, name="tag"),
    path("tag/<str:slug>/feed/", cached_page(tag_rss), name="tag-feed"),
    path("tag/<str:slug>/feed/atom/", cached_page(tag_atom), name="tag-feed-atom"),
    path("agency/<slug:slug>/", views.agency, name="agency"),
    path("agency/<slug:slug>/feed/", cached_page(agency_rss), name="agency-feed"),
    path("agency/<slug:slug>/feed/atom/", cached_page(agency_atom), name="agency-feed-atom"),
    path("api/articles/", api.article_list, name="api-list"),
    path("api/articles/<int:pk>/", api.article_detail, name="api-detail"),
    path("<slug:slug>/", views.section, name="section"),
    path("<slug:slug>/feed/", cached_page(section_rss), name="section-feed"),
    path("<slug:slug>/feed/atom/", cached_page(section_atom), name="section-feed-atom"),
    path("<slug:section_slug>/<slug:slug>/", views.article, name="article"),
]
