"""An article's past and the agency's pending present: versions, held updates, content state."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ArticleVersion(models.Model):
    """A snapshot of an article after a save or an agency update."""

    class Origin(models.TextChoices):
        IMPORT = "import", _("agency import")
        AGENCY_UPDATE = "agency_update", _("agency update")
        EDIT = "edit", _("edit")

    article = models.ForeignKey(
        "articles.Article", verbose_name=_("article"), on_delete=models.CASCADE, related_name="versions"
    )
    created_at = models.DateTimeField(_("time"), default=timezone.now)
    origin = models.CharField(_("origin"), max_length=20, choices=Origin.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), null=True, blank=True,
        on_delete=models.SET_NULL,
    )
    data = models.JSONField(_("content"))

    class Meta:
        verbose_name = _("version")
        verbose_name_plural = _("versions")
        ordering = ["-created_at", "-id"]
        get_latest_by = "created_at"

    def __str__(self):
        return f"{self.article_id} @ {self.created_at:%Y-%m-%d %H:%M}"


class HeldUpdate(models.Model):
    """An agency update of an article an editor has changed: kept for the editor to take or leave."""

    class State(models.TextChoices):
        PENDING = "pending", _("pending")
        TAKEN = "taken", _("taken")
        LEFT = "left", _("left")

    article = models.ForeignKey(
        "articles.Article", verbose_name=_("article"), on_delete=models.CASCADE, related_name="held_updates"
    )
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    content_hash = models.CharField(max_length=64)
    payload = models.JSONField(_("agency version"))
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PENDING
    )

    class Meta:
        verbose_name = _("held agency update")
        verbose_name_plural = _("held agency updates")
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "content_hash"], name="unique_held_update"
            ),
        ]

    def __str__(self):
        return f"{self.article} ({self.get_state_display()})"


class ContentVersion(models.Model):
    """One row whose counter moves with every change readers could see.

    Page caches and ETags are keyed on it, so a change made by any process
    (an import in the shell, an editor's save) is seen by every server at once.
    """

    counter = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("content version")
        verbose_name_plural = _("content versions")

    def __str__(self):
        return str(self.counter)

    @classmethod
    def bump(cls) -> None:
        if not cls.objects.filter(pk=1).update(counter=models.F("counter") + 1):
            cls.objects.get_or_create(pk=1)
