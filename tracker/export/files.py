"""Writing export files safely: owner-only, and never left half-written."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import BinaryIO

from tracker.domain.errors import TrackerError
from tracker.store import temporaries

# Large writes: a clinic export is gigabytes, written in chunks.
BUFFER_BYTES = 1 << 20


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` the way :func:`atomic_file` does."""
    with atomic_file(path) as stream:
        stream.write(data)


@contextmanager
def atomic_file(path: Path) -> Iterator[BinaryIO]:
    """A stream into a temporary file beside ``path``, renamed over ``path`` at the end.

    The export is streamed into the temporary file; only when the block ends
    without an error is it flushed, synced to disk and renamed into place, so a
    reader (or a crash) sees the old file or the new one, never a mixture. On
    any error, or Ctrl-C, half-way, the temporary file is removed and an
    existing file at ``path`` is left as it was. The file is readable by its
    owner only (mkstemp's mode): it holds health records.

    A symlink is followed: the file it points to is replaced, not the link. A
    character device or a FIFO (``/dev/stdout``, ``>(gzip > x.gz)``) is written
    into, never replaced; a disk device or a socket is refused.
    """
    if _is_device_or_fifo(path):
        with _into_special(path) as stream:
            yield stream
        return
    target = Path(os.path.realpath(path))
    temporaries.remove_stale(target.parent)
    try:
        handle, temporary = temporaries.create(target)
    except OSError as error:
        raise TrackerError(f"cannot write in {target.parent} ({error.strerror})") from None
    try:
        with os.fdopen(handle, "wb", buffering=BUFFER_BYTES) as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
            os.replace(temporary, target)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise TrackerError(f"cannot write {path} ({error.strerror})") from None
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    _sync_folder(target.parent)


def _is_device_or_fifo(path: Path) -> bool:
    """Whether ``path`` is written into rather than replaced; raises for one never written."""
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return False  # nothing there yet (or a name the OS refuses, reported when writing)
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return False
    if stat.S_ISCHR(mode) or stat.S_ISFIFO(mode):
        return True
    what = "a disk device" if stat.S_ISBLK(mode) else "not a file tracker can write"
    raise TrackerError(f"{path} is {what}; choose a file; nothing was written")


@contextmanager
def _into_special(path: Path) -> Iterator[BinaryIO]:
    """Write into a device or a FIFO as a shell's ``>`` would (never created, never replaced)."""
    try:
        handle = os.open(path, os.O_WRONLY)
    except OSError as error:
        raise TrackerError(f"cannot write {path} ({error.strerror})") from None
    try:
        with os.fdopen(handle, "wb", buffering=BUFFER_BYTES) as stream:
            yield stream
            stream.flush()  # a failure here must not be lost when the stream closes
    except OSError as error:
        raise TrackerError(f"cannot write {path} ({error.strerror})") from None


def _sync_folder(folder: Path) -> None:
    """Make the rename itself survive a power cut (where the file system allows)."""
    with suppress(OSError):
        handle = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(handle)
        finally:
            os.close(handle)
