"""What a patient's due date is worked out from: the plan, the last injection, the bookings.

Both ways of reading it use this: the SQLAlchemy path (``store.queries``) and
the standard-library fast path for ``tracker due`` (``store.quick_due``), so
they cannot disagree on how the pieces combine. No SQLAlchemy here: the fast
path must not import it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields, replace
from datetime import date
from operator import attrgetter

from tracker.domain import schedule
from tracker.domain.appointments import AppointmentRecord, appointment_for_due
from tracker.domain.products import patient_profile


@dataclass(frozen=True, slots=True)
class DuePicture:
    every_months: int
    # The plan's reminder window; a command may ask with another one.
    within_days: int
    last_injection: date | None
    # At least the booked appointments `due` may show; any others are never picked.
    appointments: Sequence[AppointmentRecord] = ()
    # The product of the last injection: the patient's product, whose label minimum holds.
    product: str | None = None

    def due(self, today: date, within_days: int | None = None) -> schedule.Due:
        """The Due on ``today``, with the appointment `due` shows."""
        return replace(self.by_dates(today, within_days), appointment=self.appointment(today))

    def by_dates(self, today: date, within_days: int | None = None) -> schedule.Due:
        """The Due on ``today`` from the plan and the last injection alone."""
        return schedule.due(
            self.last_injection,
            today,
            self.every_months,
            self.window(within_days),
            patient_profile(self.product),
        )

    def window(self, within_days: int | None = None) -> int:
        """How many days ahead the reminder starts: as asked, else as planned."""
        return self.within_days if within_days is None else within_days

    def appointment(self, today: date) -> AppointmentRecord | None:
        """The next booked appointment, else the latest missed one (the domain rule)."""
        return appointment_for_due(self.appointments, today, self.last_injection)


def every_due(
    pictures: Iterable[DuePicture], today: date, within_days: int | None = None
) -> list[schedule.Due]:
    """Each picture's Due on ``today``, in order: what ``DuePicture.due`` says for each.

    A clinic's patients share a few hundred last-injection dates and plans:
    each distinct combination is worked out once, whichever path read them.
    """
    due_of = SharedDues(today, within_days)
    return [due_of(picture) for picture in pictures]


class SharedDues:
    """``DuePicture.due`` for one picture at a time, each distinct combination of last
    injection, product, plan and window worked out once and its Due shared.

    For a reader that keeps no picture: a clinic of 100,000 patients is read row
    by row, and only each patient's Due is kept.
    """

    def __init__(self, today: date, within_days: int | None = None) -> None:
        self.today = today
        self.within_days = within_days
        self._by_dates: dict[tuple[date | None, str | None, int, int], schedule.Due] = {}

    def __call__(self, picture: DuePicture) -> schedule.Due:
        key = (
            picture.last_injection,
            picture.product,
            picture.every_months,
            picture.window(self.within_days),
        )
        due = self._by_dates.get(key)
        if due is None:
            due = self._by_dates[key] = picture.by_dates(self.today, self.within_days)
        if not picture.appointments:
            return due
        appointment = picture.appointment(self.today)
        return due if appointment is None else _with_appointment(due, appointment)


_DUE_FIELDS = tuple(field.name for field in fields(schedule.Due))
_due_values = attrgetter(*_DUE_FIELDS)
_APPOINTMENT_FIELD = _DUE_FIELDS.index("appointment")


def _with_appointment(due: schedule.Due, appointment: AppointmentRecord) -> schedule.Due:
    """``replace(due, appointment=appointment)`` at half its cost: a clinic makes one
    for every patient with a booking."""
    values = list(_due_values(due))
    values[_APPOINTMENT_FIELD] = appointment
    return schedule.Due(*values)
