"""The files one import run reads: paths, directories and standard input."""

import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

SUFFIXES = {".txt", ".json", ".xml", ".iptc"}
STDIN = "-"


@dataclass(frozen=True)
class Source:
    name: str  # as printed: the path, or "-" for standard input
    path: Path | None

    def read(self) -> bytes:
        if self.path is None:
            return sys.stdin.buffer.read()
        return self.path.read_bytes()


def expand(paths: list[str]) -> Iterator[Source]:
    """Each path as given; a directory as every agency file below it, in name order."""
    for name in paths:
        if name == STDIN:
            yield Source(STDIN, None)
            continue
        path = Path(name)
        if path.is_dir():
            found = sorted(
                (p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES),
                key=lambda p: p.relative_to(path).as_posix(),
            )
            yield from (Source(str(p), p) for p in found)
        else:
            yield Source(name, path)
