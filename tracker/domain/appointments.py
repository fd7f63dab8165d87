"""Appointments: their states and the times patients type."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from tracker.domain.errors import InvalidInput

_TIME = re.compile(r"^([0-9]{1,2}):([0-9]{2})$")


class AppointmentStatus(StrEnum):
    BOOKED = "booked"
    DONE = "done"  # an injection was logged on its date
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class AppointmentRecord:
    id: int
    day: date
    time: str | None = None
    provider: str | None = None
    note: str | None = None
    status: AppointmentStatus = AppointmentStatus.BOOKED

    def is_upcoming(self, today: date) -> bool:
        return self.status is AppointmentStatus.BOOKED and self.day >= today


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
    upcoming = [a for a in appointments if a.is_upcoming(today)]
    return min(upcoming, key=lambda a: (a.day, a.time or ""), default=None)
