"""`import_dpa --watch DIR`: a drop folder, and files holding several stories.

Each complete file dropped into DIR is imported, then moved to DIR/done/, or to
DIR/failed/ with `<name>.error.txt` beside it and its failed stories kept for an
editor. In process for the details, as a real process end to end.
"""

import io
import json
import os
import signal
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from articles.ingest import formats, watch
from articles.models import Article, FailedEntry

from .fake_wireq import sample_entries, sample_entry
from .importer_process import ImporterProcess, call_import_dpa
from .test_import_command import SUMMARY, process_db, write
from .texts import DATE_LINE, HEADLINE, dpa_text

SECOND_HEADLINE = "Abgeordnetenhaus vertagt Sitzung"
SECOND = dpa_text(headline=SECOND_HEADLINE, date="28.02.2025 - 14:00:00")
BAD = dpa_text(date="31.02.2025 - 13:16:20")
BAD_ERROR = f"impossible date or time '31.02.2025 - 13:16:20' (line {DATE_LINE})"
NEWSML = Path(__file__).resolve().parents[3] / "shared" / "samples" / "newsml-g2"



def watch_once(folder: Path) -> tuple[int, list[str], list[str]]:
    return call_import_dpa("--watch", str(folder), "--once")


def headline_of(entry: dict) -> str:
    return formats.parse(json.dumps(entry).encode()).headline


def names(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []


def drop(folder: Path, name: str, content: str | bytes) -> Path:
    """As a sender should: written under a temporary name, then renamed into the folder."""
    temporary = write(folder, f".{name}.tmp", content)
    target = folder / name
    os.replace(temporary, target)
    return target


# Several stories in one file (also without --watch)


@pytest.mark.django_db
def test_a_wireq_answer_in_a_file_is_one_line_per_story(tmp_path):
    entries = sample_entries(["dw-1", "eil", "spe_tab"])
    path = write(tmp_path, "answer.json", json.dumps({"entries": entries}))

    code, output, _ = call_import_dpa(str(path))

    assert code == 0
    assert output == [f"created {path}: {headline_of(entry)}" for entry in entries] + [
        SUMMARY.format(3, 0, 0, 0, 0)
    ]
    assert Article.objects.count() == 3


@pytest.mark.django_db
def test_a_bad_story_in_a_file_fails_alone(tmp_path):
    entries = sample_entries(["dw-1", "eil"])
    bad = {key: value for key, value in sample_entry("spe_tab").items() if key != "urn"}
    path = write(tmp_path, "answer.json", json.dumps({"entries": [entries[0], bad, entries[1]]}))

    code, output, _ = call_import_dpa(str(path))

    assert code == 1
    assert output == [
        f"created {path}: {headline_of(entries[0])}",
        f"failed {path}: entry 2: entry without urn",
        f"created {path}: {headline_of(entries[1])}",
        SUMMARY.format(2, 0, 0, 0, 1),
    ]
    assert Article.objects.count() == 2


@pytest.mark.django_db
def test_a_news_message_of_several_items_is_one_line_per_item(tmp_path):
    message = newsmessage([(NEWSML / f"{name}.xml").read_bytes() for name in ("dw-1", "eil")])
    path = write(tmp_path, "message.xml", message)

    code, output, _ = call_import_dpa(str(path))

    assert code == 0
    assert output == [
        f"created {path}: {formats.parse(item).headline}" for item in formats.split(message)
    ] + [SUMMARY.format(2, 0, 0, 0, 0)]
    assert Article.objects.count() == 2
    assert output[-1] == SUMMARY.format(2, 0, 0, 0, 0)


@pytest.mark.django_db
def test_a_file_broken_as_a_whole_is_one_failed_line(tmp_path):
    path = write(tmp_path, "answer.json", '{"entries": [')

    code, output, _ = call_import_dpa(str(path))

    assert code == 1
    assert output == [f"failed {path}: invalid JSON: Expecting value (line 1)", SUMMARY.format(0, 0, 0, 0, 1)]


def newsmessage(files: list[bytes]) -> bytes:
    """The newsItems of several newsMessage files in one newsMessage."""
    nar = "http://iptc.org/std/nar/2006-10-01/"
    ET.register_namespace("", nar)
    message = ET.Element(f"{{{nar}}}newsMessage")
    item_set = ET.SubElement(message, f"{{{nar}}}itemSet")
    for data in files:
        item_set.extend(ET.fromstring(data).iter(f"{{{nar}}}newsItem"))
    return ET.tostring(message, encoding="utf-8", xml_declaration=True)


# The drop folder, in this process


@pytest.mark.django_db
def test_once_takes_good_files_to_done_and_bad_ones_to_failed(tmp_path):
    good = drop(tmp_path, "senat.txt", dpa_text())
    bad = drop(tmp_path, "kaputt.txt", BAD)

    code, output, _ = watch_once(tmp_path)

    assert code == 1
    assert sorted(output[:-1]) == sorted([f"created {good}: {HEADLINE}", f"failed {bad}: {BAD_ERROR}"])
    assert output[-1] == SUMMARY.format(1, 0, 0, 0, 1)
    assert names(tmp_path / "done") == ["senat.txt"]
    assert names(tmp_path / "failed") == ["kaputt.txt", "kaputt.txt.error.txt"]
    assert (tmp_path / "failed" / "kaputt.txt.error.txt").read_text() == f"failed {bad}: {BAD_ERROR}\n"
    assert (tmp_path / "failed" / "kaputt.txt").read_text() == BAD
    kept = FailedEntry.objects.get()
    assert (kept.origin, kept.name, kept.error) == ("watch", "kaputt.txt", BAD_ERROR)
    assert bytes(kept.raw) == BAD.encode()


@pytest.mark.django_db
def test_hidden_and_temporary_files_are_left_alone(tmp_path):
    for name in (".senat.txt", "senat.txt.tmp", "senat.txt.part", "senat.txt~"):
        write(tmp_path, name, dpa_text())

    code, output, _ = watch_once(tmp_path)

    assert (code, output) == (0, [SUMMARY.format(0, 0, 0, 0, 0)])
    assert names(tmp_path) == [
        ".senat.txt", "done", "failed", "senat.txt.part", "senat.txt.tmp", "senat.txt~"
    ]


@pytest.mark.django_db
def test_a_file_of_several_stories_with_a_bad_one_goes_to_failed_with_only_that_one_kept(tmp_path):
    entries = sample_entries(["dw-1", "eil"])
    bad = {key: value for key, value in sample_entry("spe_tab").items() if key != "urn"}
    path = drop(tmp_path, "answer.json", json.dumps({"entries": [entries[0], bad, entries[1]]}))

    code, output, _ = watch_once(tmp_path)

    assert code == 1
    assert output[1] == f"failed {path}: entry 2: entry without urn"
    assert names(tmp_path / "failed") == ["answer.json", "answer.json.error.txt"]
    assert (tmp_path / "failed" / "answer.json.error.txt").read_text().splitlines() == [output[1]]
    kept = FailedEntry.objects.get()
    assert kept.name == "answer.json entry 2"
    assert json.loads(bytes(kept.raw)) == bad
    assert Article.objects.count() == 2


@pytest.mark.django_db
def test_a_name_already_in_done_is_not_overwritten(tmp_path):
    write(tmp_path, "done/senat.txt", "die erste Fassung")
    drop(tmp_path, "senat.txt", dpa_text())

    watch_once(tmp_path)

    assert names(tmp_path / "done") == ["senat-2.txt", "senat.txt"]
    assert (tmp_path / "done" / "senat.txt").read_text() == "die erste Fassung"


def test_a_file_still_growing_is_not_taken(tmp_path):
    folder = watch.DropFolder(tmp_path, section=None, agency=None, report=None, log=print, stopper=None)
    path = write(tmp_path, "senat.txt", dpa_text()[:40])
    assert folder.look() == []  # seen once
    with path.open("a") as growing:
        growing.write(dpa_text()[40:80])

    assert folder.look() == []  # changed since

    assert folder.look() == [path]  # the same twice: complete


@pytest.mark.django_db
def test_missing_folder_is_a_usage_error(tmp_path):
    with pytest.raises(CommandError) as error:
        call_command("import_dpa", "--watch", str(tmp_path / "fehlt"), stdout=io.StringIO())

    assert error.value.returncode == 2
    assert str(error.value) == f"--watch: no directory '{tmp_path / 'fehlt'}'"


# End to end: a real watcher process


@process_db
def test_process_watches_the_folder_until_sigterm(tmp_path):
    with ImporterProcess("--watch", str(tmp_path)) as importer:
        importer.wait_for_log("watching")
        good = drop(tmp_path, "senat.txt", dpa_text())
        importer.wait_for(lambda: names(tmp_path / "done") == ["senat.txt"], "senat.txt in done/")
        bad = drop(tmp_path, "kaputt.txt", BAD)
        second = drop(tmp_path, "vertagt.txt", SECOND)
        importer.wait_for(
            lambda: names(tmp_path / "failed") == ["kaputt.txt", "kaputt.txt.error.txt"]
            and "vertagt.txt" in names(tmp_path / "done"),
            "kaputt.txt in failed/ and vertagt.txt in done/",
        )
        importer.wait_for(lambda: len(importer.stdout) >= 3, "a line per file")
        code, took = importer.stop(signal.SIGTERM)

    assert code == 0
    assert took < 3, f"{took:.1f} s from SIGTERM to exit"
    assert importer.stdout[0] == f"created {good}: {HEADLINE}"
    assert sorted(importer.stdout[1:3]) == sorted(
        [f"failed {bad}: {BAD_ERROR}", f"created {second}: {SECOND_HEADLINE}"]
    )
    assert importer.stdout[3:] == [SUMMARY.format(2, 0, 0, 0, 1)]
    assert (tmp_path / "failed" / "kaputt.txt.error.txt").read_text() == f"failed {bad}: {BAD_ERROR}\n"
    assert sorted(Article.objects.values_list("headline", flat=True)) == sorted([HEADLINE, SECOND_HEADLINE])
    kept = FailedEntry.objects.get()
    assert (kept.origin, kept.name, kept.error) == ("watch", "kaputt.txt", BAD_ERROR)
    assert "stopped by SIGTERM" in "\n".join(importer.stderr)
    assert "Traceback" not in "\n".join(importer.stderr)
