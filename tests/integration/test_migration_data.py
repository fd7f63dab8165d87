"""Every migration keeps the records it finds, and every migration can be undone.

Written generically over the migrations tracker ships, so a new migration is
covered as soon as it exists: a database is made at every earlier revision,
filled with realistic rows for the tables that exist there, and upgraded
through the real CLI; then each migration is downgraded one step at a time.
Tables the realistic rows below do not know (from a migration added later)
get rows made from their column types.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    Integer,
    MetaData,
    Numeric,
    String,
    create_engine,
    inspect,
    select,
)
from sqlalchemy.engine import Connection, Engine

from tests.conftest import Tracker
from tracker.store import migrate, schema
from tracker.store.location import to_url

# Realistic rows, written as an older tracker would have: ids, both products'
# units, sites with and without units, optional fields empty and full, text
# with quotes and non-ASCII letters.
REALISTIC_ROWS: dict[str, list[dict[str, Any]]] = {
    "injection_sessions": [
        {
            "id": 1,
            "date": date(2025, 12, 1),
            "product": "botox",
            "units": 200.0,
            "provider": "Dr Lee",
            "lot": "C0001",
            "note": 'first one; "went well" — Zoë',
        },
        {
            "id": 2,
            "date": date(2026, 3, 2),
            "product": "xeomin",
            "units": 12.5,
            "provider": None,
            "lot": None,
            "note": None,
        },
        {
            "id": 3,
            "date": date(2026, 6, 1),
            "product": "other",
            "units": None,
            "provider": "Dr O'Brien",
            "lot": "L-77",
            "note": "units not written down",
        },
    ],
    "injection_sites": [
        {
            "id": 1,
            "session_id": 1,
            "position": 0,
            "muscle": "left lumbar paraspinal",
            "units": 100.0,
        },
        {
            "id": 2,
            "session_id": 1,
            "position": 1,
            "muscle": "right lumbar paraspinal",
            "units": 100.0,
        },
        {"id": 3, "session_id": 2, "position": 0, "muscle": "multifidus", "units": 12.5},
        {"id": 4, "session_id": 3, "position": 0, "muscle": "quadratus lumborum", "units": None},
    ],
    "plan": [{"id": 1, "every_months": 3, "within_days": 21, "patient_name": "Sam Pátient"}],
    "patients": [
        {
            "id": 1,
            "name": "Sam Pátient",
            "every_months": 3,
            "within_days": 21,
            "uuid": "0b7f4d36-3c1e-4f0e-9a51-6f1f8a0e2b11",
        },
        {
            "id": 2,
            "name": "Zoë Łukasiewicz",
            "every_months": 4,
            "within_days": 14,
            "uuid": "5d2c9e80-7a43-4c8e-b0f4-1e3f5a7c9d22",
        },
    ],
    "pain_entries": [
        {"id": 1, "date": date(2025, 11, 20), "score": 7, "function": 6, "note": None},
        {"id": 2, "date": date(2025, 12, 20), "score": 3, "function": None, "note": "walked 2 km"},
        {"id": 3, "date": date(2025, 12, 20), "score": 0, "function": 0, "note": "good day ☀"},
        {"id": 4, "date": date(2026, 11, 24), "score": 10, "function": 9, "note": "bad night"},
    ],
    "side_effects": [
        {
            "id": 1,
            "date": date(2025, 12, 3),
            "text": "headache",
            "term": "headache",
            "effect_class": "common",
            "severity": "mild",
            "note": None,
            "resolved_on": date(2025, 12, 5),
        },
        {
            "id": 2,
            "date": date(2026, 6, 10),
            "text": "drooping eyelid, left",
            "term": "drooping eyelids",
            "effect_class": "serious",
            "severity": "moderate",
            "note": "called the clinic",
            "resolved_on": None,
        },
    ],
    "appointments": [
        {
            "id": 1,
            "date": date(2026, 9, 1),
            "time": "09:30",
            "provider": "Dr Lee",
            "note": None,
            "status": "done",
        },
        {
            "id": 2,
            "date": date(2026, 12, 1),
            "time": None,
            "provider": None,
            "note": "backup slot",
            "status": "booked",
        },
        {
            "id": 3,
            "date": date(2026, 12, 15),
            "time": "14:05",
            "provider": "Dr Lee",
            "note": None,
            "status": "cancelled",
        },
    ],
    "changes": [
        {
            "id": 1,
            "batch": 1,
            "at": "2026-11-24T16:30:12+00:00",
            "command": "log",
            "action": "insert",
            "kind": "injection",
            "record_id": 1,
            "old_values": None,
            "new_values": '{"units": 200}',
            "undo_of": None,
        }
    ],
}
GENERIC_ROWS = 3


def revisions_oldest_first() -> list[str]:
    return [
        script.revision for script in reversed(list(migrate.script_directory().walk_revisions()))
    ]


def older_revisions() -> list[str]:
    return revisions_oldest_first()[:-1]


def alembic_step(engine: Engine, action: str, target: str) -> None:
    """Run one alembic upgrade or downgrade in a transaction of its own."""
    config = migrate.alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        getattr(command, action)(config, target)


def make_database_at(location: str | Path, revision: str | None) -> Engine:
    """A database as a tracker of ``revision`` left it (empty; None: no tables at all).

    The caller disposes the engine.
    """
    if "://" not in str(location):
        Path(location).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(to_url(str(location)))
    if revision is not None:
        alembic_step(engine, "upgrade", revision)
    return engine


def user_tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names()) - {schema.VERSION_TABLE}


def _generic_value(column: Any, index: int) -> Any:
    kind = column.type
    if column.name == "patient_id":
        return 1  # records point at a patient that exists
    if isinstance(kind, Boolean):
        return index % 2 == 0
    if isinstance(kind, Integer):
        return index
    if isinstance(kind, DateTime):
        return datetime(2026, 1, index, 10, 30)
    if isinstance(kind, Date):
        return date(2026, 1, index)
    if isinstance(kind, Float | Numeric):
        return 1.5 * index
    if isinstance(kind, String):  # Text is a String
        text = f"value {index} ✓"
        return text[: kind.length] if kind.length else text
    raise AssertionError(f"no generic value for column {column.name} of type {kind!r}")


def rows_for(table: Any) -> list[dict[str, Any]]:
    """Realistic rows cut to the columns the table has at this revision; a column or
    table the realistic rows do not know is filled from its type."""
    known = REALISTIC_ROWS.get(table.name)
    count = len(known) if known else GENERIC_ROWS
    rows = []
    for index in range(1, count + 1):
        realistic = known[index - 1] if known else {}
        rows.append(
            {
                column.name: realistic[column.name]
                if column.name in realistic
                else _generic_value(column, index)
                for column in table.columns
            }
        )
    return rows


def fill(engine: Engine) -> None:
    """Realistic rows into every table the database has now."""
    metadata = MetaData()
    with engine.begin() as connection:
        metadata.reflect(connection)
        for table in metadata.sorted_tables:
            if table.name == "patients":
                connection.execute(table.delete())  # the default one migration 0005 made
            if table.name != schema.VERSION_TABLE:
                connection.execute(table.insert(), rows_for(table))


def snapshot(engine: Engine) -> dict[str, tuple[list[str], list[tuple]]]:
    """Every table's columns and rows (by primary key), with Python values."""
    metadata = MetaData()
    result = {}
    with engine.connect() as connection:
        metadata.reflect(connection)
        for table in metadata.sorted_tables:
            if table.name == schema.VERSION_TABLE:
                continue
            query = select(table).order_by(*table.primary_key.columns)
            rows = [tuple(row) for row in connection.execute(query)]
            result[table.name] = ([column.name for column in table.columns], rows)
    return result


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return connection.exec_driver_sql(
            f"SELECT version_num FROM {schema.VERSION_TABLE}"
        ).scalar()


def same_columns(after: dict, table: str, columns: list[str]) -> list[tuple]:
    after_columns, rows = after[table]
    positions = [after_columns.index(column) for column in columns]
    return [tuple(row[i] for i in positions) for row in rows]


@pytest.fixture
def engine_for(db_url: str) -> Iterator[Any]:
    engines: list[Engine] = []

    def make(revision: str | None) -> Engine:
        engines.append(make_database_at(db_url, revision))
        return engines[-1]

    yield make
    for engine in engines:
        engine.dispose()


def test_there_is_an_older_revision_to_upgrade_from():
    assert older_revisions(), "tracker ships one migration only; nothing to test yet"
    assert revisions_oldest_first()[-1] == schema.HEAD_REVISION


@pytest.mark.parametrize("revision", older_revisions())
def test_upgrading_through_the_cli_keeps_every_row(db_url, engine_for, revision):
    engine = engine_for(revision)
    fill(engine)
    before = snapshot(engine)
    assert before and all(rows for _, rows in before.values())  # records there are to lose

    # A whole-database command: with several patients, `due` alone must name one.
    result = Tracker(db_url).ok("due", "--all")

    assert current_revision(engine) == schema.HEAD_REVISION
    after = snapshot(engine)
    for table, (columns, rows) in before.items():
        if table == "plan":  # migration 0005 moved the one plan into the first patient
            assert (
                plan_as_patient(before)
                == same_columns(after, "patients", ["id", "name", "every_months", "within_days"])[
                    :1
                ]
            )
            continue
        assert same_columns(after, table, columns) == rows, f"{table} changed in the upgrade"
    Tracker(db_url).ok("check")
    if "://" not in db_url:
        (backup,) = Path(db_url).parent.glob(f"tracker.db.before-upgrade-{revision}-*")
        assert f"Backed up your database to {backup} before upgrading it." in result.stderr
        assert _sqlite_snapshot_of(backup) == before


def plan_as_patient(before: dict) -> list[tuple]:
    columns, rows = before["plan"]
    plan = dict(zip(columns, rows[0], strict=True))
    return [(1, plan["patient_name"] or "default", plan["every_months"], plan["within_days"])]


def _sqlite_snapshot_of(path: Path) -> dict:
    engine = create_engine(f"sqlite:///{path}")
    try:
        return snapshot(engine)
    finally:
        engine.dispose()


def test_each_migration_downgrades_one_step_at_a_time_and_upgrades_again(db_url, engine_for):
    revisions = revisions_oldest_first()
    engine = engine_for(None)
    tables_at: dict[str | None, set[str]] = {None: set()}
    with engine.connect() as connection:
        assert user_tables(connection) == set()
    for revision in revisions:
        alembic_step(engine, "upgrade", revision)
        with engine.connect() as connection:
            tables_at[revision] = user_tables(connection)
    fill(engine)  # a downgrade must cope with tables that hold records

    for position in range(len(revisions) - 1, -1, -1):
        revision = revisions[position]
        previous = revisions[position - 1] if position else None
        assert current_revision(engine) == revision
        alembic_step(engine, "downgrade", "-1")
        with engine.connect() as connection:
            remaining = user_tables(connection)
        assert current_revision(engine) == previous
        assert remaining == tables_at[previous], f"downgrading {revision} left {remaining}"
        assert not (tables_at[revision] - tables_at[previous]) & remaining

    alembic_step(engine, "upgrade", "head")
    with engine.connect() as connection:
        assert user_tables(connection) == tables_at[revisions[-1]]
    assert current_revision(engine) == schema.HEAD_REVISION


def test_the_realistic_rows_name_only_real_columns():
    """A typo in REALISTIC_ROWS would silently fall back to generic values."""
    head = make_database_at("sqlite://", "head")
    try:
        metadata = MetaData()
        with head.connect() as connection:
            metadata.reflect(connection)
    finally:
        head.dispose()
    for table, rows in REALISTIC_ROWS.items():
        if table not in metadata.tables:
            continue  # a table from a migration this checkout does not have
        columns = {column.name for column in metadata.tables[table].columns}
        for row in rows:
            assert set(row) <= columns, (table, set(row) - columns)


def test_revision_ids_are_safe_in_backup_file_names():
    for revision in revisions_oldest_first():
        assert re.fullmatch(r"[A-Za-z0-9_-]+", revision), revision


def test_an_sqlite_snapshot_compares_values_not_just_counts(tmp_path):
    """The comparison above would notice a changed value, not only a lost row."""
    engine = make_database_at(tmp_path / "x.db", "head")
    try:
        fill(engine)
        before = snapshot(engine)
        with sqlite3.connect(tmp_path / "x.db") as connection:
            connection.execute("UPDATE pain_entries SET note = 'changed' WHERE id = 2")
        connection.close()
        assert snapshot(engine) != before
    finally:
        engine.dispose()
