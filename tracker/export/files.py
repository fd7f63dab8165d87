"""Writing export files safely: owner-only, and never left half-written."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import BinaryIO

from tracker.domain.errors import TrackerError

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
    """
    folder = path.parent if str(path.parent) else Path(".")
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as error:
        raise TrackerError(f"cannot write in {folder} ({error.strerror})") from None
    try:
        with os.fdopen(handle, "wb", buffering=BUFFER_BYTES) as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise TrackerError(f"cannot write {path} ({error.strerror})") from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    _sync_folder(folder)


def _sync_folder(folder: Path) -> None:
    """Make the rename itself survive a power cut (where the file system allows)."""
    with suppress(OSError):
        handle = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(handle)
        finally:
            os.close(handle)
