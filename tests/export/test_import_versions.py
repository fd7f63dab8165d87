"""`tracker import` of both export versions (issue 16): version 2 with treatments, and real
version 1 files made by the tracker before treatments; restores, merges per treatment and
date, and bad treatment data refused whole. Through the real CLI, on SQLite and PostgreSQL."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import Tracker, create_database
from tests.export.treatment_files import (
    B12,
    BOTOX,
    V1_CLINIC,
    V1_NAMED,
    V1_UNNAMED,
    exported,
    session,
    two_treatments,
    write,
)


def export(tracker: Tracker) -> bytes:
    return tracker.ok("export", "--format", "json").stdout_bytes


def exported_data(tracker: Tracker) -> dict[str, Any]:
    return json.loads(export(tracker))


def sessions(data: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(s["date"], s["treatment"], s["product"]) for s in data["injections"]]


def _execute(location: str, sql: str) -> None:
    url = location if "://" in location else f"sqlite:///{location}"
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(text(sql))
    finally:
        engine.dispose()


# --- version 2: restore ---------------------------------------------------------


def test_a_restore_of_several_treatments_is_lossless(tracker, tmp_path):
    document = two_treatments()
    document["treatments"][0] = {**BOTOX, "id": 5}  # the file's ids, not this database's
    document["treatments"][1] = {**B12, "id": 9}
    result = tracker.ok("import", write(tmp_path, document))
    assert result.stdout == "Imported 5 injections, 2 pain entries, 1 side effect, 1 appointment.\n"
    assert export(tracker) == exported(document)
    # Importing it again adds nothing, and the next treatment gets a new id.
    tracker.ok("import", write(tmp_path, document))
    assert export(tracker) == exported(document)


def test_a_restore_matches_each_sessions_treatment_by_name_whatever_its_case(tracker, tmp_path):
    document = two_treatments()
    document["injections"][3]["treatment"] = "b 12"
    tracker.ok("import", write(tmp_path, document))
    assert [s["treatment"] for s in exported_data(tracker)["injections"]] == [
        "botox",
        "botox",
        "B12",
        "B12",  # stored in the treatment "B12": its name is the treatment's
        "B12",
    ]


def test_a_restore_without_treatments_leaves_the_patient_none(tracker, tmp_path):
    document = {**two_treatments(), "treatments": [], "injections": []}
    tracker.ok("import", write(tmp_path, document))
    assert export(tracker) == exported(document)


def test_a_restore_into_a_named_patient_asks_before_taking_the_files_treatments(tracker, tmp_path):
    tracker.ok("patients", "add", "Kim")
    path = write(tmp_path, two_treatments())
    result = tracker.fails("import", path)
    assert result.stderr == (
        "Error: importing this file would give 'Kim' the file's treatments ('botox' every 3 "
        "months, 'B12' every 28 days); nothing was imported (run it in a terminal to be "
        "asked, or add --yes to agree)\n"
    )
    assert exported_data(tracker)["treatments"] == [{**BOTOX, "id": 2}]
    result = tracker.ok("import", path, "--yes")
    assert "Gave 'Kim' the file's treatments ('botox' every 3 months, 'B12' every 28 days)." in (
        result.stdout
    )
    assert export(tracker) == exported(two_treatments())


# --- version 2: merge -------------------------------------------------------------


def test_a_merge_puts_each_session_into_its_treatment_and_adds_missing_ones(tracker, tmp_path):
    tracker.ok("plan", "--every", "4")  # the patient's Botox plan stays theirs
    tracker.ok(
        "log",
        "2026-03-02",
        "--units",
        "200",
        "--site",
        "left lumbar paraspinal:100",
        "--site",
        "right lumbar paraspinal:100",
    )
    document = two_treatments()
    document["treatments"][0] = {**BOTOX, "name": "BOTOX"}  # the same, case aside
    for item in document["injections"]:
        item["treatment"] = item["treatment"].replace("botox", "BOTOX")
    result = tracker.ok("import", write(tmp_path, document))
    assert result.stdout == (
        "Imported 4 injections, 2 pain entries, 1 side effect, 1 appointment. "
        "1 record(s) were already there and were skipped.\n"
    )
    data = exported_data(tracker)
    assert data["treatments"] == [{**BOTOX, "every": "4m"}, {**B12, "id": 2}]
    assert sessions(data) == [
        ("2026-03-02", "botox", "botox"),
        ("2026-06-01", "botox", "botox"),
        ("2026-06-01", "B12", "hydroxocobalamin"),
        ("2026-06-29", "B12", "hydroxocobalamin"),
        ("2026-07-27", "B12", "hydroxocobalamin"),
    ]
    # Twice adds nothing; undo takes the whole import back, the new treatment too.
    tracker.ok("import", write(tmp_path, document))
    assert exported_data(tracker)["injections"] == data["injections"]
    undone = tracker.ok("undo").stdout
    assert "removed treatment #2" in undone
    after = exported_data(tracker)
    assert after["treatments"] == [{**BOTOX, "every": "4m"}]
    assert sessions(after) == [("2026-03-02", "botox", "botox")]
    assert tracker.ok("check").stdout.startswith("No problems found")


def test_twins_are_per_treatment_and_date(tracker, tmp_path):
    # A B12 session on a date the patient has a Botox session: not a twin, not a conflict.
    tracker.ok("log", "2026-06-01", "--units", "200", "--site", "left lumbar paraspinal:100")
    document = two_treatments()
    document["injections"] = [session(1, "2026-06-01", "B12", "hydroxocobalamin", 1)]
    tracker.ok("import", write(tmp_path, document))
    assert sessions(exported_data(tracker)) == [
        ("2026-06-01", "botox", "botox"),
        ("2026-06-01", "B12", "hydroxocobalamin"),
    ]


def test_a_different_session_on_a_date_its_treatment_has_is_a_conflict(tracker, tmp_path):
    tracker.ok("log", "2026-06-01", "--units", "150")
    before = export(tracker)
    result = tracker.fails("import", write(tmp_path, two_treatments()))
    assert result.stderr == (
        "Error: the file has a different injection session on 2026-06-01, a date that "
        "already has session #1; nothing was imported\n"
    )
    assert export(tracker) == before


# --- version 1: real files of the tracker before treatments -------------------------


def test_a_version_1_restore_makes_one_treatment_named_after_the_latest_product(tracker, tmp_path):
    result = tracker.ok("import", str(V1_NAMED))
    assert (
        result.stdout == "Imported 3 injections, 3 pain entries, 1 side effect, 2 appointments.\n"
    )
    data = exported_data(tracker)
    old = json.loads(V1_NAMED.read_bytes())
    assert data["version"] == 2
    # As migration 0008 names a patient's plan: after the product of the latest session.
    assert data["treatments"] == [
        {"id": 1, "name": "dysport", "product": "dysport", "every": "4m", "within_days": 21,
         "sites": []}
    ]  # fmt: skip
    assert data["plan"] == old["plan"] == {"every_months": 4, "within_days": 21}
    assert [s["treatment"] for s in data["injections"]] == ["dysport"] * 3
    assert [{k: v for k, v in s.items() if k != "treatment"} for s in data["injections"]] == (
        old["injections"]
    )
    for kind in ("pain", "effects", "appointments", "changes", "patient"):
        assert data[kind] == old[kind], kind
    # The old change log still undoes: the cancelled appointment is booked again.
    assert "Undid 'cancel'" in tracker.ok("undo").stdout
    assert tracker.ok("check").stdout.startswith("No problems found")
    # Exported as version 2 it restores exactly into another database.
    again = Tracker(str(tmp_path / "again.db"))
    new = export(tracker)
    again.ok("import", write(tmp_path, json.loads(new), "new.json"))
    assert export(again) == new


def test_a_version_1_restore_of_the_unnamed_patient_is_botox(tracker):
    tracker.ok("import", str(V1_UNNAMED))
    data = exported_data(tracker)
    assert data["treatments"] == [BOTOX]
    assert sessions(data) == [("2026-05-04", "botox", "botox"), ("2026-08-10", "botox", "botox")]
    assert data["patient"]["name"] is None


def test_a_version_1_file_without_sessions_restores_as_botox(tracker, tmp_path):
    old = json.loads(V1_NAMED.read_bytes())
    document = {**old, "injections": [], "changes": []}
    tracker.ok("import", write(tmp_path, document))
    data = exported_data(tracker)
    assert data["treatments"] == [{**BOTOX, "every": "4m", "within_days": 21}]


def test_a_version_1_merge_goes_into_the_pain_treatment(tracker):
    tracker.ok("log", "2026-05-04", "--units", "150")  # the file's first session: a twin
    tracker.ok("plan", "--within", "10")
    result = tracker.ok("import", str(V1_UNNAMED))
    assert result.stdout == (
        "Imported 1 injection, 1 pain entry. 1 record(s) were already there and were skipped.\n"
    )
    data = exported_data(tracker)
    assert data["treatments"] == [{**BOTOX, "within_days": 10}]  # the patient's plan stays
    assert sessions(data) == [("2026-05-04", "botox", "botox"), ("2026-08-10", "botox", "botox")]
    assert tracker.ok("import", str(V1_UNNAMED)).stdout.startswith("Nothing new to import.")


def test_a_version_1_merge_into_a_patient_without_treatments_makes_the_files(tracker):
    tracker.ok("pain", "5", "--date", "2026-11-01")
    _execute(tracker.db, "DELETE FROM treatments")  # as after removing the only one
    tracker.ok("import", str(V1_NAMED))
    data = exported_data(tracker)
    assert [(t["name"], t["every"], t["within_days"]) for t in data["treatments"]] == [
        ("dysport", "4m", 21)
    ]
    assert [s["treatment"] for s in data["injections"]] == ["dysport"] * 3
    assert "removed treatment" in tracker.ok("undo").stdout
    assert exported_data(tracker)["treatments"] == []


def _v1(change: Callable[[dict[str, Any]], None]) -> Callable[[], dict[str, Any]]:
    def made() -> dict[str, Any]:
        document = json.loads(V1_NAMED.read_bytes())
        change(document)
        return document

    return made


def _v2(change: Callable[[dict[str, Any]], None]) -> Callable[[], dict[str, Any]]:
    def made() -> dict[str, Any]:
        document = copy.deepcopy(two_treatments())
        change(document)
        return document

    return made


def _setter(*path: Any) -> Callable[[dict[str, Any]], None]:
    *inside, last = path[:-1]
    value = path[-1]

    def change(document: dict[str, Any]) -> None:
        target: Any = document
        for key in inside:
            target = target[key]
        if value is _DELETE:
            del target[last]
        else:
            target[last] = value

    return change


_DELETE = object()

BAD_FILES = [
    # version 1
    (
        "v1 unknown product",
        _v1(_setter("injections", 1, "product", "botax")),
        "injections[1].product: expected one of botox, dysport, xeomin, myobloc, other, "
        "got 'botax'",
    ),
    (
        "v1 session with a treatment",
        _v1(_setter("injections", 2, "treatment", "botox")),
        "injections[2]: unknown field 'treatment'",
    ),
    (
        "v1 with treatments",
        _v1(_setter("treatments", [])),
        "the export: unknown field 'treatments'",
    ),
    (
        "v1 plan without months",
        _v1(_setter("plan", "every_months", None)),
        "plan.every_months: expected a whole number from 1 to 24, got null",
    ),
    # version 2: the sessions
    (
        "session without a treatment",
        _v2(_setter("injections", 1, "treatment", _DELETE)),
        "injections[1]: missing field 'treatment'",
    ),
    (
        "session of no listed treatment",
        _v2(_setter("injections", 3, "treatment", "insulin")),
        "injections[3].treatment: 'insulin' is not one of the file's treatments ('botox', 'B12')",
    ),
    (
        "session treatment empty",
        _v2(_setter("injections", 0, "treatment", " ")),
        "injections[0].treatment: the treatment name is empty",
    ),
    (
        "session treatment not text",
        _v2(_setter("injections", 0, "treatment", 7)),
        "injections[0].treatment: expected text, got 7",
    ),
    (
        "two sessions of a treatment on one day",
        _v2(_setter("injections", 4, "date", "2026-06-29")),
        "injections[4].date: a second session on 2026-06-29 (injections[3])",
    ),
    # version 2: the treatments
    (
        "no treatments",
        _v2(_setter("treatments", _DELETE)),
        "the export: missing field 'treatments'",
    ),
    ("treatments not a list", _v2(_setter("treatments", {})), "treatments: expected a list"),
    ("treatment not an object", _v2(_setter("treatments", 1, 3)), "treatments[1]: expected an"),
    (
        "treatment without a name",
        _v2(_setter("treatments", 1, "name", _DELETE)),
        "treatments[1]: missing field 'name'",
    ),
    (
        "treatment with another field",
        _v2(_setter("treatments", 1, "colour", "red")),
        "treatments[1]: unknown field 'colour'",
    ),
    (
        "empty name",
        _v2(_setter("treatments", 1, "name", "")),
        "treatments[1].name: the treatment name is empty",
    ),
    (
        "name twice",
        _v2(_setter("treatments", 1, "name", "Bo tox")),
        "treatments[1].name: 'Bo tox' is the name of treatments[0] too",
    ),
    ("id twice", _v2(_setter("treatments", 1, "id", 1)), "treatments[1].id: 1 is also the id"),
    ("id zero", _v2(_setter("treatments", 0, "id", 0)), "treatments[0].id: expected a whole"),
    ("interval 0d", _v2(_setter("treatments", 1, "every", "0d")), "treatments[1].every: "),
    ("interval 25m", _v2(_setter("treatments", 1, "every", "25m")), "treatments[1].every: "),
    ("interval 3x", _v2(_setter("treatments", 1, "every", "3x")), "treatments[1].every: "),
    ("interval -2w", _v2(_setter("treatments", 1, "every", "-2w")), "treatments[1].every: "),
    (
        "interval a number",
        _v2(_setter("treatments", 1, "every", 3)),
        "treatments[1].every: expected an interval like '3m' or '12w', got 3",
    ),
    (
        "toxin below 12 weeks",
        _v2(_setter("treatments", 0, "every", "8w")),
        "treatments[0].every: an injection every 8 weeks can come sooner than",
    ),
    (
        "window too long",
        _v2(_setter("treatments", 1, "within_days", 400)),
        "treatments[1].within_days: expected a whole number from 0 to 365, got 400",
    ),
    ("no product", _v2(_setter("treatments", 1, "product", "")), "treatments[1].product"),
    (
        "sites not a list",
        _v2(_setter("treatments", 1, "sites", "left thigh")),
        "treatments[1].sites: expected a list, got 'left thigh'",
    ),
    (
        "site with a comma",
        _v2(_setter("treatments", 1, "sites", ["left thigh, right thigh"])),
        "treatments[1].sites[0]: a site's name cannot hold a ','",
    ),
    (
        "site twice",
        _v2(_setter("treatments", 1, "sites", ["left thigh", "Left Thigh"])),
        "treatments[1].sites: the site 'Left Thigh' is listed twice",
    ),
    (
        "site with a colon",
        _v2(_setter("treatments", 1, "sites", ["thigh:2"])),
        "treatments[1].sites: the site 'thigh:2' has a ':'",
    ),
    (
        "site not text",
        _v2(_setter("treatments", 1, "sites", [None])),
        "treatments[1].sites[0]: expected a site's name, got null",
    ),
    # version 2: the plan
    (
        "plan not the pain treatment's",
        _v2(_setter("plan", "every_months", 4)),
        "plan: expected the plan of its pain treatment 'botox' (every_months 3, within_days "
        "14), got every_months 4, within_days 14",
    ),
    (
        "plan of a toxin in weeks",
        _v2(_setter("treatments", 0, "every", "13w")),
        "plan: expected the plan of its pain treatment 'botox' (every_months null",
    ),
    (
        "a product undo could bring back",
        _v2(
            _setter(
                "changes",
                [
                    {
                        "id": 1,
                        "batch": 1,
                        "at": "2026-11-20T10:00:00+00:00",
                        "command": "edit",
                        "action": "update",
                        "kind": "injection",
                        "record_id": 1,
                        "old": {
                            "date": "2026-03-02",
                            "product": "plutonium",
                            "units": 200,
                            "sites": [],
                            "provider": None,
                            "lot": None,
                            "note": None,
                            "treatment_id": 1,
                        },
                        "new": None,
                        "undo_of": None,
                    }
                ],
            )
        ),
        "changes[0].old.product: expected one of botox, dysport, xeomin, myobloc, other or a "
        "product of the file's sessions or treatments, got 'plutonium'",
    ),
]


@pytest.mark.parametrize("into", ["an empty database", "a database with records"])
def test_bad_treatment_data_is_one_error_naming_the_place_and_nothing_is_imported(
    tracker, tmp_path, into
):
    create_database(tracker.db)
    if into != "an empty database":
        tracker.ok("log", "2025-01-06", "--units", "100")
    before = tracker.ok("export", "--format", "json", "--since", "1900-01-01").stdout
    for name, made, message in BAD_FILES:
        path = write(tmp_path, made(), f"{name.replace(' ', '_')}.json")
        result = tracker.fails("import", path)
        assert result.stderr.startswith(f"Error: {message}"), (name, result.stderr)
    after = tracker.ok("export", "--format", "json", "--since", "1900-01-01").stdout
    assert after == before
    assert len(tracker.json("changes")) == (0 if into == "an empty database" else 1)


def test_every_bad_file_above_is_good_without_its_one_change(tracker, tmp_path):
    """The files above differ from good ones only where their message says."""
    tracker.ok("import", str(V1_NAMED))
    other = Tracker(str(tmp_path / "other.db"))
    other.ok("import", write(tmp_path, two_treatments()))


def test_a_session_of_a_product_tracker_knows_no_rules_for_may_be_in_the_change_log(
    tracker, tmp_path
):
    document = two_treatments()
    document["changes"] = [
        {
            "id": 1,
            "batch": 1,
            "at": "2026-11-20T10:00:00+00:00",
            "command": "edit",
            "action": "update",
            "kind": "injection",
            "record_id": 3,
            "old": {**_snapshot(document["injections"][2]), "treatment_id": 2},
            "new": None,
            "undo_of": None,
        }
    ]  # fmt: skip
    tracker.ok("import", write(tmp_path, document))
    assert export(tracker) == exported(document)


def _snapshot(record: dict[str, Any]) -> dict[str, Any]:
    """A session as the change log keeps it: no id, its treatment by id."""
    return {key: value for key, value in record.items() if key not in ("id", "treatment")}


# --- whole-clinic files ---------------------------------------------------------------


def test_clinic_files_of_either_version_are_refused_with_the_way_to_import(tracker, tmp_path):
    clinic = json.loads(V1_CLINIC.read_bytes())
    newer = {**clinic, "version": 2, "patients": [two_treatments()]}
    for path in (str(V1_CLINIC), write(tmp_path, newer)):
        result = tracker.fails("import", path)
        assert "is a whole-clinic export (tracker export --all)" in result.stderr
    assert tracker.json("history") == []


def test_each_patient_of_a_clinic_export_imports_on_its_own(tracker, tmp_path):
    source = Tracker(str(tmp_path / "clinic.db"))
    source.ok("import", write(tmp_path, two_treatments()))
    source.ok("patients", "add", "Lou")
    source.ok("--patient", "Lou", "log", "2026-10-01", "--units", "100")
    clinic = json.loads(source.ok("export", "--all", "--format", "json").stdout_bytes)
    kim, lou = clinic["patients"]
    tracker.ok("import", write(tmp_path, kim, "kim.json"))
    assert export(tracker) == exported(kim)
    other = Tracker(str(tmp_path / "lou.db"))
    other.ok("import", write(tmp_path, lou, "lou.json"))
    # Her change log now names her as this database's patient #1 (never another's).
    again = exported_data(other)
    assert [c["new"]["patient_id"] for c in again["changes"]] == [1]
    assert {**again, "changes": []} == {**lou, "changes": []}
