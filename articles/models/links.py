"""What hangs off an article for readers: its related items and its corrections."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class RelatedLink(models.Model):
    """An item under *Weitere Meldungen*: a link to a known article, or the agency's text of one."""

    article = models.ForeignKey(
        "articles.Article", verbose_name=_("article"), on_delete=models.CASCADE, related_name="related_links"
    )
    position = models.PositiveSmallIntegerField(_("position"))
    target = models.ForeignKey(
        "articles.Article", verbose_name=_("linked article"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="linked_from",
    )
    text = models.TextField(
        _("agency text"), blank=True,
        help_text=_("The item as the agency sent it; split again when its article arrives."),
    )
    # Not limited: an item without an early sentence end is all headline (dpa-text.md, rule 3).
    headline = models.TextField(_("headline"))
    teaser = models.TextField(_("teaser"), blank=True)
    section_name = models.CharField(_("section name"), max_length=100, blank=True)
    published_at = models.DateTimeField(_("time"), null=True, blank=True)
    url = models.URLField(_("external address"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("related link")
        verbose_name_plural = _("related links")
        ordering = ["article", "position"]
        constraints = [
            models.UniqueConstraint(fields=["article", "position"], name="unique_related_position"),
        ]
        indexes = [
            # Back-filling looks for unresolved items by their time.
            models.Index(fields=["target", "published_at"], name="related_unresolved_idx"),
        ]

    def __str__(self):
        return self.headline

    def get_target_url(self) -> str | None:
        """The linked article's address while readers may see it, else None."""
        if self.target_id and self.target.is_visible:
            return self.target.get_absolute_url()
        return self.url or None


class Correction(models.Model):
    """A correction note on a published article, shown to readers."""

    article = models.ForeignKey(
        "articles.Article", verbose_name=_("article"), on_delete=models.CASCADE, related_name="corrections"
    )
    text = models.TextField(_("correction"))
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("correction")
        verbose_name_plural = _("corrections")
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.text[:60]

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        # A correction is an update of the article: readers and feeds see it as such.
        Article = self._meta.get_field("article").related_model
        Article.objects.filter(pk=self.article_id).filter(
            Q(updated_at__isnull=True) | Q(updated_at__lt=self.created_at)
        ).update(updated_at=self.created_at)
