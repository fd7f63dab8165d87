"""FHIR R4 and iCalendar exports, through the real CLI.

The FHIR bundle is checked with fhir.resources' R4B models (R4B shares R4's
MedicationAdministration, Observation and AdverseEvent); the calendar is parsed back
with icalendar.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B.adverseevent import AdverseEvent
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.medicationadministration import MedicationAdministration
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.patient import Patient
from icalendar import Calendar

from tests.conftest import Tracker
from tests.export.conftest import INJECTIONS, fill_year

RESOURCE_MODELS = {
    "Patient": Patient,
    "MedicationAdministration": MedicationAdministration,
    "Observation": Observation,
    "AdverseEvent": AdverseEvent,
}


@pytest.fixture(scope="module")
def year(tmp_path_factory: pytest.TempPathFactory) -> Tracker:
    """The export fixtures' patient on SQLite, filled once for the read-only tests."""
    return fill_year(Tracker(str(tmp_path_factory.mktemp("year") / "tracker.db")))


def fhir(tracker: Tracker, *args: str) -> dict[str, Any]:
    return json.loads(tracker.ok("export", "--format", "fhir", *args).stdout)


def resources(bundle: dict[str, Any], resource_type: str) -> list[dict[str, Any]]:
    return [
        entry["resource"]
        for entry in bundle["entry"]
        if entry["resource"]["resourceType"] == resource_type
    ]


def by_url(bundle: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {entry["fullUrl"]: entry["resource"] for entry in bundle["entry"]}


def calendar(tracker: Tracker, tmp_path: Path, *args: str, today: str | None = None) -> Calendar:
    path = tmp_path / "r.ics"
    kwargs = {"today": today} if today else {}
    tracker.ok("export", "-o", str(path), *args, **kwargs)
    return Calendar.from_ical(path.read_bytes())


def events(cal: Calendar) -> dict[str, Any]:
    return {str(event["UID"]): event for event in cal.walk("VEVENT")}


# --- FHIR -----------------------------------------------------------------------


def test_fhir_export_is_a_valid_r4_bundle_with_one_resource_per_record(filled: Tracker) -> None:
    raw = filled.ok("export", "--format", "fhir").stdout_bytes
    bundle = json.loads(raw)

    Bundle.model_validate(bundle)
    for entry in bundle["entry"]:
        resource = entry["resource"]
        RESOURCE_MODELS[resource["resourceType"]].model_validate(resource)
    assert bundle["resourceType"] == "Bundle"
    assert bundle["type"] == "collection"
    assert Counter(e["resource"]["resourceType"] for e in bundle["entry"]) == {
        "Patient": 1,
        "MedicationAdministration": len(filled.json("history")),
        "Observation": len(filled.json("diary")),
        "AdverseEvent": len(filled.json("effects")),
    }
    assert filled.ok("export", "--format", "fhir").stdout_bytes == raw


def test_every_resource_is_about_the_patient_named_in_the_plan(year: Tracker) -> None:
    bundle = fhir(year)
    (patient_entry,) = [e for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient"]

    assert patient_entry["fullUrl"].startswith("urn:uuid:")
    assert patient_entry["resource"]["name"] == [{"text": "Sam Patient"}]
    for entry in bundle["entry"]:
        assert entry["fullUrl"] == f"urn:uuid:{entry['resource']['id']}"
        if entry is not patient_entry:
            assert entry["resource"]["subject"] == {"reference": patient_entry["fullUrl"]}
    assert len({entry["fullUrl"] for entry in bundle["entry"]}) == len(bundle["entry"])


def test_injection_sessions_are_completed_administrations_with_dose_provider_and_lot(
    year: Tracker,
) -> None:
    administrations = resources(fhir(year), "MedicationAdministration")

    assert [a["effectiveDateTime"] for a in administrations] == INJECTIONS
    first = administrations[0]
    assert first["status"] == "completed"
    assert first["medicationCodeableConcept"] == {"text": "onabotulinumtoxinA (Botox)"}
    assert first["dosage"]["dose"] == {
        "value": 200,
        "unit": "U",
        "system": "http://unitsofmeasure.org",
        "code": "[U]",
    }
    assert first["performer"] == [{"actor": {"display": "Dr Lee"}}]
    assert first["note"] == [{"text": "Lot: C0001"}]


def test_dosage_site_is_the_first_site_and_its_text_lists_every_site_with_units(
    sqlite_tracker: Tracker,
) -> None:
    sqlite_tracker.ok(
        "log",
        "2026-05-04",
        "--product",
        "xeomin",
        "--units",
        "150",
        "--site",
        "right lumbar paraspinal:60",
        "--site",
        "left lumbar paraspinal:50",
        "--site",
        "left quadratus lumborum:40",
        "--note",
        "10 units wasted",
    )
    sqlite_tracker.ok("log", "2026-08-04", "--site", "left lumbar paraspinal")
    bundle = fhir(sqlite_tracker)
    xeomin, no_units = resources(bundle, "MedicationAdministration")

    Bundle.model_validate(bundle)
    assert xeomin["medicationCodeableConcept"]["text"] == "incobotulinumtoxinA (Xeomin)"
    assert xeomin["dosage"]["site"] == {"text": "right lumbar paraspinal"}
    assert xeomin["dosage"]["text"] == (
        "right lumbar paraspinal 60 U; left lumbar paraspinal 50 U; left quadratus lumborum 40 U"
    )
    assert xeomin["dosage"]["dose"]["value"] == 150
    assert xeomin["note"] == [{"text": "10 units wasted"}]
    # R4 mad-1: a dosage needs a dose, so a session without units keeps its sites in a note.
    assert "dosage" not in no_units
    assert no_units["note"] == [{"text": "Sites: left lumbar paraspinal"}]
    assert "performer" not in no_units
    assert "name" not in resources(bundle, "Patient")[0]


def test_pain_entries_are_loinc_72514_3_survey_observations(year: Tracker) -> None:
    observations = resources(fhir(year), "Observation")
    diary = year.json("diary")

    assert [(o["effectiveDateTime"], o["valueInteger"]) for o in observations] == [
        (entry["date"], entry["score"]) for entry in diary
    ]
    for observation in observations:
        assert observation["status"] == "final"
        assert observation["code"]["coding"] == [
            {
                "system": "http://loinc.org",
                "code": "72514-3",
                "display": "Pain severity - 0-10 verbal numeric rating [Score] - Reported",
            }
        ]
        (category,) = observation["category"]
        assert category["coding"][0]["code"] == "survey"
    first_function = diary[0]["function"]
    assert observations[0]["note"] == [
        {"text": f"Interference with daily activities: {first_function}/10"}
    ]


def test_side_effects_are_adverse_events_suspecting_the_latest_injection(year: Tracker) -> None:
    bundle = fhir(year)
    urls = by_url(bundle)
    headache, flu, eyelids = resources(bundle, "AdverseEvent")

    def suspect_date(event: dict[str, Any]) -> str:
        (suspect,) = event["suspectEntity"]
        return urls[suspect["instance"]["reference"]]["effectiveDateTime"]

    assert [e["event"]["text"] for e in (headache, flu, eyelids)] == [
        "headache",
        "flu-like symptoms",
        "drooping eyelids",
    ]
    assert [suspect_date(e) for e in (headache, flu, eyelids)] == [
        "2026-03-02",
        "2026-09-01",
        "2026-09-01",
    ]
    assert {e["actuality"] for e in (headache, flu, eyelids)} == {"actual"}
    assert headache["date"] == "2026-03-04"
    assert headache["outcome"]["coding"][0]["code"] == "resolved"
    assert headache["outcome"]["text"] == "Resolved on 2026-03-06"
    assert flu["outcome"]["coding"][0]["code"] == "ongoing"
    assert headache["seriousness"]["coding"][0]["code"] == "Non-serious"
    assert eyelids["seriousness"]["coding"][0]["code"] == "Serious"
    assert eyelids["severity"]["coding"][0]["code"] == "moderate"
    assert headache["severity"]["coding"][0]["code"] == "mild"
    assert "severity" not in flu  # the patient gave none: none invented


def test_since_and_until_limit_the_fhir_records(year: Tracker) -> None:
    bundle = fhir(year, "--since", "2026-03-01", "--until", "2026-06-30")
    in_period = [e for e in year.json("diary") if "2026-03-01" <= e["date"] <= "2026-06-30"]

    assert [a["effectiveDateTime"] for a in resources(bundle, "MedicationAdministration")] == [
        "2026-03-02",
        "2026-06-01",
    ]
    assert len(resources(bundle, "Observation")) == len(in_period)
    assert [e["event"]["text"] for e in resources(bundle, "AdverseEvent")] == ["headache"]
    assert len(resources(bundle, "Patient")) == 1


def test_a_side_effect_whose_injection_is_outside_the_period_has_no_suspect(
    year: Tracker,
) -> None:
    bundle = fhir(year, "--since", "2026-03-03", "--until", "2026-03-31")

    (headache,) = resources(bundle, "AdverseEvent")
    assert "suspectEntity" not in headache
    assert resources(bundle, "MedicationAdministration") == []


def test_fhir_ids_stay_the_same_when_records_are_added(sqlite_tracker: Tracker) -> None:
    sqlite_tracker.ok("log", "2026-09-01", "--units", "200")
    sqlite_tracker.ok("pain", "6", "--date", "2026-09-01")
    before = by_url(fhir(sqlite_tracker))
    sqlite_tracker.ok("pain", "5")
    sqlite_tracker.ok("effect", "dizziness")
    after = by_url(fhir(sqlite_tracker))

    assert set(before) < set(after)
    assert len(after) == len(before) + 2
    assert all(after[url] == resource for url, resource in before.items())


# --- iCalendar --------------------------------------------------------------------


def test_calendar_has_the_due_day_and_each_upcoming_booked_appointment(
    year: Tracker, tmp_path: Path
) -> None:
    cal = calendar(year, tmp_path)
    found = events(cal)

    assert str(cal["PRODID"]) == "-//tracker//tracker//EN"
    assert str(cal["VERSION"]) == "2.0"
    # Appointment #2 was cancelled, so only #1 and the due day remain.
    assert set(found) == {"next-due@tracker", "appointment-1@tracker"}
    due = found["next-due@tracker"]
    assert due["DTSTART"].dt == date(2026, 12, 1)  # 3 months after 2026-09-01, all day
    assert not isinstance(due["DTSTART"].dt, datetime)
    assert str(due["SUMMARY"]) == "Injection due (Botox)"
    assert "Tue 24 Nov 2026" in str(due["DESCRIPTION"])  # the earliest date
    assert "Book your appointment" in str(due["DESCRIPTION"])
    visit = found["appointment-1@tracker"]
    assert visit["DTSTART"].dt == datetime(2026, 12, 1, 9, 30)  # floating local time
    assert visit["DTSTART"].dt.tzinfo is None
    assert visit["DTEND"].dt == datetime(2026, 12, 1, 10, 0)
    assert str(visit["SUMMARY"]) == "Injection appointment with Dr Lee"
    for event in found.values():
        assert event["DTSTAMP"].dt == datetime(2026, 11, 25, tzinfo=UTC)
        (alarm,) = event.walk("VALARM")
        assert str(alarm["ACTION"]) == "DISPLAY"
        assert alarm["TRIGGER"].dt == timedelta(days=-14)
        assert alarm["TRIGGER"].to_ical() == b"-P14D"


def test_calendar_is_identical_twice_and_keeps_its_uids_after_another_booking(
    sqlite_tracker: Tracker, tmp_path: Path
) -> None:
    sqlite_tracker.ok("log", "2026-09-01", "--units", "200")
    sqlite_tracker.ok("book", "2026-12-01", "--time", "09:30", "--provider", "Dr Lee")
    sqlite_tracker.ok("book", "2026-12-02")
    sqlite_tracker.ok("cancel", "2")
    path = tmp_path / "r.ics"
    sqlite_tracker.ok("export", "-o", str(path))
    first = path.read_bytes()
    sqlite_tracker.ok("export", "-o", str(path))
    assert path.read_bytes() == first

    sqlite_tracker.ok("book", "2026-12-08", "--note", "second opinion")
    sqlite_tracker.ok("export", "-o", str(path))
    before = events(Calendar.from_ical(first))
    after = events(Calendar.from_ical(path.read_bytes()))

    assert set(after) == {*before, "appointment-3@tracker"}
    for uid, event in before.items():
        assert after[uid].to_ical() == event.to_ical()
    added = after["appointment-3@tracker"]
    assert added["DTSTART"].dt == date(2026, 12, 8)  # no time: all day
    assert added["DTEND"].dt == date(2026, 12, 9)
    assert "second opinion" in str(added["DESCRIPTION"])


@pytest.mark.parametrize(("within", "trigger"), [("21", b"-P21D"), ("0", b"P0D")])
def test_reminders_follow_the_plans_window(
    sqlite_tracker: Tracker, tmp_path: Path, within: str, trigger: bytes
) -> None:
    sqlite_tracker.ok("log", "2026-11-02", "--units", "200")
    sqlite_tracker.ok("book", "2027-02-01", "--time", "8:05")
    sqlite_tracker.ok("plan", "--within", within)

    found = events(calendar(sqlite_tracker, tmp_path))

    assert set(found) == {"next-due@tracker", "appointment-1@tracker"}
    assert found["appointment-1@tracker"]["DTSTART"].dt == datetime(2027, 2, 1, 8, 5)
    for event in found.values():
        (alarm,) = event.walk("VALARM")
        assert alarm["TRIGGER"].to_ical() == trigger


def test_done_and_past_appointments_are_left_out(sqlite_tracker: Tracker, tmp_path: Path) -> None:
    sqlite_tracker.ok("log", "2026-09-01", "--units", "200")
    sqlite_tracker.ok("book", "2026-12-01", "--time", "09:30")
    sqlite_tracker.ok("book", "2026-12-03")
    # The injection on the booked day marks appointment #1 done; #2 is then in the past.
    sqlite_tracker.ok("log", "2026-12-01", "--units", "200", today="2026-12-01")

    found = events(calendar(sqlite_tracker, tmp_path, today="2026-12-10"))

    assert set(found) == {"next-due@tracker"}
    assert found["next-due@tracker"]["DTSTART"].dt == date(2027, 3, 1)


def test_a_calendar_with_nothing_in_it_is_refused(sqlite_tracker: Tracker, tmp_path: Path) -> None:
    sqlite_tracker.ok("pain", "4")

    result = sqlite_tracker.fails("export", "-o", str(tmp_path / "r.ics"))

    assert "nothing to put in a calendar" in result.stderr
    assert not (tmp_path / "r.ics").exists()
