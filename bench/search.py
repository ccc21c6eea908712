"""The search step of `make bench`: /search/?q= over 100,000 articles on PostgreSQL.

    DATABASE_URL=postgres://USER@HOST:5432/DB .venv/bin/python -m bench.search

runs this step alone and prints its tables (docs/performance.md is left alone); `make
bench` runs it too when DATABASE_URL names a PostgreSQL server and wrk is installed.

1. a fresh database `newsroom_search_bench` on that server (dropped afterwards unless
   BENCH_KEEP=1), migrated, filled by bench/search_data.py with BENCH_SEARCH_N (100,000)
   published articles of the corpus (seed 7), their search vectors made by
   `articles.search.reindex` as for imported articles. BENCH_SEARCH_KEEP=1 keeps the
   database afterwards and, next time, measures the one left there (migrated again, not
   refilled) if it holds BENCH_SEARCH_N articles: two minutes saved a run while working on
   search; drop it (or unset the variable) after changing what the loader or reindex writes;
2. gunicorn as in production (gunicorn.conf.py, DJANGO_DEBUG=0) over it;
3. latency: BENCH_SEARCH_REQUESTS (300) requests one after the other over one client
   (no other load), cycling through SEARCH_QUERIES, every URL distinct (`&_r=`) so that
   the page cache misses; two rounds of the queries before, not counted, warm the
   workers and the database's buffers. p50/p95/p99 of the time to the last byte;
4. throughput: wrk with the same queries (bench/wrk_cycle.lua), BENCH_DURATION seconds,
   BENCH_CONNECTIONS connections, as for the other pages.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

from bench import run

DB = "newsroom_search_bench"
TARGET_MS = run.SEARCH_P95_MS
# (kind, query, page): words of bench/corpus.py by how many of the articles hold them.
SEARCH_QUERIES = [
    ("no match", "Zitronenfalter", 1),
    ("rare (~1 %)", "Eishockey", 1),
    ("rare (~1 %)", "Archäologie", 1),
    ("rare (~1 %)", "Literatur", 1),
    ("medium (~10 %)", "Windkraft", 1),
    ("medium (~10 %)", "Sanktionen", 1),
    ("common (~20 %)", "Berlin", 1),
    ("common (~25 %)", "Professor", 1),
    ("very common (~95 %)", "Menschen", 1),
    ("very common (~95 %)", "Prozent", 1),
    ("very common (~95 %)", "Menschen", 2),
    ("two words", "Polizei Berlin", 1),
    ("two words", "Windkraft Hamburg", 1),
    ("two words", "Menschen Prozent", 1),
]


def path_of(text: str, page: int) -> str:
    return f"/search/?q={quote(text)}" + (f"&page={page}" if page > 1 else "")


def percentile(values: list[float], share: float) -> float:
    """Nearest rank."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))]


def fetch(url: str) -> tuple[float, int, bytes]:
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            body, status = response.read(), response.status
    except urllib.error.HTTPError as error:
        body, status = error.read(), error.code
    return 1000 * (time.perf_counter() - started), status, body


def sequential(base: str, requests: int) -> dict:
    salt = f"{time.monotonic_ns() % 10**9:x}"
    for warm in range(2 * len(SEARCH_QUERIES)):
        _, text, page = SEARCH_QUERIES[warm % len(SEARCH_QUERIES)]
        fetch(f"{base}{path_of(text, page)}&_r=w{salt}-{warm}")
    by_kind: dict[str, list[float]] = {}
    found: dict[str, str] = {}
    times, errors = [], 0
    for number in range(requests):
        kind, text, page = SEARCH_QUERIES[number % len(SEARCH_QUERIES)]
        ms, status, body = fetch(f"{base}{path_of(text, page)}&_r={salt}-{number}")
        times.append(ms)
        by_kind.setdefault(kind, []).append(ms)
        errors += status != 200
        if status == 200 and text not in found:
            found[text] = result_count(body.decode())
    return {"times": times, "by_kind": by_kind, "errors": errors, "found": found}


def result_count(html: str) -> str:
    start = html.find('class="result-count"')
    if start < 0:
        return "?"
    text = html[html.find(">", start) + 1 : html.find("</p>", start)]
    return text.split(" für ")[0]


def measure(pg_url: str, tmp: Path, logs: Path) -> dict:
    """Build the database, serve it, measure; the database is dropped at the end."""
    n = run.env_int("BENCH_SEARCH_N", 100_000)
    requests = run.env_int("BENCH_SEARCH_REQUESTS", 300)
    duration = run.env_int("BENCH_DURATION", 10)
    connections = run.env_int("BENCH_CONNECTIONS", 16)
    threads = run.env_int("BENCH_THREADS", 2)
    url = run.urlunsplit(run.urlsplit(pg_url)._replace(path="/" + DB))
    # The server's own database for CREATE and DROP: the one named may not exist.
    pg_url = run.urlunsplit(run.urlsplit(pg_url)._replace(path="/postgres"))
    reuse = os.environ.get("BENCH_SEARCH_KEEP")
    data = kept(url, n) if reuse else None
    if data is None:
        run.postgres_admin(pg_url, f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)', f'CREATE DATABASE "{DB}"')
    try:
        env = run.base_env(url, tmp)
        run.manage(env, "migrate", "--noinput", log_to=logs / "migrate.log")
        if data is None:
            run.log(f"search: {n:,} published articles into PostgreSQL ({DB})")
            with open(logs / "search-data.log", "a") as err:
                out = subprocess.run(
                    [run.PY, "-m", "bench.search_data", str(n)],
                    cwd=run.ROOT, env=env, stdout=subprocess.PIPE, stderr=err, text=True, check=True,
                )
            data = json.loads(out.stdout.strip().splitlines()[-1])
            run.log(f"  {data['articles']:,} articles in {data['seconds']:.0f} s ({data['database_size']})")
        else:
            run.log(f"search: the {data['articles']:,} articles kept in {DB} (BENCH_SEARCH_KEEP)")
        run.manage(env, "collectstatic", "--noinput", "--verbosity", "0", log_to=logs / "collectstatic.log")
        port = run.free_port()
        base = f"http://127.0.0.1:{port}"
        server_env = {**env, "GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_LOG_LEVEL": "warning"}
        with open(logs / "gunicorn-search.log", "w") as log_file:
            server = subprocess.Popen(
                [str(run.BIN / "gunicorn"), "-c", "gunicorn.conf.py", "--max-requests", "0", "newsroom.wsgi"],
                cwd=run.ROOT, env=server_env, stdout=log_file, stderr=log_file,
            )
        try:
            run.wait_for(base + "/__bench/trivial/")
            time.sleep(1.0)
            workers = len(run.children_of(server.pid))
            run.log(f"search: {requests} requests one after the other")
            result = sequential(base, requests)
            paths = run.write_paths(tmp / "search-paths.txt", [path_of(t, p) for _, t, p in SEARCH_QUERIES])
            load = None
            if shutil.which("wrk"):
                run.settle(server.pid)
                run.log(f"search: wrk -t{threads} -c{connections} -d{duration}s")
                cpu_before = run.server_cpu(server.pid)
                load = run.wrk(
                    "search", base, "/search/?q=…", duration, connections, threads, paths,
                    logs / "wrk-search.log",
                )
                if load.requests:
                    load.cpu_ms = 1000 * (run.server_cpu(server.pid) - cpu_before) / load.requests
        finally:
            run.stop(server)
    finally:
        if not (os.environ.get("BENCH_KEEP") or reuse):
            run.postgres_admin(pg_url, f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')
    return {**result, "data": data, "load": load, "workers": workers,
            "setup": {"duration": duration, "connections": connections, "threads": threads}}


def kept(url: str, n: int) -> dict | None:
    """What the loader reported, for a database a run left (BENCH_SEARCH_KEEP) with n articles."""
    import psycopg

    parts = run.urlsplit(url)
    try:
        with psycopg.connect(run.urlunsplit(parts._replace(scheme="postgresql")), autocommit=True) as db:
            articles = db.execute("SELECT count(*) FROM articles_article").fetchone()[0]
            size = db.execute("SELECT pg_size_pretty(pg_database_size(current_database()))").fetchone()[0]
    except psycopg.Error:
        return None
    if articles != n:
        return None
    return {"articles": articles, "seconds": 0.0, "rows_seconds": 0.0, "database_size": size, "kept": True}


def report(target, table, result: dict) -> None:
    """The target row and the table, through run.Report's `target` and `table`."""
    times, data, load = result["times"], result["data"], result["load"]
    p50, p95, p99 = (percentile(times, share) for share in (0.50, 0.95, 0.99))
    ok = p95 <= TARGET_MS and not result["errors"]
    target(
        "Search, PostgreSQL",
        f"search p95 over {data['articles']:,} articles, PostgreSQL",
        f"{p95:.1f} ms (p50 {p50:.1f}, p99 {p99:.1f}; {len(times)} requests one at a time)",
        f"≤ {TARGET_MS} ms",
        ok,
        "; ".join(
            filter(
                None,
                [
                    run.missed(p95, TARGET_MS, higher_is_better=False),
                    f"{result['errors']} errors" if result["errors"] else "",
                ],
            )
        ),
    )
    rows = []
    for kind, values in result["by_kind"].items():
        texts = list(dict.fromkeys(
            f"{text}{' (page 2)' if page > 1 else ''}: {result['found'].get(text, '?')}"
            for k, text, page in SEARCH_QUERIES if k == kind
        ))
        rows.append(run.Row([kind, "; ".join(texts), len(values), *(
            run.fmt(percentile(values, share), 1) for share in (0.50, 0.95, 0.99)
        ), "", ""]))
    rows.append(
        run.Row(["all, one at a time", f"{len(SEARCH_QUERIES)} queries in turn", len(times),
                 run.fmt(p50, 1), run.fmt(p95, 1), run.fmt(p99, 1), "", f"{result['errors']:,}"],
                ok, f"p95 ≤ {TARGET_MS} ms")
    )
    if load:
        rows.append(
            run.Row([f"under wrk -c{result['setup']['connections']}", "the same queries",
                     f"{load.requests:,}",
                     run.fmt(load.p50, 1), "–", run.fmt(load.p99, 1), f"{run.fmt(load.rps)}/s "
                     f"({run.fmt(load.cpu_ms, 2)} ms server CPU a request)", f"{load.errors:,}"])
        )
    setup = result["setup"]
    loaded = "in an earlier run (BENCH_SEARCH_KEEP)" if data.get("kept") else f"in {data['seconds']:.0f} s"
    table(
        "Search, PostgreSQL (gunicorn)",
        ["queries", "examples: what the page says", "requests", "p50 ms", "p95 ms", "p99 ms", "requests/s",
         "errors"],
        rows,
        [
            f"{data['articles']:,} published articles of the corpus (bench/corpus.py, seed 7) loaded by "
            f"bench/search_data.py {loaded} ({data['database_size']}): parsed by the "
            "importer's parser, search vectors by `articles.search.reindex` as for imported articles.",
            f"gunicorn -c gunicorn.conf.py ({result['workers']} sync workers, DJANGO_DEBUG=0), the "
            "local-memory page cache missed on every request (`&_r=…`); the database's buffers warm "
            "(two rounds of the queries first, not counted).",
            "One at a time: one client, the next request when the last answer is read, time to the last "
            "byte; the target's p95 is over all of them. Under wrk: "
            f"wrk -t{setup['threads']} -c{setup['connections']} -d{setup['duration']}s over the same "
            "queries (bench/wrk_cycle.lua).",
            "The page ranks the newest 500 matches of a query and counts no further (articles/search.py, "
            "MOST): “Mehr als 500 Treffer”.",
        ],
    )


def main() -> int:
    postgres = run.postgres_urls(os.environ.get("DATABASE_URL", ""))
    if not postgres:
        print("DATABASE_URL must name a PostgreSQL database (postgres://USER@HOST:5432/DB)", file=sys.stderr)
        return 2
    tmp = Path(tempfile.mkdtemp(prefix="newsroom-bench-search-"))
    (tmp / "logs").mkdir()
    try:
        result = measure(postgres[0], tmp, tmp / "logs")
    finally:
        if os.environ.get("BENCH_KEEP"):
            run.log(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    report_ = run.Report(run.machine(None), {})
    report(report_.target, report_.table, result)
    print(report_.text())
    return 0


if __name__ == "__main__":
    sys.exit(main())
