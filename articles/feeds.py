"""RSS 2.0 and Atom feeds: the newest articles, of the site and per section, tag and agency."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from taggit.models import Tag

from .models import Agency, Article, Section

ITEMS = 30


class ArticleFeed(Feed):
    feed_type = Rss201rev2Feed
    language = "de"
    kind = None  # None for the whole site, else "section", "tag" or "agency"

    def get_object(self, request, slug=None):
        if self.kind == "section":
            return get_object_or_404(Section, slug=slug)
        if self.kind == "tag":
            return get_object_or_404(Tag, slug=slug)
        if self.kind == "agency":
            return get_object_or_404(Agency, slug=slug)
        return None

    def title(self, subject):
        site = settings.NEWSROOM_SITE_NAME
        return f"{site}: {subject.name}" if subject else f"{site}: Nachrichten"

    def link(self, subject):
        if subject is None:
            return reverse("articles:home")
        if self.kind == "tag":
            return reverse("articles:tag", args=[subject.slug])
        return subject.get_absolute_url()

    def description(self, subject):
        return f"Die neuesten Meldungen{f' – {subject.name}' if subject else ''}"

    def items(self, subject):
        articles = Article.objects.published().for_lists()
        if self.kind == "section":
            articles = articles.filter(section=subject)
        elif self.kind == "tag":
            articles = articles.filter(tags=subject)
        elif self.kind == "agency":
            articles = articles.filter(agency=subject)
        return articles[:ITEMS]

    def item_title(self, article):
        return article.headline

    def item_description(self, article):
        return article.teaser

    def item_link(self, article):
        return article.get_absolute_url()

    def item_guid(self, article):
        # Stable through headline, slug and section changes: the article's id.
        return f"urn:newsroom:article:{article.pk}"

    item_guid_is_permalink = False

    def item_pubdate(self, article):
        return article.published_at

    def item_updateddate(self, article):
        return article.updated_at or article.published_at

    def item_categories(self, article):
        return [article.section.name]

    def item_author_name(self, article):
        return article.byline or (article.agency.name if article.agency else None)


class AtomArticleFeed(ArticleFeed):
    feed_type = Atom1Feed
    subtitle = ArticleFeed.description


def feeds_for(kind=None):
    """The RSS and the Atom view for one kind of list."""
    return (
        type(f"{kind or 'site'}Rss", (ArticleFeed,), {"kind": kind})(),
        type(f"{kind or 'site'}Atom", (AtomArticleFeed,), {"kind": kind})(),
    )
