"""Reports and exports of a patient with several treatments (issue 16).

The export fixtures' year of Botox, and a B12 treatment of a product tracker has no
profile for ("hydroxocobalamin") injected monthly beside it. PDF read back with pypdf
and pdftotext, HTML parsed, FHIR validated with fhir.resources, ICS parsed and
imported into khal.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import date
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.medicationstatement import MedicationStatement
from icalendar import Calendar
from pypdf import PdfReader

from tests.conftest import Tracker
from tests.export.conftest import INJECTIONS, fill_year
from tests.export.test_fhir_ics import RESOURCE_MODELS, by_url, resources, sessions
from tests.export.test_html import export_html
from tests.export.test_khal import khal, listed  # noqa: F401 - khal is a fixture
from tests.export.test_pdf import export_pdf, flat, poppler_text, shared_db
from tests.several_treatments import add_session, add_treatment, change_treatment
from tracker.domain.errors import NotFound
from tracker.domain.response import OFF_LABEL_NOTICE
from tracker.export import renderer
from tracker.services.report import build_report
from tracker.store.database import Database

TODAY = date(2026, 11, 25)
B12_DAYS = [
    f"{year}-{month:02d}-15" for year, month in [(2025, 12)] + [(2026, m) for m in range(1, 12)]
]
NO_LABEL_MINIMUM = (
    "tracker knows no label minimum for hydroxocobalamin: your clinician's interval is the schedule"
)
FHIR_MODELS = {**RESOURCE_MODELS, "MedicationStatement": MedicationStatement}


def add_b12(tracker: Tracker) -> Tracker:
    """A second treatment, monthly, of a product tracker knows no label rules for."""
    add_treatment(tracker, "B12", "hydroxocobalamin", every="1m", within_days=5)
    for day in B12_DAYS:
        add_session(tracker, "B12", day, units=1000)
    return tracker


def fill_two_treatments(tracker: Tracker) -> Tracker:
    return add_b12(fill_year(tracker))


@pytest.fixture
def two(tmp_path_factory: pytest.TempPathFactory) -> Tracker:
    """Both treatments on SQLite, for the tests that only read them."""
    return shared_db(tmp_path_factory, "two-treatments", fill_two_treatments)


def report_of(tracker: Tracker, treatment: str | None = None):
    database = Database(tracker.db)
    try:
        return build_report(database, TODAY, treatment_name=treatment)
    finally:
        database.close()


def fhir(tracker: Tracker) -> dict[str, Any]:
    return json.loads(tracker.ok("export", "--format", "fhir").stdout)


def due_events(cal: Calendar) -> dict[str, Any]:
    """The due reminders by summary (appointments left out)."""
    return {
        str(event["SUMMARY"]): event
        for event in cal.walk("VEVENT")
        if "appointment" not in str(event["SUMMARY"])
    }


def calendar(tracker: Tracker, tmp_path: Path) -> Calendar:
    path = tmp_path / "due.ics"
    tracker.ok("export", "-o", str(path))
    return Calendar.from_ical(path.read_bytes())


# --- PDF --------------------------------------------------------------------------


def test_the_pdf_shows_each_treatments_sessions_and_next_due(two: Tracker, tmp_path: Path):
    pages = export_pdf(two, tmp_path / "r.pdf")
    text = " ".join(pages)

    # The year fits one page with one treatment; twelve B12 sessions take a second.
    assert len(pages) == 2
    assert "Injection treatments, as recorded by the patient with tracker" in text
    assert "Botulinum toxin injections for back pain" not in text
    assert "Treatments Treatment Product Plan Last injection Next due" in text
    assert "every 3 months; reminders from 14 days before" in text
    assert "every month; reminders from 5 days before" in text
    assert "Tue 1 Dec 2026 (in 6 days); the label's 12-week minimum is Tue 24 Nov 2026" in text
    assert f"Tue 15 Dec 2026 (in 20 days); {NO_LABEL_MINIMUM}" in text
    assert "Next appointment Tue 1 Dec 2026 at 09:30 with Dr Lee" in text
    assert "Injection sessions: botox" in text and "Injection sessions: B12" in text
    for day in INJECTIONS:
        assert f"{day} Botox 200" in text
    for day in B12_DAYS:
        assert f"{day} hydroxocobalamin 1000" in text
    # The review is of the Botox treatment: its cycles, its product's notice.
    assert "What the records suggest about botox" in text
    assert "Response per botox cycle" in text
    assert "2026-06-01 7.0 3.0 57.1 % 4.0 substantial" in text
    assert not re.search(r"2026-\d\d-15 \d\.\d", text), "a B12 session is no Botox cycle"
    assert "vertical lines mark botox injections" in text
    assert flat(OFF_LABEL_NOTICE) in text
    poppler = poppler_text(tmp_path / "r.pdf")
    if poppler is not None:
        for needle in ("Injection sessions: B12", "Tue 15 Dec 2026 (in 20 days)", *B12_DAYS):
            assert needle in poppler


def test_a_report_of_the_other_treatment_has_its_products_texts(two: Tracker):
    report = report_of(two, "b12")
    pages = [flat(p.extract_text()) for p in PdfReader(BytesIO(renderer("pdf")(report))).pages]
    text = " ".join(pages)

    assert [t.name for t in report.treatments] == ["B12"]
    assert [c.injection_date.isoformat() for c in report.review.cycles] == B12_DAYS
    assert "hydroxocobalamin injections, as recorded by the patient with tracker" in text
    assert (
        "tracker knows no label rules for hydroxocobalamin: no minimum interval or dose "
        "ceiling is checked." in text
    )
    assert "off-label" not in text and "Botox" not in text
    assert f"Next due Tue 15 Dec 2026 (in 20 days); {NO_LABEL_MINIMUM}" in text
    # Appointments belong to the pain treatment: this report has none to show.
    assert "Next appointment" not in text
    assert "Next appointment Tue 1 Dec 2026" in " ".join(
        p.extract_text() for p in PdfReader(BytesIO(renderer("pdf")(report_of(two, "botox")))).pages
    )
    with pytest.raises(NotFound, match="the treatments are 'botox', 'B12'"):
        report_of(two, "insulin")


# --- HTML -------------------------------------------------------------------------


def test_the_html_page_shows_each_treatment_and_marks_the_reviewed_ones_injections(
    two: Tracker, tmp_path: Path
):
    _, page = export_html(two, tmp_path / "r.html")

    assert len(page.with_class("treatments")) == 1
    assert len(page.with_class("treatment-injections")) == 2
    assert "Treatment Product Plan Last injection Next due" in page.text
    assert "B12 hydroxocobalamin every month; reminders from 5 days before" in page.text
    assert f"Tue 15 Dec 2026 (in 20 days); {NO_LABEL_MINIMUM}" in page.text
    assert "Injection sessions: botox" in page.text
    assert "Injection sessions: B12" in page.text
    for day in B12_DAYS:
        assert f"{day} hydroxocobalamin 1000" in page.text
    markers = [m["data-date"] for m in page.with_class("injection-marker")]
    assert markers == INJECTIONS
    assert "vertical lines mark botox injections" in page.text
    assert "What the records suggest about botox" in page.text


# --- FHIR -------------------------------------------------------------------------


def test_fhir_gives_each_treatment_its_medication(tracker: Tracker):
    fill_two_treatments(tracker)
    tracker.ok("effect", "sore arm", "--date", "2026-10-16")  # the day after a B12 session
    bundle = fhir(tracker)

    Bundle.model_validate(bundle)
    for entry in bundle["entry"]:
        FHIR_MODELS[entry["resource"]["resourceType"]].model_validate(entry["resource"])
    counts = Counter(e["resource"]["resourceType"] for e in bundle["entry"])
    assert counts["MedicationStatement"] == 2
    urls = by_url(bundle)
    botox, b12 = resources(bundle, "MedicationStatement")
    assert botox["medicationCodeableConcept"]["coding"][0]["code"] == "M03AX01"
    assert botox["medicationCodeableConcept"]["text"] == "onabotulinumtoxinA (Botox)"
    # A product tracker has no profile for: its name as typed, text only.
    assert b12["medicationCodeableConcept"] == {"text": "hydroxocobalamin"}
    assert botox["dosage"][0]["timing"]["repeat"] == {
        "frequency": 1,
        "period": 3,
        "periodUnit": "mo",
    }
    assert b12["dosage"][0]["text"] == "One injection every month"
    assert b12["note"] == [{"text": "Treatment 'B12' in tracker"}]

    def derived(statement: dict[str, Any]) -> list[str]:
        return [urls[ref["reference"]]["effectiveDateTime"] for ref in statement["derivedFrom"]]

    assert derived(botox) == INJECTIONS
    assert derived(b12) == B12_DAYS
    by_day = {s["effectiveDateTime"]: s for s in sessions(bundle)}
    assert by_day["2026-10-15"]["medicationCodeableConcept"] == {"text": "hydroxocobalamin"}
    assert by_day["2026-09-01"]["medicationReference"] == {"reference": "#medication"}
    # A side effect is placed in a cycle of the reviewed treatment, as in the reports.
    (sore_arm,) = [e for e in resources(bundle, "AdverseEvent") if e["event"]["text"] == "sore arm"]
    (suspect,) = sore_arm["suspectEntity"]
    assert urls[suspect["instance"]["reference"]]["effectiveDateTime"] == "2026-09-01"
    assert fhir(tracker) == bundle


def test_with_one_treatment_the_bundle_has_no_medication_statement(tracker: Tracker):
    tracker.ok("log", "2026-09-01", "--units", "200")
    assert resources(fhir(tracker), "MedicationStatement") == []


# --- ICS --------------------------------------------------------------------------


def test_each_treatment_has_its_own_due_event_with_a_stable_uid(tracker: Tracker, tmp_path):
    tracker.ok("plan", "--name", "Sam")
    tracker.ok("log", "2026-09-01", "--units", "200")
    (before,) = due_events(calendar(tracker, tmp_path)).values()
    assert str(before["SUMMARY"]) == "Sam: Injection due (Botox)"

    add_treatment(tracker, "B12", "hydroxocobalamin", every="4w", within_days=5)
    add_session(tracker, "B12", "2026-11-20")
    events = due_events(calendar(tracker, tmp_path))

    assert sorted(events) == ["Sam: Injection due: B12", "Sam: Injection due: botox"]
    botox, b12 = events["Sam: Injection due: botox"], events["Sam: Injection due: B12"]
    # The treatment the patient had keeps its event: an old calendar gets no copy.
    assert str(botox["UID"]) == str(before["UID"])
    assert botox["DTSTART"].dt == date(2026, 12, 1)
    assert b12["DTSTART"].dt == date(2026, 12, 18)  # 4 weeks: day arithmetic
    assert str(b12["UID"]) != str(botox["UID"])
    (alarm,) = b12.walk("VALARM")
    assert alarm["TRIGGER"].to_ical() == b"-P5D"
    assert NO_LABEL_MINIMUM in str(b12["DESCRIPTION"])

    change_treatment(tracker, "B12", new_name="vitamin B12")
    renamed = due_events(calendar(tracker, tmp_path))
    assert str(renamed["Sam: Injection due: vitamin B12"]["UID"]) == str(b12["UID"])
    assert str(renamed["Sam: Injection due: botox"]["UID"]) == str(botox["UID"])


def test_a_report_of_one_treatment_keeps_that_treatments_uid(two: Tracker, tmp_path: Path):
    everything = due_events(calendar(two, tmp_path))
    only_b12 = due_events(Calendar.from_ical(renderer("ics")(report_of(two, "B12"))))

    # One treatment: not named; and the appointments are the pain treatment's.
    assert [
        str(e["SUMMARY"])
        for e in Calendar.from_ical(renderer("ics")(report_of(two, "B12"))).walk("VEVENT")
    ] == ["Sam Patient: Injection due"]
    assert str(only_b12["Sam Patient: Injection due"]["UID"]) == str(
        everything["Sam Patient: Injection due: B12"]["UID"]
    )


def test_khal_keeps_one_event_per_treatment_through_re_imports_and_a_rename(
    sqlite_tracker: Tracker,
    khal,  # noqa: F811 - the fixture imported above
    tmp_path: Path,
) -> None:
    sqlite_tracker.ok("plan", "--name", "Mum")
    sqlite_tracker.ok("log", "2026-09-01", "--units", "200")
    path = tmp_path / "mum.ics"

    def export_and_import() -> list[str]:
        sqlite_tracker.ok("export", "-o", str(path))
        khal("import", "--batch", str(path))
        return listed(khal)

    assert export_and_import() == ["2026-12-01 Mum: Injection due (Botox)"]
    add_treatment(sqlite_tracker, "B12", "hydroxocobalamin", every="1m")
    add_session(sqlite_tracker, "B12", "2026-11-10")
    assert export_and_import() == [
        "2026-12-01 Mum: Injection due: botox",
        "2026-12-10 Mum: Injection due: B12",
    ]
    change_treatment(sqlite_tracker, "B12", new_name="vitamin B12")
    assert export_and_import() == [
        "2026-12-01 Mum: Injection due: botox",
        "2026-12-10 Mum: Injection due: vitamin B12",
    ]


# --- both backends --------------------------------------------------------------------


def test_every_report_format_carries_both_treatments(tracker: Tracker, tmp_path: Path):
    fill_two_treatments(tracker)

    pdf_text = " ".join(export_pdf(tracker, tmp_path / "r.pdf"))
    _, page = export_html(tracker, tmp_path / "r.html")
    bundle = fhir(tracker)
    events = due_events(calendar(tracker, tmp_path))

    for text in (pdf_text, page.text):
        assert "Injection sessions: botox" in text and "Injection sessions: B12" in text
        assert "Tue 15 Dec 2026 (in 20 days)" in text
    assert len(resources(bundle, "MedicationStatement")) == 2
    assert sorted(events) == [
        "Sam Patient: Injection due: B12",
        "Sam Patient: Injection due: botox",
    ]
