"""`manage.py import_dpa`: arguments, output lines, exit codes (DESIGN.md, "Importer").

In process through `call_command`, and as real processes against the test database,
the way the desk runs it from a drop folder or a pipe.
"""

import io
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from articles.models import Agency, Article, ArticleVersion, RelatedLink

from .texts import BODY_LINE, DATE_LINE, HEADLINE, dpa_text, related_item

ROOT = Path(__file__).resolve().parents[2]
SUMMARY = "{} created, {} updated, {} unchanged, {} held, {} failed"
# Transactional tests empty the database afterwards; the sections and the agency dpa
# come from a data migration and must be put back for each of them.
process_db = pytest.mark.django_db(transaction=True, serialized_rollback=True)

GOOD = dpa_text()
SECOND = dpa_text(headline="Abgeordnetenhaus vertagt Sitzung", date="28.02.2025 - 14:00:00")
PUTIN = (
    "Putin: Kann Angriff auf Europa schriftlich ausschließen. Kremlchef Putin sagt hart: "
    "Ohne russische Kontrolle über den Donbass keine Einigung."
)
# One test per way a file can be broken: (id, content, the error after "failed <path>: ").
BAD_INPUTS = [
    pytest.param(b"", "file is empty", id="empty"),
    pytest.param(
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "not a text file: it contains NUL bytes", id="binary"
    ),
    pytest.param(
        dpa_text(date=None).encode(), "no date line (DD.MM.YYYY - HH:MM[:SS]) found", id="no-date-line"
    ),
    pytest.param(
        dpa_text(headline=None, body=(), credit=None).encode(),
        f"no headline after the date line (line {DATE_LINE})",
        id="no-headline",
    ),
    pytest.param(
        dpa_text(body=()).encode(),
        f"no body: at least one paragraph must follow the headline (line {BODY_LINE})",
        id="no-body",
    ),
    pytest.param(
        dpa_text(date="31.02.2025 - 13:16:20").encode(),
        f"impossible date or time '31.02.2025 - 13:16:20' (line {DATE_LINE})",
        id="impossible-date",
    ),
    pytest.param(
        # Cut off in the middle of the second item, line 17.
        dpa_text(related=(related_item(PUTIN), PUTIN + " (Ausl")).encode(),
        "item under 'Weitere Meldungen' does not end in '(Section, DD.MM.YYYY - HH:MM)': "
        "file cut off or damaged (line 17)",
        id="damaged-related-item",
    ),
]


def write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        content = content.encode()
    path.write_bytes(content)
    return path


def run_command(*args: str) -> tuple[int, list[str]]:
    """The exit code and the output lines of `import_dpa` run in this process."""
    stdout = io.StringIO()
    try:
        call_command("import_dpa", *args, stdout=stdout)
        code = 0
    except SystemExit as exit_:
        code = exit_.code
    return code, stdout.getvalue().splitlines()


def database_url_of_test_db() -> str:
    """DATABASE_URL of the test database, for importer processes."""
    name = connection.settings_dict["NAME"]
    if connection.vendor == "sqlite":
        return f"sqlite:///{name}"
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path=f"/{name}"))


def process_env() -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": database_url_of_test_db()}


def run_process(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "import_dpa", *args],
        cwd=ROOT,
        env=process_env(),
        input=stdin,
        capture_output=True,
        timeout=60,
    )


def lines(output: bytes) -> list[str]:
    return output.decode().splitlines()


# Output and exit code, in process


@pytest.mark.django_db
def test_new_file_is_reported_created_with_its_headline(tmp_path):
    path = write(tmp_path, "senat.txt", GOOD)

    code, output = run_command(str(path))

    assert code == 0
    assert output == [f"created {path}: {HEADLINE}", SUMMARY.format(1, 0, 0, 0, 0)]


@pytest.mark.django_db
def test_same_file_again_is_reported_unchanged(tmp_path):
    path = write(tmp_path, "senat.txt", GOOD)
    run_command(str(path))

    code, output = run_command(str(path))

    assert code == 0
    assert output == [f"unchanged {path}: {HEADLINE}", SUMMARY.format(0, 0, 1, 0, 0)]


@pytest.mark.django_db
def test_changed_file_is_reported_updated(tmp_path):
    run_command(str(write(tmp_path, "senat.txt", GOOD)))
    path = write(tmp_path, "senat-2.txt", dpa_text(body=("Die Opposition kündigte eine Klage an.",)))

    code, output = run_command(str(path))

    assert code == 0
    assert output == [f"updated {path}: {HEADLINE}", SUMMARY.format(0, 1, 0, 0, 0)]


@pytest.mark.django_db
def test_update_of_an_edited_article_is_reported_held(tmp_path):
    run_command(str(write(tmp_path, "senat.txt", GOOD)))
    article = Article.objects.get()
    article.teaser = "Vom Desk umgeschrieben."
    article.save()
    path = write(tmp_path, "senat-2.txt", dpa_text(body=("Die Opposition kündigte eine Klage an.",)))

    code, output = run_command(str(path))

    assert code == 0
    assert output == [f"held {path}: {HEADLINE}", SUMMARY.format(0, 0, 0, 1, 0)]


@pytest.mark.django_db
def test_directory_imports_every_agency_file_below_it_in_name_order(tmp_path):
    texts = {
        f"b/{name}": dpa_text(headline=f"Meldung {name}", date=f"28.02.2025 - 13:{minute:02}")
        for minute, name in enumerate(["c.json", "d.xml", "e.iptc"])
    }
    texts |= {
        "a.txt": dpa_text(headline="Meldung a.txt"),
        "c.txt": dpa_text(headline="Meldung c.txt", date="28.02.2025 - 15:00"),
        "notes.md": "Kein Agenturtext.",
    }
    for name, text in texts.items():
        write(tmp_path, name, text)

    code, output = run_command(str(tmp_path))

    assert code == 0
    assert output == [
        f"created {tmp_path / name}: Meldung {name.split('/')[-1]}"
        for name in ["a.txt", "b/c.json", "b/d.xml", "b/e.iptc", "c.txt"]
    ] + [SUMMARY.format(5, 0, 0, 0, 0)]


@pytest.mark.django_db
def test_dash_reads_standard_input_and_is_printed_as_the_path(monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(GOOD.encode())))

    code, output = run_command("-")

    assert code == 0
    assert output == [f"created -: {HEADLINE}", SUMMARY.format(1, 0, 0, 0, 0)]


@pytest.mark.django_db
def test_bad_file_among_good_ones_fails_alone_and_exits_1(tmp_path):
    first = write(tmp_path, "1.txt", GOOD)
    bad = write(tmp_path, "2.txt", dpa_text(date="31.02.2025 - 13:16:20", headline="Kaputt"))
    last = write(tmp_path, "3.txt", SECOND)

    code, output = run_command(str(tmp_path))

    assert code == 1
    assert output == [
        f"created {first}: {HEADLINE}",
        f"failed {bad}: impossible date or time '31.02.2025 - 13:16:20' (line {DATE_LINE})",
        f"created {last}: Abgeordnetenhaus vertagt Sitzung",
        SUMMARY.format(2, 0, 0, 0, 1),
    ]
    assert sorted(Article.objects.values_list("headline", flat=True)) == [
        "Abgeordnetenhaus vertagt Sitzung",
        HEADLINE,
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("content, error", BAD_INPUTS)
def test_bad_input_gets_one_error_line_and_writes_nothing(tmp_path, content, error):
    path = write(tmp_path, "bad.txt", content)

    code, output = run_command(str(path))

    assert code == 1
    assert output == [f"failed {path}: {error}", SUMMARY.format(0, 0, 0, 0, 1)]
    assert (Article.objects.count(), RelatedLink.objects.count()) == (0, 0)


@pytest.mark.django_db
def test_unknown_credit_fails_the_file(tmp_path):
    path = write(tmp_path, "afp.txt", dpa_text(credit="© AFP"))

    code, output = run_command(str(path))

    assert code == 1
    assert output == [
        f"failed {path}: the credit line names an unknown agency 'AFP'",
        SUMMARY.format(0, 0, 0, 0, 1),
    ]


@pytest.mark.django_db
def test_missing_file_fails_with_a_clear_line(tmp_path):
    path = tmp_path / "fehlt.txt"

    code, output = run_command(str(path))

    assert code == 1
    assert output == [f"failed {path}: cannot read: No such file or directory", SUMMARY.format(0, 0, 0, 0, 1)]


@pytest.mark.django_db
def test_dry_run_reports_and_writes_nothing(tmp_path):
    path = write(tmp_path, "senat.txt", dpa_text(related=(related_item(PUTIN),)))

    code, output = run_command("--dry-run", str(path))

    assert code == 0
    assert output == [f"created {path}: {HEADLINE}", SUMMARY.format(1, 0, 0, 0, 0)]
    assert (Article.objects.count(), RelatedLink.objects.count(), ArticleVersion.objects.count()) == (0, 0, 0)


@pytest.mark.django_db
def test_dry_run_reports_what_a_real_run_would_for_an_article_and_its_update(tmp_path):
    write(tmp_path, "1.txt", GOOD)
    write(tmp_path, "2.txt", dpa_text(body=("Die Opposition kündigte eine Klage an.",)))
    write(tmp_path, "3.txt", GOOD.replace("\n", "\r\n"))

    code, output = run_command("--dry-run", str(tmp_path))

    assert code == 0
    assert output == [
        f"created {tmp_path / '1.txt'}: {HEADLINE}",
        f"updated {tmp_path / '2.txt'}: {HEADLINE}",
        f"updated {tmp_path / '3.txt'}: {HEADLINE}",
        SUMMARY.format(1, 2, 0, 0, 0),
    ]
    assert Article.objects.count() == 0


@pytest.mark.django_db
def test_section_option_files_the_article_there(tmp_path):
    run_command("--section", "ausland", str(write(tmp_path, "senat.txt", GOOD)))

    assert Article.objects.get().section.slug == "ausland"


@pytest.mark.django_db
def test_default_section_is_nachrichten(tmp_path):
    run_command(str(write(tmp_path, "senat.txt", GOOD)))

    assert Article.objects.get().section.slug == "nachrichten"


@pytest.mark.django_db
def test_agency_option_credits_texts_without_credit_line(tmp_path):
    Agency.objects.create(name="Reuters", slug="reuters", domain="reuters.com")

    run_command("--agency", "reuters", str(write(tmp_path, "senat.txt", dpa_text(credit=None))))

    assert Article.objects.get().agency.slug == "reuters"


@pytest.mark.django_db
@pytest.mark.parametrize("option", ["--section", "--agency"])
def test_unknown_section_or_agency_is_a_usage_error(tmp_path, option):
    path = write(tmp_path, "senat.txt", GOOD)

    with pytest.raises(CommandError) as error:
        call_command("import_dpa", option, "gibt-es-nicht", str(path), stdout=io.StringIO())

    assert error.value.returncode == 2
    assert str(error.value).startswith(f"{option}: no ")
    assert Article.objects.count() == 0


# Real processes against the test database


@process_db
def test_process_imports_a_file_and_exits_0(tmp_path):
    path = write(tmp_path, "senat.txt", GOOD)

    done = run_process(str(path))

    assert done.returncode == 0
    assert lines(done.stdout) == [f"created {path}: {HEADLINE}", SUMMARY.format(1, 0, 0, 0, 0)]
    assert Article.objects.get().headline == HEADLINE


@process_db
def test_process_reads_standard_input_for_dash():
    done = run_process("-", stdin=GOOD.encode("cp1252"))

    assert done.returncode == 0
    assert lines(done.stdout) == [f"created -: {HEADLINE}", SUMMARY.format(1, 0, 0, 0, 0)]


@process_db
def test_process_with_a_bad_file_among_good_ones_exits_1(tmp_path):
    first = write(tmp_path, "1.txt", GOOD)
    bad = write(tmp_path, "2.txt", dpa_text(headline=None, body=(), credit=None))
    last = write(tmp_path, "3.txt", SECOND)

    done = run_process(str(tmp_path))

    assert done.returncode == 1
    assert lines(done.stdout) == [
        f"created {first}: {HEADLINE}",
        f"failed {bad}: no headline after the date line (line {DATE_LINE})",
        f"created {last}: Abgeordnetenhaus vertagt Sitzung",
        SUMMARY.format(2, 0, 0, 0, 1),
    ]
    assert Article.objects.count() == 2


@process_db
@pytest.mark.parametrize("content, error", BAD_INPUTS)
def test_process_reports_bad_input_in_one_line_without_traceback(tmp_path, content, error):
    path = write(tmp_path, "bad.txt", content)

    done = run_process(str(path))

    assert done.returncode == 1
    assert lines(done.stdout) == [f"failed {path}: {error}", SUMMARY.format(0, 0, 0, 0, 1)]
    assert "Traceback" not in done.stderr.decode()
    assert Article.objects.count() == 0


@process_db
def test_process_dry_run_writes_nothing(tmp_path):
    path = write(tmp_path, "senat.txt", GOOD)

    done = run_process("--dry-run", str(path))

    assert done.returncode == 0
    assert lines(done.stdout) == [f"created {path}: {HEADLINE}", SUMMARY.format(1, 0, 0, 0, 0)]
    assert Article.objects.count() == 0


@process_db
@pytest.mark.parametrize(
    "args, message",
    [
        pytest.param([], "the following arguments are required: PATH", id="no-path"),
        pytest.param(["--section", "nix", "x.txt"], "--section: no section 'nix'", id="section"),
        pytest.param(["--agency", "nix", "x.txt"], "--agency: no agency 'nix'", id="agency"),
    ],
)
def test_process_usage_error_exits_2(args, message):
    done = run_process(*args)

    assert done.returncode == 2
    assert message in done.stderr.decode()
    assert "Traceback" not in done.stderr.decode()


# Concurrency: no duplicate, "not even by two imports running at the same time"

# An importer process that loads Django, says it is ready, waits for the start signal,
# then runs `manage.py import_dpa` as the command line would: the four processes start
# importing within a millisecond or two of each other, not a Django start-up apart.
RACER = """
import os, sys, time
from pathlib import Path
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
import django
django.setup()
from django.core.management import execute_from_command_line
ready, start, path = sys.argv[1:]
Path(ready).touch()
while not Path(start).exists():
    time.sleep(0.001)
execute_from_command_line(["manage.py", "import_dpa", path])
"""
RACERS = 4


@process_db
def test_four_processes_importing_one_new_file_at_once_create_it_once(tmp_path):
    path = write(tmp_path, "senat.txt", dpa_text(related=(related_item(PUTIN),)))
    start = tmp_path / "start"
    ready = [tmp_path / f"ready-{number}" for number in range(RACERS)]
    racers = [
        subprocess.Popen(
            [sys.executable, "-c", RACER, str(flag), str(start), str(path)],
            cwd=ROOT,
            env=process_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for flag in ready
    ]
    deadline = time.monotonic() + 60
    while not all(flag.exists() for flag in ready) and time.monotonic() < deadline:
        time.sleep(0.01)
    start.touch()
    results = [(*racer.communicate(timeout=60), racer.returncode) for racer in racers]

    codes = [code for _, _, code in results]
    first_lines = sorted(lines(stdout)[0] for stdout, _, _ in results)
    output = "".join(stdout.decode() + stderr.decode() for stdout, stderr, _ in results)
    assert codes == [0] * RACERS
    assert first_lines == [f"created {path}: {HEADLINE}"] + [f"unchanged {path}: {HEADLINE}"] * 3
    assert "database is locked" not in output
    assert Article.objects.count() == 1
    assert (RelatedLink.objects.count(), ArticleVersion.objects.count()) == (1, 1)
