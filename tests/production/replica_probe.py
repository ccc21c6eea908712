"""Run by test_replica_router.py in a process of its own, with DATABASE_REPLICA_URL set.

Prints JSON: for each step, the number of queries the "default" and the "replica"
connection ran (and their SQL). Arguments: the id of a published article, of a
draft, and of a staff user.
"""

import json
import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connections  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

from articles.models import Article  # noqa: E402
from newsroom.routers import ReplicaRouter, public_reads  # noqa: E402


def counted(step):
    """Run `step`; return its result and the queries each connection ran."""
    with (
        CaptureQueriesContext(connections["default"]) as default,
        CaptureQueriesContext(connections["replica"]) as replica,
    ):
        result = step()
    return result, {
        "default": [query["sql"] for query in default.captured_queries],
        "replica": [query["sql"] for query in replica.captured_queries],
    }


def main(published_id: int, draft_id: int, staff_id: int) -> dict:
    setup_test_environment()  # the test client's host "testserver" is allowed
    report = {"databases": sorted(settings.DATABASES)}

    router = ReplicaRouter()
    with public_reads():
        inside = (router.db_for_read(Article), router.db_for_write(Article), Article.objects.all().db)
    outside = (router.db_for_read(Article), router.db_for_write(Article), Article.objects.all().db)
    report["router"] = {
        "inside": inside,
        "outside": outside,
        "migrate_default": router.allow_migrate("default", "articles"),
        "migrate_replica": router.allow_migrate("replica", "articles"),
    }

    published = Article.objects.get(pk=published_id)
    draft = Article.objects.get(pk=draft_id)
    reader = Client()
    for name, path in [
        ("home", "/"),
        ("section", f"/{published.section.slug}/"),
        ("article", published.get_absolute_url()),
        ("api_list", "/api/articles/"),
        ("api_detail", f"/api/articles/{published.pk}/"),
    ]:
        response, queries = counted(lambda path=path: reader.get(path))
        report[name] = {"status": response.status_code, **queries}

    def write_in_public_block():
        with public_reads():
            published.headline = published.headline + " (aktualisiert)"
            published.save()

    _, queries = counted(write_in_public_block)
    report["write"] = queries

    editor = Client()
    editor.force_login(get_user_model().objects.get(pk=staff_id))
    for name, path in [
        ("admin_list", "/admin/articles/article/"),
        ("admin_change", f"/admin/articles/article/{published.pk}/change/"),
        ("preview", draft.get_absolute_url()),
    ]:
        response, queries = counted(lambda path=path: editor.get(path))
        report[name] = {"status": response.status_code, **queries}
    return report


if __name__ == "__main__":
    print(json.dumps(main(*map(int, sys.argv[1:4]))))
