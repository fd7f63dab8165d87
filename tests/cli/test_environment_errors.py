"""A bad environment gives one `Error:` line, exit 2, and leaves stored data alone."""

from __future__ import annotations

import sqlite3

import pytest

from tests.conftest import Tracker


def test_the_default_database_is_created_in_the_users_data_folder(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from tracker.cli import cli

    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "share"))
    monkeypatch.delenv("TRACKER_DB", raising=False)
    result = CliRunner().invoke(cli, ["log", "2026-11-24"], env={"TRACKER_TODAY": "2026-11-25"})
    assert result.exit_code == 0, result.output
    assert (tmp_path / "share" / "tracker" / "tracker.db").is_file()


def test_a_home_folder_that_cannot_exist_is_a_one_line_error(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from tracker.cli import cli

    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the home folder should be")
    monkeypatch.setenv("HOME", str(blocker / "home"))
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    monkeypatch.delenv("TRACKER_DB", raising=False)
    result = CliRunner().invoke(cli, ["log", "2026-11-24"], env={"TRACKER_TODAY": "2026-11-25"})
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: cannot create the folder")
    assert len(result.stderr.splitlines()) == 1


def test_the_db_option_wins_over_the_environment_variable(tmp_path):
    from click.testing import CliRunner

    from tracker.cli import cli

    env_db, option_db = tmp_path / "env.db", tmp_path / "option.db"
    result = CliRunner().invoke(
        cli,
        ["--db", str(option_db), "log", "2026-11-24"],
        env={"TRACKER_DB": str(env_db), "TRACKER_TODAY": "2026-11-25"},
    )
    assert result.exit_code == 0
    assert option_db.exists() and not env_db.exists()


def test_a_folder_that_cannot_be_created_is_a_one_line_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("I am a file")
    result = Tracker(str(blocker / "sub" / "tracker.db")).fails("log", "today")
    # A location the user names must be in a folder that exists (issue 17).
    assert f"there is no folder {blocker / 'sub'} for the database" in result.stderr


def _assert_refused_and_untouched(path, expected_in_message):
    before = path.read_bytes()
    result = Tracker(str(path)).fails("log", "2026-11-24")
    assert expected_in_message in result.stderr
    assert path.read_bytes() == before
    Tracker(str(path)).fails("due")


def test_random_bytes_are_not_a_tracker_database(tmp_path):
    path = tmp_path / "photo.jpg"
    path.write_bytes(bytes(range(256)) * 20)
    _assert_refused_and_untouched(path, "not a tracker database")


def test_an_empty_file_is_not_a_tracker_database(tmp_path):
    path = tmp_path / "empty.db"
    path.write_bytes(b"")
    _assert_refused_and_untouched(path, "empty file")


def test_an_unrelated_sqlite_database_is_refused(tmp_path):
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE recipes (name TEXT)")
        connection.execute("INSERT INTO recipes VALUES ('soup')")
    connection.close()
    _assert_refused_and_untouched(path, "not a tracker database")


def test_a_folder_is_not_a_database(tmp_path):
    result = Tracker(str(tmp_path)).fails("due")
    assert "is a folder" in result.stderr


def test_a_database_from_a_newer_tracker_is_refused_and_not_modified(sqlite_tracker, sqlite_path):
    sqlite_tracker.ok("log", "2026-11-24", "--units", "200")
    with sqlite3.connect(sqlite_path) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    connection.close()
    before = sqlite_path.read_bytes()
    result = sqlite_tracker.fails("history")
    assert "newer version of tracker" in result.stderr and "upgrade tracker" in result.stderr
    assert sqlite_path.read_bytes() == before


def test_a_newer_postgresql_database_is_refused_too(db_url):
    from sqlalchemy import create_engine, text

    tracker = Tracker(db_url)
    tracker.ok("log", "2026-11-24")
    engine = create_engine(db_url if "://" in db_url else f"sqlite:///{db_url}")
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    engine.dispose()
    assert "newer version" in tracker.fails("due").stderr


@pytest.mark.parametrize("garbage", ["tomorrow", "2026-13-01", "25/11/2026", "x"])
def test_garbage_in_tracker_today_is_a_one_line_error(sqlite_tracker, garbage):
    result = sqlite_tracker.fails("due", today=garbage)
    assert "TRACKER_TODAY" in result.stderr


def test_an_unusable_database_url_is_a_one_line_error(tmp_path):
    assert "Error:" in Tracker("nosuchdb://somewhere/x").fails("due").stderr
    assert "Error:" in Tracker("postgresql+psycopg://nobody@127.0.0.1:1/none").fails("due").stderr


def test_usage_mistakes_are_one_line_errors_too(sqlite_tracker):
    sqlite_tracker.fails("log", "--units")
    sqlite_tracker.fails("log", "--frobnicate")
    sqlite_tracker.fails("no-such-command")
    sqlite_tracker.fails("history", "--json", "--csv")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "postgresql+psycopg2://me@127.0.0.1:1/tracker",
            "Error: the database driver psycopg2 is not installed "
            "(install it with: pip install 'tracker[postgres]')\n",
        ),
        (
            "postgresql+pg8000://me@127.0.0.1:1/tracker",
            "Error: the database driver pg8000 is not installed\n",
        ),
    ],
)
def test_a_missing_database_driver_is_named(url, expected):
    assert Tracker(url).fails("log", "today").stderr == expected


def test_a_missing_module_of_tracker_itself_is_not_blamed_on_a_driver(tmp_path, monkeypatch):
    """Issue 15: an uninstalled checkout said "the database driver tracker.migrations is
    not installed" for every command."""
    import sys

    monkeypatch.setitem(sys.modules, "tracker.migrations", None)  # importing it now fails
    path = tmp_path / "tracker.db"
    result = Tracker(str(path)).fails("log", "today")
    assert "driver" not in result.stderr
    assert result.stderr == (
        "Error: tracker cannot load its module tracker.migrations (the installation is "
        "incomplete); reinstall tracker (pip install --force-reinstall tracker)\n"
    )
    assert list(tmp_path.iterdir()) == []
