"""Booking, listing and cancelling appointments."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import ColumnElement

from tracker.domain import schedule
from tracker.domain.appointments import (
    AppointmentRecord,
    AppointmentStatus,
    with_missed,
)
from tracker.domain.errors import Conflict, InvalidInput
from tracker.domain.products import any_profile
from tracker.store import audit
from tracker.store.database import Database
from tracker.store.models import Appointment, InjectionSession
from tracker.store.queries import appointment_record, due_picture
from tracker.store.scope import PatientScope


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
        records = PatientScope(session)
        clash = records.first_id(Appointment, *_booked_on(day))
        if clash is not None:
            raise Conflict(
                f"appointment #{clash} is already booked on {day.isoformat()} "
                f"(cancel it first with: tracker cancel {clash})"
            )
        row = records.add(
            Appointment(
                date=day,
                time=time,
                provider=provider or None,
                note=note or None,
                status=AppointmentStatus.BOOKED.value,
            )
        )
        audit.record_insert(session, "book", row)
        return Booking(appointment_record(row), _too_early_warnings(records, day))


def _too_early_warnings(records: PatientScope, day: date) -> list[str]:
    # Appointments belong to the pain treatment (issue 16): its last injection and
    # product (known or not: any_profile) set the label's minimum.
    picture = due_picture(records, day)
    last = picture.last_injection
    if last is None:
        return []
    product = any_profile(picture.product)
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
        records = PatientScope(session)
        marked = with_missed(
            all_appointments(records), today, records.latest_date(InjectionSession)
        )
    return marked if include_all else [a for a in marked if a.is_upcoming(today) or a.missed]


def cancel(db: Database, appointment_id: int) -> AppointmentRecord:
    with db.transaction() as session:
        row = PatientScope(session).get(
            Appointment,
            appointment_id,
            f"no appointment #{appointment_id} (see the ids with: tracker appointments --all)",
        )
        if row.status != AppointmentStatus.BOOKED.value:
            raise Conflict(f"appointment #{appointment_id} is already {row.status}")
        before = audit.snapshot(row)
        row.status = AppointmentStatus.CANCELLED.value
        audit.record_update(session, "cancel", row, before)
        return appointment_record(row)


def all_appointments(records: PatientScope) -> list[AppointmentRecord]:
    return [appointment_record(row) for row in records.all(Appointment)]


def mark_done_on(records: PatientScope, day: date) -> None:
    """An injection logged on a booked date means that appointment took place."""
    for row in records.all(Appointment, *_booked_on(day)):
        before = audit.snapshot(row)
        row.status = AppointmentStatus.DONE.value
        audit.record_update(records.session, "log", row, before)


def _booked_on(day: date) -> tuple[ColumnElement[bool], ...]:
    return (Appointment.date == day, Appointment.status == AppointmentStatus.BOOKED.value)
