from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

from .. import pictures, workflow
from ..models import Article, RelatedLink


class PictureField(forms.ImageField):
    """An upload checked by `pictures.validate_picture`, whose errors say what is wrong.

    Django's own check answers every file Pillow refuses (an SVG, a decompression
    bomb) with one message that the file is no image or broken; it never gets
    as far as ours.
    """

    def to_python(self, data):
        upload = forms.FileField.to_python(self, data)
        if upload is not None:
            pictures.validate_picture(upload)
        return upload


class ArticleForm(forms.ModelForm):
    """The article form; `user` decides which statuses it offers and accepts."""

    user = None  # set by ArticleAdmin.get_form

    class Meta:
        model = Article
        fields = [
            "kicker", "headline", "slug", "teaser", "body", "byline", "dateline", "section", "tags",
            "status", "published_at", "embargo_until", "picture", "picture_caption",
            "picture_credit", "picture_alt", "agency", "editor_notes",
        ]
        field_classes = {"picture": PictureField}
        widgets = {
            "teaser": forms.Textarea(attrs={"rows": 3}),
            "body": forms.Textarea(attrs={"rows": 18, "class": "vLargeTextField body-editor"}),
            "editor_notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "body" in self.fields:
            # The admin renders help texts as HTML; the body's names the tags <p> and <h2>.
            self.fields["body"].help_text = escape(self.fields["body"].help_text)
        status = self.fields.get("status")
        if status is not None and self.user is not None and not workflow.can_publish(self.user):
            current = self.instance.status if self.instance.pk else None
            status.choices = [
                (value, label)
                for value, label in status.choices
                if value not in workflow.PUBLIC_STATUSES or value == current
            ]

    def clean(self):
        cleaned = super().clean()
        if "status" in cleaned:
            old = self.initial.get("status") if self.instance.pk else None
            try:
                workflow.check_transition(self.user, old, cleaned["status"])
            except PermissionDenied as denied:
                self.add_error("status", str(denied))
                return cleaned
            if cleaned["status"] == Article.Status.PUBLISHED and not cleaned.get("published_at"):
                # Published without a time means now, as the publish action does; left
                # empty, the article would count as published and never appear.
                cleaned["published_at"] = timezone.now()
            candidate = Article(
                status=cleaned["status"],
                published_at=cleaned.get("published_at"),
                embargo_until=cleaned.get("embargo_until"),
            )
            try:
                workflow.check_embargo(candidate)
            except ValidationError as error:
                self.add_error("published_at", error)
        return cleaned


class RelatedLinkForm(forms.ModelForm):
    """A linked article fills headline, section and time itself; an external item needs a headline."""

    url = forms.URLField(
        label=_("external address"), required=False, max_length=500, assume_scheme="https"
    )

    class Meta:
        model = RelatedLink
        fields = ["position", "target", "headline", "teaser", "section_name", "published_at", "url"]
        widgets = {
            "headline": forms.TextInput(attrs={"size": 40}),
            "teaser": forms.Textarea(attrs={"rows": 2, "cols": 40}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["headline"].required = False
        self.fields["position"].required = False

    def clean(self):
        cleaned = super().clean()
        target = cleaned.get("target")
        if target is not None:
            cleaned["headline"] = cleaned.get("headline") or target.headline
            cleaned["section_name"] = cleaned.get("section_name") or target.section.name
            cleaned["published_at"] = cleaned.get("published_at") or target.published_at
        elif not cleaned.get("headline"):
            raise ValidationError(_("Choose a linked article or give a headline."))
        return cleaned
