"""When the next injection is due.

The clinician's interval (default 3 calendar months) sets the reminder; the
label's minimum retreatment interval (the product's profile, tracker.domain.
products) is shown as the earliest date and is never suggested as the schedule
(clinical.md, "Rules the software can safely encode"). The due date is never
earlier than that minimum, whatever interval a plan holds.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from functools import cache
from typing import TYPE_CHECKING

from dateutil.relativedelta import relativedelta

from tracker.domain.appointments import AppointmentRecord
from tracker.domain.errors import InvalidInput
from tracker.domain.products import DEFAULT_PROFILE, ProductProfile

if TYPE_CHECKING:
    from tracker.domain.intervals import Interval
    from tracker.domain.safety import OpenSafetyEffect

# The default product's label minimum and default interval (its profile says
# where they come from).
MIN_RETREATMENT_INTERVAL: timedelta | None = DEFAULT_PROFILE.min_interval
DEFAULT_INTERVAL_MONTHS = DEFAULT_PROFILE.default_interval_months
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


@dataclass(frozen=True, slots=True)
class Due:
    status: DueStatus
    last_injection: date | None = None
    next_due: date | None = None
    earliest: date | None = None
    days_left: int | None = None
    # The next booked appointment, else the latest missed one (appointments.
    # appointment_for_due), filled in by the service that knows them.
    appointment: AppointmentRecord | None = None
    # The patient's product (that of the latest injection): whose minimum ``earliest`` is.
    product: ProductProfile = field(default=DEFAULT_PROFILE, repr=False)

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


def earliest_retreatment(
    last_injection: date, product: ProductProfile = DEFAULT_PROFILE
) -> date | None:
    """The label's minimum after the last injection; None when no label rule is known."""
    if product.min_interval is None:
        return None
    return last_injection + product.min_interval


@cache
def shortest_span(every_months: int) -> timedelta:
    """The fewest days N calendar months can span (Jan 31 + 1 month is Feb 28)."""
    start = date(2023, 1, 1)  # four years from here hold every month length and a 29 February
    return min(
        relativedelta(months=every_months) + day - day
        for day in (start + timedelta(days=offset) for offset in range(4 * 366))
    )


def shortest_allowed_months(product: ProductProfile) -> int:
    """The fewest months between injections that never fall before the label's minimum."""
    return next(
        (
            months
            for months in range(MIN_INTERVAL_MONTHS, MAX_INTERVAL_MONTHS + 1)
            if product.min_interval is None or shortest_span(months) >= product.min_interval
        ),
        MAX_INTERVAL_MONTHS + 1,
    )


def check_interval(every_months: int, product: ProductProfile) -> None:
    """Refuse a plan interval that could put a due date before the label's minimum."""
    allowed = shortest_allowed_months(product)
    if every_months < allowed:
        every = "1 month" if every_months == 1 else f"{every_months} months"
        raise below_minimum(every, product, f"{allowed} months")


def below_minimum(every: str, product: ProductProfile, choose: str) -> InvalidInput:
    """The refusal of an interval (``every``: "2 months", "11 weeks") that could put a due
    date before the label's minimum, naming the minimum, its source and what to choose."""
    return InvalidInput(
        f"an injection every {every} can come sooner than {product.name}'s minimum "
        f"interval of {product.min_interval_long_text}, set by the "
        f"{product.min_interval_source}; choose {choose} or more"
    )


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
    every: int | Interval = DEFAULT_INTERVAL_MONTHS,
    within_days: int = DEFAULT_REMINDER_DAYS,
    product: ProductProfile = DEFAULT_PROFILE,
) -> Due:
    """``every``: the treatment's interval (tracker.domain.intervals), or whole months."""
    if last_injection is None:
        return Due(DueStatus.NONE, product=product)
    earliest = earliest_retreatment(last_injection, product)
    next_due = (
        next_due_date(last_injection, every)
        if isinstance(every, int)
        else every.after(last_injection)
    )
    # A plan stored before its interval was checked (or kept from a product
    # without a minimum) must still never suggest a date before the label's.
    if earliest is not None and next_due < earliest:
        next_due = earliest
    days_left = (next_due - today).days
    return Due(
        status=status_for(days_left, within_days),
        last_injection=last_injection,
        next_due=next_due,
        earliest=earliest,
        days_left=days_left,
        product=product,
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
class TreatmentDue:
    """One treatment's Due, as `tracker due` lists it (issue 16)."""

    # The treatment's name; None for a patient without any treatment, who is shown
    # the plan tracker has always started with and nothing logged.
    treatment: str | None
    # The product whose rules hold: the last session's, else the treatment's own.
    product: str
    due: Due
    # The site of the treatment's rotation used least recently (domain.rotation);
    # None without a rotation.
    next_site: str | None = None
    # Whether booked appointments count for it: the pain treatment's only (issue 16).
    takes_appointments: bool = True


def urgency(due: Due) -> tuple[int, int]:
    """The order of urgency: overdue first (negative days left), then fewest days
    left, nothing logged last. Equal keys keep their order (a stable sort)."""
    if due.days_left is None:
        return (1, 0)
    return (0, due.days_left)


def most_urgent_first(dues: Iterable[TreatmentDue]) -> list[TreatmentDue]:
    """A patient's treatments by urgency; equally urgent ones in the order given
    (creation order)."""
    return sorted(dues, key=lambda row: urgency(row.due))


@dataclass(frozen=True, slots=True)
class PatientDue:
    name: str
    due: Due
    # Open serious or emergency side effects, most urgent first. Typed only for
    # the checker: `due` for one patient never loads the side-effect vocabulary.
    safety: tuple[OpenSafetyEffect, ...] = ()
    # The treatment ``due`` is of (the patient's most urgent), None without any.
    treatment: str | None = None
    # How many of the patient's other treatments need attention (Due.needs_attention).
    others_needing_attention: int = 0
    # How many treatments the patient has (a patient without any is shown the default plan).
    treatments: int = 1

    @property
    def needs_attention(self) -> bool:
        """An injection due or overdue (of any treatment), or an open serious or
        emergency side effect (which needs attention even when no injection is due)."""
        return self.due.needs_attention or self.others_needing_attention > 0 or bool(self.safety)


def patient_due(
    name: str,
    treatments: Iterable[TreatmentDue],
    safety: tuple[OpenSafetyEffect, ...] = (),
) -> PatientDue:
    """A patient's row of `due --all`: the most urgent treatment, and how many others
    need attention. ``treatments`` is never empty (a patient without any has the
    default plan's line)."""
    first, *others = most_urgent_first(treatments)
    return PatientDue(
        name,
        first.due,
        safety,
        treatment=first.treatment,
        others_needing_attention=sum(1 for other in others if other.due.needs_attention),
        treatments=0 if first.treatment is None else 1 + len(others),
    )


def by_attention(rows: Iterable[PatientDue]) -> list[PatientDue]:
    """Safety first: patients with an open emergency, then an open serious side
    effect; then overdue first, then by days left; nothing logged last; then by name.

    A clinic of 100,000 patients falls into a few hundred such groups: rows are
    grouped, the groups ordered, and each group sorted by name, so no sort key
    is made per patient (what a stable sort on the whole key gives).
    """
    groups: dict[tuple[int, int, int], list[PatientDue]] = {}
    for row in rows:
        groups.setdefault(_attention(row), []).append(row)
    ordered: list[PatientDue] = []
    for group in sorted(groups):
        ordered += sorted(groups[group], key=_name)
    return ordered


def _attention(row: PatientDue) -> tuple[int, int, int]:
    safety_rank = -row.safety[0].urgency if row.safety else 0
    return (safety_rank, *urgency(row.due))


def _name(row: PatientDue) -> str:
    return row.name
