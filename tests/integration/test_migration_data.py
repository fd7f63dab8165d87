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
            "treatment_id": 1,
        },
        {
            "id": 2,
            "date": date(2026, 3, 2),
            "product": "xeomin",
            "units": 12.5,
            "provider": None,
            "lot": None,
            "note": None,
            "treatment_id": 1,
        },
        {
            "id": 3,
            "date": date(2026, 6, 1),
            "product": "other",
            "units": None,
            "provider": "Dr O'Brien",
            "lot": "L-77",
            "note": "units not written down",
            "treatment_id": 1,
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
    # Migration 0008: each patient's plan as a treatment; a second one in weeks, with a
    # rotation (a downgrade keeps the oldest's plan).
    "treatments": [
        {
            "id": 1,
            "patient_id": 1,
            "name": "botox",
            "product": "botox",
            "every": "3m",
            "within_days": 21,
            "sites": None,
        },
        {
            "id": 2,
            "patient_id": 2,
            "name": "Xeomin für Zoë",
            "product": "xeomin",
            "every": "16w",
            "within_days": 14,
            "sites": None,
        },
        {
            "id": 3,
            "patient_id": 1,
            "name": "B12",
            "product": "hydroxocobalamin",
            "every": "28d",
            "within_days": 3,
            "sites": "left deltoid, right deltoid",
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
        if "treatments" in metadata.tables:  # the default patient's, made by migration 0008
            connection.execute(metadata.tables["treatments"].delete())
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
            assert plan_as_patient(before) == same_columns(after, "patients", ["id", "name"])[:1]
            continue
        if table == "patients":  # migration 0008 moved each plan into a treatment
            kept = [column for column in columns if column not in MOVED_TO_TREATMENTS]
            assert same_columns(after, table, kept) == same_columns(before, table, kept)
            continue
        assert same_columns(after, table, columns) == rows, f"{table} changed in the upgrade"
    assert_one_treatment_each(before, after)
    Tracker(db_url).ok("check")
    if "://" not in db_url:
        (backup,) = Path(db_url).parent.glob(f"tracker.db.before-upgrade-{revision}-*")
        assert f"Backed up your database to {backup} before upgrading it." in result.stderr
        assert _sqlite_snapshot_of(backup) == before


def plan_as_patient(before: dict) -> list[tuple]:
    columns, rows = before["plan"]
    plan = dict(zip(columns, rows[0], strict=True))
    return [(1, plan["patient_name"] or "default")]


# The patients' columns migration 0008 turned into their treatments.
MOVED_TO_TREATMENTS = ("every_months", "within_days")


def plans_before(before: dict) -> dict[int, tuple[int, int]]:
    """Each patient's (every_months, within_days) before the upgrade: the patients'
    columns, or (before migration 0005) the one plan, which became patient 1's."""
    if "patients" in before and "every_months" in before["patients"][0]:
        rows = same_columns(before, "patients", ["id", *MOVED_TO_TREATMENTS])
        return {patient: (every, within) for patient, every, within in rows}
    columns, rows = before["plan"]
    plan = dict(zip(columns, rows[0], strict=True))
    return {1: (plan["every_months"], plan["within_days"])}


def latest_products(before: dict) -> dict[int, str]:
    """The product of each patient's latest session (all patient 1's before migration 0005)."""
    columns, _ = before["injection_sessions"]
    wanted = ["patient_id", "date", "product"] if "patient_id" in columns else ["date", "product"]
    sessions = same_columns(before, "injection_sessions", wanted)
    latest: dict[int, tuple[date, str]] = {}
    for row in sessions:
        patient, day, product = row if len(row) == 3 else (1, *row)
        day = day if isinstance(day, date) else date.fromisoformat(str(day))
        if patient not in latest or day > latest[patient][0]:
            latest[patient] = (day, product)
    return {patient: product for patient, (_, product) in latest.items()}


def assert_one_treatment_each(before: dict, after: dict) -> None:
    """Migration 0008: one treatment per patient, named after the product of their latest
    session (botox without any), with their plan in months; every session is in it."""
    products = latest_products(before)
    expected = sorted(
        (
            patient,
            products.get(patient, "botox"),
            products.get(patient, "botox"),
            f"{every}m",
            within,
            None,
        )
        for patient, (every, within) in plans_before(before).items()
    )
    columns = ["patient_id", "name", "product", "every", "within_days", "sites"]
    assert sorted(same_columns(after, "treatments", columns)) == expected
    treatment_of = {
        patient: treatment
        for treatment, patient in same_columns(after, "treatments", ["id", "patient_id"])
    }
    sessions = same_columns(after, "injection_sessions", ["patient_id", "treatment_id"])
    assert sessions and all(treatment_of[patient] == treatment for patient, treatment in sessions)


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
    """A typo in REALISTIC_ROWS would silently fall back to generic values. A column
    is real when some revision has it (patients.every_months until migration 0008)."""
    columns: dict[str, set[str]] = {}
    for revision in revisions_oldest_first():
        engine = make_database_at("sqlite://", revision)
        try:
            metadata = MetaData()
            with engine.connect() as connection:
                metadata.reflect(connection)
        finally:
            engine.dispose()
        for name, table in metadata.tables.items():
            columns.setdefault(name, set()).update(column.name for column in table.columns)
    for table, rows in REALISTIC_ROWS.items():
        if table not in columns:
            continue  # a table from a migration this checkout does not have
        for row in rows:
            assert set(row) <= columns[table], (table, set(row) - columns[table])


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


# --- migration 0008: treatments --------------------------------------------------------


def _at_head_through_the_cli(db_url: str) -> Tracker:
    tracker = Tracker(db_url)
    tracker.ok("patients", "add", "Ann", "--every", "16w")
    tracker.ok("patients", "add", "Bob")
    ann = Tracker(db_url)
    ann.ok("--patient", "Ann", "plan", "--within", "10")
    ann.ok("--patient", "Ann", "log", "2026-08-03", "--units", "200")
    ann.ok("--patient", "Bob", "plan", "--every", "5")
    return tracker


def test_downgrading_0008_puts_each_patients_plan_back(db_url, engine_for):
    _at_head_through_the_cli(db_url)
    engine = engine_for(None)
    alembic_step(engine, "downgrade", "0007")
    assert current_revision(engine) == "0007"
    after = snapshot(engine)
    assert "treatments" not in after
    # 16 weeks is 112 days: 4 whole months, rounded up (the older schema holds months).
    assert same_columns(after, "patients", ["name", "every_months", "within_days"]) == [
        ("Ann", 4, 10),
        ("Bob", 5, 14),
    ]
    assert same_columns(after, "injection_sessions", ["date", "product"]) == [
        (date(2026, 8, 3), "botox")
    ]
    alembic_step(engine, "upgrade", "head")
    Tracker(db_url).ok("check")
    assert Tracker(db_url).json("--patient", "Bob", "plan")["every"] == "5m"


@pytest.mark.parametrize(
    ("second", "refusal"),
    [
        (
            ("log", "2026-08-03", "--treatment", "B12"),
            "has two injection sessions on 2026-08-03 (two treatments)",
        ),
        (
            ("log", "2026-08-10", "--treatment", "B12"),
            "a session records the product 'hydroxocobalamin', which the older schema cannot hold",
        ),
    ],
    ids=["two-sessions-one-day", "unknown-product"],
)
def test_downgrading_0008_refuses_what_the_older_schema_cannot_hold(
    db_url, engine_for, second, refusal
):
    _at_head_through_the_cli(db_url)
    ann = Tracker(db_url)
    ann.ok("--patient", "Ann", "treatments", "add", "B12", "--product", "hydroxocobalamin")
    ann.ok("--patient", "Ann", *second)
    engine = engine_for(None)
    before = snapshot(engine)
    with pytest.raises(RuntimeError, match=re.escape(refusal)):
        alembic_step(engine, "downgrade", "0007")
    assert current_revision(engine) == schema.HEAD_REVISION
    assert snapshot(engine) == before
