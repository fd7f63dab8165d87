"""Temporary files tracker writes beside a final name, and cleaning up after killed runs.

Exports, backups and the copies kept before an upgrade or a restore are
written to ``.NAME.tracker-XXXXXXXX.tmp`` beside the final name and renamed
into place when complete. A run that is killed half-way leaves that file (and
SQLite's ``-journal`` of it) behind. The writer holds an advisory lock
(``flock``) on its file for as long as it writes, so a later run can tell a
stale file (no lock, not touched for a while) from one another process is
still writing, and removes only the stale ones.
"""

from __future__ import annotations

import fcntl
import os
import re
import tempfile
import time
from contextlib import suppress
from pathlib import Path

MARKER = ".tracker-"
SUFFIX = ".tmp"
JOURNAL = "-journal"
# Between creating its file and locking it a writer holds no lock; a file this
# fresh is never taken for stale.
STALE_AFTER_SECONDS = 60
_OURS = re.compile(r"\..+\.tracker-[A-Za-z0-9_]+\.tmp(-journal)?")


def create(target: Path) -> tuple[int, Path]:
    """A new, empty, owner-only temporary file beside ``target``, locked by this process.

    Returns the open descriptor (keep it open while writing: it holds the lock)
    and the file's name.
    """
    folder = target.parent if str(target.parent) else Path(".")
    handle, name = tempfile.mkstemp(prefix=f".{target.name}{MARKER}", suffix=SUFFIX, dir=folder)
    fcntl.flock(handle, fcntl.LOCK_EX)
    return handle, Path(name)


def remove_stale(folder: Path) -> list[Path]:
    """Remove the temporaries killed runs left in ``folder``; returns what was removed.

    Never raises: cleaning up is a courtesy, and a folder tracker cannot list
    or change is left as it is.
    """
    removed: list[Path] = []
    try:
        names = [entry.name for entry in os.scandir(folder) if _OURS.fullmatch(entry.name)]
    except OSError:
        return removed
    for name in sorted(names, key=lambda each: each.endswith(JOURNAL)):
        path = folder / name
        if name.endswith(JOURNAL):
            owner = folder / name[: -len(JOURNAL)]
            if owner.exists() or not _is_old(path):
                continue
        elif not _is_old(path) or _is_locked(path):
            continue
        with suppress(OSError):
            path.unlink()
            removed.append(path)
    return removed


def _is_old(path: Path) -> bool:
    try:
        return time.time() - path.stat().st_mtime > STALE_AFTER_SECONDS
    except OSError:
        return False


def _is_locked(path: Path) -> bool:
    try:
        handle = os.open(path, os.O_RDONLY)
    except OSError:
        return True  # cannot tell: leave it alone
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(handle)  # closing releases the lock just taken
    return False
