"""What the feed-import tests share: the samples, a picture host on 127.0.0.1, import helpers.

Pictures are never fetched from the internet: the samples' picture addresses are
rewritten to a local HTTP server (or to a closed port on 127.0.0.1, which fails at once).
"""

import io
import socket
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from PIL import Image

from articles.ingest import formats
from articles.ingest.parsed import ParsedArticle
from articles.ingest.service import ImportResult, import_article
from articles.models import Agency, Section
from tests.conftest import SHARED

SAMPLES = SHARED / "samples"
# Where dpa's sample pictures live; the tests put a local server in its place.
PICTURE_HOST = "https://d3hzhyitlnc455.cloudfront.net"

# Every sample of the machine formats, and whether it imports (the spec: an entry
# without text, a bare picture or audio, is rejected with a clear error).
IMPORTED = [
    "digitalwires/dw-1.json",
    "digitalwires/eil.json",
    "digitalwires/embargoed.json",
    "digitalwires/hoerfunk.json",
    "digitalwires/spe_tab.json",
    "digitalwires/with_infobox.json",
    "newsml-g2/dw-1.xml",
    "newsml-g2/eil.xml",
    "newsml-g2/embargoed.xml",
    "newsml-g2/spe_tab.xml",
    "newsml-g2/with_infobox.xml",
    "iptc7901/dw-1.iptc",
    "iptc7901/eil.iptc",
    "iptc7901/spe-tab.iptc",
]
REJECTED = [
    "digitalwires/audio.json",
    "digitalwires/image.json",
    "digitalwires/no_content.json",
    "newsml-g2/image.xml",
]


def jpeg_bytes(width: int = 640, height: int = 480) -> bytes:
    out = io.BytesIO()
    Image.linear_gradient("L").resize((width, height)).convert("RGB").save(out, "JPEG")
    return out.getvalue()


def sample_bytes(name: str, picture_base: str | None = None) -> bytes:
    data = (SAMPLES / name).read_bytes()
    if picture_base is not None:
        data = data.replace(PICTURE_HOST.encode(), picture_base.encode())
    return data


def parse_sample(name: str, picture_base: str | None = None) -> ParsedArticle:
    return formats.parse(sample_bytes(name, picture_base))


def import_parsed(parsed: ParsedArticle, **options) -> ImportResult:
    options.setdefault("section", Section.objects.get(slug="nachrichten"))
    options.setdefault("agency", Agency.objects.get(slug="dpa"))
    return import_article(parsed, **options)


def import_sample(name: str, picture_base: str | None = None, **options) -> ImportResult:
    return import_parsed(parse_sample(name, picture_base), **options)


def closed_port_base() -> str:
    """An address on 127.0.0.1 where nothing listens: a fetch fails at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


class PictureHost:
    """A small HTTP server on 127.0.0.1: `routes` maps a path (without query) to
    (status, body, content type); anything else is 404. `requests` lists what was asked."""

    def __init__(self):
        self.routes: dict[str, tuple[int, bytes, str]] = {}
        self.requests: list[str] = []
        host = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802  (http.server's name)
                host.requests.append(self.path)
                path = self.path.split("?", 1)[0]
                status, body, content_type = host.routes.get(path, (404, b"not found", "text/plain"))
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def serve(self, path: str, body: bytes, status: int = 200, content_type: str = "image/jpeg"):
        self.routes[path] = (status, body, content_type)

    def serve_samples(self, body: bytes | None = None) -> None:
        """Every picture path of the samples answers with a JPEG."""
        body = body or jpeg_bytes()
        for name in IMPORTED:
            data = sample_bytes(name, self.base).decode("utf-8", "replace")
            start = 0
            while (found := data.find(self.base, start)) >= 0:
                end = found + len(self.base)
                stop = min(
                    (index for index in (data.find(char, end) for char in "?\"'< ") if index >= 0),
                    default=len(data),
                )
                self.serve(data[end:stop], body)
                start = stop

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


class SilentHost:
    """Takes connections on 127.0.0.1 and never answers.

    The kernel completes the handshake for a listening socket's backlog: the client is
    connected, sends its request, and waits for an answer that never comes.
    """

    def __init__(self):
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.base = f"http://127.0.0.1:{self.listener.getsockname()[1]}"

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.listener.close()


@contextmanager
def picture_host():
    with PictureHost() as host:
        yield host
