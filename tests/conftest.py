import os
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2] / "shared"
SAMPLE = SHARED / "samples" / "dpa-text" / "russland-usa-flugverkehr.txt"


@pytest.fixture
def sample_bytes() -> bytes:
    return SAMPLE.read_bytes()


def needs_env(name: str):
    return pytest.mark.skipif(not os.environ.get(name), reason=f"{name} is not set")


@pytest.fixture(autouse=True)
def _no_login_throttling(settings):
    """Login throttling needs a request; the test client's login() has none.

    tests/test_security.py turns it back on where throttling is the subject.
    """
    settings.AXES_ENABLED = False


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty page cache.

    Pages are keyed on the content state, and a rolled-back test leaves the
    counter where the next test starts it again; with a shared Redis the next
    test would otherwise meet pages of the last one.
    """
    from django.core.cache import cache

    cache.clear()


BASE_ROWS = (
    ("articles.migrations.0002_sections_and_dpa", "create"),
    ("articles.migrations.0004_editorial_groups", "create_groups"),
    ("articles.migrations.0006_content_version", "create_row"),
    ("articles.migrations.0009_editors_see_failed_input", "grant"),
)


@pytest.fixture(autouse=True)
def _base_rows(request):
    """Transactional tests start with what the data migrations create.

    Django empties every table after a transactional test, the sections, the
    agency dpa and the groups included; a later transactional test would find
    none. The migrations' own functions (idempotent) put them back.
    """
    marker = request.node.get_closest_marker("django_db")
    if not marker or not (marker.kwargs.get("transaction") or (marker.args and marker.args[0])):
        return
    request.getfixturevalue("_django_db_helper")
    import importlib

    from django.apps import apps

    for module, function in BASE_ROWS:
        getattr(importlib.import_module(module), function)(apps, None)
