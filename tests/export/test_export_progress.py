"""The installed `tracker export`, as people run it: a progress bar on a terminal for
`--all` and for a patient with a very long history, nothing extra anywhere else, and a
quiet stop when the reader goes away."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.conftest import Tracker

TRACKER = str(Path(sys.executable).parent / "tracker")


@pytest.fixture
def two_patients(sqlite_tracker: Tracker) -> Tracker:
    sqlite_tracker.ok("log", "2026-08-25", "--units", "200")
    sqlite_tracker.ok("pain", "3", "--date", "2026-09-20")
    sqlite_tracker.ok("patients", "add", "Mum")
    sqlite_tracker.ok("--patient", "Mum", "pain", "5", "--date", "2026-10-01")
    return sqlite_tracker


def environment(tracker: Tracker) -> dict[str, str]:
    env = {**os.environ, "TRACKER_DB": tracker.db, "TRACKER_TODAY": tracker.today}
    env.pop("TRACKER_PATIENT", None)
    return env


def on_a_terminal(tracker: Tracker, *args: str, stdout_too: bool = False) -> tuple[int, bytes]:
    """Runs tracker with stderr (and stdout_too) on a pseudo-terminal; what it showed there."""
    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        [TRACKER, *args],
        stdout=terminal if stdout_too else subprocess.DEVNULL,
        stderr=terminal,
        env=environment(tracker),
    )
    os.close(terminal)  # the child holds it now; reading ends when the child is done
    shown = bytearray()
    try:
        while chunk := _read(controller):
            shown += chunk
    finally:
        os.close(controller)
    return process.wait(timeout=60), bytes(shown)


def _read(controller: int) -> bytes:
    try:
        return os.read(controller, 65536)
    except OSError:  # EIO: the terminal's other end was closed
        return b""


def test_all_shows_a_progress_bar_on_a_terminal(two_patients, tmp_path):
    target = tmp_path / "clinic.json"
    code, shown = on_a_terminal(two_patients, "export", "--all", "-o", str(target), stdout_too=True)
    assert code == 0, shown
    assert b"Exporting 2 patients" in shown
    assert b"100%" in shown
    assert len(json.loads(target.read_bytes())["patients"]) == 2
    # The summary comes after the finished bar, on a line of its own.
    last_line = shown.replace(b"\r", b"\n").strip().splitlines()[-1]
    assert last_line.startswith(b"Wrote "), shown


def test_one_patient_is_counted_in_the_singular(sqlite_tracker, tmp_path):
    sqlite_tracker.ok("pain", "4", "--date", "2026-11-01")
    code, shown = on_a_terminal(sqlite_tracker, "export", "--all", "-o", str(tmp_path / "c.csv"))
    assert code == 0, shown
    assert b"Exporting 1 patient " in shown


def test_without_a_terminal_there_is_no_bar(two_patients, tmp_path):
    target = tmp_path / "clinic.csv"
    done = subprocess.run(
        [TRACKER, "export", "--all", "-o", str(target)],
        capture_output=True,
        env=environment(two_patients),
        timeout=60,
    )
    assert done.returncode == 0
    assert done.stderr == b""
    assert done.stdout == f"Wrote {target} (CSV, {target.stat().st_size:,} bytes).\n".encode()


def test_no_bar_for_one_patient_or_over_data_on_the_screen(two_patients, tmp_path):
    # One patient's export takes well under a second.
    code, shown = on_a_terminal(
        two_patients, "--patient", "Mum", "export", "-o", str(tmp_path / "one.json")
    )
    assert (code, shown) == (0, b"")
    # The data itself scrolls past on the screen; a bar would be mixed into it.
    code, shown = on_a_terminal(two_patients, "export", "--all", "--format", "csv", stdout_too=True)
    assert code == 0
    assert b"Exporting" not in shown and b"patient,type,id" in shown


def test_a_reader_that_stops_early_stops_the_export_quietly(sqlite_tracker, tmp_path):
    """`tracker export --all | head`: no traceback, the shell's status for a closed pipe."""
    history = tmp_path / "history.json"
    history.write_text(json.dumps(history_with_pain_entries(6000)))
    sqlite_tracker.ok("import", str(history))
    process = subprocess.Popen(
        [TRACKER, "export", "--all", "--format", "csv"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=environment(sqlite_tracker),
    )
    assert process.stdout is not None and process.stderr is not None
    assert process.stdout.read(100).startswith(b"patient,type,id")
    process.stdout.close()
    assert process.wait(timeout=60) == 141
    assert process.stderr.read() == b""


def history_with_pain_entries(count: int) -> dict[str, object]:
    """A JSON export holding ``count`` pain entries (big enough to fill a pipe)."""
    start = date(2010, 1, 1)
    return {
        "format": "tracker",
        "version": 1,
        "generated_at": "2026-11-25",
        "since": None,
        "until": None,
        "patient": {"name": "Big History"},
        "plan": {"every_months": 3, "within_days": 14},
        "injections": [],
        "pain": [
            {
                "id": number + 1,
                "date": (start + timedelta(days=number)).isoformat(),
                "score": number % 11,
                "function": None,
                "note": "a note long enough to make the rows a realistic size",
            }
            for number in range(count)
        ],
        "effects": [],
        "appointments": [],
    }


def test_a_very_long_history_shows_a_bar_too(sqlite_tracker, tmp_path):
    from tracker.cli.transfer import LONG_EXPORT_RECORDS

    document = json.loads(sqlite_tracker.ok("export").stdout)
    first = date(1950, 1, 1)  # four a day: 100,000 entries reach 2018
    document["pain"] = [
        {"id": n + 1, "date": (first + timedelta(days=n // 4)).isoformat(), "score": n % 11,
         "function": None, "note": None}
        for n in range(LONG_EXPORT_RECORDS)
    ]  # fmt: skip
    source = tmp_path / "long.json"
    source.write_text(json.dumps(document))
    sqlite_tracker.ok("import", str(source))

    target = tmp_path / "long.csv"
    code, shown = on_a_terminal(sqlite_tracker, "export", "-o", str(target), stdout_too=True)
    assert code == 0, shown
    assert f"Exporting {LONG_EXPORT_RECORDS:,} records".encode() in shown
    assert b"100%" in shown
    assert shown.replace(b"\r", b"\n").strip().splitlines()[-1].startswith(b"Wrote ")
