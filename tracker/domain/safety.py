"""Serious and emergency side effects: the ones every list and report puts first.

Pure rules only. The classes come from the side-effect triage
(tracker.domain.side_effects); what is urgent follows clinical.md ("Rules the
software can safely encode"): the emergency message ("seek emergency care
now") and "contact your doctor promptly".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from tracker.domain.side_effects import EffectClass, severity

URGENT_CLASSES = frozenset({EffectClass.EMERGENCY, EffectClass.SERIOUS})

# The class in words, for every output that marks an urgent effect.
CLASS_IN_WORDS: dict[EffectClass, str] = {
    EffectClass.EMERGENCY: "emergency: get help now",
    EffectClass.SERIOUS: "serious: contact the doctor right away",
}
# A mark that shows without colour (a printout, a screen reader, a pipe).
URGENT_MARK = "!"


def is_urgent(effect_class: EffectClass) -> bool:
    return effect_class in URGENT_CLASSES


@dataclass(frozen=True, slots=True)
class OpenSafetyEffect:
    """A serious or emergency side effect not marked resolved."""

    id: int
    day: date
    text: str
    effect_class: EffectClass

    @property
    def urgency(self) -> int:
        """Higher is more urgent: an emergency before a serious effect."""
        return severity(self.effect_class)

    @property
    def label(self) -> str:
        """'EMERGENCY: trouble swallowing (since 2026-11-20)'."""
        return f"{self.effect_class.value.upper()}: {self.text} (since {self.day.isoformat()})"


def most_urgent_first(effects: Iterable[OpenSafetyEffect]) -> tuple[OpenSafetyEffect, ...]:
    """Emergencies before serious effects, then oldest first (the longest open)."""
    return tuple(sorted(effects, key=lambda e: (-e.urgency, e.day, e.id)))


def by_patient(
    rows: Iterable[tuple[int, int, date, str, str]],
) -> dict[int, tuple[OpenSafetyEffect, ...]]:
    """(patient id, effect id, date, text, class) rows, grouped and ordered per patient."""
    grouped: dict[int, list[OpenSafetyEffect]] = {}
    for patient_id, effect_id, day, text, effect_class in rows:
        grouped.setdefault(patient_id, []).append(
            OpenSafetyEffect(effect_id, day, text, EffectClass(effect_class))
        )
    return {patient_id: most_urgent_first(effects) for patient_id, effects in grouped.items()}
