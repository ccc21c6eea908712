"""Failed agency input (drop folder, wireQ): read it as it came, retry it."""

import json
import re

from django.contrib import admin, messages
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from ..ingest import formats, intake
from ..models import FailedEntry

SHOWN = 200_000  # characters of raw input shown on the page
# C0 control characters (7901's SOH, STX, ETX, …) as their visible pictures: ␁ ␂ ␃
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@admin.register(FailedEntry)
class FailedEntryAdmin(admin.ModelAdmin):
    list_display = ["name", "origin", "received_at", "state", "short_error"]
    list_filter = ["state", "origin"]
    search_fields = ["name", "error"]
    date_hierarchy = "received_at"
    fields = ["name", "origin", "received_at", "state", "error_text", "raw_text"]
    readonly_fields = fields
    actions = ["retry"]

    def has_add_permission(self, request):
        return False  # only the importer keeps input

    def has_change_permission(self, request, obj=None):
        # Kept input is evidence: nobody edits it. The change permission is the right to retry.
        if obj is not None:
            return False
        return super().has_change_permission(request)

    @admin.display(description=_("error"))
    def short_error(self, entry):
        return Truncator(entry.error.splitlines()[0] if entry.error else "").chars(120)

    @admin.display(description=_("error"))
    def error_text(self, entry):
        return format_html('<pre style="white-space: pre-wrap">{}</pre>', entry.error)

    @admin.display(description=_("raw input"))
    def raw_text(self, entry):
        text = readable(bytes(entry.raw))
        if len(text) > SHOWN:
            text = text[:SHOWN] + "\n…"
        return format_html('<pre class="raw-input" style="white-space: pre-wrap">{}</pre>', text)

    @admin.action(description=_("Retry the import of the selected input"), permissions=["change"])
    def retry(self, request, queryset):
        for entry in queryset:
            if entry.state == FailedEntry.State.IMPORTED:
                self.message_user(request, f"{entry.name}: already imported", messages.INFO)
                continue
            stories = intake.retry(entry)
            failed = [story.detail for story in stories if story.failed]
            if failed:
                self.message_user(request, f"{entry.name}: failed: {'; '.join(failed)}", messages.ERROR)
            else:
                done = "; ".join(f"{story.outcome}: {story.detail}" for story in stories)
                self.message_user(request, f"{entry.name}: {done}", messages.SUCCESS)


def readable(raw: bytes) -> str:
    """The input as text: JSON indented, other text as it came, control bytes visible."""
    if formats.detect(raw) == formats.DIGITALWIRES:
        try:
            return json.dumps(json.loads(raw.decode("utf-8-sig")), ensure_ascii=False, indent=2)
        except (UnicodeDecodeError, ValueError, RecursionError):
            pass  # broken JSON: shown as it is
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    return CONTROL.sub(control_picture, text)


def control_picture(match) -> str:
    code = ord(match.group())
    return "\u2421" if code == 0x7F else chr(0x2400 + code)
