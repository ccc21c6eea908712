"""Fetching an agency picture at import: one HTTP(S) GET, bounded in time and in size.

dpa's picture addresses expire, so a story's picture is fetched when the story arrives.
A picture host that accepts the connection and never answers, or answers a byte at a
time, costs at most `deadline` seconds: every socket operation waits no longer than
the time left, and the whole fetch stops at the deadline. No Django here.
"""

import socket
import time
import urllib.error
import urllib.request
from http.client import HTTPException

MAX_BYTES = 25 * 1024 * 1024  # as articles.pictures.MAX_BYTES
DEADLINE = 5.0  # seconds for connecting, redirects and reading, all together
MAX_REDIRECTS = 3
CHUNK = 64 * 1024
WEB_SCHEMES = ("http://", "https://")
USER_AGENT = "Newsroom picture import"
# What the content starts with, and the file name suffix that goes with it.
SIGNATURES = ((b"\xff\xd8\xff", ".jpg"), (b"\x89PNG\r\n\x1a\n", ".png"))


class FetchError(Exception):
    """The picture could not be fetched; the message says why, in a few words."""


def fetch(url: str, *, deadline: float = DEADLINE, max_bytes: int = MAX_BYTES) -> bytes:
    """The body of a 200 answer to GET `url`. Raises FetchError."""
    if not isinstance(url, str) or not url.strip().lower().startswith(WEB_SCHEMES):
        raise FetchError("not an http(s) address")
    end = time.monotonic() + deadline
    opener = urllib.request.build_opener(BoundedRedirects(end))
    request = urllib.request.Request(
        url.strip(), headers={"User-Agent": USER_AGENT, "Accept": "image/jpeg, image/png, image/webp"}
    )
    try:
        with opener.open(request, timeout=time_left(end, deadline)) as response:
            announced = response.headers.get("Content-Length", "")
            if announced.isdigit() and int(announced) > max_bytes:
                raise FetchError(f"larger than {max_bytes // 1024 // 1024} MB")
            return read_body(response, end, deadline, max_bytes)
    except FetchError:
        raise
    except urllib.error.HTTPError as error:
        error.close()
        if 300 <= error.code < 400:  # to a scheme urllib refuses, or too many of them
            raise FetchError(f"redirect not followed (HTTP {error.code})") from None
        raise FetchError(f"HTTP {error.code}") from None
    except urllib.error.URLError as error:
        raise FetchError(reason_of(error.reason, deadline)) from None
    except (OSError, HTTPException, ValueError) as error:
        raise FetchError(reason_of(error, deadline)) from None


def read_body(response, end: float, deadline: float, max_bytes: int) -> bytes:
    chunks, total = [], 0
    while True:
        set_timeout(response, time_left(end, deadline))
        # read1: at most one read from the socket, so the deadline is looked at between reads.
        chunk = response.read1(CHUNK)
        if not chunk:
            return b"".join(chunks)
        total += len(chunk)
        if total > max_bytes:
            raise FetchError(f"larger than {max_bytes // 1024 // 1024} MB")
        chunks.append(chunk)


def time_left(end: float, deadline: float) -> float:
    left = end - time.monotonic()
    if left <= 0:
        raise FetchError(f"no answer within {deadline:g} seconds")
    return left


def set_timeout(response, seconds: float) -> None:
    """The socket under an open answer waits no longer than `seconds` for its next bytes."""
    sock = getattr(getattr(getattr(response, "fp", None), "raw", None), "_sock", None)
    if sock is not None:
        sock.settimeout(seconds)


def reason_of(error, deadline: float) -> str:
    if isinstance(error, TimeoutError | socket.timeout):
        return f"no answer within {deadline:g} seconds"
    if isinstance(error, ConnectionRefusedError):
        return "connection refused"
    if isinstance(error, socket.gaierror):
        return "unknown host"
    if isinstance(error, OSError) and error.strerror:
        return error.strerror.lower()
    return str(error) or type(error).__name__


def suffix_of(data: bytes) -> str:
    """The file name suffix for the picture's content: ".jpg", ".png", ".webp", or "" for anything else."""
    for signature, suffix in SIGNATURES:
        if data.startswith(signature):
            return suffix
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return ".webp"
    return ""


class BoundedRedirects(urllib.request.HTTPRedirectHandler):
    """A few redirects, to web addresses only, within the same deadline."""

    max_redirections = MAX_REDIRECTS

    def __init__(self, end: float):
        self.end = end

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if not newurl.lower().startswith(WEB_SCHEMES):
            fp.close()
            raise FetchError("redirected to an address that is not http(s)")
        left = self.end - time.monotonic()
        if left <= 0:
            fp.close()
            raise FetchError("no answer within the time allowed (redirects)")
        # http_error_302 opens the new request with the old one's timeout.
        req.timeout = left
        return super().redirect_request(req, fp, code, msg, headers, newurl)
