"""A read-only database, a read-only folder and a full disk: one `Error:` line, nothing lost.

The tests run as root in CI, where file modes stop nothing; there a genuinely
read-only place is made with mounts (a read-only bind mount of the file, a
tmpfs remounted read-only, a tiny tmpfs for the full disk). Without permission
to mount, the cases that need it are skipped, saying why.
"""

from __future__ import annotations

import gc
import json
import os
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import Tracker

IS_ROOT = os.geteuid() == 0
NOTE = "x" * 8000  # a long diary note fills a tiny disk in a few entries


def run(*command: str) -> subprocess.CompletedProcess:
    return subprocess.run(command, capture_output=True, text=True, check=False)


class Mounts:
    """Mounts made by one test, undone afterwards whatever happened."""

    def __init__(self) -> None:
        self.made: list[Path] = []

    def tmpfs(self, folder: Path, size: str) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        self._mount(folder, "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs", str(folder))
        return folder

    def read_only_file(self, path: Path) -> None:
        self._mount(path, "--bind", str(path), str(path))
        self.remount(path, "remount,ro,bind")

    def remount(self, target: Path, options: str) -> None:
        result = run("mount", "-o", options, str(target))
        assert result.returncode == 0, result.stderr

    def _mount(self, target: Path, *arguments: str) -> None:
        result = run("mount", *arguments)
        if result.returncode != 0:
            pytest.skip(f"mounting is not permitted here ({result.stderr.strip()})")
        self.made.append(target)

    def undo(self) -> None:
        for target in reversed(self.made):
            for _ in range(20):
                if run("umount", str(target)).returncode == 0:
                    break
                gc.collect()  # a connection object awaiting collection keeps the mount busy
                time.sleep(0.05)
            else:
                run("umount", "--lazy", str(target))
                pytest.fail(f"{target} stayed busy: something kept a file open")


@pytest.fixture
def mounts() -> Iterator[Mounts]:
    made = Mounts()
    yield made
    made.undo()


def with_records(path: Path) -> Tracker:
    tracker = Tracker(str(path))
    tracker.ok("log", "2026-08-25", "--units", "200")
    tracker.ok("pain", "5", "--note", "before")
    return tracker


def assert_records_intact(tracker: Tracker, pain_entries: int = 1) -> None:
    assert [s["date"] for s in tracker.json("history")] == ["2026-08-25"]
    assert len(tracker.json("diary")) == pain_entries
    tracker.ok("check")


# --- read-only ----------------------------------------------------------------


@pytest.fixture
def read_only_file(mounts: Mounts, tmp_path: Path) -> Callable[[Path], None]:
    def make(path: Path) -> None:
        if IS_ROOT:
            mounts.read_only_file(path)
        else:
            path.chmod(0o400)

    return make


def test_a_read_only_database_file_is_a_one_line_error(read_only_file, sqlite_path):
    tracker = with_records(sqlite_path)
    before = sqlite_path.read_bytes()
    read_only_file(sqlite_path)

    for command in (["pain", "6"], ["log", "2026-11-24"], ["effect", "headache"]):
        assert "is read-only; nothing was changed" in tracker.fails(*command).stderr

    assert sqlite_path.read_bytes() == before
    assert len(tracker.json("diary")) == 1  # reading still works
    tracker.ok("backup", str(sqlite_path.parent.parent / "copy.db"))  # and so does a backup


def test_a_read_only_folder_can_be_read_but_not_written(mounts, tmp_path):
    """Issue 13, point 14: reading needs no writable folder; only writing does."""
    folder = tmp_path / "records"
    if IS_ROOT:
        mounts.tmpfs(folder, "1m")
    path = folder / "tracker.db"
    tracker = with_records(path)
    before = path.read_bytes()
    if IS_ROOT:
        mounts.remount(folder, "remount,ro")
    else:
        folder.chmod(0o500)

    for command in (["pain", "6"], ["backup"]):
        message = tracker.fails(*command).stderr
        assert "read-only" in message.lower(), message
    assert "not writable" in Tracker(str(folder / "new.db")).fails("pain", "6").stderr
    # Reading where there is no database yet answers as empty and creates nothing (issue 17).
    assert "no tracker database at" in Tracker(str(folder / "new.db")).ok("due").stderr
    assert "Next injection due" in tracker.ok("due").stdout
    assert "2026-08-25" in tracker.ok("due", "--all").stdout
    assert [s["date"] for s in tracker.json("history")] == ["2026-08-25"]
    assert len(tracker.json("diary")) == 1
    assert "No problems found" in tracker.ok("check").stdout
    exported = json.loads(tracker.ok("export", "--format", "json").stdout)
    assert [s["date"] for s in exported["injections"]] == ["2026-08-25"]
    copy = tmp_path / "copy.db"
    tracker.ok("backup", str(copy))
    assert [s["date"] for s in Tracker(str(copy)).json("history")] == ["2026-08-25"]
    assert sorted(p.name for p in folder.iterdir()) == ["tracker.db"]

    assert path.read_bytes() == before
    if IS_ROOT:
        mounts.remount(folder, "remount,rw")
    else:
        folder.chmod(0o700)
    assert_records_intact(tracker)


def test_an_old_database_in_a_read_only_folder_asks_for_the_folder_to_be_writable(mounts, tmp_path):
    from tests.integration.test_migration_data import fill, make_database_at

    folder = tmp_path / "old"
    if IS_ROOT:
        mounts.tmpfs(folder, "1m")
    path = folder / "tracker.db"
    engine = make_database_at(path, "0001")
    fill(engine)
    engine.dispose()
    before = path.read_bytes()
    if IS_ROOT:
        mounts.remount(folder, "remount,ro")
    else:
        folder.chmod(0o500)

    message = Tracker(str(path)).fails("history").stderr
    assert "needs upgrading" in message and "read-only" in message, message
    assert path.read_bytes() == before
    assert sorted(p.name for p in folder.iterdir()) == ["tracker.db"]


# --- a full disk --------------------------------------------------------------


@pytest.fixture
def tiny_disk(mounts: Mounts, tmp_path: Path) -> Path:
    if not IS_ROOT:
        pytest.skip("a full disk is made with a tiny tmpfs, which needs root to mount")
    # Room for a new database (AUTOINCREMENT's counter table included, migration 0007),
    # its -shm and the first writes' WAL; the test then fills the rest.
    return mounts.tmpfs(tmp_path / "tiny", "256k")


def fill_up(disk: Path) -> None:
    """Another program takes every free byte."""
    with (disk / "filler").open("wb", buffering=0) as filler:
        try:
            while True:
                filler.write(b"\0" * 1024)
        except OSError:
            pass  # the disk is full


def test_writing_until_the_disk_is_full_loses_nothing(tiny_disk, mounts):
    tracker = with_records(tiny_disk / "tracker.db")
    stored = 1
    for _ in range(60):
        result = tracker("pain", "4", "--note", NOTE)
        if result.exit_code != 0:
            break
        stored += 1
    else:
        pytest.fail("256k of disk never filled up")

    assert result.exit_code == 2 and stored > 1
    assert result.stderr.startswith("Error: ") and len(result.stderr.splitlines()) == 1
    assert "is full; nothing was changed" in result.stderr, result.stderr
    mounts.remount(tiny_disk, "remount,size=4m")  # room to read and check again
    assert_records_intact(tracker, pain_entries=stored)


def test_a_disk_filled_by_another_file_is_a_one_line_error(tiny_disk, mounts):
    tracker = with_records(tiny_disk / "tracker.db")
    fill_up(tiny_disk)

    for command in (["pain", "6"], ["log", "2026-11-24"], ["backup"]):
        result = tracker(*command)
        assert result.exit_code == 2 and len(result.stderr.splitlines()) == 1, result.stderr
        assert "full" in result.stderr, result.stderr

    (tiny_disk / "filler").unlink()
    assert_records_intact(tracker)
    assert not [p.name for p in tiny_disk.iterdir() if p.name.endswith(".tmp")]


def test_an_upgrade_that_cannot_be_backed_up_first_does_not_happen(tiny_disk, mounts):
    """No room for the copy kept before an upgrade: the old database stays as it was."""
    from tests.integration.test_migration_data import fill, make_database_at

    path = tiny_disk / "tracker.db"
    engine = make_database_at(path, "0001")
    fill(engine)
    engine.dispose()
    before = path.read_bytes()
    fill_up(tiny_disk)

    result = Tracker(str(path)).fails("due")
    assert "before upgrading" in result.stderr or "full" in result.stderr, result.stderr
    assert path.read_bytes() == before
    (tiny_disk / "filler").unlink()
    Tracker(str(path)).ok("due")
    assert json.loads(Tracker(str(path)).ok("history", "--json").stdout)[0]["date"] == "2025-12-01"
