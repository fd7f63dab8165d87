"""A progress bar for long runs, shown only to a person watching a terminal."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import click

# Called with how far the work has moved on since the last call.
Advance = Callable[[int], None]


def _ignore(_done: int) -> None:
    """Nobody is watching: cron, pipes and tests get no bar."""


@contextmanager
def progress_bar(label: str, total: int) -> Iterator[Advance]:
    """Yields ``advance(n)``; draws on stderr so stdout stays clean for data."""
    stream = sys.stderr
    if total <= 0 or not stream.isatty():
        yield _ignore
        return
    with click.progressbar(length=total, label=label, file=stream, width=30) as bar:
        yield bar.update
