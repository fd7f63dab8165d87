"""Plain values passed between the layers (never ORM objects)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from tracker.domain.dosing import DoseRecord, Site
from tracker.domain.intervals import DEFAULT_INTERVAL, Interval
from tracker.domain.products import DEFAULT_PRODUCT, Product
from tracker.domain.schedule import DEFAULT_REMINDER_DAYS, Due
from tracker.domain.side_effects import ADVICE, EffectClass, Severity

SEVERITY_NOT_STATED = "not stated"


@dataclass(frozen=True)
class InjectionDraft:
    """An injection session as the user described it, before it has an id."""

    day: date
    # A known product (a Product), or the product of a treatment tracker knows no label
    # rules for, as typed (a plain str, issue 16): read its profile with any_profile.
    product: Product | str = DEFAULT_PRODUCT
    units: float | None = None
    sites: tuple[Site, ...] = ()
    provider: str | None = None
    lot: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class InjectionRecord(InjectionDraft):
    id: int = 0
    # The name of the treatment it belongs to (issue 16); None where it is not known.
    treatment: str | None = None

    def as_dose(self) -> DoseRecord:
        return DoseRecord(self.day, self.product, self.units)


@dataclass(frozen=True)
class HistoryRow:
    record: InjectionRecord
    # Since the previous session of the same treatment.
    days_since_previous: int | None


@dataclass(frozen=True)
class PlanSettings:
    """A treatment's plan (its interval and reminder window), with the patient's name."""

    every: Interval = DEFAULT_INTERVAL
    within_days: int = DEFAULT_REMINDER_DAYS
    patient_name: str | None = None

    @property
    def every_months(self) -> int | None:
        """The interval in calendar months; None for one in days or weeks."""
        return self.every.months


@dataclass(frozen=True)
class SavedInjection:
    """The outcome of logging or editing: what was stored, what to watch, what is next."""

    record: InjectionRecord
    due: Due  # of the session's treatment
    warnings: list[str] = field(default_factory=list)
    # With a rotation of sites: the one the treatment's list suggests next (issue 16).
    next_site: str | None = None


@dataclass(frozen=True)
class ChangeRecord:
    """One entry of the change log (audit trail)."""

    id: int
    batch: int
    at: str  # ISO timestamp, UTC
    command: str  # what the user ran: log, edit, delete, pain, ..., undo
    action: str  # insert, update or delete
    kind: str  # injection, pain, effect, appointment or plan
    record_id: int
    old: dict[str, Any] | None
    new: dict[str, Any] | None
    undo_of: int | None = None


@dataclass(frozen=True)
class PainRecord:
    id: int
    day: date
    score: int
    function: int | None = None
    note: str | None = None


@dataclass(frozen=True)
class EffectRecord:
    """A reported side effect, with the class tracker gave it when it was recorded."""

    id: int
    day: date
    text: str
    term: str | None
    effect_class: EffectClass
    severity: Severity | None  # None: the patient did not say
    note: str | None = None
    resolved_on: date | None = None

    @property
    def advice(self) -> str:
        return ADVICE[self.effect_class]

    @property
    def severity_text(self) -> str:
        """How bad the patient said it was; never a guess when they did not say."""
        return SEVERITY_NOT_STATED if self.severity is None else self.severity.value


@dataclass(frozen=True)
class EffectView:
    """A side effect as listed: where it falls in the injection cycles and whether it lingers."""

    record: EffectRecord
    persistent: bool
    injection_date: date | None
    cycle_day: int | None
