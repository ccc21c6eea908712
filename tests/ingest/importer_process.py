"""A long-running `manage.py import_dpa` (--watch, --wireq) as a real process, never left behind.

Its output is read by threads as it comes, so that a test can wait for a line, send a
signal and see how the process ends, each with a time limit.
"""

import io
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable

from django.core.management import call_command

from .test_import_command import ROOT, process_env

LIMIT = 30.0  # seconds any wait of these tests may take at most


class ImporterProcess:
    def __init__(self, *args: str):
        self.args = args
        self.stdout: list[str] = []
        self.stderr: list[str] = []
        self.process: subprocess.Popen | None = None
        self.readers: list[threading.Thread] = []

    def __enter__(self) -> "ImporterProcess":
        self.process = subprocess.Popen(
            [sys.executable, "-u", "manage.py", "import_dpa", *self.args],
            cwd=ROOT,
            env=process_env(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for stream, sink in ((self.process.stdout, self.stdout), (self.process.stderr, self.stderr)):
            reader = threading.Thread(target=read_lines, args=(stream, sink), daemon=True)
            reader.start()
            self.readers.append(reader)
        return self

    def __exit__(self, *exc) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        for reader in self.readers:
            reader.join(timeout=5)

    def wait_for(self, condition: Callable[[], bool], what: str, limit: float = LIMIT) -> None:
        """Until `condition()` holds; fails the test (with the output so far) after `limit` seconds."""
        deadline = time.monotonic() + limit
        while not condition():
            if self.process.poll() is not None:
                code = self.process.returncode
                raise AssertionError(f"import_dpa ended ({code}) before {what}: {self.output()}")
            if time.monotonic() > deadline:
                raise AssertionError(f"no {what} within {limit} s: {self.output()}")
            time.sleep(0.05)

    def wait_for_log(self, text: str, limit: float = LIMIT) -> None:
        self.wait_for(lambda: any(text in line for line in list(self.stderr)), f"'{text}' on stderr", limit)

    def stop(self, number: int = signal.SIGTERM, limit: float = 10.0) -> tuple[int, float]:
        """Send the signal; the exit code and the seconds it took to end."""
        sent = time.monotonic()
        self.process.send_signal(number)
        try:
            code = self.process.wait(timeout=limit)
        except subprocess.TimeoutExpired:
            message = f"import_dpa still running {limit} s after {number!r}: {self.output()}"
            raise AssertionError(message) from None
        took = time.monotonic() - sent
        for reader in self.readers:
            reader.join(timeout=5)
        return code, took

    def output(self) -> str:
        return f"stdout={self.stdout!r} stderr={self.stderr!r}"


def read_lines(stream, sink: list[str]) -> None:
    for line in iter(stream.readline, b""):
        sink.append(line.decode("utf-8", "replace").rstrip("\n"))
    stream.close()


def call_import_dpa(*args: str) -> tuple[int, list[str], list[str]]:
    """`import_dpa ARGS` in this process: exit code, output lines, log lines."""
    stdout, stderr = io.StringIO(), io.StringIO()
    try:
        call_command("import_dpa", *args, stdout=stdout, stderr=stderr)
        code = 0
    except SystemExit as exit_:
        code = exit_.code
    return code, stdout.getvalue().splitlines(), stderr.getvalue().splitlines()
