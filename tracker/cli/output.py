"""Turning records into the JSON and CSV contract and into human text."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from datetime import date
from typing import Any

from tracker.domain.dosing import Site, format_units
from tracker.domain.records import InjectionRecord, PlanSettings
from tracker.domain.schedule import Due, DueStatus

HISTORY_FIELDS = ("id", "date", "product", "units", "sites", "provider", "lot", "note")


def to_json(value: Any) -> str:
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False)


def number(value: float | None) -> int | float | None:
    """200.0 is shown as 200; 12.5 stays 12.5."""
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


def iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def injection_json(record: InjectionRecord) -> dict[str, Any]:
    return {
        "id": record.id,
        "date": record.day.isoformat(),
        "product": record.product.value,
        "units": number(record.units),
        "sites": [{"muscle": site.muscle, "units": number(site.units)} for site in record.sites],
        "provider": record.provider,
        "lot": record.lot,
        "note": record.note,
    }


def due_json(due: Due) -> dict[str, Any]:
    return {
        "status": due.status.value,
        "last_injection": iso(due.last_injection),
        "next_due": iso(due.next_due),
        "earliest": iso(due.earliest),
        "days_left": due.days_left,
    }


def plan_json(plan: PlanSettings) -> dict[str, Any]:
    return {
        "every_months": plan.every_months,
        "within_days": plan.within_days,
        "name": plan.patient_name,
    }


def injections_csv(records: Iterable[InjectionRecord]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HISTORY_FIELDS)
    for record in records:
        row = injection_json(record)
        row["sites"] = sites_text(record.sites, separator="; ")
        writer.writerow("" if row[key] is None else row[key] for key in HISTORY_FIELDS)
    return buffer.getvalue()


# --- human text -------------------------------------------------------------


def long_date(day: date) -> str:
    """Tue 24 Feb 2027."""
    return f"{day:%a} {day.day} {day:%b %Y}"


def short_date(day: date, reference: date) -> str:
    """Tue 16 Feb, with the year only when it differs from the reference's."""
    return long_date(day) if day.year != reference.year else f"{day:%a} {day.day} {day:%b}"


def days(count: int) -> str:
    return f"{count} day" if count == 1 else f"{count} days"


def units_text(units: float | None) -> str:
    return "units not recorded" if units is None else f"{format_units(units)} units"


def sites_text(sites: Iterable[Site], separator: str = ", ") -> str:
    return separator.join(
        site.muscle if site.units is None else f"{site.muscle}:{format_units(site.units)}"
        for site in sites
    )


def injection_summary(record: InjectionRecord) -> str:
    return f"{long_date(record.day)}: {record.product.value}, {units_text(record.units)}"


def due_line(due: Due) -> str:
    if due.status is DueStatus.NONE or due.next_due is None or due.days_left is None:
        return "No injection logged yet. Record one with: tracker log DATE --units N"
    earliest = f"earliest {short_date(due.earliest, due.next_due)}" if due.earliest else ""
    when = long_date(due.next_due)
    if due.status is DueStatus.OVERDUE:
        ago = days(-due.days_left)
        return f"Next injection was due {when} — {ago} ago (overdue: contact your clinic to book)"
    if due.status is DueStatus.DUE:
        return f"Next injection due today, {when} ({earliest})"
    soon = ": time to book it" if due.status is DueStatus.DUE_SOON else ""
    return f"Next injection due {when} — in {days(due.days_left)}{soon} ({earliest})"


def plan_text(plan: PlanSettings) -> str:
    every = "month" if plan.every_months == 1 else f"{plan.every_months} months"
    reminder = f"reminders start {days(plan.within_days)} before the due date"
    lines = [f"Plan: an injection every {every}; {reminder}."]
    if plan.patient_name:
        lines.insert(0, f"Patient: {plan.patient_name}")
    return "\n".join(lines)


def table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [
        max(len(str(cell)) for cell in column) for column in zip(headers, *rows, strict=False)
    ]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False)).rstrip()
        for row in [headers, *rows]
    ]
    return "\n".join(lines)
