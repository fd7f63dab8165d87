"""Queries shared by several use cases: the due picture, read with SQLAlchemy.

:func:`due_picture` reads it for the current patient, :func:`every_due_picture`
for every patient at once (in three queries, however many patients there are).
The fast path for `tracker due` reads the same with sqlite3 (``store.quick_due``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, exists, func, or_, select
from sqlalchemy.orm import Session

from tracker.domain.appointments import AppointmentRecord, AppointmentStatus
from tracker.domain.intervals import DEFAULT_INTERVAL
from tracker.domain.schedule import DEFAULT_REMINDER_DAYS
from tracker.store.due_picture import DuePicture
from tracker.store.models import Appointment, InjectionSession, Patient, TreatmentRow
from tracker.store.scope import PatientScope
from tracker.store.treatments import plan_row, stored_interval


def due_picture(records: PatientScope, today: date) -> DuePicture:
    """The plan of the current patient's pain treatment (store.treatments.plan_row), its
    last injection and the appointments `due` may show."""
    plan = plan_row(records.session, records.patient_id)
    rows = records.session.scalars(records.select(Appointment).where(_may_be_shown(today)))
    appointments = [appointment_record(row) for row in rows]
    if plan is None:
        return DuePicture(DEFAULT_INTERVAL, DEFAULT_REMINDER_DAYS, None, appointments)
    latest = records.session.execute(
        records.select(InjectionSession, InjectionSession.date, InjectionSession.product)
        .where(InjectionSession.treatment_id == plan.id)
        .order_by(InjectionSession.date.desc())
        .limit(1)
    ).first()
    last, product = latest or (None, plan.product)
    return DuePicture(stored_interval(plan.every), plan.within_days, last, appointments, product)


def every_due_picture(session: Session, today: date) -> list[tuple[int, str, DuePicture]]:
    """Every patient's id, name and the due picture of their first treatment, in the
    order they were added.

    Plain rows (SQLAlchemy Core, no ORM objects): a clinic has thousands of patients.
    """
    first = (
        select(TreatmentRow.patient_id, func.min(TreatmentRow.id).label("id"))
        .group_by(TreatmentRow.patient_id)
        .subquery()
    )
    newest = (
        select(InjectionSession.treatment_id, func.max(InjectionSession.date).label("day"))
        .group_by(InjectionSession.treatment_id)
        .subquery()
    )
    # Each treatment's latest session: its date, and its product (whose rules hold).
    latest = {
        treatment: (day, product)
        for treatment, day, product in session.execute(
            select(
                InjectionSession.treatment_id, InjectionSession.date, InjectionSession.product
            ).join(
                newest,
                (InjectionSession.treatment_id == newest.c.treatment_id)
                & (InjectionSession.date == newest.c.day),
            )
        )
    }
    candidates: dict[int, list[AppointmentRecord]] = {}
    for patient_id, *appointment in session.execute(
        select(Appointment.patient_id, *_APPOINTMENT_COLUMNS).where(_may_be_shown(today))
    ):
        candidates.setdefault(patient_id, []).append(_appointment(appointment))
    pictures = []
    for patient_id, name, treatment_id, every, within_days, planned_product in session.execute(
        select(
            Patient.id,
            Patient.name,
            TreatmentRow.id,
            TreatmentRow.every,
            TreatmentRow.within_days,
            TreatmentRow.product,
        )
        .outerjoin(first, first.c.patient_id == Patient.id)
        .outerjoin(TreatmentRow, TreatmentRow.id == first.c.id)
        .order_by(Patient.id)
    ):
        appointments = candidates.get(patient_id, ())
        if treatment_id is None:
            picture = DuePicture(DEFAULT_INTERVAL, DEFAULT_REMINDER_DAYS, None, appointments)
        else:
            last, product = latest.get(treatment_id, (None, planned_product))
            picture = DuePicture(stored_interval(every), within_days, last, appointments, product)
        pictures.append((patient_id, name, picture))
    return pictures


def _may_be_shown(today: date) -> ColumnElement[bool]:
    """Booked appointments still ahead, or with no injection logged on or after their day.

    Only these can be shown by `due`; the domain rule picks among them.
    """
    injection_since = exists().where(
        InjectionSession.patient_id == Appointment.patient_id,
        InjectionSession.date >= Appointment.date,
    )
    return (Appointment.status == AppointmentStatus.BOOKED.value) & or_(
        Appointment.date >= today, ~injection_since
    )


_APPOINTMENT_COLUMNS = (
    Appointment.id,
    Appointment.date,
    Appointment.time,
    Appointment.provider,
    Appointment.note,
    Appointment.status,
)


def _appointment(row: Sequence[Any]) -> AppointmentRecord:
    id_, day, time, provider, note, status = row
    return AppointmentRecord(id_, day, time, provider, note, AppointmentStatus(status))


def appointment_record(row: Appointment) -> AppointmentRecord:
    return AppointmentRecord(
        id=row.id,
        day=row.date,
        time=row.time,
        provider=row.provider,
        note=row.note,
        status=AppointmentStatus(row.status),
    )


def latest_injection_product(records: PatientScope, until: date | None = None) -> str | None:
    """The product of the latest session (up to ``until``): the patient's product."""
    query = records.select(InjectionSession, InjectionSession.product)
    if until is not None:
        query = query.where(InjectionSession.date <= until)
    return records.session.scalar(query.order_by(InjectionSession.date.desc()).limit(1))
