"""The treatment plan of the current patient: interval, reminder window, name."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.domain import schedule
from tracker.domain.errors import Conflict, InvalidInput
from tracker.domain.intervals import Interval, IntervalUnit, check_minimum, stored_interval
from tracker.domain.products import ProductProfile, any_profile
from tracker.domain.records import PlanSettings
from tracker.domain.schedule import MAX_INTERVAL_MONTHS, MAX_REMINDER_DAYS, MIN_INTERVAL_MONTHS
from tracker.domain.text import same_name_key
from tracker.services.treatments import named_row
from tracker.store import audit
from tracker.store.database import Database
from tracker.store.models import InjectionSession, Patient, TreatmentRow
from tracker.store.scope import PatientScope, current_patient
from tracker.store.treatments import plan_row, plan_row_for_writing

# The patient every database starts with (migration 0005); a name given with
# `plan --name` replaces it. Reports show it as "name not set".
DEFAULT_PATIENT_NAME = "default"


def plan_of(session: Session, patient: Patient) -> PlanSettings:
    """The plan of the patient's pain treatment (store.treatments.plan_row), with their name."""
    return _settings(plan_row(session, patient.id), patient)


def load_plan(session: Session) -> PlanSettings:
    return plan_of(session, current_patient(session))


def get_treatment_plan(db: Database, treatment_name: str | None = None) -> PlanSettings:
    """The plan of the treatment named, else of the pain treatment (plan_of)."""
    with db.transaction() as session:
        patient = current_patient(session)
        if treatment_name is None:
            return plan_of(session, patient)
        return _settings(named_row(PatientScope(session), treatment_name), patient)


def _settings(row: TreatmentRow | None, patient: Patient) -> PlanSettings:
    """A treatment's plan (the default one without a treatment), with the patient's name."""
    name = None if patient.name == DEFAULT_PATIENT_NAME else patient.name
    if row is None:
        return PlanSettings(patient_name=name)
    return PlanSettings(stored_interval(row.every), row.within_days, name)


def update_plan(
    db: Database,
    every: Interval | int | None = None,
    within_days: int | None = None,
    patient_name: str | None = None,
    treatment_name: str | None = None,
) -> PlanSettings:
    """``every``: an Interval, or whole months (as `plan --every` always took). The
    interval and window are the named treatment's, else the pain treatment's."""
    if isinstance(every, int):
        check_plan(every, None)
        every = Interval(every, IntervalUnit.MONTHS)
    check_plan(None, within_days)
    with db.transaction() as session:
        records = PatientScope(session)
        patient = records.patient
        replanning = every is not None or within_days is not None
        if treatment_name is not None:
            treatment: TreatmentRow | None = named_row(records, treatment_name)
        elif replanning:
            treatment = plan_row_for_writing(records)
        else:
            treatment = plan_row(session, patient.id)
        before_plan = audit.plan_snapshot(patient, treatment)
        before_treatment = None if treatment is None else audit.snapshot(treatment)
        if treatment is not None and replanning:
            _change_treatment_plan(records, treatment, every, within_days)
        if patient_name is not None:
            # A blank name clears it: the patient is "default" again.
            name = patient_name.strip() or DEFAULT_PATIENT_NAME
            patient.name = unused_name(session, name, patient)
        audit.record_plan_update(session, "plan", patient, treatment, before_plan, before_treatment)
        if treatment_name is not None and treatment is not None:
            return _settings(treatment, patient)
        return plan_of(session, patient)


def _change_treatment_plan(
    records: PatientScope,
    row: TreatmentRow,
    every: Interval | None,
    within_days: int | None,
) -> None:
    if every is not None:
        # The label minimum of the treatment's latest session's product (a brand
        # switch), and of the treatment's own.
        latest = records.session.scalar(
            records.select(InjectionSession, InjectionSession.product)
            .where(InjectionSession.treatment_id == row.id)
            .order_by(InjectionSession.date.desc())
            .limit(1)
        )
        check_minimum(every, any_profile(latest or row.product))
        row.every = every.text
    if within_days is not None:
        row.within_days = within_days


def unused_name(session: Session, name: str, renaming: Patient | None = None) -> str:
    """``name``, unless another patient has it, or one that differs only in case or spaces
    (two people whom only the shift key tells apart would be mixed up)."""
    wanted = same_name_key(name)
    for other in session.scalars(select(Patient)):
        if other is not renaming and same_name_key(other.name) == wanted:
            raise Conflict(f"there is already a patient called '{other.name}'")
    return name


def check_plan(
    every_months: int | None, within_days: int | None, product: ProductProfile | None = None
) -> None:
    """``product``: also refuse an interval shorter than its label's minimum."""
    if every_months is not None and not MIN_INTERVAL_MONTHS <= every_months <= MAX_INTERVAL_MONTHS:
        raise InvalidInput(
            f"the interval must be {MIN_INTERVAL_MONTHS} to {MAX_INTERVAL_MONTHS} months, "
            f"not {every_months}"
        )
    if every_months is not None and product is not None:
        schedule.check_interval(every_months, product)
    if within_days is not None and not 0 <= within_days <= MAX_REMINDER_DAYS:
        raise InvalidInput(
            f"the reminder window must be 0 to {MAX_REMINDER_DAYS} days, not {within_days}"
        )
