"""Helpers of the production tests: the test database as a URL, a production environment."""

import os
import secrets
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
# The interpreter that runs the tests is the project's; its scripts sit beside it.
PYTHON = sys.executable
BIN = Path(sys.executable).parent
# Variables of the developer's shell that must not leak into a "production" process.
OWN_VARIABLES = ("DJANGO_", "GUNICORN_", "AXES_", "DATABASE_", "REDIS_URL", "STATIC_ROOT")


def url_of_test_database() -> str:
    """DATABASE_URL of the database this test run uses, for processes of its own."""
    params = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{params['NAME']}"
    assert connection.vendor == "postgresql", connection.vendor
    auth = quote(params["USER"] or "", safe="")
    if params["PASSWORD"]:
        auth += ":" + quote(params["PASSWORD"], safe="")
    host = params["HOST"] or "localhost"
    port = params["PORT"] or 5432
    return f"postgres://{auth}@{host}:{port}/{quote(params['NAME'], safe='')}"


def production_env(**variables: str) -> dict[str, str]:
    """The environment of a production process: debug off, a real secret key, `variables`."""
    env = {name: value for name, value in os.environ.items() if not name.startswith(OWN_VARIABLES)}
    env.update(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        DJANGO_ALLOWED_HOSTS="news.example.org",
        PYTHONUNBUFFERED="1",
    )
    for name in ("DATABASE_URL", "REDIS_URL"):
        if os.environ.get(name):
            env[name] = os.environ[name]
    env.update(variables)
    return env


def manage(*args: str, env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess:
    """`manage.py ARGS` in a process of its own; text output."""
    return subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
