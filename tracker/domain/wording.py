"""How tracker words dates, day counts and its records: one definition each.

The terminal (tracker/cli/) and the reports (tracker/export/) both use these,
so a date or a plan is never written two ways. Where the two say something
differently, each adds its own words around the shared text here: the
terminal speaks to the patient and says what to type next; the report is
read by the doctor.

Pure (values in, text out: no I/O, no click, no database, no today) and light
to import, because ``tracker due`` and the quick writes load it at start-up.
It lives in the domain so the domain's own messages (the dosing warnings) can
use it too.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from tracker.domain.schedule import Due, DueStatus

if TYPE_CHECKING:
    from tracker.domain.appointments import AppointmentRecord
    from tracker.domain.intervals import Interval
    from tracker.domain.records import EffectView, PlanSettings
    from tracker.domain.response import LongTerm


# --- dates and day counts -------------------------------------------------------


def long_date(day: date) -> str:
    """Tue 24 Feb 2027: a weekday helps when booking."""
    return f"{day:%a} {day.day} {day:%b %Y}"


def short_date(day: date, reference: date) -> str:
    """Tue 16 Feb, with the year only when it differs from the reference's."""
    return long_date(day) if day.year != reference.year else f"{day:%a} {day.day} {day:%b}"


def iso(day: date | None) -> str | None:
    """2027-02-24, or None: how dates are written in JSON."""
    return None if day is None else day.isoformat()


def day_count(count: int) -> str:
    """'1 day', '5 days'."""
    return f"{count} day" if count == 1 else f"{count} days"


# --- records --------------------------------------------------------------------


def plan_text(plan: PlanSettings) -> str:
    """'an injection every 3 months; reminders start 14 days before the due date'."""
    return (
        f"an injection {every_text(plan.every)}; reminders start "
        f"{day_count(plan.within_days)} before the due date"
    )


def every_text(interval: Interval) -> str:
    """'every 12 weeks', 'every 3 months'; a single unit without its 1: 'every year'."""
    return f"every {interval.unit.word if interval.count == 1 else interval.words}"


def due_text(due: Due) -> str:
    """'Tue 24 Feb 2027 (in 5 days); the label's 12-week minimum is ...': the date, how far,
    and the product's label minimum."""
    if due.status is DueStatus.NONE or due.next_due is None or due.days_left is None:
        return "no injection recorded yet"
    if due.days_left < 0:
        when = f"overdue by {day_count(-due.days_left)}"
    elif due.days_left == 0:
        when = "today"
    else:
        when = f"in {day_count(due.days_left)}"
    text = f"{long_date(due.next_due)} ({when})"
    if due.earliest:
        # The label's minimum interval is information, never the suggested date.
        minimum = due.product.min_interval_adjective
        text += f"; the label's {minimum} minimum is {long_date(due.earliest)}"
    elif due.product.min_interval is None:
        text += f"; {due.product.no_minimum_text}"
    return text


def appointment_text(appointment: AppointmentRecord) -> str:
    """'Tue 24 Feb 2027 at 09:30 with Dr Lee': when, and with whom."""
    when = long_date(appointment.day) + (f" at {appointment.time}" if appointment.time else "")
    return when + (f" with {appointment.provider}" if appointment.provider else "")


def effect_status(view: EffectView, *, advise_patient: bool = False) -> str:
    """'resolved 2026-12-01', 'open' or 'open > 14 days'.

    Told to the patient (the terminal), a lingering side effect also says what to do.
    """
    if view.record.resolved_on is not None:
        return f"resolved {view.record.resolved_on.isoformat()}"
    if view.persistent:
        return "open > 14 days: tell your doctor" if advise_patient else "open > 14 days"
    return "open"


def long_term_text(long_term: LongTerm, heading: str, none_evaluable: str) -> str:
    """'<heading>: 3 of 4 evaluable cycles showed ...', or '<heading>: <none_evaluable>.'

    The terminal and the report each give it their own heading and explain an
    empty picture in their own words.
    """
    if not long_term.cycles_evaluable:
        return f"{heading}: {none_evaluable}."
    pain_free = (
        f"{long_term.pain_free_cycles} had no pain at all in days 14-56"
        if long_term.pain_free_cycles
        else "none was pain-free in days 14-56"
    )
    return (
        f"{heading}: {long_term.cycles_responding} of {long_term.cycles_evaluable} "
        f"evaluable cycles showed a substantial or moderate reduction in pain; {pain_free}."
    )
