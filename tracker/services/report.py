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
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tracker.domain import response
from tracker.domain.appointments import AppointmentRecord
from tracker.domain.errors import InvalidInput
from tracker.domain.records import (
    ChangeRecord,
    EffectView,
    InjectionRecord,
    PainRecord,
    PlanSettings,
)
from tracker.domain.schedule import Due
from tracker.domain.treatments import Treatment, find_treatment
from tracker.export.model import (
    ClinicRecords,
    PatientRecords,
    RecordStream,
    Report,
    TreatmentRecord,
    TreatmentReport,
)
from tracker.services.appointments import all_appointments
from tracker.services.diary import to_record as pain_record
from tracker.services.effects import as_of, effect_view
from tracker.services.injections import all_records
from tracker.services.plan import plan_of
from tracker.services.review import reviewed_profile, reviewed_treatment, treatment_review
from tracker.store import audit, streams
from tracker.store.database import Database
from tracker.store.due_picture import DuePicture
from tracker.store.models import PainEntry, Patient, SideEffect
from tracker.store.queries import due_picture
from tracker.store.scope import PatientScope, current_patient
from tracker.store.treatments import plan_row, to_treatment

T = TypeVar("T")


@contextmanager
def patient_records(
    db: Database,
    today: date,
    since: date | None = None,
    until: date | None = None,
    treatment: str | None = None,
) -> Iterator[PatientRecords]:
    """The current patient's stored records (of one ``treatment`` only, when named),
    streamed while the block runs."""
    check_period(since, until)
    with streams.snapshot(db) as session:
        patient = current_patient(session)
        chosen = _chosen(session, patient, treatment)
        records = _streamed(session, patient, today, since, until, chosen)
        count = streams.count_records(session, since, until, patient.id, chosen.only)
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
    session: Session,
    patient: Patient,
    today: date,
    since: date | None,
    until: date | None,
    chosen: _Chosen | None = None,
) -> PatientRecords:
    mine = patient.id  # not the ORM object: it must not be kept alive by the streams
    chosen = chosen or _chosen(session, patient, None)

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
        plan=chosen.plan,
        treatments=chosen.treatments,
        injections=RecordStream(
            lambda: streams.injections(session, mine, since, until, chosen.only)
        ),
        pain=stream(streams.pain),
        pain_rows=stream(streams.pain_rows),
        effects=stream(streams.effects),
        appointments=stream(streams.appointments),
        changes=(
            RecordStream(lambda: streams.changes(session, mine))
            if since is None and until is None and chosen.only is None
            else ()
        ),
    )


@dataclass(frozen=True)
class _Chosen:
    """The treatments an export covers: all the patient's, or the one --treatment names."""

    treatments: list[TreatmentRecord]
    plan: PlanSettings  # the pain treatment's, or the chosen one's
    only: int | None = None  # the chosen treatment's id; None: every treatment


def _chosen(session: Session, patient: Patient, name: str | None) -> _Chosen:
    """Every treatment of the patient, or (``name``) the one so called, case and spaces
    ignored; NotFound naming the patient's treatments when there is none."""
    plan = plan_of(session, patient)
    stored = [TreatmentRecord(id_, each) for id_, each in streams.treatments(session, patient.id)]
    if name is None:
        return _Chosen(stored, plan)
    found = find_treatment([record.treatment for record in stored], name)
    record = next(record for record in stored if record.treatment is found)
    return _Chosen(
        [record], PlanSettings(found.interval, found.within_days, plan.patient_name), record.id
    )


def check_period(since: date | None, until: date | None) -> None:
    if since is not None and until is not None and since > until:
        raise InvalidInput(f"--since {since.isoformat()} is after --until {until.isoformat()}")


@dataclass(frozen=True)
class _Period:
    """The report's --since/--until on the day it is made."""

    since: date | None
    until: date | None
    today: date

    @property
    def end(self) -> date:
        """The day everything is worked out as of, so a past period never mixes in
        what happened after it (issue 12, part 4)."""
        return min(self.today, self.until) if self.until else self.today

    def contains(self, day: date) -> bool:
        return (self.since is None or day >= self.since) and (
            self.until is None or day <= self.until
        )


@dataclass(frozen=True)
class _StoredTreatment:
    id: int
    treatment: Treatment
    # The patient's oldest treatment (its calendar event keeps the patient's old UID).
    first: bool


@dataclass(frozen=True)
class _Stored:
    """What the report reads in its one transaction."""

    patient: str
    patient_uuid: str
    several_patients: bool
    plan: PlanSettings
    injections: list[InjectionRecord]  # of the treatments reported on
    pain: list[PainRecord]
    effects: list[EffectView]  # as they stood at the period's end
    appointments: list[AppointmentRecord]
    due_picture: DuePicture  # the pain treatment's, as of the period's end
    changes: list[ChangeRecord]
    # The treatments reported on, oldest first: all of the patient's, or the one named.
    treatments: list[_StoredTreatment] = field(default_factory=list)
    reviewed: str | None = None  # the treatment reviewed; None without any
    pain_treatment: str | None = None  # the one appointments belong to


def build_report(
    db: Database,
    today: date,
    since: date | None = None,
    until: date | None = None,
    treatment_name: str | None = None,
) -> Report:
    """One patient's report: every treatment, the pain treatment reviewed; or, with
    ``treatment_name``, that treatment alone (NotFound naming them all if unknown)."""
    check_period(since, until)
    period = _Period(since, until, today)
    with db.transaction() as session:
        records = PatientScope(session)
        chosen = _chosen(session, records.patient, treatment_name)
        stored = _read(records, period, treatment_name)
    report = _report(stored, period)
    # The JSON and CSV of one treatment (export --treatment) carry its plan and no
    # change log (its entries are of every treatment's records).
    return replace(
        report,
        stored_treatments=chosen.treatments,
        plan=chosen.plan if chosen.only is not None else report.plan,
        changes=[] if chosen.only is not None else report.changes,
    )


def _read(records: PatientScope, period: _Period, treatment_name: str | None) -> _Stored:
    patient = records.patient
    reviewed = reviewed_treatment(records.session, records.patient_id, treatment_name)
    injections = all_records(records)
    if treatment_name is not None:
        injections = [r for r in injections if r.treatment == reviewed.name]
    # Where a side effect falls: in a cycle of the treatment reviewed.
    cycle_days = response.treatment_injections(injections, reviewed.name)
    end = period.end
    pain_row = plan_row(records.session, records.patient_id)
    return _Stored(
        patient=patient.name,
        patient_uuid=patient.uuid,
        several_patients=_several_patients(records.session),
        plan=plan_of(records.session, patient),
        injections=injections,
        pain=[pain_record(row) for row in records.all(PainEntry)],
        effects=[as_of(effect_view(row, cycle_days, end), end) for row in records.all(SideEffect)],
        appointments=all_appointments(records),
        due_picture=due_picture(records, end),
        changes=_changes(records.session, period),
        treatments=[
            _StoredTreatment(row.id, to_treatment(row), first=row is reviewed.rows[0])
            for row in reviewed.rows
            if treatment_name is None or row is reviewed.row
        ],
        reviewed=reviewed.name,
        pain_treatment=None if pain_row is None else pain_row.name,
    )


def _several_patients(session: Session) -> bool:
    return (session.scalar(select(func.count()).select_from(Patient)) or 0) > 1


def _changes(session: Session, period: _Period) -> list[ChangeRecord]:
    """The audit trail, only in an unbounded report (a period's would name records left out)."""
    unbounded = period.since is None and period.until is None
    return audit.change_records(session) if unbounded else []


def _report(stored: _Stored, period: _Period) -> Report:
    inside = period.contains
    reviewed = next(
        (t.treatment for t in stored.treatments if t.treatment.name == stored.reviewed), None
    )
    cycle_days = response.treatment_injections(stored.injections, stored.reviewed)
    effects = [view.record for view in stored.effects]
    profile = reviewed_profile(stored.injections, reviewed, period.end)
    review = treatment_review(cycle_days, stored.pain, effects, period.end, profile, inside)
    treatments = [_treatment_report(stored, t, period) for t in stored.treatments]
    shown = next((t for t in treatments if t.name == stored.reviewed), None)
    return Report(
        generated_on=period.today,
        since=period.since,
        until=period.until,
        plan=stored.plan if shown is None else shown.plan,
        injections=[r for r in stored.injections if inside(r.day)],
        pain=[p for p in stored.pain if inside(p.day)],
        effects=[v for v in stored.effects if inside(v.record.day)],
        appointments=[a for a in stored.appointments if inside(a.day)],
        review=review.review,
        long_term=review.long_term,
        due=_due_at_end(stored.due_picture, cycle_days, period.end, None)
        if shown is None
        else shown.due,
        changes=stored.changes,
        patient=stored.patient,
        patient_uuid=stored.patient_uuid,
        several_patients=stored.several_patients,
        coming_appointments=[a for a in stored.appointments if a.day >= period.today],
        product=review.product,
        treatments=treatments,
        reviewed=stored.reviewed,
    )


def _treatment_report(
    stored: _Stored, treatment: _StoredTreatment, period: _Period
) -> TreatmentReport:
    """One treatment's sessions in the period, its plan and its due date at the period's end."""
    plan = treatment.treatment
    logged = [r for r in stored.injections if r.treatment == plan.name]
    # Appointments belong to the pain treatment: only its due date shows one.
    has_appointments = plan.name == stored.pain_treatment
    picture = DuePicture(
        plan.interval,
        plan.within_days,
        logged[-1].day if logged else None,
        stored.due_picture.appointments if has_appointments else (),
        str(logged[-1].product) if logged else plan.product,
    )
    given = [r for r in logged if r.day <= period.end]
    product = str(given[-1].product) if given else plan.product
    return TreatmentReport(
        id=treatment.id,
        name=plan.name,
        product=plan.product,
        plan=PlanSettings(plan.interval, plan.within_days, stored.plan.patient_name),
        injections=[r for r in logged if period.contains(r.day)],
        due=_due_at_end(picture, [r.day for r in logged], period.end, product),
        first=treatment.first,
        pain=has_appointments,
    )


def _due_at_end(
    picture: DuePicture, injection_days: list[date], end: date, product: str | None
) -> Due:
    """The due date counted from the last injection given by the period's end.

    Which appointment is shown is judged, as `tracker due` judges it, by every
    injection logged (the picture's last injection).
    """
    given = [day for day in injection_days if day <= end]
    as_of_end = replace(picture, last_injection=given[-1] if given else None)
    if product is not None:
        as_of_end = replace(as_of_end, product=product)
    by_dates = as_of_end.by_dates(end)
    return replace(by_dates, appointment=picture.appointment(end))
