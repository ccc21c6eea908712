"""Agency input that failed, kept raw for an editor."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class FailedEntry(models.Model):
    """Agency input that could not be imported, kept raw for an editor to look at and retry."""

    class Origin(models.TextChoices):
        WIREQ = "wireq", _("wireQ")
        WATCH = "watch", _("drop folder")

    class State(models.TextChoices):
        FAILED = "failed", _("failed")
        IMPORTED = "imported", _("imported on retry")

    origin = models.CharField(_("origin"), max_length=10, choices=Origin.choices)
    name = models.CharField(_("name"), max_length=300, help_text=_("File name or agency urn."))
    raw = models.BinaryField(_("raw input"))
    error = models.TextField(_("error"))
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.FAILED
    )

    class Meta:
        verbose_name = _("failed agency input")
        verbose_name_plural = _("failed agency input")
        ordering = ["-received_at", "-id"]

    def __str__(self):
        return self.name
