"""FHIR R4 and iCalendar exports, through the real CLI.

The FHIR bundle is checked with fhir.resources' R4B models (R4B shares R4's
MedicationAdministration, Observation and AdverseEvent); the calendar is parsed back
with icalendar.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, date, datetime
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


def sessions(bundle: dict[str, Any]) -> list[dict[str, Any]]:
    """The sessions' administrations, without the per-site ones that are part of them."""
    return [r for r in resources(bundle, "MedicationAdministration") if "partOf" not in r]


def site_parts(bundle: dict[str, Any], session: dict[str, Any]) -> list[dict[str, Any]]:
    url = f"urn:uuid:{session['id']}"
    return [
        r
        for r in resources(bundle, "MedicationAdministration")
        if r.get("partOf") == [{"reference": url}]
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
    history = filled.json("history")
    assert Counter(e["resource"]["resourceType"] for e in bundle["entry"]) == {
        "Patient": 1,
        # One per session, and one per site of it (R4 has room for one site only).
        "MedicationAdministration": len(history) + sum(len(s["sites"]) for s in history),
        "Observation": len(filled.json("diary")),
        "AdverseEvent": len(filled.json("effects")),
    }
    assert filled.ok("export", "--format", "fhir").stdout_bytes == raw


def test_every_resource_is_about_the_patient_named_in_the_plan(year: Tracker) -> None:
    bundle = fhir(year)
    (patient_entry,) = [e for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient"]

    assert patient_entry["fullUrl"].startswith("urn:uuid:")
    assert patient_entry["resource"]["name"] == [{"text": "Sam Patient"}]
    (identifier,) = patient_entry["resource"]["identifier"]
    assert identifier == {"system": "urn:ietf:rfc:3986", "value": patient_entry["fullUrl"]}
    for entry in bundle["entry"]:
        assert entry["fullUrl"] == f"urn:uuid:{entry['resource']['id']}"
        if entry is not patient_entry:
            assert entry["resource"]["subject"] == {"reference": patient_entry["fullUrl"]}
    assert len({entry["fullUrl"] for entry in bundle["entry"]}) == len(bundle["entry"])


def test_injection_sessions_are_completed_administrations_with_dose_provider_and_lot(
    year: Tracker,
) -> None:
    bundle = fhir(year)
    administrations = sessions(bundle)

    assert [a["effectiveDateTime"] for a in administrations] == INJECTIONS
    first = administrations[0]
    assert first["status"] == "completed"
    # The lot is the batch of a contained Medication, coded WHO ATC M03AX01 (docs/codes.md).
    assert first["medicationReference"] == {"reference": "#medication"}
    assert first["contained"] == [
        {
            "resourceType": "Medication",
            "id": "medication",
            "code": {
                "coding": [
                    {
                        "system": "http://www.whocc.no/atc",
                        "code": "M03AX01",
                        "display": "botulinum toxin",
                    }
                ],
                "text": "onabotulinumtoxinA (Botox)",
            },
            "batch": {"lotNumber": "C0001"},
        }
    ]
    assert first["dosage"]["dose"] == {
        "value": 200,
        "unit": "U",
        "system": "http://unitsofmeasure.org",
        "code": "[U]",
    }
    assert first["performer"] == [{"actor": {"display": "Dr Lee"}}]
    assert "note" not in first
    MedicationAdministration.model_validate(first)


def test_every_site_is_an_administration_of_its_own_with_its_muscle_and_units(
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
    xeomin, no_units = sessions(bundle)

    Bundle.model_validate(bundle)
    assert xeomin["medicationCodeableConcept"]["text"] == "incobotulinumtoxinA (Xeomin)"
    assert xeomin["medicationCodeableConcept"]["coding"][0]["code"] == "M03AX01"
    assert "site" not in xeomin["dosage"]
    parts = site_parts(bundle, xeomin)
    assert [(p["dosage"]["site"]["text"], p["dosage"]["dose"]["value"]) for p in parts] == [
        ("right lumbar paraspinal", 60),
        ("left lumbar paraspinal", 50),
        ("left quadratus lumborum", 40),
    ]
    for part in parts:
        MedicationAdministration.model_validate(part)
        assert part["effectiveDateTime"] == "2026-05-04" and part["status"] == "completed"
        assert part["dosage"]["dose"]["unit"] == "U"
    assert xeomin["dosage"]["text"] == (
        "right lumbar paraspinal 60 U; left lumbar paraspinal 50 U; left quadratus lumborum 40 U"
    )
    assert xeomin["dosage"]["dose"]["value"] == 150
    assert xeomin["note"] == [{"text": "10 units wasted"}]
    # R4 mad-1: a dosage needs a dose, so a session without units keeps its sites in a note.
    assert "dosage" not in no_units
    assert no_units["note"] == [{"text": "Sites: left lumbar paraspinal"}]
    (unknown_units,) = site_parts(bundle, no_units)
    assert "dosage" not in unknown_units
    assert unknown_units["note"] == [{"text": "Site: left lumbar paraspinal (units not recorded)"}]
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
    # The side effect's note travels in R5's AdverseEvent.note, through its R4 extension.
    assert flu["extension"] == [
        {
            "url": "http://hl7.org/fhir/5.0/StructureDefinition/extension-AdverseEvent.note",
            "valueAnnotation": {"text": "=cmd|' /C calc'!A0"},
        }
    ]
    assert "extension" not in headache
    assert flu["identifier"] == {"system": "urn:ietf:rfc:3986", "value": urls_of(bundle, flu)}


def urls_of(bundle: dict[str, Any], resource: dict[str, Any]) -> str:
    (url,) = [e["fullUrl"] for e in bundle["entry"] if e["resource"] is resource]
    return url


def test_since_and_until_limit_the_fhir_records(year: Tracker) -> None:
    bundle = fhir(year, "--since", "2026-03-01", "--until", "2026-06-30")
    in_period = [e for e in year.json("diary") if "2026-03-01" <= e["date"] <= "2026-06-30"]

    assert [a["effectiveDateTime"] for a in sessions(bundle)] == ["2026-03-02", "2026-06-01"]
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


def by_summary(cal: Calendar) -> dict[str, Any]:
    return {str(event["SUMMARY"]): event for event in cal.walk("VEVENT")}


def triggers(event: Any) -> list[bytes]:
    return [alarm["TRIGGER"].to_ical() for alarm in event.walk("VALARM")]


def test_calendar_has_the_due_day_and_each_upcoming_appointment(
    year: Tracker, tmp_path: Path
) -> None:
    cal = calendar(year, tmp_path)
    found = by_summary(cal)

    assert str(cal["PRODID"]) == "-//tracker//tracker//EN"
    assert str(cal["VERSION"]) == "2.0"
    assert str(cal["X-WR-CALNAME"]) == "Injections: Sam Patient"
    # The patient has a name, so every title names them; #2 was cancelled.
    assert set(found) == {
        "Sam Patient: Injection due (Botox)",
        "Sam Patient: Injection appointment with Dr Lee",
        "Sam Patient: Cancelled: Injection appointment",
    }
    due = found["Sam Patient: Injection due (Botox)"]
    assert due["DTSTART"].dt == date(2026, 12, 1)  # 3 months after 2026-09-01, all day
    assert not isinstance(due["DTSTART"].dt, datetime)
    assert "Tue 24 Nov 2026" in str(due["DESCRIPTION"])  # the earliest date
    assert "Book your appointment" in str(due["DESCRIPTION"])
    assert triggers(due) == [b"-P14D"]  # the plan's reminder window
    visit = found["Sam Patient: Injection appointment with Dr Lee"]
    assert visit["DTSTART"].dt == datetime(2026, 12, 1, 9, 30)  # floating local time
    assert visit["DTSTART"].dt.tzinfo is None
    assert visit["DTEND"].dt == datetime(2026, 12, 1, 10, 0)
    assert str(visit["STATUS"]) == "CONFIRMED" and visit["SEQUENCE"] == 0
    # The evening before (18:00 on 30 Nov is 15 h 30 min before) and two hours before.
    assert triggers(visit) == [b"-PT15H30M", b"-PT2H"]
    cancelled = found["Sam Patient: Cancelled: Injection appointment"]
    assert str(cancelled["STATUS"]) == "CANCELLED" and cancelled["SEQUENCE"] == 1
    assert cancelled["DTSTART"].dt == date(2026, 12, 15)
    assert triggers(cancelled) == []
    for event in found.values():
        assert event["DTSTAMP"].dt == datetime(2026, 11, 25, tzinfo=UTC)
        for alarm in event.walk("VALARM"):
            assert str(alarm["ACTION"]) == "DISPLAY"
    assert len({str(event["UID"]) for event in found.values()}) == 3


def test_calendar_is_identical_twice_and_keeps_its_uids_after_another_booking(
    sqlite_tracker: Tracker, tmp_path: Path
) -> None:
    sqlite_tracker.ok("log", "2026-09-01", "--units", "200")
    sqlite_tracker.ok("book", "2026-12-01", "--time", "09:30", "--provider", "Dr Lee")
    sqlite_tracker.ok("book", "2026-12-02")
    path = tmp_path / "r.ics"
    sqlite_tracker.ok("export", "-o", str(path))
    first = path.read_bytes()
    sqlite_tracker.ok("export", "-o", str(path))
    assert path.read_bytes() == first

    sqlite_tracker.ok("book", "2026-12-08", "--note", "second opinion")
    sqlite_tracker.ok("cancel", "2")
    sqlite_tracker.ok("export", "-o", str(path))
    before = events(Calendar.from_ical(first))
    after = events(Calendar.from_ical(path.read_bytes()))

    (added_uid,) = set(after) - set(before)
    assert set(before) < set(after)
    cancelled = [uid for uid, event in after.items() if str(event.get("STATUS")) == "CANCELLED"]
    assert len(cancelled) == 1
    for uid, event in before.items():
        if uid not in cancelled:
            assert after[uid].to_ical() == event.to_ical()
    # The cancellation is a later revision of the same event.
    (gone,) = cancelled
    assert after[gone]["SEQUENCE"] > before[gone]["SEQUENCE"]
    added = after[added_uid]
    assert added["DTSTART"].dt == date(2026, 12, 8)  # no time: all day
    assert added["DTEND"].dt == date(2026, 12, 9)
    assert "second opinion" in str(added["DESCRIPTION"])
    # All day: the evening before (18:00 is 6 hours before midnight) and at 08:00.
    assert triggers(added) == [b"-PT6H", b"PT8H"]


@pytest.mark.parametrize(("within", "trigger"), [("21", b"-P21D"), ("0", b"P0D")])
def test_the_due_dates_reminder_follows_the_plans_window(
    sqlite_tracker: Tracker, tmp_path: Path, within: str, trigger: bytes
) -> None:
    sqlite_tracker.ok("log", "2026-11-02", "--units", "200")
    sqlite_tracker.ok("book", "2027-02-01", "--time", "8:05")
    sqlite_tracker.ok("plan", "--within", within)

    found = by_summary(calendar(sqlite_tracker, tmp_path))

    assert set(found) == {"Injection due (Botox)", "Injection appointment"}
    assert triggers(found["Injection due (Botox)"]) == [trigger]
    visit = found["Injection appointment"]
    assert visit["DTSTART"].dt == datetime(2027, 2, 1, 8, 5)
    assert triggers(visit) == [b"-PT14H5M", b"-PT2H"]  # never the reminder window


def test_done_and_past_appointments_are_left_out(sqlite_tracker: Tracker, tmp_path: Path) -> None:
    sqlite_tracker.ok("log", "2026-09-01", "--units", "200")
    sqlite_tracker.ok("book", "2026-12-01", "--time", "09:30")
    sqlite_tracker.ok("book", "2026-12-03")
    # The injection on the booked day marks appointment #1 done; #2 is then in the past.
    sqlite_tracker.ok("log", "2026-12-01", "--units", "200", today="2026-12-01")

    found = by_summary(calendar(sqlite_tracker, tmp_path, today="2026-12-10"))

    assert set(found) == {"Injection due (Botox)"}
    assert found["Injection due (Botox)"]["DTSTART"].dt == date(2027, 3, 1)


def test_an_overdue_injection_is_shown_on_the_day_of_the_export(
    sqlite_tracker: Tracker, tmp_path: Path
) -> None:
    sqlite_tracker.ok("log", "2026-06-01", "--units", "200")  # due 2026-09-01

    (event,) = calendar(sqlite_tracker, tmp_path).walk("VEVENT")

    assert str(event["SUMMARY"]) == "Injection overdue (Botox)"
    assert event["DTSTART"].dt == date(2026, 11, 25)
    assert "was due on Tue 1 Sep 2026" in str(event["DESCRIPTION"])
    assert triggers(event) == [b"PT8H"]  # that morning


def test_until_does_not_drop_upcoming_appointments(sqlite_tracker: Tracker, tmp_path: Path) -> None:
    sqlite_tracker.ok("log", "2026-09-01", "--units", "200")
    sqlite_tracker.ok("book", "2026-12-01", "--time", "09:30")

    found = by_summary(calendar(sqlite_tracker, tmp_path, "--until", "2026-10-01"))

    assert set(found) == {"Injection due (Botox)", "Injection appointment"}


def patient_calendar(tracker: Tracker, folder: Path, name: str) -> Calendar:
    path = folder / f"{name}.ics"
    assert "records, ICS" in tracker.ok("--patient", name, "export", "-o", str(path)).stdout
    return Calendar.from_ical(path.read_bytes())


def test_several_patients_get_titles_with_their_names_and_uids_of_their_own(
    tracker: Tracker, tmp_path: Path
) -> None:
    for name in ("Mum", "Dad"):
        tracker.ok("patients", "add", name)
        tracker.ok("--patient", name, "log", "2026-09-01", "--units", "200")
        tracker.ok("--patient", name, "book", "2026-12-01")
    mum, dad = (patient_calendar(tracker, tmp_path, name) for name in ("Mum", "Dad"))

    assert set(by_summary(mum)) == {"Mum: Injection due (Botox)", "Mum: Injection appointment"}
    assert set(by_summary(dad)) == {"Dad: Injection due (Botox)", "Dad: Injection appointment"}
    # Same record ids, same kinds: still no UID in common.
    assert not set(events(mum)) & set(events(dad))


def test_a_calendar_with_nothing_in_it_is_refused(sqlite_tracker: Tracker, tmp_path: Path) -> None:
    sqlite_tracker.ok("pain", "4")

    result = sqlite_tracker.fails("export", "-o", str(tmp_path / "r.ics"))

    assert "nothing to put in a calendar" in result.stderr
    assert not (tmp_path / "r.ics").exists()
