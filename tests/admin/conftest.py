import pytest
from django.contrib.auth.models import Group
from django.test import Client

from tests.factories import make_staff_user

EDITORS = "Redaktion"
REPORTERS = "Autoren"


def member_of(group_name: str):
    """A staff user whose only rights come from the group the data migration made."""
    user = make_staff_user()
    user.groups.add(Group.objects.get(name=group_name))
    return user


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Users here log in with force_login; the real hasher would cost each of them half a second.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def own_cache(settings, request):
    # Each test's rows are rolled back, a cache is not: a page cached by one test under
    # the same content counter and address must not answer in the next. A cache of
    # its own per test, never clearing a shared Redis that REDIS_URL may name.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": request.node.nodeid,
        }
    }


@pytest.fixture
def editor(db):
    return member_of(EDITORS)


@pytest.fixture
def reporter(db):
    return member_of(REPORTERS)


@pytest.fixture
def editor_client(editor):
    client = Client()
    client.force_login(editor)
    return client


@pytest.fixture
def reporter_client(reporter):
    client = Client()
    client.force_login(reporter)
    return client


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
