"""The side-effect log: record, list, resolve."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from tracker.domain import schedule
from tracker.domain.dates import not_in_future
from tracker.domain.errors import Conflict, InvalidInput
from tracker.domain.records import EffectRecord, EffectView
from tracker.domain.side_effects import EffectClass, Severity, classify, is_persistent
from tracker.store import audit
from tracker.store.database import Database
from tracker.store.models import InjectionSession, SideEffect
from tracker.store.scope import PatientScope


def record_effect(
    db: Database,
    text: str,
    day: date,
    severity: Severity | None,
    note: str | None,
    today: date,
) -> EffectView:
    not_in_future(day, today, "the side effect's date")
    classification = classify(text)
    with db.transaction() as session:
        records = PatientScope(session)
        row = records.add(
            SideEffect(
                date=day,
                text=text.strip(),
                term=classification.term,
                effect_class=classification.effect_class.value,
                severity=None if severity is None else severity.value,
                note=note or None,
            )
        )
        audit.record_insert(session, "effect", row)
        return effect_view(row, records.dates(InjectionSession), today)


def list_effects(db: Database, today: date, only_open: bool = False) -> list[EffectView]:
    with db.transaction() as session:
        records = PatientScope(session)
        still_open = (SideEffect.resolved_on.is_(None),) if only_open else ()
        rows = records.all(SideEffect, *still_open)
        injections = records.dates(InjectionSession)
        return [effect_view(row, injections, today) for row in rows]


def resolve_effect(db: Database, effect_id: int, day: date, today: date) -> EffectView:
    not_in_future(day, today, "the date it went away")
    with db.transaction() as session:
        records = PatientScope(session)
        missing = f"no side effect #{effect_id} (see the ids with: tracker effects)"
        row = records.get(SideEffect, effect_id, missing)
        if row.resolved_on is not None:
            raise Conflict(
                f"side effect #{effect_id} was already marked resolved on "
                f"{row.resolved_on.isoformat()}"
            )
        if day < row.date:
            raise InvalidInput(
                f"side effect #{effect_id} started on {row.date.isoformat()}; "
                f"it cannot have gone away before that ({day.isoformat()})"
            )
        before = audit.snapshot(row)
        row.resolved_on = day
        audit.record_update(session, "resolve", row, before)
        return effect_view(row, records.dates(InjectionSession), today)


def to_record(row: SideEffect) -> EffectRecord:
    return EffectRecord(
        id=row.id,
        day=row.date,
        text=row.text,
        term=row.term,
        effect_class=EffectClass(row.effect_class),
        severity=None if row.severity is None else Severity(row.severity),
        note=row.note,
        resolved_on=row.resolved_on,
    )


def as_of(view: EffectView, day: date) -> EffectView:
    """The effect as it stood on ``day``: one resolved after it was still open then."""
    record = view.record
    if record.resolved_on is None or record.resolved_on <= day:
        return view
    return replace(
        view,
        record=replace(record, resolved_on=None),
        persistent=is_persistent(record.effect_class, record.day, None, day),
    )


def effect_view(row: SideEffect, injections: list[date], today: date) -> EffectView:
    record = to_record(row)
    position = schedule.cycle_position(record.day, injections)
    return EffectView(
        record=record,
        persistent=is_persistent(record.effect_class, record.day, record.resolved_on, today),
        injection_date=position[0] if position else None,
        cycle_day=position[1] if position else None,
    )
