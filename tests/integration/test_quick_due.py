"""The standard-library `due` path and the SQLAlchemy path give identical answers."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import text as sql

from tests.conftest import Tracker, postgres_database, require_postgres
from tracker.services.injections import due_status
from tracker.services.patients import due_all
from tracker.store.database import Database
from tracker.store.quick_due import quick_due, quick_due_all

TODAY = date(2026, 11, 25)
OFFSETS = st.integers(min_value=-200, max_value=500)
# One of each class (the classifier's own tests pin which is which).
EFFECT_TEXTS = ["trouble swallowing", "double vision", "headache", "purple toenails"]
TIMES = st.one_of(st.none(), st.sampled_from(["08:00", "09:30", "14:15"]))


class InStep:
    """The same commands on one or more databases, in step: each gives the same exit code."""

    def __init__(self, trackers: list[Tracker], prefix: tuple[str, ...] = ()) -> None:
        self.trackers = trackers
        self.prefix = prefix

    def as_patient(self, name: str) -> InStep:
        return InStep(self.trackers, ("--patient", name))

    def __call__(self, *args: str, today: str | None = None) -> Result:
        results = [tracker(*self.prefix, *args, today=today) for tracker in self.trackers]
        assert len({result.exit_code for result in results}) == 1, [r.output for r in results]
        return results[0]

    def ok(self, *args: str, today: str | None = None) -> Result:
        result = self(*args, today=today)
        assert result.exit_code == 0, (result.exit_code, result.stdout, result.stderr)
        return result

    def json(self, *args: str) -> Any:
        return json.loads(self.ok(*args, "--json").stdout)


@contextmanager
def databases(on_postgres: bool) -> Iterator[tuple[Path, str]]:
    """A SQLite file for the quick path, and the database the ORM path is asked:
    that same file, or a PostgreSQL database given the same history."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "tracker.db"
        if not on_postgres:
            yield path, str(path)
            return
        with postgres_database() as url:
            yield path, url


def in_step(path: Path, orm_url: str) -> InStep:
    return InStep([Tracker(url) for url in dict.fromkeys((str(path), orm_url))])


HISTORY = {
    "injections": st.lists(st.integers(min_value=0, max_value=600), max_size=5, unique=True),
    "appointments": st.lists(st.tuples(OFFSETS, TIMES, st.booleans()), max_size=4),
    "every": st.integers(min_value=1, max_value=6),
    "within": st.one_of(st.none(), st.integers(min_value=0, max_value=60)),
    "second_patient": st.booleans(),
    # Injections logged after the bookings, on or around their days: missed or not (issue 17).
    "later": st.lists(st.integers(min_value=0, max_value=60), max_size=2, unique=True),
}


@settings(max_examples=25, deadline=None)
@given(**HISTORY)
def test_both_paths_agree_on_random_histories(
    injections, appointments, every, within, second_patient, later
):
    with databases(on_postgres=False) as (path, orm_url):
        _check_due(path, orm_url, injections, appointments, every, within, second_patient, later)


@settings(max_examples=10, deadline=None)
@given(**HISTORY)
def test_on_postgresql_the_orm_path_agrees_with_the_quick_path(
    injections, appointments, every, within, second_patient, later
):
    """On a server database `due` takes the ORM path: given the same history it must
    answer what the quick path answers for a SQLite file."""
    require_postgres()
    with databases(on_postgres=True) as (path, orm_url):
        _check_due(path, orm_url, injections, appointments, every, within, second_patient, later)


def _check_due(
    path: Path,
    orm_url: str,
    injections: list[int],
    appointments: list[tuple[int, str | None, bool]],
    every: int,
    within: int | None,
    second_patient: bool,
    later: list[int],
) -> None:
    tracker = in_step(path, orm_url)
    _plan(tracker, (str(path), orm_url), every)
    patient = None
    if second_patient:
        tracker.ok("patients", "add", "Mum")
        tracker.ok("--patient", "Mum", "log", (TODAY - timedelta(days=33)).isoformat())
        # With several patients, no command picks one silently.
        assert quick_due(str(path), None, TODAY) is None
        patient = "Me"
        tracker = tracker.as_patient(patient)
    for days_ago in injections:
        tracker.ok("log", (TODAY - timedelta(days=days_ago)).isoformat())
    for offset, time, cancel in appointments:
        day = TODAY + timedelta(days=abs(offset))
        args = ["book", day.isoformat()] + (["--time", time] if time else [])
        if tracker(*args).exit_code == 0 and cancel:
            tracker.ok("cancel", str(len(tracker.json("appointments", "--all"))))
    for days_on in later:
        day = (TODAY + timedelta(days=days_on)).isoformat()
        tracker("log", day, today=day)
    for today in (
        TODAY,
        TODAY + timedelta(days=1),
        TODAY + timedelta(days=40),
        TODAY + timedelta(days=400),
    ):
        quick = quick_due(str(path), patient, today, within)
        database = Database(orm_url, patient=patient)
        try:
            full = due_status(database, today, within)
        finally:
            database.close()
        assert quick == full
        if orm_url != str(path):  # the quick path reads PostgreSQL too, and agrees there
            assert quick_due(orm_url, patient, today, within) == full


def _plan(tracker: InStep, locations: tuple[str, ...], every: int) -> None:
    """An interval below the label's minimum is refused now (issue 15), but a plan
    stored before that rule is still read: put such a plan in by hand."""
    tracker.ok("plan", "--every", str(max(every, 3)), "--name", "Me")
    if every >= 3:
        return
    for location in dict.fromkeys(locations):
        database = Database(location)
        try:
            with database.transaction() as session:
                session.execute(sql("UPDATE treatments SET every = :every"), {"every": f"{every}m"})
        finally:
            database.close()


def test_the_quick_path_steps_aside_for_anything_but_a_current_sqlite_file(tmp_path):
    assert quick_due(str(tmp_path / "missing.db"), None, TODAY) is None
    assert quick_due("postgresql+psycopg://x@127.0.0.1/y", None, TODAY) is None
    old = tmp_path / "not-tracker.db"
    old.write_bytes(b"junk")
    assert quick_due(str(old), None, TODAY) is None
    made = tmp_path / "t.db"
    Tracker(str(made)).ok("log", "2026-11-24")
    assert quick_due(str(made), "nobody", TODAY) is None  # the full path names the error
    assert quick_due(f"sqlite:///{made}", None, TODAY) is not None
    assert (
        "no patient called 'nobody'"
        in Tracker(str(made)).fails("--patient", "nobody", "due").stderr
    )


def test_on_postgresql_the_quick_path_steps_aside_for_anything_it_cannot_answer(tmp_path):
    require_postgres()
    assert quick_due("postgresql+psycopg://nobody@127.0.0.1:1/nothing", None, TODAY) is None
    assert quick_due("postgresql://x@127.0.0.1/y", None, TODAY) is None  # another driver
    with postgres_database() as url:
        assert quick_due(url, None, TODAY) is None  # no tracker tables: the full path says so
        Tracker(url).ok("log", "2026-11-24")
        assert quick_due(url, None, TODAY) is not None
        assert quick_due(url, "nobody", TODAY) is None
        assert quick_due(f"{url}&no_such_libpq_option=1", None, TODAY) is None
        database = Database(url)
        try:
            with database.transaction() as session:
                session.execute(sql("UPDATE alembic_version SET version_num = 'older'"))
        finally:
            database.close()
        assert quick_due(url, None, TODAY) is None  # not current: the full path explains


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_due_does_not_import_sqlalchemy_for_a_current_database(tmp_path, engine):
    if engine == "postgresql":
        require_postgres()
        with postgres_database() as url:
            Tracker(url).ok("log", "2026-11-24")
            _due_without_sqlalchemy(url)
        return
    made = tmp_path / "t.db"
    Tracker(str(made)).ok("log", "2026-11-24")
    _due_without_sqlalchemy(str(made))


def _due_without_sqlalchemy(location: str) -> None:
    import subprocess
    import sys

    code = (
        "import sys; from tracker.cli import cli; "
        "cli.main(['--db', sys.argv[1], 'due'], standalone_mode=False); "
        "print('sqlalchemy' in sys.modules, 'alembic' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, location],
        capture_output=True,
        text=True,
        env={"TRACKER_TODAY": "2026-11-25", "PATH": ""},
        check=True,
    ).stdout
    assert out.strip().endswith("False False")


CLINIC = {
    "histories": st.lists(
        st.lists(st.integers(min_value=0, max_value=400), max_size=3, unique=True),
        min_size=1,
        max_size=4,
    ),
    "booked": st.lists(st.tuples(st.integers(0, 3), OFFSETS, TIMES), max_size=4),
    "within": st.one_of(st.none(), st.integers(min_value=0, max_value=60)),
    "later": st.lists(st.tuples(st.integers(0, 3), st.integers(0, 60)), max_size=2),
    "effects": st.lists(
        st.tuples(
            st.integers(0, 3),
            st.sampled_from(EFFECT_TEXTS),
            st.integers(min_value=0, max_value=300),
            st.booleans(),
        ),
        max_size=5,
    ),
}


@settings(max_examples=10, deadline=None)
@given(**CLINIC)
def test_both_due_all_paths_agree(histories, booked, within, later, effects):
    with databases(on_postgres=False) as (path, orm_url):
        _check_due_all(path, orm_url, histories, booked, within, later, effects)


@settings(max_examples=5, deadline=None)
@given(**CLINIC)
def test_on_postgresql_due_all_agrees_with_the_quick_path(
    histories, booked, within, later, effects
):
    require_postgres()
    with databases(on_postgres=True) as (path, orm_url):
        _check_due_all(path, orm_url, histories, booked, within, later, effects)


def _check_due_all(
    path: Path,
    orm_url: str,
    histories: list[list[int]],
    booked: list[tuple[int, int, str | None]],
    within: int | None,
    later: list[tuple[int, int]],
    effects: list[tuple[int, str, int, bool]],
) -> None:
    tracker = in_step(path, orm_url)
    names = [f"p{n}" for n in range(len(histories))]
    for name in names:  # p0 takes the place of the new database's unnamed patient
        tracker.ok("patients", "add", name)
    for name, days in zip(names, histories, strict=True):
        for days_ago in days:
            tracker.ok("--patient", name, "log", (TODAY - timedelta(days=days_ago)).isoformat())
    for who, offset, time in booked:
        name = names[who % len(names)]
        day = (TODAY + timedelta(days=abs(offset))).isoformat()
        tracker("--patient", name, "book", day, *(["--time", time] if time else []))
    for who, days_on in later:
        day = (TODAY + timedelta(days=days_on)).isoformat()
        tracker("--patient", names[who % len(names)], "log", day, today=day)
    for who, text, days_ago, resolved in effects:
        name = names[who % len(names)]
        day = (TODAY - timedelta(days=days_ago)).isoformat()
        recorded = tracker.json("--patient", name, "effect", text, "--date", day)
        if resolved:
            tracker.ok("--patient", name, "effect", "resolve", str(recorded["id"]))
    for today in (TODAY, TODAY + timedelta(days=30), TODAY + timedelta(days=100)):
        database = Database(orm_url)
        try:
            full = [(row.name, row.due, row.safety) for row in due_all(database, today, within)]
        finally:
            database.close()
        quick = quick_due_all(str(path), today, within)
        assert quick is not None
        assert [(row.name, row.due, row.safety) for row in quick] == full
        if orm_url != str(path):  # the quick path reads PostgreSQL too, and agrees there
            on_server = quick_due_all(orm_url, today, within)
            assert on_server is not None
            assert [(row.name, row.due, row.safety) for row in on_server] == full


# Issue 16: several treatments per patient, intervals in days, weeks or months,
# products tracker knows no rules for, rotations; a second patient with their own.
TREATMENTS = st.lists(
    st.tuples(
        st.sampled_from(["botox", "dysport", "hydroxocobalamin", "denosumab"]),
        st.sampled_from(["28d", "2w", "12w", "3m", "6m", "1y"]),
        st.integers(min_value=0, max_value=30),
        st.booleans(),  # a rotation
        # Sessions: days ago, and which of the rotation's sites (or another) they name.
        st.lists(
            st.tuples(st.integers(0, 500), st.lists(st.integers(0, 3), max_size=2)),
            max_size=4,
            unique_by=lambda session: session[0],
        ),
    ),
    min_size=1,
    max_size=3,
)
SEVERAL = {
    "treatments": TREATMENTS,
    "others": TREATMENTS,
    "appointments": st.lists(st.tuples(OFFSETS, TIMES), max_size=3),
    "within": st.one_of(st.none(), st.integers(min_value=0, max_value=60)),
}
ROTATION = ("left thigh", "right thigh", "abdomen")
SITE_NAMES = ("left thigh", "Right Thigh", "abdomen", "arm")


@settings(max_examples=6, deadline=None)
@given(**SEVERAL)
def test_both_paths_agree_on_several_treatments(treatments, others, appointments, within):
    with databases(on_postgres=False) as (path, orm_url):
        _check_several(path, orm_url, treatments, others, appointments, within)


@settings(max_examples=3, deadline=None)
@given(**SEVERAL)
def test_on_postgresql_both_paths_agree_on_several_treatments(
    treatments, others, appointments, within
):
    require_postgres()
    with databases(on_postgres=True) as (path, orm_url):
        _check_several(path, orm_url, treatments, others, appointments, within)


def _check_several(path, orm_url, treatments, others, appointments, within) -> None:
    from tests.cli.test_due_treatments import add_session, add_treatment
    from tracker.services.due import due_treatments
    from tracker.store.quick_due import quick_due_treatments

    tracker = in_step(path, orm_url)
    tracker.ok("plan", "--name", "Me")
    tracker.ok("patients", "add", "Mum")
    locations = list(dict.fromkeys((str(path), orm_url)))
    for patient, plans in (("Me", treatments), ("Mum", others)):
        for n, (product, every, window, rotating, sessions) in enumerate(plans):
            name = f"T{n}"
            for location in locations:
                sites = ", ".join(ROTATION) if rotating else None
                add_treatment(location, name, product, every, window, sites, patient)
                for days_ago, picks in sessions:
                    day = TODAY - timedelta(days=days_ago)
                    named = [SITE_NAMES[pick] for pick in dict.fromkeys(picks)]
                    add_session(location, name, day, named, patient)
    for offset, time in appointments:
        day = (TODAY + timedelta(days=offset)).isoformat()
        tracker.as_patient("Me")("book", day, *(["--time", time] if time else []))
    for today in (TODAY, TODAY + timedelta(days=20), TODAY + timedelta(days=200)):
        for patient in ("Me", "Mum"):
            quick = quick_due_treatments(str(path), patient, today, within)
            assert quick is not None
            database = Database(orm_url, patient=patient)
            try:
                full = due_treatments(database, today, within)
            finally:
                database.close()
            assert quick == (full, patient)
            if orm_url != str(path):
                assert quick_due_treatments(orm_url, patient, today, within) == (full, patient)
        database = Database(orm_url)
        try:
            everyone = [
                (r.name, r.due, r.treatment, r.others_needing_attention, r.treatments)
                for r in due_all(database, today, within)
            ]
        finally:
            database.close()
        for location in locations:
            rows = quick_due_all(location, today, within)
            assert rows is not None
            assert [
                (r.name, r.due, r.treatment, r.others_needing_attention, r.treatments) for r in rows
            ] == everyone
