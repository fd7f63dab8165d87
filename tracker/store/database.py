"""Opening a tracker database: where it is, whether it is ours, bringing it up to date.

One engine per process, created on first use. Every unit of work is one
transaction; on SQLite it starts with BEGIN IMMEDIATE so concurrent writers
wait for each other (busy timeout) instead of failing half-way.

The SQLite file itself is handled here too: consistent copies through SQLite's
online backup API (backups, the copy kept before an upgrade or a restore),
checking a file before it is restored, and swapping a restored file into place.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.orm import Session

from tracker.domain.errors import DatabaseProblem, NotFound
from tracker.store import schema, scope, temporaries
from tracker.store.location import (
    COMPANION_SUFFIXES,
    companions,
    default_database_path,
    parse_location,
)

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 30_000
# Health records: every file tracker writes is readable by its owner only.
PRIVATE_FILE_MODE = 0o600
PRIVATE_FOLDER_MODE = 0o700

Notify = Callable[[str], None]


def _stay_quiet(_message: str) -> None:
    """The default notify: library users and tests get no messages."""


def to_url(location: str | None) -> URL:
    """A file path or an SQLAlchemy URL (see parse_location); nothing means the default file."""
    where = parse_location(location)
    if isinstance(where, Path):
        return sqlite_file_url(where)
    try:
        return make_url(where)
    except ArgumentError:
        raise DatabaseProblem(f"'{where}' is not a valid database URL") from None


def sqlite_file_url(path: Path) -> URL:
    """The URL of a file, built rather than parsed: every character of the name is literal."""
    return URL.create("sqlite", database=str(path))


def describe(url: URL) -> str:
    """Where the database is, for messages (never the password)."""
    if url.get_backend_name() == "sqlite":
        return url.database or "an in-memory database"
    return url.render_as_string(hide_password=True)


class Database:
    def __init__(
        self, location: str | None = None, notify: Notify | None = None, patient: str | None = None
    ) -> None:
        self.url = to_url(location)
        # Whose records the use cases work on; None is the default (first) patient.
        self.patient = patient
        # Whom the last unit of work was about (tracker.store.scope.CHOSEN).
        self.chosen: dict[str, object] = {}
        # Tells the user what tracker did on its own (the backup before an upgrade).
        self.notify = notify or _stay_quiet
        self._engine: Engine | None = None
        self._session: Session | None = None
        # Whether a transaction of this object has committed a change.
        self.stored_changes = False

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = _open(self.url, self.notify)
        return self._engine

    @property
    def is_sqlite(self) -> bool:
        return self.url.get_backend_name() == "sqlite"

    @property
    def sqlite_path(self) -> Path | None:
        """The database file, for the commands that handle the file itself."""
        return _sqlite_path(self.url) if self.is_sqlite else None

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: commits when the block ends, rolls back on any error.

        A transaction opened inside another joins it, so a use case made of
        other use cases (the demo, an import) is still all or nothing.
        """
        if self._session is not None:
            yield self._session
            return
        try:
            with Session(self.engine, expire_on_commit=False) as session, session.begin():
                session.info[scope.PATIENT_NAME] = self.patient
                session.info[scope.CHOSEN] = self.chosen
                self._session = session
                try:
                    yield session
                    wrote = _has_written(session)
                finally:
                    self._session = None
        except DBAPIError as error:
            raise DatabaseProblem(_plain_database_error(error, self.url)) from None
        # Committed: a failure from here on (printing the result) must not hide it.
        self.stored_changes = self.stored_changes or wrote

    @property
    def named_patient(self) -> str | None:
        """The patient a command worked on, when the database holds others too.

        Set once a unit of work has looked the patient up; with a single patient
        it is None, and messages need not name anyone.
        """
        name = self.chosen.get("name")
        return name if self.chosen.get("several") and isinstance(name, str) else None

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None


def _open(url: URL, notify: Notify) -> Engine:
    try:
        if url.get_backend_name() == "sqlite":
            return _open_sqlite(url, notify)
        engine = create_engine(url)
        _ensure_schema(engine, url)
        return engine
    except DBAPIError as error:
        raise DatabaseProblem(_plain_database_error(error, url)) from None
    except NoSuchModuleError:
        raise DatabaseProblem(f"tracker cannot talk to '{url.drivername}' databases") from None
    except ModuleNotFoundError as error:
        hint = (
            " (install it with: pip install 'tracker[postgres]')" if "psycopg" in str(error) else ""
        )
        raise DatabaseProblem(f"the database driver {error.name} is not installed{hint}") from None


def _open_sqlite(url: URL, notify: Notify) -> Engine:
    path = _sqlite_path(url)
    if path is not None:
        _check_sqlite_file(path)
        if not path.exists():
            _create_sqlite_file(path)
    # In a folder tracker cannot write, SQLite cannot make the files it keeps
    # beside a database: the file is opened read-only, so reading still works.
    read_only = path is not None and not _folder_is_writable(path)
    engine = _create_sqlite_engine(url, read_only)
    before_upgrade = None
    if path is not None:
        before_upgrade = partial(
            _refuse_upgrade if read_only else _back_up_before_upgrade, path, notify
        )
    try:
        _ensure_schema(engine, url, before_upgrade)
    except BaseException:
        engine.dispose()  # a refused file is not held open until garbage collection
        raise
    if path is not None and not read_only:
        _use_wal(engine)
        _keep_companions_private(path)
        temporaries.remove_stale(path.parent)  # what killed runs left beside the database
    return engine


def _folder_is_writable(path: Path) -> bool:
    return os.access(path.parent, os.W_OK)


def _refuse_upgrade(path: Path, _notify: Notify, _revision: str) -> None:
    raise DatabaseProblem(
        f"{path} was made by an older tracker and needs upgrading, but its folder "
        f"{path.parent} is read-only; make the folder writable once so tracker can "
        "upgrade it; nothing was changed"
    )


def _back_up_before_upgrade(path: Path, notify: Notify, revision: str) -> None:
    """A migration rewrites the user's only copy of years of records: keep the old one first."""
    safe_revision = re.sub(r"[^A-Za-z0-9_-]", "_", revision)
    try:
        copy = dated_copy(path, f"before-upgrade-{safe_revision}")
    except (OSError, sqlite3.Error) as error:
        raise DatabaseProblem(
            f"cannot back up {path} before upgrading it ({_reason(error)}); nothing was changed"
        ) from None
    notify(f"Backed up your database to {copy} before upgrading it.")


def _keep_companions_private(path: Path) -> None:
    """SQLite gives -wal/-shm the database's mode; make sure, should that ever differ."""
    for companion in companions(path):
        with suppress(OSError):  # gone already, or not ours to change: nothing to protect
            if companion.stat().st_mode & 0o077:
                companion.chmod(PRIVATE_FILE_MODE)


def _create_sqlite_file(path: Path) -> None:
    """Build the new database beside its final name, then move it into place.

    So the file at ``path`` is always a complete tracker database: a crash while
    creating it leaves only a stray temporary file, never a half-made database.
    """
    # Owner-only (health records), and locked while it is built (see temporaries).
    handle, temporary = temporaries.create(path)
    try:
        engine = _create_sqlite_engine(sqlite_file_url(temporary))
        try:
            _ensure_schema(engine, sqlite_file_url(path))
        finally:
            engine.dispose()
        with suppress(FileExistsError):  # another process created it first: use theirs
            os.link(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
        os.close(handle)


def _sqlite_path(url: URL) -> Path | None:
    if not url.database or url.database == ":memory:":
        return None
    return Path(url.database)


def _check_sqlite_file(path: Path) -> None:
    if path.is_dir():
        raise DatabaseProblem(f"{path} is a folder, not a tracker database")
    if path.exists():
        if not path.is_file():
            # Reading a FIFO would wait forever; a device is nobody's database.
            raise DatabaseProblem(f"{path} is a device or a pipe, not a tracker database")
        _check_sqlite_header(path)
        return
    try:
        make_private_folder(path.parent)
    except OSError as error:
        raise DatabaseProblem(
            f"cannot create the folder {path.parent} for the database ({error.strerror})"
        ) from None
    if not os.access(path.parent, os.W_OK):
        raise DatabaseProblem(
            f"cannot create the database in {path.parent}: the folder is not writable"
        )


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


def _check_sqlite_header(path: Path) -> None:
    try:
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except OSError as error:
        raise DatabaseProblem(f"cannot read {path} ({error.strerror})") from None
    if not header:
        raise DatabaseProblem(f"{path} is an empty file, not a tracker database")
    if header != SQLITE_HEADER:
        raise DatabaseProblem(f"{path} is not a tracker database (it is not an SQLite file)")


def _create_sqlite_engine(url: URL, read_only: bool = False) -> Engine:
    path = _sqlite_path(url)
    if read_only and path is not None:
        engine = create_engine(url, creator=partial(_connect_read_only, path))
    else:
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
    event.listen(engine, "connect", _configure_sqlite_connection)
    event.listen(engine, "begin", _begin_immediate)
    return engine


def _configure_sqlite_connection(dbapi_connection, _record) -> None:
    # Let SQLAlchemy, not the sqlite3 module, decide where transactions begin.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    finally:
        cursor.close()


def _use_wal(engine: Engine) -> None:
    """WAL lets readers and a writer work at once; set once the file is known to be ours."""
    import sqlite3

    with engine.connect() as connection:
        raw = connection.connection.dbapi_connection
        assert raw is not None
        # A read-only file keeps its journal mode; reading it still works.
        with suppress(sqlite3.OperationalError):
            raw.execute("PRAGMA journal_mode = WAL")


# Execution option for a transaction that only reads: it need not queue for the write lock.
READ_ONLY = "tracker_read_only"


# connection.info key: SQLite's count of changed rows when the transaction began.
_CHANGES_AT_BEGIN = "tracker_changes_at_begin"


def _has_written(session: Session) -> bool:
    """Whether the session's transaction changed anything (asked just before it commits)."""
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        raw = connection.connection.dbapi_connection
        return getattr(raw, "total_changes", 0) != connection.info.get(_CHANGES_AT_BEGIN)
    # PostgreSQL gives a transaction an id only once it writes.
    return bool(
        connection.exec_driver_sql("SELECT pg_current_xact_id_if_assigned() IS NOT NULL").scalar()
    )


def _begin_immediate(connection: Connection) -> None:
    raw = connection.connection.dbapi_connection
    connection.info[_CHANGES_AT_BEGIN] = getattr(raw, "total_changes", 0)
    if connection.get_execution_options().get(READ_ONLY):
        # In WAL mode readers never wait for the writer; taking the write lock just
        # to look at the schema version would make every command queue twice.
        connection.exec_driver_sql("BEGIN")
        return
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def _ensure_schema(
    engine: Engine, url: URL, before_upgrade: Callable[[str], None] | None = None
) -> None:
    """Create or upgrade the schema; ``before_upgrade(revision)`` runs before an existing
    database is migrated (never for a new one)."""
    tables, revision = _schema_state(engine)
    if revision == schema.HEAD_REVISION:
        return
    if revision is None and tables:
        raise DatabaseProblem(
            f"{describe(url)} is not a tracker database (it holds other tables); "
            "choose another file with --db"
        )
    from tracker.store import migrate

    if revision is not None and not migrate.is_known_revision(revision):
        raise DatabaseProblem(
            f"{describe(url)} was made by a newer version of tracker; "
            "upgrade tracker (pip install --upgrade tracker) to open it"
        )
    # The copy before an upgrade is made inside the migration's lock, once the
    # revision is read again there: of several first runs at once, only the one
    # that really upgrades keeps a copy.
    migrate.upgrade_to_head(engine, before_upgrade)


def _schema_state(engine: Engine) -> tuple[set[str], str | None]:
    """The tables and the stored revision; the tables are only listed when it matters.

    Every command passes here, and nearly always the database is current: one
    small query answers that, where listing the tables costs more than the
    command's own work.
    """
    with engine.connect().execution_options(**{READ_ONLY: True}) as connection:
        try:
            revision = _stored_revision(connection)
        except DBAPIError:
            connection.rollback()  # PostgreSQL refuses more statements in a failed transaction
            revision = None
        if revision == schema.HEAD_REVISION:
            return {schema.VERSION_TABLE}, revision
        tables = set(inspect(connection).get_table_names())
        if schema.VERSION_TABLE in tables and revision is None:
            revision = _stored_revision(connection)  # a real error shows itself again here
        return tables, revision


def _stored_revision(connection: Connection) -> str | None:
    rows = connection.execute(text(f"SELECT version_num FROM {schema.VERSION_TABLE}")).all()
    return rows[0][0] if rows else None


# --- the SQLite file itself: copies, checks, swapping a restored file in ----------


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
        written = _move_into_place(temporary, target, replace)
    finally:
        temporary.unlink(missing_ok=True)
        os.close(handle)
    _fsync(target.parent)
    return written


def _backup_into(source: sqlite3.Connection, temporary: Path) -> None:
    with closing(source), closing(sqlite3.connect(temporary)) as writer:
        source.backup(writer)
        # One self-contained file: nothing must travel beside the copy.
        writer.execute("PRAGMA journal_mode = DELETE")
    _fsync(temporary)


def _connect_source(path: Path, live: bool) -> sqlite3.Connection:
    return _connect_live(path) if live else _connect_read_only(path)


def _connect_live(path: Path) -> sqlite3.Connection:
    """The database in use, taking part in locking; read-only in a read-only folder."""
    if not _folder_is_writable(path):
        return _connect_read_only(path)
    return sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000)


def _connect_read_only(path: Path) -> sqlite3.Connection:
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


def _move_into_place(temporary: Path, target: Path, replace: bool) -> Path:
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


def _fsync(path: Path) -> None:
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
    _check_sqlite_header(path)
    try:
        with closing(_connect_read_only(path)) as connection:
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
    _check_sqlite_header(path)
    try:
        with closing(_connect_live(path)) as connection:
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
        _backup_into(_connect_read_only(source), temporary)
        ensure_not_in_use(path)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    for companion in companions(path):
        companion.unlink(missing_ok=True)
    _fsync(path.parent)


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


def _reason(error: Exception) -> str:
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return str(error).splitlines()[0] if str(error) else type(error).__name__


def _plain_database_error(error: DBAPIError, url: URL) -> str:
    path = _sqlite_path(url) if url.get_backend_name() == "sqlite" else None
    return plain_sqlite_error(error.orig, describe(url), path)


def plain_sqlite_error(error: BaseException | None, where: str, path: Path | None) -> str:
    """One line a patient can act on, for an error from the database driver."""
    detail = str(error).splitlines()[0] if error else "unknown error"
    lowered = detail.lower()
    if "readonly" in lowered or "read-only" in lowered:
        return f"the database {where} is read-only; nothing was changed"
    if _disk_is_full(error, lowered, path):
        return f"the disk holding {where} is full; nothing was changed"
    if "unable to open" in lowered:
        if path is not None and path.parent.is_dir() and not os.access(path.parent, os.W_OK):
            return (
                f"cannot open the database {where}: its folder {path.parent} is read-only "
                "(tracker needs to write beside the database); nothing was changed"
            )
        return f"cannot open the database {where} (check the folder exists and is writable)"
    if "not a database" in lowered or "malformed" in lowered:
        return f"{where} is not a tracker database or is damaged ({detail})"
    if "locked" in lowered or "busy" in lowered:
        return f"the database {where} is busy in another program; try again in a moment"
    return f"database problem with {where}: {detail}"


# Below this much free space, an I/O error is taken to mean the disk is full.
_NEARLY_FULL_BYTES = 1024 * 1024


def _disk_is_full(error: BaseException | None, lowered: str, path: Path | None) -> bool:
    """SQLite says "database or disk is full" only sometimes: growing the -shm or -wal on
    a full disk fails as a plain "disk I/O error". Then the free space tells."""
    if "disk" in lowered and "full" in lowered:
        return True
    name = getattr(error, "sqlite_errorname", "") or ""
    if path is None or not (name.startswith("SQLITE_IOERR") or "i/o error" in lowered):
        return False
    try:
        return shutil.disk_usage(path.parent).free < _NEARLY_FULL_BYTES
    except OSError:
        return False


__all__ = [
    "COMPANION_SUFFIXES",
    "Database",
    "SQLAlchemyError",
    "SqliteFileFacts",
    "copy_sqlite_file",
    "dated_copy",
    "default_database_path",
    "describe",
    "ensure_not_in_use",
    "live_revision",
    "make_private_folder",
    "plain_sqlite_error",
    "read_sqlite_file",
    "replace_sqlite_file",
    "to_url",
]
