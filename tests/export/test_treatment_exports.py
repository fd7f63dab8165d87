"""Exports carry treatments (issue 16): the JSON lists them and names each session's, the
CSV has a treatment column, and `export --treatment NAME` holds one treatment's sessions.
Through the real CLI, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import TODAY, Tracker
from tests.export.treatment_files import B12, BOTOX, exported, two_treatments, write
from tracker.export.csv_export import COLUMNS
from tracker.services.report import build_report
from tracker.store.database import Database


@pytest.fixture
def kim(tracker: Tracker, tmp_path: Path) -> Tracker:
    """Kim, restored from a file: Botox every 3 months and B12 every 28 days."""
    tracker.ok("import", write(tmp_path, two_treatments()))
    return tracker


@pytest.fixture
def kim_for_reports(tracker: Tracker, tmp_path: Path) -> Tracker:
    """Kim, her "B12" of the product "other" (a botulinum toxin: every 12 weeks at least):
    the report formats read sessions through services.injections, whose products of no
    profile are the `treat` helper's part."""
    tracker.ok("import", write(tmp_path, two_treatments("other", "12w")))
    return tracker


def export_json(tracker: Tracker, *args: str) -> dict[str, Any]:
    return json.loads(tracker.ok("export", "--format", "json", *args).stdout_bytes)


def export_csv(tracker: Tracker, *args: str) -> list[dict[str, str]]:
    raw = tracker.ok("export", "--format", "csv", *args).stdout_bytes.decode()
    return list(csv.DictReader(io.StringIO(raw, newline="")))


# --- JSON --------------------------------------------------------------------


def test_the_json_lists_the_treatments_and_names_each_sessions_treatment(kim):
    raw = kim.ok("export", "--format", "json").stdout_bytes
    assert raw == exported(two_treatments())
    data = json.loads(raw)
    assert data["version"] == 2
    assert data["treatments"] == [BOTOX, B12]
    assert [(s["date"], s["treatment"], s["product"]) for s in data["injections"]] == [
        ("2026-03-02", "botox", "botox"),
        ("2026-06-01", "botox", "botox"),
        ("2026-06-01", "B12", "hydroxocobalamin"),
        ("2026-06-29", "B12", "hydroxocobalamin"),
        ("2026-07-27", "B12", "hydroxocobalamin"),
    ]
    # The plan is the pain treatment's (the Botox one), as version 1 wrote it.
    assert data["plan"] == {"every_months": 3, "within_days": 14}


def test_the_plan_of_a_pain_treatment_in_weeks_has_no_months(tracker, tmp_path):
    document = two_treatments()
    document["treatments"] = [{**BOTOX, "every": "12w"}, B12]
    document["plan"] = {"every_months": None, "within_days": 14}
    tracker.ok("import", write(tmp_path, document))
    assert tracker.ok("export", "--format", "json").stdout_bytes == exported(document)


def test_the_clinic_json_is_version_2_with_each_patients_treatments(tracker, tmp_path):
    tracker.ok("import", write(tmp_path, two_treatments()))
    tracker.ok("patients", "add", "Lou")
    data = json.loads(tracker.ok("export", "--all", "--format", "json").stdout_bytes)
    assert data["version"] == 2
    kim, lou = data["patients"]
    assert kim["treatments"] == [BOTOX, B12]
    assert [t["name"] for t in lou["treatments"]] == ["botox"]
    assert kim == json.loads(exported(two_treatments()))


# --- CSV ---------------------------------------------------------------------


def test_the_csv_has_a_treatment_column_after_the_note(kim):
    raw = kim.ok("export", "--format", "csv").stdout_bytes
    header = raw.split(b"\r\n", 1)[0].decode()
    # Every earlier column keeps its place; the treatment comes last.
    assert header == (
        "type,id,date,product,units,sites,provider,lot,score,function,text,class,"
        "severity,resolved,time,status,note,treatment"
    )
    assert list(COLUMNS)[-1] == "treatment"
    rows = export_csv(kim)
    assert [(r["type"], r["date"], r["treatment"]) for r in rows] == [
        ("injection", "2026-03-02", "botox"),
        ("injection", "2026-06-01", "botox"),
        ("injection", "2026-06-01", "B12"),
        ("injection", "2026-06-29", "B12"),
        ("injection", "2026-07-27", "B12"),
        ("pain", "2026-05-30", ""),
        ("pain", "2026-06-20", ""),
        ("effect", "2026-06-03", ""),
        ("appointment", "2026-12-01", ""),
    ]
    assert rows[4]["note"] == 'a "quoted", note'


def test_the_clinic_csv_has_the_treatment_column_too(kim):
    raw = kim.ok("export", "--all", "--format", "csv").stdout_bytes.decode()
    rows = list(csv.DictReader(io.StringIO(raw, newline="")))
    assert list(rows[0]) == ["patient", *COLUMNS]
    assert [r["treatment"] for r in rows if r["type"] == "injection"] == [
        "botox",
        "botox",
        "B12",
        "B12",
        "B12",
    ]
    assert {r["treatment"] for r in rows if r["type"] != "injection"} == {""}


# --- export --treatment --------------------------------------------------------


def test_export_treatment_holds_that_treatments_sessions_and_the_patients_records(kim):
    data = export_json(kim, "--treatment", "b12")  # case and spaces ignored
    document = two_treatments()
    assert data["treatments"] == [B12]
    assert data["injections"] == [s for s in document["injections"] if s["treatment"] == "B12"]
    # The diary, side effects and appointments are the patient's: all kept.
    for kind in ("pain", "effects", "appointments"):
        assert data[kind] == document[kind], kind
    # The plan is that treatment's; the change log (it names the others) is left out.
    assert data["plan"] == {"every_months": None, "within_days": 3}
    assert data["changes"] == []
    assert [r["treatment"] for r in export_csv(kim, "--treatment", "B 12")] == [
        "B12",
        "B12",
        "B12",
        "",
        "",
        "",
        "",
    ]


def test_export_treatment_with_a_period_and_to_a_file(kim, tmp_path):
    path = tmp_path / "botox.json"
    result = kim.ok("export", "--treatment", "BOTOX", "--since", "2026-05-01", "-o", str(path))
    assert f"Wrote {path}" in result.stdout
    data = json.loads(path.read_bytes())
    assert [(s["date"], s["treatment"]) for s in data["injections"]] == [("2026-06-01", "botox")]
    assert [p["date"] for p in data["pain"]] == ["2026-05-30", "2026-06-20"]


def test_a_one_treatment_export_imports_as_that_treatment(kim, tmp_path):
    path = tmp_path / "b12.json"
    kim.ok("export", "--treatment", "B12", "-o", str(path))
    other = Tracker(str(tmp_path / "other.db"))
    other.ok("import", str(path))
    again = json.loads(other.ok("export", "--format", "json").stdout_bytes)
    assert again["treatments"] == [B12]
    assert again == json.loads(path.read_bytes())


def test_export_of_an_unknown_treatment_is_one_error_naming_the_treatments(
    kim_for_reports, tmp_path
):
    path = tmp_path / "out.json"
    for fmt in ("json", "csv", "pdf", "html", "fhir", "ics"):
        result = kim_for_reports.fails(
            "export", "--format", fmt, "--treatment", "insulin", "-o", str(path)
        )
        assert result.stderr == (
            "Error: there is no treatment called 'insulin'; the treatments are 'botox', 'B12'\n"
        ), fmt
    assert not path.exists()


def test_export_treatment_with_all_is_refused(kim):
    result = kim.fails("export", "--all", "--treatment", "B12")
    assert "--treatment exports one patient's treatment; leave out --all" in result.stderr


def test_with_one_treatment_export_treatment_gives_the_same_file(tracker):
    tracker.ok("log", "2026-11-01", "--units", "100")
    tracker.ok("pain", "5", "--date", "2026-11-02")
    whole = export_json(tracker, "--since", "1900-01-01")  # bounded: no change log either
    assert export_json(tracker, "--treatment", "botox", "--since", "1900-01-01") == whole


@pytest.mark.parametrize("fmt", ["pdf", "html", "fhir", "ics"])
def test_export_treatment_reaches_the_report_formats(kim_for_reports, tmp_path, fmt):
    path = tmp_path / f"b12.{fmt}"
    kim_for_reports.ok("export", "--format", fmt, "--treatment", "B12", "-o", str(path))
    assert path.stat().st_size > 0


def test_the_report_of_one_treatment_has_its_sessions_plan_and_due_date(kim_for_reports):
    database = Database(kim_for_reports.db)
    try:
        report = build_report(database, date.fromisoformat(TODAY), treatment_name="b12")
        whole = build_report(database, date.fromisoformat(TODAY))
    finally:
        database.close()
    assert [(r.day.isoformat(), r.treatment) for r in report.injections] == [
        ("2026-06-01", "B12"),
        ("2026-06-29", "B12"),
        ("2026-07-27", "B12"),
    ]
    assert report.plan.every.text == "12w" and report.plan.within_days == 3
    assert [t.name for t in report.treatments] == ["B12"]
    assert [t.treatment.name for t in report.stored_treatments] == ["B12"]
    # Due 12 weeks after its own last session, not the Botox one's.
    assert report.due.next_due == date(2026, 10, 19)
    assert report.changes == []
    assert len(report.pain) == len(whole.pain) == 2
    assert [t.name for t in whole.treatments] == ["botox", "B12"]
    assert [t.treatment.name for t in whole.stored_treatments] == ["botox", "B12"]
    assert len(whole.injections) == 5
