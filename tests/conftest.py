"""Shared fixtures: a fresh database per test on each backend, and the real CLI."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, settings

from tracker.cli import cli

settings.register_profile(
    "ci", derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else os.environ.get("HYPOTHESIS_PROFILE", "dev"))

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
TODAY = "2026-11-25"


def postgres_url() -> str:
    return os.environ.get("TRACKER_TEST_PG_URL", DEFAULT_PG_URL)


def _postgres_unreachable_reason() -> str | None:
    try:
        import psycopg
    except ImportError:
        return "psycopg is not installed (pip install -e '.[test]')"
    from sqlalchemy.engine import make_url

    url = make_url(postgres_url())
    try:
        with psycopg.connect(
            host=url.host,
            port=url.port or 5432,
            user=url.username,
            dbname=url.database,
            password=url.password,
            connect_timeout=3,
        ):
            return None
    except psycopg.Error as error:
        return f"no PostgreSQL server at {url.render_as_string(hide_password=True)}: {error}"


_PG_REASON: list[str | None] = []


def require_postgres() -> None:
    if not _PG_REASON:
        _PG_REASON.append(_postgres_unreachable_reason())
    reason = _PG_REASON[0]
    if reason is None:
        return
    if os.environ.get("CI"):
        pytest.fail(f"PostgreSQL tests must run in CI, but {reason}")
    pytest.skip(reason)


def _postgres_database(worker_tag: str) -> Iterator[str]:
    """A schema of its own per test, dropped afterwards."""
    from sqlalchemy import create_engine, text

    require_postgres()
    schema = f"t_{worker_tag}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(postgres_url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in postgres_url() else "?"
    try:
        yield f"{postgres_url()}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@contextmanager
def postgres_database() -> Iterator[str]:
    """A fresh PostgreSQL database (a schema of its own) for the block; for tests that
    need several, e.g. one per hypothesis example."""
    yield from _postgres_database(str(os.getpid()))


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Where a test's fresh, empty database lives: a file path or a PostgreSQL URL."""
    if request.param == "sqlite":
        yield str(_data_folder(tmp_path) / "tracker.db")
    else:
        yield from _postgres_database(str(os.getpid()))


@pytest.fixture
def sqlite_path(tmp_path: Path) -> Path:
    """For tests about the SQLite file itself."""
    return _data_folder(tmp_path) / "tracker.db"


def _data_folder(tmp_path: Path) -> Path:
    """The folder a test's database goes in. It exists: tracker creates a file the user
    names only in a folder that exists (a mistyped path must not make folders)."""
    folder = tmp_path / "data"
    folder.mkdir(exist_ok=True)
    return folder


@dataclass
class Tracker:
    """Runs the real CLI against one database on a fixed 'today'."""

    db: str
    today: str = TODAY

    def __call__(self, *args: str, input: str | None = None, today: str | None = None) -> Result:
        env = {"TRACKER_DB": self.db, "TRACKER_TODAY": today or self.today}
        return CliRunner().invoke(
            cli, list(args), env=env, input=input, catch_exceptions=False, prog_name="tracker"
        )

    def ok(self, *args: str, **kwargs: str) -> Result:
        result = self(*args, **kwargs)
        assert result.exit_code == 0, (result.exit_code, result.stdout, result.stderr)
        return result

    def fails(self, *args: str, code: int = 2, **kwargs: str) -> Result:
        result = self(*args, **kwargs)
        assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr)
        assert result.stderr.startswith("Error: "), result.stderr
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert "Traceback" not in result.output
        return result

    def json(self, *args: str, **kwargs: str) -> object:
        return json.loads(self.ok(*args, "--json", **kwargs).stdout)


def create_database(location: str) -> None:
    """An empty tracker database at ``location``, as the first writing command makes it
    (a command that only reads creates nothing)."""
    from tracker.store.database import Database

    database = Database(location)
    try:
        database.engine  # noqa: B018 - opening it creates it
    finally:
        database.close()


@pytest.fixture
def tracker(db_url: str) -> Tracker:
    return Tracker(db_url)


@pytest.fixture
def sqlite_tracker(sqlite_path: Path) -> Tracker:
    return Tracker(str(sqlite_path))
