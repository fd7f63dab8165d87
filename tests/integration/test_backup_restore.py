"""tracker backup, tracker restore, the copy kept before an upgrade, and private files."""

from __future__ import annotations

import json
import os
import pty
import re
import sqlite3
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import TODAY, Tracker, _postgres_database
from tests.integration.test_migration_data import fill, make_database_at
from tracker.store import schema

STAMP = r"[0-9]{8}-[0-9]{6}"
RUN_TRACKER = "from tracker.cli import main; main()"
# Commits ten diary rows, then dies holding the database open: they are only in the -wal.
KILLED_WRITER = """
import os, signal, sqlite3, sys
connection = sqlite3.connect(sys.argv[1])
for _ in range(10):
    connection.execute("INSERT INTO pain_entries (patient_id, date, score) "
                       "VALUES (1, '2026-11-25', 3)")
    connection.commit()
os.kill(os.getpid(), signal.SIGKILL)
"""
# Writes rows through the real CLI in a loop until the file STOP appears.
WRITER = """
import sys
from pathlib import Path
from tracker.cli import cli
db, stop = sys.argv[1], Path(sys.argv[2])
count = 0
while not stop.exists():
    code = cli.main(["--db", db, "pain", "4"], standalone_mode=False)
    assert code in (0, None), code
    count += 1
print(count)
"""


@pytest.fixture
def pg_url() -> Iterator[str]:
    yield from _postgres_database(str(os.getpid()))


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def rows(path: Path, table: str) -> int:
    with sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True) as connection:
        count = connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    connection.close()
    return count


def revision(path: Path) -> str:
    with sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True) as connection:
        value = connection.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    connection.close()
    return value


def integrity(path: Path) -> str:
    with sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True) as connection:
        value = connection.execute("PRAGMA integrity_check").fetchone()[0]
    connection.close()
    return value


def folder_state(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


@pytest.fixture
def recorded(sqlite_tracker: Tracker) -> Tracker:
    sqlite_tracker.ok("log", "2026-08-25", "--units", "200", "--site", "left lumbar:100")
    sqlite_tracker.ok("pain", "6", "--date", "2026-08-20")
    sqlite_tracker.ok("effect", "headache", "--date", "2026-08-27")
    sqlite_tracker.ok("book", "2027-02-23", "--time", "09:30")
    return sqlite_tracker


# --- backup -------------------------------------------------------------------


def test_backup_writes_a_dated_owner_only_copy_beside_the_database(recorded, sqlite_path):
    result = recorded.ok("backup")
    (copy,) = sqlite_path.parent.glob("tracker-backup-*.db")
    assert re.fullmatch(f"tracker-backup-{STAMP}.db", copy.name)
    assert f"Backed up {sqlite_path} to {copy} (" in result.stdout
    assert mode(copy) == 0o600
    assert integrity(copy) == "ok"
    assert not list(sqlite_path.parent.glob("*.tmp"))
    # A self-contained file: it does not need a -wal beside it.
    assert copy.read_bytes()[18:20] == b"\x01\x01"
    assert Tracker(str(copy)).json("history") == recorded.json("history")


def test_backup_to_a_named_file_or_folder(recorded, tmp_path):
    named = tmp_path / "usb" / "mine.db"
    named.parent.mkdir()
    named.write_text("an older backup, replaced whole")
    recorded.ok("backup", str(named))
    assert rows(named, "pain_entries") == 1 and mode(named) == 0o600
    recorded.ok("backup", str(tmp_path / "usb"))
    assert len(list((tmp_path / "usb").glob("tracker-backup-*.db"))) == 1


def test_backup_refuses_to_write_over_the_database(recorded, sqlite_path):
    before = sqlite_path.read_bytes()
    assert "database itself" in recorded.fails("backup", str(sqlite_path)).stderr
    assert "no folder" in recorded.fails("backup", str(sqlite_path.parent / "x" / "y.db")).stderr
    assert sqlite_path.read_bytes() == before


def test_backup_without_a_database_is_a_one_line_error(sqlite_tracker, sqlite_path):
    assert "nothing to back up" in sqlite_tracker.fails("backup").stderr
    assert not sqlite_path.exists()


def test_backup_is_consistent_while_other_processes_write(recorded, sqlite_path, tmp_path):
    stop = tmp_path / "stop"
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(sqlite_path), str(stop)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "TRACKER_TODAY": TODAY},
        )
        for _ in range(2)
    ]
    try:
        while rows(sqlite_path, "pain_entries") < 20:
            time.sleep(0.05)
        copies = []
        for number in range(5):
            copy = tmp_path / f"copy{number}.db"
            recorded.ok("backup", str(copy))
            copies.append(copy)
    finally:
        stop.touch()
        outputs = [writer.communicate(timeout=30) for writer in writers]
    assert [writer.returncode for writer in writers] == [0, 0], outputs
    counts = [rows(copy, "pain_entries") for copy in copies]
    assert all(integrity(copy) == "ok" for copy in copies)
    assert counts == sorted(counts) and counts[-1] > counts[0], counts
    written = 1 + sum(int(out.splitlines()[-1]) for out, _ in outputs)
    assert rows(sqlite_path, "pain_entries") == written


def test_backup_on_postgresql_points_to_pg_dump_and_export(pg_url):
    message = Tracker(pg_url).fails("backup").stderr
    assert "pg_dump" in message and "tracker export -o backup.json" in message


# --- restore ------------------------------------------------------------------


def test_restore_brings_back_the_backup_and_keeps_the_current_database(recorded, sqlite_path):
    recorded.ok("backup", str(sqlite_path.parent / "saved.db"))
    saved_history = recorded.json("history")
    recorded.ok("pain", "2")
    recorded.ok("log", "2026-11-24", "--units", "150")

    result = recorded.ok("restore", str(sqlite_path.parent / "saved.db"), "--yes")

    (kept,) = sqlite_path.parent.glob("tracker.db.before-restore-*")
    assert re.fullmatch(f"tracker.db.before-restore-{STAMP}", kept.name)
    assert "1 injection, 1 pain entry, 1 side effect, 1 appointment" in result.stdout
    assert f"Your previous database was kept as {kept}." in result.stdout
    assert mode(kept) == 0o600 and mode(sqlite_path) == 0o600
    assert rows(kept, "pain_entries") == 2 and rows(kept, "injection_sessions") == 2
    assert recorded.json("history") == saved_history
    assert len(recorded.json("diary")) == 1
    recorded.ok("pain", "3")  # the restored database is in use as usual
    recorded.ok("check")


def test_restore_never_gives_a_record_number_out_twice(recorded, sqlite_path):
    """README: record numbers are never given out twice, a restore included: not the
    number of a record undone before the backup, nor one written after it (kept in
    the copy beside the database)."""
    recorded.ok("pain", "8")
    recorded.ok("undo")  # pain entry #2 is gone, its number given out
    recorded.ok("backup", str(sqlite_path.parent / "saved.db"))
    recorded.ok("pain", "4")  # #3, written after the backup: only in the kept copy

    recorded.ok("restore", str(sqlite_path.parent / "saved.db"), "--yes")
    result = recorded.ok("pain", "5", "--json")

    assert json.loads(result.stdout)["id"] == 4
    assert [entry["id"] for entry in recorded.json("diary")] == [1, 4]


def test_restore_leaves_no_stale_wal_to_be_applied_to_the_restored_file(recorded, sqlite_path):
    """A program killed mid-use leaves committed rows only in the -wal: they go into the
    copy kept, and that -wal is never replayed into the restored file."""
    saved = sqlite_path.parent / "saved.db"
    recorded.ok("backup", str(saved))
    subprocess.run([sys.executable, "-c", KILLED_WRITER, str(sqlite_path)], check=False)
    assert Path(f"{sqlite_path}-wal").stat().st_size > 0

    recorded.ok("restore", str(saved), "--yes")

    assert not Path(f"{sqlite_path}-wal").exists()
    assert not Path(f"{sqlite_path}-shm").exists()
    assert rows(sqlite_path, "pain_entries") == 1 and integrity(sqlite_path) == "ok"
    (kept,) = sqlite_path.parent.glob("tracker.db.before-restore-*")
    assert rows(kept, "pain_entries") == 11  # nothing left only in the WAL was lost
    recorded.ok("check")


def test_restore_while_another_program_has_the_database_open(recorded, sqlite_path):
    """The file is never swapped (issue 13, point 4): a program holding the database
    open goes on using the same file, and sees the restored records."""
    saved = sqlite_path.parent / "saved.db"
    recorded.ok("backup", str(saved))
    recorded.ok("pain", "2")
    holder = sqlite3.connect(sqlite_path)
    try:
        assert holder.execute("SELECT count(*) FROM pain_entries").fetchone() == (2,)
        recorded.ok("restore", str(saved), "--yes")
        assert holder.execute("SELECT count(*) FROM pain_entries").fetchone() == (1,)
        holder.execute(
            "INSERT INTO pain_entries (patient_id, date, score) VALUES (1, '2026-11-20', 1)"
        )
        holder.commit()
    finally:
        holder.close()
    (kept,) = sqlite_path.parent.glob("tracker.db.before-restore-*")
    assert rows(kept, "pain_entries") == 2
    assert len(recorded.json("diary")) == 2
    assert integrity(sqlite_path) == "ok"


def test_restore_into_a_place_without_a_database(recorded, sqlite_path, tmp_path, monkeypatch):
    recorded.ok("backup", str(tmp_path / "saved.db"))
    # On a new computer: the default data folder is made (a folder the user names must exist).
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "new"))
    elsewhere = tmp_path / "new" / "tracker" / "tracker.db"
    result = Tracker("").ok("restore", str(tmp_path / "saved.db"), "--yes")
    assert "kept" not in result.stdout
    assert rows(elsewhere, "pain_entries") == 1
    assert mode(elsewhere.parent) == 0o700 and mode(elsewhere.parent.parent) == 0o700


def _corrupt(path: Path, source: Path) -> None:
    data = bytearray(source.read_bytes())
    # Keep the header, scramble the pages holding the schema's tables.
    for offset in range(4096 + 100, min(len(data), 5 * 4096), 7):
        data[offset] = (data[offset] * 31 + 17) % 256
    path.write_bytes(bytes(data))


def _foreign(path: Path, _source: Path) -> None:
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE recipes (name TEXT)")
        connection.execute("INSERT INTO recipes VALUES ('soup')")
    connection.close()


def _newer(path: Path, source: Path) -> None:
    path.write_bytes(source.read_bytes())
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    connection.close()


def _truncated(path: Path, source: Path) -> None:
    path.write_bytes(source.read_bytes()[: 3 * 4096 + 100])


@pytest.mark.parametrize(
    ("make_bad_file", "expected"),
    [
        (_corrupt, "damaged"),
        (_truncated, "damaged"),
        (_foreign, "not a tracker database"),
        (lambda path, _: path.write_bytes(os.urandom(8192)), "not an SQLite file"),
        (lambda path, _: path.write_bytes(b""), "empty file"),
        (_newer, "newer version of tracker"),
        (lambda path, _: None, "there is no file"),
    ],
    ids=["corrupt", "truncated", "foreign-sqlite", "random-bytes", "empty", "newer", "missing"],
)
def test_a_bad_file_is_refused_and_nothing_changes(
    recorded, sqlite_path, tmp_path, make_bad_file, expected
):
    good = tmp_path / "good.db"
    recorded.ok("backup", str(good))
    bad = tmp_path / "bad.db"
    make_bad_file(bad, good)
    bad_before = bad.read_bytes() if bad.exists() else None
    before = folder_state(sqlite_path.parent)
    assert "tracker.db-wal" not in before

    result = recorded.fails("restore", str(bad), "--yes")

    assert expected in result.stderr
    assert folder_state(sqlite_path.parent) == before  # byte for byte, and no copy kept
    assert (bad.read_bytes() if bad.exists() else None) == bad_before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith("bad.db-")]


def test_restore_refuses_the_database_itself(recorded, sqlite_path):
    assert "database itself" in recorded.fails("restore", str(sqlite_path)).stderr


def test_restore_refuses_to_replace_another_programs_database(recorded, tmp_path):
    other = tmp_path / "recipes.db"
    _foreign(other, other)
    before = other.read_bytes()
    recorded.ok("backup", str(tmp_path / "saved.db"))
    result = Tracker(str(other)).fails("restore", str(tmp_path / "saved.db"), "--yes")
    assert "not a tracker database" in result.stderr
    assert other.read_bytes() == before


def test_an_older_backup_is_upgraded_on_next_use_with_a_copy_kept(recorded, sqlite_path, tmp_path):
    old = tmp_path / "old.db"
    engine = make_database_at(old, "0001")
    fill(engine)
    engine.dispose()

    result = recorded.ok("restore", str(old), "--yes")
    assert "upgraded the next time you use it" in result.stdout
    assert revision(sqlite_path) == "0001"

    upgraded = recorded.ok("history")
    assert "Backed up your database to" in upgraded.stderr
    assert revision(sqlite_path) == schema.HEAD_REVISION
    assert [s["date"] for s in recorded.json("history")] == [
        "2025-12-01",
        "2026-03-02",
        "2026-06-01",
    ]


def test_restore_on_postgresql_is_a_one_line_error(pg_url, tmp_path):
    saved = tmp_path / "saved.db"
    Tracker(str(saved)).ok("pain", "3")
    assert "PostgreSQL" in Tracker(pg_url).fails("restore", str(saved), "--yes").stderr


def _restore_on_a_terminal(db: Path, backup: Path, answer: str) -> tuple[int, str]:
    """Runs tracker restore with its stdin on a pseudo-terminal, answering the question."""
    controller, terminal = pty.openpty()
    try:
        process = subprocess.Popen(
            [sys.executable, "-c", RUN_TRACKER, "--db", str(db), "restore", str(backup)],
            stdin=terminal,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        os.write(controller, answer.encode() + b"\n")
        output, _ = process.communicate(timeout=30)
    finally:
        os.close(controller)
        os.close(terminal)
    return process.returncode, output


def test_restore_asks_first_on_a_terminal(recorded, sqlite_path, tmp_path):
    saved = tmp_path / "saved.db"
    recorded.ok("backup", str(saved))
    recorded.ok("pain", "1")
    before = folder_state(sqlite_path.parent)

    code, output = _restore_on_a_terminal(sqlite_path, saved, "n")
    assert code == 1 and "Replace the records in" in output and "Aborted" in output, output
    assert folder_state(sqlite_path.parent) == before

    code, output = _restore_on_a_terminal(sqlite_path, saved, "y")
    assert code == 0 and "Restored" in output, output
    assert rows(sqlite_path, "pain_entries") == 1


# --- the copy kept before an upgrade -------------------------------------------


def test_an_existing_database_is_copied_before_it_is_upgraded(tmp_path):
    path = tmp_path / "data" / "tracker.db"
    engine = make_database_at(path, "0001")
    fill(engine)
    engine.dispose()
    tracker = Tracker(str(path))

    result = tracker.ok("due")

    (copy,) = path.parent.glob("tracker.db.before-upgrade-*")
    assert re.fullmatch(f"tracker.db.before-upgrade-0001-{STAMP}", copy.name)
    assert result.stderr == f"Backed up your database to {copy} before upgrading it.\n"
    assert mode(copy) == 0o600 and integrity(copy) == "ok"
    assert revision(copy) == "0001" and rows(copy, "injection_sessions") == 3
    assert revision(path) == schema.HEAD_REVISION
    assert tracker.ok("due").stderr == ""  # once only
    assert len(list(path.parent.glob("tracker.db.before-upgrade-*"))) == 1


def test_a_new_database_is_not_backed_up_and_nothing_is_said(sqlite_tracker, sqlite_path):
    result = sqlite_tracker.ok("pain", "4")
    assert result.stderr == ""
    assert sorted(p.name for p in sqlite_path.parent.iterdir()) == ["tracker.db"]


def test_a_database_from_a_newer_tracker_is_not_copied(sqlite_tracker, sqlite_path):
    sqlite_tracker.ok("pain", "4")
    with sqlite3.connect(sqlite_path) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999_future'")
    connection.close()
    sqlite_tracker.fails("due")
    assert not list(sqlite_path.parent.glob("*before-upgrade*"))


# --- privacy ------------------------------------------------------------------


def test_every_file_tracker_writes_is_owner_only(tmp_path, monkeypatch):
    """Health records: the database, its -wal/-shm, backups, kept copies and exports."""
    previous_umask = os.umask(0)  # the most permissive user: modes must come from tracker
    try:
        # The default location, whose folders tracker makes (a folder the user names must exist).
        monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "a"))
        db = tmp_path / "a" / "tracker" / "tracker.db"
        tracker = Tracker("")  # an empty TRACKER_DB is the default location
        tracker.ok("pain", "5")
        holder = sqlite3.connect(db)  # keeps -wal and -shm alive to look at them
        try:
            holder.execute("SELECT count(*) FROM pain_entries").fetchone()
            tracker.ok("log", "2026-11-20", "--units", "200")
            tracker.ok("effect", "headache")
            companions = [Path(f"{db}-wal"), Path(f"{db}-shm")]
            assert all(p.exists() for p in companions)
            assert [mode(p) for p in companions] == [0o600, 0o600]
        finally:
            holder.close()
        tracker.ok("backup")
        tracker.ok("backup", str(tmp_path / "named-backup.db"))
        tracker.ok("restore", str(tmp_path / "named-backup.db"), "--yes")
        for name in ("export.json", "export.csv", "export.html", "export.ics"):
            tracker.ok("export", "-o", str(tmp_path / name))
        old = tmp_path / "old" / "tracker.db"
        make_database_at(old, "0001").dispose()
        old.chmod(0o600)
        Tracker(str(old)).ok("due")
    finally:
        os.umask(previous_umask)

    written = [
        *db.parent.iterdir(),
        *old.parent.glob("tracker.db*"),
        tmp_path / "named-backup.db",
        *tmp_path.glob("export.*"),
    ]
    assert len(written) >= 10
    assert {p.name: mode(p) for p in written} == {p.name: 0o600 for p in written}
    assert [mode(db.parent), mode(db.parent.parent)] == [0o700, 0o700]
