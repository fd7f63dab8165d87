"""When the next injection is due.

The clinician's interval (default 3 calendar months) sets the reminder; the
label's minimum retreatment interval (12 weeks) is only shown as the earliest
date and is never suggested as the schedule (clinical.md, "Rules the software
can safely encode").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from dateutil.relativedelta import relativedelta

from tracker.domain.appointments import AppointmentRecord

if TYPE_CHECKING:
    from tracker.domain.safety import OpenSafetyEffect

# Botox label: retreat "generally no sooner than 12 weeks" (clinical.md #3);
# Xeomin, Dysport and Myobloc labels give the same minimum (clinical.md B).
MIN_RETREATMENT_INTERVAL = timedelta(weeks=12)
# Patient leaflet: injections "four times a year", effect wears off after
# about 3 months (shared/seeds leaflet); the clinician may set another interval.
DEFAULT_INTERVAL_MONTHS = 3
# How many days ahead of the due date the reminder starts (product decision).
DEFAULT_REMINDER_DAYS = 14

MIN_INTERVAL_MONTHS = 1
MAX_INTERVAL_MONTHS = 24
MAX_REMINDER_DAYS = 365


class DueStatus(StrEnum):
    NONE = "none"
    NOT_DUE = "not_due"
    DUE_SOON = "due_soon"
    DUE = "due"
    OVERDUE = "overdue"

    @property
    def needs_attention(self) -> bool:
        return self in (DueStatus.DUE_SOON, DueStatus.DUE, DueStatus.OVERDUE)


@dataclass(frozen=True)
class Due:
    status: DueStatus
    last_injection: date | None = None
    next_due: date | None = None
    earliest: date | None = None
    days_left: int | None = None
    # The next booked appointment, else the latest missed one (appointments.
    # appointment_for_due), filled in by the service that knows them.
    appointment: AppointmentRecord | None = None

    @property
    def needs_attention(self) -> bool:
        """What `due --check` answers: is there something to book or to log?

        A booked appointment covers the reminder up to and including its day;
        once its day has passed without an injection (missed), something needs
        doing whatever the due date says.
        """
        if self.appointment is None:
            return self.status.needs_attention
        return self.appointment.missed


def next_due_date(last_injection: date, every_months: int = DEFAULT_INTERVAL_MONTHS) -> date:
    """Same day N calendar months later, clamped to the month's end (30 Nov -> 28 Feb)."""
    return last_injection + relativedelta(months=every_months)


def earliest_retreatment(last_injection: date) -> date:
    return last_injection + MIN_RETREATMENT_INTERVAL


def status_for(days_left: int, within_days: int) -> DueStatus:
    if days_left < 0:
        return DueStatus.OVERDUE
    if days_left == 0:
        return DueStatus.DUE
    if days_left <= within_days:
        return DueStatus.DUE_SOON
    return DueStatus.NOT_DUE


def due(
    last_injection: date | None,
    today: date,
    every_months: int = DEFAULT_INTERVAL_MONTHS,
    within_days: int = DEFAULT_REMINDER_DAYS,
) -> Due:
    if last_injection is None:
        return Due(DueStatus.NONE)
    next_due = next_due_date(last_injection, every_months)
    days_left = (next_due - today).days
    return Due(
        status=status_for(days_left, within_days),
        last_injection=last_injection,
        next_due=next_due,
        earliest=earliest_retreatment(last_injection),
        days_left=days_left,
    )


def days_between(earlier: date | None, later: date) -> int | None:
    return None if earlier is None else (later - earlier).days


def cycle_position(day: date, injection_dates: Iterable[date]) -> tuple[date, int] | None:
    """The latest injection on or before ``day`` and how many days after it ``day`` is.

    An event on an injection day is day 0 of that injection's cycle; an event
    before the first injection belongs to no cycle.
    """
    earlier = [injection for injection in injection_dates if injection <= day]
    if not earlier:
        return None
    latest = max(earlier)
    return latest, (day - latest).days


@dataclass(frozen=True)
class PatientDue:
    name: str
    due: Due
    # Open serious or emergency side effects, most urgent first. Typed only for
    # the checker: `due` for one patient never loads the side-effect vocabulary.
    safety: tuple[OpenSafetyEffect, ...] = ()

    @property
    def needs_attention(self) -> bool:
        """An injection due or overdue, or an open serious or emergency side effect
        (which needs attention even when no injection is due)."""
        return self.due.needs_attention or bool(self.safety)


def by_attention(rows: Iterable[PatientDue]) -> list[PatientDue]:
    """Safety first: patients with an open emergency, then an open serious side
    effect; then overdue first, then by days left; nothing logged last."""

    def order(row: PatientDue) -> tuple[int, int, int, str]:
        urgency = -row.safety[0].urgency if row.safety else 0
        if row.due.days_left is None:
            return (urgency, 1, 0, row.name)
        return (urgency, 0, row.due.days_left, row.name)

    return sorted(rows, key=order)
