"""Where articles are filed and where they come from."""

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Section(models.Model):
    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent section"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="children",
    )
    position = models.PositiveSmallIntegerField(
        _("position"), default=100, help_text=_("Sections are listed in this order.")
    )

    class Meta:
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        ordering = ["position", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("articles:section", args=[self.slug])


class Agency(models.Model):
    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=50, unique=True)
    domain = models.CharField(
        _("domain"), max_length=100, blank=True,
        help_text=_("As the credit line of the agency's texts names it, e.g. dpa.de."),
    )
    credit = models.CharField(
        _("credit"), max_length=100, blank=True, help_text=_("Shown under its articles.")
    )
    publish_on_import = models.BooleanField(
        _("publish on import"), default=True,
        help_text=_("Otherwise imported copy waits in review for an editor."),
    )

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["domain"], condition=~Q(domain=""), name="unique_agency_domain"
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("articles:agency", args=[self.slug])
