"""Undo and import never move, rename or corrupt records (issue 13, points 3, 5, 7, 12, 13)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import Tracker
from tracker.store.location import to_url


def _execute(db: str, sql: str, **params: Any) -> None:
    """A hand edit with an SQL tool, as a user (or an attacker) would make one."""
    engine = create_engine(to_url(db))
    try:
        with engine.begin() as connection:
            connection.execute(text(sql), params)
    finally:
        engine.dispose()


def _mum_export(tmp_path: Path) -> Path:
    """Mum's records, exported from a database where she is patient 3."""
    source = Tracker(str(tmp_path / "source.db"))
    source.ok("patients", "add", "Zed")  # takes the place of the new database's unnamed one
    source.ok("patients", "add", "Yan")
    source.ok("patients", "add", "Mum")
    source.ok("--patient", "Mum", "log", "2026-11-01", "--units", "100", "--note", "first")
    source.ok("--patient", "Mum", "edit", "1", "--units", "150", "--note", "fixed")
    source.ok("--patient", "Mum", "pain", "4")
    path = tmp_path / "mum.json"
    source.ok("--patient", "Mum", "export", "--format", "json", "-o", str(path))
    assert {change["new"]["patient_id"] for change in json.loads(path.read_text())["changes"]} == {
        3
    }
    return path


def test_undo_after_an_import_never_moves_records_to_another_patient(tracker, tmp_path):
    export = _mum_export(tmp_path)
    tracker.ok("import", str(export))  # Mum is patient 1 here
    tracker.ok("patients", "add", "Zed")
    tracker.ok("patients", "add", "Dad")  # patient 3 here: the file's id for Mum
    tracker.ok("--patient", "Dad", "log", "2026-11-02", "--units", "50")
    assert "Undid 'pain'" in tracker.ok("--patient", "Mum", "undo").stdout
    assert "Undid 'edit'" in tracker.ok("--patient", "Mum", "undo").stdout
    mum = tracker.json("--patient", "Mum", "history")
    assert [(r["date"], r["units"], r["note"]) for r in mum] == [("2026-11-01", 100, "first")]
    dad = tracker.json("--patient", "Dad", "history")
    assert [(r["date"], r["units"]) for r in dad] == [("2026-11-02", 50)]
    assert "Undid 'log'" in tracker.ok("--patient", "Mum", "undo").stdout
    assert tracker.json("--patient", "Mum", "history") == []
    assert len(tracker.json("--patient", "Dad", "history")) == 1
    assert "nothing left to undo" in tracker.fails("--patient", "Mum", "undo").stderr
    # The imported log names this database's Mum, never the file's patient 3.
    changes = tracker.json("--patient", "Mum", "changes")
    assert {c["new"]["patient_id"] for c in changes if c["new"] and "patient_id" in c["new"]} == {1}
    assert tracker.ok("check").stdout.startswith("No problems found")


# --- point 5: crafted change logs ----------------------------------------------------

_EDIT = 1  # changes[1] of _mum_export's file: the edit, whose old values undo writes back
_CRAFTED_RECORD_VALUES = [
    ("units", -5),
    ("units", "200"),
    ("units", 1e308),
    ("product", "plutonium"),
    ("date", "0001-01-01"),
    ("date", "garbage"),
    ("date", "2026-06-02 00:00:00"),
    ("date", "2027-01-01"),
    ("note", "\x1b[2Jcleared"),
    ("provider", "x" * 501),
    ("sites", [{"muscle": "a", "units": "lots"}]),
    ("sites", [{"muscle": "a", "units": 500}]),
    ("patient_id", "Dad"),
    ("extra", 1),
]


@pytest.mark.parametrize(("field", "value"), _CRAFTED_RECORD_VALUES)
def test_an_import_refuses_a_change_log_entry_undo_could_not_write_back(
    tracker, tmp_path, field, value
):
    export = _mum_export(tmp_path)
    data = json.loads(export.read_text())
    data["changes"][_EDIT]["old"][field] = value
    export.write_text(json.dumps(data))
    error = tracker.fails("import", str(export)).stderr
    assert error.startswith(f"Error: changes[{_EDIT}].old"), error
    assert tracker.json("history") == []
    assert tracker.json("changes") == []


_CRAFTED_PLANS = [
    ("every_months", 0),
    ("every_months", 100_000),
    ("within_days", -1),
    ("name", "Mum\x1b]0;owned\x07"),
    ("name", "   "),
    ("name", "x" * 501),
]


@pytest.mark.parametrize(("field", "value"), _CRAFTED_PLANS)
def test_an_import_refuses_a_crafted_plan_in_the_change_log(tracker, tmp_path, field, value):
    source = Tracker(str(tmp_path / "source.db"))
    source.ok("plan", "--every", "4", "--name", "Mum")
    source.ok("log", "2026-11-01")
    export = tmp_path / "mum.json"
    source.ok("export", "--format", "json", "-o", str(export))
    data = json.loads(export.read_text())
    data["changes"][0]["old"][field] = value
    export.write_text(json.dumps(data))
    assert tracker.fails("import", str(export)).stderr.startswith("Error: changes[0].old")


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("old_values", '{"units": -5}'),
        ("old_values", "not json"),
        ("old_values", "[1, 2]"),
        ("kind", "dragon"),
        ("action", "explode"),
    ],
)
def test_undo_refuses_a_hand_edited_log_entry_and_changes_nothing(tracker, column, value):
    tracker.ok("log", "2026-11-01", "--units", "100")
    tracker.ok("edit", "1", "--units", "150")
    if column == "old_values" and value.startswith("{"):
        old = tracker.json("changes")[1]["old"]
        value = json.dumps({**old, **json.loads(value)})
    _execute(tracker.db, f"UPDATE changes SET {column} = :value WHERE id = 2", value=value)
    error = tracker.fails("undo").stderr
    assert "cannot undo change #2" in error and "tracker check" in error
    assert tracker.json("history")[0]["units"] == 150


def test_undo_of_a_crafted_plan_is_refused(tracker):
    tracker.ok("plan", "--every", "4", "--name", "Mum")
    for bad in (
        '{"every_months": 0, "name": "x", "within_days": 14}',
        '{"every_months": 3, "name": "M\\u001b[31m", "within_days": 14}',
    ):
        _execute(tracker.db, "UPDATE changes SET old_values = :bad WHERE id = 1", bad=bad)
        assert "cannot undo change #1" in tracker.fails("undo").stderr
    assert "every 4 months" in tracker.ok("plan").stdout


# --- point 7: a named patient is not renamed silently --------------------------------


def test_a_restore_into_a_named_patient_asks_first_and_says_what_it_did(tmp_path, db_url):
    export = _mum_export(tmp_path)
    tracker = Tracker(db_url)
    tracker.ok("patients", "rename", "default", "Dad")
    error = tracker.fails("--patient", "Dad", "import", str(export)).stderr
    assert "would rename patient 'Dad' to 'Mum'" in error and "--yes" in error
    assert [p["patient"] for p in tracker.json("patients")] == ["Dad"]
    assert tracker.json("--patient", "Dad", "history") == []
    done = tracker.ok("--patient", "Dad", "import", str(export), "--yes").stdout
    assert "Renamed patient 'Dad' to 'Mum'." in done
    assert [p["patient"] for p in tracker.json("patients")] == ["Mum"]


def test_a_restore_into_a_new_database_takes_the_files_name_and_plan(tracker, tmp_path):
    export = _mum_export(tmp_path)
    out = tracker.ok("import", str(export)).stdout
    assert "Renamed" not in out
    assert [p["patient"] for p in tracker.json("patients")] == ["Mum"]


# --- point 12: undo blocked by records stored since --------------------------------


def test_undo_brings_a_record_back_under_a_new_id_when_its_id_was_reused(tracker):
    tracker.ok("patients", "add", "Mum")  # takes the unnamed patient's place
    tracker.ok("patients", "add", "Dad")
    tracker.ok("--patient", "Mum", "log", "2026-11-01", "--units", "100")
    tracker.ok("--patient", "Mum", "delete", "1", "--yes")
    tracker.ok("--patient", "Dad", "log", "2026-11-02", "--units", "50")
    # SQLite hands id 1 out again; on PostgreSQL force it, as a hand edit would.
    _execute(tracker.db, "UPDATE injection_sessions SET id = 1 WHERE date = '2026-11-02'")
    assert "Undid 'delete'" in tracker.ok("--patient", "Mum", "undo").stdout
    back = tracker.json("--patient", "Mum", "history")
    assert [(r["date"], r["units"]) for r in back] == [("2026-11-01", 100)]
    assert back[0]["id"] != 1
    dad = tracker.json("--patient", "Dad", "history")
    assert [(r["id"], r["date"]) for r in dad] == [(1, "2026-11-02")]


def test_undo_explains_a_session_now_on_the_same_date(tracker):
    tracker.ok("log", "2026-11-01", "--units", "100")
    tracker.ok("delete", "1", "--yes")
    tracker.ok("log", "2026-11-01", "--units", "50")
    tracker.ok("undo")  # the second log
    tracker.ok("log", "2026-11-01", "--units", "60")
    _execute(tracker.db, "DELETE FROM changes WHERE command = 'log' AND id > 2")
    error = tracker.fails("undo", code=2).stderr
    assert "session #" in error and "2026-11-01" in error and "UNIQUE" not in error
    assert [r["units"] for r in tracker.json("history")] == [60]


def test_undo_explains_a_rename_that_would_collide(tracker):
    tracker.ok("plan", "--name", "Mum")
    tracker.ok("patients", "add", "default")
    error = tracker.fails("--patient", "Mum", "undo").stderr
    assert "another patient has that name" in error and "UNIQUE" not in error
    assert sorted(p["patient"] for p in tracker.json("patients")) == ["Mum", "default"]


# --- point 13: the command line's limits ------------------------------------------------


@pytest.mark.parametrize(
    ("where", "value", "refusal"),
    [
        (("patient", "name"), "x" * 501, "patient.name: the text is too long"),
        (("patient", "name"), "Mum\nDad", "patient.name: the text has a line break"),
        (("injections", 0, "provider"), "p" * 501, "injections[0].provider: the text is too long"),
        (("injections", 0, "lot"), "l\nx", "injections[0].lot: the text has a line break"),
        (("pain", 0, "note"), "n" * 10_001, "pain[0].note: the text is too long"),
    ],
)
def test_an_import_applies_the_command_lines_limits(tracker, tmp_path, where, value, refusal):
    export = _mum_export(tmp_path)
    data = json.loads(export.read_text())
    target = data
    for step in where[:-1]:
        target = target[step]
    target[where[-1]] = value
    export.write_text(json.dumps(data))
    assert tracker.fails("import", str(export)).stderr.startswith(f"Error: {refusal}")
    assert tracker.json("history") == []
