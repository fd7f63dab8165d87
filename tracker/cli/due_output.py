"""Formatting what `tracker due` prints: kept apart and light, because `due` runs
from prompts and cron and must start as fast as Python itself."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date
from functools import cache, partial
from typing import Any

from tracker.cli.formatting import table_chunks
from tracker.domain.appointments import AppointmentRecord
from tracker.domain.schedule import Due, DueStatus, TreatmentDue
from tracker.domain.wording import appointment_text, day_count, iso, long_date, short_date


def due_json(due: Due, day_text: Callable[[date | None], str | None] = iso) -> dict[str, Any]:
    appointment = due.appointment
    return {
        "status": due.status.value,
        "last_injection": day_text(due.last_injection),
        "next_due": day_text(due.next_due),
        "earliest": day_text(due.earliest),
        "days_left": due.days_left,
        "appointment": day_text(appointment.day) if appointment else None,
        "appointment_status": appointment.shown_status if appointment else None,
    }


def treatment_json(row: TreatmentDue) -> dict[str, Any]:
    """One treatment's entry of ``due --json``'s ``treatments`` (issue 16)."""
    due = row.due
    entry = {
        "treatment": row.treatment,
        "product": row.product,
        "status": due.status.value,
        "next_due": iso(due.next_due),
        "earliest": iso(due.earliest),
        "days_left": due.days_left,
        "last_injection": iso(due.last_injection),
        "appointment": iso(due.appointment.day) if due.appointment else None,
        "appointment_status": due.appointment.shown_status if due.appointment else None,
    }
    if row.next_site is not None:
        entry["next_site"] = row.next_site
    return entry


def due_treatments_json(rows: Sequence[TreatmentDue]) -> dict[str, Any]:
    """Today's keys for the most urgent treatment (the first), and every treatment's."""
    return {
        **due_json(rows[0].due),
        "treatments": [treatment_json(row) for row in rows if row.treatment is not None],
    }


def due_treatments_text(rows: Sequence[TreatmentDue], today: date, several: bool) -> str:
    """``tracker due``: each treatment's reminder, most urgent first.

    A patient with one treatment sees what tracker has always printed. With
    several, each treatment's first line starts with its name ("B12: Next
    injection due ..."), the lines that belong to it follow indented, and the
    commands shown name the treatment.
    """
    if not several:
        return "\n".join(_treatment_lines(row, today, None) for row in rows)
    blocks = []
    for row in rows:
        first, *rest = _treatment_lines(row, today, row.treatment).splitlines()
        blocks.append("\n".join([f"{row.treatment}: {first}", *(f"  {line}" for line in rest)]))
    return "\n".join(blocks)


def _treatment_lines(row: TreatmentDue, today: date, named: str | None) -> str:
    text = due_reminder(row.due, today, named, row.takes_appointments)
    if row.next_site is not None:
        text += f"\nNext site: {row.next_site}"
    return text


def numbered_appointment(appointment: AppointmentRecord) -> str:
    """With its number, which `tracker cancel` takes."""
    return f"{appointment_text(appointment)} (#{appointment.id})"


def due_reminder(
    due: Due, today: date, treatment: str | None = None, takes_appointments: bool = True
) -> str:
    """The reminder line, and the appointment: booked, today or missed.

    Never "book" next to "booked": with an appointment booked there is nothing to book.
    ``treatment``: named in the commands shown, for a patient with several
    treatments. Only the treatment appointments belong to (``takes_appointments``,
    the pain treatment) is told to book one.
    """
    named = _treatment_option(treatment)
    line = due_line(due, named)
    appointment = due.appointment
    if appointment is None:
        if due.status.needs_attention and takes_appointments:
            return f"{line}\nNo appointment yet: tracker book DATE"
        return line
    if appointment.missed:
        return "\n".join(
            [
                line,
                f"Missed appointment: {numbered_appointment(appointment)}",
                "If you had the injection, log it: "
                f"tracker log {appointment.day.isoformat()}{named}{_UNITS}",
                "If not, make a new appointment: tracker book DATE",
            ]
        )
    if appointment.day == today:
        return "\n".join(
            [
                line,
                f"Your appointment is today: {numbered_appointment(appointment)}",
                f"Once you have had the injection: tracker log today{named}{_UNITS}",
            ]
        )
    return f"{line}\nBooked: {numbered_appointment(appointment)}"


_UNITS = " --units N"


def _treatment_option(treatment: str | None) -> str:
    """ " --treatment NAME" for the `log` commands shown, for a patient with several."""
    if treatment is None:
        return ""
    import shlex

    return f" --treatment {shlex.quote(treatment)}"


def due_line(due: Due, treatment_option: str = "") -> str:
    if due.status is DueStatus.NONE or due.next_due is None or due.days_left is None:
        return (
            f"No injection logged yet. Record one with: tracker log DATE{treatment_option}{_UNITS}"
        )
    earliest = (
        f"earliest {short_date(due.earliest, due.next_due)}"
        if due.earliest
        else due.product.no_minimum_text
    )
    when = long_date(due.next_due)
    # With an appointment (booked or missed) the lines after this one say what to do.
    to_book = due.appointment is None
    if due.status is DueStatus.OVERDUE:
        ago = day_count(-due.days_left)
        overdue = "overdue: contact your clinic to book" if to_book else "overdue"
        return f"Next injection was due {when} — {ago} ago ({overdue})"
    if due.status is DueStatus.DUE:
        return f"Next injection due today, {when} ({earliest})"
    soon = ": time to book it" if due.status is DueStatus.DUE_SOON and to_book else ""
    return f"Next injection due {when} — in {day_count(due.days_left)}{soon} ({earliest})"


def safety_json(summary: Any) -> list[dict[str, Any]]:
    """``summary`` is a schedule.PatientDue: its open serious/emergency side effects."""
    return [
        {"id": e.id, "date": e.day.isoformat(), "text": e.text, "class": e.effect_class.value}
        for e in summary.safety
    ]


def due_all_json(
    summary: Any, day_text: Callable[[date | None], str | None] = iso
) -> dict[str, Any]:
    """``summary`` is a schedule.PatientDue: its most urgent treatment's due."""
    fields = due_json(summary.due, day_text)
    fields["patient"] = summary.name
    fields["open_safety_effects"] = safety_json(summary) if summary.safety else []
    fields["treatment"] = summary.treatment
    fields["others_needing_attention"] = summary.others_needing_attention
    return fields


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


DUE_ALL_HEADERS = [
    "PATIENT",
    "STATUS",
    "NEXT DUE",
    "DAYS LEFT",
    "LAST INJECTION",
    "APPOINTMENT",
    "SAFETY",
]


def due_all_table_chunks(summaries: Sequence[Any]) -> Iterator[str]:
    """One row per patient (a schedule.PatientDue: the most urgent treatment), in pieces:
    a clinic's table is written as it is made.

    When any patient has several treatments, a TREATMENT column names the one
    shown and OTHERS DUE counts the patient's other treatments needing attention
    ("+1"; "-" for none); otherwise the table is as it has always been.
    """
    several = any(s.treatments > 1 for s in summaries)
    headers = list(DUE_ALL_HEADERS)
    if several:
        headers.insert(1, "TREATMENT")
        headers.insert(-1, "OTHERS DUE")
    yield from table_chunks(headers, partial(_due_all_rows, summaries, several))
    yield safety_legend(summaries)


def _due_all_rows(summaries: Iterable[Any], several: bool) -> Iterator[tuple[str, ...]]:
    # 100,000 patients share a few hundred dates: each is written out once.
    day_text = cache(_day_or_dash)
    for s in summaries:
        due = s.due
        row = (
            s.name,
            due.status.value,
            day_text(due.next_due),
            "-" if due.days_left is None else str(due.days_left),
            day_text(due.last_injection),
            _appointment_cell(due.appointment, day_text),
            safety_cell(s) if s.safety else "",
        )
        if several:
            row = (
                row[0],
                s.treatment or "-",
                *row[1:6],
                _others_cell(s.others_needing_attention),
                row[6],
            )
        yield row


def _others_cell(count: int) -> str:
    return f"+{count}" if count else "-"


def _day_or_dash(day: date | None) -> str:
    return iso(day) or "-"


def due_all_json_chunks(summaries: Iterable[Any]) -> Iterator[str]:
    """``to_json([due_all_json(s) for s in summaries])`` in pieces, byte for byte."""
    from tracker.cli.json_chunks import json_array_chunks

    day_text = cache(iso)  # a few hundred dates, each written out once
    return json_array_chunks(due_all_json(s, day_text) for s in summaries)


def _appointment_cell(
    appointment: AppointmentRecord | None, day_text: Callable[[date | None], str] = iso
) -> str:
    if appointment is None:
        return "-"
    day = day_text(appointment.day)
    return f"{day} {appointment.shown_status}" if appointment.missed else day
