"""Formatting what `tracker due` prints: kept apart and light, because `due` runs
from prompts and cron and must start as fast as Python itself."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from tracker.domain.appointments import AppointmentRecord
from tracker.domain.schedule import Due, DueStatus


def to_json(value: Any) -> str:
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False)


def iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def due_json(due: Due) -> dict[str, Any]:
    return {
        "status": due.status.value,
        "last_injection": iso(due.last_injection),
        "next_due": iso(due.next_due),
        "earliest": iso(due.earliest),
        "days_left": due.days_left,
        "appointment": iso(due.appointment.day) if due.appointment else None,
        "appointment_status": due.appointment.shown_status if due.appointment else None,
    }


def appointment_text(appointment: AppointmentRecord) -> str:
    when = long_date(appointment.day) + (f" at {appointment.time}" if appointment.time else "")
    provider = f" with {appointment.provider}" if appointment.provider else ""
    return f"{when}{provider} (#{appointment.id})"


def long_date(day: date) -> str:
    """Tue 24 Feb 2027."""
    return f"{day:%a} {day.day} {day:%b %Y}"


def short_date(day: date, reference: date) -> str:
    """Tue 16 Feb, with the year only when it differs from the reference's."""
    return long_date(day) if day.year != reference.year else f"{day:%a} {day.day} {day:%b}"


def days(count: int) -> str:
    return f"{count} day" if count == 1 else f"{count} days"


def due_text(due: Due, today: date) -> str:
    """The reminder line, and the appointment: booked, today or missed.

    Never "book" next to "booked": with an appointment booked there is nothing to book.
    """
    line = due_line(due)
    appointment = due.appointment
    if appointment is None:
        if due.status.needs_attention:
            return f"{line}\nNo appointment yet: tracker book DATE"
        return line
    if appointment.missed:
        return "\n".join(
            [
                line,
                f"Missed appointment: {appointment_text(appointment)}",
                "If you had the injection, log it: "
                f"tracker log {appointment.day.isoformat()} --units N",
                "If not, make a new appointment: tracker book DATE",
            ]
        )
    if appointment.day == today:
        return "\n".join(
            [
                line,
                f"Your appointment is today: {appointment_text(appointment)}",
                "Once you have had the injection: tracker log today --units N",
            ]
        )
    return f"{line}\nBooked: {appointment_text(appointment)}"


def due_line(due: Due) -> str:
    if due.status is DueStatus.NONE or due.next_due is None or due.days_left is None:
        return "No injection logged yet. Record one with: tracker log DATE --units N"
    earliest = (
        f"earliest {short_date(due.earliest, due.next_due)}"
        if due.earliest
        else due.product.no_minimum_text
    )
    when = long_date(due.next_due)
    # With an appointment (booked or missed) the lines after this one say what to do.
    to_book = due.appointment is None
    if due.status is DueStatus.OVERDUE:
        ago = days(-due.days_left)
        overdue = "overdue: contact your clinic to book" if to_book else "overdue"
        return f"Next injection was due {when} — {ago} ago ({overdue})"
    if due.status is DueStatus.DUE:
        return f"Next injection due today, {when} ({earliest})"
    soon = ": time to book it" if due.status is DueStatus.DUE_SOON and to_book else ""
    return f"Next injection due {when} — in {days(due.days_left)}{soon} ({earliest})"


def table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [
        max(len(str(cell)) for cell in column) for column in zip(headers, *rows, strict=False)
    ]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False)).rstrip()
        for row in [headers, *rows]
    ]
    return "\n".join(lines)


def safety_json(summary: Any) -> list[dict[str, Any]]:
    """``summary`` is a schedule.PatientDue: its open serious/emergency side effects."""
    return [
        {"id": e.id, "date": e.day.isoformat(), "text": e.text, "class": e.effect_class.value}
        for e in summary.safety
    ]


def due_all_json(summary: Any) -> dict[str, Any]:
    return {
        "patient": summary.name,
        **due_json(summary.due),
        "open_safety_effects": safety_json(summary),
    }


def safety_cell(summary: Any) -> str:
    """'! EMERGENCY: trouble swallowing (since 2026-11-20)'; empty when nothing is open."""
    if not summary.safety:
        return ""
    from tracker.domain.safety import URGENT_MARK

    return f"{URGENT_MARK} " + "; ".join(effect.label for effect in summary.safety)


def safety_legend(summaries: list[Any]) -> str:
    """A line under a patient list that marks anyone: what the mark means."""
    flagged = sum(1 for s in summaries if s.safety)
    if not flagged:
        return ""
    from tracker.domain.safety import URGENT_MARK

    who = "1 patient has" if flagged == 1 else f"{flagged} patients have"
    return (
        f"\n\n{URGENT_MARK} {who} an open serious or emergency side effect "
        "(SAFETY column): check on them first."
    )


def due_all_table(summaries: list[Any]) -> str:
    rows = [
        [
            s.name,
            s.due.status.value,
            iso(s.due.next_due) or "-",
            "-" if s.due.days_left is None else str(s.due.days_left),
            iso(s.due.last_injection) or "-",
            _appointment_cell(s.due.appointment),
            safety_cell(s),
        ]
        for s in summaries
    ]
    headers = [
        "PATIENT",
        "STATUS",
        "NEXT DUE",
        "DAYS LEFT",
        "LAST INJECTION",
        "APPOINTMENT",
        "SAFETY",
    ]
    return table(headers, rows) + safety_legend(summaries)


def _appointment_cell(appointment: AppointmentRecord | None) -> str:
    if appointment is None:
        return "-"
    day = appointment.day.isoformat()
    return f"{day} {appointment.shown_status}" if appointment.missed else day
