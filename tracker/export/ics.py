"""Calendar export (RFC 5545): the next due date and the upcoming appointments.

- UIDs derive from the patient's UUID (tracker.export.identity): the due date is one
  event and each appointment another, with the same UID in every export, so a
  calendar that imports the file again updates its events instead of adding copies,
  and two patients' files can share one calendar without replacing each other's.
- Each treatment's due date is an event of its own (issue 16). The patient's oldest
  treatment keeps the UID the one due event had before treatments existed, so a
  calendar made then is updated rather than doubled; every other treatment's UID
  derives from its id, so renaming it keeps its event. (Removing the oldest
  treatment hands that UID on to the next oldest.)
- Titles name the patient whenever the database holds several patients or the patient
  has a name ("Ann Smith: Injection due (Botox)").
- An upcoming appointment that was cancelled is still written, with STATUS:CANCELLED
  and a higher SEQUENCE than the booked one, so the calendar marks or drops it.
- Alarms: a due date's fires its treatment's reminder window before it (-P14D). An
  appointment's fire the evening before (18:00) and, for a booked time, two hours
  before; for a visit without a time, the evening before and at 08:00 that day.
- An overdue due date is shown on the export's day, not on a past day nobody looks at.
- The calendar holds every upcoming appointment whatever --since/--until say.

DTSTAMP is the report's day rather than the clock, so the same records always give the
same bytes. Appointment times are local wall-clock times, so they are written as
floating times (no time zone): 09:30 stays 09:30 wherever the calendar is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from icalendar import Alarm, Calendar, Event

from tracker.domain.appointments import AppointmentRecord, AppointmentStatus
from tracker.domain.errors import InvalidInput
from tracker.domain.products import any_profile
from tracker.domain.records import InjectionRecord
from tracker.domain.schedule import Due
from tracker.domain.text import same_name_key
from tracker.domain.wording import long_date
from tracker.export.identity import record_uuid
from tracker.export.model import Report

PRODID = "-//tracker//tracker//EN"
# tracker stores no end time; half an hour is a typical injection visit.
APPOINTMENT_DURATION = timedelta(minutes=30)
# An appointment's reminders: the evening before, and shortly before a booked time
# (or, for a visit without a time, the morning of the day).
EVENING_BEFORE = time(18, 0)
HOURS_BEFORE = timedelta(hours=2)
MORNING_OF = time(8, 0)
# SEQUENCE of a booked appointment; its cancellation is a later revision of it.
BOOKED_SEQUENCE = 0
CANCELLED_SEQUENCE = 1


def render(report: Report) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", _calendar_name(report.patient_label))
    stamp = datetime.combine(report.generated_on, time(), tzinfo=UTC)
    appointments = calendar_appointments(report)
    reminders = due_reminders(report)
    if not reminders and not appointments:
        # RFC 5545 requires at least one component; an empty file would only confuse.
        raise InvalidInput(
            "there is nothing to put in a calendar: no injection is logged and no upcoming "
            "appointment is booked (add them with: tracker log, tracker book)"
        )
    for reminder in reminders:
        calendar.add_component(_due_event(report, reminder, stamp))
    for appointment in appointments:
        calendar.add_component(_appointment_event(report, appointment, stamp))
    return calendar.to_ical()


@dataclass(frozen=True)
class DueReminder:
    """One treatment's due date, as one calendar event."""

    uid: str
    due: Due
    next_due: date
    within_days: int  # the treatment's reminder window
    brand: str | None  # of its latest injection
    treatment: str | None  # named in the title when the patient has several


def due_reminders(report: Report) -> list[DueReminder]:
    """One per treatment with a due date, oldest treatment first (issue 16)."""
    several = report.several_treatments
    reminders = [
        DueReminder(
            uid=treatment_due_uid(report, treatment.id, treatment.first),
            due=treatment.due,
            next_due=treatment.due.next_due,
            within_days=treatment.plan.within_days,
            brand=_latest_brand(treatment.injections, treatment.due),
            treatment=treatment.name if several else None,
        )
        for treatment in report.treatments
        if treatment.due.next_due is not None
    ]
    if report.treatments or report.due.next_due is None:
        return reminders
    # A report without treatments (none stored): the patient's one due date.
    brand = _latest_brand(report.injections, report.due)
    return [
        DueReminder(
            due_uid(report), report.due, report.due.next_due, report.plan.within_days, brand, None
        )
    ]


def calendar_appointments(report: Report) -> list[AppointmentRecord]:
    """Booked or cancelled, from the report's day on; done ones have nothing to remind of.

    Appointments belong to the pain treatment: a calendar of another treatment alone
    has none."""
    if not report.shows_appointments:
        return []
    coming = [
        a
        for a in report.coming_appointments
        if a.day >= report.generated_on and a.status is not AppointmentStatus.DONE
    ]
    return sorted(coming, key=lambda a: (a.day, a.time or "", a.id))


def due_uid(report: Report) -> str:
    """The patient's due event, as it was before treatments existed (issue 16)."""
    return record_uuid(report.patient_uuid, "calendar", "next-due")


def treatment_due_uid(report: Report, treatment_id: int, first: bool) -> str:
    """A treatment's due event: the patient's oldest treatment keeps the patient's
    event (one-treatment calendars exported before issue 16 are updated, not
    doubled); each other one has its own, from its id, so renaming keeps it."""
    if first:
        return due_uid(report)
    return record_uuid(report.patient_uuid, "calendar", f"next-due/treatment/{treatment_id}")


def appointment_uid(report: Report, appointment_id: int) -> str:
    return record_uuid(report.patient_uuid, "appointment", appointment_id)


def _calendar_name(label: str | None) -> str:
    return f"Injections: {label}" if label else "Injections"


def _titled(report: Report, title: str) -> str:
    return f"{report.patient_label}: {title}" if report.patient_label else title


def _due_event(report: Report, reminder: DueReminder, stamp: datetime) -> Event:
    next_due = reminder.next_due
    overdue = next_due < report.generated_on
    title = "Injection overdue" if overdue else "Injection due"
    summary = _titled(report, _due_title(title, reminder.treatment, reminder.brand))
    event = Event()
    event.add("uid", reminder.uid)
    event.add("dtstamp", stamp)
    # Overdue: on the day of the export, where it is seen, rather than in the past.
    _all_day(event, report.generated_on if overdue else next_due)
    event.add("summary", summary)
    event.add("description", _due_description(reminder.due, next_due, overdue))
    # A reminder, not a visit: it should not mark the day as busy.
    event.add("transp", "TRANSPARENT")
    if overdue:
        event.add_component(_alarm(_since_midnight(MORNING_OF), summary))
    else:
        reminder_at = -timedelta(days=reminder.within_days)
        event.add_component(_alarm(reminder_at, f"{summary} on {long_date(next_due)}"))
    return event


def _due_title(title: str, treatment: str | None, brand: str | None) -> str:
    """ "Injection due (Botox)"; with several treatments "Injection due: B12", and the
    brand when the name does not already say it ("Injection due: back (Dysport)")."""
    if treatment is not None:
        title = f"{title}: {treatment}"
        if brand is not None and same_name_key(brand) == same_name_key(treatment):
            return title
    return f"{title} ({brand})" if brand else title


def _latest_brand(injections: list[InjectionRecord], due: Due) -> str | None:
    # The due date follows the latest injection, which --since/--until may have left out.
    latest = [r for r in injections if r.day == due.last_injection]
    return any_profile(str(latest[0].product)).brand if latest else None


def _due_description(due: Due, next_due: date, overdue: bool) -> str:
    if overdue:
        lines = [
            f"Your injection was due on {long_date(next_due)}. Contact your clinic to book it."
        ]
    else:
        lines = [f"Your next injection is due on {long_date(next_due)}."]
    if due.earliest is not None and not overdue:
        lines.append(
            f"Earliest date: {long_date(due.earliest)} ({due.product.min_interval_text} after "
            "your last injection, the label's minimum interval). Your doctor sets your schedule."
        )
    elif not overdue:
        lines.append(f"{due.product.no_minimum_text}.")
    if not overdue:
        lines.append("Book your appointment if you have not done so yet.")
    return "\n".join(lines)


def _appointment_event(report: Report, appointment: AppointmentRecord, stamp: datetime) -> Event:
    cancelled = appointment.status is AppointmentStatus.CANCELLED
    summary = "Injection appointment"
    if appointment.provider:
        summary += f" with {appointment.provider}"
    summary = _titled(report, f"Cancelled: {summary}" if cancelled else summary)
    event = Event()
    event.add("uid", appointment_uid(report, appointment.id))
    event.add("dtstamp", stamp)
    event.add("sequence", CANCELLED_SEQUENCE if cancelled else BOOKED_SEQUENCE)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    if appointment.time is None:
        _all_day(event, appointment.day)
    else:
        start = datetime.combine(appointment.day, time.fromisoformat(appointment.time))
        event.add("dtstart", start)
        event.add("dtend", start + APPOINTMENT_DURATION)
    event.add("summary", summary)
    lines = [appointment.note] if appointment.note else []
    lines.append(f"Booked in tracker as appointment #{appointment.id}.")
    if cancelled:
        lines.append("It was cancelled.")
    event.add("description", "\n".join(lines))
    if cancelled:
        return event  # nothing to be reminded of
    when = long_date(appointment.day)
    if appointment.time:
        when += f" at {appointment.time}"
    for trigger in appointment_triggers(appointment):
        event.add_component(_alarm(trigger, f"{summary} on {when}"))
    return event


def appointment_triggers(appointment: AppointmentRecord) -> list[timedelta]:
    """Relative to the event's start: the evening before, then shortly before or that morning."""
    start_of_day = time() if appointment.time is None else time.fromisoformat(appointment.time)
    from_start = _since_midnight(start_of_day)
    evening_before = _since_midnight(EVENING_BEFORE) - timedelta(days=1) - from_start
    if appointment.time is None:
        return [evening_before, _since_midnight(MORNING_OF)]
    return [evening_before, -HOURS_BEFORE]


def _since_midnight(moment: time) -> timedelta:
    return timedelta(hours=moment.hour, minutes=moment.minute)


def _all_day(event: Event, day: date) -> None:
    # DTEND is exclusive: an all-day event on one day ends at the start of the next.
    event.add("dtstart", day)
    event.add("dtend", day + timedelta(days=1))


def _alarm(trigger: timedelta, description: str) -> Alarm:
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    # Relative to the event's start; negative is before it.
    alarm.add("trigger", trigger)
    alarm.add("description", description)
    return alarm
