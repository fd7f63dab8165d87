"""The standard-library `due` path and the SQLAlchemy path give identical answers."""

from __future__ import annotations

import sqlite3
import tempfile
from datetime import date, timedelta
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import Tracker
from tracker.services.injections import due_status
from tracker.store.database import Database
from tracker.store.quick_due import quick_due

TODAY = date(2026, 11, 25)
OFFSETS = st.integers(min_value=-200, max_value=500)
# One of each class (the classifier's own tests pin which is which).
EFFECT_TEXTS = ["trouble swallowing", "double vision", "headache", "purple toenails"]
TIMES = st.one_of(st.none(), st.sampled_from(["08:00", "09:30", "14:15"]))


@settings(max_examples=25, deadline=None)
@given(
    injections=st.lists(st.integers(min_value=0, max_value=600), max_size=5, unique=True),
    appointments=st.lists(st.tuples(OFFSETS, TIMES, st.booleans()), max_size=4),
    every=st.integers(min_value=1, max_value=6),
    within=st.one_of(st.none(), st.integers(min_value=0, max_value=60)),
    second_patient=st.booleans(),
    # Injections logged after the bookings, on or around their days: missed or not (issue 17).
    later=st.lists(st.integers(min_value=0, max_value=60), max_size=2, unique=True),
)
def test_both_paths_agree_on_random_histories(
    injections, appointments, every, within, second_patient, later
):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "tracker.db"
        tracker = Tracker(str(path))
        _plan(tracker, path, every)
        patient = None
        if second_patient:
            tracker.ok("patients", "add", "Mum")
            tracker.ok("--patient", "Mum", "log", (TODAY - timedelta(days=33)).isoformat())
            # With several patients, no command picks one silently.
            assert quick_due(str(path), None, TODAY) is None
            patient = "Me"
            tracker = _as(tracker, patient)
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
            database = Database(str(path), patient=patient)
            try:
                full = due_status(database, today, within)
            finally:
                database.close()
            assert quick == full


def _plan(tracker: Tracker, path: Path, every: int) -> None:
    """An interval below the label's minimum is refused now (issue 15), but a plan
    stored before that rule is still read: put such a plan in by hand."""
    tracker.ok("plan", "--every", str(max(every, 3)), "--name", "Me")
    if every < 3:
        with sqlite3.connect(path) as connection:
            connection.execute("UPDATE patients SET every_months = ?", (every,))
        connection.close()


def _as(tracker: Tracker, name: str) -> Tracker:
    class Scoped(Tracker):
        def __call__(self, *args: str, **kwargs: str):  # type: ignore[override]
            return super().__call__("--patient", name, *args, **kwargs)

    return Scoped(tracker.db, tracker.today)


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


def test_due_does_not_import_sqlalchemy_for_a_current_sqlite_file(tmp_path):
    import subprocess
    import sys

    made = tmp_path / "t.db"
    Tracker(str(made)).ok("log", "2026-11-24")
    code = (
        "import sys; from tracker.cli import cli; "
        "cli.main(['--db', sys.argv[1], 'due'], standalone_mode=False); "
        "print('sqlalchemy' in sys.modules, 'alembic' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(made)],
        capture_output=True,
        text=True,
        env={"TRACKER_TODAY": "2026-11-25", "PATH": ""},
        check=True,
    ).stdout
    assert out.strip().endswith("False False")


@settings(max_examples=10, deadline=None)
@given(
    histories=st.lists(
        st.lists(st.integers(min_value=0, max_value=400), max_size=3, unique=True),
        min_size=1,
        max_size=4,
    ),
    booked=st.lists(st.tuples(st.integers(0, 3), OFFSETS, TIMES), max_size=4),
    within=st.one_of(st.none(), st.integers(min_value=0, max_value=60)),
    later=st.lists(st.tuples(st.integers(0, 3), st.integers(0, 60)), max_size=2),
    effects=st.lists(
        st.tuples(
            st.integers(0, 3),
            st.sampled_from(EFFECT_TEXTS),
            st.integers(min_value=0, max_value=300),
            st.booleans(),
        ),
        max_size=5,
    ),
)
def test_both_due_all_paths_agree(histories, booked, within, later, effects):
    from tracker.services.patients import due_all
    from tracker.store.quick_due import quick_due_all

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "tracker.db"
        tracker = Tracker(str(path))
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
            database = Database(str(path))
            try:
                full = [(row.name, row.due, row.safety) for row in due_all(database, today, within)]
            finally:
                database.close()
            quick = quick_due_all(str(path), today, within)
            assert quick is not None
            assert [(row.name, row.due, row.safety) for row in quick] == full
