"""Newsroom's settings plus one trivial view, for `make bench` only.

The trivial view runs through the same gunicorn, middleware and settings as the
pages it is compared with; only the URLconf differs (bench/urls.py).
"""

from newsroom.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
