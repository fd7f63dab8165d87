"""Recording, correcting and listing injection sessions; the due reminder."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tracker.domain import dosing, schedule
from tracker.domain.dates import not_in_future
from tracker.domain.errors import Conflict
from tracker.domain.products import Product, any_profile, is_known
from tracker.domain.records import (
    HistoryRow,
    InjectionDraft,
    InjectionRecord,
    SavedInjection,
)
from tracker.services.appointments import mark_done_on
from tracker.services.treatments import (
    named_row,
    several_treatments_error,
    suggested_site,
    treatment_due,
)
from tracker.store import audit
from tracker.store.database import Database
from tracker.store.models import InjectionSession, InjectionSite, TreatmentRow
from tracker.store.queries import due_picture
from tracker.store.scope import PatientScope
from tracker.store.treatments import plan_row_for_writing, treatment_rows

FUTURE_HINT = "only injections already given can be logged (book an appointment for a future one)"


def log_injection(
    db: Database,
    draft: InjectionDraft,
    today: date,
    treatment_name: str | None = None,
    product_given: bool = True,
) -> SavedInjection:
    """Store a session in the treatment named (with one treatment, that one; with none,
    the one tracker has always started with). ``product_given``: False when the user
    named no product, so the session's product is the treatment's."""
    draft = _validated(draft, today)
    with db.transaction() as session:
        records = PatientScope(session)
        treatment = _treatment_to_log(records, treatment_name)
        if not product_given:
            draft = replace(draft, product=_product(treatment.product))
        _refuse_second_session_on(records, treatment.id, draft.day)
        row = records.add(_apply(InjectionSession(treatment=treatment), draft))
        _flush(session, draft.day)
        audit.record_insert(session, "log", row)
        mark_done_on(records, draft.day)
        return _saved(records, row, today)


def edit_injection(
    db: Database,
    session_id: int,
    changes: Mapping[str, Any],
    today: date,
    treatment_name: str | None = None,
) -> SavedInjection:
    """Correct a session; ``treatment_name`` moves it to that treatment (taking that
    treatment's product unless ``changes`` names one)."""
    with db.transaction() as session:
        records = PatientScope(session)
        row = _get(records, session_id)
        before = audit.snapshot(row)
        target = None if treatment_name is None else named_row(records, treatment_name)
        if target is not None and target.id == row.treatment_id:
            target = None  # already there
        if target is not None and "product" not in changes:
            changes = {**changes, "product": _product(target.product)}
        draft = _validated(replace(_to_record(row), **changes), today)
        if draft.day != row.date or target is not None:
            owner = row.treatment_id if target is None else target.id
            _refuse_second_session_on(records, owner, draft.day)
        if target is not None:
            row.treatment = target
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


@dataclass(frozen=True)
class History:
    rows: list[HistoryRow]
    # How many treatments the patient has: with several, the history names each row's.
    treatments: int


def treatment_history(db: Database, treatment_name: str | None = None) -> History:
    """Every session (of the treatment named), oldest first; each gap is since the
    previous session of the same treatment."""
    with db.transaction() as session:
        scope = PatientScope(session)
        count = len(treatment_rows(session, scope.patient_id))
        where = []
        if treatment_name is not None:
            where.append(InjectionSession.treatment_id == named_row(scope, treatment_name).id)
        records = [_to_record(row) for row in scope.all(InjectionSession, *where)]
    rows, previous = [], {}
    for record in records:
        rows.append(
            HistoryRow(record, schedule.days_between(previous.get(record.treatment), record.day))
        )
        previous[record.treatment] = record.day
    return History(rows, count)


def history(db: Database) -> list[HistoryRow]:
    return treatment_history(db).rows


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


def _treatment_to_log(records: PatientScope, name: str | None) -> TreatmentRow:
    """The treatment named; without a name the only one (or, for a patient without any,
    the one tracker has always started with); with several, an error listing them."""
    if name is not None:
        return named_row(records, name)
    rows = treatment_rows(records.session, records.patient_id)
    if len(rows) > 1:
        raise several_treatments_error(rows)
    return rows[0] if rows else plan_row_for_writing(records)


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
    others = [other for other in records.all(InjectionSession) if other.id != row.id]
    profile = any_profile(str(record.product))
    # The label's minimum interval counts the sessions of the same treatment, and
    # every botulinum toxin session when this one is a toxin (issue 16: the 12-week
    # rule is for toxins only; a B12 injection never brings a Botox session closer).
    neighbours = [
        other.date
        for other in others
        if other.treatment_id == row.treatment_id
        or (profile.botulinum_toxin and any_profile(other.product).botulinum_toxin)
    ]
    warnings = dosing.interval_warnings(record.day, neighbours, profile)
    # Units of different products are never added (dosing.dose_warnings).
    warnings += dosing.dose_warnings(record.as_dose(), [_to_record(o).as_dose() for o in others])
    treatment = row.treatment
    return SavedInjection(
        record,
        treatment_due(records, treatment, today),
        warnings,
        suggested_site(records, treatment),
    )


def _get(records: PatientScope, session_id: int) -> InjectionSession:
    missing = f"no injection session #{session_id} (see the ids with: tracker history)"
    return records.get(InjectionSession, session_id, missing)


def all_records(records: PatientScope) -> list[InjectionRecord]:
    return [_to_record(row) for row in records.all(InjectionSession)]


def _apply(row: InjectionSession, draft: InjectionDraft) -> InjectionSession:
    row.date = draft.day
    row.product = str(draft.product)
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
