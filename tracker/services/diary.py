"""The pain and function diary."""

from __future__ import annotations

from datetime import date

from tracker.domain.dates import not_in_future
from tracker.domain.records import PainRecord
from tracker.store import audit
from tracker.store.database import Database
from tracker.store.models import PainEntry
from tracker.store.scope import PatientScope


def add_pain(
    db: Database,
    day: date,
    score: int,
    function: int | None,
    note: str | None,
    today: date,
) -> PainRecord:
    not_in_future(day, today, "the diary date")
    with db.transaction() as session:
        row = PatientScope(session).add(
            PainEntry(date=day, score=score, function=function, note=note or None)
        )
        audit.record_insert(session, "pain", row)
        return to_record(row)


def pain_entries(db: Database, since: date | None = None) -> list[PainRecord]:
    with db.transaction() as session:
        return [to_record(row) for row in PatientScope(session).in_period(PainEntry, since, None)]


def to_record(row: PainEntry) -> PainRecord:
    return PainRecord(row.id, row.date, row.score, row.function, row.note)
