from django.urls import path

from . import api, views

app_name = "articles"

# Section and article addresses take what is left, so they come last.
urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search, name="search"),
    path("tag/<slug:slug>/", views.tag, name="tag"),
    path("agency/<slug:slug>/", views.agency, name="agency"),
    path("api/articles/", api.article_list, name="api-list"),
    path("api/articles/<int:pk>/", api.article_detail, name="api-detail"),
    path("<slug:slug>/", views.section, name="section"),
    path("<slug:section_slug>/<slug:slug>/", views.article, name="article"),
]
