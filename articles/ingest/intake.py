"""What every way in of agency input shares: bytes to stories to articles, failed input kept.

A file, a drop-folder file and an editor's retry go through `import_data` (a run over
files through `batch.import_inputs`, which it uses): the input is split into its stories
(`formats.split`), each story is parsed and imported on its own, so that one bad story
does not take the others with it. A wireQ entry is one story (`import_story`). Failed
stories come back with their own raw bytes, for `keep_failed`.

Also the clean stop of the long-running modes (`Stopper`).
"""

import signal
import threading
import time

from django.conf import settings
from django.db import close_old_connections, connection, transaction

from ..models import Agency, FailedEntry, Section
from . import batch
from .batch import FAILED, Story  # noqa: F401 (FAILED: the drop folder and wireQ take it from here)


def import_data(data: bytes, *, section: Section, agency: Agency, pictures: bool = True) -> list[Story]:
    """Every story of `data`, each on its own: one bad story does not take the others with it.
    `pictures=False` fetches none."""
    stories = batch.import_inputs([(None, data)], section=section, agency=agency, pictures=pictures)
    return [story for _source, story in stories]


def import_story(
    raw: bytes, *, section: Section, agency: Agency, pictures: bool = True, part: str = ""
) -> Story:
    """One story (a wireQ entry) the way a batch takes it; `part` ("entry 2") starts its error message."""
    runner = batch.Batch(section=section, agency=agency, pictures=pictures)
    [(_source, story)] = runner.run([batch.Item(None, raw, part)])
    return story


def default_section() -> Section:
    return Section.objects.get(slug=settings.NEWSROOM_DEFAULT_SECTION)


def default_agency() -> Agency:
    return Agency.objects.get(slug=settings.NEWSROOM_DEFAULT_AGENCY)


def keep_failed(origin: str, name: str, raw: bytes, error: str) -> FailedEntry:
    """The raw input kept where an editor can see it and retry it (admin: failed agency input)."""
    limit = FailedEntry._meta.get_field("name").max_length
    name = name if len(name) <= limit else name[: limit - 1] + "…"
    with transaction.atomic():
        return FailedEntry.objects.create(origin=origin, name=name, raw=bytes(raw), error=error)


def retry(entry: FailedEntry) -> list[Story]:
    """Import a kept entry again, as it came; on success it is marked imported, else its error renewed."""
    stories = import_data(bytes(entry.raw), section=default_section(), agency=default_agency())
    errors = [story.detail for story in stories if story.failed]
    if errors:
        entry.error = "\n".join(errors)
        entry.save(update_fields=["error"])
    else:
        entry.state = FailedEntry.State.IMPORTED
        entry.save(update_fields=["state"])
    return stories


def fresh_connection() -> bool:
    """For a long run: drop a database connection that broke or grew old, and see that one works.

    False when the database cannot be reached now. Inside a transaction (a test's) nothing is dropped.
    """
    if not connection.in_atomic_block:
        close_old_connections()
    try:
        connection.ensure_connection()
    except Exception:  # any driver's error: not now
        return False
    return True


class Stopper:
    """SIGTERM and SIGINT ask a long-running import to stop after the story in hand.

    The handlers only set a flag; the loops check it between stories and while they wait
    (in small steps). A second signal stops at once, the way the signal would without us.
    """

    SIGNALS = (signal.SIGTERM, signal.SIGINT)
    STEP = 0.1  # seconds: how late a wait notices the flag at most

    def __init__(self):
        self.stopping = False
        self.signal_name = ""
        self.previous = {}

    def install(self) -> "Stopper":
        if threading.current_thread() is not threading.main_thread():
            return self  # signals reach the main thread only; `stop()` still works
        for number in self.SIGNALS:
            self.previous[number] = signal.signal(number, self.handle)
        return self

    def restore(self) -> None:
        for number, handler in self.previous.items():
            signal.signal(number, handler)
        self.previous = {}

    def __enter__(self) -> "Stopper":
        return self.install()

    def __exit__(self, *exc) -> None:
        self.restore()

    def handle(self, number, frame) -> None:
        if self.stopping:  # the second time: the default behaviour
            self.restore()
            signal.raise_signal(number)
            return
        self.stopping = True
        self.signal_name = signal.Signals(number).name

    def stop(self) -> None:
        self.stopping = True

    def wait(self, seconds: float) -> bool:
        """Sleep up to `seconds`, less when asked to stop; True when a stop was asked."""
        deadline = time.monotonic() + max(0.0, seconds)
        while not self.stopping:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            time.sleep(min(self.STEP, left))
        return self.stopping
