"""Output that cannot be written, arguments that are not text, suggestions safe to paste,
and plain refusals of odd dates and units (issue 13, points 8, 9, 15 and 16).

The output tests run the real program in a subprocess: a full or closed standard
output, and bytes that are not UTF-8 in argv and the environment, only exist there.
"""

from __future__ import annotations

import json
import os
import shlex
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import TODAY, Tracker, create_database

RUN_TRACKER = "from tracker.cli import main; main()"
PASTED = "x'; touch PWNED; echo '"


def run(
    db: str,
    *args: str | bytes,
    stdout: int | None = subprocess.PIPE,
    env: dict[str, str] | dict[bytes, bytes] | None = None,
) -> subprocess.CompletedProcess:
    base = {**os.environ, "TRACKER_TODAY": TODAY, "TRACKER_DB": db}
    return subprocess.run(
        [sys.executable, "-c", RUN_TRACKER, *args],
        stdout=stdout,
        stderr=subprocess.PIPE,
        env={**base, **(env or {})},
        timeout=120,
        check=False,
    )


def one_error_line(done: subprocess.CompletedProcess) -> str:
    stderr = done.stderr.decode()
    assert done.returncode != 0, stderr
    assert stderr.startswith("Error: ") and len(stderr.splitlines()) == 1, stderr
    assert "Traceback" not in stderr
    return stderr.strip()


@pytest.fixture
def full(tmp_path: Path) -> Path:
    """A private copy of /dev/full: every write to it fails with "No space left on device"."""
    if os.geteuid() != 0:
        if not stat.S_ISCHR(os.stat("/dev/full").st_mode):
            pytest.skip("/dev/full is not a device here, and making one needs root")
        return Path("/dev/full")
    device = tmp_path / "full"
    os.mknod(device, 0o666 | stat.S_IFCHR, os.makedev(1, 7))
    return device


@pytest.fixture
def filled(db_url: str) -> Tracker:
    tracker = Tracker(db_url)
    tracker.ok("log", "2026-08-25", "--units", "200")
    tracker.ok("pain", "5")
    tracker.ok("effect", "headache")
    return tracker


# --- point 8: a full disk or a closed stream -----------------------------------

READING_COMMANDS = [
    ["due"],
    ["due", "--all"],
    ["history"],
    ["diary"],
    ["review"],
    ["patients"],
    ["changes"],
    ["effects"],
    ["appointments"],
    ["check"],
    ["export", "--format", "json"],
    ["export", "--format", "csv"],
    ["export", "--format", "html"],
    ["export", "--format", "pdf"],
    ["export", "--format", "fhir"],
    ["export", "--format", "ics"],
    ["export", "--all", "--format", "json"],
    ["--help"],
    ["--version"],
]


@pytest.mark.parametrize("command", READING_COMMANDS, ids=" ".join)
def test_output_to_a_full_disk_is_one_error_line(filled, full, command):
    with full.open("wb") as device:
        done = run(filled.db, *command, stdout=device.fileno())
    message = one_error_line(done)
    assert message == "Error: could not write to standard output (No space left on device).", (
        message
    )
    assert done.returncode == 2


@pytest.mark.parametrize(
    "command, stored, listing",
    [
        (["pain", "3"], "the pain entry", "diary"),
        (["log", "2026-11-20", "--units", "100"], "the injection", "history"),
        (["effect", "dry mouth"], "the side effect", "effects"),
        (["book", "2026-12-01"], "the appointment", "appointments"),
        (["patients", "add", "Dad"], "your change", "patients"),
    ],
)
def test_a_stored_record_says_it_was_stored_when_its_output_fails(
    filled, full, command, stored, listing
):
    before = len(filled.json(listing))
    with full.open("wb") as device:
        done = run(filled.db, *command, stdout=device.fileno())
    assert one_error_line(done) == (
        f"Error: could not write to standard output (No space left on device); {stored} was stored."
    )
    assert len(filled.json(listing)) == before + 1  # it really was


def test_a_refused_write_with_a_full_output_does_not_claim_to_have_stored(filled, full):
    with full.open("wb") as device:
        done = run(filled.db, "pain", "11", stdout=device.fileno())
    assert "stored" not in one_error_line(done)


@pytest.mark.parametrize(
    "command",
    [["export", "--format", "json"], ["export", "--all", "--format", "csv"], ["history"], ["due"]],
    ids=" ".join,
)
def test_a_closed_pipe_ends_quietly(filled, command):
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone, as after `| head`
    try:
        done = run(filled.db, *command, stdout=write_end)
    finally:
        os.close(write_end)
    assert done.returncode == 141, done.stderr
    assert done.stderr == b""


# --- point 9: bytes that are not UTF-8 -------------------------------------------


@pytest.mark.parametrize(
    "args, env",
    [
        ([b"--patient", b"Jos\xe9", b"due"], {}),
        ([b"--patient", b"Jos\xe9", b"history"], {}),
        ([b"due"], {b"TRACKER_PATIENT": b"Jos\xe9"}),
        ([b"pain", b"4"], {b"TRACKER_PATIENT": b"Jos\xe9"}),
        ([b"--db", b"r\xe9cords.db", b"due"], {}),
        ([b"history"], {b"TRACKER_DB": b"r\xe9cords.db"}),
        ([b"pain", b"4", b"--note", b"caf\xe9"], {}),
        ([b"patients", b"add", b"Jos\xe9"], {}),
        ([b"demo", b"--db", b"d\xe9mo.db"], {}),
        ([b"due"], {b"TRACKER_TODAY": b"2026-11-2\xe9"}),
    ],
)
def test_bytes_that_are_not_utf8_are_one_error_line(sqlite_path, args, env):
    Tracker(str(sqlite_path)).ok("log", "2026-08-25")
    before = sorted(p.name for p in sqlite_path.parent.iterdir())
    base = {os.fsencode(k): os.fsencode(v) for k, v in os.environ.items()}
    base[b"TRACKER_DB"] = os.fsencode(sqlite_path)
    base[b"TRACKER_TODAY"] = TODAY.encode()
    done = subprocess.run(
        [sys.executable, "-c", RUN_TRACKER, *args],
        capture_output=True,
        env={**base, **env},
        cwd=sqlite_path.parent,
        timeout=120,
        check=False,
    )
    message = one_error_line(done)
    assert done.returncode == 2
    assert "UTF-8" in message or "TRACKER_TODAY" in message, message
    assert sorted(p.name for p in sqlite_path.parent.iterdir()) == before


def test_a_file_name_that_is_not_utf8_is_still_written(sqlite_path):
    """File names may hold such bytes (they exist on disk); messages show them escaped."""
    Tracker(str(sqlite_path)).ok("log", "2026-08-25")
    done = run(str(sqlite_path), b"backup", os.fsencode(sqlite_path.parent) + b"/c\xf6py.db")
    assert done.returncode == 0, done.stderr
    assert (sqlite_path.parent / os.fsdecode(b"c\xf6py.db")).is_file()


# --- point 15: suggested commands are safe to paste --------------------------------


def test_the_suggestion_after_adding_a_patient_is_quoted_for_the_shell(tracker, tmp_path):
    tracker.ok("patients", "add", "First")  # takes the new database's unnamed patient's place
    said = tracker.ok("patients", "add", PASTED).stdout
    suggestion = said.split("Use it with: ", 1)[1].strip()
    assert shlex.split(suggestion) == ["tracker", "--patient", PASTED, "..."]
    assert_harmless_when_pasted(suggestion, tmp_path)
    tracker.ok(*shlex.split(suggestion)[1:-1], "pain", "4")  # and it names the patient


@pytest.mark.parametrize("name", [PASTED, "-rf", "$(touch PWNED)", "a`touch PWNED`b"])
def test_the_suggestion_to_remove_a_patient_with_records_is_quoted(tracker, tmp_path, name):
    tracker.ok("patients", "add", "First")  # takes the new database's unnamed patient's place
    tracker.ok("patients", "add", "--", name)
    tracker.ok("--patient", name, "pain", "4")
    message = tracker.fails("patients", "remove", "--", name, code=2).stderr
    suggestion = message.split("run: ", 1)[1].strip()
    words = shlex.split(suggestion)
    assert words == ["tracker", "patients", "remove", "--with-records", "--", name]
    assert_harmless_when_pasted(suggestion, tmp_path)
    # Running it does what it says (--yes: no terminal here to ask on).
    tracker.ok(*words[1:4], "--yes", *words[4:])
    assert name not in [p["patient"] for p in tracker.json("patients")]


def assert_harmless_when_pasted(suggestion: str, folder: Path) -> None:
    """Paste it into bash with `tracker` replaced by printf: only words come out."""
    done = subprocess.run(
        ["bash", "-c", "printf '%s\\n' " + suggestion.removeprefix("tracker ")],
        cwd=folder,
        capture_output=True,
        text=True,
        check=True,
    )
    assert not (folder / "PWNED").exists(), done.stdout
    assert done.stdout.splitlines() == shlex.split(suggestion)[1:]


def test_the_demo_suggestions_are_quoted(tmp_path):
    db = tmp_path / "it's a demo; $(touch PWNED).db"
    said = Tracker(str(db)).ok("demo").stdout
    for line in said.splitlines():
        if line.strip().startswith("tracker --db"):
            assert shlex.split(line)[:3] == ["tracker", "--db", str(db)]
            assert_harmless_when_pasted(line.strip(), tmp_path)


# --- point 16: dates and units ---------------------------------------------------


@pytest.mark.parametrize("value", ["-1", "12345678901234567890"])
def test_a_number_for_a_date_says_it_is_a_number(tracker, value):
    message = tracker.fails("pain", "3", "--date", value).stderr
    assert "is a number, not a date" in message and "ambiguous" not in message


@pytest.mark.parametrize("units", ["5e-324", "0.001", "0.009"])
def test_units_below_the_minimum_are_refused(tracker, units):
    create_database(tracker.db)  # an empty database: a reading command creates none
    assert "at least 0.01" in tracker.fails("log", "2026-08-25", "--units", units).stderr
    assert "at least 0.01" in tracker.fails("log", "2026-08-25", "--site", f"a:{units}").stderr
    assert tracker.json("history") == []


def test_an_import_with_units_below_the_minimum_is_refused(tracker, tmp_path):
    source = Tracker(str(tmp_path / "source.db"))
    source.ok("log", "2026-08-25", "--units", "200")
    document = json.loads(source.ok("export", "--format", "json").stdout)
    document["injections"][0]["units"] = 5e-324
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps(document))
    assert "at least 0.01" in tracker.fails("import", str(path)).stderr
    assert tracker.json("history") == []
