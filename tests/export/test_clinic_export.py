"""`tracker export --all`: every patient in one JSON or CSV file, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import Tracker, _postgres_database, create_database
from tests.export.conftest import fill_year
from tracker.cli import cli
from tracker.export.csv_export import COLUMNS

PATIENTS = ["Sam Patient", "Mum", "Dad", "=Gran"]
SINCE, UNTIL = "2026-03-05", "2026-09-05"


def fill_clinic(tracker: Tracker) -> Tracker:
    """Sam has a year of records; Mum a few; Dad none; "=Gran" a name a spreadsheet would run."""
    fill_year(tracker)
    for name in PATIENTS[1:]:
        tracker.ok("patients", "add", name)
    mum = ("--patient", "Mum")
    tracker.ok(*mum, "log", "2026-08-10", "--units", "150", "--site", "left trapezius:150")
    tracker.ok(*mum, "pain", "5", "--date", "2026-09-01", "--note", "ça va ☕")
    tracker.ok(*mum, "effect", "headache", "--date", "2026-08-12")
    tracker.ok(*mum, "book", "2026-12-02")
    tracker.ok("--patient", "=Gran", "pain", "2", "--date", "2026-10-01")
    return tracker


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def clinic(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Tracker]:
    """Made once per backend: every test here only reads it."""
    if request.param == "sqlite":
        yield fill_clinic(Tracker(str(tmp_path_factory.mktemp("clinic") / "tracker.db")))
        return
    with contextmanager(_postgres_database)("clinic") as url:
        yield fill_clinic(Tracker(url))


def one_patient(tracker: Tracker, name: str, fmt: str, *bounds: str) -> bytes:
    return tracker.ok("--patient", name, "export", "--format", fmt, *bounds).stdout_bytes


def csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


# --- JSON -------------------------------------------------------------------


def test_all_json_holds_every_patients_own_export(clinic):
    data = json.loads(clinic.ok("export", "--all").stdout_bytes)
    assert list(data) == ["format", "generated_at", "patients", "since", "until", "version"]
    assert (data["format"], data["version"], data["generated_at"]) == (
        "tracker-clinic-export",
        2,
        "2026-11-25",
    )
    assert (data["since"], data["until"]) == (None, None)
    assert [p["patient"]["name"] for p in data["patients"]] == PATIENTS
    # Each patient's object is exactly that patient's own export: their records
    # only, the change log included (an unbounded export keeps it).
    for name, exported in zip(PATIENTS, data["patients"], strict=True):
        assert exported == json.loads(one_patient(clinic, name, "json")), name
    mum = data["patients"][1]
    assert [len(mum[kind]) for kind in ("injections", "pain", "effects", "appointments")] == [
        1,
        1,
        1,
        1,
    ]
    assert mum["pain"][0]["note"] == "ça va ☕"
    dad = data["patients"][2]
    assert [dad[kind] for kind in ("injections", "pain", "effects", "appointments")] == [[]] * 4


def test_all_json_is_laid_out_like_the_single_export(clinic):
    raw = clinic.ok("export", "--all", "--format", "json").stdout_bytes
    assert (
        raw
        == (
            json.dumps(json.loads(raw), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        ).encode()
    )


def test_since_and_until_bound_every_patient(clinic):
    data = json.loads(clinic.ok("export", "--all", "--since", SINCE, "--until", UNTIL).stdout)
    assert (data["since"], data["until"]) == (SINCE, UNTIL)
    for name, exported in zip(PATIENTS, data["patients"], strict=True):
        assert exported == json.loads(
            one_patient(clinic, name, "json", "--since", SINCE, "--until", UNTIL)
        )
        assert exported["changes"] == []  # a bounded export leaves the change log out
        dates = [r["date"] for kind in ("injections", "pain", "effects") for r in exported[kind]]
        assert all(SINCE <= day <= UNTIL for day in dates), name
    assert [i["date"] for i in data["patients"][0]["injections"]] == ["2026-06-01", "2026-09-01"]
    assert data["patients"][1]["appointments"] == []  # Mum's booking is after UNTIL


# --- CSV --------------------------------------------------------------------


def test_all_csv_is_every_patients_rows_led_by_their_name(clinic):
    rows = csv_rows(clinic.ok("export", "--all", "--format", "csv").stdout_bytes)
    assert rows[0] == ["patient", *COLUMNS]
    names = [row[0] for row in rows[1:]]
    # Patients in the order they were added, each one's rows together; Dad has none.
    assert list(dict.fromkeys(names)) == ["Sam Patient", "Mum", "'=Gran"]
    for name, shown in [("Sam Patient", "Sam Patient"), ("Mum", "Mum"), ("=Gran", "'=Gran")]:
        own = csv_rows(one_patient(clinic, name, "csv"))[1:]
        assert [row[1:] for row in rows[1:] if row[0] == shown] == own, name


def test_all_csv_respects_since_and_until(clinic):
    bounds = ("--since", SINCE, "--until", UNTIL)
    rows = csv_rows(clinic.ok("export", "--all", "--format", "csv", *bounds).stdout_bytes)
    date_column = 1 + COLUMNS.index("date")
    assert rows[1:] and all(SINCE <= row[date_column] <= UNTIL for row in rows[1:])
    for name in ("Sam Patient", "Mum"):
        own = csv_rows(one_patient(clinic, name, "csv", *bounds))[1:]
        assert [row[1:] for row in rows[1:] if row[0] == name] == own
    assert "'=Gran" not in [row[0] for row in rows]  # her only entry is after UNTIL


def test_all_to_a_file_names_the_format_and_size(clinic, tmp_path: Path):
    for name, fmt in [("clinic.json", "JSON"), ("clinic.csv", "CSV")]:
        target = tmp_path / name
        result = clinic.ok("export", "--all", "-o", str(target))
        size = target.stat().st_size
        assert result.stdout == f"Wrote {target} ({fmt}, {size:,} bytes).\n"
        assert target.stat().st_mode & 0o777 == 0o600
        assert (
            target.read_bytes()
            == clinic.ok("export", "--all", "--format", fmt.lower()).stdout_bytes
        )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clinic.csv", "clinic.json"]


# --- what --all refuses ------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("--format", "pdf"),
        ("--format", "html"),
        ("--format", "fhir"),
        ("--format", "ics"),
        ("-o", "clinic.html"),
    ],
)
def test_all_works_only_with_json_or_csv(sqlite_tracker, tmp_path, monkeypatch, args):
    monkeypatch.chdir(tmp_path)
    result = sqlite_tracker.fails("export", "--all", *args)
    assert "--all works with --format json or csv" in result.stderr
    # Only the test's own (empty) data folder: no database opened, no file written.
    assert [path.name for path in tmp_path.rglob("*")] == ["data"]


def test_all_with_patient_is_refused(sqlite_tracker):
    sqlite_tracker.ok("patients", "add", "Mum")
    result = sqlite_tracker.fails("--patient", "Mum", "export", "--all")
    assert "leave out --patient" in result.stderr


def test_all_overrides_tracker_patient_from_the_environment(sqlite_tracker):
    sqlite_tracker.ok("pain", "3")  # the unnamed first patient has records: it stays
    sqlite_tracker.ok("patients", "add", "Mum")
    env = {"TRACKER_DB": sqlite_tracker.db, "TRACKER_TODAY": "2026-11-25", "TRACKER_PATIENT": "Mum"}
    result = CliRunner().invoke(cli, ["export", "--all"], env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    names = [p["patient"]["name"] for p in json.loads(result.stdout)["patients"]]
    assert names == [None, "Mum"]  # the first patient was never named


def test_all_with_since_after_until_is_refused(sqlite_tracker):
    result = sqlite_tracker.fails(
        "export", "--all", "--since", "2026-06-01", "--until", "2026-01-01"
    )
    assert "after --until" in result.stderr


def test_an_empty_database_exports_one_unnamed_patient_without_rows(tracker):
    create_database(tracker.db)  # an empty database: a reading command creates none
    data = json.loads(tracker.ok("export", "--all").stdout)
    ((patient,),) = [[p["patient"] for p in data["patients"]]]
    assert patient["name"] is None and uuid.UUID(patient["uuid"]).version == 4
    header = ",".join(["patient", *COLUMNS]) + "\r\n"
    assert tracker.ok("export", "--all", "--format", "csv").stdout_bytes == header.encode()


def test_import_refuses_a_clinic_file_in_one_line(sqlite_tracker, tmp_path: Path):
    """The importer reads one patient's export; a clinic file is refused, nothing stored."""
    sqlite_tracker.ok("pain", "4", "--date", "2026-11-01")
    target = tmp_path / "clinic.json"
    sqlite_tracker.ok("export", "--all", "-o", str(target))
    before = sqlite_tracker.ok("export").stdout
    result = sqlite_tracker.fails("import", str(target))
    assert result.stderr == (
        "Error: clinic.json is a whole-clinic export (tracker export --all); tracker imports "
        "one patient's export, made with: tracker --patient NAME export -o FILE\n"
    )
    assert sqlite_tracker.ok("export").stdout == before


def test_a_clinic_file_is_refused_wherever_its_format_field_is(sqlite_tracker, tmp_path: Path):
    import json

    target = tmp_path / "late.json"
    document = json.loads(sqlite_tracker.ok("export", "--all").stdout)
    target.write_text(json.dumps({"patients": document["patients"], "format": document["format"]}))
    assert "whole-clinic export" in sqlite_tracker.fails("import", str(target)).stderr
