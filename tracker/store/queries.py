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
from tracker.store.due_picture import DuePicture
from tracker.store.models import Appointment, InjectionSession, Patient
from tracker.store.scope import PatientScope


def due_picture(records: PatientScope, today: date) -> DuePicture:
    """The current patient's plan, last injection and the appointments `due` may show."""
    patient = records.patient
    rows = records.session.scalars(records.select(Appointment).where(_may_be_shown(today)))
    latest = records.session.execute(
        records.select(InjectionSession, InjectionSession.date, InjectionSession.product)
        .order_by(InjectionSession.date.desc())
        .limit(1)
    ).first()
    last, product = latest or (None, None)
    return DuePicture(
        patient.every_months,
        patient.within_days,
        last,
        [appointment_record(row) for row in rows],
        product,
    )


def every_due_picture(session: Session, today: date) -> list[tuple[int, str, DuePicture]]:
    """Every patient's id, name and due picture, in the order they were added.

    Plain rows (SQLAlchemy Core, no ORM objects): a clinic has thousands of patients.
    """
    newest = (
        select(InjectionSession.patient_id, func.max(InjectionSession.date).label("day"))
        .group_by(InjectionSession.patient_id)
        .subquery()
    )
    # Each patient's latest session: its date, and its product (the patient's product).
    latest = {
        patient: (day, product)
        for patient, day, product in session.execute(
            select(
                InjectionSession.patient_id, InjectionSession.date, InjectionSession.product
            ).join(
                newest,
                (InjectionSession.patient_id == newest.c.patient_id)
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
    for patient_id, name, every_months, within_days in session.execute(
        select(Patient.id, Patient.name, Patient.every_months, Patient.within_days).order_by(
            Patient.id
        )
    ):
        last, product = latest.get(patient_id, (None, None))
        picture = DuePicture(
            every_months, within_days, last, candidates.get(patient_id, ()), product
        )
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
