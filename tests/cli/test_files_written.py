"""Where tracker writes: never over its own database, into a device rather than over it,
and to exactly the file a path names (issue 13, points 1, 2 and 6)."""

from __future__ import annotations

import json
import os
import stat
import threading
from pathlib import Path

import pytest

from tests.conftest import Tracker
from tracker.store.location import is_database_file, parse_location, sqlite_url_file

IS_ROOT = os.geteuid() == 0


def with_records(path: Path) -> Tracker:
    tracker = Tracker(str(path))
    tracker.ok("log", "2026-08-25", "--units", "200")
    tracker.ok("pain", "5")
    return tracker


def folder_state(folder: Path) -> dict[str, bytes | str]:
    """Every name in the folder with its content (or link target)."""
    state: dict[str, bytes | str] = {}
    for entry in sorted(folder.iterdir()):
        if entry.is_symlink():
            state[entry.name] = f"-> {os.readlink(entry)}"
        elif entry.is_file():
            state[entry.name] = entry.read_bytes()
    return state


# --- point 1: a file write never lands on the database -------------------------


def database_names(path: Path) -> list[str]:
    """Every way to name the database or a file beside it: names, a symlink, a hard link."""
    folder = path.parent
    (folder / "link.db").symlink_to(path)
    os.link(path, folder / "hard.db")
    (folder / "journal-link").symlink_to(path.name + "-journal")  # does not exist yet
    (folder / "wal-link.json").symlink_to(path.name + "-wal")
    return [
        str(path),
        f"{path}-wal",
        f"{path}-shm",
        f"{path}-journal",
        str(folder / "link.db"),
        str(folder / "hard.db"),
        str(folder / "journal-link"),
        str(folder / "wal-link.json"),
        str(folder / "." / "sub" / ".." / path.name),
    ]


def test_no_command_writes_a_file_over_the_database_in_use(sqlite_path):
    tracker = with_records(sqlite_path)
    (sqlite_path.parent / "sub").mkdir()
    names = database_names(sqlite_path)
    tracker.ok("history")  # leaves -wal and -shm beside the database
    before = folder_state(sqlite_path.parent)

    for name in names:
        for command in (
            ["export", "--format", "json", "-o", name],
            ["export", "--format", "pdf", "-o", name],
            ["export", "--all", "--format", "csv", "-o", name],
            ["backup", name],
        ):
            message = tracker.fails(*command).stderr
            assert "the database in use" in message and "nothing was written" in message, (
                command,
                message,
            )
        if "-" in Path(name).name:  # the files beside it; the database itself is demo's default
            assert "beside the database" in tracker.fails("demo", "--db", name).stderr

    assert folder_state(sqlite_path.parent) == before
    assert [s["date"] for s in tracker.json("history")] == ["2026-08-25"]
    tracker.ok("check")


def test_the_database_named_by_a_url_is_refused_too(sqlite_path):
    with_records(sqlite_path)
    tracker = Tracker(f"sqlite:///{sqlite_path}")
    assert "the database in use" in tracker.fails("export", "-o", str(sqlite_path)).stderr
    assert "beside" in tracker.fails("export", "-o", f"{sqlite_path}-wal", "--format", "csv").stderr


def test_other_files_are_still_written(sqlite_path, tmp_path):
    tracker = with_records(sqlite_path)
    tracker.ok("export", "-o", str(tmp_path / "out.json"))
    tracker.ok("backup", str(tmp_path / "copy.db"))
    assert json.loads((tmp_path / "out.json").read_text())["injections"]
    # demo may fill the database in use (its default) when it is empty
    empty = tmp_path / "empty.db"
    Tracker(str(empty)).ok("demo", "--db", str(empty))


def test_a_postgresql_database_has_no_file_to_protect(tracker, tmp_path):
    tracker.ok("log", "2026-08-25")
    tracker.ok("export", "-o", str(tmp_path / "tracker.db"), "--format", "json")
    assert (tmp_path / "tracker.db").exists()


def test_database_files_are_matched_by_identity_and_by_name(tmp_path):
    database = tmp_path / "a.db"
    database.write_bytes(b"x")
    (tmp_path / "other.db").write_bytes(b"x")
    assert is_database_file(database, database)
    assert not is_database_file(database, database, itself=False)
    assert is_database_file(tmp_path / "a.db-shm", database, itself=False)
    assert not is_database_file(tmp_path / "other.db", database)
    assert not is_database_file(tmp_path / "a.db.json", database)
    assert not is_database_file(tmp_path / "a.db-walrus", database)


# --- point 2: a path is a path -------------------------------------------------


@pytest.mark.parametrize(
    "first, second",
    [
        ("p?1/tracker.db", "p?2/tracker.db"),
        ("r%2Fx.db", "r/x.db"),
        ("clinic#mine.db", "clinic"),
        ("a b&c=d;e.db", "a b"),
        ("x%00y.db", "x"),
    ],
)
def test_characters_that_mean_something_in_urls_are_part_of_the_file_name(
    tmp_path, monkeypatch, first, second
):
    monkeypatch.chdir(tmp_path)
    for folder in ("r", "p?1", "p?2"):
        (tmp_path / folder).mkdir()
    Tracker(first).ok("log", "2026-08-01", "--units", "111")
    Tracker(second).ok("log", "2026-07-01", "--units", "222")
    assert (tmp_path / first).is_file() and (tmp_path / second).is_file()

    for name, day in ((first, "2026-08-01"), (second, "2026-07-01")):
        tracker = Tracker(name)
        assert [s["date"] for s in tracker.json("history")] == [day]
        # the fast path of `due` (plain sqlite3) reads the same file as the ordinary one
        assert tracker.json("due")["last_injection"] == day
        (row,) = tracker.json("due", "--all")
        assert row["last_injection"] == day


def test_a_sqlite_url_is_still_read_as_a_url(tmp_path):
    path = tmp_path / "a b#c.db"
    with_records(path)
    url = f"sqlite:///{str(path).replace(' ', '%20').replace('#', '%23')}"
    assert Tracker(url).json("due")["last_injection"] == "2026-08-25"
    assert sqlite_url_file(url) == path
    assert sqlite_url_file(url + "?mode=ro") is None  # options: the ordinary path reads it


@pytest.mark.parametrize(
    "location",
    ["sqlite:///x.db", "postgresql+psycopg://u@h/db", "postgresql://h/db", "my-db.v2://x"],
)
def test_only_a_value_with_a_scheme_is_a_url(location):
    assert parse_location(location) == location


@pytest.mark.parametrize("location", ["x.db", "p?1/x.db", "./s://x", "1http://x", "-x://y", "a:b"])
def test_everything_else_is_a_path(location):
    assert isinstance(parse_location(location), Path)


# --- point 6: devices and FIFOs are written into, never replaced ---------------


@pytest.fixture
def null_device(tmp_path: Path) -> Path:
    if not IS_ROOT:
        pytest.skip("making a device node (mknod) needs root")
    device = tmp_path / "null"
    os.mknod(device, 0o666 | stat.S_IFCHR, os.makedev(1, 3))  # a copy of /dev/null
    return device


def test_a_character_device_is_written_into_not_replaced(sqlite_path, null_device):
    tracker = with_records(sqlite_path)
    tracker.ok("export", "--format", "json", "-o", str(null_device))
    tracker.ok("export", "--all", "--format", "csv", "-o", str(null_device))
    tracker.ok("export", "--format", "pdf", "-o", str(null_device))
    assert "not a regular file" in tracker.fails("backup", str(null_device)).stderr
    assert stat.S_ISCHR(null_device.stat().st_mode)
    assert not [p for p in null_device.parent.iterdir() if p.name.endswith(".tmp")]


def test_a_symlink_to_a_device_is_written_through(sqlite_path, null_device):
    tracker = with_records(sqlite_path)
    link = null_device.parent / "out.json"
    link.symlink_to(null_device)
    tracker.ok("export", "-o", str(link))
    assert link.is_symlink() and stat.S_ISCHR(null_device.stat().st_mode)


@pytest.mark.parametrize("fmt", ["csv", "json", "pdf"])
def test_a_full_device_is_one_error_line(sqlite_path, fmt):
    if not IS_ROOT:
        pytest.skip("making a device node (mknod) needs root")
    tracker = with_records(sqlite_path)
    full = sqlite_path.parent / "full"  # a copy of /dev/full: never the system's own
    os.mknod(full, 0o666 | stat.S_IFCHR, os.makedev(1, 7))
    assert "No space left" in tracker.fails("export", "--format", fmt, "-o", str(full)).stderr
    assert stat.S_ISCHR(full.stat().st_mode)


def test_a_fifo_is_written_into(sqlite_path, tmp_path):
    tracker = with_records(sqlite_path)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    tracker.ok("export", "--format", "json", "-o", str(fifo))
    reader.join(timeout=30)
    assert json.loads(received[0])["injections"][0]["date"] == "2026-08-25"
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert "not a regular file" in tracker.fails("backup", str(fifo)).stderr
    assert "a device or a pipe" in Tracker(str(fifo)).fails("due").stderr


def test_a_symlink_to_a_file_replaces_the_file_not_the_link(sqlite_path, tmp_path):
    tracker = with_records(sqlite_path)
    target = tmp_path / "real.json"
    target.write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to(target)
    tracker.ok("export", "-o", str(link))
    assert link.is_symlink()
    assert json.loads(target.read_text())["injections"]
    backup_link = tmp_path / "backup-link.db"
    backup_target = tmp_path / "backup-real.db"
    backup_link.symlink_to(backup_target)
    tracker.ok("backup", str(backup_link))
    assert backup_link.is_symlink() and backup_target.is_file()
