"""The article, and the one definition of what readers may see."""

import hashlib

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager

from .. import pictures
from ..ingest.dpa_text import normalize_headline
from ..sanitize import clean_html
from .links import RelatedLink
from .taxonomy import Agency, Section

SLUG_MAX = 80
# Paths under a section that are not articles.
RESERVED_SLUGS = {"feed"}
GERMAN_LETTERS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"})


def german_slugify(text: str, max_length: int = SLUG_MAX) -> str:
    slug = slugify(text.translate(GERMAN_LETTERS))[:max_length]
    if len(slug) == max_length and "-" in slug:
        slug = slug.rsplit("-", 1)[0]
    return slug.strip("-") or "artikel"


class ArticleQuerySet(models.QuerySet):
    def published(self):
        """What readers may see: published, its publication time come, no embargo pending."""
        now = timezone.now()
        return self.filter(
            Q(embargo_until__isnull=True) | Q(embargo_until__lte=now),
            status=Article.Status.PUBLISHED,
            published_at__lte=now,
        )

    def for_lists(self):
        """Teaser lists: the joins a teaser shows, not the body."""
        return (
            self.select_related("section", "agency")
            .defer(
                "body", "source_key", "content_hash", "source_digest", "imported_fingerprint",
                "editor_notes", "search_vector",
            )
            .order_by("-published_at", "-id")
        )

    def for_page(self):
        """An API answer or article page: text, tags and related links in three queries."""
        return self.select_related("section", "agency").prefetch_related(
            "tags",
            models.Prefetch(
                "related_links",
                queryset=RelatedLink.objects.select_related("target__section"),
            ),
        )


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        REVIEW = "review", _("in review")
        PUBLISHED = "published", _("published")
        WITHDRAWN = "withdrawn", _("withdrawn")

    headline = models.CharField(_("headline"), max_length=300)
    slug = models.SlugField(
        _("slug"), max_length=SLUG_MAX + 10, unique=True, blank=True,
        help_text=_("Part of the address; filled from the headline when empty."),
    )
    kicker = models.CharField(
        _("kicker"), max_length=200, blank=True, help_text=_("The topline above the headline.")
    )
    teaser = models.TextField(_("teaser"), blank=True)
    body = models.TextField(
        _("body"), blank=True, help_text=_("HTML: paragraphs <p> and subheadings <h2>.")
    )
    byline = models.CharField(_("byline"), max_length=200, blank=True)
    dateline = models.CharField(_("dateline"), max_length=200, blank=True)
    section = models.ForeignKey(
        Section, verbose_name=_("section"), on_delete=models.PROTECT, related_name="articles"
    )
    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="articles",
        help_text=_("Empty for the newsroom's own copy."),
    )
    tags = TaggableManager(_("tags"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    published_at = models.DateTimeField(
        _("publication time"), null=True, blank=True,
        help_text=_("First publication. The article appears by itself when this time comes."),
    )
    updated_at = models.DateTimeField(_("update time"), null=True, blank=True)
    embargo_until = models.DateTimeField(
        _("embargo"), null=True, blank=True,
        help_text=_("Agency embargo: the article cannot be published before this time."),
    )
    picture = models.ImageField(
        _("picture"), upload_to="pictures/%Y/%m/", blank=True,
        width_field="picture_width", height_field="picture_height",
        help_text=_("JPEG, PNG or WebP."),
    )
    picture_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    picture_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    picture_caption = models.CharField(_("caption"), max_length=500, blank=True)
    picture_credit = models.CharField(_("picture credit"), max_length=200, blank=True)
    picture_alt = models.CharField(
        _("alternative text"), max_length=300, blank=True,
        help_text=_("What the picture shows, for readers who cannot see it. Required with a picture."),
    )
    picture_renditions = models.JSONField(default=dict, blank=True, editable=False)
    infobox_html = models.TextField(
        _("info box"), blank=True, help_text=_("HTML shown in a box after the body.")
    )
    editor_notes = models.TextField(
        _("notes for editors"), blank=True, help_text=_("Shown in the admin only, never to readers.")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    modified_at = models.DateTimeField(_("last change"), auto_now=True)
    # Who the article is at its agency, and what the agency last sent.
    source_key = models.CharField(_("agency identity"), max_length=255, blank=True, editable=False)
    content_hash = models.CharField(max_length=64, blank=True, editable=False)
    # The agency input last applied, byte for byte (articles.ingest.batch.digest): the
    # same bytes again are answered as unchanged without reading them.
    source_digest = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    # The agency's version of the story last applied (formats that count versions).
    source_version = models.PositiveIntegerField(null=True, blank=True, editable=False)
    source_version_created = models.DateTimeField(null=True, blank=True, editable=False)
    # The text as it stood after the last import: an editor has changed the
    # article when its text no longer matches this.
    imported_fingerprint = models.CharField(max_length=64, blank=True, editable=False)
    headline_key = models.CharField(max_length=300, editable=False, db_index=True)
    # PostgreSQL's full-text index (see articles.search); unused on SQLite.
    search_vector = SearchVectorField(null=True, editable=False)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ["-published_at", "-id"]
        permissions = [("publish_article", _("Can publish and withdraw articles"))]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "source_key"],
                condition=~Q(source_key=""),
                name="unique_agency_identity",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-published_at"], name="article_published_idx"),
            models.Index(
                fields=["section", "status", "-published_at"], name="article_section_idx"
            ),
            models.Index(fields=["agency", "status", "-published_at"], name="article_agency_idx"),
            GinIndex(fields=["search_vector"], name="article_search_idx"),
            # Every import looks its story up by its identity at the agency.
            models.Index(fields=["source_key", "agency"], name="article_source_key_idx"),
            # Caches ask when the next embargo ends.
            models.Index(
                fields=["embargo_until"], condition=Q(embargo_until__isnull=False),
                name="article_embargo_idx",
            ),
        ]

    def __str__(self):
        return self.headline

    def save(self, *args, **kwargs):
        self.headline_key = normalize_headline(self.headline)
        self.body = clean_html(self.body)
        if not self.slug:
            self.slug = self.unique_slug()
        if self.picture and not self.picture._committed:
            self.picture = pictures.cleaned_upload(self.picture)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "headline" in update_fields:
            kwargs["update_fields"] = {*update_fields, "headline_key"}
        super().save(*args, **kwargs)
        self.refresh_renditions()

    def get_absolute_url(self):
        return reverse("articles:article", args=[self.section.slug, self.slug])

    def refresh_renditions(self):
        """Make the picture's renditions once, when the picture is new."""
        current = self.picture_renditions.get("source") if self.picture_renditions else None
        wanted = self.picture.name if self.picture else None
        if current == wanted:
            return
        self.picture_renditions = pictures.make_renditions(self.picture) if self.picture else {}
        Article.objects.filter(pk=self.pk).update(picture_renditions=self.picture_renditions)

    def rendition(self, name: str) -> dict | None:
        """{"url", "width", "height"} of a rendition, or None without a picture."""
        rendition = (self.picture_renditions or {}).get(name)
        if not rendition:
            return None
        return {**rendition, "url": default_storage.url(rendition["name"])}

    def clean(self):
        if self.picture and not self.picture_alt.strip():
            raise ValidationError({"picture_alt": _("A picture needs an alternative text.")})

    def slug_base(self) -> str:
        base = german_slugify(self.headline)
        return f"{base}-artikel" if base in RESERVED_SLUGS else base

    def unique_slug(self, taken=frozenset()) -> str:
        """The headline's slug, numbered where another article (or one of `taken`) has it."""
        base = self.slug_base()
        # Exact lookups on the unique index: a prefix search would read every slug.
        others = Article.objects.exclude(pk=self.pk).order_by()
        slug, number = base, 2
        while slug in taken or others.filter(slug=slug).exists():
            slug, number = f"{base}-{number}", number + 1
        return slug

    @property
    def is_visible(self) -> bool:
        """The same rule as `ArticleQuerySet.published`, for an article in hand."""
        now = timezone.now()
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= now
            and (self.embargo_until is None or self.embargo_until <= now)
        )

    @property
    def body_html(self):
        return mark_safe(clean_html(self.body))

    def editorial_fingerprint(self, tags=None, related_texts=None) -> str:
        """A hash of what an editor can change of the agency's copy.

        Text, tags (case aside) and the related items as the agency sent them, in
        order: reordering, removing or adding a link changes it; a link resolved
        by a later import does not. `tags` and `related_texts` default to the
        stored ones (two queries).
        """
        if tags is None:
            tags = [tag.name for tag in self.tags.all()]
        if related_texts is None:
            related_texts = [link.text for link in self.related_links.all()]
        parts = [self.headline, self.kicker, self.teaser, self.body, self.byline, self.dateline]
        parts.append("\x1e".join(sorted({tag.casefold() for tag in tags})))
        parts.append("\x1e".join(related_texts))
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()

    @property
    def changed_since_import(self) -> bool:
        return bool(self.imported_fingerprint) and (
            self.editorial_fingerprint() != self.imported_fingerprint
        )
