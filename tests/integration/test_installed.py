"""The installed program, as a user runs it: subprocesses of the console script
and a wheel installed into a fresh virtualenv, away from the source checkout."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from pypdf import PdfReader

ROOT = Path(__file__).resolve().parents[2]


def console_script(venv_bin: Path | None = None) -> str:
    return str((venv_bin or Path(sys.executable).parent) / "tracker")


def run(command: list[str], db: Path, cwd: Path, **env: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, "TRACKER_DB": str(db), "TRACKER_TODAY": "2026-11-25", **env}
    return subprocess.run(
        command, cwd=cwd, env=environment, capture_output=True, text=True, timeout=120
    )


def test_the_console_script_logs_and_reports_due(tmp_path):
    db = tmp_path / "tracker.db"
    logged = run([console_script(), "log", "2026-11-24", "--units", "200"], db, tmp_path)
    assert logged.returncode == 0, logged.stderr
    due = run([console_script(), "due", "--json"], db, tmp_path)
    assert json.loads(due.stdout)["next_due"] == "2027-02-24"
    check = run([console_script(), "due", "--check"], db, tmp_path, TRACKER_TODAY="2027-02-20")
    assert check.returncode == 1
    assert check.stdout.startswith("Next injection due Wed 24 Feb 2027")


def test_the_console_script_never_shows_a_traceback_for_bad_input(tmp_path):
    db = tmp_path / "tracker.db"
    bad = run([console_script(), "log", "03/04/2026"], db, tmp_path)
    assert bad.returncode == 2
    assert bad.stderr.startswith("Error: ") and len(bad.stderr.splitlines()) == 1
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"\x00\x01not sqlite at all" * 50)
    refused = run([console_script(), "due"], garbage, tmp_path)
    assert refused.returncode == 2 and "not a tracker database" in refused.stderr
    assert "Traceback" not in refused.stderr


@pytest.fixture(scope="module")
def wheel_venv(tmp_path_factory) -> Path:
    """A fresh virtualenv with only the built wheel of tracker in it.

    Dependencies come from this test run's own site-packages (through a .pth
    file), so the test needs no network, while tracker itself can only be
    imported from the wheel.
    """
    work = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(work), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = work.glob("tracker-*.whl")
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    site_packages = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    subprocess.run(
        # The new venv's own pip: the test run's pip would uninstall its own tracker.
        [str(python), "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", str(wheel)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    Path(site_packages, "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return venv


def test_a_wheel_in_a_fresh_venv_creates_and_migrates_a_database(wheel_venv, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    db = elsewhere / "data" / "tracker.db"
    db.parent.mkdir()
    where = subprocess.run(
        [
            str(wheel_venv / "bin" / "python"),
            "-c",
            "import tracker.migrations as m, tracker; print(m.__file__); print(tracker.__file__)",
        ],
        cwd=elsewhere,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert all(path.startswith(str(wheel_venv)) for path in where), where
    tracker = console_script(wheel_venv / "bin")
    logged = run([tracker, "log", "2026-11-24", "--units", "200"], db, elsewhere)
    assert logged.returncode == 0, logged.stderr
    assert "Next injection due Wed 24 Feb 2027" in logged.stdout
    history = run([tracker, "history", "--json"], db, elsewhere)
    assert json.loads(history.stdout)[0]["units"] == 200
    named = run([tracker, "plan", "--name", "Zoë Łukasiewicz"], db, elsewhere)
    assert named.returncode == 0, named.stderr
    report = run([tracker, "export", "-o", "report.pdf"], db, elsewhere)
    assert report.returncode == 0, report.stderr
    assert (elsewhere / "report.pdf").read_bytes().startswith(b"%PDF")
    # The font ships in the wheel: the name is drawn exactly.
    assert "Zoë Łukasiewicz" in PdfReader(elsewhere / "report.pdf").pages[0].extract_text()
