"""A small fake of dpa's wireQ (shared/formats/dpa-feeds.md, "The wireQ pull"), on 127.0.0.1.

`POST /<secret>/dequeue-entries.json` answers the next scripted reply, then an empty
queue. Every request is recorded with its time, so that tests can check how long the
importer waited. Entries come from the digitalwires samples, with every picture URL
pointed at a closed port on 127.0.0.1: nothing ever goes to the internet.
"""

import json
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

SAMPLES = Path(__file__).resolve().parents[3] / "shared" / "samples" / "digitalwires"
DEQUEUE = "dequeue-entries.json"
# Samples with text: each imports as an article (the others are bare pictures or audio).
STORIES = ["dw-1", "eil", "embargoed", "hoerfunk", "spe_tab", "with_infobox"]


@dataclass
class Reply:
    status: int = 200
    entries: list | None = field(default_factory=list)  # None: send `body` as it is
    retry_after: str | None = "0"
    body: bytes = b""

    def content(self) -> bytes:
        if self.entries is None:
            return self.body
        return json.dumps({"entries": self.entries}, ensure_ascii=False).encode()


@dataclass(frozen=True)
class Request:
    at: float  # time.monotonic()
    method: str
    path: str
    status: int
    count: int  # entries in the answer


class FakeWireQ:
    """Start with `with FakeWireQ() as server:`; `server.base_url` is the secret base URL."""

    def __init__(self, secret: str = "secret-4711", idle: Reply | None = None):
        self.secret = secret
        self.script: deque[Reply] = deque()
        self.idle = idle or Reply(retry_after="1")  # once the script is used up
        self.requests: list[Request] = []
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self.handler_class())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05})

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/{self.secret}"

    def add(self, *replies: Reply) -> "FakeWireQ":
        with self.lock:
            self.script.extend(replies)
        return self

    def served(self) -> list[Request]:
        """The dequeue requests answered so far."""
        with self.lock:
            return [r for r in self.requests if r.path.endswith(DEQUEUE)]

    def script_done(self) -> bool:
        with self.lock:
            return not self.script

    def __enter__(self) -> "FakeWireQ":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)

    def next_reply(self) -> Reply:
        with self.lock:
            return self.script.popleft() if self.script else self.idle

    def record(self, method: str, path: str, status: int, count: int) -> None:
        with self.lock:
            self.requests.append(Request(time.monotonic(), method, path, status, count))

    def handler_class(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                if self.path != f"/{fake.secret}/{DEQUEUE}":
                    fake.record("POST", self.path, 404, 0)
                    self.answer(404, b'{"error": "not found"}', None)
                    return
                reply = fake.next_reply()
                fake.record("POST", self.path, reply.status, len(reply.entries or []))
                self.answer(reply.status, reply.content(), reply.retry_after)

            def do_GET(self):
                fake.record("GET", self.path, 405, 0)
                self.answer(405, b"", None)

            def answer(self, status: int, body: bytes, retry_after: str | None) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                if retry_after is not None:
                    self.send_header("retry-after", retry_after)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format, *args):
                pass  # quiet tests

        return Handler


def closed_port() -> int:
    """A port on 127.0.0.1 where nothing listens: connecting is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def sample_entry(name: str, picture_port: int | None = None) -> dict:
    """A digitalwires sample as a wireQ entry; its picture URLs lead to a closed local port."""
    entry = json.loads((SAMPLES / f"{name}.json").read_text(encoding="utf-8"))
    port = picture_port or closed_port()
    for association in entry.get("associations") or []:
        for rendition in association.get("renditions") or []:
            if rendition.get("url"):
                rendition["url"] = f"http://127.0.0.1:{port}/picture/{association.get('urn', 'x')}.jpg"
    return entry


def sample_entries(names=STORIES) -> list[dict]:
    port = closed_port()
    return [sample_entry(name, port) for name in names]


def urls_in(value) -> list[str]:
    """Every http(s) URL in a JSON value: to show that none leads off this machine."""
    if isinstance(value, dict):
        return [url for item in value.values() for url in urls_in(item)]
    if isinstance(value, list):
        return [url for item in value for url in urls_in(item)]
    if isinstance(value, str) and value.startswith(("http://", "https://")):
        return [value]
    return []
