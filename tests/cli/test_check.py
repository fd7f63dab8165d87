"""tracker check: damage and broken rules, found in a real database changed behind tracker's back.

Each case corrupts a database with raw SQL, the way a hand edit, an old bug or a
damaged disk would, then expects exit 1 and the problem named in words.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import Tracker, _postgres_database
from tracker.domain import invariants
from tracker.store.location import to_url

Corruption = Callable[[sqlite3.Connection], None]


@pytest.fixture
def pg_url() -> Iterator[str]:
    yield from _postgres_database(str(os.getpid()))


@pytest.fixture(scope="module")
def clean_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Made once through the CLI; each case corrupts a copy of it."""
    path = tmp_path_factory.mktemp("clean") / "tracker.db"
    _fill(Tracker(str(path)))
    return path


@pytest.fixture
def clean_copy(clean_database: Path, sqlite_path: Path) -> Path:
    sqlite_path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(clean_database, sqlite_path)
    return sqlite_path


@pytest.fixture
def patient(tracker: Tracker) -> Tracker:
    _fill(tracker)
    return tracker


def corrupt(path: Path, change: Corruption) -> None:
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute("PRAGMA foreign_keys = OFF")  # what a careless tool does
        change(connection)
    finally:
        connection.close()


def sql(*statements: str) -> Corruption:
    def run(connection: sqlite3.Connection) -> None:
        for statement in statements:
            connection.execute(statement)

    return run


def without_unique_dates(connection: sqlite3.Connection) -> None:
    """Rebuild injection_sessions without its UNIQUE(treatment_id, date), then add a second
    session to the same treatment on the same day."""
    (create,) = connection.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'injection_sessions'"
    ).fetchone()
    loose = re.sub(
        r",\s*CONSTRAINT uq_injection_sessions_treatment_id UNIQUE \(treatment_id, date\)",
        "",
        create,
    )
    assert loose != create, create
    connection.executescript(
        f"""
        BEGIN;
        {loose.replace("injection_sessions", "sessions_loose", 1)};
        INSERT INTO sessions_loose SELECT * FROM injection_sessions;
        DROP TABLE injection_sessions;
        ALTER TABLE sessions_loose RENAME TO injection_sessions;
        COMMIT;
        """
    )
    connection.execute(
        "INSERT INTO injection_sessions (patient_id, date, product, units, treatment_id) "
        "VALUES (1, '2026-08-25', 'botox', 50, 1)"
    )


def index_out_of_step(connection: sqlite3.Connection) -> None:
    """Damage SQLite's own structures: an index whose entries no longer match its table."""
    connection.execute("PRAGMA writable_schema = ON")
    connection.execute(
        "UPDATE sqlite_master SET sql = 'CREATE INDEX ix_pain_entries_date ON pain_entries (score)'"
        " WHERE name = 'ix_pain_entries_date'"
    )
    connection.execute("PRAGMA writable_schema = OFF")


CASES: list[tuple[str, Corruption, str]] = [
    (
        "two-sessions-one-date",
        without_unique_dates,
        "2 injection sessions are on the same date, 2026-08-25 (#1, #2)",
    ),
    (
        "sites-over-session",
        sql("UPDATE injection_sites SET units = 150 WHERE id = 1"),
        "Injection session #1 of 2026-08-25: its sites add up to 250 units, "
        "more than the session's 200.",
    ),
    (
        "session-units-zero",
        sql("UPDATE injection_sessions SET units = 0"),
        "Injection session #1 of 2026-08-25 has 0 units; units must be positive.",
    ),
    (
        "site-units-negative",
        sql("UPDATE injection_sites SET units = -5 WHERE id = 2"),
        "Injection site #2 (right lumbar paraspinal) has -5 units; units must be positive.",
    ),
    (
        "units-not-a-number",
        sql("UPDATE injection_sessions SET units = 'lots'"),
        "has units that are not a number ('lots')",
    ),
    (
        "pain-score-11",
        sql("UPDATE pain_entries SET score = 11"),
        "Pain entry #1 of 2026-08-20 has a pain score of 11, not a whole number from 0-10.",
    ),
    (
        "interference-minus-1",
        sql("UPDATE pain_entries SET function = -1"),
        "interference score of -1, not a whole number from 0-10",
    ),
    (
        "pain-score-not-whole",
        sql("UPDATE pain_entries SET score = 5.5"),
        "pain score of 5.5, not a whole number",
    ),
    (
        "resolved-before-start",
        sql("UPDATE side_effects SET resolved_on = '2026-08-01'"),
        "Side effect #1 (headache) of 2026-08-27 is marked resolved on 2026-08-01, "
        "before it started on 2026-08-27.",
    ),
    (
        "unknown-effect-class",
        sql("UPDATE side_effects SET effect_class = 'deadly'"),
        "has an unknown class 'deadly'",
    ),
    (
        "unknown-severity",
        sql("UPDATE side_effects SET severity = 'MILD'"),
        "has an unknown severity 'MILD'",
    ),
    (
        "unknown-appointment-status",
        sql("UPDATE appointments SET status = 'maybe'"),
        "Appointment #1 of 2027-02-23 has an unknown status 'maybe'",
    ),
    (
        "unknown-product",
        sql("UPDATE injection_sessions SET product = 'snake oil'"),
        "has an unknown product 'snake oil'",
    ),
    (
        "appointment-time",
        sql("UPDATE appointments SET time = '25:00'"),
        "Appointment #1 of 2027-02-23 has a time that is not HH:MM ('25:00').",
    ),
    (
        "appointment-time-short",
        sql("UPDATE appointments SET time = '9:30'"),
        "has a time that is not HH:MM ('9:30')",
    ),
    (
        "orphan-site",
        sql(
            "INSERT INTO injection_sites (session_id, position, muscle, units) "
            "VALUES (99, 0, 'gluteus medius', 10)"
        ),
        "Injection site #3 (gluteus medius) belongs to injection session #99, "
        "which does not exist.",
    ),
    (
        "pain-in-the-future",
        sql("UPDATE pain_entries SET date = '2027-01-01'"),
        "Pain entry #1 of 2027-01-01 is dated in the future (after today, 2026-11-25).",
    ),
    (
        "session-in-the-future",
        sql("UPDATE injection_sessions SET date = '2026-11-26'"),
        "Injection session #1 of 2026-11-26 is dated in the future",
    ),
    (
        "resolved-in-the-future",
        sql("UPDATE side_effects SET resolved_on = '2026-12-01'"),
        "is marked resolved on 2026-12-01, which is dated in the future",
    ),
    (
        "not-a-date",
        sql("UPDATE pain_entries SET date = '2026-02-30'"),
        "Pain entry #1 has a date that is not a date ('2026-02-30').",
    ),
    (
        "treatment-interval-25m",
        sql("UPDATE treatments SET every = '25m'"),
        "Treatment #1 has '25m' as the interval between injections, not one like 28d, 12w, "
        "3m or 1y from 1 day to 2 years.",
    ),
    (
        "treatment-window-negative",
        sql("UPDATE treatments SET within_days = -3"),
        "Treatment #1 has -3 reminder days, not a whole number from 0 to 365.",
    ),
    (
        "treatment-name-empty",
        sql("UPDATE treatments SET name = '  '"),
        "Treatment #1 has no usable name ('  ').",
    ),
    (
        "treatment-product-empty",
        sql("UPDATE treatments SET product = ''"),
        "Treatment #1 has no usable product ('').",
    ),
    (
        "treatment-sites-twice",
        sql("UPDATE treatments SET sites = 'left thigh, Left Thigh'"),
        "Treatment #1 has an unusable list of sites: the site 'Left Thigh' is listed twice",
    ),
    (
        "treatment-names-twice",
        sql(
            "INSERT INTO treatments (patient_id, name, product, every, within_days) "
            "VALUES (1, 'BO TOX', 'botox', '3m', 14)"
        ),
        "Treatment #2 is called 'BO TOX', as treatment #1 is (case and spaces aside); "
        "names are unique per patient.",
    ),
    (
        "session-of-another-patients-treatment",
        sql(
            "INSERT INTO patients (name, uuid) VALUES ('Other', 'u-2')",
            "INSERT INTO treatments (patient_id, name, product, every, within_days) "
            "VALUES (2, 'botox', 'botox', '3m', 14)",
            "UPDATE injection_sessions SET treatment_id = 2",
        ),
        "Injection session #1 of 2026-08-25 belongs to treatment #2, which is not one of "
        "this patient's treatments.",
    ),
    (
        "damaged-index",
        index_out_of_step,
        "The database file is damaged; SQLite's integrity check says:",
    ),
]


@pytest.mark.parametrize(
    ("change", "expected"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_a_broken_rule_is_named_and_exits_1(clean_copy, change, expected):
    sqlite_path = clean_copy
    tracker = Tracker(str(sqlite_path))
    corrupt(sqlite_path, change)

    result = tracker("check")

    assert result.exit_code == 1, (result.stdout, result.stderr)
    assert expected in result.stdout, result.stdout
    assert result.stdout.startswith(f"Found 1 problem in {sqlite_path}:") or (
        "damaged" in expected and result.stdout.startswith("Found ")
    ), result.stdout
    report = _json_check(tracker)
    assert report["ok"] is False and any(expected in p for p in report["problems"])


def _fill(tracker: Tracker) -> None:
    """One session with two sites, a diary entry, a resolved side effect, a booking."""
    tracker.ok(
        "log",
        "2026-08-25",
        "--units",
        "200",
        "--site",
        "left lumbar paraspinal:100",
        "--site",
        "right lumbar paraspinal:100",
    )
    tracker.ok("pain", "6", "--date", "2026-08-20", "--function", "5")
    tracker.ok("effect", "headache", "--date", "2026-08-27")
    tracker.ok("effect", "resolve", "1", "--date", "2026-08-29")
    tracker.ok("book", "2027-02-23", "--time", "09:30")


def _json_check(tracker: Tracker) -> dict:
    result = tracker("check", "--json")
    assert result.exit_code == 1
    return json.loads(result.stdout)


def test_a_clean_database_has_no_problems(patient):
    result = patient.ok("check")
    assert result.stdout.startswith("No problems found")
    assert patient.json("check") == {"ok": True, "problems": []}


def test_an_empty_database_has_no_problems(tracker):
    tracker.ok("patients", "add", "Ann")  # creates the database (reading commands never do)
    assert "No problems found" in tracker.ok("check").stdout


def test_a_missing_database_is_an_error_and_is_not_created(sqlite_tracker, sqlite_path):
    assert "there is no database" in sqlite_tracker.fails("check").stderr
    assert not sqlite_path.exists()


def test_several_problems_are_all_listed(clean_copy):
    sqlite_path = clean_copy
    tracker = Tracker(str(sqlite_path))
    corrupt(
        sqlite_path,
        sql(
            "UPDATE pain_entries SET score = 11",
            "UPDATE side_effects SET resolved_on = '2026-08-01'",
            "UPDATE appointments SET status = 'maybe'",
        ),
    )
    result = tracker("check")
    assert result.exit_code == 1
    assert result.stdout.startswith(f"Found 3 problems in {sqlite_path}:")
    assert len([line for line in result.stdout.splitlines() if line.startswith("  - ")]) == 3


def test_on_postgresql_the_rules_are_checked_and_the_file_checks_skipped(pg_url):
    patient = Tracker(pg_url)
    _fill(patient)
    assert "do not apply" in patient.ok("check").stdout
    engine = create_engine(to_url(pg_url))
    with engine.begin() as connection:
        connection.execute(text("UPDATE pain_entries SET score = 11"))
        connection.execute(text("UPDATE side_effects SET resolved_on = '2026-08-01'"))
    engine.dispose()
    result = patient("check")
    assert result.exit_code == 1
    assert "pain score of 11" in result.stdout and "do not apply" in result.stdout
    assert "before it started on 2026-08-27" in result.stdout


def test_a_database_that_cannot_be_checked_is_an_error_not_a_finding(sqlite_path):
    tracker = Tracker(str(sqlite_path))
    tracker.ok("pain", "3")
    with sqlite3.connect(sqlite_path) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999_future'")
    connection.close()
    tracker.fails("check")


def test_the_rules_read_dates_as_postgresql_and_sqlite_return_them():
    """Pure functions: a date object and ISO text are the same date; other text is not."""
    rows = [
        invariants.SessionRow(1, date(2026, 8, 25), "botox", 200.0),
        invariants.SessionRow(2, "2026-08-25", "botox", 100),
        invariants.SessionRow(3, "25/08/2026", "botox", True),
    ]
    records = invariants.Records(sessions=rows)
    problems = invariants.find_problems(records, date(2026, 11, 25))
    assert problems == [
        "Injection session #3 has a date that is not a date ('25/08/2026').",
        "2 injection sessions are on the same date, 2026-08-25 (#1, #2); "
        "tracker keeps one session a day.",
        "Injection session #3 has units that are not a number (True).",
    ]
    assert invariants.find_problems(invariants.Records(), date(2026, 11, 25)) == []
