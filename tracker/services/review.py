"""Is the treatment working? Gathers the records and applies the review rules.

:func:`treatment_review` is where the review's inputs are gathered, for
`tracker review` and for the reports alike.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date

from tracker.domain import response
from tracker.domain.records import EffectRecord, PainRecord
from tracker.services.diary import to_record as pain_record
from tracker.services.effects import to_record as effect_record
from tracker.store.database import Database
from tracker.store.models import InjectionSession, PainEntry, SideEffect
from tracker.store.scope import PatientScope


@dataclass(frozen=True)
class TreatmentReview:
    review: response.Review
    long_term: response.LongTerm


def review_treatment(db: Database, today: date) -> TreatmentReview:
    with db.transaction() as session:
        records = PatientScope(session)
        injections = records.dates(InjectionSession)
        pain = [pain_record(row) for row in records.all(PainEntry)]
        effects = [effect_record(row) for row in records.all(SideEffect)]
    return treatment_review(injections, pain, effects, today)


def _every_cycle(_injection_date: date) -> bool:
    return True


def treatment_review(
    injections: Iterable[date],
    pain: Iterable[PainRecord],
    effects: Iterable[EffectRecord],
    end: date,
    shows_cycle: Callable[[date], bool] = _every_cycle,
) -> TreatmentReview:
    """The review as of ``end`` (nothing recorded after it counts), of the cycles
    whose injection date ``shows_cycle`` accepts, and what those cycles add up to."""
    scores = [response.PainEntry(entry.day, entry.score) for entry in pain if entry.day <= end]
    events = [
        response.EffectEvent(effect.day, effect.effect_class, effect.resolved_on, effect.text)
        for effect in effects
        if effect.day <= end
    ]
    given = [day for day in injections if day <= end]
    review = response.review(given, scores, events, end)
    shown = replace(review, cycles=[c for c in review.cycles if shows_cycle(c.injection_date)])
    return TreatmentReview(shown, response.long_term(shown, scores))
