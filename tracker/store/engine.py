"""Opening a database: the engine, SQLite's settings, and a schema that is tracker's and current.

A command that stores records may create the database (``creates``); one that
only reads never creates a file, a folder or a table (issue 17): on an SQLite
file that is not there yet it is told so (NoDatabaseYet) and answers from an
empty stand-in, and a server database without tracker's tables is an error.
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Callable
from contextlib import suppress
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import URL, Engine
from sqlalchemy.exc import DBAPIError, NoSuchModuleError
from sqlalchemy.orm import Session
from sqlalchemy.pool import StaticPool

from tracker.domain.errors import DatabaseProblem
from tracker.store import schema, temporaries
from tracker.store.location import (
    describe,
    no_database_yet,
    no_folder,
    no_tracker_tables,
    sqlite_file_url,
    url_sqlite_path,
)
from tracker.store.plain_errors import missing_module, plain_database_error, reason
from tracker.store.sqlite_files import (
    BUSY_TIMEOUT_MS,
    check_sqlite_header,
    connect_read_only,
    dated_copy,
    folder_is_writable,
    keep_companions_private,
    make_private_folder,
)

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

Notify = Callable[[str], None]

# Execution option for a transaction that only reads: it need not queue for the write lock.
READ_ONLY = "tracker_read_only"
# connection.info key: SQLite's count of changed rows when the transaction began.
_CHANGES_AT_BEGIN = "tracker_changes_at_begin"


class NoDatabaseYet(Exception):
    """A reading command met an SQLite file that does not exist yet (nothing was created)."""

    def __init__(self, path: Path) -> None:
        super().__init__(no_database_yet(path))
        self.path = path


def open_engine(url: URL, notify: Notify, *, creates: bool, explicit: bool) -> Engine:
    """The engine of the database at ``url``, its schema current.

    ``creates``: a new database may be made (a command that stores records);
    ``explicit``: the user named the location (its folder must exist).
    """
    try:
        if url.get_backend_name() == "sqlite":
            return _open_sqlite(url, notify, creates=creates, explicit=explicit)
        engine = create_engine(url)
        try:
            ensure_schema(engine, url, creates=creates)
        except BaseException:
            engine.dispose()
            raise
        return engine
    except DBAPIError as error:
        raise DatabaseProblem(plain_database_error(error, url)) from None
    except NoSuchModuleError:
        raise DatabaseProblem(f"tracker cannot talk to '{url.drivername}' databases") from None
    except ModuleNotFoundError as error:
        raise missing_module(error, url) from None


def empty_stand_in(url: URL) -> Engine:
    """An empty tracker database in memory, answering for a file that is not there yet.

    A reading command on it answers exactly as on a new database (the same
    migrations make it), and nothing is written anywhere.
    """
    engine = create_engine(
        "sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False}
    )
    _configure(engine)
    ensure_schema(engine, url, creates=True)
    return engine


def _open_sqlite(url: URL, notify: Notify, *, creates: bool, explicit: bool) -> Engine:
    path = url_sqlite_path(url)
    if path is not None:
        _check_existing_file(path)
        if not path.exists():
            _prepare_new_file(path, creates=creates, explicit=explicit)
            _create_sqlite_file(path)
    # In a folder tracker cannot write, SQLite cannot make the files it keeps
    # beside a database: the file is opened read-only, so reading still works.
    read_only = path is not None and not folder_is_writable(path)
    engine = _create_sqlite_engine(url, read_only)
    before_upgrade = None
    if path is not None:
        before_upgrade = partial(
            _refuse_upgrade if read_only else _back_up_before_upgrade, path, notify
        )
    try:
        ensure_schema(engine, url, before_upgrade, creates=creates)
    except BaseException:
        engine.dispose()  # a refused file is not held open until garbage collection
        raise
    if path is not None and not read_only:
        _use_wal(engine)
        keep_companions_private(path)
        temporaries.remove_stale(path.parent)  # what killed runs left beside the database
    return engine


def _check_existing_file(path: Path) -> None:
    if path.is_dir():
        raise DatabaseProblem(f"{path} is a folder, not a tracker database")
    if path.exists():
        if not path.is_file():
            # Reading a FIFO would wait forever; a device is nobody's database.
            raise DatabaseProblem(f"{path} is a device or a pipe, not a tracker database")
        check_sqlite_header(path)


def _prepare_new_file(path: Path, *, creates: bool, explicit: bool) -> None:
    """Refuse, or make the folder of, a database file that does not exist yet.

    A location the user named must be in a folder that exists (a typo would
    otherwise make folders, or answer "nothing due" for ever); the default data
    folder is made, owner-only, by the first command that stores something.
    """
    if explicit and not path.parent.is_dir():
        raise no_folder(path)
    if not creates:
        raise NoDatabaseYet(path)
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
            f"cannot back up {path} before upgrading it ({reason(error)}); nothing was changed"
        ) from None
    notify(f"Backed up your database to {copy} before upgrading it.")


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
            ensure_schema(engine, sqlite_file_url(path), creates=True)
        finally:
            engine.dispose()
        with suppress(FileExistsError):  # another process created it first: use theirs
            os.link(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
        os.close(handle)


def _create_sqlite_engine(url: URL, read_only: bool = False) -> Engine:
    path = url_sqlite_path(url)
    if read_only and path is not None:
        engine = create_engine(url, creator=partial(connect_read_only, path))
    else:
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
    _configure(engine)
    return engine


def _configure(engine: Engine) -> None:
    event.listen(engine, "connect", _configure_sqlite_connection)
    event.listen(engine, "begin", _begin_immediate)


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
    with engine.connect() as connection:
        raw = connection.connection.dbapi_connection
        assert raw is not None
        # A read-only file keeps its journal mode; reading it still works.
        with suppress(sqlite3.OperationalError):
            raw.execute("PRAGMA journal_mode = WAL")


def has_written(session: Session) -> bool:
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


def ensure_schema(
    engine: Engine,
    url: URL,
    before_upgrade: Callable[[str], None] | None = None,
    *,
    creates: bool,
) -> None:
    """Create (only when ``creates``) or upgrade the schema; ``before_upgrade(revision)``
    runs before an existing database is migrated (never for a new one)."""
    tables, revision = _schema_state(engine)
    if revision == schema.HEAD_REVISION:
        return
    if revision is None and tables:
        raise DatabaseProblem(
            f"{describe(url)} is not a tracker database (it holds other tables); "
            "choose another file with --db"
        )
    if revision is None and not creates:
        raise no_tracker_tables(describe(url))
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
