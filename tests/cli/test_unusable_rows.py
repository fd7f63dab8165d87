"""Rows no command could have written (issue 13, points 10, 11 and 16).

Each crafted row is put in with SQL, as a hand edit would. `tracker check`
names it (exit 1), and every other command either works or says in one
`Error:` line that a stored value is unusable and to run `tracker check`;
never a traceback.
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import Tracker, _postgres_database
from tracker.store.location import to_url

READERS = [
    ("history",),
    ("due",),
    ("review",),
    ("diary",),
    ("effects",),
    ("appointments",),
    ("changes",),
    ("patients",),
    ("export", "--format", "json"),
    ("pain", "4"),
    ("undo",),
]

# (id, SQL, what check says, runs on PostgreSQL too)
ROWS = [
    (
        "datetime-as-date",
        "UPDATE injection_sessions SET date = '2026-06-02 00:00:00'",
        "has a date that is not a date ('2026-06-02 00:00:00')",
        False,
    ),
    (
        "unknown-class",
        "UPDATE side_effects SET effect_class = 'weird'",
        "has an unknown class 'weird'",
        True,
    ),
    (
        "unknown-status",
        "UPDATE appointments SET status = 'weird'",
        "has an unknown status 'weird'",
        True,
    ),
    (
        "text-units",
        "UPDATE injection_sessions SET units = 'lots'",
        "has units that are not a number ('lots')",
        False,
    ),
    (
        "bad-json",
        "UPDATE changes SET new_values = '{bad' WHERE id = 1",
        "Change-log entry #1 has new values that are not a JSON object",
        True,
    ),
    (
        "every-0-months",
        "UPDATE treatments SET every = '0m'",
        "Treatment #1 has '0m' as the interval between injections",
        True,
    ),
    (
        "every-100000-months",
        "UPDATE treatments SET every = '100000m'",
        "Treatment #1 has '100000m' as the interval between injections",
        True,
    ),
    (
        "treatment-without-a-product",
        "UPDATE treatments SET product = ''",
        "Treatment #1 has no usable product ('')",
        True,
    ),
    (
        "huge-units",
        "UPDATE injection_sessions SET units = 1e308",
        "has 1e+308 units, more than tracker can record",
        True,
    ),
    (
        "escape-in-note",
        "UPDATE pain_entries SET note = 'x' || chr(27) || '[2J'",
        "Pain entry #1: the note has an invisible or control character (U+001B)",
        True,
    ),
    (
        "escape-in-name",
        "UPDATE patients SET name = 'Mum' || chr(27) || '[2J'",
        "Patient #1: the name has an invisible or control character (U+001B)",
        True,
    ),
    (
        "unknown-change-kind",
        "UPDATE changes SET kind = 'dragon' WHERE id = 1",
        "Change-log entry #1 has an unknown kind or action ('dragon', 'insert')",
        True,
    ),
    (
        "year-1",
        "UPDATE injection_sessions SET date = '0001-01-01'",
        "has the date 0001-01-01, outside the dates tracker keeps",
        True,
    ),
]


def _fill(tracker: Tracker) -> None:
    tracker.ok("log", "2026-08-25", "--units", "200", "--site", "neck:100")
    tracker.ok("pain", "6", "--date", "2026-08-20", "--note", "fine")
    tracker.ok("effect", "headache", "--date", "2026-08-27")
    tracker.ok("book", "2027-02-23", "--time", "09:30")


def _execute(db: str, sql: str) -> None:
    engine = create_engine(to_url(db))
    if engine.dialect.name == "sqlite":
        sql = sql.replace("chr(27)", "char(27)")
    try:
        with engine.begin() as connection:
            connection.execute(text(sql))
    finally:
        engine.dispose()


@pytest.fixture
def pg_tracker() -> Iterator[Tracker]:
    for url in _postgres_database(str(os.getpid())):
        yield Tracker(url)


@pytest.mark.parametrize(("sql", "found"), [row[1:3] for row in ROWS], ids=[row[0] for row in ROWS])
def test_on_sqlite_check_names_the_row_and_no_command_crashes_on_it(sqlite_tracker, sql, found):
    _check_and_use(sqlite_tracker, sql, found)


# PostgreSQL's typed columns cannot hold a datetime in a date or text in a number.
@pytest.mark.parametrize(
    ("sql", "found"), [row[1:3] for row in ROWS if row[3]], ids=[row[0] for row in ROWS if row[3]]
)
def test_on_postgresql_check_names_the_row_and_no_command_crashes_on_it(pg_tracker, sql, found):
    _check_and_use(pg_tracker, sql, found)


def _check_and_use(tracker: Tracker, sql: str, found: str) -> None:
    _fill(tracker)
    _execute(tracker.db, sql)
    result = tracker("check")
    assert result.exit_code == 1, (result.stdout, result.stderr)
    assert found in result.stdout, result.stdout
    for command in READERS:
        outcome = tracker(*command)
        if outcome.exit_code != 0:
            failed = tracker.fails(*command)  # one Error: line, no traceback
            assert "tracker check" in failed.stderr or "cannot undo" in failed.stderr, (
                command,
                failed.stderr,
            )


def test_check_caps_its_listing_and_counts_the_rest(sqlite_tracker, sqlite_path):
    _fill(sqlite_tracker)
    with sqlite3.connect(sqlite_path) as connection:
        connection.executemany(
            "INSERT INTO pain_entries (patient_id, date, score) VALUES (1, '2026-08-21', ?)",
            [(11,)] * 25,
        )
        connection.execute("UPDATE treatments SET every = '0m'")
    connection.close()
    result = sqlite_tracker("check")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == f"Found 26 problems in {sqlite_path}:"
    assert len([line for line in lines if "pain score of 11" in line]) == 10
    assert "  …and 15 more like the one above." in lines
    assert any("Treatment #1 has '0m' as the interval" in line for line in lines)
    assert lines[-1] == (
        "15 problems were counted, not listed; list every one with: "
        "tracker check --all (or tracker check --json)"
    )
    every = sqlite_tracker("check", "--all").stdout
    assert len([line for line in every.splitlines() if "pain score of 11" in line]) == 25
    assert len(sqlite_tracker("check", "--json").stdout.split("pain score of 11")) == 26


# --- point 11: a damaged file ------------------------------------------------------------


def _damage_an_index(path: Path) -> None:
    """Overwrite the root page of the pain entries' date index with garbage."""
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.execute("PRAGMA journal_mode = DELETE")
        page_size = connection.execute("PRAGMA page_size").fetchone()[0]
        (root,) = connection.execute(
            "SELECT rootpage FROM sqlite_master WHERE name = 'ix_pain_entries_date'"
        ).fetchone()
    connection.close()
    with path.open("r+b") as file:
        file.seek((root - 1) * page_size)
        file.write(os.urandom(page_size))


def test_a_damaged_file_is_listed_by_check_and_backup_says_so(sqlite_tracker, sqlite_path):
    _fill(sqlite_tracker)
    for day in range(1, 28):
        sqlite_tracker.ok("pain", "3", "--date", f"2026-07-{day:02d}")
    _damage_an_index(sqlite_path)

    result = sqlite_tracker("check")
    assert result.exit_code == 1, (result.stdout, result.stderr)
    assert "The database file is damaged; SQLite's integrity check says:" in result.stdout
    assert "not a tracker database" not in result.stdout + result.stderr

    backup = sqlite_path.with_name("copy.db")
    result = sqlite_tracker("backup", str(backup))
    assert result.exit_code == 0
    assert re.search(r"Warning: the database is damaged, and so is this copy", result.stderr)
    for command in READERS:
        outcome = sqlite_tracker(*command)
        if outcome.exit_code != 0:
            assert "Traceback" not in outcome.output
            assert len(outcome.stderr.strip().splitlines()) == 1, outcome.stderr
