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
