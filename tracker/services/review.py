"""Is the treatment working? Gathers the records and applies the review rules.

:func:`treatment_review` is where the review's inputs are gathered, for
`tracker review` and for the reports alike. A patient may have several
treatments (issue 16): the review is of one of them, named with ``--treatment``
or else the pain treatment (tracker.domain.treatments.pain_treatment). Its cycles
are cut at that treatment's own injections only; the pain diary and the side
effects are the patient's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy.orm import Session

from tracker.domain import response
from tracker.domain.products import DEFAULT_PROFILE, ProductProfile, any_profile
from tracker.domain.records import EffectRecord, InjectionRecord, PainRecord
from tracker.domain.treatments import Treatment, find_treatment, pain_treatment
from tracker.services.diary import to_record as pain_record
from tracker.services.effects import to_record as effect_record
from tracker.services.injections import all_records
from tracker.store.database import Database
from tracker.store.models import PainEntry, SideEffect, TreatmentRow
from tracker.store.scope import PatientScope
from tracker.store.treatments import to_treatment, treatment_rows


@dataclass(frozen=True)
class TreatmentReview:
    review: response.Review
    long_term: response.LongTerm
    # The reviewed treatment's product: its published figures and off-label notice
    # go with the review.
    product: ProductProfile = DEFAULT_PROFILE
    # The treatment reviewed (its stored name); None for a patient without any.
    treatment: str | None = None
    # Every treatment of the patient, oldest first: with several, outputs say which
    # one was reviewed.
    treatments: tuple[str, ...] = ()
    # Whether the user named it (--treatment) rather than tracker choosing the pain treatment.
    named: bool = False

    @property
    def several_treatments(self) -> bool:
        return len(self.treatments) > 1


@dataclass(frozen=True)
class Reviewed:
    """The treatment a review (or a report) is about, among the patient's treatments."""

    row: TreatmentRow | None  # None: the patient has no treatment
    rows: list[TreatmentRow]  # all of them, oldest first

    @property
    def name(self) -> str | None:
        return None if self.row is None else self.row.name

    @property
    def treatment(self) -> Treatment | None:
        return None if self.row is None else to_treatment(self.row)


def reviewed_treatment(session: Session, patient_id: int, name: str | None) -> Reviewed:
    """The treatment called ``name`` (NotFound naming them all when there is none), or
    without a name the pain treatment: the only botulinum toxin one, else the first."""
    rows = treatment_rows(session, patient_id)
    treatments = [to_treatment(row) for row in rows]
    chosen = pain_treatment(treatments) if name is None else find_treatment(treatments, name)
    row = None if chosen is None else rows[treatments.index(chosen)]
    return Reviewed(row, rows)


def review_treatment(
    db: Database, today: date, treatment_name: str | None = None
) -> TreatmentReview:
    with db.transaction() as session:
        records = PatientScope(session)
        reviewed = reviewed_treatment(session, records.patient_id, treatment_name)
        injections = all_records(records)
        pain = [pain_record(row) for row in records.all(PainEntry)]
        effects = [effect_record(row) for row in records.all(SideEffect)]
    result = treatment_review(
        response.treatment_injections(injections, reviewed.name),
        pain,
        effects,
        today,
        reviewed_profile(injections, reviewed.treatment, today),
    )
    return replace(
        result,
        treatment=reviewed.name,
        treatments=tuple(row.name for row in reviewed.rows),
        named=treatment_name is not None,
    )


def reviewed_profile(
    injections: Sequence[InjectionRecord], treatment: Treatment | None, end: date
) -> ProductProfile:
    """Whose texts the review shows: the product of the reviewed treatment's latest
    injection by ``end`` (a brand switch counts), else the treatment's own product
    (without any treatment, the default product)."""
    name = None if treatment is None else treatment.name
    given = [
        record
        for record in injections
        if record.day <= end and (name is None or record.treatment == name)
    ]
    if given:
        return any_profile(str(given[-1].product))
    return DEFAULT_PROFILE if treatment is None else any_profile(treatment.product)


def _every_cycle(_injection_date: date) -> bool:
    return True


def treatment_review(
    injections: Iterable[date],
    pain: Iterable[PainRecord],
    effects: Iterable[EffectRecord],
    end: date,
    product: ProductProfile,
    shows_cycle: Callable[[date], bool] = _every_cycle,
) -> TreatmentReview:
    """The review as of ``end`` (nothing recorded after it counts), of the cycles
    whose injection date ``shows_cycle`` accepts, and what those cycles add up to.

    ``injections``: the reviewed treatment's injection days only, so its cycles end
    at its own next injection; ``product``: whose texts go with the review.
    """
    scores = [response.PainEntry(entry.day, entry.score) for entry in pain if entry.day <= end]
    events = [
        response.EffectEvent(effect.day, effect.effect_class, effect.resolved_on, effect.text)
        for effect in effects
        if effect.day <= end
    ]
    given = [day for day in injections if day <= end]
    review = response.review(given, scores, events, end)
    shown = replace(review, cycles=[c for c in review.cycles if shows_cycle(c.injection_date)])
    return TreatmentReview(shown, response.long_term(shown, scores), product)
