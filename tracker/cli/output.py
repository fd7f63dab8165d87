"""What the listing and reading commands print: history, plan, appointments, diary,
side effects, review, import, the change log and the patients, as text, CSV or JSON.

`due` (due_output.py) and the quick writes (confirmations.py) have their own,
lighter modules; words shared with the reports are in tracker/domain/wording.py.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from tracker.cli.confirmations import sites_text
from tracker.cli.due_output import due_json, safety_cell, safety_json, safety_legend
from tracker.cli.formatting import table
from tracker.domain.appointments import AppointmentRecord
from tracker.domain.change_spans import change_span
from tracker.domain.diary import WeekSummary
from tracker.domain.products import DEFAULT_PROFILE, ProductProfile
from tracker.domain.records import (
    ChangeRecord,
    EffectView,
    InjectionRecord,
    PainRecord,
    PlanSettings,
)
from tracker.domain.response import LongTerm, Review
from tracker.domain.safety import URGENT_MARK, is_urgent
from tracker.domain.side_effects import EffectClass
from tracker.domain.wording import effect_status, iso, long_date, long_term_text, plan_text

# The --json outputs are the same records as the JSON export: one definition each.
from tracker.export.json_export import injection as injection_json

URGENT_LEGEND = (
    f"{URGENT_MARK} marks an emergency (get emergency help now if it is still going on) "
    "or a serious side effect (contact your doctor right away)."
)
HISTORY_FIELDS = ("id", "date", "product", "units", "sites", "provider", "lot", "note")


def appointments_table(records: list[AppointmentRecord]) -> str:
    rows = [
        [str(a.id), a.day.isoformat(), a.time or "", a.provider or "", a.shown_status, a.note or ""]
        for a in records
    ]
    return table(["ID", "DATE", "TIME", "PROVIDER", "STATUS", "NOTE"], rows)


def plan_json(plan: PlanSettings) -> dict[str, Any]:
    return {
        "every": plan.every.text,
        "every_months": plan.every_months,
        "within_days": plan.within_days,
        "name": plan.patient_name,
    }


def injections_csv(records: Iterable[InjectionRecord], with_treatment: bool = False) -> str:
    """``with_treatment``: a "treatment" column after the date (several treatments)."""
    fields = list(HISTORY_FIELDS)
    if with_treatment:
        fields.insert(2, "treatment")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(fields)
    for record in records:
        row = injection_json(record)
        row["sites"] = sites_text(record.sites, separator="; ")
        row["treatment"] = record.treatment
        writer.writerow("" if row[key] is None else row[key] for key in fields)
    return buffer.getvalue()


# --- human text -------------------------------------------------------------


def plan_summary(plan: PlanSettings) -> str:
    """The plan, after the patient's name when it has one."""
    lines = [f"Plan: {plan_text(plan)}."]
    if plan.patient_name:
        lines.insert(0, f"Patient: {plan.patient_name}")
    return "\n".join(lines)


# --- diary ------------------------------------------------------------------

SPARK_LEVELS = "▁▂▃▄▅▆▇█"  # for scores above 0; no pain at all is "_"
BAR_WIDTH = 20  # characters for a score of 10


def spark(value: float) -> str:
    if value <= 0:
        return "_"
    return SPARK_LEVELS[max(0, math.ceil(value / 10 * len(SPARK_LEVELS)) - 1)]


def bar(value: float) -> str:
    eighths = round(value / 10 * BAR_WIDTH * 8)
    full, rest = divmod(eighths, 8)
    return "█" * full + ("▏▎▍▌▋▊▉"[rest - 1] if rest else "")


def _trend(weeks: list[WeekSummary]) -> str:
    """One mark per calendar week; '·' for a week without entries, '_' for no pain."""
    by_start = {week.week_start: week.mean for week in weeks}
    marks, start = [], weeks[0].week_start
    while start <= weeks[-1].week_start:
        mean = by_start.get(start)
        marks.append("·" if mean is None else spark(mean))
        start += timedelta(days=7)
    return "".join(marks)


def diary_text(entries: list[PainRecord]) -> str:
    from tracker.domain.diary import weekly_summaries
    from tracker.domain.response import PainEntry

    rows = [
        [
            entry.day.isoformat(),
            f"{entry.score}",
            "" if entry.function is None else f"{entry.function}",
            entry.note or "",
        ]
        for entry in entries
    ]
    weeks = weekly_summaries(PainEntry(entry.day, entry.score) for entry in entries)
    week_rows = [
        [long_date(week.week_start), f"{week.mean:.1f}", bar(week.mean), f"{week.entries}"]
        for week in weeks
    ]
    trend = _trend(weeks)
    return "\n".join(
        [
            table(["DATE", "PAIN", "INTERFERENCE", "NOTE"], rows),
            "",
            "Weekly average pain (0-10):",
            table(["WEEK OF", "AVG", "BAR", "ENTRIES"], week_rows),
            "",
            f"Trend, one mark per week: {trend}",
        ]
    )


# --- side effects -----------------------------------------------------------


def effect_json(view: EffectView) -> dict[str, Any]:
    record = view.record
    return {
        "id": record.id,
        "date": record.day.isoformat(),
        "text": record.text,
        "term": record.term,
        "class": record.effect_class.value,
        "advice": record.advice,
        "severity": None if record.severity is None else record.severity.value,
        "note": record.note,
        "resolved": iso(record.resolved_on),
        "persistent": view.persistent,
        "injection_date": iso(view.injection_date),
        "cycle_day": view.cycle_day,
    }


def class_cell(effect_class: EffectClass) -> str:
    """'! EMERGENCY' / '! SERIOUS': marked in text, so it shows without colour too."""
    if is_urgent(effect_class):
        return f"{URGENT_MARK} {effect_class.value.upper()}"
    return effect_class.value


def effects_table(views: list[EffectView]) -> str:
    rows = [
        [
            str(view.record.id),
            view.record.day.isoformat(),
            view.record.text,
            class_cell(view.record.effect_class),
            view.record.severity_text,
            "-" if view.cycle_day is None else f"day {view.cycle_day}",
            effect_status(view, advise_patient=True),
        ]
        for view in views
    ]
    text = table(["ID", "DATE", "EFFECT", "CLASS", "SEVERITY", "CYCLE", "STATUS"], rows)
    if any(is_urgent(view.record.effect_class) for view in views):
        text += f"\n\n{URGENT_LEGEND}"
    return text


# --- review -----------------------------------------------------------------


def review_json(review: Review) -> dict[str, Any]:
    return {
        "cycles": [
            {
                "injection_date": cycle.injection_date.isoformat(),
                "baseline": cycle.baseline,
                "effect": cycle.effect,
                "reduction_pct": cycle.reduction_pct,
                "change_points": cycle.change_points,
                "no_pain_before": cycle.no_pain_before,
                "response": cycle.response.value,
                "side_effects": cycle.side_effects,
            }
            for cycle in review.cycles
        ],
        "recommendation": review.recommendation.value,
        "reasons": review.reasons,
    }


LONG_TERM_NOT_YET = (
    "no cycle can be evaluated yet (pain scores are needed before each injection "
    "and on at least 2 days between days 14 and 56 after it)"
)


def review_text(
    review: Review, long_term: LongTerm, product: ProductProfile = DEFAULT_PROFILE
) -> str:
    # The same cells as the doctor's report, so the terminal and the PDF agree.
    from tracker.export.sections import cycle_row, product_notice

    rows = [list(cycle_row(cycle)) for cycle in review.cycles]
    lines = []
    if rows:
        headers = [
            "INJECTION",
            "BASELINE",
            "DAYS 14-56",
            "REDUCTION",
            "POINTS",
            "RESPONSE",
            "SIDE EFFECTS",
        ]
        lines += [table(headers, rows), ""]
    lines.append(f"{review.headline}.")
    lines.append(review.summary)
    lines += [
        f"  {URGENT_MARK if index in review.urgent_reasons else '-'} {reason}"
        for index, reason in enumerate(review.reasons)
    ]
    lines += [
        "",
        long_term_text(long_term, "Your long-term picture", LONG_TERM_NOT_YET),
        "",
        *_published_figures_text(product),
    ]
    notice = product_notice(product)
    if notice:
        lines += ["", notice]
    return "\n".join(lines)


def reviewed_line(result: Any) -> str:
    """Which treatment a review is of, for a patient with several (issue 16).

    ``result`` is services.review.TreatmentReview.
    """
    if result.named:
        return f"Reviewing {result.treatment}; see others with --treatment NAME"
    return f"Reviewing {result.treatment} (the pain treatment); see others with --treatment NAME"


def _published_figures_text(product: ProductProfile) -> list[str]:
    """The product's own published figures; never another product's (units and
    results are not interchangeable, clinical.md #4)."""
    if not product.published_figures:
        return [f"Published figures: tracker knows none for {product.name}."]
    return [
        "Published figures, for comparison (what happened in studies, not a prediction for you):",
        *(f"  - {figure.text} [{figure.source}]" for figure in product.published_figures),
    ]


# --- import -----------------------------------------------------------------


def import_text(result: Any, whose: str = "") -> str:
    """``result`` is services.importer.ImportResult: counts per record type."""
    added = ", ".join(_count(count, kind) for kind, count in result.added.items() if count)
    skipped = sum(result.skipped.values())
    text = f"Imported {added}{whose}." if added else f"Nothing new to import{whose}."
    if skipped:
        text += f" {skipped} record(s) were already there and were skipped."
    if result.patient_change:
        text += "\n" + result.patient_change
    return text


def _count(count: int, plural: str) -> str:
    """'1 pain entry', '2 pain entries', '1 injection'."""
    if count != 1:
        return f"{count} {plural}"
    singular = plural[:-3] + "y" if plural.endswith("ies") else plural.removesuffix("s")
    return f"1 {singular}"


# --- change log ---------------------------------------------------------------

KIND_NAMES = {
    "injection": "injection session",
    "pain": "pain entry",
    "effect": "side effect",
    "appointment": "appointment",
    "plan": "plan",
    "treatment": "treatment",
}


def _value_text(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, list):  # an injection session's sites
        return (
            ", ".join(
                site["muscle"] if site["units"] is None else f"{site['muscle']}:{site['units']}"
                for site in value
            )
            or "-"
        )
    return str(value)


def change_details(record: ChangeRecord) -> str:
    if record.action == "update" and record.old is not None and record.new is not None:
        keys = [key for key in record.new if record.old.get(key) != record.new.get(key)]
        return "; ".join(
            f"{key} {_value_text(record.old.get(key))} → {_value_text(record.new.get(key))}"
            for key in keys
        )
    values = record.new if record.action == "insert" else record.old
    if not values:
        return ""
    day = values.get("date")
    return f"dated {day}" if day else ""


def change_subject(record: ChangeRecord) -> str:
    name = KIND_NAMES.get(record.kind, record.kind)
    span = change_span(record)  # many records added (or removed) at once: an import
    if span is not None and span.records != 1:
        return f"{span.records:,} {_plural(name)} #{span.first_id}–#{span.last_id}"
    return f"{name} #{record.record_id}"


def _plural(name: str) -> str:
    return name[:-1] + "ies" if name.endswith("y") else name + "s"


def changes_table(records: list[ChangeRecord]) -> str:
    undone_batches = {record.undo_of for record in records if record.undo_of is not None}
    rows = [
        [
            str(record.id),
            record.at.replace("T", " ").replace("+00:00", " UTC"),
            record.command + (" (undone)" if record.batch in undone_batches else ""),
            f"{record.action} {change_subject(record)}",
            change_details(record),
        ]
        for record in records
    ]
    return table(["ID", "WHEN", "COMMAND", "CHANGE", "DETAILS"], rows)


def undo_text(reverted: list[ChangeRecord], whose: str = "") -> str:
    verbs = {"insert": "removed", "update": "restored the old values of", "delete": "brought back"}
    command = reverted[0].command if reverted else "change"
    parts = [f"{verbs[record.action]} {change_subject(record)}" for record in reverted]
    return f"Undid '{command}'{whose}: " + "; ".join(parts) + "."


# --- patients -----------------------------------------------------------------


def patient_json(summary: Any) -> dict[str, Any]:
    """``summary`` is services.patients.PatientSummary."""
    return {
        "patient": summary.name,
        "records": summary.records,
        **due_json(summary.due),
        "open_safety_effects": safety_json(summary),
    }


def patients_table(summaries: list[Any]) -> str:
    rows = [
        [s.name, str(s.records), s.due.status.value, iso(s.due.next_due) or "-", safety_cell(s)]
        for s in summaries
    ]
    return table(["PATIENT", "RECORDS", "STATUS", "NEXT DUE", "SAFETY"], rows) + safety_legend(
        summaries
    )
