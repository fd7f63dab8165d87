"""Calendars as a real calendar program reads them: khal (installed by .ci/run)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import Tracker


@pytest.fixture
def khal(tmp_path: Path):
    if shutil.which("khal") is None:
        if os.environ.get("CI"):
            pytest.fail("khal must be installed in CI (.ci/run installs it)")
        pytest.skip("khal is not installed")
    (tmp_path / "calendar").mkdir()
    config = tmp_path / "khal.conf"
    config.write_text(
        f"[calendars]\n[[injections]]\npath = {tmp_path / 'calendar'}\ntype = calendar\n"
        "[locale]\ntimeformat = %H:%M\ndateformat = %Y-%m-%d\n"
        "longdateformat = %Y-%m-%d\ndatetimeformat = %Y-%m-%d %H:%M\n"
        "longdatetimeformat = %Y-%m-%d %H:%M\n"
        "[default]\ndefault_calendar = injections\n",
        encoding="utf-8",
    )
    env = {**os.environ, "HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path / "data")}

    def run(*args: str) -> str:
        done = subprocess.run(
            ["khal", "-c", str(config), *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    return run


def listed(khal) -> list[str]:
    """Every event from the export's day on: "date title status"."""
    out = khal("list", "2026-11-25", "2027-03-01", "--format", "{start-date} {title} {status}")
    return [line.strip() for line in out.splitlines() if line[:4].isdigit()]


def export_ics(tracker: Tracker, name: str, folder: Path) -> Path:
    path = folder / f"{name}.ics"
    tracker.ok("--patient", name, "export", "-o", str(path))
    return path


def test_two_patients_calendars_in_one_khal_calendar_keep_both_due_dates(
    sqlite_tracker: Tracker, khal, tmp_path: Path
) -> None:
    for name, day in (("Mum", "2026-09-01"), ("Dad", "2026-09-10")):
        sqlite_tracker.ok("patients", "add", name)
        sqlite_tracker.ok("--patient", name, "log", day, "--units", "200")
    for name in ("Mum", "Dad"):
        khal("import", "--batch", str(export_ics(sqlite_tracker, name, tmp_path)))

    assert listed(khal) == [
        "2026-12-01 Mum: Injection due (Botox)",
        "2026-12-10 Dad: Injection due (Botox)",
    ]


def test_a_cancelled_appointment_is_marked_cancelled_after_re_import(
    sqlite_tracker: Tracker, khal, tmp_path: Path
) -> None:
    sqlite_tracker.ok("plan", "--name", "Mum")
    sqlite_tracker.ok("log", "2026-09-01", "--units", "200")
    sqlite_tracker.ok("book", "2026-12-03", "--time", "09:30", "--provider", "Dr Lee")
    khal("import", "--batch", str(export_ics(sqlite_tracker, "Mum", tmp_path)))
    assert "2026-12-03 Mum: Injection appointment with Dr Lee CONFIRMED" in listed(khal)

    sqlite_tracker.ok("cancel", "1")
    khal("import", "--batch", str(export_ics(sqlite_tracker, "Mum", tmp_path)))

    assert listed(khal) == [
        "2026-12-01 Mum: Injection due (Botox)",
        "2026-12-03 Mum: Cancelled: Injection appointment with Dr Lee CANCELLED",
    ]


def test_an_overdue_due_date_moves_to_the_day_of_the_new_export(
    sqlite_tracker: Tracker, khal, tmp_path: Path
) -> None:
    sqlite_tracker.ok("plan", "--name", "Mum")
    sqlite_tracker.ok("log", "2026-08-20", "--units", "200")  # due 2026-11-20
    khal("import", "--batch", str(export_ics(sqlite_tracker, "Mum", tmp_path)))

    assert listed(khal) == ["2026-11-25 Mum: Injection overdue (Botox)"]
