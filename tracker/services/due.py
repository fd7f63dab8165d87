"""`tracker due` for the current patient: each treatment's Due, most urgent first."""

from __future__ import annotations

from datetime import date

from tracker.domain import schedule
from tracker.store.database import Database
from tracker.store.due_picture import treatment_dues
from tracker.store.queries import due_pictures
from tracker.store.scope import PatientScope


def due_treatments(
    db: Database, today: date, within_days: int | None = None
) -> list[schedule.TreatmentDue]:
    """What the fast path (store.quick_due.quick_due_treatments) answers, read with
    SQLAlchemy: for any database, with its migrations and its error messages."""
    with db.transaction() as session:
        return treatment_dues(due_pictures(PatientScope(session), today), today, within_days)
