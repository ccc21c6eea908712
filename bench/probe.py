"""The benchmark's look inside Django: run by bench/run.py in a child process.

    python -m bench.probe urls OUTDIR          article, section, tag and search URLs for wrk
    python -m bench.probe queries              SQL queries per page (first request, cold cache)
    python -m bench.probe profile-import DIR   pyinstrument over import_dpa of every section folder
    python -m bench.probe profile-article K    pyinstrument over K uncached article pages

Each prints one JSON object on its last line. The database is the one DATABASE_URL
names; the settings module is bench.settings (newsroom.settings plus a trivial view).
"""

import json
import os
import random
import sys
import time
from pathlib import Path
from urllib.parse import quote

PROJECT = Path(__file__).resolve().parent.parent
# Search words: common in the corpus (bench/corpus.py), so that every search finds pages.
SEARCH_WORDS = [
    "Berlin",
    "Hamburg",
    "München",
    "Regierung",
    "Polizei",
    "Gewerkschaft",
    "Rente",
    "Mieten",
    "Klinikum",
    "Forscher",
    "Streit",
    "Studie",
    "Ukraine",
    "Russland",
    "Bahn",
    "Windkraft",
    "Strompreise",
    "Schulen",
    "Brücken",
    "Opposition",
    "Entscheidung",
    "Sommerpause",
    "Fans",
    "Museum",
    "Sanktionen",
    "Wohnungen",
    "Flughafen",
    "Verband",
    "Koalition",
    "Zoll",
]


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    sys.path.insert(0, str(PROJECT))
    import django

    django.setup()


def client():
    from django.test import Client

    # A page that fails is counted as its status, not raised.
    return Client(HTTP_HOST="127.0.0.1", raise_request_exception=False)


# --- URLs --------------------------------------------------------------------------------


def article_urls() -> list[str]:
    from articles.models import Article

    rows = Article.objects.published().values_list("section__slug", "slug").order_by("id")
    urls = [f"/{section}/{slug}/" for section, slug in rows]
    random.Random(1).shuffle(urls)
    return urls


def urls(outdir: str) -> dict:
    from django.db.models import Count
    from taggit.models import Tag

    from articles.models import Article, Section

    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    articles = article_urls()
    (out / "articles.txt").write_text("\n".join(articles) + "\n")
    (out / "search.txt").write_text("\n".join(f"/search/?q={quote(word)}" for word in SEARCH_WORDS) + "\n")
    busiest = (
        Section.objects.annotate(n=Count("articles"))
        .order_by("-n", "position")
        .values_list("slug", flat=True)
    )
    tag = Tag.objects.annotate(n=Count("taggit_taggeditem_items")).order_by("-n", "slug").first()
    return {
        "dir": str(out),
        "articles": len(articles),
        "published": Article.objects.published().count(),
        "total": Article.objects.count(),
        "section": busiest[0] if busiest else "",
        "tag": quote(tag.slug) if tag else "",
        "article": articles[0] if articles else "",
    }


# --- queries per page --------------------------------------------------------------------


def richest_articles(limit: int = 25) -> list[str]:
    """Articles with the most related items and tags: the pages most likely to multiply queries."""
    from django.db.models import Count

    from articles.models import Article

    articles = (
        Article.objects.published()
        .annotate(links=Count("related_links", distinct=True), ntags=Count("tags", distinct=True))
        .order_by("-links", "-ntags", "id")
        .select_related("section")[:limit]
    )
    return [article.get_absolute_url() for article in articles]


def queries() -> dict:
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    info = urls(os.environ.get("BENCH_URLS_DIR", "/tmp/newsroom-bench-urls"))
    browser = client()
    # The richest article that renders (see "failing" for those that did not).
    failing = []
    for url in richest_articles():
        cache.clear()
        if browser.get(url).status_code == 200:
            article = url
            break
        failing.append(url)
    else:
        article = failing[0]
    pages = {
        "home": "/",
        "section": f"/{info['section']}/",
        "article": article,
        "tag": f"/tag/{info['tag']}/",
        "search": f"/search/?q={SEARCH_WORDS[0]}",
        "api list": "/api/articles/",
    }
    result = {"_info": info, "_failing_articles": failing}
    for name, url in pages.items():
        cache.clear()
        with CaptureQueriesContext(connection) as captured:
            response = browser.get(url)
        result[name] = {
            "url": url,
            "status": response.status_code,
            "queries": len(captured.captured_queries),
            "sql": [query["sql"][:300] for query in captured.captured_queries],
        }
    return result


# --- profiles ----------------------------------------------------------------------------


# Built-in functions whose time is the database's (sqlite3 and psycopg's C code, the server).
DATABASE_CALLS = ("execute", "executemany", "commit", "fetch", "Cursor", "Connection", "connect", "wait")


def summarize(session, top: int = 15) -> dict:
    """The profile as four rankings, each [(name, seconds)]:

    - self: time spent in the function's own code (any code: Django, the driver, ...);
    - project: time inside a project function, callees included;
    - project_attributed: time of the nearest project function on the stack, i.e. its own
      code plus the library code it calls directly (callee project functions excluded);
    - areas: self time by where the code is: a project file, a Django package
      (django/template, django/db/models/sql, ...), another library, the database.
    """
    root = session.root_frame()
    total = root.time if root else 0.0
    self_time: dict[str, float] = {}
    inclusive: dict[str, float] = {}
    attributed: dict[str, float] = {}
    areas: dict[str, float] = {}

    def is_project(frame) -> bool:
        path = frame.file_path or ""
        return path.startswith(str(PROJECT)) and "/.venv/" not in path and "/bench/" not in path

    def key(frame) -> str:
        path = frame.file_path or "?"
        if "site-packages/" in path:
            path = path.split("site-packages/", 1)[1]
        elif path.startswith(str(PROJECT) + "/"):
            path = path[len(str(PROJECT)) + 1 :]
        elif "/lib/python3" in path:
            path = "stdlib/" + path.split("/lib/python3", 1)[1].split("/", 1)[-1]
        return f"{path}:{frame.function}"

    def area_of(frame, name: str, caller_area: str) -> str:
        """Which code the time is spent in: a project file, a library (package), the database."""
        path = frame.file_path or ""
        if not path or path.startswith("<"):
            function = frame.function
            if any(word in function for word in DATABASE_CALLS):
                return "database: driver and engine (C)"
            return caller_area
        if is_project(frame):
            return name.split(":", 1)[0]
        if "site-packages/" in path:
            parts = path.split("site-packages/", 1)[1].split("/")
            if parts[0] == "django":
                depth = 4 if parts[1:3] == ["db", "models"] and len(parts) > 4 else 3
                return "/".join(parts[:depth]).removesuffix(".py")
            return parts[0]
        return "python: " + name.split(":", 1)[0].removeprefix("stdlib/")

    stack = [(root, frozenset(), None, "(start-up)")] if root else []
    while stack:
        frame, seen, nearest, caller_area = stack.pop()
        if frame.is_synthetic:  # [self], [await]: already in the parent's total_self_time
            continue
        name = key(frame)
        own = frame.total_self_time
        self_time[name] = self_time.get(name, 0.0) + own
        area = area_of(frame, name, caller_area)
        areas[area] = areas.get(area, 0.0) + own
        if is_project(frame):
            nearest = name
            if name not in seen:
                inclusive[name] = inclusive.get(name, 0.0) + frame.time
                seen = seen | {name}
        owner = nearest or "(outside project code)"
        attributed[owner] = attributed.get(owner, 0.0) + own
        for child in frame.children:
            stack.append((child, seen, nearest, area))

    def ranked(table):
        return [
            (name, round(seconds, 4)) for name, seconds in sorted(table.items(), key=lambda kv: -kv[1])[:top]
        ]

    return {
        "total": round(total, 4),
        "self": ranked(self_time),
        "project": ranked(inclusive),
        "project_attributed": ranked(attributed),
        "areas": ranked(areas),
    }


class QueryCounter:
    """Counts the SQL statements a block sends (connection.execute_wrapper: no limit, no log)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def import_folders(folders, profiler) -> tuple[float, int]:
    from django.core.management import call_command
    from django.db import connection

    counter = QueryCounter()
    started = time.perf_counter()
    with open(os.devnull, "w") as sink, connection.execute_wrapper(counter):
        profiler.start()
        for folder in folders:
            call_command("import_dpa", "--section", folder.name, str(folder), stdout=sink)
        profiler.stop()
    return time.perf_counter() - started, counter.count


def profile_import(directory: str) -> dict:
    """Profiles of a fresh import of the folders below `directory`, then of the same again."""
    from pyinstrument import Profiler

    folders = sorted(p for p in Path(directory).iterdir() if p.is_dir())
    count = sum(1 for folder in folders for _ in folder.glob("*.txt"))
    results = {}
    for name in ("import", "reimport"):
        profiler = Profiler(interval=0.001)
        elapsed, queries = import_folders(folders, profiler)
        write_renders(profiler, name)
        results[name] = {
            "articles": count,
            "seconds": round(elapsed, 3),
            "queries": queries,
            **summarize(profiler.last_session),
        }
    return results


def profile_article(requests: int) -> dict:
    from django.core.cache import cache
    from django.db import close_old_connections
    from pyinstrument import Profiler

    browser = client()
    # Pages that render: a failing page would profile the error handling instead.
    candidates, failing = [], 0
    for url in article_urls():
        if len(candidates) > requests:
            break
        cache.clear()
        if browser.get(url).status_code == 200:
            candidates.append(url)
        else:
            failing += 1
    browser.get(candidates[0])  # templates and URLconf loaded: not what a warm worker pays
    profiler = Profiler(interval=0.0005)
    started = time.perf_counter()
    profiler.start()
    for url in candidates[1:]:
        cache.clear()
        browser.get(url)
        # As under gunicorn, where each request ends by closing the connection (the test
        # client keeps it open), except on PostgreSQL with its persistent connections.
        close_old_connections()
    profiler.stop()
    elapsed = time.perf_counter() - started
    write_renders(profiler, "article")
    result = {
        "requests": len(candidates) - 1,
        "skipped": failing,
        "seconds": round(elapsed, 3),
        **summarize(profiler.last_session),
    }
    # The same page from the page cache, over and over: what a cached page costs.
    url = candidates[1]
    browser.get(url)
    repeats = 5 * requests
    profiler = Profiler(interval=0.0002)
    started = time.perf_counter()
    profiler.start()
    for _ in range(repeats):
        browser.get(url)
        close_old_connections()
    profiler.stop()
    write_renders(profiler, "article-cached")
    result["cached"] = {
        "requests": repeats,
        "seconds": round(time.perf_counter() - started, 3),
        **summarize(profiler.last_session),
    }
    return result


def write_renders(profiler, name: str) -> None:
    out = os.environ.get("BENCH_PROFILE_DIR")
    if not out:
        return
    Path(out).mkdir(parents=True, exist_ok=True)
    Path(out, f"{name}.txt").write_text(profiler.output_text(unicode=True, color=False, show_all=False))
    Path(out, f"{name}.html").write_text(profiler.output_html())


def main(argv: list[str]) -> int:
    setup()
    command, *rest = argv
    if command == "urls":
        result = urls(rest[0])
    elif command == "queries":
        result = queries()
    elif command == "profile-import":
        result = profile_import(rest[0])
    elif command == "profile-article":
        result = profile_article(int(rest[0]) if rest else 200)
    else:
        print(__doc__, file=sys.stderr)
        return 2
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
