"""Opening a tracker database: where it is, whether it is ours, bringing it up to date.

One engine per process, created on first use. Every unit of work is one
transaction; on SQLite it starts with BEGIN IMMEDIATE so concurrent writers
wait for each other (busy timeout) instead of failing half-way.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.orm import Session

from tracker.domain.errors import DatabaseProblem
from tracker.store import schema

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 30_000


def default_database_path() -> Path:
    import platformdirs

    return platformdirs.user_data_path("tracker") / "tracker.db"


def to_url(location: str | None) -> URL:
    """A file path or an SQLAlchemy URL; nothing means the default file."""
    if not location:
        return make_url(f"sqlite:///{default_database_path()}")
    if "://" in location:
        try:
            return make_url(location)
        except ArgumentError:
            raise DatabaseProblem(f"'{location}' is not a valid database URL") from None
    path = Path(location).expanduser()
    return make_url(f"sqlite:///{path.absolute()}")


def describe(url: URL) -> str:
    """Where the database is, for messages (never the password)."""
    if url.get_backend_name() == "sqlite":
        return url.database or "an in-memory database"
    return url.render_as_string(hide_password=True)


class Database:
    def __init__(self, location: str | None = None) -> None:
        self.url = to_url(location)
        self._engine: Engine | None = None
        self._session: Session | None = None

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = _open(self.url)
        return self._engine

    @property
    def is_sqlite(self) -> bool:
        return self.url.get_backend_name() == "sqlite"

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
                self._session = session
                try:
                    yield session
                finally:
                    self._session = None
        except DBAPIError as error:
            raise DatabaseProblem(_plain_database_error(error, self.url)) from None

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None


def _open(url: URL) -> Engine:
    try:
        if url.get_backend_name() == "sqlite":
            return _open_sqlite(url)
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


def _open_sqlite(url: URL) -> Engine:
    path = _sqlite_path(url)
    if path is not None:
        _check_sqlite_file(path)
        if not path.exists():
            _create_sqlite_file(path)
    engine = _create_sqlite_engine(url)
    _ensure_schema(engine, url)
    if path is not None:
        _use_wal(engine)
    return engine


def _create_sqlite_file(path: Path) -> None:
    """Build the new database beside its final name, then move it into place.

    So the file at ``path`` is always a complete tracker database: a crash while
    creating it leaves only a stray temporary file, never a half-made database.
    """
    temporary = path.with_name(f".{path.name}.{os.getpid()}.new")
    # Health records: readable by the owner only.
    os.close(os.open(temporary, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600))
    try:
        engine = _create_sqlite_engine(make_url(f"sqlite:///{temporary}"))
        try:
            _ensure_schema(engine, make_url(f"sqlite:///{path}"))
        finally:
            engine.dispose()
        with suppress(FileExistsError):  # another process created it first: use theirs
            os.link(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def _sqlite_path(url: URL) -> Path | None:
    if not url.database or url.database == ":memory:":
        return None
    return Path(url.database)


def _check_sqlite_file(path: Path) -> None:
    if path.is_dir():
        raise DatabaseProblem(f"{path} is a folder, not a tracker database")
    if path.exists():
        _check_sqlite_header(path)
        return
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as error:
        raise DatabaseProblem(
            f"cannot create the folder {path.parent} for the database ({error.strerror})"
        ) from None
    if not os.access(path.parent, os.W_OK):
        raise DatabaseProblem(
            f"cannot create the database in {path.parent}: the folder is not writable"
        )


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


def _create_sqlite_engine(url: URL) -> Engine:
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


def _begin_immediate(connection: Connection) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def _ensure_schema(engine: Engine, url: URL) -> None:
    with engine.connect() as connection:
        tables = set(inspect(connection).get_table_names())
        revision = _stored_revision(connection) if schema.VERSION_TABLE in tables else None
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
    migrate.upgrade_to_head(engine)


def _stored_revision(connection: Connection) -> str | None:
    rows = connection.execute(text(f"SELECT version_num FROM {schema.VERSION_TABLE}")).all()
    return rows[0][0] if rows else None


def _plain_database_error(error: DBAPIError, url: URL) -> str:
    detail = str(error.orig).splitlines()[0] if error.orig else "unknown error"
    lowered = detail.lower()
    where = describe(url)
    if "readonly" in lowered or "read-only" in lowered:
        return f"the database {where} is read-only; nothing was changed"
    if "unable to open" in lowered:
        return f"cannot open the database {where} (check the folder exists and is writable)"
    if "not a database" in lowered or "malformed" in lowered:
        return f"{where} is not a tracker database or is damaged ({detail})"
    if "locked" in lowered or "busy" in lowered:
        return f"the database {where} is busy in another program; try again in a moment"
    if "disk" in lowered and "full" in lowered:
        return f"the disk holding {where} is full; nothing was changed"
    return f"database problem with {where}: {detail}"


__all__ = ["Database", "SQLAlchemyError", "default_database_path", "describe", "to_url"]
