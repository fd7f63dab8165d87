"""Many writers at once, and processes killed mid-write: SQLite, real processes.

- Eight processes write at the same time; every write lands, none fails.
- A large import killed with SIGKILL leaves the database as before or complete.
- An upgrade killed with SIGKILL leaves the old revision or the new one, with
  every row either way, and a database `tracker check` passes.
"""

from __future__ import annotations

import glob
import hashlib
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.conftest import TODAY, Tracker, create_database
from tests.integration.test_migration_data import make_database_at
from tracker.store import schema

PROCESSES = 8
EACH = 50
# Big enough that each import still runs when it is killed (up to ~5 s after the
# start): a streamed import reads 100,000 records in about a second.
IMPORTED_PAIN = 1_000_000
# Each writer runs the real CLI in-process, 2 x EACH times (starting 800 Python
# processes would test Python's start-up, not tracker).
WRITER = """
import sys
from tracker.cli import cli
db, each, name = sys.argv[1], int(sys.argv[2]), sys.argv[3]
for number in range(each):
    for args in (["pain", str(number % 11), "--note", f"{name} {number}"],
                 ["effect", f"headache from {name} {number}"]):
        code = cli.main(["--db", db, *args], standalone_mode=False)
        if code not in (0, None):
            sys.exit(f"{name}: {args} exited {code}")
"""
RUN_TRACKER = "from tracker.cli import main; main()"
ENV = {**os.environ, "TRACKER_TODAY": TODAY}


def tracker_process(*args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", RUN_TRACKER, *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=ENV,
    )


def count(path: Path, table: str) -> int:
    # A normal connection: it recovers what a killed process left, as tracker would.
    with sqlite3.connect(path) as connection:
        value = connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    connection.close()
    return value


def kill(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)


def wait_for(condition, process: subprocess.Popen, timeout: float = 15) -> bool:
    """Poll until ``condition()``; False if the process ended first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        if process.poll() is not None:
            return False
        time.sleep(0.002)
    raise AssertionError("timed out waiting")


# --- (a) many writers at once --------------------------------------------------


@pytest.fixture
def memory_backed_path(tmp_path: Path) -> Iterator[Path]:
    """A database on tmpfs when there is one: the writers then wait for each other's
    locks, not for the disk, and the test stays quick. Locking works the same."""
    shm = Path("/dev/shm")
    if not (shm.is_dir() and os.access(shm, os.W_OK)):
        yield tmp_path / "data" / "tracker.db"
        return
    folder = Path(tempfile.mkdtemp(prefix="tracker-test-", dir=shm))
    try:
        yield folder / "tracker.db"
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_eight_processes_writing_at_once_lose_nothing(memory_backed_path):
    sqlite_path = memory_backed_path
    create_database(str(sqlite_path))  # the database exists; the writers only write
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(sqlite_path), str(EACH), f"writer{n}"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=ENV,
        )
        for n in range(PROCESSES)
    ]
    outputs = [writer.communicate(timeout=120) for writer in writers]

    assert [writer.returncode for writer in writers] == [0] * PROCESSES, outputs
    errors = "".join(err for _, err in outputs)
    assert "locked" not in errors and "Error" not in errors, errors
    assert count(sqlite_path, "pain_entries") == PROCESSES * EACH
    assert count(sqlite_path, "side_effects") == PROCESSES * EACH
    with sqlite3.connect(sqlite_path) as connection:
        notes = {row[0] for row in connection.execute("SELECT note FROM pain_entries")}
    connection.close()
    assert notes == {f"writer{n} {i}" for n in range(PROCESSES) for i in range(EACH)}
    Tracker(str(sqlite_path)).ok("check")


# --- (b) SIGKILL during a large import ----------------------------------------


@pytest.fixture(scope="module")
def large_export(tmp_path_factory) -> Path:
    """A JSON export of IMPORTED_PAIN diary entries, made by tracker export."""
    folder = tmp_path_factory.mktemp("large")
    source = folder / "source.db"
    create_database(str(source))  # head schema, made by tracker
    # 25 entries a day from 1900 end in 2009: every one is a valid past date on
    # TODAY, so a kill that lands late meets a running import, never a refusal.
    first = date(1900, 1, 1)
    rows = [
        (
            (first + timedelta(days=i // 25)).isoformat(),
            i % 11,
            None if i % 3 else i % 11,
            None if i % 2 else f"entry {i}",
        )
        for i in range(IMPORTED_PAIN)
    ]
    with sqlite3.connect(source) as connection:
        connection.executemany(
            "INSERT INTO pain_entries (patient_id, date, score, function, note) "
            "VALUES (1, ?, ?, ?, ?)",
            rows,
        )
    connection.close()
    export = folder / "large.json"
    Tracker(str(source)).ok("export", "--format", "json", "-o", str(export))
    return export


def _in_a_transaction(db: Path) -> bool:
    """True while another process holds the write lock: the import's transaction is open."""
    if not db.exists():
        return False
    connection = sqlite3.connect(db, timeout=0)
    try:
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError:
        return True
    finally:
        connection.close()


def _spilling(db: Path) -> bool:
    """True once the uncommitted import no longer fits in memory and reaches the -wal."""
    wal = Path(f"{db}-wal")
    return wal.exists() and wal.stat().st_size > 0


def test_a_large_import_killed_midway_leaves_nothing_or_everything(large_export, tmp_path):
    """Three imports run at once, each into a fresh database, each killed at another
    stage: early (reading the file, creating the database), inside the transaction
    while rows are being built, and once uncommitted rows are in the -wal."""
    chance = random.Random(os.environ.get("TRACKER_TEST_SEED", time.time_ns()))
    stages: list[tuple[str, Callable[[Path], bool], float]] = [
        ("early", lambda db: True, chance.uniform(0.1, 2.5)),
        ("in the transaction", _in_a_transaction, chance.uniform(0.0, 2.0)),
        ("writing the -wal", _spilling, chance.uniform(0.0, 0.3)),
    ]
    imports = []
    for number, (stage, _, _) in enumerate(stages):
        db = tmp_path / f"import{number}" / "tracker.db"
        db.parent.mkdir()  # tracker creates a file the user names, never its folder
        imports.append((stage, db, tracker_process("--db", str(db), "import", str(large_export))))

    outcomes = {}
    for (stage, reached, delay), (_, db, process) in zip(stages, imports, strict=True):
        reached_it = wait_for(lambda db=db, reached=reached: reached(db), process, timeout=60)
        time.sleep(delay)
        was_running = process.poll() is None
        kill(process)
        entries = count(db, "pain_entries") if db.exists() else 0
        assert entries in (0, IMPORTED_PAIN), f"killed {stage}: {entries} entries"
        outcomes[stage] = (reached_it and was_running, entries)
        if db.exists():
            assert count(db, "injection_sessions") == 0
            Tracker(str(db)).ok("check")  # sound, and usable at once
    # The test only means something if the kills landed mid-import.
    assert outcomes["writing the -wal"][0] or outcomes["in the transaction"][0], outcomes


# --- (c) SIGKILL during an upgrade --------------------------------------------


def _old_database(path: Path, sessions: int) -> None:
    """Revision 0001 (made by Alembic) with many sessions, two sites each, and a plan."""
    make_database_at(path, "0001").dispose()
    first = date(1990, 1, 1)
    with sqlite3.connect(path) as connection:
        connection.executemany(
            "INSERT INTO injection_sessions (id, date, product, units, provider, note) "
            "VALUES (?, ?, 'botox', 200, 'Dr Lee', ?)",
            [
                (i, (first + timedelta(days=i)).isoformat(), f"visit {i}")
                for i in range(1, sessions)
            ],
        )
        connection.executemany(
            "INSERT INTO injection_sites (session_id, position, muscle, units) "
            "VALUES (?, ?, ?, 100)",
            [
                (i, side, f"{name} lumbar paraspinal")
                for i in range(1, sessions)
                for side, name in ((0, "left"), (1, "right"))
            ],
        )
        connection.execute("INSERT INTO plan VALUES (1, 3, 14, 'Sam Patient')")
    connection.close()


def _contents(path: Path) -> tuple[str | None, str]:
    """The revision and a digest of every row of the tables revision 0001 has."""
    digest = hashlib.sha256()
    with sqlite3.connect(path) as connection:
        revision = connection.execute("SELECT version_num FROM alembic_version").fetchone()[0]
        treatments = connection.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'treatments'"
        ).fetchone()
        if revision == "0001":
            plan = "SELECT every_months, within_days, patient_name FROM plan"
        elif treatments is None:
            # Migration 0005 moves the one plan into the first patient.
            plan = "SELECT every_months, within_days, name FROM patients WHERE id = 1"
        else:
            # Migration 0008 moves it into their one treatment, "3m" for 3 months.
            plan = (
                "SELECT CAST(REPLACE(every, 'm', '') AS INTEGER), within_days, patients.name "
                "FROM treatments JOIN patients ON patients.id = treatments.patient_id "
                "WHERE patients.id = 1"
            )
        for query in (
            "SELECT id, date, product, units, provider, lot, note FROM injection_sessions "
            "ORDER BY id",
            "SELECT id, session_id, position, muscle, units FROM injection_sites ORDER BY id",
            plan,
        ):
            for row in connection.execute(query):
                digest.update(repr(tuple(row)).encode())
    connection.close()
    return revision, digest.hexdigest()


def test_an_upgrade_killed_midway_leaves_the_old_or_the_new_revision(tmp_path):
    original = tmp_path / "original.db"
    _old_database(original, sessions=1_500)
    old_revision, rows = _contents(original)
    assert old_revision == "0001"
    chance = random.Random(os.environ.get("TRACKER_TEST_SEED", time.time_ns()))

    # Once uninterrupted, to know how long an upgrade takes here.
    started = time.monotonic()
    complete = _upgrade_copy(original, tmp_path / "complete")
    process = tracker_process("--db", str(complete), "due")
    assert process.wait(timeout=30) == 0, process.stderr.read() if process.stderr else ""
    duration = time.monotonic() - started
    assert _contents(complete) == (schema.HEAD_REVISION, rows)

    outcomes = []
    for attempt in range(6):
        db = _upgrade_copy(original, tmp_path / f"attempt{attempt}")
        process = tracker_process("--db", str(db), "due")
        if attempt % 2:
            # Right after the copy kept before the upgrade appears: inside the migration.
            pattern = f"{glob.escape(str(db))}.before-upgrade-*"
            wait_for(lambda pattern=pattern: bool(glob.glob(pattern)), process)
            time.sleep(chance.uniform(0.0, 0.05))
        else:
            time.sleep(chance.uniform(0.1, 1.0) * duration)
        kill(process)
        revision, after = _contents(db)
        assert revision in (old_revision, schema.HEAD_REVISION), revision
        assert after == rows, f"attempt {attempt}: rows changed at revision {revision}"
        outcomes.append(revision)
        Tracker(str(db)).ok("check")
        assert _contents(db) == (schema.HEAD_REVISION, rows)
    assert old_revision in outcomes  # at least some kills landed before the commit


def _upgrade_copy(original: Path, folder: Path) -> Path:
    folder.mkdir()
    copy = folder / "tracker.db"
    copy.write_bytes(original.read_bytes())
    return copy
