"""Is the treatment working? Gathers the records and applies the review rules.

:func:`treatment_review` is where the review's inputs are gathered, for
`tracker review` and for the reports alike.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date

from tracker.domain import response
from tracker.domain.products import DEFAULT_PROFILE, ProductProfile, patient_profile
from tracker.domain.records import EffectRecord, PainRecord
from tracker.services.diary import to_record as pain_record
from tracker.services.effects import to_record as effect_record
from tracker.store.database import Database
from tracker.store.models import InjectionSession, PainEntry, SideEffect
from tracker.store.queries import latest_injection_product
from tracker.store.scope import PatientScope


@dataclass(frozen=True)
class TreatmentReview:
    review: response.Review
    long_term: response.LongTerm
    # The patient's product: its published figures and off-label notice go with the review.
    product: ProductProfile = DEFAULT_PROFILE


def review_treatment(db: Database, today: date) -> TreatmentReview:
    with db.transaction() as session:
        records = PatientScope(session)
        injections = records.dates(InjectionSession)
        pain = [pain_record(row) for row in records.all(PainEntry)]
        effects = [effect_record(row) for row in records.all(SideEffect)]
        product = latest_injection_product(records, until=today)
    return treatment_review(injections, pain, effects, today, product)


def _every_cycle(_injection_date: date) -> bool:
    return True


def treatment_review(
    injections: Iterable[date],
    pain: Iterable[PainRecord],
    effects: Iterable[EffectRecord],
    end: date,
    latest_product: str | None,
    shows_cycle: Callable[[date], bool] = _every_cycle,
) -> TreatmentReview:
    """The review as of ``end`` (nothing recorded after it counts), of the cycles
    whose injection date ``shows_cycle`` accepts, and what those cycles add up to;
    ``latest_product``: that of the last injection given by ``end``."""
    scores = [response.PainEntry(entry.day, entry.score) for entry in pain if entry.day <= end]
    events = [
        response.EffectEvent(effect.day, effect.effect_class, effect.resolved_on, effect.text)
        for effect in effects
        if effect.day <= end
    ]
    given = [day for day in injections if day <= end]
    review = response.review(given, scores, events, end)
    shown = replace(review, cycles=[c for c in review.cycles if shows_cycle(c.injection_date)])
    return TreatmentReview(
        shown, response.long_term(shown, scores), patient_profile(latest_product)
    )
