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
