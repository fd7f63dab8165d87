"""The JSON export: the complete, lossless history, and the file ``tracker import`` reads.

Layout (format "tracker", version 1)::

    {"format": "tracker", "version": 1, "generated_at": DATE, "since": DATE|null,
     "until": DATE|null, "patient": {"name"}, "plan": {"every_months", "within_days"},
     "injections": [{"id", "date", "product", "units", "sites": [{"muscle", "units"}],
                     "provider", "lot", "note"}],
     "pain": [{"id", "date", "score", "function", "note"}],
     "effects": [{"id", "date", "text", "term", "class", "severity", "note", "resolved"}],
     "appointments": [{"id", "date", "time", "provider", "note", "status"}],
     "changes": [{"id", "batch", "at", "command", "action", "kind", "record_id",
                  "old", "new", "undo_of"}]}

``changes`` is the audit trail (old and new values of every change), written
only when the export is not limited by --since/--until.

Only stored fields are written, never derived ones (cycle day, "persistent",
advice, due dates): those depend on the day the file is made, and then two
exports of the same records would differ. So ``generated_at`` is the only
value that changes from one day to the next. Keys are sorted and the layout is
fixed, so equal records give byte-equal files (handy for diffs and backups).

The record dicts are shared with the CSV export, so the two cannot disagree.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from tracker.domain.appointments import AppointmentRecord
from tracker.domain.records import ChangeRecord, EffectView, InjectionRecord, PainRecord
from tracker.export.model import REPORT_FORMAT, REPORT_VERSION, Report


def render(report: Report) -> bytes:
    text = json.dumps(document(report), indent=2, sort_keys=True, ensure_ascii=False)
    return (text + "\n").encode("utf-8")


def document(report: Report) -> dict[str, Any]:
    return {
        "format": REPORT_FORMAT,
        "version": REPORT_VERSION,
        "generated_at": report.generated_on.isoformat(),
        "since": iso(report.since),
        "until": iso(report.until),
        "patient": {"name": report.patient_name},
        "plan": {
            "every_months": report.plan.every_months,
            "within_days": report.plan.within_days,
        },
        "injections": [injection(record) for record in report.injections],
        "pain": [pain(record) for record in report.pain],
        "effects": [effect(view) for view in report.effects],
        "appointments": [appointment(record) for record in report.appointments],
        "changes": [change(record) for record in report.changes],
    }


def change(record: ChangeRecord) -> dict[str, Any]:
    return {
        "id": record.id,
        "batch": record.batch,
        "at": record.at,
        "command": record.command,
        "action": record.action,
        "kind": record.kind,
        "record_id": record.record_id,
        "old": record.old,
        "new": record.new,
        "undo_of": record.undo_of,
    }


def number(value: float | None) -> int | float | None:
    """200.0 is written 200, 12.5 stays 12.5 (units are stored as floats)."""
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


def iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def injection(record: InjectionRecord) -> dict[str, Any]:
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


def pain(record: PainRecord) -> dict[str, Any]:
    return {
        "id": record.id,
        "date": record.day.isoformat(),
        "score": record.score,
        "function": record.function,
        "note": record.note,
    }


def effect(view: EffectView) -> dict[str, Any]:
    # Only the stored record: the view's cycle day and "persistent" depend on today.
    record = view.record
    return {
        "id": record.id,
        "date": record.day.isoformat(),
        "text": record.text,
        "term": record.term,
        "class": record.effect_class.value,
        "severity": record.severity.value,
        "note": record.note,
        "resolved": iso(record.resolved_on),
    }


def appointment(record: AppointmentRecord) -> dict[str, Any]:
    return {
        "id": record.id,
        "date": record.day.isoformat(),
        "time": record.time,
        "provider": record.provider,
        "note": record.note,
        "status": record.status.value,
    }
