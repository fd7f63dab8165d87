"""Nothing is created by mistake (issue 17, point 4).

A command that only reads never creates a file, folder, schema or table. A
location the user named in a folder that does not exist, or a server database
without tracker's tables, is one `Error:` line; a file that is not there yet
(named, or the default before first use) answers as an empty database and says
so on stderr, naming the place, so a typo in a cron line shows in cron's mail.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import TODAY, Tracker, _postgres_database
from tracker.cli import cli
from tracker.store.database import Database

# Every command that only reads the database, with arguments that make it run.
READING = [
    (),  # bare `tracker`: the status
    ("due",),
    ("due", "--check"),
    ("due", "--all"),
    ("due", "--json"),
    ("history",),
    ("history", "--csv"),
    ("diary",),
    ("effects",),
    ("review",),
    ("appointments",),
    ("changes",),
    ("export", "--format", "json"),
    ("export", "--format", "csv"),
    ("patients",),
    ("plan",),
    ("treatments",),
]
# Every command that stores records, with arguments that make it store.
WRITING = [
    ("log", "2026-11-20", "--units", "200"),
    ("pain", "5"),
    ("effect", "headache"),
    ("book", "2026-12-20"),
    ("plan", "--every", "4"),
    ("patients", "add", "Ann"),
    ("treatments", "add", "B12", "--product", "hydroxocobalamin"),
    ("demo",),
]
# Commands that need records or a file first; the writing ones open with writes=True.
NEED_RECORDS = {"edit", "delete", "cancel", "undo", "import", "restore", "check", "backup"}


def test_every_command_is_known_to_read_or_to_write():
    """A new command is added here: it either only reads or says it writes."""
    from tracker.cli import COMMAND_MODULES

    named = {args[0] for args in (*READING, *WRITING) if args}
    assert set(COMMAND_MODULES) == named | NEED_RECORDS


UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
NOTICE = "There is no tracker database at {path} yet; the first 'tracker log' or "
NOTICE += "'tracker patients add' creates it.\n"


def ids(args: tuple[str, ...]) -> str:
    return " ".join(args) or "status"


def run(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(
        cli, list(args), env={"TRACKER_TODAY": TODAY, **(env or {})}, prog_name="tracker"
    )


def everything_under(folder: Path) -> list[str]:
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*"))


@pytest.fixture(scope="module")
def empty_answers(tmp_path_factory) -> dict[tuple[str, ...], tuple[int, str]]:
    """What each reading command answers on a new, empty database (as before issue 17)."""
    made = tmp_path_factory.mktemp("made") / "empty.db"
    Database(str(made)).engine.dispose()  # a library user creates it
    return {args: _answer(Tracker(str(made))(*args)) for args in READING}


def _answer(result) -> tuple[int, str]:
    # Every new database gives its unnamed patient a fresh UUID.
    return result.exit_code, UUID.sub("UUID", result.stdout)


# --- an explicit file that is not there yet, in a folder that exists ------------------


@pytest.mark.parametrize("args", READING, ids=ids)
def test_reading_a_file_not_there_yet_answers_as_empty_and_says_so(tmp_path, args, empty_answers):
    folder = tmp_path / "here"
    folder.mkdir()
    path = folder / "tracker.db"
    result = Tracker(str(path))(*args)
    assert _answer(result) == empty_answers[args]
    assert result.stderr == NOTICE.format(path=path)
    assert everything_under(folder) == []


@pytest.mark.parametrize("command", ["check", "backup"])
def test_checking_or_backing_up_a_file_not_there_yet_is_an_error(tmp_path, command):
    path = tmp_path / "tracker.db"
    result = Tracker(str(path)).fails(command)
    assert str(path) in result.stderr
    assert everything_under(tmp_path) == []


@pytest.mark.parametrize("args", WRITING, ids=ids)
def test_writing_creates_a_named_file_in_a_folder_that_exists(tmp_path, args):
    path = tmp_path / "tracker.db"
    result = Tracker(str(path)).ok(*args)
    assert "There is no tracker database" not in result.stderr
    assert path.is_file()
    assert path.stat().st_mode & 0o777 == 0o600


def test_a_database_read_first_and_then_written_creates_the_file(tmp_path):
    from tracker.services.diary import add_pain, pain_entries

    path = tmp_path / "tracker.db"
    database = Database(str(path), creates=False)
    try:
        assert pain_entries(database, None) == []  # the empty stand-in answers
        assert not path.exists()
        database.allow_creating()
        add_pain(database, date_of(TODAY), 5, None, None, date_of(TODAY))
    finally:
        database.close()
    assert len(Tracker(str(path)).json("diary")) == 1


# --- an explicit location in a folder that does not exist -----------------------------


@pytest.mark.parametrize("args", [*READING, *WRITING, ("check",), ("backup",)], ids=ids)
def test_a_named_file_in_a_missing_folder_is_one_error_line_and_creates_nothing(tmp_path, args):
    path = tmp_path / "typo" / "deeper" / "tracker.db"
    result = Tracker(str(path))(*args)
    if args not in (("check",), ("backup",)):
        assert result.stderr == (
            f"Error: there is no folder {path.parent} for the database {path}; check the path "
            "(--db or TRACKER_DB), or create the folder: then the first 'tracker log' or "
            "'tracker patients add' creates it\n"
        )
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: ") and str(path) in result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert result.stdout == ""
    assert everything_under(tmp_path) == []


def test_restore_into_a_missing_folder_is_refused(tmp_path):
    saved = tmp_path / "saved.db"
    Tracker(str(saved)).ok("log", "2026-11-20")
    path = tmp_path / "typo" / "tracker.db"
    result = Tracker(str(path)).fails("restore", str(saved), "--yes")
    assert f"there is no folder {path.parent}" in result.stderr
    assert not path.parent.exists()


def test_the_db_option_is_checked_as_the_environment_variable_is(tmp_path):
    path = tmp_path / "nowhere" / "x.db"
    result = run("--db", str(path), "due")
    assert result.exit_code == 2 and f"there is no folder {path.parent}" in result.stderr
    assert not path.parent.exists()


# --- the default location before first use -------------------------------------------


@pytest.fixture
def first_use(tmp_path, monkeypatch) -> Path:
    """A user whose data folder tracker has never made; returns where the database goes."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "home" / "share"))
    monkeypatch.delenv("TRACKER_DB", raising=False)
    (tmp_path / "home").mkdir()
    return tmp_path / "home" / "share" / "tracker" / "tracker.db"


@pytest.mark.parametrize("args", READING, ids=ids)
def test_reading_before_first_use_answers_as_empty_and_makes_no_folder(
    first_use, args, empty_answers
):
    result = run(*args)
    assert _answer(result) == empty_answers[args]
    assert result.stderr == NOTICE.format(path=first_use)
    assert everything_under(first_use.parents[2]) == []


def test_the_first_write_makes_the_private_data_folder(first_use):
    assert run("pain", "5").exit_code == 0
    assert first_use.is_file()
    assert first_use.parent.stat().st_mode & 0o777 == 0o700
    assert first_use.stat().st_mode & 0o777 == 0o600
    again = run("due")
    assert again.stderr == ""  # there is a database now


# --- a database that exists but is not (yet) tracker's ---------------------------------


def test_reading_an_sqlite_file_without_tables_is_an_error_and_adds_none(tmp_path):
    path = tmp_path / "blank.db"
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA user_version = 1")  # a valid SQLite file, no tables
    connection.close()
    before = path.read_bytes()
    result = Tracker(str(path)).fails("due")
    assert result.stderr == (
        f"Error: {path} holds no tracker records yet (it has no tracker tables); check the "
        "location (--db or TRACKER_DB), or start there: the first 'tracker log' or "
        "'tracker patients add' creates it\n"
    )
    assert path.read_bytes() == before
    Tracker(str(path)).ok("log", "2026-11-20")  # a writing command starts there


def test_a_write_the_command_did_not_announce_is_refused_not_lost(tmp_path):
    from tracker.domain.errors import DatabaseProblem
    from tracker.services.diary import add_pain

    path = tmp_path / "tracker.db"
    told: list[str] = []
    database = Database(str(path), notify=told.append, creates=False)
    try:
        with pytest.raises(DatabaseProblem, match="nothing was stored"):
            add_pain(database, date_of(TODAY), 5, None, None, date_of(TODAY))
    finally:
        database.close()
    assert told == [NOTICE.format(path=path).strip()]
    assert everything_under(tmp_path) == []


def date_of(text: str):
    from datetime import date

    return date.fromisoformat(text)


# --- the installed program, as cron runs it -------------------------------------------


def installed_tracker() -> str:
    found = shutil.which("tracker", path=str(Path(sys.executable).parent))
    assert found is not None, "tracker is installed with the test dependencies"
    return found


def test_the_installed_tracker_says_a_typo_in_a_cron_line_on_stderr(tmp_path):
    environment = {"TRACKER_TODAY": TODAY, "PATH": os.environ["PATH"], "HOME": str(tmp_path)}
    tracker = installed_tracker()
    path = tmp_path / "tracekr.db"
    done = subprocess.run(
        [tracker, "--db", str(path), "due", "--check"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (done.returncode, done.stdout) == (
        0,
        "No injection logged yet. Record one with: tracker log DATE --units N\n",
    )
    assert done.stderr == NOTICE.format(path=path)
    missing = tmp_path / "no-such-folder" / "tracker.db"
    done = subprocess.run(
        [tracker, "--db", str(missing), "due", "--check"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.startswith(f"Error: there is no folder {missing.parent} ")
    assert everything_under(tmp_path) == []


def test_readmes_cron_line_keeps_working(tmp_path):
    """`tracker due --check || notify-send "Time to book your injection"`, as README shows it."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    line = 'tracker due --check || notify-send "Time to book your injection"'
    assert f"```sh\n{line}\n```" in readme
    bin_folder = tmp_path / "bin"
    bin_folder.mkdir()
    sent = tmp_path / "sent.txt"
    notify = bin_folder / "notify-send"
    notify.write_text(f'#!/bin/sh\necho "$1" >> {sent}\n')
    notify.chmod(0o755)
    home = tmp_path / "home"
    home.mkdir()
    environment = {
        "TRACKER_TODAY": TODAY,
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / "share"),
        "PATH": f"{bin_folder}{os.pathsep}{Path(installed_tracker()).parent}{os.pathsep}"
        f"{os.environ['PATH']}",
    }

    def cron() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["sh", "-c", line], env=environment, capture_output=True, text=True, timeout=60
        )

    first = cron()  # before first use: nothing to do, said on stderr, nothing made
    assert first.returncode == 0 and not sent.exists()
    assert first.stderr.startswith("There is no tracker database at ")
    assert list(home.iterdir()) == []
    subprocess.run(
        ["tracker", "log", "2026-08-25", "--units", "200"], env=environment, check=True, timeout=60
    )
    due = cron()
    assert due.returncode == 0 and due.stderr == ""
    assert sent.read_text() == "Time to book your injection\n"
    environment["TRACKER_DB"] = str(tmp_path / "typo" / "tracker.db")
    typo = cron()  # the typo reaches the notification and cron's mail
    assert typo.stderr.startswith("Error: there is no folder ")
    assert sent.read_text().count("Time to book your injection") == 2


# --- PostgreSQL: a server database without tracker's tables ---------------------------


@pytest.fixture
def empty_schema() -> object:
    yield from _postgres_database(f"empty{os.getpid()}")


def _tables(url: str) -> set[str]:
    from sqlalchemy import create_engine, inspect

    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return set(inspect(connection).get_table_names())
    finally:
        engine.dispose()


@pytest.mark.parametrize("args", [*READING, ("check",)], ids=ids)
def test_reading_a_server_database_without_tables_is_an_error_and_creates_none(empty_schema, args):
    result = Tracker(str(empty_schema))(*args)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("Error: postgresql+psycopg://")
    assert "holds no tracker records yet (it has no tracker tables); check the location" in (
        result.stderr
    )
    assert len(result.stderr.splitlines()) == 1
    assert _tables(str(empty_schema)) == set()


def test_writing_to_a_server_database_without_tables_creates_them(empty_schema):
    Tracker(str(empty_schema)).ok("log", "2026-11-20")
    assert "injection_sessions" in _tables(str(empty_schema))
    assert Tracker(str(empty_schema)).ok("due").stderr == ""
