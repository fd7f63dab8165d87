"""The JSON and CSV exports, through the real CLI, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Tracker, _postgres_database, create_database
from tests.export.conftest import fill_year
from tracker.domain.treatments import Treatment
from tracker.export import json_export
from tracker.export.csv_export import COLUMNS
from tracker.export.model import TreatmentRecord
from tracker.store.models import (
    Appointment,
    InjectionSession,
    InjectionSite,
    PainEntry,
    Patient,
    SideEffect,
    TreatmentRow,
)

SITES = [
    {"muscle": "left lumbar paraspinal", "units": 100},
    {"muscle": "right lumbar paraspinal", "units": 100},
]
FORMULA_NOTE = "=cmd|' /C calc'!A0"
ONE_TREATMENT = TreatmentRecord(1, Treatment("botox", "botox"))


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def year(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Tracker]:
    """The `filled` patient, made once per backend: the tests here only read it.

    (Filling takes seconds; every test below exports and never writes.)
    """
    if request.param == "sqlite":
        yield fill_year(Tracker(str(tmp_path_factory.mktemp("year") / "tracker.db")))
        return
    with contextmanager(_postgres_database)("year") as url:
        yield fill_year(Tracker(url))


def export_json(tracker: Tracker, *args: str, today: str | None = None) -> dict[str, Any]:
    return json.loads(tracker.ok("export", "--format", "json", *args, today=today).stdout_bytes)


def export_csv(tracker: Tracker, *args: str) -> list[dict[str, str]]:
    data = tracker.ok("export", "--format", "csv", *args).stdout_bytes
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))


# --- JSON -------------------------------------------------------------------


def test_json_is_the_complete_history(year):
    data = export_json(year)
    assert set(data) == {
        "format",
        "version",
        "generated_at",
        "since",
        "until",
        "patient",
        "plan",
        "treatments",
        "injections",
        "pain",
        "effects",
        "appointments",
        "changes",
    }
    assert (data["format"], data["version"], data["generated_at"]) == ("tracker", 2, "2026-11-25")
    assert (data["since"], data["until"]) == (None, None)
    assert data["patient"]["name"] == "Sam Patient"
    assert uuid.UUID(data["patient"]["uuid"]).version == 4
    assert data["plan"] == {"every_months": 3, "within_days": 14}
    assert data["treatments"] == [
        {
            "id": 1,
            "name": "botox",
            "product": "botox",
            "every": "3m",
            "within_days": 14,
            "sites": [],
        }
    ]
    assert data["injections"][0] == {
        "id": 1,
        "date": "2025-12-01",
        "treatment": "botox",
        "product": "botox",
        "units": 200,
        "sites": SITES,
        "provider": "Dr Lee",
        "lot": "C0001",
        "note": None,
    }
    assert [i["date"] for i in data["injections"]] == [
        "2025-12-01",
        "2026-03-02",
        "2026-06-01",
        "2026-09-01",
    ]
    assert data["pain"][0] == {
        "id": 1,
        "date": "2025-11-17",
        "score": 7,
        "function": 6,
        "note": None,
    }
    assert len(data["pain"]) == 94
    assert data["effects"] == [
        {
            "id": 1,
            "date": "2026-03-04",
            "text": "headache",
            "term": "headache",
            "class": "common",
            "severity": "mild",
            "note": None,
            "resolved": "2026-03-06",
        },
        {
            "id": 2,
            "date": "2026-09-03",
            "text": "flu-like symptoms",
            "term": "flu-like symptoms",
            "class": "common",
            "severity": None,  # not stated
            "note": FORMULA_NOTE,
            "resolved": None,
        },
        {
            "id": 3,
            "date": "2026-09-10",
            "text": "drooping eyelids",
            "term": "drooping eyelids",
            "class": "serious",
            "severity": "moderate",
            "note": None,
            "resolved": None,
        },
    ]
    assert data["appointments"] == [
        {
            "id": 1,
            "date": "2026-12-01",
            "time": "09:30",
            "provider": "Dr Lee",
            "note": None,
            "status": "booked",
        },
        {
            "id": 2,
            "date": "2026-12-15",
            "time": None,
            "provider": None,
            "note": "backup slot",
            "status": "cancelled",
        },
    ]


def test_json_has_a_field_for_every_stored_column():
    """A column added to the tables must reach the export, or a backup would lose it."""

    def columns(model: Any, *structural: str) -> set[str]:
        # patient_id is structural too: an export is one patient's.
        return {c.name for c in model.__table__.columns} - {*structural, "patient_id"}

    renamed = {"effect_class": "class", "resolved_on": "resolved", "patient_name": "name"}

    def exported(names: set[str]) -> set[str]:
        return {renamed.get(name, name) for name in names}

    # A session's treatment is written by name ("treatment"), as the file's treatments are.
    assert exported(columns(InjectionSession, "treatment_id")) == {
        "id",
        "date",
        "product",
        "units",
        "provider",
        "lot",
        "note",
    }
    # A site's id, session and position are its place in the session's "sites" list.
    assert columns(InjectionSite, "id", "session_id", "position") == {"muscle", "units"}
    assert exported(columns(PainEntry)) == {"id", "date", "score", "function", "note"}
    assert exported(columns(SideEffect)) == {
        "id",
        "date",
        "text",
        "term",
        "class",
        "severity",
        "note",
        "resolved",
    }
    assert exported(columns(Appointment)) == {"id", "date", "time", "provider", "note", "status"}
    # The patient's id is not data; name and UUID go under "patient". The plan is the
    # treatments' (migration 0008): each treatment's columns are its fields.
    assert exported(columns(Patient, "id")) == {"name", "uuid"}
    assert exported(columns(TreatmentRow)) == set(json_export.treatment(ONE_TREATMENT))


def test_json_bytes_are_sorted_indented_utf8_with_a_final_newline(year):
    raw = year.ok("export", "--format", "json").stdout_bytes
    data = json.loads(raw)
    assert raw == (json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()
    assert b'"units": 200\n' in raw and b"200.0" not in raw


def test_json_keeps_non_ascii_text_and_fractional_units(sqlite_tracker):
    sqlite_tracker.ok("plan", "--name", "Zoë Çelik")
    sqlite_tracker.ok("log", "2026-11-20", "--units", "12.5", "--product", "xeomin")
    sqlite_tracker.ok("pain", "3", "--note", "walked to the café ☕")
    raw = sqlite_tracker.ok("export", "--format", "json").stdout_bytes
    assert "Zoë Çelik".encode() in raw and "café ☕".encode() in raw
    assert b"\\u" not in raw
    assert json.loads(raw)["injections"][0]["units"] == 12.5


def test_only_generated_at_depends_on_the_day_of_the_export(year):
    # Half a year later the due date, cycle days and "persistent" flags all differ;
    # none of them is in the file.
    first = year.ok("export", "--format", "json", today="2026-11-25").stdout_bytes
    later = year.ok("export", "--format", "json", today="2027-06-01").stdout_bytes
    changed = [
        (a, b) for a, b in zip(first.splitlines(), later.splitlines(), strict=True) if a != b
    ]
    assert changed == [(b'  "generated_at": "2026-11-25",', b'  "generated_at": "2027-06-01",')]


def test_an_empty_database_exports_an_empty_history(tracker):
    create_database(tracker.db)  # an empty database: a reading command creates none
    data = export_json(tracker)
    assert data["patient"]["name"] is None
    assert data["plan"] == {"every_months": 3, "within_days": 14}
    assert [data[k] for k in ("injections", "pain", "effects", "appointments")] == [[], [], [], []]
    assert export_csv(tracker) == []


# --- since / until ----------------------------------------------------------

SINCE, UNTIL = "2026-03-05", "2026-12-05"


def test_since_and_until_bound_every_record_type(year):
    everything = export_json(year)
    bounded = export_json(year, "--since", SINCE, "--until", UNTIL)
    assert (bounded["since"], bounded["until"]) == (SINCE, UNTIL)
    assert [i["date"] for i in bounded["injections"]] == ["2026-06-01", "2026-09-01"]
    assert [e["date"] for e in bounded["effects"]] == ["2026-09-03", "2026-09-10"]
    assert [a["date"] for a in bounded["appointments"]] == ["2026-12-01"]
    inside = [p for p in everything["pain"] if SINCE <= p["date"] <= UNTIL]
    assert bounded["pain"] == inside
    assert 0 < len(inside) < len(everything["pain"])
    # Bounding changes which records are listed, never what a record says.
    for kind in ("injections", "effects", "appointments"):
        assert all(record in everything[kind] for record in bounded[kind])


def test_since_and_until_bound_the_csv_the_same_way(year):
    bounded = export_json(year, "--since", SINCE, "--until", UNTIL)
    rows = export_csv(year, "--since", SINCE, "--until", UNTIL)
    kinds = {"injection": "injections", "pain": "pain", "effect": "effects"}
    kinds["appointment"] = "appointments"
    for row_type, kind in kinds.items():
        assert [r["date"] for r in rows if r["type"] == row_type] == [
            record["date"] for record in bounded[kind]
        ], row_type
    assert all(SINCE <= row["date"] <= UNTIL for row in rows)


# --- CSV --------------------------------------------------------------------


def test_csv_has_one_row_per_record_with_the_documented_columns(year):
    raw = year.ok("export", "--format", "csv").stdout_bytes
    assert raw.startswith(b"type,id,date,")  # plain UTF-8: no byte-order mark
    header = raw.split(b"\r\n", 1)[0].decode()
    assert header.split(",") == list(COLUMNS)
    rows = export_csv(year)
    data = export_json(year)
    expected_types = (
        ["injection"] * len(data["injections"])
        + ["pain"] * len(data["pain"])
        + ["effect"] * len(data["effects"])
        + ["appointment"] * len(data["appointments"])
    )
    assert [row["type"] for row in rows] == expected_types
    assert rows[0] == {
        **dict.fromkeys(COLUMNS, ""),
        "type": "injection",
        "id": "1",
        "date": "2025-12-01",
        "product": "botox",
        "units": "200",
        "sites": "left lumbar paraspinal:100; right lumbar paraspinal:100",
        "provider": "Dr Lee",
        "lot": "C0001",
        "treatment": "botox",
    }
    pain = next(row for row in rows if row["type"] == "pain")
    assert {k: v for k, v in pain.items() if v} == {
        "type": "pain",
        "id": "1",
        "date": "2025-11-17",
        "score": "7",
        "function": "6",
    }
    effects = [row for row in rows if row["type"] == "effect"]
    assert [(e["text"], e["class"], e["severity"], e["resolved"]) for e in effects] == [
        ("headache", "common", "mild", "2026-03-06"),
        ("flu-like symptoms", "common", "", ""),  # severity not stated: an empty cell
        ("drooping eyelids", "serious", "moderate", ""),
    ]
    appointments = [row for row in rows if row["type"] == "appointment"]
    assert [
        (a["date"], a["time"], a["provider"], a["status"], a["note"]) for a in appointments
    ] == [
        ("2026-12-01", "09:30", "Dr Lee", "booked", ""),
        ("2026-12-15", "", "", "cancelled", "backup slot"),
    ]


def test_csv_formula_cells_are_neutralised(year):
    rows = export_csv(year)
    flu = next(row for row in rows if row["text"] == "flu-like symptoms")
    assert flu["note"] == "'" + FORMULA_NOTE
    # The JSON is data, not a spreadsheet: it keeps the text as typed.
    assert export_json(year)["effects"][1]["note"] == FORMULA_NOTE


def test_csv_neutralises_every_text_cell_but_no_number(sqlite_tracker):
    t = sqlite_tracker
    t.ok("log", "2026-11-20", "--units", "50", "--site", "-left:50", "--provider", "+Dr Who")
    t.ok("edit", "1", "--note", "@SUM(A1)")
    t.ok("pain", "3", "--function", "0", "--note", "-2 after walking")
    t.ok("effect", "headache", "--note", "\tx")
    t.ok("book", "2026-12-01", "--provider", "=HYPERLINK(1)", "--note", "safe note")
    rows = {row["type"]: row for row in export_csv(t)}
    injection, pain = rows["injection"], rows["pain"]
    assert (injection["sites"], injection["provider"], injection["note"]) == (
        "'-left:50",
        "'+Dr Who",
        "'@SUM(A1)",
    )
    assert (injection["units"], injection["id"]) == ("50", "1")
    assert (pain["note"], pain["score"], pain["function"]) == ("'-2 after walking", "3", "0")
    assert rows["effect"]["note"] == "'\tx"
    assert (rows["appointment"]["provider"], rows["appointment"]["note"]) == (
        "'=HYPERLINK(1)",
        "safe note",
    )


# --- choosing the format from the file name ----------------------------------


def test_output_file_ending_picks_the_format(year, tmp_path: Path):
    target = tmp_path / "records.csv"
    result = year.ok("export", "-o", str(target))
    assert f"Wrote {target} (CSV," in result.stdout
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"), newline="")))
    assert rows[0]["type"] == "injection" and len(rows) == 4 + 94 + 3 + 2
    backup = tmp_path / "backup.json"
    year.ok("export", "-o", str(backup))
    assert json.loads(backup.read_bytes()) == export_json(year)


def test_an_unknown_ending_without_format_is_a_one_line_error(year, tmp_path: Path):
    result = year.fails("export", "-o", str(tmp_path / "x.txt"))
    assert "x.txt" in result.stderr and "--format" in result.stderr
    assert not (tmp_path / "x.txt").exists()
