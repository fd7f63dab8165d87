"""Whose records a query reads, and which appointment is next, are decided in one place."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

from tests.conftest import Tracker
from tracker.services.injections import due_status
from tracker.services.patients import due_all, list_patients
from tracker.store.database import Database

TODAY = "2026-11-25"
DAY = "2026-12-03"
SERVICES = Path(__file__).parents[2] / "tracker" / "services"


def _two_bookings_on_one_day(tmp_path: Path) -> str:
    """A backup holding two appointments booked for one day and hour, the later-booked
    one listed first (so it is stored first: a database may return it first)."""
    source = Tracker(str(tmp_path / "source.db"))
    source.ok("log", "2026-10-01")
    source.ok("book", DAY, "--time", "09:30", "--provider", "Dr First")
    document = json.loads(source.ok("export", "--format", "json").stdout)
    (first,) = document["appointments"]
    second = {**first, "id": first["id"] + 1, "provider": "Dr Second"}
    document["appointments"] = [second, first]
    path = tmp_path / "backup.json"
    path.write_text(json.dumps(document))
    return str(path)


def test_two_appointments_on_one_day_every_path_shows_the_earlier_booked(tracker, tmp_path):
    tracker.ok("import", _two_bookings_on_one_day(tmp_path))
    listed = tracker.json("appointments")
    assert [(a["id"], a["date"], a["time"]) for a in listed] == [
        (1, DAY, "09:30"),
        (2, DAY, "09:30"),
    ]
    assert "Booked: Thu 3 Dec 2026 at 09:30 with Dr First (#1)" in tracker.ok("due").stdout
    database = Database(tracker.db)
    try:
        shown = [
            due_status(database, date.fromisoformat(TODAY)).appointment,
            *(row.due.appointment for row in due_all(database, date.fromisoformat(TODAY))),
            *(row.due.appointment for row in list_patients(database, date.fromisoformat(TODAY))),
        ]
    finally:
        database.close()
    assert [a.id if a else None for a in shown] == [1, 1, 1]


def test_no_service_writes_the_patient_filter_itself():
    """Services reach a patient's records through store.scope.PatientScope only;
    `patients` alone works across patients (listing, adding, removing them)."""
    offenders = []
    for module in sorted(SERVICES.glob("*.py")):
        source = module.read_text()
        if re.search(r"\bpatient_id\(|import[^\n]*\bpatient_id\b", source):
            offenders.append(module.name)
        if module.name != "patients.py" and re.search(r"\.patient_id\s*[=!]=", source):
            offenders.append(module.name)
    assert offenders == []
