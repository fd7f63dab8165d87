"""Restore while others write: every write reported saved survives (issue 13, point 4).

Three processes write diary entries in a loop while a fourth restores a
backup again and again. A write that exited 0 must be in the final database
or in one of the copies restore kept (``tracker.db.before-restore-*``).
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

from tests.conftest import TODAY, Tracker
from tests.integration.test_crash_and_concurrency import memory_backed_path  # noqa: F401

WRITERS = 3
RESTORES = 6
# Rows in the backup: enough that each restore takes a noticeable moment to copy.
BACKUP_ROWS = 150_000
# Each writer runs the real CLI in-process until told to stop, and prints the note
# of every write that exited 0: those are the acknowledged ones.
WRITER = """
import sys, os, time
from tracker.cli import cli
db, name, stop = sys.argv[1], sys.argv[2], sys.argv[3]
number = 0
deadline = time.monotonic() + 50
while not os.path.exists(stop) and time.monotonic() < deadline:
    note = f"{name} {number}"
    code = cli.main(["--db", db, "pain", "3", "--note", note], standalone_mode=False)
    if code in (0, None):
        print("ACK", note, flush=True)
    number += 1
"""
RESTORER = """
import sys
from tracker.cli import cli
db, backup, stop, times = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
codes = [cli.main(["--db", db, "restore", backup, "--yes"], standalone_mode=False)
         for _ in range(times)]
open(stop, "w").close()
print([code in (0, None) for code in codes])
"""
ENV = {**os.environ, "TRACKER_TODAY": TODAY}


def _notes(path: Path) -> set[str]:
    with sqlite3.connect(path) as connection:
        notes = {row[0] for row in connection.execute("SELECT note FROM pain_entries")}
    connection.close()
    return notes


def test_every_acknowledged_write_survives_repeated_restores(memory_backed_path):  # noqa: F811
    database = memory_backed_path
    tracker = Tracker(str(database))
    tracker.ok("pain", "1", "--note", "before the backup")
    backup = database.with_name("saved.db")
    tracker.ok("backup", str(backup))
    first = date(2000, 1, 1)
    with sqlite3.connect(backup) as connection:
        connection.executemany(
            "INSERT INTO pain_entries (patient_id, date, score, note) VALUES (1, ?, 5, 'old')",
            [((first + timedelta(days=i // 20)).isoformat(),) for i in range(BACKUP_ROWS)],
        )
    connection.close()
    stop = database.with_name("stop")

    started = time.monotonic()
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(database), f"writer{n}", str(stop)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=ENV,
        )
        for n in range(WRITERS)
    ]
    restorer = subprocess.run(
        [sys.executable, "-c", RESTORER, str(database), str(backup), str(stop), str(RESTORES)],
        capture_output=True,
        text=True,
        env=ENV,
        timeout=120,
        check=False,
    )
    outputs = [writer.communicate(timeout=120) for writer in writers]
    elapsed = time.monotonic() - started

    last_line = restorer.stdout.strip().splitlines()[-1]
    assert last_line == str([True] * RESTORES), (restorer.stdout, restorer.stderr)
    acknowledged = {
        line.removeprefix("ACK ")
        for out, _ in outputs
        for line in out.splitlines()
        if line.startswith("ACK ")
    }
    assert len(acknowledged) >= WRITERS, outputs  # the writers did write meanwhile
    kept = sorted(database.parent.glob(f"{database.name}.before-restore-*"))
    assert len(kept) == RESTORES
    found = _notes(database).union(*(_notes(copy) for copy in kept))
    assert acknowledged - found == set()
    assert elapsed < 60, elapsed
    tracker.ok("check")
