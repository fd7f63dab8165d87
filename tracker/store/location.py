"""Where a database is, and which files belong to it: the rules every code path shares.

Free of SQLAlchemy at import (its URL type is loaded only by the functions that
build one): the fast ``due`` path (tracker.store.quick_due) uses these rules as
well as tracker.store.database, so a location names the same file on both, and
both say the same when there is no database there yet.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote

from tracker.domain.errors import DatabaseProblem, InvalidInput

if TYPE_CHECKING:
    from sqlalchemy.engine import URL

# A URL starts with a scheme (RFC 3986: a letter, then letters, digits, + . -)
# and "://". Anything else is a file path, every character of it literal.
_URL_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://")
SQLITE_URL_PREFIX = "sqlite:///"
# Files SQLite keeps beside a database; a stale one must never meet another database.
COMPANION_SUFFIXES = ("-wal", "-shm", "-journal")


def default_database_path() -> Path:
    import platformdirs

    return platformdirs.user_data_path("tracker") / "tracker.db"


def parse_location(location: str | None) -> Path | str:
    """The database a ``--db`` value names: a file path, or a URL for SQLAlchemy to read.

    Only a value that starts with a URL scheme (``sqlite:///…``,
    ``postgresql+psycopg://…``) is a URL. In a plain path ``?``, ``#`` and ``%``
    are characters of the file name like any other, never a query, a fragment
    or an escape. Nothing means the default file.
    """
    if not location:
        return default_database_path()
    if "\x00" in location:
        # No file name or URL can hold one; the OS would refuse it with a traceback.
        raise DatabaseProblem("a database path cannot contain a NUL character")
    if _URL_SCHEME.match(location):
        return location
    return Path(location).expanduser().absolute()


def sqlite_file(location: str | None) -> Path | None:
    """The database file a location names, or None when it is not a plain SQLite file."""
    try:
        where = parse_location(location)
    except DatabaseProblem:
        return None  # the ordinary path explains
    return where if isinstance(where, Path) else sqlite_url_file(where)


def psycopg_conninfo(location: str | None) -> str | None:
    """What psycopg is given to connect to a ``postgresql+psycopg://`` URL, else None.

    SQLAlchemy hands psycopg the same parts (user, password, host, port,
    database and the query's libpq parameters); libpq reads them from the URL
    itself, unquoting them the same way.
    """
    try:
        where = parse_location(location)
    except DatabaseProblem:
        return None
    scheme = "postgresql+psycopg://"
    if isinstance(where, Path) or not where.lower().startswith(scheme):
        return None
    return "postgresql://" + where[len(scheme) :]


def to_url(location: str | None) -> URL:
    """A file path or an SQLAlchemy URL (see parse_location); nothing means the default file."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    where = parse_location(location)
    if isinstance(where, Path):
        return sqlite_file_url(where)
    try:
        return make_url(where)
    except ArgumentError:
        raise DatabaseProblem(f"'{where}' is not a valid database URL") from None


def sqlite_file_url(path: Path) -> URL:
    """The URL of a file, built rather than parsed: every character of the name is literal."""
    from sqlalchemy.engine import URL

    return URL.create("sqlite", database=str(path))


def url_sqlite_path(url: URL) -> Path | None:
    """The file an SQLite URL names; None for an in-memory database or a server."""
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database)


def describe(url: URL) -> str:
    """Where the database is, for messages (never the password)."""
    if url.get_backend_name() == "sqlite":
        return url.database or "an in-memory database"
    return url.render_as_string(hide_password=True)


# --- a location with no database yet (issue 17: nothing is created by mistake) ------

HOW_TO_START = "the first 'tracker log' or 'tracker patients add' creates it"


def no_database_yet(path: Path) -> str:
    """The stderr line of a reading command on a file that does not exist yet.

    It answers as for an empty database; this line is what makes a mistyped
    ``--db`` in a cron job show up in cron's mail.
    """
    return f"There is no tracker database at {path} yet; {HOW_TO_START}."


def no_folder(path: Path) -> DatabaseProblem:
    """An explicit location in a folder that does not exist: a typo far more often than not."""
    return DatabaseProblem(
        f"there is no folder {path.parent} for the database {path}; check the path "
        f"(--db or TRACKER_DB), or create the folder: then {HOW_TO_START}"
    )


def no_tracker_tables(where: str) -> DatabaseProblem:
    """A reading command on a database that exists but holds no tracker tables yet."""
    return DatabaseProblem(
        f"{where} holds no tracker records yet (it has no tracker tables); "
        f"check the location (--db or TRACKER_DB), or start there: {HOW_TO_START}"
    )


def sqlite_url_file(url: str) -> Path | None:
    """The file a plain ``sqlite:///NAME`` URL names, read as SQLAlchemy reads it
    (``%XX`` decoded); None for a URL with options (``?…``) or of another kind."""
    if not url.startswith(SQLITE_URL_PREFIX) or "?" in url:
        return None
    return Path(unquote(url[len(SQLITE_URL_PREFIX) :]))


def companions(path: Path) -> list[Path]:
    return [path.with_name(path.name + suffix) for suffix in COMPANION_SUFFIXES]


def is_database_file(candidate: Path, database: Path, *, itself: bool = True) -> bool:
    """Whether writing ``candidate`` would write over the database (unless not ``itself``)
    or a file SQLite keeps beside it (-wal, -shm, -journal): by the same name, a
    symlink or a hard link.

    Files that exist are compared by device and inode; names that do not (yet)
    by their resolved path.
    """
    owned = [database, *companions(database)] if itself else companions(database)
    identity = _identity(candidate)
    resolved = os.path.realpath(candidate)
    return any(
        resolved == os.path.realpath(own) or (identity is not None and identity == _identity(own))
        for own in owned
    )


def refuse_database_file(target: Path, database: Path | None, *, itself: bool = True) -> None:
    """Raise InvalidInput when writing ``target`` would overwrite the database in use."""
    if database is None or not is_database_file(target, database, itself=itself):
        return
    if is_database_file(target, database, itself=False):
        what = f"a file SQLite keeps beside the database in use ({database})"
    else:
        what = f"the database itself (the database in use, {database})"
    raise InvalidInput(f"{target} is {what}; choose another file; nothing was written")


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        facts = os.stat(path)
    except (OSError, ValueError):
        return None  # it does not exist (yet): only its name can match
    return facts.st_dev, facts.st_ino
