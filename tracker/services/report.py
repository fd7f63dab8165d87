"""Gathering records into the report model for an export.

- :func:`build_report`: one patient's :class:`Report`, review and due date
  included, as lists (the doctor's report, FHIR, ICS).
- :func:`patient_records` and :func:`clinic_records`: the stored records only
  (JSON, CSV), as streams read in batches while the caller writes them. They
  are context managers: the read-only transaction stays open while the
  streams are read, and nothing of the review is computed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import date
from typing import TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tracker.domain import response, schedule
from tracker.domain.errors import InvalidInput
from tracker.domain.products import patient_profile
from tracker.export.model import ClinicRecords, PatientRecords, RecordStream, Report
from tracker.services.appointments import all_appointments, due_appointment
from tracker.services.diary import to_record as pain_record
from tracker.services.effects import as_of, effect_view
from tracker.services.injections import all_records
from tracker.services.plan import load_plan, plan_of
from tracker.store import audit, streams
from tracker.store.database import Database
from tracker.store.models import PainEntry, Patient, SideEffect
from tracker.store.scope import current_patient, patient_id

T = TypeVar("T")


@contextmanager
def patient_records(
    db: Database, today: date, since: date | None = None, until: date | None = None
) -> Iterator[PatientRecords]:
    """The current patient's stored records, streamed while the block runs."""
    check_period(since, until)
    with streams.snapshot(db) as session:
        patient = current_patient(session)
        records = _streamed(session, patient, today, since, until)
        count = streams.count_records(session, since, until, patient.id)
        yield replace(records, record_count=count)


@contextmanager
def clinic_records(
    db: Database, today: date, since: date | None = None, until: date | None = None
) -> Iterator[ClinicRecords]:
    """Every patient's stored records, streamed while the block runs.

    The counts are taken first, in the same snapshot as the records, so a
    progress bar's total is exactly what will be written.
    """
    check_period(since, until)
    with streams.snapshot(db) as session:
        yield ClinicRecords(
            generated_on=today,
            since=since,
            until=until,
            patients=RecordStream(
                lambda: (
                    _streamed(session, patient, today, since, until)
                    for patient in streams.patients(session)
                )
            ),
            patient_count=streams.count_patients(session),
            record_count=streams.count_records(session, since, until),
        )


def _streamed(
    session: Session, patient: Patient, today: date, since: date | None, until: date | None
) -> PatientRecords:
    mine = patient.id  # not the ORM object: it must not be kept alive by the streams

    def stream(
        fetch: Callable[[Session, int, date | None, date | None], Iterator[T]],
    ) -> RecordStream[T]:
        # Queried only when a writer iterates it, inside the caller's transaction.
        return RecordStream(lambda: fetch(session, mine, since, until))

    return PatientRecords(
        generated_on=today,
        since=since,
        until=until,
        patient=patient.name,
        patient_uuid=patient.uuid,
        plan=plan_of(patient),
        injections=stream(streams.injections),
        pain=stream(streams.pain),
        effects=stream(streams.effects),
        appointments=stream(streams.appointments),
        changes=(
            RecordStream(lambda: streams.changes(session, mine))
            if since is None and until is None
            else ()
        ),
    )


def check_period(since: date | None, until: date | None) -> None:
    if since is not None and until is not None and since > until:
        raise InvalidInput(f"--since {since.isoformat()} is after --until {until.isoformat()}")


def build_report(
    db: Database, today: date, since: date | None = None, until: date | None = None
) -> Report:
    check_period(since, until)

    def inside(day: date) -> bool:
        return (since is None or day >= since) and (until is None or day <= until)

    # Everything the report works out is as of the period's end, so a past
    # period never mixes in what happened after it (issue 12, part 4).
    end = min(today, until) if until else today
    with db.transaction() as session:
        plan = load_plan(session)
        patient = current_patient(session)
        several = (session.scalar(select(func.count()).select_from(Patient)) or 0) > 1
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
        effects = [as_of(effect_view(row, injection_days, end), end) for row in effect_rows]
        appointments = all_appointments(session)
        next_appointment = due_appointment(session, end)
        changes = audit.change_records(session) if since is None and until is None else []

    pain = [pain_record(row) for row in pain_rows]
    given = [day for day in injection_days if day <= end]
    scores = [response.PainEntry(p.day, p.score) for p in pain if p.day <= end]
    events = [
        response.EffectEvent(
            v.record.day, v.record.effect_class, v.record.resolved_on, v.record.text
        )
        for v in effects
        if v.record.day <= end
    ]
    full_review = response.review(given, scores, events, end)
    bounded_review = replace(
        full_review, cycles=[c for c in full_review.cycles if inside(c.injection_date)]
    )
    # The patient's product as of the period's end: that of the latest injection given.
    product = patient_profile(next((r.product for r in reversed(injections) if r.day <= end), None))
    due = schedule.due(
        given[-1] if given else None, end, plan.every_months, plan.within_days, product
    )
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
        patient=patient.name,
        patient_uuid=patient.uuid,
        several_patients=several,
        coming_appointments=[a for a in appointments if a.day >= today],
        product=product,
    )
