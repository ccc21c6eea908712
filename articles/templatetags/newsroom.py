import json
from html import escape

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.safestring import mark_safe
from django.utils.timezone import localtime

from ..api import escaped_json
from ..sanitize import clean_html

register = template.Library()


@register.filter
def german_datetime(moment) -> str:
    """28.02.2025, 13:16 Uhr, in Berlin time."""
    if not moment:
        return ""
    # Formatted by hand: Django's date format parses its pattern on every call, and
    # lists show dozens of these.
    return german(localtime(moment))


def german(moment) -> str:
    return f"{moment.day:02}.{moment.month:02}.{moment.year:04}, {moment.hour:02}:{moment.minute:02} Uhr"


@register.filter
def time_element(moment) -> str:
    """<time datetime="…">28.02.2025, 13:16 Uhr</time>: the ISO and the German time from
    one conversion to Berlin time (digits and punctuation only: nothing to escape)."""
    if not moment:
        return ""
    moment = localtime(moment)
    return mark_safe(f'<time datetime="{moment.isoformat()}">{german(moment)}</time>')


@register.filter
def rendition(article, name):
    """{"url", "width", "height"} of one of the article picture's renditions, or None."""
    return article.rendition(name)


@register.filter
def sanitized(html) -> str:
    """Article HTML (an info box) through the allow-list, safe to show."""
    return mark_safe(clean_html(html or ""))


@register.filter
def iso_datetime(moment) -> str:
    return localtime(moment).isoformat() if moment else ""


@register.filter
def ld_json(data) -> str:
    """JSON for a <script type="application/ld+json">: `<`, `>` and `&` escaped so no text ends the script."""
    return mark_safe(escaped_json(json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)))


CURRENT = ' aria-current="page"'


@register.simple_tag(takes_context=True)
def nav_items(context) -> str:
    """The navigation's <li>s, the current section marked: one template node instead of
    four per section on every page (escaped as the template would: Django's escape is
    html.escape)."""
    current = context.get("current_section")
    return mark_safe("".join(
        f'\n          <li><a href="{escape(section.url)}"{CURRENT if section == current else ""}>'
        f"{escape(section.name)}</a></li>"
        for section in context.get("nav_sections", ())
    ))


@register.simple_tag(takes_context=True)
def page_query(context, number) -> str:
    """The current query string with another page number."""
    params = context["request"].GET.copy()
    params["page"] = number
    return params.urlencode()
