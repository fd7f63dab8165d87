"""Plain values passed between the layers (never ORM objects)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from tracker.domain.dosing import DEFAULT_PRODUCT, DoseRecord, Product, Site
from tracker.domain.schedule import DEFAULT_INTERVAL_MONTHS, DEFAULT_REMINDER_DAYS, Due


@dataclass(frozen=True)
class InjectionDraft:
    """An injection session as the user described it, before it has an id."""

    day: date
    product: Product = DEFAULT_PRODUCT
    units: float | None = None
    sites: tuple[Site, ...] = ()
    provider: str | None = None
    lot: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class InjectionRecord(InjectionDraft):
    id: int = 0

    def as_dose(self) -> DoseRecord:
        return DoseRecord(self.day, self.product, self.units)


@dataclass(frozen=True)
class HistoryRow:
    record: InjectionRecord
    days_since_previous: int | None


@dataclass(frozen=True)
class PlanSettings:
    every_months: int = DEFAULT_INTERVAL_MONTHS
    within_days: int = DEFAULT_REMINDER_DAYS
    patient_name: str | None = None


@dataclass(frozen=True)
class SavedInjection:
    """The outcome of logging or editing: what was stored, what to watch, what is next."""

    record: InjectionRecord
    due: Due
    warnings: list[str] = field(default_factory=list)
