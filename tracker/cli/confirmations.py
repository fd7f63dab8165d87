"""What log, pain and effect print once a record is stored.

Kept apart from output.py on purpose: output.py imports the review and export
code, which every quick write would otherwise pay for at start-up.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from tracker.domain.dosing import format_units
from tracker.domain.wording import long_date

if TYPE_CHECKING:
    from tracker.domain.dosing import Site
    from tracker.domain.records import EffectRecord, EffectView, InjectionRecord, PainRecord


def units_text(units: float | None) -> str:
    return "units not recorded" if units is None else f"{format_units(units)} units"


def sites_text(sites: Iterable[Site], separator: str = ", ") -> str:
    return separator.join(
        site.muscle if site.units is None else f"{site.muscle}:{format_units(site.units)}"
        for site in sites
    )


def injection_summary(record: InjectionRecord) -> str:
    return f"{long_date(record.day)}: {record.product}, {units_text(record.units)}"


def pain_text(record: PainRecord) -> str:
    function = "" if record.function is None else f", interference {record.function}/10"
    return f"{record.score}/10{function}"


# The class only: what to do is the advice line that follows, said once.
CLASS_HEADLINES = {
    "emergency": "EMERGENCY",
    "serious": "SERIOUS",
    "common": "Common side effect",
    "other": "Other side effect",
}


def effect_recorded_text(view: EffectView, whose: str = "") -> str:
    import click

    record = view.record
    headline = f"{CLASS_HEADLINES[record.effect_class.value]}: {record.text}"
    if record.effect_class.value in ("emergency", "serious"):
        headline = click.style(headline, fg="red", bold=True)
    advice = record.advice
    if record.effect_class.value == "emergency":
        advice = click.style(advice, fg="red", bold=True)
    lines = [headline, advice]
    lines.append(
        f"Recorded as side effect #{record.id}{whose} on {long_date(record.day)} "
        f"({_severity_text(record)}{_cycle_text(view, prefix=', ')}). "
        f"When it has gone: tracker effect resolve {record.id}"
    )
    return "\n".join(lines)


def _severity_text(record: EffectRecord) -> str:
    return "severity not stated" if record.severity is None else record.severity.value


def _cycle_text(view: EffectView, prefix: str = "") -> str:
    if view.injection_date is None or view.cycle_day is None:
        return (
            f"{prefix}before the first recorded injection" if prefix else "before first injection"
        )
    return f"{prefix}day {view.cycle_day} after the injection of {view.injection_date.isoformat()}"
