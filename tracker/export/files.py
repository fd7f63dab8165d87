"""Writing export files safely: owner-only, and never left half-written."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from tracker.domain.errors import TrackerError


def write_atomically(path: Path, data: bytes) -> None:
    """Write to a temporary file beside ``path``, then rename it over ``path``.

    A reader (or a crash) sees the old file or the new one, never a mixture.
    The file is readable by its owner only: it holds health records.
    """
    folder = path.parent if str(path.parent) else Path(".")
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as error:
        raise TrackerError(f"cannot write in {folder} ({error.strerror})") from None
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise TrackerError(f"cannot write {path} ({error.strerror})") from None
