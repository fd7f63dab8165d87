"""`tracker import`: lossless restore, idempotent merge, and files refused whole."""

from __future__ import annotations

import copy
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import TODAY, Tracker
from tests.export.conftest import fill_year
from tracker.services.importer import KINDS, ImportResult, import_file
from tracker.store.database import Database

RECORD_LISTS = ("injections", "pain", "effects", "appointments")


@dataclass(frozen=True)
class Source:
    """The `filled` patient's JSON and CSV exports."""

    json: bytes
    csv: bytes


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Source:
    """Made once, on SQLite, and only read: filling a database takes seconds.

    Every test imports it into its own fresh database, on SQLite and PostgreSQL.
    """
    tracker = fill_year(Tracker(str(tmp_path_factory.mktemp("source") / "tracker.db")))
    return Source(
        json=tracker.ok("export", "--format", "json").stdout_bytes,
        csv=tracker.ok("export", "--format", "csv").stdout_bytes,
    )


@pytest.fixture
def backup(source: Source) -> dict[str, Any]:
    return json.loads(source.json)


def write(folder: Path, document: Any, name: str = "backup.json") -> str:
    path = folder / name
    path.write_bytes(json.dumps(document, ensure_ascii=False).encode())
    return str(path)


def export(tracker: Tracker, today: str | None = None) -> bytes:
    return tracker.ok("export", "--format", "json", today=today).stdout_bytes


def without_generated_at(raw: bytes) -> dict[str, Any]:
    data = json.loads(raw)
    del data["generated_at"]
    return data


def contents(data: dict[str, Any]) -> dict[str, Counter[str]]:
    """Each kind's records without their ids, as a multiset."""
    return {
        kind: Counter(
            json.dumps({k: v for k, v in record.items() if k != "id"}, sort_keys=True)
            for record in data[kind]
        )
        for kind in RECORD_LISTS
    }


def counts_text(data: dict[str, Any]) -> str:
    n = [len(data[kind]) for kind in RECORD_LISTS]
    return (
        f"Imported {n[0]} injections, {n[1]} pain entries, {n[2]} side effects, "
        f"{n[3]} appointments."
    )


# --- restore into an empty database -----------------------------------------


def test_restore_into_an_empty_database_is_lossless(tracker, source, tmp_path):
    path = tmp_path / "backup.json"
    path.write_bytes(source.json)
    result = tracker.ok("import", str(path))
    assert result.stdout.strip() == counts_text(json.loads(source.json))

    # Byte for byte the same file, even on another day, apart from generated_at.
    again = export(tracker, today="2027-01-10")
    assert again.replace(b'"generated_at": "2027-01-10"', b'"generated_at": "2026-11-25"') == (
        source.json
    )
    assert tracker.ok("export", "--format", "csv").stdout_bytes == source.csv
    assert "Patient: Sam Patient" in tracker.ok("plan").stdout

    # Importing the same file again adds nothing.
    total = sum(len(json.loads(source.json)[kind]) for kind in RECORD_LISTS)
    assert tracker.ok("import", str(path)).stdout.strip() == (
        f"Nothing new to import. {total} record(s) were already there and were skipped."
    )
    assert export(tracker) == source.json


def test_a_restored_database_goes_on_with_the_next_ids(tracker, backup, tmp_path):
    # On PostgreSQL the id sequences must be moved past the restored ids.
    tracker.ok("import", write(tmp_path, backup))
    logged = tracker.ok("log", TODAY, "--units", "100", "--site", "left lumbar paraspinal:100")
    assert f"Logged injection #{len(backup['injections']) + 1} " in logged.stdout
    assert tracker.json("pain", "5")["id"] == len(backup["pain"]) + 1
    assert tracker.json("effect", "nausea")["id"] == len(backup["effects"]) + 1
    assert tracker.json("book", "2027-03-01")["id"] == len(backup["appointments"]) + 1
    tracker.ok("edit", str(len(backup["injections"]) + 1), "--site", "right lumbar paraspinal:90")
    tracker.ok("plan", "--within", "21")
    data = json.loads(export(tracker))
    assert data["plan"] == {"every_months": 3, "within_days": 21}
    assert data["injections"][-1]["sites"] == [{"muscle": "right lumbar paraspinal", "units": 90}]


def test_the_result_counts_every_kind_in_a_stable_order(sqlite_tracker, backup, tmp_path):
    path = Path(write(tmp_path, backup))
    database = Database(sqlite_tracker.db)
    try:
        first = import_file(database, path, date.fromisoformat(TODAY))
        second = import_file(database, path, date.fromisoformat(TODAY))
    finally:
        database.close()
    sizes = [len(backup[kind]) for kind in RECORD_LISTS]
    assert first == ImportResult(dict(zip(KINDS, sizes, strict=True)), dict.fromkeys(KINDS, 0))
    assert second == ImportResult(dict.fromkeys(KINDS, 0), dict(zip(KINDS, sizes, strict=True)))
    assert list(first.added) == ["injections", "pain entries", "side effects", "appointments"]


# --- merge into a database with records -------------------------------------


def test_merge_adds_only_what_is_missing_and_keeps_the_plan(tracker, backup, tmp_path):
    # Three records the file also has, made by hand; one the file does not have.
    tracker.ok("plan", "--every", "4", "--name", "Alex")
    tracker.ok(
        "log",
        "2026-03-02",
        "--units",
        "200",
        "--site",
        "left lumbar paraspinal:100",
        "--site",
        "right lumbar paraspinal:100",
        "--provider",
        "Dr Lee",
        "--lot",
        "C0002",
    )
    tracker.ok("pain", "7", "--date", "2025-11-17", "--function", "6")
    tracker.ok("pain", "5", "--date", "2026-11-24", "--note", "only here")
    tracker.ok("effect", "headache", "--date", "2026-03-04", "--severity", "mild")
    tracker.ok("effect", "resolve", "1", "--date", "2026-03-06")
    before = json.loads(export(tracker))

    result = tracker.ok("import", write(tmp_path, backup))
    sizes = [len(backup[kind]) for kind in RECORD_LISTS]
    assert result.stdout.strip() == (
        f"Imported {sizes[0] - 1} injections, {sizes[1] - 1} pain entries, "
        f"{sizes[2] - 1} side effects, {sizes[3]} appointments. "
        "3 record(s) were already there and were skipped."
    )
    after = json.loads(export(tracker))
    # Everything from the file and from before, each once.
    expected = contents(backup)
    for kind in RECORD_LISTS:
        expected[kind] |= contents(before)[kind]
    assert contents(after) == expected
    # The plan and name are the database's own; stored records keep their ids.
    assert after["plan"] == {"every_months": 4, "within_days": 14}
    # Importing another export keeps this patient's own name and UUID.
    assert after["patient"] == before["patient"] and after["patient"]["name"] == "Alex"
    assert backup["patient"]["uuid"] != before["patient"]["uuid"]
    by_date = {i["date"]: i["id"] for i in after["injections"]}
    assert by_date["2026-03-02"] == 1
    assert sorted(by_date.values()) == [1, 2, 3, 4]
    for kind in RECORD_LISTS:
        ids = [record["id"] for record in after[kind]]
        assert len(ids) == len(set(ids)), kind

    # Twice is once.
    again = tracker.ok("import", write(tmp_path, backup))
    assert again.stdout.startswith("Nothing new to import.")
    assert json.loads(export(tracker)) == after


def test_identical_records_in_the_file_are_matched_one_to_one(sqlite_tracker, backup, tmp_path):
    # Two identical diary entries on one day are both real; one already stored leaves one to add.
    sqlite_tracker.ok("pain", "4", "--date", "2026-11-01")
    document = copy.deepcopy(backup)
    twin = {"id": 900, "date": "2026-11-01", "score": 4, "function": None, "note": None}
    document["pain"] += [twin, {**twin, "id": 901}]
    sqlite_tracker.ok("import", write(tmp_path, document))
    diary = sqlite_tracker.json("diary", "--since", "2026-11-01")
    assert [(e["date"], e["score"]) for e in diary if e["date"] == "2026-11-01"] == [
        ("2026-11-01", 4),
        ("2026-11-01", 4),
    ]


def test_another_session_on_a_date_already_taken_stores_nothing(tracker, backup, tmp_path):
    tracker.ok("log", "2026-09-01", "--units", "150")
    before = export(tracker)
    result = tracker.fails("import", write(tmp_path, backup))
    assert "2026-09-01" in result.stderr and "nothing was imported" in result.stderr
    assert export(tracker) == before


# --- files that are refused whole -------------------------------------------

Mutation = Callable[[dict[str, Any]], Any]


def _set(*path: Any) -> Mutation:
    """A change to one field: _set("injections", 3, "date", "x")."""

    def change(document: dict[str, Any]) -> None:
        target = document
        for key in path[:-2]:
            target = target[key]
        target[path[-2]] = path[-1]

    return change


def _delete(*path: Any) -> Mutation:
    def change(document: dict[str, Any]) -> None:
        target = document
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]

    return change


def _duplicate_injection_date(document: dict[str, Any]) -> None:
    document["injections"][1]["date"] = document["injections"][0]["date"]


def _duplicate_pain_id(document: dict[str, Any]) -> None:
    document["pain"][1]["id"] = document["pain"][0]["id"]


# (what is wrong, the change or the file's bytes, a piece of the one-line message)
INVALID: list[tuple[str, Mutation | bytes | None, str]] = [
    ("missing file", None, "there is no file"),
    ("not UTF-8", b"\xff\xfe\x00{", "not UTF-8"),
    ("not JSON", b'{"format": "tracker",', "is not valid JSON"),
    ("empty file", b"", "is not valid JSON"),
    ("not an object", b"[1, 2]", "is not a tracker export"),
    ("huge number", b'{"version": ' + b"1" * 5000 + b"}", "a number too long to read"),
    ("deep nesting", b"[" * 100_000, "nested too deeply"),
    ("repeated key", b'{"format": "tracker", "format": "tracker"}', "'format' appears twice"),
    ("other format", _set("format", "fhir"), "format: expected 'tracker'"),
    ("newer version", _set("version", 3), "version: this tracker reads version 1 and 2"),
    ("version as text", _set("version", "1"), "version: this tracker reads version 1"),
    ("missing list", _delete("pain"), "the export: missing field 'pain'"),
    ("missing field", _delete("injections", 3, "date"), "injections[3]: missing field 'date'"),
    ("unknown field", _set("pain", 0, "mood", "ok"), "pain[0]: unknown field 'mood'"),
    (
        "date in words",
        _set("injections", 3, "date", "yesterday"),
        "injections[3].date: expected an ISO date (YYYY-MM-DD), got 'yesterday'",
    ),
    ("impossible date", _set("pain", 4, "date", "2026-02-30"), "not a real calendar date"),
    ("date and more", _set("pain", 4, "date", "2026-02-03\n"), "expected an ISO date"),
    ("future injection", _set("injections", 0, "date", "2027-01-01"), "is in the future"),
    (
        "units as words",
        _set("injections", 1, "units", "lots"),
        "injections[1].units: expected a positive number, got 'lots'",
    ),
    ("negative units", _set("injections", 1, "units", -5), "units must be a positive number"),
    ("units too large", _set("injections", 1, "units", 10**400), "more than tracker can record"),
    (
        "sites over total",
        _set("injections", 2, "sites", 0, "units", 300),
        "the sites add up to 400 units, more than the session's 200",
    ),
    (
        "sites not a list",
        _set("injections", 0, "sites", "left:100"),
        "injections[0].sites: expected a list, got 'left:100'",
    ),
    ("site without muscle", _set("injections", 0, "sites", 1, "muscle", " "), "a muscle name"),
    ("score 11", _set("pain", 2, "score", 11), "pain[2].score: the pain score must be"),
    ("score as text", _set("pain", 2, "score", "7"), "pain[2].score: expected a whole number"),
    ("score as fraction", _set("pain", 2, "function", 2.5), "pain[2].function: expected a whole"),
    # Since issue 16 a treatment's product may be any name, and so may its sessions';
    # a version 1 file's must be a known one (test_import_versions.py).
    ("no product", _set("injections", 0, "product", " "), "injections[0].product: expected a"),
    ("unknown class", _set("effects", 0, "class", "mild"), "effects[0].class: expected one of"),
    ("unknown severity", _set("effects", 2, "severity", "awful"), "effects[2].severity"),
    ("unknown status", _set("appointments", 1, "status", "maybe"), "appointments[1].status"),
    ("bad time", _set("appointments", 0, "time", "25:00"), "appointments[0].time: '25:00'"),
    ("time and more", _set("appointments", 0, "time", "9:30\n"), "expected a time (HH:MM)"),
    ("odd field name", _set("pain", 0, "a\nb\u2028", 1), "pain[0]: unknown field 'a\\nb\\u2028'"),
    ("resolved too early", _set("effects", 0, "resolved", "2026-03-01"), "is before"),
    ("repeated id", _duplicate_pain_id, "pain[1].id: 1 is also the id of pain[0]"),
    ("two sessions one day", _duplicate_injection_date, "injections[1].date: a second session"),
    ("id zero", _set("appointments", 0, "id", 0), "appointments[0].id: expected a whole number"),
    ("plan out of range", _set("plan", "every_months", 0), "plan.every_months"),
    ("name not text", _set("patient", "name", 42), "patient.name: expected text, got 42"),
    (
        "NUL in a note",
        _set("effects", 1, "note", "a\x00b"),
        "effects[1].note: the text has an invisible or control character",
    ),
    ("record not an object", _set("effects", 1, "x"), "effects[1]: expected an object"),
]


def bad_file(folder: Path, name: str, change: Mutation | bytes | None, backup: dict) -> str:
    path = folder / f"{name.replace(' ', '_')}.json"
    if isinstance(change, bytes):
        path.write_bytes(change)
    elif change is not None:
        document = copy.deepcopy(backup)
        change(document)
        path.write_text(json.dumps(document), encoding="utf-8")
    return str(path)


def test_a_bad_file_changes_nothing_and_names_the_problem(tracker, backup, tmp_path):
    tracker.ok("log", "2026-11-01", "--units", "100")
    before = export(tracker)
    for name, change, message in INVALID:
        result = tracker.fails("import", bad_file(tmp_path, name, change, backup))
        assert message in result.stderr, (name, result.stderr)
    # Once at the end: a change by any of them would still show.
    assert export(tracker) == before


def test_a_bad_file_leaves_an_empty_database_empty(sqlite_tracker, backup, tmp_path):
    # The file fails at its very last record: the restore must not have begun.
    document = copy.deepcopy(backup)
    document["appointments"][-1]["status"] = "maybe"
    sqlite_tracker.fails("import", write(tmp_path, document, "bad.json"))
    sqlite_tracker.ok("import", write(tmp_path, backup))  # still empty: a full restore
    assert "Patient: Sam Patient" in sqlite_tracker.ok("plan").stdout


def test_the_error_line_shows_a_long_bad_value_shortened(sqlite_tracker, backup, tmp_path):
    document = copy.deepcopy(backup)
    document["injections"][0]["date"] = "x" * 500
    stderr = sqlite_tracker.fails("import", write(tmp_path, document)).stderr
    assert len(stderr) < 150 and "…" in stderr
