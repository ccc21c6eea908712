from functools import lru_cache

from django.conf import settings
from django.templatetags.static import static
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from . import queries


def site(request):
    return {
        "site_name": settings.NEWSROOM_SITE_NAME,
        "nav_sections": SimpleLazyObject(lambda: queries.sections(request)),
        "links": site_links(),
    }


def site_links() -> dict[str, str]:
    """The addresses every page's header and footer link to, its icon and style sheet included."""
    return _site_links(
        get_script_prefix(), get_urlconf(settings.ROOT_URLCONF), timezone.localdate().year,
        settings.STATIC_URL, settings.STORAGES["staticfiles"]["BACKEND"],
    )


# Reversed once per process (and year, for the archive) rather than on every page; the
# static files' addresses (hashed names from the manifest) are as fixed.
@lru_cache(maxsize=8)
def _site_links(prefix: str, urlconf: str, year: int, static_url: str, static_storage: str) -> dict[str, str]:
    return {
        "favicon": static("favicon.svg"),
        "stylesheet": static("css/site.css"),
        "home": reverse("articles:home"),
        "search": reverse("articles:search"),
        "archive": reverse("articles:archive-year", args=[year]),
        "feed": reverse("articles:feed"),
        "api": reverse("articles:api-list"),
    }
