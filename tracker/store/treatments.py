"""A patient's treatments as stored, and as the domain sees them (issue 16).

Every injection session belongs to one treatment; the plan (interval, reminder
window, rotation) is the treatment's. A patient whose records came from before
treatments existed has exactly one, made by migration 0008 from their plan.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.domain.errors import InvalidInput
from tracker.domain.intervals import DEFAULT_INTERVAL, Interval, stored_interval
from tracker.domain.products import DEFAULT_PRODUCT
from tracker.domain.rotation import parse_sites, sites_text
from tracker.domain.schedule import DEFAULT_REMINDER_DAYS
from tracker.domain.treatments import Treatment, pain_treatment
from tracker.store.models import TreatmentRow
from tracker.store.scope import PatientScope


def treatment_rows(session: Session, patient_id: int) -> list[TreatmentRow]:
    """The patient's treatments, oldest first."""
    query = (
        select(TreatmentRow).where(TreatmentRow.patient_id == patient_id).order_by(TreatmentRow.id)
    )
    return list(session.scalars(query))


def to_treatment(row: TreatmentRow) -> Treatment:
    return Treatment(
        name=row.name,
        product=row.product,
        interval=stored_interval(row.every),
        within_days=row.within_days,
        sites=stored_sites(row.sites),
    )


def stored_sites(text: str | None) -> tuple[str, ...]:
    """A rotation as stored (None: none); one no command could have stored is a ValueError."""
    try:
        return parse_sites(text or "")
    except InvalidInput as problem:
        raise ValueError(f"the stored list of sites {text!r}: {problem}") from None


def apply_treatment(row: TreatmentRow, treatment: Treatment) -> TreatmentRow:
    row.name = treatment.name
    row.product = treatment.product
    row.every = treatment.interval.text
    row.within_days = treatment.within_days
    row.sites = sites_text(treatment.sites) if treatment.sites else None
    return row


def new_treatment_row(
    patient_id: int,
    name: str = DEFAULT_PRODUCT.value,
    product: str = DEFAULT_PRODUCT.value,
    interval: Interval = DEFAULT_INTERVAL,
    within_days: int = DEFAULT_REMINDER_DAYS,
) -> TreatmentRow:
    """A treatment with the plan tracker has always started with (Botox every 3 months)."""
    row = apply_treatment(TreatmentRow(), Treatment(name, product, interval, within_days))
    row.patient_id = patient_id
    return row


def plan_row(session: Session, patient_id: int) -> TreatmentRow | None:
    """The treatment whose plan ``tracker plan`` shows and changes without --treatment:
    the pain treatment (the only one, for a patient with one); None without any."""
    rows = treatment_rows(session, patient_id)
    chosen = pain_treatment([to_treatment(row) for row in rows])
    return next((row for row in rows if chosen is not None and row.name == chosen.name), None)


def plan_row_for_writing(records: PatientScope) -> TreatmentRow:
    """:func:`plan_row`; a patient without any treatment gets the one tracker has
    always started with (Botox every 3 months), as a writing command stores it."""
    row = plan_row(records.session, records.patient_id)
    if row is None:
        row = new_treatment_row(records.patient_id)
        records.session.add(row)
        records.session.flush()
    return row
