"""Helpers for exports written while their records are still being read.

Plain Python on purpose: the export package never imports the database or
the command line, so the progress callback is a plain function.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Iterator
from typing import BinaryIO, TypeVar

T = TypeVar("T")

# Called with how many records were written since the last call (a progress bar's update).
Advance = Callable[[int], None]
# Records between two calls of Advance: often enough for a smooth bar, rarely
# enough that the bar costs nothing next to writing.
PROGRESS_STEP = 1000
# Characters gathered before they are encoded and handed to the file.
CHUNK_CHARS = 1 << 16


def nobody_watching(_done: int) -> None:
    """The default Advance: no progress to show."""


def counted(items: Iterable[T], advance: Advance, step: int = PROGRESS_STEP) -> Iterator[T]:
    """Yields ``items``, telling ``advance`` every ``step`` items and once at the end."""
    if advance is nobody_watching:
        yield from items
        return
    done = 0
    for done, item in enumerate(items, start=1):
        yield item
        if done % step == 0:
            advance(step)
    if done % step:
        advance(done % step)


class Utf8Writer:
    """Text to a binary stream as UTF-8, in chunks of about CHUNK_CHARS characters.

    Many small writes (one per record) are gathered and encoded at once;
    memory stays one chunk however long the export is. ``close`` flushes and
    returns the number of bytes written; the stream itself stays open (it may
    be stdout).
    """

    def __init__(self, out: BinaryIO) -> None:
        self._out = out
        self._parts: list[str] = []
        self._pending = 0
        self.written = 0

    def write(self, text: str) -> None:
        self._parts.append(text)
        self._pending += len(text)
        if self._pending >= CHUNK_CHARS:
            self.flush()

    def flush(self) -> None:
        if self._parts:
            data = "".join(self._parts).encode("utf-8")
            self._parts.clear()
            self._pending = 0
            self._out.write(data)
            self.written += len(data)

    def close(self) -> int:
        self.flush()
        self._out.flush()
        return self.written


def to_bytes(write: Callable[[BinaryIO], int]) -> bytes:
    """A streaming writer's whole output, for callers that want it at once."""
    buffer = io.BytesIO()
    write(buffer)
    return buffer.getvalue()
