"""Gathering one patient's records into the report model for an export."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from sqlalchemy import select

from tracker.domain import response, schedule
from tracker.domain.errors import InvalidInput
from tracker.export.model import Report
from tracker.services.appointments import all_appointments, next_booked
from tracker.services.diary import to_record as pain_record
from tracker.services.effects import effect_view
from tracker.services.injections import all_records
from tracker.services.plan import load_plan
from tracker.store import audit
from tracker.store.database import Database
from tracker.store.models import PainEntry, SideEffect
from tracker.store.scope import patient_id


def build_report(
    db: Database, today: date, since: date | None = None, until: date | None = None
) -> Report:
    if since is not None and until is not None and since > until:
        raise InvalidInput(f"--since {since.isoformat()} is after --until {until.isoformat()}")

    def inside(day: date) -> bool:
        return (since is None or day >= since) and (until is None or day <= until)

    review_day = min(today, until) if until else today
    with db.transaction() as session:
        plan = load_plan(session)
        injections = all_records(session)
        injection_days = [record.day for record in injections]
        mine = patient_id(session)
        pain_rows = list(
            session.scalars(
                select(PainEntry)
                .where(PainEntry.patient_id == mine)
                .order_by(PainEntry.date, PainEntry.id)
            )
        )
        effect_rows = list(
            session.scalars(
                select(SideEffect)
                .where(SideEffect.patient_id == mine)
                .order_by(SideEffect.date, SideEffect.id)
            )
        )
        effects = [effect_view(row, injection_days, today) for row in effect_rows]
        appointments = all_appointments(session)
        next_appointment = next_booked(session, today)
        changes = audit.change_records(session) if since is None and until is None else []

    pain = [pain_record(row) for row in pain_rows]
    scores = [response.PainEntry(p.day, p.score) for p in pain if p.day <= review_day]
    events = [
        response.EffectEvent(v.record.day, v.record.effect_class, v.record.resolved_on)
        for v in effects
        if v.record.day <= review_day
    ]
    full_review = response.review(
        [d for d in injection_days if d <= review_day], scores, events, review_day
    )
    bounded_review = replace(
        full_review, cycles=[c for c in full_review.cycles if inside(c.injection_date)]
    )
    last = injection_days[-1] if injection_days else None
    due = schedule.due(last, today, plan.every_months, plan.within_days)
    return Report(
        generated_on=today,
        since=since,
        until=until,
        plan=plan,
        injections=[r for r in injections if inside(r.day)],
        pain=[p for p in pain if inside(p.day)],
        effects=[v for v in effects if inside(v.record.day)],
        appointments=[a for a in appointments if inside(a.day)],
        review=bounded_review,
        long_term=response.long_term(bounded_review, scores),
        due=replace(due, appointment=next_appointment),
        changes=changes,
    )
