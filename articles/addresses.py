"""Addresses of the public pages built from a pattern reversed once per process.

reverse() walks the URLconf every time; a page that links to a dozen tags, related
articles and its agency paid for that a dozen times per render.
"""

from functools import lru_cache
from urllib.parse import quote

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

# What reverse() leaves unquoted in an argument (django.urls.resolvers).
SAFE = "!$&'()*+,;=/~:@"


def address(name: str, *args: str) -> str:
    """reverse(name, args=args) for the slugs of the public pages."""
    return addresses_of(name, len(args))(*args)


def addresses_of(name: str, count: int):
    """A function giving `name`'s address for `count` arguments, for a list of them:
    the script prefix and the URLconf (two context-local reads) are looked up once."""
    first, *rest = pattern(name, count, get_script_prefix(), get_urlconf(settings.ROOT_URLCONF))

    def make(*args: str) -> str:
        pieces = [first]
        for arg, after in zip(args, rest, strict=True):
            pieces += [quote(arg, safe=SAFE), after]
        return "".join(pieces)

    return make


# Keyed by what reverse() depends on besides the name: the script prefix and the URLconf.
@lru_cache(maxsize=64)
def pattern(name: str, count: int, prefix: str, urlconf: str | None) -> list[str]:
    """The reversed address cut around its arguments: [before, between, …, after]."""
    markers = [f"arg{index}marker" for index in range(count)]
    rest = reverse(name, args=markers)
    parts = []
    for marker in markers:
        before, _, rest = rest.partition(marker)
        parts.append(before)
    return [*parts, rest]
