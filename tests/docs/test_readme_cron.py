"""README's cron reminder works as written (issue 17).

The line is taken from README exactly and run the way cron runs it (`sh -c`), with a
stand-in `notify-send` on PATH that writes down what it was asked to show.
"""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.docs.readme_story import README

REMINDER = "Time to book your injection"


def readme_cron_line() -> str:
    text = README.read_text(encoding="utf-8")
    lines = [
        line.strip()
        for block in re.findall(r"```sh\n(.*?)```", text, re.DOTALL)
        for line in block.splitlines()
        if "due --check ||" in line
    ]
    assert len(lines) == 1, lines
    return lines[0]


class Desktop:
    """A home folder with tracker's default database and a notify-send that takes notes."""

    def __init__(self, folder: Path) -> None:
        self.home = folder / "home"
        self.home.mkdir()
        bin_folder = folder / "bin"
        bin_folder.mkdir()
        self.notes = folder / "notifications"
        notify_send = bin_folder / "notify-send"
        notify_send.write_text(f'#!/bin/sh\nprintf "%s\\n" "$*" >> "{self.notes}"\n')
        notify_send.chmod(notify_send.stat().st_mode | stat.S_IXUSR)
        self.path = os.pathsep.join([str(bin_folder), str(Path(sys.executable).parent), "/bin"])

    def run(self, command: list[str] | str, today: str) -> subprocess.CompletedProcess[str]:
        environment = {"HOME": str(self.home), "PATH": self.path, "TRACKER_TODAY": today}
        arguments = ["sh", "-c", command] if isinstance(command, str) else command
        return subprocess.run(
            arguments, cwd=self.home, env=environment, capture_output=True, text=True, timeout=60
        )

    def tracker(self, *arguments: str, today: str) -> None:
        done = self.run(["tracker", *arguments], today)
        assert done.returncode == 0, done.stderr

    def reminders_on(self, today: str) -> list[str]:
        """Run README's cron line on that day; what notify-send showed that time."""
        self.notes.unlink(missing_ok=True)
        done = self.run(readme_cron_line(), today)
        assert done.returncode == 0, done.stderr
        return self.notes.read_text().splitlines() if self.notes.exists() else []


@pytest.fixture
def desktop(tmp_path: Path) -> Desktop:
    desktop = Desktop(tmp_path)
    desktop.tracker("log", "2026-11-24", "--units", "200", today="2026-11-25")
    return desktop


def test_the_readme_cron_line_is_the_reminder_it_describes() -> None:
    assert readme_cron_line() == f'tracker due --check || notify-send "{REMINDER}"'


def test_the_cron_line_is_quiet_while_the_injection_is_not_due(desktop: Desktop) -> None:
    assert desktop.reminders_on("2026-11-25") == []
    assert desktop.reminders_on("2027-02-09") == []


def test_the_cron_line_reminds_in_the_window_before_the_due_date_and_after(
    desktop: Desktop,
) -> None:
    assert desktop.reminders_on("2027-02-10") == [REMINDER]
    assert desktop.reminders_on("2027-02-24") == [REMINDER]
    assert desktop.reminders_on("2027-03-10") == [REMINDER]


def test_the_cron_line_is_quiet_once_booked_until_the_appointment_is_missed(
    desktop: Desktop,
) -> None:
    desktop.tracker("book", "2027-02-23", today="2027-02-12")

    assert desktop.reminders_on("2027-02-12") == []
    assert desktop.reminders_on("2027-02-23") == []
    assert desktop.reminders_on("2027-02-24") == [REMINDER]


def test_the_cron_line_is_quiet_again_once_the_injection_is_logged(desktop: Desktop) -> None:
    desktop.tracker("log", "2027-02-24", "--units", "200", today="2027-02-24")

    assert desktop.reminders_on("2027-02-25") == []
