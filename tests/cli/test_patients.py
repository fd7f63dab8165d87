"""Several patients in one database: selection, isolation, management, due --all."""

from __future__ import annotations

import json

import pytest

from tests.conftest import Tracker


def as_patient(tracker: Tracker, name: str) -> Tracker:
    class Scoped(Tracker):
        def __call__(self, *args: str, **kwargs: str):  # type: ignore[override]
            return super().__call__("--patient", name, *args, **kwargs)

    return Scoped(tracker.db, tracker.today)


def fill_mum(mum: Tracker) -> None:
    mum.ok("log", "2026-08-20", "--units", "200", "--site", "a:100", "--note", "mum's")
    mum.ok("pain", "6", "--date", "2026-08-19")
    mum.ok("effect", "headache", "--date", "2026-08-22")
    mum.ok("book", "2026-11-30", "--time", "10:00")
    mum.ok("plan", "--every", "4")


READS = [
    ("history", "--json"),
    ("diary", "--json"),
    ("effects", "--json"),
    ("appointments", "--all", "--json"),
    ("changes", "--json"),
    ("due", "--json"),
    ("review", "--json"),
    ("plan", "--json"),
    ("export", "--format", "json"),
]


def test_with_one_patient_nothing_changes_and_the_default_is_listed(tracker):
    tracker.ok("log", "2026-11-24")
    assert json.loads(tracker.ok("patients", "--json").stdout)[0]["patient"] == "default"
    tracker.ok("plan", "--name", "Sam")
    assert "Sam" in tracker.ok("patients").stdout
    assert as_patient(tracker, "Sam").json("history")[0]["date"] == "2026-11-24"


def test_no_command_shows_or_changes_another_patients_records(tracker):
    tracker.ok("patients", "add", "Me")
    tracker.ok("patients", "add", "Mum")
    mum = as_patient(tracker, "Mum")
    fill_mum(mum)
    before = {args: mum.ok(*args).stdout for args in READS if args[0] != "export"}
    me = as_patient(tracker, "Me")
    assert me.json("history") == [] and me.json("diary") == [] and me.json("effects") == []
    assert me.json("appointments", "--all") == [] and me.json("changes") == []
    assert me.json("due")["status"] == "none" and me.json("plan")["every_months"] == 3
    exported = json.loads(me.ok("export").stdout)
    assert not any(exported[k] for k in ("injections", "pain", "effects", "appointments"))
    # Mum's ids do not reach her records from another patient.
    me.fails("edit", "1", "--units", "1")
    me.fails("delete", "1", "--yes")
    me.fails("effect", "resolve", "1")
    me.fails("cancel", "1")
    assert "nothing left to undo" in me.fails("undo").stderr
    # The same date is free for another patient; writes stay theirs.
    me.ok("log", "2026-08-20")
    me.ok("pain", "2")
    me.ok("plan", "--within", "30")
    after = {args: mum.ok(*args).stdout for args in READS if args[0] != "export"}
    assert after == before


def test_an_unknown_patient_is_an_error_listing_the_known_ones_and_creates_nothing(tracker):
    tracker.ok("patients", "add", "Mum")
    tracker.ok("patients", "add", "Dad")
    result = tracker.fails("--patient", "Mun", "log", "2026-11-24")
    assert "no patient called 'Mun'" in result.stderr and "Dad, Mum" in result.stderr
    assert "tracker patients add" in result.stderr
    assert [p["patient"] for p in json.loads(tracker.ok("patients", "--json").stdout)] == [
        "Mum",
        "Dad",
    ]
    assert as_patient(tracker, "Mum").json("history") == []


def test_the_option_wins_over_the_environment_variable(tracker):
    from click.testing import CliRunner

    from tracker.cli import cli

    tracker.ok("patients", "add", "Mum")
    tracker.ok("patients", "add", "Dad")
    env = {"TRACKER_DB": tracker.db, "TRACKER_TODAY": "2026-11-25", "TRACKER_PATIENT": "Dad"}
    runner = CliRunner()
    assert runner.invoke(cli, ["log", "2026-11-01"], env=env).exit_code == 0
    assert runner.invoke(cli, ["--patient", "Mum", "log", "2026-11-02"], env=env).exit_code == 0
    assert as_patient(tracker, "Dad").json("history")[0]["date"] == "2026-11-01"
    assert as_patient(tracker, "Mum").json("history")[0]["date"] == "2026-11-02"


def test_patients_add_rename_and_remove(tracker):
    assert "Added patient 'Mum'" in tracker.ok("patients", "add", "Mum", "--every", "4").stdout
    tracker.ok("patients", "add", "Dad")
    assert as_patient(tracker, "Mum").json("plan")["every_months"] == 4
    assert "already a patient called" in tracker.fails("patients", "add", "Mum").stderr
    tracker.fails("patients", "add", "Mum2", "--every", "0")
    tracker.ok("patients", "rename", "Mum", "Ann")
    assert "no patient called 'Mum'" in tracker.fails("patients", "rename", "Mum", "X").stderr
    ann = as_patient(tracker, "Ann")
    ann.ok("log", "2026-11-01")
    assert "--with-records" in tracker.fails("patients", "remove", "Ann").stderr
    assert len(ann.json("history")) == 1
    removed = tracker.ok("patients", "remove", "Ann", "--with-records", "--yes").stdout
    assert "and 1 record(s)" in removed
    assert [p["patient"] for p in json.loads(tracker.ok("patients", "--json").stdout)] == ["Dad"]
    assert "only patient" in tracker.fails("patients", "remove", "Dad", "--yes").stderr


@pytest.mark.parametrize(("today", "code"), [("2026-11-01", 0), ("2026-11-06", 1)])
def test_due_all_lists_every_patient_overdue_first_and_check_flags_any(tracker, today, code):
    for name in ("Me", "Mum", "Dad"):
        tracker.ok("patients", "add", name)
    as_patient(tracker, "Me").ok("log", "2026-08-20", today=today)  # due 2026-11-20
    as_patient(tracker, "Mum").ok("log", "2026-07-01", today=today)  # due 2026-10-01
    rows = tracker.json("due", "--all", today=today)
    assert [r["patient"] for r in rows] == ["Mum", "Me", "Dad"]
    assert rows[0]["status"] == "overdue" and rows[2]["status"] == "none"
    result = tracker("due", "--all", "--check", today=today)
    assert result.exit_code == 1  # Mum is overdue either way
    tracker.ok("patients", "remove", "Mum", "--with-records", "--yes")
    assert tracker("due", "--all", "--check", today=today).exit_code == code
    out = tracker.ok("due", "--all", today=today).stdout
    assert out.splitlines()[0].split()[:3] == ["PATIENT", "STATUS", "NEXT"]


def test_an_open_serious_or_emergency_effect_marks_the_patient_and_fails_the_check(tracker):
    today = "2026-11-25"
    for name in ("Mum", "Dad", "Sam"):
        tracker.ok("patients", "add", name)
    as_patient(tracker, "Sam").ok("log", "2026-11-01", today=today)  # nobody is due
    mum, dad = as_patient(tracker, "Mum"), as_patient(tracker, "Dad")
    mum.ok("log", "2026-11-02", today=today)
    mum.ok("effect", "double vision", "--date", "2026-11-10", today=today)
    mum.ok("effect", "trouble swallowing", "--date", "2026-11-20", today=today)
    mum.ok("effect", "headache", "--date", "2026-11-21", today=today)  # common: no mark
    dad.ok("effect", "difficulty breathing", "--date", "2026-11-03", today=today)
    dad.ok("effect", "resolve", "4", "--date", "2026-11-04", today=today)  # resolved: no mark
    assert tracker("due", "--all", "--check", today=today).exit_code == 1

    rows = tracker.json("due", "--all", today=today)
    assert [r["patient"] for r in rows] == ["Mum", "Sam", "Dad"]  # safety first
    assert [(e["class"], e["text"], e["date"]) for e in rows[0]["open_safety_effects"]] == [
        ("emergency", "trouble swallowing", "2026-11-20"),
        ("serious", "double vision", "2026-11-10"),
    ]
    assert rows[1]["open_safety_effects"] == rows[2]["open_safety_effects"] == []
    out = tracker.ok("due", "--all", today=today).stdout
    (mum_line,) = [line for line in out.splitlines() if line.startswith("Mum")]
    assert mum_line.endswith(
        "! EMERGENCY: trouble swallowing (since 2026-11-20); "
        "SERIOUS: double vision (since 2026-11-10)"
    )
    assert "1 patient has an open serious or emergency side effect" in out

    listed = tracker.ok("patients", today=today).stdout
    assert "! EMERGENCY: trouble swallowing (since 2026-11-20)" in listed
    as_json = json.loads(tracker.ok("patients", "--json", today=today).stdout)
    assert [len(p["open_safety_effects"]) for p in as_json] == [2, 0, 0]  # Mum, Dad, Sam

    mum.ok("effect", "resolve", "1", today=today)
    mum.ok("effect", "resolve", "2", today=today)
    assert tracker("due", "--all", "--check", today=today).exit_code == 0
    assert "!" not in tracker.ok("due", "--all", today=today).stdout


def test_an_old_single_patient_database_keeps_its_records_for_the_default_patient(tmp_path):
    from alembic import command
    from sqlalchemy import create_engine

    from tracker.store import migrate

    path = tmp_path / "old.db"
    config = migrate.alembic_config()
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0004")
        connection.exec_driver_sql(
            "INSERT INTO injection_sessions (id, date, product, units) "
            "VALUES (1, '2026-08-25', 'botox', 200)"
        )
        connection.exec_driver_sql("INSERT INTO plan VALUES (1, 4, 21, 'Sam Patient')")
    engine.dispose()
    tracker = Tracker(str(path))
    assert tracker.json("plan") == {
        "every": "4m",
        "every_months": 4,
        "within_days": 21,
        "name": "Sam Patient",
    }
    assert as_patient(tracker, "Sam Patient").json("history")[0]["units"] == 200
