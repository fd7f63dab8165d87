"""The treatment plan: interval, reminder window, patient name."""

from __future__ import annotations

from sqlalchemy.orm import Session

from tracker.domain.errors import InvalidInput
from tracker.domain.records import PlanSettings
from tracker.domain.schedule import MAX_INTERVAL_MONTHS, MAX_REMINDER_DAYS, MIN_INTERVAL_MONTHS
from tracker.store import audit
from tracker.store.database import Database
from tracker.store.models import Plan

PLAN_ROW_ID = 1


def load_plan(session: Session) -> PlanSettings:
    row = session.get(Plan, PLAN_ROW_ID)
    if row is None:
        return PlanSettings()
    return PlanSettings(row.every_months, row.within_days, row.patient_name)


def get_plan(db: Database) -> PlanSettings:
    with db.transaction() as session:
        return load_plan(session)


def update_plan(
    db: Database,
    every_months: int | None = None,
    within_days: int | None = None,
    patient_name: str | None = None,
) -> PlanSettings:
    _check(every_months, within_days)
    with db.transaction() as session:
        current = load_plan(session)
        existing = session.get(Plan, PLAN_ROW_ID)
        before = audit.snapshot(existing) if existing else None
        row = existing or Plan(id=PLAN_ROW_ID)
        row.every_months = every_months if every_months is not None else current.every_months
        row.within_days = within_days if within_days is not None else current.within_days
        if patient_name is not None:
            row.patient_name = patient_name.strip() or None
        else:
            row.patient_name = current.patient_name
        session.add(row)
        if before is None:
            audit.record_insert(session, "plan", row)
        else:
            audit.record_update(session, "plan", row, before)
        return PlanSettings(row.every_months, row.within_days, row.patient_name)


def _check(every_months: int | None, within_days: int | None) -> None:
    if every_months is not None and not MIN_INTERVAL_MONTHS <= every_months <= MAX_INTERVAL_MONTHS:
        raise InvalidInput(
            f"the interval must be {MIN_INTERVAL_MONTHS} to {MAX_INTERVAL_MONTHS} months, "
            f"not {every_months}"
        )
    if within_days is not None and not 0 <= within_days <= MAX_REMINDER_DAYS:
        raise InvalidInput(
            f"the reminder window must be 0 to {MAX_REMINDER_DAYS} days, not {within_days}"
        )
