"""The replica router, with the test database standing in for the replica (issue 5).

A process of its own runs with DATABASE_REPLICA_URL = DATABASE_URL (both the test
database), so that settings make the "replica" alias as production does
(`replica_probe.py`); it counts the queries each connection runs for public pages,
a write and the admin.
"""

import json
import os
import subprocess
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from articles.models import Article, Section
from newsroom.routers import ReplicaRouter, public_reads

from .support import PYTHON, ROOT, url_of_test_database

PUBLIC_PAGES = ["home", "section", "article", "api_list", "api_detail"]
# An editor's preview reads the primary too: a lagging replica may lack what was just saved.
PRIMARY_PAGES = ["admin_list", "admin_change", "preview"]


@pytest.mark.django_db
def test_without_a_replica_everything_reads_the_primary(settings):
    if "replica" in settings.DATABASES:
        pytest.skip("this run has a replica configured")
    router = ReplicaRouter()
    with public_reads():
        assert router.db_for_read(Article) == "default"
        assert Article.objects.all().db == "default"
    assert router.db_for_read(Article) == "default"


def run_probe(*ids: int) -> dict:
    url = url_of_test_database()
    env = {
        # A local-memory cache of its own: no page another process cached is served.
        **{name: value for name, value in os.environ.items() if name != "REDIS_URL"},
        "DATABASE_URL": url,
        "DATABASE_REPLICA_URL": url,
    }
    result = subprocess.run(
        [PYTHON, "-m", "tests.production.replica_probe", *map(str, ids)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_public_reads_go_to_the_replica_everything_else_to_the_primary():
    section = Section.objects.get(slug="inland")
    published = Article.objects.create(
        headline="Senat beschließt Doppelhaushalt", body="<p>Einigung.</p>", section=section,
        status=Article.Status.PUBLISHED, published_at=timezone.now() - timedelta(hours=1),
    )
    draft = Article.objects.create(
        headline="Noch nicht freigegeben", body="<p>Entwurf.</p>", section=section,
        status=Article.Status.DRAFT,
    )
    staff = get_user_model().objects.create_superuser("redakteurin", password="x" * 16)

    report = run_probe(published.pk, draft.pk, staff.pk)

    assert report["databases"] == ["default", "replica"]
    assert report["router"] == {
        # db_for_read, db_for_write, QuerySet.db
        "inside": ["replica", "default", "replica"],
        "outside": ["default", "default", "default"],
        "migrate_default": True,
        "migrate_replica": False,
    }
    problems = []
    for page in PUBLIC_PAGES:
        seen = report[page]
        if seen["status"] != 200:
            problems.append(f"{page}: status {seen['status']}")
        if not seen["replica"]:
            problems.append(f"{page}: read nothing from the replica")
        if seen["default"]:
            problems.append(f"{page}: read the primary: {seen['default']}")
    writes = report["write"]
    if not any(sql.startswith("UPDATE") for sql in writes["default"]):
        problems.append(f"write: no UPDATE on the primary: {writes['default']}")
    if any(sql.startswith(("UPDATE", "INSERT", "DELETE")) for sql in writes["replica"]):
        problems.append(f"write: wrote to the replica: {writes['replica']}")
    for page in PRIMARY_PAGES:
        seen = report[page]
        if seen["status"] != 200:
            problems.append(f"{page}: status {seen['status']}")
        if not seen["default"]:
            problems.append(f"{page}: read nothing from the primary")
        if seen["replica"]:
            problems.append(f"{page}: read the replica: {seen['replica']}")
    assert not problems, "\n".join(problems)
    # The write in the probe really reached the (one) database.
    published.refresh_from_db()
    assert published.headline.endswith("(aktualisiert)")
