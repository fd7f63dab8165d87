"""Calendar export (RFC 5545): the next due date and the upcoming booked appointments.

Each event carries a fixed UID ("next-due@tracker", "appointment-<id>@tracker"), so a
calendar that imports the file again updates the events instead of adding copies.
DTSTAMP is the report's day rather than the clock, so the same records always give the
same bytes. Appointment times are local wall-clock times, so they are written as
floating times (no time zone): 09:30 stays 09:30 wherever the calendar is.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from icalendar import Alarm, Calendar, Event

from tracker.domain.appointments import AppointmentRecord
from tracker.domain.dosing import Product
from tracker.domain.errors import InvalidInput
from tracker.domain.schedule import Due
from tracker.export.model import Report

PRODID = "-//tracker//tracker//EN"
DUE_UID = "next-due@tracker"
# tracker stores no end time; half an hour is a typical injection visit.
APPOINTMENT_DURATION = timedelta(minutes=30)

BRAND_NAMES: dict[Product, str] = {
    Product.BOTOX: "Botox",
    Product.XEOMIN: "Xeomin",
    Product.DYSPORT: "Dysport",
    Product.MYOBLOC: "Myobloc",
}


def render(report: Report) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", _calendar_name(report.patient_name))
    stamp = datetime.combine(report.generated_on, time(), tzinfo=UTC)
    reminder = timedelta(days=report.plan.within_days)
    appointments = upcoming_appointments(report)
    if report.due.next_due is None and not appointments:
        # RFC 5545 requires at least one component; an empty file would only confuse.
        raise InvalidInput(
            "there is nothing to put in a calendar: no injection is logged and no upcoming "
            "appointment is booked (add them with: tracker log, tracker book)"
        )
    if report.due.next_due is not None:
        calendar.add_component(_due_event(report, report.due.next_due, stamp, reminder))
    for appointment in appointments:
        calendar.add_component(_appointment_event(appointment, stamp, reminder))
    return calendar.to_ical()


def upcoming_appointments(report: Report) -> list[AppointmentRecord]:
    """Booked and not yet past; cancelled and done ones have nothing to remind of."""
    upcoming = [a for a in report.appointments if a.is_upcoming(report.generated_on)]
    return sorted(upcoming, key=lambda a: (a.day, a.time or "", a.id))


def appointment_uid(appointment_id: int) -> str:
    return f"appointment-{appointment_id}@tracker"


def _calendar_name(patient_name: str | None) -> str:
    return f"Injections: {patient_name}" if patient_name else "Injections"


def _due_event(report: Report, next_due: date, stamp: datetime, reminder: timedelta) -> Event:
    brand = _latest_brand(report)
    summary = f"Injection due ({brand})" if brand else "Injection due"
    event = Event()
    event.add("uid", DUE_UID)
    event.add("dtstamp", stamp)
    _all_day(event, next_due)
    event.add("summary", summary)
    event.add("description", _due_description(report.due, next_due))
    # A reminder, not a visit: it should not mark the day as busy.
    event.add("transp", "TRANSPARENT")
    event.add_component(_alarm(reminder, f"{summary} on {_long_date(next_due)}"))
    return event


def _latest_brand(report: Report) -> str | None:
    # The due date follows the latest injection, which --since/--until may have left out.
    latest = [r for r in report.injections if r.day == report.due.last_injection]
    return BRAND_NAMES.get(latest[0].product) if latest else None


def _due_description(due: Due, next_due: date) -> str:
    lines = [f"Your next injection is due on {_long_date(next_due)}."]
    if due.earliest is not None:
        lines.append(
            f"Earliest date: {_long_date(due.earliest)} (12 weeks after your last "
            "injection, the label's minimum interval). Your doctor sets your schedule."
        )
    lines.append("Book your appointment if you have not done so yet.")
    return "\n".join(lines)


def _appointment_event(
    appointment: AppointmentRecord, stamp: datetime, reminder: timedelta
) -> Event:
    summary = "Injection appointment"
    if appointment.provider:
        summary += f" with {appointment.provider}"
    event = Event()
    event.add("uid", appointment_uid(appointment.id))
    event.add("dtstamp", stamp)
    if appointment.time is None:
        _all_day(event, appointment.day)
    else:
        start = datetime.combine(appointment.day, time.fromisoformat(appointment.time))
        event.add("dtstart", start)
        event.add("dtend", start + APPOINTMENT_DURATION)
    event.add("summary", summary)
    lines = [appointment.note] if appointment.note else []
    lines.append(f"Booked in tracker as appointment #{appointment.id}.")
    event.add("description", "\n".join(lines))
    when = _long_date(appointment.day)
    if appointment.time:
        when += f" at {appointment.time}"
    event.add_component(_alarm(reminder, f"{summary} on {when}"))
    return event


def _all_day(event: Event, day: date) -> None:
    # DTEND is exclusive: an all-day event on one day ends at the start of the next.
    event.add("dtstart", day)
    event.add("dtend", day + timedelta(days=1))


def _alarm(ahead: timedelta, description: str) -> Alarm:
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    # Relative to the event's start; a zero window means at the start.
    alarm.add("trigger", -ahead)
    alarm.add("description", description)
    return alarm


def _long_date(day: date) -> str:
    """Tue 24 Feb 2027, as tracker writes dates elsewhere."""
    return f"{day:%a} {day.day} {day:%b %Y}"
