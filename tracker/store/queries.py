"""Queries shared by several use cases: the due picture, read with SQLAlchemy.

:func:`due_picture` reads it for the current patient, :func:`every_patient_treatments`
for every patient at once (in three queries, however many patients there are).
The fast path for `tracker due` reads the same with the database's driver
(``store.quick_due``); ``store.due_picture`` combines what either read.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, Literal, overload

from sqlalchemy import ColumnElement, exists, func, or_, select
from sqlalchemy.orm import Session

from tracker.domain.appointments import AppointmentRecord, AppointmentStatus
from tracker.store.due_picture import (
    DuePicture,
    PatientTreatments,
    SiteUses,
    StoredTreatment,
    TreatmentPicture,
    pain_treatment_id,
    treatment_pictures,
)
from tracker.store.models import (
    Appointment,
    InjectionSession,
    InjectionSite,
    Patient,
    TreatmentRow,
)
from tracker.store.scope import PatientScope


def due_picture(records: PatientScope, today: date, treatment_id: int | None = None) -> DuePicture:
    """The due picture of one of the current patient's treatments: ``treatment_id``, else
    the pain treatment (domain.treatments.pain_treatment), whose picture holds the
    appointments `due` may show; the default plan without any treatment."""
    treatments = _stored_treatments(records.session, TreatmentRow.patient_id == records.patient_id)
    pictures = _pictures(records, today, treatments, with_sites=False)
    wanted = pain_treatment_id(treatments) if treatment_id is None else treatment_id
    chosen = (p for row, p in zip(treatments, pictures, strict=True) if row.id == wanted)
    return next(chosen, pictures[0]).picture


def due_pictures(records: PatientScope, today: date) -> list[TreatmentPicture]:
    """Each of the current patient's treatments' due picture, oldest first: the pain
    treatment's with the appointments `due` may show (store.due_picture)."""
    treatments = _stored_treatments(records.session, TreatmentRow.patient_id == records.patient_id)
    return _pictures(records, today, treatments, with_sites=True)


def _pictures(
    records: PatientScope, today: date, treatments: list[StoredTreatment], with_sites: bool
) -> list[TreatmentPicture]:
    pain = pain_treatment_id(treatments)
    rows = records.session.execute(
        records.select(Appointment, *_APPOINTMENT_COLUMNS).where(_may_be_shown(today, pain))
    )
    appointments = [_appointment(row) for row in rows]
    uses = _site_uses(records.session, treatments) if with_sites else None
    return treatment_pictures(treatments, appointments, uses)


def every_patient_treatments(session: Session) -> list[PatientTreatments]:
    """Every patient's id, name, treatments (oldest first, with their latest session)
    and booked appointments, in the order patients were added: what ``due --all``
    is worked out from (store.due_picture.patient_row).

    Plain rows (SQLAlchemy Core, no ORM objects), in four queries whatever the size:
    a clinic has thousands of patients.
    """
    treatments: dict[int, list[StoredTreatment]] = {}
    for patient_id, treatment in _stored_treatments(session, with_patient=True):
        treatments.setdefault(patient_id, []).append(treatment)
    # Every booked appointment: the domain rule picks (store.quick_due does the same).
    candidates: dict[int, list[AppointmentRecord]] = {}
    for patient_id, *appointment in session.execute(
        select(Appointment.patient_id, *_APPOINTMENT_COLUMNS).where(
            Appointment.status == AppointmentStatus.BOOKED.value
        )
    ):
        candidates.setdefault(patient_id, []).append(_appointment(appointment))
    return [
        (patient_id, name, treatments.get(patient_id, []), candidates.get(patient_id, ()))
        for patient_id, name in session.execute(
            select(Patient.id, Patient.name).order_by(Patient.id)
        )
    ]


@overload
def _stored_treatments(
    session: Session, *where: ColumnElement[bool], with_patient: Literal[False] = False
) -> list[StoredTreatment]: ...
@overload
def _stored_treatments(
    session: Session, *where: ColumnElement[bool], with_patient: Literal[True]
) -> list[tuple[int, StoredTreatment]]: ...
def _stored_treatments(
    session: Session, *where: ColumnElement[bool], with_patient: bool = False
) -> list[StoredTreatment] | list[tuple[int, StoredTreatment]]:
    """Treatments (by patient, oldest first) with their latest session's date and product:
    one index lookup each (store.quick_due reads them alike)."""

    def latest(column: Any) -> Any:
        return (
            select(column)
            .where(InjectionSession.treatment_id == TreatmentRow.id)
            .order_by(InjectionSession.date.desc())
            .limit(1)
            .scalar_subquery()
        )

    query = (
        select(
            TreatmentRow.patient_id,
            TreatmentRow.id,
            TreatmentRow.name,
            TreatmentRow.every,
            TreatmentRow.within_days,
            TreatmentRow.product,
            TreatmentRow.sites,
            latest(InjectionSession.date),
            latest(InjectionSession.product),
        )
        .where(*where)
        .order_by(TreatmentRow.patient_id, TreatmentRow.id)
    )
    rows = [(row[0], StoredTreatment(*row[1:])) for row in session.execute(query)]
    return rows if with_patient else [treatment for _, treatment in rows]


def _site_uses(session: Session, treatments: list[StoredTreatment]) -> SiteUses:
    """The sites logged for the treatments with a rotation: each site's latest day."""
    rotating = [row.id for row in treatments if row.sites]
    uses: dict[int, list[tuple[str, date]]] = {}
    if not rotating:
        return uses
    query = (
        select(InjectionSession.treatment_id, InjectionSite.muscle, func.max(InjectionSession.date))
        .join(InjectionSession, InjectionSession.id == InjectionSite.session_id)
        .where(InjectionSession.treatment_id.in_(rotating))
        .group_by(InjectionSession.treatment_id, InjectionSite.muscle)
    )
    for treatment_id, site, day in session.execute(query):
        uses.setdefault(treatment_id, []).append((site, day))
    return uses


def _may_be_shown(today: date, pain_treatment: int | None) -> ColumnElement[bool]:
    """Booked appointments still ahead, or with no injection of the pain treatment
    logged on or after their day (appointments belong to it, issue 16).

    Only these can be shown by `due`; the domain rule picks among them.
    """
    injection_since = exists().where(
        InjectionSession.treatment_id == pain_treatment,
        InjectionSession.date >= Appointment.date,
    )
    return (Appointment.status == AppointmentStatus.BOOKED.value) & or_(
        Appointment.date >= today, ~injection_since
    )


_APPOINTMENT_COLUMNS = (
    Appointment.id,
    Appointment.date,
    Appointment.time,
    Appointment.provider,
    Appointment.note,
    Appointment.status,
)


def _appointment(row: Sequence[Any]) -> AppointmentRecord:
    id_, day, time, provider, note, status = row
    return AppointmentRecord(id_, day, time, provider, note, AppointmentStatus(status))


def appointment_record(row: Appointment) -> AppointmentRecord:
    return AppointmentRecord(
        id=row.id,
        day=row.date,
        time=row.time,
        provider=row.provider,
        note=row.note,
        status=AppointmentStatus(row.status),
    )
