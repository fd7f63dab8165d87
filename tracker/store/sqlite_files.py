"""The SQLite file itself: checking it, consistent copies, and swapping a restored one in.

Copies go through SQLite's online backup API (backups, the copy kept before an
upgrade or a restore), so they are safe while tracker is in use; a file the
user names is only ever opened read-only. Every file and folder tracker makes
is readable by its owner only (health records).
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing, suppress
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from tracker.domain.errors import DatabaseProblem, NotFound
from tracker.store import schema, temporaries
from tracker.store.location import companions
from tracker.store.plain_errors import plain_sqlite_error

SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 30_000
# Health records: every file tracker writes is readable by its owner only.
PRIVATE_FILE_MODE = 0o600
PRIVATE_FOLDER_MODE = 0o700


def folder_is_writable(path: Path) -> bool:
    """Whether SQLite can make the files it keeps beside the database ``path``."""
    return os.access(path.parent, os.W_OK)


def make_private_folder(folder: Path) -> None:
    """Create ``folder`` and any missing parents owner-only (mkdir's parents get 0777)."""
    missing: list[Path] = []
    current = folder
    while not current.exists() and current != current.parent:
        missing.append(current)
        current = current.parent
    for each in reversed(missing):
        with suppress(FileExistsError):  # another process made it meanwhile
            each.mkdir(mode=PRIVATE_FOLDER_MODE)
    if not folder.is_dir():
        raise NotADirectoryError(20, "Not a directory", str(folder))


def check_sqlite_header(path: Path) -> None:
    try:
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except OSError as error:
        raise DatabaseProblem(f"cannot read {path} ({error.strerror})") from None
    if not header:
        raise DatabaseProblem(f"{path} is an empty file, not a tracker database")
    if header != SQLITE_HEADER:
        raise DatabaseProblem(f"{path} is not a tracker database (it is not an SQLite file)")


def keep_companions_private(path: Path) -> None:
    """SQLite gives -wal/-shm the database's mode; make sure, should that ever differ."""
    for companion in companions(path):
        with suppress(OSError):  # gone already, or not ours to change: nothing to protect
            if companion.stat().st_mode & 0o077:
                companion.chmod(PRIVATE_FILE_MODE)


@dataclass(frozen=True)
class SqliteFileFacts:
    """What a checked tracker file holds: its schema revision and rows per table."""

    revision: str
    counts: dict[str, int]


def file_timestamp() -> str:
    """Local wall-clock time for file names: people look for "the copy from 4 pm"."""
    return datetime.now().strftime("%Y%m%d-%H%M%S")


def dated_copy(path: Path, label: str) -> Path:
    """Copy the live database beside itself as ``NAME.LABEL-TIMESTAMP``; returns the copy."""
    target = path.with_name(f"{path.name}.{label}-{file_timestamp()}")
    return copy_sqlite_file(path, target, live_source=True, replace=False)


def copy_sqlite_file(source: Path, target: Path, *, live_source: bool, replace: bool) -> Path:
    """A consistent, owner-only copy of ``source`` through SQLite's online backup API.

    The copy is made in a temporary file beside ``target`` and moved into place
    when complete, so a crash never leaves a half-written copy under the real
    name. ``live_source``: the database tracker uses, which other processes may
    be writing (opened normally, taking part in locking); otherwise a file the
    user named, opened read-only so it is never changed. Without ``replace`` an
    existing ``target`` is kept and the copy gets a ``-2``, ``-3``... suffix.
    Returns the name written.
    """
    temporaries.remove_stale(target.parent)
    handle, temporary = temporaries.create(target)  # locked until the copy is in place
    try:
        _backup_into(_connect_source(source, live_source), temporary)
        written = move_into_place(temporary, target, replace)
    finally:
        temporary.unlink(missing_ok=True)
        os.close(handle)
    fsync(target.parent)
    return written


def _backup_into(source: sqlite3.Connection, temporary: Path) -> None:
    with closing(source), closing(sqlite3.connect(temporary)) as writer:
        source.backup(writer)
        # One self-contained file: nothing must travel beside the copy.
        writer.execute("PRAGMA journal_mode = DELETE")
    fsync(temporary)


def _connect_source(path: Path, live: bool) -> sqlite3.Connection:
    return connect_live(path) if live else connect_read_only(path)


def connect_live(path: Path) -> sqlite3.Connection:
    """The database in use, taking part in locking; read-only in a read-only folder."""
    if not folder_is_writable(path):
        return connect_read_only(path)
    return sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000)


def connect_read_only(path: Path) -> sqlite3.Connection:
    """Open a file the user named without ever writing to it or beside it.

    Without a -wal beside it nobody is writing it, and ``immutable`` reads it
    without creating -shm/-wal files; with one, the -wal holds committed data
    that a read-only connection must see.
    """
    uri = path.absolute().as_uri()
    has_wal = path.with_name(path.name + "-wal").exists()
    return sqlite3.connect(
        f"{uri}?{'mode=ro' if has_wal else 'immutable=1'}",
        uri=True,
        timeout=BUSY_TIMEOUT_MS / 1000,
        check_same_thread=False,  # as SQLAlchemy's own connections (one engine, any thread)
    )


def _private_temporary(target: Path) -> Path:
    """A temporary file beside ``target``, named so that a later run can clean it up."""
    handle, name = temporaries.create(target)
    os.close(handle)  # mkstemp makes it 0600; fresh files are never taken for stale
    return name


def move_into_place(temporary: Path, target: Path, replace: bool) -> Path:
    if replace:
        os.replace(temporary, target)
        return target
    for attempt in range(1, 1000):
        candidate = target if attempt == 1 else target.with_name(f"{target.name}-{attempt}")
        try:
            # A hard link never replaces an existing file, even when two processes race.
            os.link(temporary, candidate)
            return candidate
        except FileExistsError:
            continue
        except OSError:
            # A file system without hard links: a check, then a rename.
            if not candidate.exists():
                os.replace(temporary, candidate)
                return candidate
    raise FileExistsError(17, "File exists", str(target))


def fsync(path: Path) -> None:
    """Make a written file (or a rename in a folder) survive a power cut."""
    try:
        handle = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        with suppress(OSError):  # some file systems cannot sync folders
            os.fsync(handle)
    finally:
        os.close(handle)


def read_sqlite_file(path: Path) -> SqliteFileFacts:
    """Check that ``path`` is a sound tracker database this tracker can use, reading only.

    Raises NotFound or DatabaseProblem naming what is wrong: missing, a folder,
    not SQLite, damaged (PRAGMA integrity_check), not tracker's, or newer.
    """
    if not path.exists():
        raise NotFound(f"there is no file {path}")
    if path.is_dir():
        raise DatabaseProblem(f"{path} is a folder, not a tracker database")
    check_sqlite_header(path)
    try:
        with closing(connect_read_only(path)) as connection:
            damage = _integrity_problems(connection)
            if damage:
                raise DatabaseProblem(f"{path} is damaged ({damage[0]}); it was not used")
            revision = _file_revision(connection)
            counts = _row_counts(connection)
    except sqlite3.DatabaseError as error:
        raise DatabaseProblem(plain_sqlite_error(error, str(path), path)) from None
    if revision is None:
        raise DatabaseProblem(f"{path} is not a tracker database (it has no tracker version)")
    from tracker.store import migrate

    if not migrate.is_known_revision(revision):
        raise DatabaseProblem(
            f"{path} was made by a newer version of tracker; "
            "upgrade tracker (pip install --upgrade tracker) to use it"
        )
    return SqliteFileFacts(revision, counts)


def live_revision(path: Path) -> str | None:
    """The revision of the database tracker uses; None when it holds no tracker schema.

    Raises DatabaseProblem when it has tables of another program.
    """
    check_sqlite_header(path)
    try:
        with closing(connect_live(path)) as connection:
            revision = _file_revision(connection)
            has_tables = bool(_table_names(connection))
    except sqlite3.DatabaseError as error:
        raise DatabaseProblem(plain_sqlite_error(error, str(path), path)) from None
    if revision is None and has_tables:
        raise DatabaseProblem(f"{path} is not a tracker database (it holds other tables)")
    return revision


def _integrity_problems(connection: sqlite3.Connection) -> list[str]:
    rows = connection.execute("PRAGMA integrity_check").fetchall()
    return [] if rows == [("ok",)] else [str(row[0]) for row in rows]


def _table_names(connection: sqlite3.Connection) -> list[str]:
    rows = connection.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    ).fetchall()
    return [row[0] for row in rows]


def _file_revision(connection: sqlite3.Connection) -> str | None:
    if schema.VERSION_TABLE not in _table_names(connection):
        return None
    row = connection.execute(f"SELECT version_num FROM {schema.VERSION_TABLE}").fetchone()
    return None if row is None else str(row[0])


def _row_counts(connection: sqlite3.Connection) -> dict[str, int]:
    tables = [name for name in _table_names(connection) if name != schema.VERSION_TABLE]
    return {
        name: connection.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in tables
    }


def replace_sqlite_file(path: Path, source: Path) -> None:
    """Swap the database at ``path`` for a copy of ``source``, atomically.

    The copy is made beside ``path`` first; the current database's WAL is then
    checkpointed and emptied, so no committed write is left only in it, and the
    copy is renamed over the database. The old -wal/-shm are removed last:
    SQLite would otherwise apply a stale WAL to the restored file.
    """
    temporary = _private_temporary(path)
    try:
        _backup_into(connect_read_only(source), temporary)
        ensure_not_in_use(path)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    for companion in companions(path):
        companion.unlink(missing_ok=True)
    fsync(path.parent)


# How long a restore waits for another program to finish with the database.
_IN_USE_TIMEOUT_S = 5


def ensure_not_in_use(path: Path) -> None:
    """Checkpoint the WAL into the database, and refuse if another program has it open.

    Replacing a file another connection holds open is how SQLite databases get
    corrupted: when that connection closes it tidies up the -wal and -shm by
    name, which by then belong to the new file. The last connection to close a
    WAL database deletes its -wal, so a -wal still there after ours closes
    means someone else has the database open.
    """
    if not path.exists():
        return
    with closing(sqlite3.connect(path, timeout=_IN_USE_TIMEOUT_S)) as connection:
        busy, _, _ = connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        uses_wal = connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    if busy or (uses_wal and path.with_name(path.name + "-wal").exists()):
        raise DatabaseProblem(
            f"the database {path} is in use by another program (perhaps another tracker); "
            "close it and try again; nothing was changed"
        )
