from django.conf import settings
from django.utils.functional import SimpleLazyObject

from . import queries


def site(request):
    return {
        "site_name": settings.NEWSROOM_SITE_NAME,
        "nav_sections": SimpleLazyObject(lambda: queries.sections(request)),
    }
