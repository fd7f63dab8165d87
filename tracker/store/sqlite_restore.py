"""Putting a backup's records into the live SQLite database, with no write lost.

Swapping the file (a copy renamed over the database) loses writes: a writer
that opened the old file before the rename commits into it afterwards, into a
file nobody will read again, and exits 0. So the database file is never
swapped. Instead one connection takes the write lock (BEGIN IMMEDIATE) and
holds it for the whole restore:

1. a copy of the database as it is is kept beside it: its file and its -wal
   are copied under the lock (no one can commit meanwhile) and the copy is made
   one self-contained file, the same recovery SQLite does after a crash;
2. every table is dropped and created again from the backup, with its rows;
3. COMMIT: other processes see the restored records at once.

Writers wait for the lock (their busy timeout) and then write into the
restored database; a write that committed before the lock is in the kept
copy. Every acknowledged write is therefore in one of the two. Readers are
never blocked: in WAL mode they go on reading the old records until the commit.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from contextlib import closing, suppress
from pathlib import Path

from tracker.store.sqlite_files import (
    BUSY_TIMEOUT_MS,
    PRIVATE_FILE_MODE,
    file_timestamp,
    fsync,  # the same durability steps as every other copy tracker makes
    move_into_place,
)

# sqlite_master entries created after the rows are in (faster than indexing row by row).
_AFTER_ROWS = ("index", "trigger", "view")


def restore_in_place(path: Path, source: Path) -> Path:
    """Replace the records of the live database ``path`` with those of the checked backup
    ``source``; returns the copy of the database kept as it was just before."""
    connection = sqlite3.connect(
        path.absolute().as_uri(),
        uri=True,
        timeout=BUSY_TIMEOUT_MS / 1000,
        isolation_level=None,  # transactions are begun and ended here, explicitly
    )
    with closing(connection):
        # ATTACH cannot run inside a transaction: it comes first, read-only.
        connection.execute("ATTACH DATABASE ? AS backup", (_read_only_uri(source),))
        connection.execute("BEGIN IMMEDIATE")
        try:
            kept = _keep_copy(path)
            _replace_tables(connection)
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        connection.execute("DETACH DATABASE backup")
        # Leave one self-contained file where no other program has the database open.
        with suppress(sqlite3.OperationalError):
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return kept


def _read_only_uri(source: Path) -> str:
    has_wal = source.with_name(source.name + "-wal").exists()
    return f"{source.absolute().as_uri()}?{'mode=ro' if has_wal else 'immutable=1'}"


def _keep_copy(path: Path) -> Path:
    """The database as it is, copied while the caller holds the write lock."""
    target = path.with_name(f"{path.name}.before-restore-{file_timestamp()}")
    temporary = path.with_name(f".{target.name}.{os.getpid()}.tmp")
    wal, temporary_wal = (Path(f"{name}-wal") for name in (path, temporary))
    try:
        _private_copy(path, temporary)
        if wal.exists():
            _private_copy(wal, temporary_wal)
        with closing(sqlite3.connect(temporary)) as copy:
            # Applies the copied -wal, as after a crash, and leaves one file.
            copy.execute("PRAGMA journal_mode = DELETE")
            damage = copy.execute("PRAGMA quick_check").fetchone()[0]
        if damage != "ok":
            raise sqlite3.DatabaseError(f"the copy is not sound ({damage})")
        fsync(temporary)
        kept = move_into_place(temporary, target, replace=False)
    finally:
        temporary.unlink(missing_ok=True)
        temporary_wal.unlink(missing_ok=True)
        Path(f"{temporary}-shm").unlink(missing_ok=True)
    fsync(path.parent)
    return kept


def _private_copy(source: Path, target: Path) -> None:
    descriptor = os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, PRIVATE_FILE_MODE)
    with open(descriptor, "wb") as writer, source.open("rb") as reader:
        shutil.copyfileobj(reader, writer, 1 << 20)


def _replace_tables(connection: sqlite3.Connection) -> None:
    """Inside the caller's transaction: main's tables become the backup's, rows included."""
    given_out = _numbers_given_out(connection)
    for (name,) in connection.execute(
        "SELECT name FROM main.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    ).fetchall():
        connection.execute(f'DROP TABLE main."{name}"')
    entries = connection.execute(
        "SELECT type, name, sql FROM backup.sqlite_master "
        "WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' ORDER BY rowid"
    ).fetchall()
    for kind, name, sql in entries:
        if kind == "table":
            connection.execute(sql)
            connection.execute(f'INSERT INTO main."{name}" SELECT * FROM backup."{name}"')
    for kind, _name, sql in entries:
        if kind in _AFTER_ROWS:
            connection.execute(sql)
    _never_give_out_again(connection, given_out)


def _numbers_given_out(connection: sqlite3.Connection) -> dict[str, int]:
    """The highest record number each table has ever given out, in the live database and in
    the backup (AUTOINCREMENT keeps it in sqlite_sequence, which DROP TABLE forgets)."""
    highest: dict[str, int] = {}
    for schema in ("main", "backup"):
        if not _has_sequence(connection, schema):
            continue
        for name, seq in connection.execute(f"SELECT name, seq FROM {schema}.sqlite_sequence"):
            highest[name] = max(highest.get(name, 0), seq or 0)
    return highest


def _has_sequence(connection: sqlite3.Connection, schema: str) -> bool:
    return (
        connection.execute(
            f"SELECT 1 FROM {schema}.sqlite_master WHERE name = 'sqlite_sequence'"
        ).fetchone()
        is not None
    )


def _never_give_out_again(connection: sqlite3.Connection, given_out: dict[str, int]) -> None:
    """A number handed out before the restore (a record undone or deleted since, or one
    written after the backup, kept in the copy) is not handed out again afterwards."""
    if not given_out or not _has_sequence(connection, "main"):
        return
    for name, seq in given_out.items():
        updated = connection.execute(
            "UPDATE main.sqlite_sequence SET seq = MAX(seq, ?) WHERE name = ?", (seq, name)
        ).rowcount
        if updated == 0 and _is_table(connection, name):
            connection.execute(
                "INSERT INTO main.sqlite_sequence (name, seq) VALUES (?, ?)", (name, seq)
            )


def _is_table(connection: sqlite3.Connection, name: str) -> bool:
    return (
        connection.execute(
            "SELECT 1 FROM main.sqlite_master WHERE type = 'table' AND name = ?", (name,)
        ).fetchone()
        is not None
    )
