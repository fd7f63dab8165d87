"""The pain and function diary."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from tracker.domain.dates import not_in_future
from tracker.domain.records import PainRecord
from tracker.store import audit
from tracker.store.database import Database
from tracker.store.models import PainEntry
from tracker.store.scope import patient_id


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
        row = PainEntry(
            patient_id=patient_id(session),
            date=day,
            score=score,
            function=function,
            note=note or None,
        )
        session.add(row)
        audit.record_insert(session, "pain", row)
        return to_record(row)


def pain_entries(db: Database, since: date | None = None) -> list[PainRecord]:
    with db.transaction() as session:
        query = (
            select(PainEntry)
            .where(PainEntry.patient_id == patient_id(session))
            .order_by(PainEntry.date, PainEntry.id)
        )
        if since is not None:
            query = query.where(PainEntry.date >= since)
        return [to_record(row) for row in session.scalars(query)]


def to_record(row: PainEntry) -> PainRecord:
    return PainRecord(row.id, row.date, row.score, row.function, row.note)
