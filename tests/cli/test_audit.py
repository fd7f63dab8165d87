"""The append-only change log: tracker changes and tracker undo."""

from __future__ import annotations

import json


def test_every_write_is_logged_with_old_and_new_values(tracker):
    tracker.ok("log", "2026-11-24", "--units", "200", "--site", "a:100")
    tracker.ok("edit", "1", "--units", "150", "--note", "fixed")
    tracker.ok("delete", "1", "--yes")
    log = tracker.json("changes")
    assert [(c["command"], c["action"], c["kind"], c["record_id"]) for c in log] == [
        ("log", "insert", "injection", 1),
        ("edit", "update", "injection", 1),
        ("delete", "delete", "injection", 1),
    ]
    assert log[0]["old"] is None
    assert log[0]["new"]["units"] == 200 and log[0]["new"]["sites"] == [
        {"muscle": "a", "units": 100}
    ]
    assert (log[1]["old"]["units"], log[1]["new"]["units"]) == (200, 150)
    assert (log[1]["old"]["note"], log[1]["new"]["note"]) == (None, "fixed")
    assert log[2]["old"]["note"] == "fixed" and log[2]["new"] is None
    assert all(c["at"].endswith("+00:00") for c in log)
    out = tracker.ok("changes").stdout
    assert "units 200 → 150" in out


def test_undo_goes_back_one_command_at_a_time_and_is_itself_logged(tracker):
    tracker.ok("log", "2026-11-24", "--units", "200")
    tracker.ok("pain", "5")
    tracker.ok("edit", "1", "--units", "150")
    assert "Undid 'edit'" in tracker.ok("undo").stdout
    assert tracker.json("history")[0]["units"] == 200
    assert "Undid 'pain'" in tracker.ok("undo").stdout
    assert tracker.json("diary") == []
    assert "Undid 'log'" in tracker.ok("undo").stdout
    assert tracker.json("history") == []
    assert "nothing left to undo" in tracker.fails("undo").stderr
    log = tracker.json("changes")
    undos = [c for c in log if c["command"] == "undo"]
    assert [(c["action"], c["kind"]) for c in undos] == [
        ("update", "injection"),
        ("delete", "pain"),
        ("delete", "injection"),
    ]
    assert {c["undo_of"] for c in undos} == {log[0]["batch"], log[1]["batch"], log[2]["batch"]}


def test_undoing_a_delete_brings_the_session_back_with_its_id_and_sites(tracker):
    tracker.ok(
        "log",
        "2026-11-24",
        "--units",
        "200",
        "--site",
        "a:120",
        "--site",
        "b:80",
        "--provider",
        "Dr Lee",
        "--lot",
        "L1",
        "--note",
        "keep me",
    )
    before = tracker.json("history")
    tracker.ok("delete", "1", "--yes")
    tracker.ok("undo")
    assert tracker.json("history") == before
    tracker.ok("log", "2026-08-24")  # the id sequence still works after the undo
    assert [s["id"] for s in tracker.json("history")] == [2, 1]


def test_undoing_a_log_on_a_booked_date_also_rebooks_the_appointment(tracker):
    tracker.ok("book", "2026-11-25")
    tracker.ok("log", "today")
    assert tracker.json("appointments", "--all")[0]["status"] == "done"
    tracker.ok("undo")
    assert tracker.json("appointments")[0]["status"] == "booked"
    assert tracker.json("history") == []


def test_resolve_cancel_and_plan_are_undoable(tracker):
    tracker.ok("effect", "headache", "--date", "2026-11-20")
    tracker.ok("effect", "resolve", "1")
    tracker.ok("book", "2026-12-20")
    tracker.ok("cancel", "1")
    tracker.ok("plan", "--every", "4")
    tracker.ok("undo")
    assert tracker.json("plan")["every_months"] == 3
    tracker.ok("undo")
    assert tracker.json("appointments")[0]["status"] == "booked"
    tracker.ok("undo")
    tracker.ok("undo")
    assert tracker.json("effects")[0]["resolved"] is None


def test_a_failed_command_logs_nothing(tracker):
    tracker.ok("log", "2026-11-24")
    tracker.fails("log", "2026-11-24")
    tracker.fails("edit", "1", "--units", "0")
    assert len(tracker.json("changes")) == 1


def test_the_json_export_keeps_the_trail_and_import_restores_it(tracker, tmp_path):
    from tests.conftest import Tracker

    tracker.ok("log", "2026-11-24", "--units", "200")
    tracker.ok("edit", "1", "--units", "150")
    exported = tracker.ok("export", "--format", "json").stdout
    assert [c["command"] for c in json.loads(exported)["changes"]] == ["log", "edit"]
    assert (
        json.loads(tracker.ok("export", "--format", "json", "--since", "2026-01-01").stdout)[
            "changes"
        ]
        == []
    )
    backup = tmp_path / "backup.json"
    backup.write_text(exported)
    fresh = Tracker(str(tmp_path / "fresh.db"))
    fresh.ok("import", str(backup))
    assert fresh.ok("export", "--format", "json").stdout == exported
    fresh.ok("undo")  # the restored trail can be undone like the original
    assert fresh.json("history")[0]["units"] == 200


def test_records_added_by_a_merge_import_can_be_undone_together(tracker, tmp_path):
    from tests.conftest import Tracker

    source = Tracker(str(tmp_path / "source.db"))
    source.ok("log", "2026-08-24")
    source.ok("pain", "4")
    backup = tmp_path / "b.json"
    backup.write_text(source.ok("export").stdout)
    tracker.ok("log", "2026-11-24")
    tracker.ok("import", str(backup))
    assert len(tracker.json("history")) == 2
    assert "Undid 'import'" in tracker.ok("undo").stdout
    assert [s["date"] for s in tracker.json("history")] == ["2026-11-24"]
    assert tracker.json("diary") == []


def test_doctor_exports_show_current_values_only(tracker):
    tracker.ok("log", "2026-11-24", "--units", "200", "--note", "first")
    tracker.ok("edit", "1", "--note", "second")
    csv_text = tracker.ok("export", "--format", "csv").stdout
    assert "second" in csv_text and "first" not in csv_text
