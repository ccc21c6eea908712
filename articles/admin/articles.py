from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .. import versions, workflow
from ..models import Article, ArticleVersion, Correction, RelatedLink
from ..sanitize import clean_html
from . import desk
from .forms import ArticleForm, RelatedLinkForm


class RelatedLinkInline(admin.TabularInline):
    model = RelatedLink
    form = RelatedLinkForm
    fk_name = "article"
    extra = 1
    ordering = ["position"]
    autocomplete_fields = ["target"]
    verbose_name = _("related item (Weitere Meldungen)")
    verbose_name_plural = _("Weitere Meldungen")


class CorrectionInline(admin.StackedInline):
    model = Correction
    extra = 0
    fields = ["text", "created_at"]

    def has_add_permission(self, request, obj=None):
        return bool(obj and obj.is_visible) and super().has_add_permission(request, obj)


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    form = ArticleForm
    list_display = ["headline", "section", "agency", "status_label", "published_at", "modified_at"]
    list_display_links = ["headline"]
    list_filter = ["status", "section", "agency", "published_at"]
    list_select_related = ["section", "agency"]
    list_per_page = 50
    search_fields = ["headline", "kicker", "teaser", "body"]
    date_hierarchy = "published_at"
    autocomplete_fields = ["section"]
    prepopulated_fields = {"slug": ["headline"]}
    readonly_fields = ["updated_at", "agency_identity", "agency_version", "created_at", "modified_at"]
    inlines = [RelatedLinkInline, CorrectionInline]
    actions = ["publish", "withdraw", "submit_for_review"]
    save_on_top = True
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "kicker", "headline", "slug", "teaser", "body", "byline", "dateline", "infobox_html",
                ]
            },
        ),
        (_("Filing"), {"fields": ["section", "tags"]}),
        (
            _("Publication"),
            {"fields": ["status", "published_at", "embargo_until", "updated_at"]},
        ),
        (
            _("Picture"),
            {"fields": ["picture", "picture_caption", "picture_credit", "picture_alt"]},
        ),
        (
            _("Agency"),
            {
                "fields": [
                    "agency", "agency_identity", "agency_version", "editor_notes", "created_at",
                    "modified_at",
                ],
                "classes": ["collapse"],
            },
        ),
    ]

    # What the agency sends besides the text: its info box and its notes to editors are
    # replaced by every agency update, so on agency copy they are shown, not edited.
    AGENCY_OWNED = {"infobox_html": "info_box", "editor_notes": "editor_notes"}

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if is_agency_copy(obj):
            fields += [name for name in self.AGENCY_OWNED.values() if name not in fields]
        return fields

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if not is_agency_copy(obj):
            return fieldsets
        owned = self.AGENCY_OWNED
        return [
            (name, {**options, "fields": [owned.get(field, field) for field in options["fields"]]})
            for name, options in fieldsets
        ]

    @admin.display(description=_("info box"))
    def info_box(self, article):
        return mark_safe(clean_html(article.infobox_html)) if article.infobox_html else "–"

    @admin.display(description=_("agency version"))
    def agency_version(self, article):
        if article.source_version is None and article.source_version_created is None:
            return "–"
        parts = []
        if article.source_version is not None:
            parts.append(str(article.source_version))
        if article.source_version_created is not None:
            parts.append(date_format(localtime(article.source_version_created), "DATETIME_FORMAT"))
        return " · ".join(parts)

    def get_queryset(self, request):
        # The list never shows the body: don't read it for 50 rows.
        return super().get_queryset(request).defer("body", "editor_notes")

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        return type(form.__name__, (form,), {"user": request.user})

    def has_change_permission(self, request, obj=None):
        """Reporters write and submit; what readers see is changed only by editors."""
        allowed = super().has_change_permission(request, obj)
        if allowed and obj is not None and obj.status in workflow.PUBLIC_STATUSES:
            return workflow.can_publish(request.user)
        return allowed

    def has_publish_permission(self, request):
        return workflow.can_publish(request.user)

    @admin.display(description=_("status"), ordering="status")
    def status_label(self, article):
        now = timezone.now()
        label = article.get_status_display()
        if article.status == Article.Status.PUBLISHED and article.published_at and article.published_at > now:
            label = _("scheduled")
        if article.embargo_until and article.embargo_until > now:
            return format_html('{} <span class="embargo">({})</span>', label, _("embargo"))
        return label

    @admin.display(description=_("agency identity"))
    def agency_identity(self, article):
        return article.source_key or "–"

    def save_model(self, request, obj, form, change):
        old_status = form.initial.get("status") if change else None
        workflow.check_transition(request.user, old_status, obj.status)
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        if formset.model is RelatedLink:
            save_related_links(formset)
        else:
            super().save_formset(request, form, formset, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # The version is taken after tags and related links are saved too.
        versions.record(form.instance, ArticleVersion.Origin.EDIT, request.user)

    @admin.action(description=_("Publish selected articles"), permissions=["publish"])
    def publish(self, request, queryset):
        self.change_statuses(request, queryset, workflow.publish, _("published"))

    @admin.action(description=_("Withdraw selected articles"), permissions=["publish"])
    def withdraw(self, request, queryset):
        self.change_statuses(request, queryset, workflow.withdraw, _("withdrawn"))

    @admin.action(description=_("Submit selected drafts for review"), permissions=["change"])
    def submit_for_review(self, request, queryset):
        submitted = sum(workflow.submit_for_review(a, request.user) for a in queryset)
        self.message_user(request, ngettext(
            "%d article submitted for review.", "%d articles submitted for review.", submitted
        ) % submitted)

    def change_statuses(self, request, queryset, change, done):
        changed = 0
        for article in queryset.select_related("section"):
            try:
                change(article, request.user)
                changed += 1
            except (ValidationError, PermissionDenied) as error:
                message = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
                self.message_user(request, f"{article.headline}: {message}", messages.ERROR)
        if changed:
            self.message_user(request, f"{changed} × {done}", messages.SUCCESS)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("desk/", view(self.desk_view), name="articles_article_desk"),
            path(
                "desk/held/<int:pk>/<str:decision>/",
                view(self.held_decision_view),
                name="articles_article_held",
            ),
            path("<int:pk>/versions/", view(self.versions_view), name="articles_article_versions"),
            path(
                "<int:pk>/versions/<int:version_pk>/restore/",
                view(self.restore_view),
                name="articles_article_restore",
            ),
            *super().get_urls(),
        ]

    def desk_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Agency desk"),
            **desk.incoming(),
            "can_decide": workflow.can_publish(request.user),
        }
        return TemplateResponse(request, "admin/articles/desk.html", context)

    def held_decision_view(self, request, pk, decision):
        if request.method != "POST" or decision not in {"take", "leave"}:
            return redirect("admin:articles_article_desk")
        if not workflow.can_publish(request.user):
            raise PermissionDenied
        held = desk.decide(pk, decision, request.user)
        self.message_user(
            request,
            _("Agency update taken: %s") % held.article if decision == "take"
            else _("Agency update left: %s") % held.article,
        )
        return redirect("admin:articles_article_desk")

    def versions_view(self, request, pk):
        article = get_object_or_404(Article.objects.select_related("section"), pk=pk)
        if not self.has_view_permission(request, article):
            raise PermissionDenied
        history = list(article.versions.select_related("user"))
        compare = None
        if request.GET.get("a") and request.GET.get("b"):
            by_pk = {str(version.pk): version for version in history}
            older, newer = by_pk.get(request.GET["a"]), by_pk.get(request.GET["b"])
            if older and newer:
                compare = {"older": older, "newer": newer, "diff": versions.diff(older.data, newer.data)}
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": article,
            "title": _("History of “%s”") % article.headline,
            "rows": versions.with_changes(history),
            "compare": compare,
            "can_restore": self.has_change_permission(request, article),
        }
        return TemplateResponse(request, "admin/articles/article/versions.html", context)

    def restore_view(self, request, pk, version_pk):
        version = get_object_or_404(ArticleVersion.objects.select_related("article__section"),
                                    pk=version_pk, article_id=pk)
        if request.method != "POST" or not self.has_change_permission(request, version.article):
            raise PermissionDenied
        versions.restore(version, request.user)
        self.message_user(request, _("Version of %s restored.") % f"{version.created_at:%d.%m.%Y %H:%M}")
        return redirect(reverse("admin:articles_article_change", args=[pk]))


def is_agency_copy(article) -> bool:
    return article is not None and bool(article.agency_id and article.source_key)


def save_related_links(formset):
    """Save the inline and number the links 1, 2, 3… in the order the editor gave.

    Positions are unique per article, so the rows first step aside (+10000)
    before they take their new places: swapping two links never collides.
    """
    formset.save(commit=False)
    for link in formset.deleted_objects:
        link.delete()
    deleted = {link.pk for link in formset.deleted_objects}
    kept = [
        form.instance
        for form in formset.forms
        if form.instance.pk not in deleted
        and (form.instance.pk or (form.has_changed() and form.cleaned_data))
    ]
    kept.sort(key=lambda link: (link.position is None, link.position or 0))
    RelatedLink.objects.filter(article=formset.instance).update(position=F("position") + 10000)
    for position, link in enumerate(kept, start=1):
        link.article = formset.instance
        link.position = position
        link.save()
