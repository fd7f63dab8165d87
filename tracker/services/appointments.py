"""Booking, listing and cancelling appointments."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.domain import schedule
from tracker.domain.appointments import (
    AppointmentRecord,
    AppointmentStatus,
    appointment_for_due,
    with_missed,
)
from tracker.domain.errors import Conflict, InvalidInput, NotFound
from tracker.domain.products import patient_profile
from tracker.store import audit
from tracker.store.database import Database
from tracker.store.models import Appointment
from tracker.store.queries import latest_injection_date, latest_injection_product
from tracker.store.scope import patient_id


@dataclass(frozen=True)
class Booking:
    appointment: AppointmentRecord
    warnings: list[str] = field(default_factory=list)


def book(
    db: Database,
    day: date,
    time: str | None,
    provider: str | None,
    note: str | None,
    today: date,
) -> Booking:
    if day < today:
        raise InvalidInput(
            f"{day.isoformat()} is in the past; appointments are booked for today or later"
        )
    with db.transaction() as session:
        clash = session.scalar(
            select(Appointment.id).where(
                Appointment.patient_id == patient_id(session),
                Appointment.date == day,
                Appointment.status == AppointmentStatus.BOOKED.value,
            )
        )
        if clash is not None:
            raise Conflict(
                f"appointment #{clash} is already booked on {day.isoformat()} "
                f"(cancel it first with: tracker cancel {clash})"
            )
        row = Appointment(
            patient_id=patient_id(session),
            date=day,
            time=time,
            provider=provider or None,
            note=note or None,
            status=AppointmentStatus.BOOKED.value,
        )
        session.add(row)
        audit.record_insert(session, "book", row)
        return Booking(to_record(row), _too_early_warnings(session, day))


def _too_early_warnings(session: Session, day: date) -> list[str]:
    last = latest_injection_date(session)
    if last is None:
        return []
    product = patient_profile(latest_injection_product(session))
    earliest = schedule.earliest_retreatment(last, product)
    if earliest is None or day >= earliest:
        return []
    return [
        f"this is before {earliest.isoformat()}, {product.min_interval_text} after your last "
        f"injection ({last.isoformat()}), the label's minimum interval. "
        "Please check with your doctor."
    ]


def appointments(db: Database, today: date, include_all: bool = False) -> list[AppointmentRecord]:
    """Upcoming and missed ones (both need something), or all of them; missed ones marked."""
    with db.transaction() as session:
        records = with_missed(all_appointments(session), today, latest_injection_date(session))
    return records if include_all else [a for a in records if a.is_upcoming(today) or a.missed]


def cancel(db: Database, appointment_id: int) -> AppointmentRecord:
    with db.transaction() as session:
        row = session.get(Appointment, appointment_id)
        if row is None or row.patient_id != patient_id(session):
            raise NotFound(
                f"no appointment #{appointment_id} (see the ids with: tracker appointments --all)"
            )
        if row.status != AppointmentStatus.BOOKED.value:
            raise Conflict(f"appointment #{appointment_id} is already {row.status}")
        before = audit.snapshot(row)
        row.status = AppointmentStatus.CANCELLED.value
        audit.record_update(session, "cancel", row, before)
        return to_record(row)


def all_appointments(session: Session) -> list[AppointmentRecord]:
    rows = session.scalars(
        select(Appointment)
        .where(Appointment.patient_id == patient_id(session))
        .order_by(Appointment.date, Appointment.id)
    )
    return [to_record(row) for row in rows]


def due_appointment(session: Session, today: date) -> AppointmentRecord | None:
    """The one `due` shows: the next booked, else the latest missed (domain rule)."""
    return appointment_for_due(all_appointments(session), today, latest_injection_date(session))


def mark_done_on(session: Session, day: date) -> None:
    """An injection logged on a booked date means that appointment took place."""
    for row in session.scalars(
        select(Appointment).where(
            Appointment.patient_id == patient_id(session),
            Appointment.date == day,
            Appointment.status == AppointmentStatus.BOOKED.value,
        )
    ):
        before = audit.snapshot(row)
        row.status = AppointmentStatus.DONE.value
        audit.record_update(session, "log", row, before)


def to_record(row: Appointment) -> AppointmentRecord:
    return AppointmentRecord(
        id=row.id,
        day=row.date,
        time=row.time,
        provider=row.provider,
        note=row.note,
        status=AppointmentStatus(row.status),
    )
