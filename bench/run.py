"""`make bench`: the benchmark of issue 7, written to docs/performance.md.

    .venv/bin/python -m bench.run

Environment:
    BENCH_N              articles in the corpus (default 10000)
    BENCH_DURATION       seconds per wrk run (default 10)
    BENCH_CONNECTIONS    wrk connections (default 16); BENCH_THREADS wrk threads (default 2)
    BENCH_IMPORT_LIMIT   seconds after which the fresh SQLite import is stopped and its rate
                         reported from what it did (default 180; PostgreSQL gets half, each
                         re-import a quarter): a slow importer cannot stretch the run past
                         ~10 minutes; a fast one never meets the limit
    BENCH_PROFILE_N      articles in the import profile (default 1000; 0: no profiles)
    BENCH_OUTPUT         the report (default docs/performance.md)
    BENCH_KEEP           1: keep the temporary directory (databases, corpus, logs)
    DATABASE_URL         a postgres:// URL adds the PostgreSQL rows (in a fresh database
                         newsroom_bench, dropped afterwards); without it they are skipped
    BENCH_PAGES_POSTGRES 1: the pages benchmark over PostgreSQL too (about 2 minutes more)
    BENCH_SEARCH_N       articles in the search benchmark's database (default 100000);
                         BENCH_SEARCH_REQUESTS requests one at a time (default 300)

Steps (all in a temporary directory, nothing of the project's own data is touched):
1. a corpus of N dpa texts (bench/corpus.py), 7 section folders;
2. import into a fresh SQLite database (migrated first, untimed), one
   `manage.py import_dpa --section S S/` process per section folder; then the whole
   corpus again in one process (all unchanged); peak RSS of every process;
   the same on PostgreSQL when DATABASE_URL names one;
3. SQL queries per page, first request with a cold cache (bench/probe.py);
4. gunicorn as in production (gunicorn.conf.py, bench.settings: the site plus
   /__bench/trivial/) over the SQLite database, driven by wrk in another process;
5. pyinstrument over an import (fresh, then unchanged) and over uncached article pages;
6. with DATABASE_URL and wrk: the search page over 100,000 published articles on PostgreSQL,
   p95 one request at a time and requests/s under wrk (bench/search.py; alone:
   `DATABASE_URL=postgres://… .venv/bin/python -m bench.search`, about 4 minutes).
"""

import json
import os
import platform
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from bench import corpus

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
BIN = Path(sys.executable).parent
OUTCOMES = ("created", "updated", "unchanged", "held", "failed")
BENCH_DB = "newsroom_bench"
STARTED = time.monotonic()

# The targets of issue 7.
IMPORT_FRESH_RATE = 1000
IMPORT_UNCHANGED_RATE = 5000
PEAK_RSS_MB = 250
RSS_GROWTH = 0.10  # "flat": at most 10 % more at N than at N/5
ARTICLE_UNCACHED_RATIO = 0.20
ARTICLE_CACHED_RATIO = 0.80
HOME_QUERIES = 8
ARTICLE_QUERIES = 6
SEARCH_P95_MS = 50


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def log(message: str) -> None:
    print(f"[{time.monotonic() - STARTED:6.1f}s] {message}", file=sys.stderr, flush=True)


# --- the machine -------------------------------------------------------------------------


def machine(pg_version: str | None) -> dict:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    import django

    wrk = shutil.which("wrk")
    wrk_version = ""
    if wrk:
        out = subprocess.run([wrk, "--version"], capture_output=True, text=True)
        wrk_version = (out.stdout or out.stderr).splitlines()[0].split(" Copyright")[0]
    return {
        "CPU": cpu,
        "cores": str(os.cpu_count()),
        "RAM": ram,
        "OS": platform.platform(),
        "Python": platform.python_version(),
        "Django": django.get_version(),
        "SQLite": sqlite3.sqlite_version,
        "PostgreSQL": pg_version or "not used (DATABASE_URL is not a postgres:// URL)",
        "wrk": wrk_version or "not installed",
    }


def load_average() -> str:
    try:
        return " / ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:
        return "?"


# --- child processes ---------------------------------------------------------------------


def base_env(database_url: str, tmp: Path) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        # Never a shared cache or a replica of someone's real site: the probe clears the cache.
        if key not in {"DATABASE_URL", "REDIS_URL", "DATABASE_REPLICA_URL"}
    }
    env.update(
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="bench.settings",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="newsroom-bench-not-secret-" + "x" * 40,
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_LOG_LEVEL="ERROR",
        STATIC_ROOT=str(tmp / "static"),
        MEDIA_ROOT=str(tmp / "media"),
        PYTHONUNBUFFERED="1",
        PYTHONPATH=str(ROOT),
    )
    return env


def manage(env: dict, *args: str, log_to: Path) -> None:
    with open(log_to, "a") as out:
        subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env, stdout=out, stderr=out, check=True)


def probe(env: dict, *args: str, log_to: Path) -> dict:
    with open(log_to, "a") as err:
        out = subprocess.run(
            [PY, "-m", "bench.probe", *args],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
            check=True,
        )
    return json.loads(out.stdout.strip().splitlines()[-1])


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident set so far (VmHWM), in MB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


@dataclass
class ImportRun:
    outcomes: Counter = field(default_factory=Counter)
    seconds: float = 0.0
    cpu: float = 0.0
    peak_rss: float = 0.0  # MB, the largest of all processes
    processes: int = 0
    rss_at: dict = field(default_factory=dict)  # files done -> peak RSS so far (MB)
    stopped: bool = False
    failures: list = field(default_factory=list)
    completed: list = field(default_factory=list)  # the jobs that ran to their end without a failure
    crashes: list = field(default_factory=list)  # processes that ended with an error of their own

    @property
    def files(self) -> int:
        return sum(self.outcomes.values())

    @property
    def rate(self) -> float:
        return self.files / self.seconds if self.seconds else 0.0

    @property
    def cpu_rate(self) -> float:
        return self.files / self.cpu if self.cpu else 0.0


def run_imports(jobs: list[list[str]], env: dict, log_to: Path, limit: float, checkpoints=()) -> ImportRun:
    """`manage.py import_dpa ARGS` for each job in turn, timed together, stopped at `limit` seconds."""
    result = ImportRun()
    deadline = time.monotonic() + limit
    started = time.perf_counter()
    pending = sorted(checkpoints)
    for args in jobs:
        if time.monotonic() >= deadline:
            result.stopped = True
            break
        failed_before = result.outcomes["failed"]
        with tempfile.TemporaryFile("w+") as err:
            proc = subprocess.Popen(
                [PY, "manage.py", "import_dpa", *args],
                cwd=ROOT,
                env=env,
                stdout=subprocess.PIPE,
                stderr=err,
                text=True,
                bufsize=1,
            )
            timer = threading.Timer(max(0.0, deadline - time.monotonic()), proc.terminate)
            timer.start()
            for line in proc.stdout:
                outcome = line.split(" ", 1)[0]
                if outcome not in OUTCOMES:
                    continue
                result.outcomes[outcome] += 1
                if outcome == "failed" and len(result.failures) < 5:
                    result.failures.append(line.strip())
                while pending and result.files >= pending[0]:
                    result.rss_at[pending.pop(0)] = max(result.peak_rss, peak_rss_mb(proc.pid))
            _, status, usage = os.wait4(proc.pid, 0)
            proc.returncode = os.waitstatus_to_exitcode(status)
            timer.cancel()
            result.processes += 1
            result.cpu += usage.ru_utime + usage.ru_stime
            result.peak_rss = max(result.peak_rss, usage.ru_maxrss / 1024)  # KB on Linux
            err.seek(0)
            errors = err.read()
        with open(log_to, "a") as log_file:
            log_file.write(errors)
        if proc.returncode < 0:
            result.stopped = True
            break
        # 1 means "some files failed"; anything else, or 1 without a failed file, is a crash.
        if proc.returncode not in (0, 1) or (proc.returncode and result.outcomes["failed"] == failed_before):
            last = (errors.strip().splitlines() or ["(no output on stderr)"])[-1]
            result.crashes.append(f"`import_dpa {' '.join(args)}` exited {proc.returncode}: {last[:300]}")
        elif result.outcomes["failed"] == failed_before:
            result.completed.append(args)  # ran to its end, every file imported
    result.seconds = time.perf_counter() - started
    result.rss_at[result.files] = result.peak_rss
    return result


def section_jobs(directory: Path) -> list[list[str]]:
    return [
        ["--section", slug, str(directory / slug)]
        for slug, _, _ in corpus.SECTIONS
        if (directory / slug).is_dir()
    ]


# --- PostgreSQL --------------------------------------------------------------------------


def postgres_urls(url: str) -> tuple[str, str] | None:
    """(the URL as given, the same server's newsroom_bench database), or None."""
    if not url or urlsplit(url).scheme not in {"postgres", "postgresql", "pgsql"}:
        return None
    parts = urlsplit(url)
    return url, urlunsplit(parts._replace(path="/" + BENCH_DB))


def postgres_admin(url: str, *statements: str) -> str:
    """Statements on the server of `url`, from its maintenance database (`url`'s own may not exist)."""
    import psycopg

    parts = urlsplit(url)
    conninfo = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(conninfo, autocommit=True) as connection:
        for statement in statements:
            connection.execute(statement)
        return connection.execute("SHOW server_version").fetchone()[0]


# --- pages -------------------------------------------------------------------------------


def stop(server: subprocess.Popen) -> None:
    """gunicorn's graceful stop, then a kill if it takes longer than 30 s."""
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"gunicorn did not answer {url} within {seconds} s")
        time.sleep(0.3)


def proc_stat(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return []


def server_cpu(master: int) -> float:
    """User and system CPU time of gunicorn so far: the master, its live workers, and the
    workers it has reaped (a worker killed for a timeout keeps counting)."""
    fields = proc_stat(master)
    # utime, stime, cutime, cstime: fields 14-17 of /proc/PID/stat, here 11-14.
    ticks = sum(int(value) for value in fields[11:15])
    for pid in children_of(master):
        child = proc_stat(pid)
        if child:
            ticks += int(child[11]) + int(child[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def settle(master: int, seconds: float = 60) -> None:
    """Wait until gunicorn is idle (at most `seconds`)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        before = server_cpu(master)
        time.sleep(0.5)
        if server_cpu(master) - before < 0.03:
            return


def children_of(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def milliseconds(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    return float(match[1]) * UNITS[match[2]] if match else float("nan")


@dataclass
class WrkRun:
    name: str
    path: str
    rps: float = 0.0
    p50: float = float("nan")
    p90: float = float("nan")
    p99: float = float("nan")
    requests: int = 0
    errors: int = 0  # non-2xx/3xx answers and socket errors
    cpu_ms: float = float("nan")  # server CPU (all gunicorn processes) per request
    note: str = ""


def wrk(
    name: str,
    base: str,
    path: str,
    duration: int,
    connections: int,
    threads: int,
    paths_file: Path | None = None,
    log_to: Path | None = None,
) -> WrkRun:
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{duration}s",
        "--latency",
        "--timeout",
        "10s",
    ]
    if paths_file:
        salt = f"{time.monotonic_ns() % 10**9:x}"
        command += [
            "-s",
            str(ROOT / "bench" / "wrk_cycle.lua"),
            base,
            "--",
            str(paths_file),
            str(threads),
            salt,
        ]
    else:
        command.append(base + path)
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    if log_to:
        with open(log_to, "a") as log_file:
            log_file.write(f"== {name}: {' '.join(command)}\n{out}\n")
    run = WrkRun(name, path)
    if match := re.search(r"Requests/sec:\s+([\d.]+)", out):
        run.rps = float(match[1])
    if match := re.search(r"(\d+) requests in", out):
        run.requests = int(match[1])
    for percent, attribute in (("50", "p50"), ("90", "p90"), ("99", "p99")):
        if match := re.search(rf"^\s+{percent}%\s+(\S+)", out, re.MULTILINE):
            setattr(run, attribute, milliseconds(match[1]))
    if match := re.search(r"Non-2xx or 3xx responses: (\d+)", out):
        run.errors += int(match[1])
    if match := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out):
        run.errors += int(match[1]) + int(match[3]) + int(match[4])
    return run


def write_paths(path: Path, paths: list[str]) -> Path:
    path.write_text("\n".join(paths) + "\n")
    return path


def pages(env: dict, tmp: Path, info: dict, logs: Path, label: str) -> tuple[list[WrkRun], dict]:
    duration = env_int("BENCH_DURATION", 10)
    connections = env_int("BENCH_CONNECTIONS", 16)
    threads = env_int("BENCH_THREADS", 2)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server_env = {**env, "GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_LOG_LEVEL": "warning"}
    urls_dir = Path(info["dir"])
    articles_file = urls_dir / "articles.txt"
    articles = articles_file.read_text().split()
    # Workers and their class as in production (gunicorn.conf.py); only the recycling
    # after max_requests is off, so that no worker restarts inside a 10-second run.
    with open(logs / f"gunicorn-{label}.log", "w") as out:
        server = subprocess.Popen(
            [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "--max-requests", "0", "newsroom.wsgi"],
            cwd=ROOT,
            env=server_env,
            stdout=out,
            stderr=out,
        )
    try:
        wait_for(base + "/__bench/trivial/")
        time.sleep(1.0)
        workers = len(children_of(server.pid))
        log(f"gunicorn on {base}, {workers} workers; wrk -t{threads} -c{connections} -d{duration}s")
        # Warm every worker: imports, templates, URLconf, database connections.
        wrk("warm-up", base, "/__bench/trivial/", 2, connections, threads)
        wrk("warm-up", base, "/", 1, connections, threads, write_paths(urls_dir / "home.txt", ["/"]))
        wrk("warm-up", base, articles[0], 1, connections, threads)
        section = f"/{info['section']}/"
        runs = []
        plan = [
            ("trivial view", "/__bench/trivial/", None),
            ("home (uncached)", "/", write_paths(urls_dir / "home.txt", ["/"])),
            ("home (cached)", "/", None),
            ("section (uncached)", section, write_paths(urls_dir / "section.txt", [section])),
            ("article (uncached)", f"/<section>/<slug>/ ×{len(articles)}", articles_file),
            ("article (cached)", articles[0], None),
            ("search (uncached)", "/search/?q=<word>", urls_dir / "search.txt"),
            ("API list (uncached)", "/api/articles/", write_paths(urls_dir / "api.txt", ["/api/articles/"])),
            ("trivial view (again)", "/__bench/trivial/", None),
        ]
        for name, path, paths_file in plan:
            settle(server.pid)  # what the last run left queued is served before this one starts
            log(f"wrk: {name}")
            cpu_before = server_cpu(server.pid)
            run = wrk(name, base, path, duration, connections, threads, paths_file, logs / f"wrk-{label}.log")
            if run.requests:
                run.cpu_ms = 1000 * (server_cpu(server.pid) - cpu_before) / run.requests
            if paths_file is articles_file and run.requests > len(articles):
                run.note = f"{run.requests} requests > {len(articles)} URLs: repeats made distinct by ?_r="
            runs.append(run)
    finally:
        stop(server)
    log_text = (logs / f"gunicorn-{label}.log").read_text(errors="replace")
    return runs, {
        "workers": workers,
        "duration": duration,
        "connections": connections,
        "threads": threads,
        "worker_timeouts": log_text.count("WORKER TIMEOUT"),
    }


# --- the report --------------------------------------------------------------------------


def mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else float("nan")


def mark(ok: bool | None) -> str:
    return "–" if ok is None else ("✓" if ok else "✗")


def fmt(value: float, digits: int = 0) -> str:
    if value != value:  # nan
        return "–"
    return f"{value:,.{digits}f}"


def missed(measured: float, target: float, higher_is_better: bool = True) -> str:
    """How far a figure is from its target, or "" when it meets it."""
    if measured != measured:
        return ""
    if higher_is_better:
        if measured >= target:
            return ""
        if measured <= 0:
            return "nothing measured"
        return f"{measured / target:.2f}× the target ({target / measured:.1f}× too slow)"
    return f"{measured / target:.2f}× the limit" if measured > target else ""


@dataclass
class Row:
    cells: list
    ok: bool | None = None
    target: str = ""


@dataclass
class Report:
    machine: dict
    settings: dict
    sections: list = field(default_factory=list)  # (title, header, rows, notes)
    targets: list = field(default_factory=list)  # (what, measured, target, ok, by how much)
    profiles: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)

    # Tables and targets are shown in this order of their titles, whatever order the steps ran in.
    ORDER = (
        "Import, SQLite", "Import, PostgreSQL", "Queries", "Pages, SQLite", "Pages, PostgreSQL", "Search",
    )

    def rank(self, title: str) -> int:
        return next((i for i, prefix in enumerate(self.ORDER) if title.startswith(prefix)), len(self.ORDER))

    def table(self, title: str, header: list[str], rows: list[Row], notes=()) -> list[str]:
        notes = list(notes)
        self.sections.append((title, header, rows, notes))
        self.sections.sort(key=lambda section: self.rank(section[0]))
        return notes

    def target(
        self,
        group: str,
        what: str,
        measured: str,
        target: str,
        ok: bool | None,
        miss: str = "",
        profile: str = "",
    ) -> None:
        """One target; `profile` names the profile that says what holds a missed one back."""
        self.targets.append(
            (self.rank(group), len(self.targets), (what, measured, target, ok, miss), profile)
        )
        self.targets.sort(key=lambda item: item[:2])

    def target_rows(self) -> list[tuple]:
        rows = []
        for _, _, (what, measured, target, ok, miss), profile in self.targets:
            data = self.profiles.get(profile)
            if ok is False and data:
                total = data["total"] or 1.0
                top = ", ".join(
                    f"{where} {100 * seconds / total:.0f} %"
                    for where, seconds in data["project_attributed"][:3]
                )
                miss = f"{miss}; most time in (profile “{profile}”): {top}"
            rows.append((what, measured, target, ok, miss))
        return rows

    def text(self) -> str:
        """The tables for the terminal."""
        lines = []
        for title, header, rows, notes in self.sections:
            lines += ["", title]
            cells = [[*header, "target", ""]] + [
                [str(c) for c in row.cells] + [row.target, mark(row.ok) if row.target else ""] for row in rows
            ]
            widths = [max(len(r[i]) for r in cells) for i in range(len(header) + 2)]
            for index, row in enumerate(cells):
                line = "  ".join(
                    c.ljust(w) if i == 0 else c.rjust(w)
                    for i, (c, w) in enumerate(zip(row, widths, strict=True))
                )
                lines.append(line.rstrip())
                if index == 0:
                    lines.append("  ".join("-" * w for w in widths))
            lines += [f"  · {note}" for note in notes]
        lines += ["", "Targets (issue 7)"]
        for what, measured, target, ok, miss in self.target_rows():
            lines.append(f"  {mark(ok)} {what}: {measured} (target {target}){' — ' + miss if miss else ''}")
        for name, profile in self.profiles.items():
            lines += ["", f"Profile: {name} — {profile['summary']}"]
            total = profile["total"] or 1.0
            lines += [
                f"  {seconds:8.3f} s {100 * seconds / total:5.1f} %  {where}"
                for where, seconds in profile["project_attributed"][:10]
            ]
        return "\n".join(lines)

    def markdown(self) -> str:
        s = self.settings
        out = [
            "# Performance",
            "",
            "Written by `make bench` (bench/run.py): run it again rather than edit this page. "
            "What is measured and how: issue 7, the docstring of bench/run.py and the notes under "
            "each table.",
            "",
            f"- **Date:** {s['date']}",
            f"- **Command:** `{s['command']}`",
            f"- **Corpus:** {s['corpus']}",
            f"- **Run time:** {s['elapsed']}",
            f"- **Load average** (1, 5, 15 min) before the run {s['load_before']}, after it "
            f"{s['load_after']}. Other work on the machine lowers every wall-clock figure; the "
            "CPU-time figures (articles/CPU-s, server CPU ms/request) suffer much less.",
            "",
            "## Machine",
            "",
            "| | |",
            "|---|---|",
        ]
        out += [f"| {key} | {value} |" for key, value in self.machine.items()]
        out += [
            "",
            "## Targets (issue 7)",
            "",
            "| | target | measured | | missed by |",
            "|---|---|---|---|---|",
        ]
        out += [
            f"| {what} | {target} | {measured} | {mark(ok)} | {miss} |"
            for what, measured, target, ok, miss in self.target_rows()
        ]
        for title, header, rows, notes in self.sections:
            out += ["", f"## {title}", ""]
            out.append("| " + " | ".join([*header, "target", ""]) + " |")
            out.append("|" + "---|" * (len(header) + 2))
            for row in rows:
                cells = [str(c) for c in row.cells] + [row.target, mark(row.ok) if row.target else ""]
                out.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
            if notes:
                out += [""] + [f"- {note}" for note in notes]
        if self.profiles:
            out += [
                "",
                "## Profiles (pyinstrument)",
                "",
                "What holds the import and the pages back. *Attributed*: the time of the innermost "
                "project function on the stack — its own lines plus the library code it calls "
                "(Django's ORM, the database driver, taggit, nh3 …), without the project functions "
                "it calls. *Self*: a function's own lines, whoever's code it is. *Inclusive*: "
                "project functions with everything they call.",
            ]
            for name, profile in self.profiles.items():
                total = profile["total"] or 1.0
                out += ["", f"### {name}", "", profile["summary"], ""]
                out += ["| attributed to | s | % | | self time in | s | % |", "|---|---|---|---|---|---|---|"]
                attributed, own = profile["project_attributed"], profile["self"]

                def cells(entries, index, total=total):
                    if index >= len(entries):
                        return " | | "
                    where, seconds = entries[index]
                    return f"`{where}` | {fmt(seconds, 3)} | {fmt(100 * seconds / total, 1)}"

                for index in range(max(len(attributed), len(own))):
                    out.append(f"| {cells(attributed, index)} | | {cells(own, index)} |")
                out += [
                    "",
                    "By area (self time): "
                    + ", ".join(
                        f"{where} {fmt(100 * seconds / total, 0)} %"
                        for where, seconds in profile["areas"][:12]
                    )
                    + ".",
                ]
                out += [
                    "",
                    "Inclusive: "
                    + ", ".join(
                        f"`{where}` {fmt(100 * seconds / total, 0)} %"
                        for where, seconds in profile["project"][:10]
                    )
                    + ".",
                ]
        if self.notes:
            out += ["", "## Notes", ""] + [f"- {note}" for note in self.notes]
        return "\n".join(out) + "\n"


# --- the steps ---------------------------------------------------------------------------


@dataclass
class Bench:
    n: int
    limit: int
    tmp: Path
    logs: Path
    report: Report
    corpus_dir: Path = None

    @property
    def checkpoint(self) -> int:
        return max(1, self.n // 5)


def import_step(bench: Bench, label: str, env: dict, fresh_limit: float) -> list[str]:
    """Fresh import, one process per section folder; then what it imported again, in one process."""
    log_to = bench.logs / f"import-{label}.log"
    log(f"import {label}: {bench.n:,} new articles, one process per section")
    fresh = run_imports(section_jobs(bench.corpus_dir), env, log_to, fresh_limit, (bench.checkpoint,))
    log(
        f"  {fresh.files:,} files in {fresh.seconds:.1f} s: {fresh.rate:.0f}/s, "
        f"peak RSS {fresh.peak_rss:.0f} MB"
    )
    # What the fresh import finished, again: all unchanged.
    whole = not fresh.stopped and len(fresh.completed) == len(section_jobs(bench.corpus_dir))
    paths = [str(bench.corpus_dir)] if whole else [args[-1] for args in fresh.completed]
    again = ImportRun()
    if paths:
        log(f"import {label}: the same again, one process")
        again = run_imports([paths], env, log_to, bench.limit / 4, (bench.checkpoint,))
        log(f"  {again.files:,} files in {again.seconds:.1f} s: {again.rate:.0f}/s")
    return import_rows(bench, label, fresh, again, fresh_limit)


def import_rows(
    bench: Bench, label: str, fresh: ImportRun, again: ImportRun, fresh_limit: float
) -> list[str]:
    report, n = bench.report, bench.n
    fresh_ok = fresh.rate >= IMPORT_FRESH_RATE and not fresh.stopped
    again_ok = again.rate >= IMPORT_UNCHANGED_RATE and not again.stopped and again.files > 0
    rows = [
        Row(
            [
                f"{n:,} new articles into a fresh database",
                f"{fresh.files:,}",
                fmt(fresh.seconds, 1),
                fmt(fresh.rate),
                fmt(fresh.cpu_rate),
                fmt(fresh.peak_rss),
                str(fresh.processes),
            ],
            fresh_ok,
            f"≥ {IMPORT_FRESH_RATE:,}/s",
        ),
        Row(
            [
                "the same again (all unchanged)",
                f"{again.files:,}",
                fmt(again.seconds, 1),
                fmt(again.rate),
                fmt(again.cpu_rate),
                fmt(again.peak_rss),
                str(again.processes),
            ],
            again_ok,
            f"≥ {IMPORT_UNCHANGED_RATE:,}/s",
        ),
    ]
    notes = []
    for run, what, cap in (
        (fresh, "The fresh import", fresh_limit),
        (again, "The re-import", bench.limit / 4),
    ):
        if run.stopped:
            notes.append(
                f"{what} was stopped after {cap:.0f} s (BENCH_IMPORT_LIMIT={bench.limit}): its "
                f"rate is that of the {run.files:,} files it did."
            )
        if run.outcomes.get("failed"):
            notes.append(f"{what}: {run.outcomes['failed']} files failed, e.g. {run.failures[0]}")
        notes += [f"{what}: {crash}" for crash in run.crashes]
        expected = "created" if run is fresh else "unchanged"
        others = {k: v for k, v in run.outcomes.items() if k != expected and v}
        if others:
            notes.append(f"{what}: outcomes {dict(run.outcomes)} (all should be {expected}).")
    notes = report.table(
        f"Import, {label}",
        ["", "files", "s", "articles/s", "articles/CPU-s", "peak RSS MB", "processes"],
        rows,
        notes,
    )
    report.target(
        f"Import, {label}",
        f"import of {n:,} new articles, {label}",
        f"{fmt(fresh.rate)}/s ({fmt(fresh.seconds, 1)} s for {fresh.files:,})",
        f"≥ {IMPORT_FRESH_RATE:,}/s",
        fresh_ok,
        missed(fresh.rate, IMPORT_FRESH_RATE),
        profile="Import, fresh",
    )
    report.target(
        f"Import, {label}",
        f"re-import, all unchanged, {label}",
        f"{fmt(again.rate)}/s",
        f"≥ {IMPORT_UNCHANGED_RATE:,}/s",
        again_ok,
        missed(again.rate, IMPORT_UNCHANGED_RATE),
        profile="Import, all unchanged",
    )
    peak = max(fresh.peak_rss, again.peak_rss)
    report.target(
        f"Import, {label}",
        f"peak RSS of an import process, {label}",
        f"{fmt(peak)} MB",
        f"≤ {PEAK_RSS_MB} MB",
        peak <= PEAK_RSS_MB,
        missed(peak, PEAK_RSS_MB, higher_is_better=False),
    )
    for run, what in ((fresh, "over the section processes"), (again, "one process")):
        points = sorted(run.rss_at.items())
        if len(points) >= 2 and points[0][1] > 0:
            (low_n, low), (high_n, high) = points[0], points[-1]
            growth = high / low - 1
            report.target(
                f"Import, {label}",
                f"peak RSS flat as the import goes on, {label}, {what}",
                f"{fmt(low)} MB at {low_n:,} files, {fmt(high)} MB at {high_n:,} ({growth:+.0%})",
                f"≤ {RSS_GROWTH:+.0%}",
                growth <= RSS_GROWTH,
                f"{growth:+.0%}" if growth > RSS_GROWTH else "",
            )
    return notes


def queries_step(bench: Bench, env: dict) -> dict:
    log("queries per page")
    result = probe(env, "queries", log_to=bench.logs / "probe.log")
    info, failing = result.pop("_info"), result.pop("_failing_articles")
    limits = {"home": HOME_QUERIES, "article": ARTICLE_QUERIES}
    rows = []
    for name, data in result.items():
        limit = limits.get(name)
        ok = None if limit is None else (data["queries"] <= limit and data["status"] == 200)
        rows.append(
            Row(
                [name, f"`{data['url']}`", data["status"], data["queries"]], ok, f"≤ {limit}" if limit else ""
            )
        )
        if limit:
            report_miss = f"{data['queries'] - limit} too many" if data["queries"] > limit else ""
            if data["status"] != 200:
                report_miss = f"status {data['status']}"
            bench.report.target(
                "Queries", f"queries, {name} page", str(data["queries"]), f"≤ {limit}", ok, report_miss
            )
    notes = [
        "The first request of each page with a cold cache (the page cache cleared), through Django's "
        "test client with CaptureQueriesContext, over the SQLite database of the import. The article "
        "is the one with the most related items and tags that renders.",
    ]
    if failing:
        notes.append(
            f"{len(failing)} richer article page(s) did not render (status ≠ 200), "
            f"e.g. `{failing[0]}`: see the errors in the pages table."
        )
    bench.report.table("Queries per page", ["page", "URL", "status", "queries"], rows, notes)
    return info


def pages_step(bench: Bench, env: dict, info: dict, label: str) -> None:
    log(f"pages over {label}: gunicorn, wrk")
    runs, setup = pages(env, bench.tmp, info, bench.logs, label)
    trivial = [run for run in runs if run.name.startswith("trivial")]
    ceiling = mean([run.rps for run in trivial if run.rps])
    trivial_cpu = mean([run.cpu_ms for run in trivial if run.cpu_ms == run.cpu_ms])
    wanted = {"article (uncached)": ARTICLE_UNCACHED_RATIO, "article (cached)": ARTICLE_CACHED_RATIO}
    rows = []
    for run in runs:
        ratio = run.rps / ceiling
        cpu_ratio = trivial_cpu / run.cpu_ms if run.cpu_ms else float("nan")
        target = wanted.get(run.name)
        ok = None if target is None else (ratio >= target and not run.errors)
        rows.append(
            Row(
                [
                    run.name,
                    f"`{run.path}`",
                    fmt(run.rps),
                    fmt(run.p50, 1),
                    fmt(run.p99, 1),
                    f"{ratio:.1%}",
                    fmt(run.cpu_ms, 2),
                    f"{cpu_ratio:.1%}",
                    f"{run.errors:,}",
                ],
                ok,
                f"≥ {target:.0%}" if target else "",
            )
        )
        if target:
            bench.report.target(
                f"Pages, {label}",
                f"{run.name} over the trivial view, requests/s, {label}",
                f"{ratio:.1%} ({fmt(run.rps)}/s over {fmt(ceiling)}/s; by CPU {cpu_ratio:.1%})",
                f"≥ {target:.0%}",
                ok,
                "; ".join(
                    filter(
                        None,
                        [
                            missed(ratio, target),
                            f"{run.errors:,} errors in {run.requests:,} requests" if run.errors else "",
                        ],
                    )
                ),
                profile="Article page, uncached" if "uncached" in run.name else "Article page, cached",
            )
    notes = [
        f"gunicorn -c gunicorn.conf.py: {setup['workers']} sync workers as in production, with "
        "`--max-requests 0` so that no worker restarts during a run; DJANGO_DEBUG=0, bench.settings, "
        f"the {label} database of the import ({info['published']:,} published articles), the local-memory "
        f"cache. wrk -t{setup['threads']} -c{setup['connections']} -d{setup['duration']}s --latency, on the "
        "same 2 cores.",
        f"*of trivial*: requests/s over the mean of the two trivial-view runs ({fmt(ceiling)}/s); the "
        'trivial view (`/__bench/trivial/`, bench/urls.py) answers "ok" through the same middleware.',
        "*server CPU ms/request*: user+system CPU time of the gunicorn master and workers during the run "
        "over the requests served; *of trivial, by CPU*: the trivial view's CPU per request over the "
        "page's, the ratio the machine would show with nothing else running (wrk's own share aside).",
        "Uncached: every request a distinct URL (bench/wrk_cycle.lua). The article run walks the "
        f"{info['articles']:,} article URLs in random order; home, section, API list and search (30 words) "
        "get a `?_r=…` parameter the views ignore, so that the page cache, keyed on the full path, misses "
        "every time. Cached: one URL over and over.",
        "errors: answers other than 2xx/3xx, plus socket errors (wrk).",
    ]
    notes += [run.note for run in runs if run.note]
    if setup["worker_timeouts"]:
        notes.append(
            f"gunicorn killed {setup['worker_timeouts']} worker(s) for a request over its 30 s timeout "
            "(WORKER TIMEOUT in the gunicorn log): see the slowest page above."
        )
    bench.report.table(
        f"Pages, {label} (gunicorn + wrk)",
        [
            "page",
            "path",
            "requests/s",
            "p50 ms",
            "p99 ms",
            "of trivial",
            "server CPU ms/request",
            "of trivial, by CPU",
            "errors",
        ],
        rows,
        notes,
    )
    failing = [run for run in runs if run.errors]
    if failing:
        bench.report.notes.append(
            f"Pages that answered errors ({label}): "
            + ", ".join(f"{run.name} {run.errors:,} of {run.requests:,}" for run in failing)
            + ". The gunicorn log of the run says why (BENCH_KEEP=1 keeps it)."
        )


def search_step(bench: Bench, pg_url: str) -> None:
    from bench import search

    result = search.measure(pg_url, bench.tmp, bench.logs)
    search.report(bench.report.target, bench.report.table, result)


def profile_step(bench: Bench, profile_n: int, env: dict) -> None:
    profile_dir = Path(tempfile.gettempdir()) / "newsroom-bench-profiles"
    log(f"profile: import of {profile_n:,} articles, fresh and again")
    profile_corpus = bench.tmp / "profile-corpus"
    corpus.write(profile_corpus, profile_n, seed=11)
    profile_env = base_env(f"sqlite:///{bench.tmp / 'profile.sqlite3'}", bench.tmp)
    profile_env["BENCH_PROFILE_DIR"] = str(profile_dir)
    manage(profile_env, "migrate", "--noinput", log_to=bench.logs / "migrate.log")
    result = probe(profile_env, "profile-import", str(profile_corpus), log_to=bench.logs / "probe.log")
    for key, name, what in (
        ("import", "Import, fresh", "new articles"),
        ("reimport", "Import, all unchanged", "unchanged articles (the same files again)"),
    ):
        data = result[key]
        data["summary"] = (
            f"`import_dpa --section S S/` for the 7 section folders, in one process, of "
            f"{data['articles']:,} {what} into a SQLite database: {data['seconds']:.1f} s under the "
            f"profiler, {1000 * data['seconds'] / data['articles']:.1f} ms and "
            f"{data['queries'] / data['articles']:.1f} SQL statements an article."
        )
        bench.report.profiles[name] = data
    log("profile: uncached article pages")
    env = {**env, "BENCH_PROFILE_DIR": str(profile_dir)}
    data = probe(env, "profile-article", "200", log_to=bench.logs / "probe.log")
    data["summary"] = (
        f"{data['requests']} article pages, each a different article with a cold page cache, through "
        f"Django's test client over the {bench.n:,}-article SQLite database, the connection closed after "
        f"each request as under gunicorn: {1000 * data['seconds'] / data['requests']:.1f} ms a page under "
        "the profiler"
        + (f" ({data['skipped']} pages that did not render were left out)." if data["skipped"] else ".")
    )
    bench.report.profiles["Article page, uncached"] = data
    cached = data.pop("cached", None)
    if cached:
        cached["summary"] = (
            f"The same article page {cached['requests']} times from the page cache, the connection "
            "closed after each request as under gunicorn: "
            f"{1000 * cached['seconds'] / cached['requests']:.2f} ms a page under the profiler."
        )
        bench.report.profiles["Article page, cached"] = cached
    bench.report.notes.append(
        "The full profiles of this run, as text and HTML: "
        f"{profile_dir}/{{import,reimport,article,article-cached}}.{{txt,html}}."
    )


# --- main --------------------------------------------------------------------------------


def guarded(bench: Bench, what: str, step, *args, **kwargs):
    """Run one step; if it fails, the report says so and the other steps still run."""
    try:
        return step(*args, **kwargs)
    except Exception as error:
        log(f"{what} failed: {type(error).__name__}: {error}")
        bench.report.notes.append(
            f"**{what} failed** ({type(error).__name__}: {str(error)[:300]}); its log is in the "
            "run's temporary directory (BENCH_KEEP=1 keeps it): the figures of that step are missing."
        )
        return None


def importable(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


def main() -> int:
    n = env_int("BENCH_N", 10_000)
    limit = env_int("BENCH_IMPORT_LIMIT", 180)
    profile_n = env_int("BENCH_PROFILE_N", 1000)
    pages_on_postgres = os.environ.get("BENCH_PAGES_POSTGRES", "") not in {"", "0"}
    output = Path(os.environ.get("BENCH_OUTPUT", ROOT / "docs" / "performance.md"))
    postgres = postgres_urls(os.environ.get("DATABASE_URL", ""))
    load_before = load_average()
    pg_version = None
    if postgres:
        try:
            pg_version = postgres_admin(postgres[0])
        except Exception as error:  # no server: the rows are skipped, with the reason
            log(f"PostgreSQL not reachable ({error}); skipping it")
            postgres, pg_version = None, f"not reachable ({type(error).__name__})"
    settings = [
        f"{key}={os.environ[key]}"
        for key in (
            "BENCH_N",
            "BENCH_DURATION",
            "BENCH_CONNECTIONS",
            "BENCH_THREADS",
            "BENCH_IMPORT_LIMIT",
            "BENCH_PROFILE_N",
            "BENCH_PAGES_POSTGRES",
            "BENCH_SEARCH_N",
        )
        if os.environ.get(key)
    ]
    if postgres:
        parts = urlsplit(postgres[0])
        settings.append(f"DATABASE_URL={parts.scheme}://{parts.hostname}:{parts.port or 5432}/…")
    tmp = Path(tempfile.mkdtemp(prefix="newsroom-bench-"))
    bench = Bench(
        n,
        limit,
        tmp,
        tmp / "logs",
        Report(
            machine(pg_version),
            {
                "date": datetime.now().astimezone().isoformat(timespec="seconds"),
                "command": " ".join([*settings, "make bench"]),
                "corpus": f"{n:,} dpa texts from bench/corpus.py (seed 7), 7 section folders, written afresh",
                "load_before": load_before,
            },
        ),
    )
    bench.logs.mkdir()
    log(f"working in {tmp}")
    try:
        log(f"corpus: {n:,} articles")
        bench.corpus_dir = tmp / "corpus"
        corpus.write(bench.corpus_dir, n)

        sqlite_env = base_env(f"sqlite:///{tmp / 'bench.sqlite3'}", tmp)
        sqlite_env["BENCH_URLS_DIR"] = str(tmp / "urls-sqlite")
        manage(sqlite_env, "migrate", "--noinput", log_to=bench.logs / "migrate.log")
        (tmp / "empty").mkdir()
        startup = run_imports(
            [["--section", "inland", str(tmp / "empty")]], sqlite_env, bench.logs / "import-SQLite.log", 60
        )
        notes = import_step(bench, "SQLite", sqlite_env, limit)
        notes.append(
            "Fresh: one `manage.py import_dpa --section S S/` process per section folder, one after the "
            f"other; starting one costs {startup.seconds:.2f} s ({startup.cpu:.2f} s CPU: `import_dpa` of "
            "an empty folder), included. Again: one `import_dpa DIR` process over the folders the fresh "
            "import finished. Peak RSS: the largest process (getrusage ru_maxrss); the RSS targets "
            f"compare it at {bench.checkpoint:,} files with the end."
        )

        if postgres:
            given, bench_url = postgres
            postgres_admin(
                given, f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)', f'CREATE DATABASE "{BENCH_DB}"'
            )
            try:
                pg_env = base_env(bench_url, tmp)
                pg_env["BENCH_URLS_DIR"] = str(tmp / "urls-postgres")
                manage(pg_env, "migrate", "--noinput", log_to=bench.logs / "migrate.log")
                notes = guarded(
                    bench, "the PostgreSQL import", import_step, bench, "PostgreSQL", pg_env, limit / 2
                )
                (notes or []).append(
                    f"The same, in a fresh database `{BENCH_DB}` on the server of DATABASE_URL, dropped "
                    "after the run."
                )
                if pages_on_postgres and shutil.which("wrk"):
                    manage(
                        pg_env,
                        "collectstatic",
                        "--noinput",
                        "--verbosity",
                        "0",
                        log_to=bench.logs / "collectstatic.log",
                    )
                    info = probe(pg_env, "urls", pg_env["BENCH_URLS_DIR"], log_to=bench.logs / "probe.log")
                    guarded(bench, "the pages over PostgreSQL", pages_step, bench, pg_env, info, "PostgreSQL")
            finally:
                postgres_admin(given, f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
        else:
            bench.report.table(
                "Import, PostgreSQL",
                ["", "files", "s", "articles/s"],
                [Row(["skipped: DATABASE_URL names no PostgreSQL database", "–", "–", "–"])],
                [
                    f"`DATABASE_URL=postgres://USER@HOST:5432/DB make bench` adds these rows; the benchmark "
                    f"makes its own database `{BENCH_DB}` on that server and drops it afterwards."
                ],
            )
        if postgres and shutil.which("wrk"):
            guarded(bench, "the search benchmark", search_step, bench, postgres[0])
        else:
            bench.report.target(
                "Search",
                "search p95 over 100,000 articles, PostgreSQL",
                "not measured",
                f"≤ {SEARCH_P95_MS} ms",
                None,
                "needs DATABASE_URL=postgres://… and wrk",
            )

        # Pages render with DEBUG=0 only after collectstatic (the manifest of hashed names).
        manage(
            sqlite_env,
            "collectstatic",
            "--noinput",
            "--verbosity",
            "0",
            log_to=bench.logs / "collectstatic.log",
        )
        info = guarded(bench, "queries per page", queries_step, bench, sqlite_env) or guarded(
            bench,
            "the URL list",
            probe,
            sqlite_env,
            "urls",
            sqlite_env["BENCH_URLS_DIR"],
            log_to=bench.logs / "probe.log",
        )
        if shutil.which("wrk"):
            if info:
                guarded(bench, "the pages over SQLite", pages_step, bench, sqlite_env, info, "SQLite")
        else:
            bench.report.table(
                "Pages (gunicorn + wrk)",
                ["page", "requests/s"],
                [Row(["skipped: wrk is not installed", "–"])],
                ["Install it (Debian: `apt-get install -y wrk`) and run `make bench` again."],
            )

        if profile_n and importable("pyinstrument"):
            guarded(bench, "the profiles", profile_step, bench, profile_n, sqlite_env)
        elif profile_n:
            bench.report.notes.append("No profiles: pyinstrument is not installed in .venv.")
    finally:
        bench.report.settings["elapsed"] = f"{time.monotonic() - STARTED:.0f} s"
        bench.report.settings["load_after"] = load_average()
        if os.environ.get("BENCH_KEEP"):
            log(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)

    print(bench.report.text())
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(bench.report.markdown())
    log(f"wrote {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
