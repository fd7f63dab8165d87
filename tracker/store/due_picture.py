"""What a patient's due date is worked out from: the plan, the last injection, the bookings.

Both ways of reading it use this: the SQLAlchemy path (``store.queries``) and
the standard-library fast path for ``tracker due`` (``store.quick_due``), so
they cannot disagree on how the pieces combine. No SQLAlchemy here: the fast
path must not import it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date

from tracker.domain import schedule
from tracker.domain.appointments import AppointmentRecord, appointment_for_due
from tracker.domain.intervals import Interval
from tracker.domain.products import DEFAULT_PRODUCT, any_profile


@dataclass(frozen=True)
class DuePicture:
    every: Interval
    # The plan's reminder window; a command may ask with another one.
    within_days: int
    last_injection: date | None
    # At least the booked appointments `due` may show; any others are never picked.
    appointments: Sequence[AppointmentRecord] = ()
    # Whose label rules hold: the product of the treatment's last injection, else the
    # treatment's own (known or not: tracker.domain.products.any_profile).
    product: str = DEFAULT_PRODUCT

    def due(self, today: date, within_days: int | None = None) -> schedule.Due:
        """The Due on ``today``, with the appointment `due` shows."""
        return replace(self.by_dates(today, within_days), appointment=self.appointment(today))

    def by_dates(self, today: date, within_days: int | None = None) -> schedule.Due:
        """The Due on ``today`` from the plan and the last injection alone."""
        return schedule.due(
            self.last_injection,
            today,
            self.every,
            self.window(within_days),
            any_profile(self.product),
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
    by_dates: dict[tuple[date | None, str, Interval, int], schedule.Due] = {}
    dues = []
    for picture in pictures:
        key = (
            picture.last_injection,
            picture.product,
            picture.every,
            picture.window(within_days),
        )
        due = by_dates.get(key)
        if due is None:
            due = by_dates[key] = picture.by_dates(today, within_days)
        if picture.appointments:
            due = replace(due, appointment=picture.appointment(today))
        dues.append(due)
    return dues
