"""Appointments: their states and the times patients type."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum

from tracker.domain.errors import InvalidInput

# Shown instead of "booked" once a booked day has passed without an injection.
MISSED = "missed"

_TIME = re.compile(r"^([0-9]{1,2}):([0-9]{2})$")


class AppointmentStatus(StrEnum):
    BOOKED = "booked"
    DONE = "done"  # an injection was logged on its date
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class AppointmentRecord:
    id: int
    day: date
    time: str | None = None
    provider: str | None = None
    note: str | None = None
    status: AppointmentStatus = AppointmentStatus.BOOKED
    # Worked out when read (see with_missed), never stored: a booked visit
    # whose day has passed with no injection logged on or after it.
    missed: bool = False

    def is_upcoming(self, today: date) -> bool:
        return self.status is AppointmentStatus.BOOKED and self.day >= today

    @property
    def shown_status(self) -> str:
        """What lists and JSON show: the stored status, or "missed"."""
        return MISSED if self.missed else self.status.value


def parse_time(text: str) -> str:
    """24-hour wall-clock time, ``9:30`` or ``09:30``, kept as ``09:30``."""
    match = _TIME.match(text.strip())
    if match:
        hours, minutes = int(match[1]), int(match[2])
        if hours < 24 and minutes < 60:
            return f"{hours:02d}:{minutes:02d}"
    raise InvalidInput(
        f"'{text}' is not a time; write it as HH:MM on the 24-hour clock, e.g. 09:30"
    )


def next_appointment(
    appointments: list[AppointmentRecord], today: date
) -> AppointmentRecord | None:
    """The first booked visit from ``today`` on: earliest day, then time, then booking.

    A total order (the id breaks ties), so the answer never depends on the order
    a database happened to return the rows in.
    """
    upcoming = [a for a in appointments if a.is_upcoming(today)]
    return min(upcoming, key=lambda a: (a.day, a.time or "", a.id), default=None)


def is_missed(appointment: AppointmentRecord, today: date, last_injection: date | None) -> bool:
    """Booked, its day is over, and no injection was logged on that day or after it."""
    return (
        appointment.status is AppointmentStatus.BOOKED
        and appointment.day < today
        and (last_injection is None or last_injection < appointment.day)
    )


def with_missed(
    appointments: Iterable[AppointmentRecord], today: date, last_injection: date | None
) -> list[AppointmentRecord]:
    return [
        replace(a, missed=True) if is_missed(a, today, last_injection) else a for a in appointments
    ]


def appointment_for_due(
    appointments: Iterable[AppointmentRecord], today: date, last_injection: date | None
) -> AppointmentRecord | None:
    """The next booked visit; without one, the latest missed one (it still needs acting on).

    What ``next_appointment(with_missed(...))`` and then the latest missed one
    give, in one pass: `due --all` asks it for every patient of a clinic.
    """
    upcoming: AppointmentRecord | None = None
    missed: AppointmentRecord | None = None
    for appointment in appointments:
        if appointment.is_upcoming(today):
            if upcoming is None or _visit_order(appointment) < _visit_order(upcoming):
                upcoming = appointment
        elif (appointment.missed or is_missed(appointment, today, last_injection)) and (
            missed is None or _visit_order(appointment) > _visit_order(missed)
        ):
            missed = appointment
    if upcoming is not None:
        return upcoming
    if missed is None or missed.missed:
        return missed
    return replace(missed, missed=True)


def _visit_order(appointment: AppointmentRecord) -> tuple[date, str, int]:
    """Earliest day, then time, then booking: a total order (ids are unique)."""
    return appointment.day, appointment.time or "", appointment.id
