"""Running the Alembic migrations that ship inside the package."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from importlib.resources import files

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine

from tracker.store.schema import VERSION_TABLE

# An arbitrary, fixed PostgreSQL advisory lock number for "tracker is migrating".
MIGRATION_LOCK = 7_123_001


def migrations_location() -> str:
    # A real folder both from a wheel and from an editable checkout.
    return str(files("tracker.migrations"))


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", migrations_location())
    return config


@cache
def script_directory() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


def head_revision() -> str:
    head = script_directory().get_current_head()
    assert head is not None
    return head


def is_known_revision(revision: str) -> bool:
    return any(script.revision == revision for script in script_directory().walk_revisions())


def upgrade_to_head(engine: Engine, before_upgrade: Callable[[str], None] | None = None) -> None:
    """Apply every missing migration in one transaction (all or nothing).

    ``before_upgrade(revision)`` runs first, holding the migration's lock, when an
    existing database really is at an older revision.
    """
    config = alembic_config()
    # On SQLite the transaction starts with BEGIN IMMEDIATE (tracker.store.database).
    with engine.connect() as connection, _foreign_keys_off(connection), connection.begin():
        if connection.dialect.name == "postgresql":
            # Several processes may find a new database at once: one migrates, the
            # others wait here and then find the schema already current.
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")
        revision = _revision(connection)
        if before_upgrade is not None and revision not in (None, head_revision()):
            before_upgrade(revision)
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
        _refuse_broken_links(connection)


def _revision(connection: Connection) -> str | None:
    """The stored revision, read under the lock; None for a database without one."""
    if not inspect(connection).has_table(VERSION_TABLE):
        return None
    row = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).first()
    return None if row is None else str(row[0])


@contextmanager
def _foreign_keys_off(connection: Connection) -> Iterator[None]:
    """SQLite batch migrations rebuild tables (copy, drop, rename). With foreign keys
    on, dropping the old table would cascade-delete the rows that point at it, so
    they are off while migrating (SQLite only honours this outside a transaction)
    and the links are checked before committing instead."""
    if connection.dialect.name != "sqlite":
        yield
        return
    raw = connection.connection.dbapi_connection
    assert raw is not None
    raw.execute("PRAGMA foreign_keys = OFF")
    try:
        yield
    finally:
        raw.execute("PRAGMA foreign_keys = ON")


def _refuse_broken_links(connection: Connection) -> None:
    if connection.dialect.name != "sqlite":
        return
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
    if broken:
        raise RuntimeError(f"a migration left {len(broken)} broken links; nothing was changed")
