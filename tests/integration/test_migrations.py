"""The schema comes only from the migrations, and they agree with the models."""

from __future__ import annotations

import sqlite3

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from tests.conftest import Tracker
from tracker.store import migrate, schema
from tracker.store.location import to_url
from tracker.store.models import Base


def test_the_expected_schema_version_is_the_newest_migration():
    assert migrate.head_revision() == schema.HEAD_REVISION


def test_migrations_and_models_agree_on_every_backend(db_url):
    Tracker(db_url).ok("pain", "5")  # first use creates the schema through the migrations
    engine = create_engine(to_url(db_url))
    with engine.connect() as connection:
        differences = compare_metadata(
            MigrationContext.configure(connection, opts={"compare_type": True}), Base.metadata
        )
    engine.dispose()
    assert differences == []


def test_first_use_creates_every_table_and_records_the_version(db_url):
    Tracker(db_url).ok("pain", "5")
    engine = create_engine(to_url(db_url))
    with engine.connect() as connection:
        tables = set(inspect(connection).get_table_names())
        version = connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    engine.dispose()
    assert set(Base.metadata.tables) | {"alembic_version"} == tables
    assert version == schema.HEAD_REVISION


def test_a_new_database_file_is_owner_only_and_complete(tmp_path, monkeypatch):
    # The default location: tracker makes its data folder (a folder the user names must exist).
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "share"))
    sqlite_path = tmp_path / "share" / "tracker" / "tracker.db"
    Tracker("").ok("pain", "5")  # an empty TRACKER_DB is the default location
    assert sqlite_path.stat().st_mode & 0o777 == 0o600
    assert sqlite_path.parent.stat().st_mode & 0o777 == 0o700
    assert [p.name for p in sqlite_path.parent.iterdir() if p.name.endswith(".new")] == []
    with sqlite3.connect(sqlite_path) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    connection.close()


def test_every_migration_downgrades_and_upgrades_again(tmp_path):
    from alembic import command

    url = f"sqlite:///{tmp_path / 'roundtrip.db'}"
    config = migrate.alembic_config()
    engine = create_engine(url)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
        command.downgrade(config, "base")
        assert set(inspect(connection).get_table_names()) <= {"alembic_version"}
        command.upgrade(config, "head")
        assert "injection_sessions" in inspect(connection).get_table_names()
    engine.dispose()


def test_an_older_database_is_upgraded_on_first_use_and_keeps_its_records(tmp_path):
    """A database left at revision 0001 by an older tracker gains the new tables."""
    from alembic import command

    path = tmp_path / "old.db"
    config = migrate.alembic_config()
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
        connection.exec_driver_sql(
            "INSERT INTO injection_sessions (id, date, product, units, note) "
            "VALUES (1, '2026-08-25', 'botox', 200, 'from the old version')"
        )
        connection.exec_driver_sql(
            "INSERT INTO injection_sites (session_id, position, muscle, units) "
            "VALUES (1, 0, 'left lumbar paraspinal', 100)"
        )
    engine.dispose()

    tracker = Tracker(str(path))
    tracker.ok("pain", "5")
    (session,) = tracker.json("history")
    assert session["note"] == "from the old version"
    assert session["sites"] == [{"muscle": "left lumbar paraspinal", "units": 100}]
    assert len(tracker.json("diary")) == 1
    with sqlite3.connect(path) as connection:
        version = connection.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    connection.close()
    assert version == schema.HEAD_REVISION
