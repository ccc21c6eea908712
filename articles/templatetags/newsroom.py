import json

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.safestring import mark_safe
from django.utils.timezone import localtime

from ..api import JSON_ESCAPES
from ..sanitize import clean_html

register = template.Library()


@register.filter
def german_datetime(moment) -> str:
    """28.02.2025, 13:16 Uhr, in Berlin time."""
    if not moment:
        return ""
    # Formatted by hand: Django's date format parses its pattern on every call, and
    # lists show dozens of these.
    moment = localtime(moment)
    return f"{moment.day:02}.{moment.month:02}.{moment.year:04}, {moment.hour:02}:{moment.minute:02} Uhr"


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
    return mark_safe(json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(JSON_ESCAPES))


@register.simple_tag(takes_context=True)
def page_query(context, number) -> str:
    """The current query string with another page number."""
    params = context["request"].GET.copy()
    params["page"] = number
    return params.urlencode()
