"""Recording, correcting and listing injection sessions; the due reminder."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tracker.domain import dosing, schedule
from tracker.domain.dates import not_in_future
from tracker.domain.errors import Conflict
from tracker.domain.products import Product, is_known, profile_of
from tracker.domain.records import (
    HistoryRow,
    InjectionDraft,
    InjectionRecord,
    SavedInjection,
)
from tracker.services.appointments import mark_done_on
from tracker.store import audit
from tracker.store.database import Database
from tracker.store.models import InjectionSession, InjectionSite
from tracker.store.queries import due_picture
from tracker.store.scope import PatientScope
from tracker.store.treatments import plan_row_for_writing

FUTURE_HINT = "only injections already given can be logged (book an appointment for a future one)"


def log_injection(db: Database, draft: InjectionDraft, today: date) -> SavedInjection:
    draft = _validated(draft, today)
    with db.transaction() as session:
        records = PatientScope(session)
        treatment = plan_row_for_writing(records)
        _refuse_second_session_on(records, treatment.id, draft.day)
        row = records.add(_apply(InjectionSession(treatment_id=treatment.id), draft))
        _flush(session, draft.day)
        audit.record_insert(session, "log", row)
        mark_done_on(records, draft.day)
        return _saved(records, row, today)


def edit_injection(
    db: Database, session_id: int, changes: Mapping[str, Any], today: date
) -> SavedInjection:
    with db.transaction() as session:
        records = PatientScope(session)
        row = _get(records, session_id)
        before = audit.snapshot(row)
        draft = _validated(replace(_to_record(row), **changes), today)
        if draft.day != row.date:
            _refuse_second_session_on(records, row.treatment_id, draft.day)
        _apply(row, draft)
        _flush(session, draft.day)
        audit.record_update(session, "edit", row, before)
        return _saved(records, row, today)


def delete_injection(db: Database, session_id: int) -> InjectionRecord:
    with db.transaction() as session:
        row = _get(PatientScope(session), session_id)
        record = _to_record(row)
        audit.record_delete(session, "delete", row)
        session.delete(row)
        return record


def get_injection(db: Database, session_id: int) -> InjectionRecord:
    with db.transaction() as session:
        return _to_record(_get(PatientScope(session), session_id))


def history(db: Database) -> list[HistoryRow]:
    with db.transaction() as session:
        records = all_records(PatientScope(session))
    rows, previous = [], None
    for record in records:
        rows.append(HistoryRow(record, schedule.days_between(previous, record.day)))
        previous = record.day
    return rows


def due_status(db: Database, today: date, within_days: int | None = None) -> schedule.Due:
    with db.transaction() as session:
        return due_picture(PatientScope(session), today).due(today, within_days)


def _validated(draft: InjectionDraft, today: date) -> InjectionDraft:
    not_in_future(draft.day, today, "the injection date", FUTURE_HINT)
    return replace(
        draft,
        units=dosing.session_units(draft.units, draft.sites),
        provider=_blank_to_none(draft.provider),
        lot=_blank_to_none(draft.lot),
        note=_blank_to_none(draft.note),
    )


def _blank_to_none(value: str | None) -> str | None:
    return value if value and value.strip() else None


def _product(stored: str) -> Product | str:
    """A stored product: a Product when tracker knows it, else the name as stored."""
    return Product(stored) if is_known(stored) else stored


def _refuse_second_session_on(records: PatientScope, treatment_id: int, day: date) -> None:
    """One session a day per treatment."""
    existing = records.first_id(
        InjectionSession,
        InjectionSession.date == day,
        InjectionSession.treatment_id == treatment_id,
    )
    if existing is not None:
        raise Conflict(
            f"there is already an injection session on {day.isoformat()} (#{existing}); "
            f"change it with: tracker edit {existing}"
        )


def _flush(session: Session, day: date) -> None:
    try:
        session.flush()
    except IntegrityError as error:
        if "date" not in str(error.orig).lower():
            raise
        # Another process stored a session on the same date meanwhile.
        raise Conflict(f"there is already an injection session on {day.isoformat()}") from None


def _saved(records: PatientScope, row: InjectionSession, today: date) -> SavedInjection:
    record = _to_record(row)
    others = [other for other in all_records(records) if other.id != row.id]
    profile = profile_of(record.product)
    warnings = dosing.interval_warnings(record.day, [o.day for o in others], profile)
    warnings += dosing.dose_warnings(record.as_dose(), [o.as_dose() for o in others])
    return SavedInjection(record, due_picture(records, today).due(today), warnings)


def _get(records: PatientScope, session_id: int) -> InjectionSession:
    missing = f"no injection session #{session_id} (see the ids with: tracker history)"
    return records.get(InjectionSession, session_id, missing)


def all_records(records: PatientScope) -> list[InjectionRecord]:
    return [_to_record(row) for row in records.all(InjectionSession)]


def _apply(row: InjectionSession, draft: InjectionDraft) -> InjectionSession:
    row.date = draft.day
    row.product = draft.product.value
    row.units = draft.units
    row.provider, row.lot, row.note = draft.provider, draft.lot, draft.note
    row.sites = [
        InjectionSite(position=position, muscle=site.muscle, units=site.units)
        for position, site in enumerate(draft.sites)
    ]
    return row


def _to_record(row: InjectionSession) -> InjectionRecord:
    return InjectionRecord(
        id=row.id,
        day=row.date,
        product=_product(row.product),
        units=row.units,
        sites=tuple(dosing.Site(site.muscle, site.units) for site in row.sites),
        provider=row.provider,
        lot=row.lot,
        note=row.note,
        treatment=row.treatment.name,
    )
