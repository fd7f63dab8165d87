"""Is the treatment working? Gathers the records and applies the review rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from tracker.domain import response
from tracker.domain.products import DEFAULT_PROFILE, ProductProfile, patient_profile
from tracker.services.effects import to_record
from tracker.store.database import Database
from tracker.store.models import PainEntry, SideEffect
from tracker.store.queries import injection_dates, latest_injection_product
from tracker.store.scope import patient_id


@dataclass(frozen=True)
class TreatmentReview:
    review: response.Review
    long_term: response.LongTerm
    # The patient's product: its published figures and off-label notice go with the review.
    product: ProductProfile = DEFAULT_PROFILE


def review_treatment(db: Database, today: date) -> TreatmentReview:
    with db.transaction() as session:
        injections = [day for day in injection_dates(session) if day <= today]
        product = patient_profile(latest_injection_product(session, until=today))
        pain = [
            response.PainEntry(day, score)
            for day, score in session.execute(
                select(PainEntry.date, PainEntry.score).where(
                    PainEntry.patient_id == patient_id(session)
                )
            )
            if day <= today
        ]
        effects = [
            response.EffectEvent(record.day, record.effect_class, record.resolved_on, record.text)
            for record in map(
                to_record,
                session.scalars(
                    select(SideEffect).where(SideEffect.patient_id == patient_id(session))
                ),
            )
            if record.day <= today
        ]
    result = response.review(injections, pain, effects, today)
    return TreatmentReview(result, response.long_term(result, pain), product)
