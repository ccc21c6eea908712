"""`import_dpa --wireq BASE_URL`: pull dpa's wireQ queue (shared/formats/dpa-feeds.md, "The wireQ pull").

`POST {base}/dequeue-entries.json` answers `{"entries": [...]}` and removes what it
returned from the queue, so an entry that is not imported must be kept here: each is
imported on its own, and one that fails is kept raw as a FailedEntry (origin wireQ, the
entry's urn as name) for an editor to retry. The `retry-after` header (seconds) says
when to ask next, with a 200 and with 429 Too Many Requests; an empty list means
nothing is waiting. Network and server errors are logged in one line and tried again
later, waiting longer each time.

The base URL is the customer's secret: lines name only its scheme and host.
"""

import http.client
import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

from ..models import Agency, FailedEntry, Section
from . import intake

DEQUEUE = "dequeue-entries.json"
TIMEOUT = 10.0  # seconds for one request
IDLE_WAIT = 10.0  # seconds before asking again when the queue is empty and says nothing
MIN_IDLE_WAIT = 1.0  # an empty queue is never asked again sooner
MAX_WAIT = 3600.0  # a retry-after beyond this is taken as this
BACKOFF = (2.0, 300.0)  # first and longest wait after an error, seconds; doubled each time
USER_AGENT = "Newsroom import_dpa (wireQ)"
ANSWER_NAME = "wireQ answer"  # the name of a kept answer that could not be read as entries
STOPPED = "not imported: the importer was stopped before this entry; retry it"


class PollError(Exception):
    """The queue could not be asked: network, HTTP status, or an answer that is no wireQ answer."""

    def __init__(self, message: str, retry_after: float | None = None, body: bytes = b""):
        super().__init__(message)
        self.retry_after = retry_after
        self.body = body  # an answer that came but could not be read: it may hold entries


@dataclass
class Answer:
    entries: list = field(default_factory=list)
    retry_after: float | None = None  # seconds, from the header
    too_many: bool = False  # 429: nothing was dequeued, ask again after retry_after


def redact(url: str) -> str:
    """`https://host/…`: the path of a wireQ URL is the secret."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/…" if parts.path.strip("/") else f"{parts.scheme}://{parts.netloc}"


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait: `retry-after` as delay-seconds (also with a fraction) or as an HTTP date."""
    if value is None:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            moment = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if moment is None or moment.tzinfo is None:
            return None
        seconds = moment.timestamp() - time.time()
    if seconds != seconds:  # NaN
        return None
    return min(max(seconds, 0.0), MAX_WAIT)


class WireQ:
    """The client: one POST, its answer as entries."""

    def __init__(self, base_url: str, timeout: float = TIMEOUT):
        self.url = f"{base_url.rstrip('/')}/{DEQUEUE}"
        self.timeout = timeout

    def dequeue(self) -> Answer:
        """The answer; PollError when there is none to use (with the body, when one came)."""
        request = urllib.request.Request(
            self.url,
            data=b"",
            method="POST",
            headers={"Accept": "application/json", "User-Agent": USER_AGENT},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                body = response.read()
                retry_after = parse_retry_after(response.headers.get("retry-after"))
        except urllib.error.HTTPError as error:
            retry_after = parse_retry_after(error.headers.get("retry-after") if error.headers else None)
            error.close()
            if error.code == 429:
                return Answer(retry_after=retry_after, too_many=True)
            raise PollError(f"HTTP {error.code} {error.reason}", retry_after) from None
        except urllib.error.URLError as error:
            raise PollError(f"cannot reach the queue: {reason_of(error.reason)}") from None
        except OSError as error:  # a timeout or a reset while reading the answer
            raise PollError(f"cannot reach the queue: {reason_of(error)}") from None
        except (http.client.HTTPException, ValueError) as error:  # cut off, or no HTTP at all
            raise PollError(f"broken answer: {type(error).__name__}: {error}") from None
        return Answer(entries_of(body, retry_after), retry_after)


def reason_of(reason) -> str:
    if isinstance(reason, TimeoutError):
        return "timed out"
    if isinstance(reason, OSError):
        return reason.strerror or str(reason) or type(reason).__name__
    return str(reason)


def entries_of(body: bytes, retry_after: float | None = None) -> list:
    try:
        document = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise PollError(f"the answer is not JSON: {error}", retry_after, body) from None
    if not isinstance(document, dict) or not isinstance(document.get("entries"), list):
        raise PollError('the answer is not a wireQ answer ({"entries": [...]})', retry_after, body)
    return document["entries"]


class Puller:
    """Polls the queue until `stopper` says stop (or once), importing each entry on its own."""

    def __init__(
        self,
        client: WireQ,
        *,
        section: Section,
        agency: Agency,
        report: Callable[[str, str, str], None],
        log: Callable[[str], None],
        stopper: intake.Stopper,
    ):
        self.client = client
        self.section = section
        self.agency = agency
        self.report = report  # (outcome, name, detail): one output line
        self.log = log  # one line about the run itself
        self.stopper = stopper
        self.errors = 0  # polls in a row that failed
        self.poll_failed = False  # the last poll

    def run(self, once: bool = False) -> None:
        self.log(f"pulling {redact(self.client.url)}")
        while not self.stopper.stopping:
            wait = self.poll()
            if once or self.stopper.wait(wait):
                break

    def poll(self) -> float:
        """Ask once, import what came; the seconds to wait before asking again."""
        self.poll_failed = False
        if not intake.fresh_connection():
            # Never take entries off the queue that could not even be kept.
            return self.failure("database unavailable", None)
        try:
            answer = self.client.dequeue()
        except PollError as error:
            if error.body.lstrip()[:1] in (b"{", b"["):
                # Taken off the queue but unreadable (cut off?): kept, it may hold entries.
                self.keep(ANSWER_NAME, error.body, str(error))
            return self.failure(str(error), error.retry_after)
        except Exception as error:  # a poll must never end the run
            return self.failure(f"{type(error).__name__}: {error}", None)
        self.errors = 0
        if answer.too_many:
            wait = answer.retry_after if answer.retry_after is not None else IDLE_WAIT
            self.log(f"429 Too Many Requests: next poll in {wait:g} s")
            return wait
        self.take(answer.entries)
        if not answer.entries:
            return max(answer.retry_after if answer.retry_after is not None else IDLE_WAIT, MIN_IDLE_WAIT)
        return answer.retry_after if answer.retry_after is not None else 0.0

    def failure(self, message: str, retry_after: float | None) -> float:
        self.poll_failed = True
        wait = min(BACKOFF[0] * 2**self.errors, BACKOFF[1])
        if retry_after is not None:
            wait = max(wait, retry_after)
        self.errors += 1
        self.log(f"{message}: next poll in {wait:g} s")
        return wait

    def take(self, entries: list) -> None:
        """Each entry in turn; after a stop, the ones not reached are kept, not lost."""
        for number, entry in enumerate(entries, start=1):
            name = name_of(entry, number)
            raw = json.dumps(entry, ensure_ascii=False).encode()
            if self.stopper.stopping:
                left = entries[number - 1 :]
                for later, rest in enumerate(left, start=number):
                    self.keep(name_of(rest, later), json.dumps(rest, ensure_ascii=False).encode(), STOPPED)
                self.log(f"stopping: {len(left)} entries not imported, kept as failed agency input")
                return
            if not isinstance(entry, dict):
                story = intake.Story(intake.FAILED, "the entry is not a JSON object", raw)
            else:
                story = intake.import_story(raw, section=self.section, agency=self.agency)
            detail = story.detail
            if story.failed:
                # The parser names the urn; the line names it already.
                detail = detail.removeprefix(f"{name}: ")
                self.keep(name, raw, detail)
            self.report(story.outcome, name, detail)

    def keep(self, name: str, raw: bytes, error: str) -> None:
        try:
            intake.keep_failed(FailedEntry.Origin.WIREQ, name, raw, error)
        except Exception as failure:  # the last resort: the log holds it
            self.log(
                f"cannot keep {name} for an editor ({type(failure).__name__}: {failure}); "
                f"raw entry: {raw.decode('utf-8', 'replace')}"
            )


def name_of(entry, number: int) -> str:
    """The entry's urn, or "entry N" (its place in the answer) when it has none."""
    urn = entry.get("urn") if isinstance(entry, dict) else None
    if isinstance(urn, str) and urn.strip():
        return urn.strip()
    return f"entry {number}"
