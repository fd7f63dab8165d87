"""The one report model every export is rendered from."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from tracker.domain.appointments import AppointmentRecord
from tracker.domain.records import (
    ChangeRecord,
    EffectView,
    InjectionRecord,
    PainRecord,
    PlanSettings,
)
from tracker.domain.response import LongTerm, Review
from tracker.domain.schedule import Due

REPORT_FORMAT = "tracker"
REPORT_VERSION = 1


@dataclass(frozen=True)
class Report:
    """Everything a doctor's report or an export shows, already bounded by since/until.

    ``review`` and ``long_term`` come from the same rules as ``tracker review``
    (computed over the records up to ``until``); ``review.cycles`` is limited to
    injections inside the period.
    """

    generated_on: date
    since: date | None
    until: date | None
    plan: PlanSettings
    injections: list[InjectionRecord]
    pain: list[PainRecord]
    effects: list[EffectView]
    appointments: list[AppointmentRecord]
    review: Review
    long_term: LongTerm
    due: Due
    # The audit trail, only in an unbounded export (a period's trail would name
    # records the export leaves out). Reports for the doctor show current values.
    changes: list[ChangeRecord] = field(default_factory=list)

    @property
    def patient_name(self) -> str | None:
        return self.plan.patient_name

    @property
    def products(self) -> list[str]:
        """Products in the period, most recent first, each once."""
        seen: list[str] = []
        for record in reversed(self.injections):
            if record.product.value not in seen:
                seen.append(record.product.value)
        return seen
