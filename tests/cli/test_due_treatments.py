"""`tracker due` with several treatments (issue 16), on SQLite and PostgreSQL.

Until `tracker treatments add` and `log --treatment` exist (another part of issue
16), the treatments and their sessions are put in with the models by the two
helpers below; swap them for the commands when those land.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date

from sqlalchemy import func, select

from tracker.store.database import Database
from tracker.store.models import InjectionSession, InjectionSite, Patient, TreatmentRow


def add_treatment(
    location: str,
    name: str,
    product: str = "botox",
    every: str = "3m",
    within: int = 14,
    sites: str | None = None,
    patient: str | None = None,
) -> None:
    """What `tracker [--patient P] treatments add NAME --product --every --within --sites`
    stores (the first patient when none is named)."""
    database = Database(location)
    try:
        with database.transaction() as session:
            row = TreatmentRow(
                patient_id=_patient_id(session, patient),
                name=name,
                product=product,
                every=every,
                within_days=within,
                sites=sites,
            )
            session.add(row)
    finally:
        database.close()


def add_session(
    location: str,
    treatment: str,
    day: date,
    sites: Sequence[str] = (),
    patient: str | None = None,
) -> None:
    """What `tracker [--patient P] log DAY --treatment NAME --site S...` stores."""
    database = Database(location)
    try:
        with database.transaction() as session:
            patient_id = _patient_id(session, patient)
            row = session.scalars(
                select(TreatmentRow).where(
                    TreatmentRow.patient_id == patient_id,
                    func.lower(TreatmentRow.name) == treatment.lower(),
                )
            ).one()
            injection = InjectionSession(
                patient_id=patient_id, treatment_id=row.id, date=day, product=row.product
            )
            injection.sites = [
                InjectionSite(position=position, muscle=site) for position, site in enumerate(sites)
            ]
            session.add(injection)
    finally:
        database.close()


def _patient_id(session, name: str | None) -> int:
    query = select(Patient.id).order_by(Patient.id)
    if name is not None:
        query = query.where(Patient.name == name)
    return session.scalars(query.limit(1)).one()


def _three(tracker) -> None:
    """botox (logged 2026-08-20, overdue on 2026-11-25), B12 every 28 days with a rotation
    (due soon), and a biologic every 2 weeks never logged."""
    tracker.ok("log", "2026-08-20", "--units", "200")
    add_treatment(tracker.db, "B12", "hydroxocobalamin", "28d", 7, "left thigh, right thigh")
    add_session(tracker.db, "B12", date(2026, 10, 30), ["left thigh"])
    add_treatment(tracker.db, "Biologic", "adalimumab", "2w", 3)


def test_one_line_per_treatment_most_urgent_first(tracker):
    _three(tracker)
    assert tracker.ok("due").stdout.splitlines() == [
        "botox: Next injection was due Fri 20 Nov 2026 — 5 days ago (overdue: contact your "
        "clinic to book)",
        "  No appointment yet: tracker book DATE",
        "B12: Next injection due Fri 27 Nov 2026 — in 2 days: time to book it (tracker knows "
        "no label minimum for hydroxocobalamin: your clinician's interval is the schedule)",
        "  Next site: right thigh",
        "Biologic: No injection logged yet. Record one with: tracker log DATE --treatment "
        "Biologic --units N",
    ]
    # Later, both are overdue: botox by more days, so it stays first.
    lines = tracker.ok("due", today="2026-12-20").stdout.splitlines()
    assert [line.split(":")[0] for line in lines if not line.startswith(" ")] == [
        "botox",
        "B12",
        "Biologic",
    ]


def test_the_most_urgent_can_be_any_treatment(tracker):
    tracker.ok("log", "2026-11-20", "--units", "200")
    add_treatment(tracker.db, "B12", "hydroxocobalamin", "2w", 7)
    add_session(tracker.db, "B12", date(2026, 11, 1))
    out = tracker.ok("due").stdout.splitlines()
    assert out[0] == (
        "B12: Next injection was due Sun 15 Nov 2026 — 10 days ago (overdue: contact your "
        "clinic to book)"
    )
    # Only the pain treatment is told to book: appointments are its own.
    assert out[1].startswith("botox: Next injection due Sat 20 Feb 2027")
    data = tracker.json("due")
    assert (data["status"], data["next_due"], data["days_left"]) == ("overdue", "2026-11-15", -10)


def test_json_keeps_the_most_urgent_at_the_top_and_lists_every_treatment(tracker):
    _three(tracker)
    data = tracker.json("due")
    assert {k: data[k] for k in ("status", "next_due", "days_left", "last_injection")} == {
        "status": "overdue",
        "next_due": "2026-11-20",
        "days_left": -5,
        "last_injection": "2026-08-20",
    }
    assert data["treatments"] == [
        {
            "treatment": "botox",
            "product": "botox",
            "status": "overdue",
            "next_due": "2026-11-20",
            "earliest": "2026-11-12",
            "days_left": -5,
            "last_injection": "2026-08-20",
            "appointment": None,
            "appointment_status": None,
        },
        {
            "treatment": "B12",
            "product": "hydroxocobalamin",
            "status": "due_soon",
            "next_due": "2026-11-27",
            "earliest": None,
            "days_left": 2,
            "last_injection": "2026-10-30",
            "appointment": None,
            "appointment_status": None,
            "next_site": "right thigh",
        },
        {
            "treatment": "Biologic",
            "product": "adalimumab",
            "status": "none",
            "next_due": None,
            "earliest": None,
            "days_left": None,
            "last_injection": None,
            "appointment": None,
            "appointment_status": None,
        },
    ]


def test_the_next_site_is_the_one_used_least_recently(tracker):
    tracker.ok("log", "2026-11-20")
    add_treatment(tracker.db, "B12", "hydroxocobalamin", "1m", 7, "left thigh, right thigh, arm")
    assert tracker.json("due", "--treatment", "b12")["treatments"][0]["next_site"] == "left thigh"
    add_session(tracker.db, "B12", date(2026, 9, 1), ["Left Thigh", "arm"])
    add_session(tracker.db, "B12", date(2026, 10, 1), ["right thigh"])
    assert tracker.json("due", "--treatment", "B12")["treatments"][0]["next_site"] == "left thigh"
    add_session(tracker.db, "B12", date(2026, 11, 1), ["left thigh"])
    assert tracker.json("due", "--treatment", "B12")["treatments"][0]["next_site"] == "arm"


def test_treatment_option_shows_only_that_one(tracker):
    _three(tracker)
    result = tracker.ok("due", "--treatment", " b12 ")
    assert result.stdout.splitlines() == [
        "B12: Next injection due Fri 27 Nov 2026 — in 2 days: time to book it (tracker knows "
        "no label minimum for hydroxocobalamin: your clinician's interval is the schedule)",
        "  Next site: right thigh",
    ]
    data = tracker.json("due", "--treatment", "Biologic")
    assert data["status"] == "none" and [t["treatment"] for t in data["treatments"]] == ["Biologic"]
    assert tracker("due", "--treatment", "biologic", "--check").exit_code == 0
    assert tracker("due", "--treatment", "B12", "--check").exit_code == 1


def test_an_unknown_treatment_is_one_error_line_listing_them(tracker):
    _three(tracker)
    result = tracker.fails("due", "--treatment", "insulin")
    assert result.stderr == (
        "Error: there is no treatment called 'insulin'; the treatments are 'botox', 'B12', "
        "'Biologic'\n"
    )
    assert result.stdout == ""
    assert tracker.fails("due", "--treatment", "insulin", "--json").stdout == ""


def test_check_exits_1_when_any_treatment_needs_attention(tracker):
    tracker.ok("log", "2026-11-20")  # botox: not due for months
    add_treatment(tracker.db, "B12", "hydroxocobalamin", "28d", 7)
    add_session(tracker.db, "B12", date(2026, 11, 20))
    assert tracker("due", "--check").exit_code == 0
    # 2026-12-11: B12 due in 7 days (its window); botox still far off.
    assert tracker("due", "--check", today="2026-12-10").exit_code == 0
    result = tracker("due", "--check", today="2026-12-11")
    assert result.exit_code == 1
    assert result.stdout.startswith("B12: Next injection due Fri 18 Dec 2026 — in 7 days")


def test_a_booking_covers_the_pain_treatment_only(tracker):
    tracker.ok("log", "2026-08-25")
    add_treatment(tracker.db, "B12", "hydroxocobalamin", "28d", 7)
    add_session(tracker.db, "B12", date(2026, 10, 30))
    tracker.ok("book", "2026-12-01", "--time", "09:30")
    out = tracker.ok("due").stdout.splitlines()
    assert out[0] == "botox: Next injection due today, Wed 25 Nov 2026 (earliest Tue 17 Nov)"
    assert out[1] == "  Booked: Tue 1 Dec 2026 at 09:30 (#1)"
    assert out[2].startswith("B12: Next injection due Fri 27 Nov 2026 — in 2 days: time to book it")
    data = tracker.json("due")
    assert [t["appointment"] for t in data["treatments"]] == ["2026-12-01", None]
    # The booking covers botox's reminder; B12 due soon still needs attention.
    assert tracker("due", "--check").exit_code == 1
    # A missed appointment is the pain treatment's: a B12 injection after it changes nothing.
    add_session(tracker.db, "B12", date(2026, 12, 5))
    missed = tracker.ok("due", today="2026-12-08").stdout
    assert "  Missed appointment: Tue 1 Dec 2026 at 09:30 (#1)" in missed
    assert "  If you had the injection, log it: tracker log 2026-12-01 --treatment botox" in missed


def test_one_treatment_prints_what_tracker_always_printed(tracker):
    tracker.ok("log", "2026-11-24")
    assert tracker.ok("due", today="2027-02-23").stdout.splitlines() == [
        "Next injection due Wed 24 Feb 2027 — in 1 day: time to book it (earliest Tue 16 Feb)",
        "No appointment yet: tracker book DATE",
    ]
    assert tracker.json("due")["treatments"][0]["treatment"] == "botox"


def test_due_all_shows_each_patients_most_urgent_treatment(tracker):
    tracker.ok("patients", "add", "Ann")
    tracker.ok("patients", "add", "Bob")
    tracker.ok("--patient", "Ann", "log", "2026-11-20")
    add_treatment(tracker.db, "B12", "hydroxocobalamin", "28d", 7, patient="Ann")
    add_session(tracker.db, "B12", date(2026, 10, 1), patient="Ann")
    add_treatment(tracker.db, "Prolia", "denosumab", "6m", 30, patient="Ann")
    add_session(tracker.db, "Prolia", date(2026, 6, 1), patient="Ann")
    tracker.ok("--patient", "Bob", "log", "2026-09-01")
    rows = tracker.json("due", "--all")
    assert [
        (r["patient"], r["treatment"], r["status"], r["others_needing_attention"]) for r in rows
    ] == [("Ann", "B12", "overdue", 1), ("Bob", "botox", "due_soon", 0)]
    assert set(rows[0]) >= {"patient", "status", "next_due", "open_safety_effects"}
    table = tracker.ok("due", "--all").stdout.splitlines()
    assert table[0].split() == [
        "PATIENT",
        "TREATMENT",
        "STATUS",
        "NEXT",
        "DUE",
        "DAYS",
        "LEFT",
        "LAST",
        "INJECTION",
        "APPOINTMENT",
        "OTHERS",
        "DUE",
        "SAFETY",
    ]
    assert table[1].split() == [
        "Ann", "B12", "overdue", "2026-10-29", "-27", "2026-10-01", "-", "+1"
    ]  # fmt: skip
    assert table[2].split() == [
        "Bob", "botox", "due_soon", "2026-12-01", "6", "2026-09-01", "-", "-"
    ]  # fmt: skip
    assert tracker("due", "--all", "--check", today="2026-11-25").exit_code == 1


def test_due_all_with_one_treatment_each_keeps_its_columns(tracker):
    tracker.ok("patients", "add", "Ann")
    tracker.ok("--patient", "Ann", "log", "2026-11-20")
    assert tracker.ok("due", "--all").stdout.splitlines()[0].split()[:2] == ["PATIENT", "STATUS"]
    (row,) = tracker.json("due", "--all")
    assert (row["treatment"], row["others_needing_attention"]) == ("botox", 0)


def test_an_others_needing_attention_makes_due_all_check_exit_1(tracker):
    tracker.ok("log", "2026-11-20")
    add_treatment(tracker.db, "B12", "hydroxocobalamin", "28d", 7)
    add_session(tracker.db, "B12", date(2026, 11, 20))
    # B12 (due 18 Dec) comes before botox (due 20 Feb) and is due soon from 11 Dec.
    assert tracker("due", "--all", "--check").exit_code == 0
    assert tracker("due", "--all", "--check", today="2026-12-11").exit_code == 1


def test_treatment_with_all_is_refused(tracker):
    tracker.ok("log", "2026-11-20")
    result = tracker.fails("due", "--all", "--treatment", "botox")
    assert result.stderr.startswith("Error: ") and len(result.stderr.splitlines()) == 1


def test_a_patient_without_any_treatment_sees_the_default_plan(tracker):
    tracker.ok("log", "2026-11-20")
    database = Database(tracker.db)
    try:
        with database.transaction() as session:
            session.execute(InjectionSite.__table__.delete())
            session.execute(InjectionSession.__table__.delete())
            session.execute(TreatmentRow.__table__.delete())
    finally:
        database.close()
    assert tracker.ok("due").stdout.startswith("No injection logged yet.")
    data = tracker.json("due")
    assert (data["status"], data["treatments"]) == ("none", [])
    assert tracker.fails("due", "--treatment", "botox").stderr == (
        "Error: there is no treatment called 'botox'; there are no treatments yet\n"
    )
    assert json.loads(tracker.ok("due", "--all", "--json").stdout)[0]["treatment"] is None
