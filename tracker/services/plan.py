"""The treatment plan of the current patient: interval, reminder window, name."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.domain import schedule
from tracker.domain.errors import Conflict, InvalidInput
from tracker.domain.products import ProductProfile, patient_profile
from tracker.domain.records import PlanSettings
from tracker.domain.schedule import MAX_INTERVAL_MONTHS, MAX_REMINDER_DAYS, MIN_INTERVAL_MONTHS
from tracker.domain.text import same_name_key
from tracker.store import audit
from tracker.store.database import Database
from tracker.store.models import Patient
from tracker.store.queries import latest_injection_product
from tracker.store.scope import PatientScope, current_patient

# The patient every database starts with (migration 0005); a name given with
# `plan --name` replaces it. Reports show it as "name not set".
DEFAULT_PATIENT_NAME = "default"


def plan_of(patient: Patient) -> PlanSettings:
    name = None if patient.name == DEFAULT_PATIENT_NAME else patient.name
    return PlanSettings(patient.every_months, patient.within_days, name)


def load_plan(session: Session) -> PlanSettings:
    return plan_of(current_patient(session))


def get_plan(db: Database) -> PlanSettings:
    with db.transaction() as session:
        return load_plan(session)


def update_plan(
    db: Database,
    every_months: int | None = None,
    within_days: int | None = None,
    patient_name: str | None = None,
) -> PlanSettings:
    check_plan(every_months, within_days)
    with db.transaction() as session:
        row = current_patient(session)
        if every_months is not None:
            product = latest_injection_product(PatientScope(session))
            check_plan(every_months, None, patient_profile(product))
        before = audit.snapshot(row)
        if every_months is not None:
            row.every_months = every_months
        if within_days is not None:
            row.within_days = within_days
        if patient_name is not None:
            # A blank name clears it: the patient is "default" again.
            row.name = unused_name(session, patient_name.strip() or DEFAULT_PATIENT_NAME, row)
        audit.record_update(session, "plan", row, before)
        return plan_of(row)


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
