"""`import_dpa --watch DIR`: a drop folder (shared/formats/dpa-feeds.md, "The wireQ pull").

Every ~second the folder is looked at; a file whose size and modification time are
the same as one look before is complete, and is imported, then moved to `DIR/done/`,
or, when a story of it failed, to `DIR/failed/` with `<name>.error.txt` beside it
(the failed lines) and each failed story kept as a FailedEntry for an editor.

Files whose name starts with a dot, or ends like a file still being written
(`.tmp`, `.part`, `~`, …), are left alone: a sender writes under such a name and
renames the finished file into the folder.
"""

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..models import Agency, FailedEntry, Section
from . import intake

DONE, FAILED = "done", "failed"
POLL = 1.0  # seconds between two looks at the folder
PARTIAL_SUFFIXES = (".tmp", ".temp", ".part", ".partial", ".crdownload", ".swp", "~")
ERROR_SUFFIX = ".error.txt"
DB_RETRY = (2.0, 60.0)  # first and longest wait, seconds, while the database cannot be reached


@dataclass(frozen=True)
class Seen:
    size: int
    mtime_ns: int


class DropFolder:
    """Imports what is dropped into `folder` until `stopper` says stop (or once)."""

    def __init__(
        self,
        folder: Path,
        *,
        section: Section,
        agency: Agency,
        report: Callable[[str, str, str], None],
        log: Callable[[str], None],
        stopper: intake.Stopper,
        poll: float = POLL,
    ):
        self.folder = folder
        self.done = folder / DONE
        self.failed = folder / FAILED
        self.section = section
        self.agency = agency
        self.report = report  # (outcome, name, detail): one output line
        self.log = log  # one line about the run itself, not a story
        self.stopper = stopper
        self.poll = poll
        self.seen: dict[Path, Seen] = {}  # what the last look saw of each waiting file
        self.stuck: dict[Path, Seen] = {}  # imported but could not be moved away: not again as it is

    def prepare(self) -> None:
        self.done.mkdir(exist_ok=True)
        self.failed.mkdir(exist_ok=True)

    def run(self, once: bool = False) -> None:
        """Until stopped; `once`: what is in the folder now (two looks, a poll apart), then return."""
        self.prepare()
        self.log(f"watching {self.folder} (done: {self.done}, failed: {self.failed})")
        self.look()  # the first look only notes the sizes
        database_wait = DB_RETRY[0]
        while not self.stopper.wait(self.poll):
            if not intake.fresh_connection():
                self.log(f"database unavailable, next try in {database_wait:.0f} s")
                if once or self.stopper.wait(database_wait):
                    break
                database_wait = min(database_wait * 2, DB_RETRY[1])
                continue
            database_wait = DB_RETRY[0]
            for path in self.look():
                if self.stopper.stopping:
                    break
                self.take(path)
            if once:
                break

    def look(self) -> list[Path]:
        """The complete files: present, not partial, the same size and time as one look before."""
        current = {}
        try:
            entries = list(os.scandir(self.folder))
        except OSError as error:
            self.log(f"cannot read {self.folder}: {error.strerror or error}")
            return []
        for entry in entries:
            if not accepted(entry.name):
                continue
            try:
                if not entry.is_file(follow_symlinks=False):
                    continue
                stat = entry.stat(follow_symlinks=False)
            except OSError:
                continue  # gone between the listing and now
            current[Path(entry.path)] = Seen(stat.st_size, stat.st_mtime_ns)
        ready = [
            path
            for path, now in current.items()
            if self.seen.get(path) == now and self.stuck.get(path) != now
        ]
        self.seen = current
        self.stuck = {path: seen for path, seen in self.stuck.items() if current.get(path) == seen}
        # The order they arrived in: a later version is usually sent later.
        return sorted(ready, key=lambda path: (current[path].mtime_ns, path.name))

    def take(self, path: Path) -> None:
        """Import one file, report each story, move the file where it belongs."""
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return  # taken by another watcher, or withdrawn by the sender
        except OSError as error:
            stories = [intake.Story(intake.FAILED, f"cannot read: {error.strerror or error}", b"")]
        else:
            stories = intake.import_data(data, section=self.section, agency=self.agency)
        for story in stories:
            self.report(story.outcome, str(path), story.detail)
        failures = [story for story in stories if story.failed]
        target = self.move(path, self.failed if failures else self.done)
        if target is None:
            return
        if failures:
            self.write_errors(target, path, failures)
            for story in failures:
                name = f"{target.name} {story.part}" if story.part else target.name
                self.keep(name, story)

    def move(self, path: Path, folder: Path) -> Path | None:
        target = free_name(folder / path.name)
        try:
            os.replace(path, target)
        except FileNotFoundError:
            return None  # moved by another watcher meanwhile
        except OSError as error:
            self.log(f"cannot move {path} to {folder}: {error.strerror or error}")
            stat = self.seen.get(path)
            if stat is not None:
                self.stuck[path] = stat
            return None
        return target

    def write_errors(self, target: Path, path: Path, failures: list[intake.Story]) -> None:
        text = "".join(f"failed {path}: {story.detail}\n" for story in failures)
        error_file = target.with_name(target.name + ERROR_SUFFIX)
        try:
            error_file.write_text(text, encoding="utf-8")
        except OSError as error:
            self.log(f"cannot write {error_file}: {error.strerror or error}")

    def keep(self, name: str, story: intake.Story) -> None:
        try:
            intake.keep_failed(FailedEntry.Origin.WATCH, name, story.raw, story.detail)
        except Exception as error:  # the file in failed/ still holds it
            self.log(f"cannot keep {name} for an editor: {type(error).__name__}: {error}")


def accepted(name: str) -> bool:
    """Not hidden, not a file still being written, not our own error notes."""
    lowered = name.lower()
    return not (
        name.startswith(".")
        or lowered.endswith(PARTIAL_SUFFIXES)
        or lowered.endswith(ERROR_SUFFIX)
    )


def free_name(path: Path) -> Path:
    """`path`, or `stem-2.suffix`, `stem-3.suffix`, … when a file of that name is already there."""
    if not path.exists():
        return path
    number = 2
    while True:
        candidate = path.with_name(f"{path.stem}-{number}{path.suffix}")
        if not candidate.exists():
            return candidate
        number += 1
