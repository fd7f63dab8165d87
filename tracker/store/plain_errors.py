"""Errors of the database driver, as one line a patient can act on.

The driver says "attempt to write a readonly database" or "disk I/O error";
the patient needs to hear which file, what it means and that nothing changed.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from tracker.domain.errors import DatabaseProblem
from tracker.store.location import describe, url_sqlite_path

if TYPE_CHECKING:
    from sqlalchemy.engine import URL
    from sqlalchemy.exc import DBAPIError


def reason(error: Exception) -> str:
    """What went wrong, in the OS's or the driver's first line."""
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return str(error).splitlines()[0] if str(error) else type(error).__name__


def plain_database_error(error: DBAPIError, url: URL) -> str:
    """A driver error met through SQLAlchemy, about the database at ``url``."""
    return plain_sqlite_error(error.orig, describe(url), url_sqlite_path(url))


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


# The modules that talk to a database server: a missing one is a driver to install.
# SQLAlchemy names the module its dialect wants; pip names the extra that brings it.
DRIVER_MODULES = {
    "psycopg": "tracker[postgres]",
    "psycopg2": "tracker[postgres]",
    "psycopg_c": "tracker[postgres]",
    "psycopg_binary": "tracker[postgres]",
    "asyncpg": None,
    "pg8000": None,
    "pymysql": None,
    "MySQLdb": None,
    "mysql": None,
    "mariadb": None,
    "cx_Oracle": None,
    "oracledb": None,
    "pyodbc": None,
    "pymssql": None,
    "sqlite3": None,
    "pysqlite2": None,
}


def missing_module(error: ModuleNotFoundError, url: URL) -> DatabaseProblem:
    """A module that failed to load while opening ``url``: a driver to install, or not.

    Only a database driver (the one the URL names, or a known driver module) is
    reported as one. Any other missing module (tracker's own migrations in a
    broken install...) means tracker itself is incompletely installed: "the
    database driver tracker.migrations is not installed" sent users the wrong way.
    """
    name = error.name or str(error)
    top = name.partition(".")[0]
    if top in DRIVER_MODULES or top == url.get_driver_name():
        extra = DRIVER_MODULES.get(top)
        hint = f" (install it with: pip install '{extra}')" if extra else ""
        return DatabaseProblem(f"the database driver {name} is not installed{hint}")
    return DatabaseProblem(
        f"tracker cannot load its module {name} (the installation is incomplete); "
        "reinstall tracker (pip install --force-reinstall tracker)"
    )
