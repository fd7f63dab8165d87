"""Queries shared by several use cases: the due picture, read with SQLAlchemy.

:func:`due_picture` reads it for the current patient, :func:`every_due_picture`
for every patient at once (in three queries, however many patients there are).
The fast path for `tracker due` reads the same with sqlite3 (``store.quick_due``).
"""

from __future__ import annotations

from datetime import date

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
    return DuePicture(
        patient.every_months,
        patient.within_days,
        records.latest_date(InjectionSession),
        [appointment_record(row) for row in rows],
    )


def every_due_picture(session: Session, today: date) -> dict[int, DuePicture]:
    """Every patient's due picture, by patient id."""
    latest = dict(
        session.execute(
            select(InjectionSession.patient_id, func.max(InjectionSession.date)).group_by(
                InjectionSession.patient_id
            )
        ).all()
    )
    candidates: dict[int, list[AppointmentRecord]] = {}
    for row in session.scalars(select(Appointment).where(_may_be_shown(today))):
        candidates.setdefault(row.patient_id, []).append(appointment_record(row))
    return {
        patient.id: DuePicture(
            patient.every_months,
            patient.within_days,
            latest.get(patient.id),
            candidates.get(patient.id, []),
        )
        for patient in session.scalars(select(Patient))
    }


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


def appointment_record(row: Appointment) -> AppointmentRecord:
    return AppointmentRecord(
        id=row.id,
        day=row.date,
        time=row.time,
        provider=row.provider,
        note=row.note,
        status=AppointmentStatus(row.status),
    )
