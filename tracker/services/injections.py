"""Recording, correcting and listing injection sessions; the due reminder."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tracker.domain import dosing, schedule
from tracker.domain.dates import not_in_future
from tracker.domain.errors import Conflict, NotFound
from tracker.domain.products import patient_profile, profile_of
from tracker.domain.records import (
    HistoryRow,
    InjectionDraft,
    InjectionRecord,
    SavedInjection,
)
from tracker.services.appointments import due_appointment, mark_done_on
from tracker.services.plan import load_plan
from tracker.store import audit
from tracker.store.database import Database
from tracker.store.models import InjectionSession, InjectionSite
from tracker.store.queries import latest_injection_date, latest_injection_product
from tracker.store.scope import patient_id

FUTURE_HINT = "only injections already given can be logged (book an appointment for a future one)"


def log_injection(db: Database, draft: InjectionDraft, today: date) -> SavedInjection:
    draft = _validated(draft, today)
    with db.transaction() as session:
        _refuse_second_session_on(session, draft.day)
        row = InjectionSession()
        _apply(session, row, draft)
        session.add(row)
        _flush(session, draft.day)
        audit.record_insert(session, "log", row)
        mark_done_on(session, draft.day)
        return _saved(session, row, today)


def edit_injection(
    db: Database, session_id: int, changes: Mapping[str, Any], today: date
) -> SavedInjection:
    with db.transaction() as session:
        row = _get(session, session_id)
        before = audit.snapshot(row)
        draft = _validated(replace(_to_record(row), **changes), today)
        if draft.day != row.date:
            _refuse_second_session_on(session, draft.day)
        _apply(session, row, draft)
        _flush(session, draft.day)
        audit.record_update(session, "edit", row, before)
        return _saved(session, row, today)


def delete_injection(db: Database, session_id: int) -> InjectionRecord:
    with db.transaction() as session:
        row = _get(session, session_id)
        record = _to_record(row)
        audit.record_delete(session, "delete", row)
        session.delete(row)
        return record


def get_injection(db: Database, session_id: int) -> InjectionRecord:
    with db.transaction() as session:
        return _to_record(_get(session, session_id))


def history(db: Database) -> list[HistoryRow]:
    with db.transaction() as session:
        records = [_to_record(row) for row in _all_sessions(session)]
    rows, previous = [], None
    for record in records:
        rows.append(HistoryRow(record, schedule.days_between(previous, record.day)))
        previous = record.day
    return rows


def due_status(db: Database, today: date, within_days: int | None = None) -> schedule.Due:
    with db.transaction() as session:
        return _due(session, today, within_days)


def _due(session: Session, today: date, within_days: int | None = None) -> schedule.Due:
    plan = load_plan(session)
    last = latest_injection_date(session)
    window = plan.within_days if within_days is None else within_days
    product = patient_profile(latest_injection_product(session))
    due = schedule.due(last, today, plan.every_months, window, product)
    return replace(due, appointment=due_appointment(session, today))


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


def _refuse_second_session_on(session: Session, day: date) -> None:
    existing = session.scalar(
        select(InjectionSession.id).where(
            InjectionSession.date == day, InjectionSession.patient_id == patient_id(session)
        )
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


def _saved(session: Session, row: InjectionSession, today: date) -> SavedInjection:
    record = _to_record(row)
    others = [_to_record(other) for other in _all_sessions(session) if other.id != row.id]
    profile = profile_of(record.product)
    warnings = dosing.interval_warnings(record.day, [o.day for o in others], profile)
    warnings += dosing.dose_warnings(record.as_dose(), [o.as_dose() for o in others])
    return SavedInjection(record, _due(session, today), warnings)


def _get(session: Session, session_id: int) -> InjectionSession:
    row = session.get(InjectionSession, session_id)
    if row is None or row.patient_id != patient_id(session):
        raise NotFound(f"no injection session #{session_id} (see the ids with: tracker history)")
    return row


def all_records(session: Session) -> list[InjectionRecord]:
    return [_to_record(row) for row in _all_sessions(session)]


def _all_sessions(session: Session) -> list[InjectionSession]:
    return list(
        session.scalars(
            select(InjectionSession)
            .where(InjectionSession.patient_id == patient_id(session))
            .order_by(InjectionSession.date)
        )
    )


def _apply(session: Session, row: InjectionSession, draft: InjectionDraft) -> None:
    row.patient_id = patient_id(session)
    row.date = draft.day
    row.product = draft.product.value
    row.units = draft.units
    row.provider, row.lot, row.note = draft.provider, draft.lot, draft.note
    row.sites = [
        InjectionSite(position=position, muscle=site.muscle, units=site.units)
        for position, site in enumerate(draft.sites)
    ]


def _to_record(row: InjectionSession) -> InjectionRecord:
    return InjectionRecord(
        id=row.id,
        day=row.date,
        product=dosing.Product(row.product),
        units=row.units,
        sites=tuple(dosing.Site(site.muscle, site.units) for site in row.sites),
        provider=row.provider,
        lot=row.lot,
        note=row.note,
    )
