"""`import_dpa --wireq BASE_URL [--once]` against a fake wireQ on 127.0.0.1 (tests/ingest/fake_wireq.py).

In process for the details, and as a real process for the pull as it runs in production:
polls, obeys retry-after and 429, imports each entry on its own, keeps failed entries
raw for an editor, and ends cleanly on SIGTERM/SIGINT.
"""

import io
import json
import signal
import urllib.request
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from articles.ingest import formats, intake, wireq
from articles.models import Agency, Article, FailedEntry, Section

from .fake_wireq import STORIES, FakeWireQ, Reply, closed_port, sample_entries, sample_entry
from .importer_process import ImporterProcess, call_import_dpa
from .test_import_command import SUMMARY, process_db

NO_URN = "entry without urn"


def headline_of(entry: dict) -> str:
    return formats.parse(json.dumps(entry).encode()).headline


def without_urn(entry: dict) -> dict:
    return {key: value for key, value in entry.items() if key != "urn"}


def created_lines(entries: list[dict]) -> list[str]:
    return [f"created {entry['urn']}: {headline_of(entry)}" for entry in entries]


def matches(output: list[str], expected: list[str]) -> bool:
    """Each line as expected; a line may go on with a note of the import ("(picture …)")."""
    return len(output) == len(expected) and all(
        line == want or line.startswith(want + " (") for line, want in zip(output, expected, strict=True)
    )



@pytest.fixture
def server():
    with FakeWireQ() as fake:
        yield fake


# The samples and the fake


def test_sample_entries_lead_nowhere_off_this_machine():
    for entry in sample_entries():
        for association in entry.get("associations") or []:
            for rendition in association.get("renditions") or []:
                assert rendition["url"].startswith("http://127.0.0.1:")


def test_fake_answers_its_script_then_an_empty_queue(server):
    server.add(Reply(entries=[{"urn": "a"}], retry_after="3"))
    url = f"{server.base_url}/dequeue-entries.json"

    with urllib.request.urlopen(urllib.request.Request(url, data=b"", method="POST"), timeout=5) as first:
        assert (json.load(first), first.headers["retry-after"]) == ({"entries": [{"urn": "a"}]}, "3")
    with urllib.request.urlopen(urllib.request.Request(url, data=b"", method="POST"), timeout=5) as second:
        assert json.load(second) == {"entries": []}


# Pieces


@pytest.mark.parametrize(
    "value, seconds",
    [
        ("5", 5.0), (" 1.5 ", 1.5), ("0", 0.0), ("-3", 0.0),
        ("999999", wireq.MAX_WAIT), ("soon", None), (None, None),
    ],
)
def test_retry_after_in_seconds(value, seconds):
    assert wireq.parse_retry_after(value) == seconds


def test_retry_after_as_an_http_date():
    moment = datetime.now(UTC) + timedelta(seconds=30)

    seconds = wireq.parse_retry_after(format_datetime(moment, usegmt=True))

    assert 25 <= seconds <= 31


def test_lines_never_show_the_secret_path():
    assert wireq.redact("https://wireq.dpa.com/q/3f9a-secret/dequeue-entries.json") == "https://wireq.dpa.com/…"


# One poll, in this process


@pytest.mark.django_db
def test_once_imports_each_entry_with_its_urn_as_name(server):
    entries = sample_entries()
    server.add(Reply(entries=entries))

    code, output, log = call_import_dpa("--wireq", server.base_url, "--once")

    assert code == 0
    assert matches(output, created_lines(entries) + [SUMMARY.format(len(entries), 0, 0, 0, 0)])
    assert Article.objects.count() == len(STORIES)
    assert len(server.served()) == 1
    assert not any(server.secret in line for line in output + log)


@pytest.mark.django_db
def test_an_entry_that_fails_is_kept_raw_and_the_others_import(server):
    good = sample_entries(["dw-1", "eil"])
    bad = without_urn(sample_entry("spe_tab"))
    picture = sample_entry("image")  # a bare picture: no text
    server.add(Reply(entries=[good[0], bad, picture, good[1]]))

    code, output, _ = call_import_dpa("--wireq", server.base_url, "--once")

    assert code == 1
    assert output[0] == created_lines(good)[0]
    assert output[1] == f"failed entry 2: {NO_URN}"
    assert output[2].startswith(f"failed {picture['urn']}: entry has no text")  # the urn said once
    assert output[3:] == created_lines(good)[1:] + [SUMMARY.format(2, 0, 0, 0, 2)]
    kept = {entry.name: entry for entry in FailedEntry.objects.all()}
    assert set(kept) == {"entry 2", picture["urn"]}
    assert json.loads(bytes(kept["entry 2"].raw)) == bad
    no_urn = kept["entry 2"]
    assert (no_urn.origin, no_urn.state, no_urn.error) == ("wireq", "failed", NO_URN)
    assert json.loads(bytes(kept[picture["urn"]].raw)) == picture


@pytest.mark.django_db
def test_the_same_entries_again_change_nothing(server):
    entries = sample_entries(["dw-1", "eil"])
    server.add(Reply(entries=entries), Reply(entries=entries))
    call_import_dpa("--wireq", server.base_url, "--once")

    code, output, _ = call_import_dpa("--wireq", server.base_url, "--once")

    assert code == 0
    unchanged = [f"unchanged {entry['urn']}: {headline_of(entry)}" for entry in entries]
    assert output == unchanged + [SUMMARY.format(0, 0, 2, 0, 0)]
    assert Article.objects.count() == 2


@pytest.mark.django_db
def test_an_entry_that_is_no_object_is_kept(server):
    server.add(Reply(entries=["Kein Eintrag"]))

    code, output, _ = call_import_dpa("--wireq", server.base_url, "--once")

    assert code == 1
    assert output == ["failed entry 1: the entry is not a JSON object", SUMMARY.format(0, 0, 0, 0, 1)]
    assert json.loads(bytes(FailedEntry.objects.get().raw)) == "Kein Eintrag"


@pytest.mark.django_db
def test_empty_queue_once_reports_nothing_and_exits_0(server):
    code, output, _ = call_import_dpa("--wireq", server.base_url, "--once")

    assert (code, output) == (0, [SUMMARY.format(0, 0, 0, 0, 0)])


@pytest.mark.django_db
def test_429_once_says_when_to_ask_again_and_exits_0(server):
    server.add(Reply(status=429, entries=[], retry_after="7"))

    code, output, log = call_import_dpa("--wireq", server.base_url, "--once")

    assert (code, output) == (0, [SUMMARY.format(0, 0, 0, 0, 0)])
    assert "import_dpa: 429 Too Many Requests: next poll in 7 s" in log


@pytest.mark.django_db
@pytest.mark.parametrize(
    "reply, message",
    [
        pytest.param(Reply(status=500, entries=[]), "HTTP 500 Internal Server Error", id="server-error"),
        pytest.param(Reply(entries=None, body=b"<html>Wartung</html>"), "the answer is not JSON", id="html"),
        pytest.param(
            Reply(entries=None, body=b'{"items": []}'), "the answer is not a wireQ answer", id="no-entries"
        ),
    ],
)
def test_a_poll_that_fails_is_one_log_line_and_exit_1(server, reply, message):
    server.add(reply)

    code, output, log = call_import_dpa("--wireq", server.base_url, "--once")

    assert (code, output) == (1, [SUMMARY.format(0, 0, 0, 0, 0)])
    assert [line for line in log if message in line][0].startswith(f"import_dpa: {message}")
    assert log[-1].endswith("next poll in 2 s")


@pytest.mark.django_db
def test_an_answer_cut_off_is_kept_for_an_editor(server):
    whole = json.dumps({"entries": sample_entries(["dw-1"])}).encode()
    server.add(Reply(entries=None, body=whole[: len(whole) // 2]))

    code, _, _ = call_import_dpa("--wireq", server.base_url, "--once")

    assert code == 1
    kept = FailedEntry.objects.get()
    assert (kept.name, bytes(kept.raw)) == (wireq.ANSWER_NAME, whole[: len(whole) // 2])
    assert kept.error.startswith("the answer is not JSON")


@pytest.mark.django_db
def test_wrong_secret_is_a_404_and_exit_1(server):
    code, _, log = call_import_dpa("--wireq", f"http://127.0.0.1:{server.port}/falsch", "--once")

    assert code == 1
    assert any("HTTP 404 Not Found" in line for line in log)


@pytest.mark.django_db
def test_queue_out_of_reach_once_exits_1_with_one_line():
    code, output, log = call_import_dpa("--wireq", f"http://127.0.0.1:{closed_port()}/secret", "--once")

    assert (code, output) == (1, [SUMMARY.format(0, 0, 0, 0, 0)])
    assert [line for line in log if "cannot reach" in line] == [
        "import_dpa: cannot reach the queue: Connection refused: next poll in 2 s"
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "args, message",
    [
        (["--wireq", "ftp://example.org/q"], "--wireq: BASE_URL must be an http:// or https:// address"),
        (["--wireq", "http://127.0.0.1:9/q", "x.json"], "PATH cannot be given with --watch or --wireq"),
        (["--wireq", "http://127.0.0.1:9/q", "--dry-run"], "--dry-run cannot be used with --watch"),
        (["--wireq", "http://127.0.0.1:9/q", "--watch", "."], "--watch and --wireq: one at a time"),
        (["--once", "x.json"], "--once goes with --watch or --wireq"),
    ],
)
def test_usage_errors(args, message):
    with pytest.raises(CommandError) as error:
        call_command("import_dpa", *args, stdout=io.StringIO(), stderr=io.StringIO())

    assert error.value.returncode == 2
    assert str(error.value).startswith(message)


# A stop in the middle of an answer


@pytest.mark.django_db
def test_a_stop_between_entries_keeps_the_rest_of_the_answer(server):
    entries = sample_entries(["dw-1", "eil", "spe_tab"])
    stopper = intake.Stopper()
    lines = []

    def report(outcome, name, detail):
        lines.append(f"{outcome} {name}: {detail}")
        stopper.stop()  # as SIGTERM would, while the first entry is in hand

    puller = wireq.Puller(
        wireq.WireQ(server.base_url),
        section=Section.objects.get(slug="nachrichten"),
        agency=Agency.objects.get(slug="dpa"),
        report=report,
        log=lambda message: None,
        stopper=stopper,
    )
    server.add(Reply(entries=entries))

    puller.run()

    assert lines == created_lines(entries[:1])
    assert [(e.name, e.error) for e in FailedEntry.objects.order_by("id")] == [
        (entries[1]["urn"], wireq.STOPPED),
        (entries[2]["urn"], wireq.STOPPED),
    ]
    assert len(server.served()) == 1


# Real processes against the test database


@process_db
def test_process_once_imports_the_queue_and_keeps_the_bad_entry():
    entries = sample_entries()
    bad = without_urn(sample_entry("eil"))
    with FakeWireQ() as server:
        server.add(Reply(entries=[*entries[:2], bad, *entries[2:]], retry_after="5"))
        with ImporterProcess("--wireq", server.base_url, "--once") as importer:
            code = importer.process.wait(timeout=60)
            importer.readers[0].join(timeout=5)

    assert code == 1
    expected = created_lines(entries[:2]) + [f"failed entry 3: {NO_URN}"] + created_lines(entries[2:])
    assert matches(importer.stdout, expected + [SUMMARY.format(len(entries), 0, 0, 0, 1)])
    assert len(server.served()) == 1
    assert Article.objects.count() == len(entries)
    kept = FailedEntry.objects.get()
    assert (kept.origin, kept.name, kept.error) == ("wireq", "entry 3", NO_URN)
    assert json.loads(bytes(kept.raw)) == bad
    assert "Traceback" not in "\n".join(importer.stderr)


@process_db
def test_process_obeys_429_and_retry_after_and_stops_on_sigterm():
    entries = sample_entries()
    with FakeWireQ(idle=Reply(retry_after="60")) as server:
        server.add(
            Reply(status=429, entries=[], retry_after="1"),
            Reply(entries=[], retry_after="1"),
            Reply(entries=entries[:3], retry_after="0"),
            Reply(entries=entries[3:], retry_after="0"),
        )
        with ImporterProcess("--wireq", server.base_url) as importer:
            # The fifth poll finds the queue empty and is told to wait a minute.
            importer.wait_for(lambda: len(server.served()) >= 5, "five polls")
            importer.wait_for(lambda: len(importer.stdout) >= len(entries), "a line per entry")
            code, took = importer.stop(signal.SIGTERM)
            served = server.served()

    assert code == 0
    assert took < 3, f"{took:.1f} s from SIGTERM to exit"
    assert [request.status for request in served] == [429, 200, 200, 200, 200]
    gaps = [later.at - earlier.at for earlier, later in zip(served, served[1:], strict=False)]
    assert gaps[0] >= 0.95, "asked again before the retry-after of the 429"
    assert gaps[1] >= 0.95, "asked again before the retry-after of the empty answer"
    assert matches(importer.stdout, created_lines(entries) + [SUMMARY.format(len(entries), 0, 0, 0, 0)])
    assert Article.objects.count() == len(entries)
    log = "\n".join(importer.stderr)
    assert "429 Too Many Requests: next poll in 1 s" in log
    assert "stopped by SIGTERM" in log
    assert "Traceback" not in log
    assert server.secret not in log + "\n".join(importer.stdout)


@process_db
@pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_process_waiting_out_an_unreachable_queue_stops_at_once(number):
    with ImporterProcess("--wireq", f"http://127.0.0.1:{closed_port()}/secret") as importer:
        importer.wait_for_log("cannot reach the queue")
        code, took = importer.stop(number)

    assert code == 0
    assert took < 3
    assert importer.stdout == [SUMMARY.format(0, 0, 0, 0, 0)]
    assert f"import_dpa: stopped by {signal.Signals(number).name}" in importer.stderr
    assert "Traceback" not in "\n".join(importer.stderr)
