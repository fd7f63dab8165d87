"""Several patients in one database: list, add, rename, remove, and everyone's due date."""

from __future__ import annotations

import shlex
import uuid
from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from tracker.domain import safety, schedule
from tracker.domain.errors import Conflict, InvalidInput, NotFound
from tracker.domain.intervals import Interval, IntervalUnit, check_minimum
from tracker.domain.products import DEFAULT_PROFILE
from tracker.domain.safety import OpenSafetyEffect
from tracker.domain.schedule import DEFAULT_INTERVAL_MONTHS
from tracker.services.plan import DEFAULT_PATIENT_NAME, check_plan, unused_name
from tracker.store.database import Database
from tracker.store.due_picture import every_patient_due
from tracker.store.models import (
    Appointment,
    Change,
    InjectionSession,
    InjectionSite,
    PainEntry,
    Patient,
    SideEffect,
    TreatmentRow,
)
from tracker.store.queries import every_patient_treatments
from tracker.store.treatments import new_treatment_row, treatment_rows

RECORD_MODELS = (InjectionSession, PainEntry, SideEffect, Appointment)


@dataclass(frozen=True)
class PatientSummary(schedule.PatientDue):
    records: int = 0


def list_patients(db: Database, today: date) -> list[PatientSummary]:
    """Every patient, in the order they were added, with how many records and when due."""
    with db.transaction() as session:
        counts = _record_counts(session)
        return [
            replace(summary, records=counts.get(patient_id, 0))
            for patient_id, summary in _summaries(session, today, None)
        ]


def due_all(db: Database, today: date, within_days: int | None = None) -> list[schedule.PatientDue]:
    """One row per patient, overdue first, then by next due date; nothing logged last."""
    with db.transaction() as session:
        summaries = _summaries(session, today, within_days)
    return schedule.by_attention([summary for _, summary in summaries])


def _summaries(
    session: Session, today: date, within_days: int | None
) -> list[tuple[int, PatientSummary]]:
    """Every patient's id and summary (no record count), in the order they were added:
    their most urgent treatment, and how many others need attention.

    Plain rows, and each distinct due worked out once (store.due_picture.SharedDues):
    a clinic has thousands of patients.
    """
    rows = every_patient_due(
        every_patient_treatments(session), today, within_days, _open_safety(session, today)
    )
    return [
        (
            patient_id,
            PatientSummary(
                row.name,
                row.due,
                row.safety,
                treatment=row.treatment,
                others_needing_attention=row.others_needing_attention,
                treatments=row.treatments,
            ),
        )
        for patient_id, row in rows
    ]


def _open_safety(session: Session, today: date) -> dict[int, tuple[OpenSafetyEffect, ...]]:
    """Every patient's open serious and emergency side effects, in one query."""
    return safety.by_patient(
        session.execute(
            select(
                SideEffect.patient_id,
                SideEffect.id,
                SideEffect.date,
                SideEffect.text,
                SideEffect.effect_class,
            ).where(
                SideEffect.resolved_on.is_(None),
                SideEffect.effect_class.in_(sorted(safety.URGENT_CLASSES)),
                SideEffect.date <= today,
            )
        )
    )


def _record_counts(session: Session) -> dict[int, int]:
    counts: dict[int, int] = {}
    for model in RECORD_MODELS:
        query = select(model.patient_id, func.count()).group_by(model.patient_id)
        for patient_id, count in session.execute(query):
            counts[patient_id] = counts.get(patient_id, 0) + count
    return counts


@dataclass(frozen=True)
class AddedPatient:
    name: str
    # True when the new patient took the place of the unnamed first patient.
    replaced_unnamed: bool = False


def add_patient(db: Database, name: str, every: Interval | int | None = None) -> AddedPatient:
    """Add a patient. On a new database the unnamed first patient gives way.

    Every database starts with one unnamed patient ("default"), so that one
    person can use tracker without ever hearing of patients. A clinic or a
    caregiver starts with ``patients add``: while that unnamed patient has no
    records and no change log, the first patient added takes its place (its
    row, with a new name, plan and UUID), so nobody sees a patient nobody added.
    """
    # A new patient has no injection yet: the default product's minimum applies.
    if isinstance(every, int):  # whole months, as --every always took
        check_plan(every, None, DEFAULT_PROFILE)
        every = Interval(every, IntervalUnit.MONTHS)
    if every is not None:
        check_minimum(every, DEFAULT_PROFILE)
    name = _required(name)
    with db.transaction() as session:
        unnamed = _unused_unnamed_patient(session)
        patient = unnamed or Patient()
        patient.name = unused_name(session, name, unnamed)
        if unnamed is not None:
            patient.uuid = str(uuid.uuid4())  # a new person: nothing was exported for it
            for row in treatment_rows(session, unnamed.id):
                session.delete(row)  # a new person's plan is their own
        session.add(patient)
        session.flush()
        interval = every or Interval(DEFAULT_INTERVAL_MONTHS, IntervalUnit.MONTHS)
        session.add(new_treatment_row(patient.id, interval=interval))
        session.flush()
        return AddedPatient(name, replaced_unnamed=unnamed is not None)


def _unused_unnamed_patient(session: Session) -> Patient | None:
    """The database's only patient, when it is the unnamed one and nothing was ever stored."""
    first_two = session.scalars(select(Patient).order_by(Patient.id).limit(2)).all()
    if len(first_two) != 1 or first_two[0].name != DEFAULT_PATIENT_NAME:
        return None
    only = first_two[0]
    for model in (*RECORD_MODELS, Change):
        if session.scalar(select(model.id).where(model.patient_id == only.id).limit(1)):
            return None
    return only


def rename_patient(db: Database, old: str, new: str) -> str:
    new = _required(new)
    with db.transaction() as session:
        patient = _named(session, old)
        patient.name = unused_name(session, new, patient)
        return new


def removable_records(db: Database, name: str, with_records: bool) -> int:
    """How many records removing the patient deletes; raises what would refuse it.

    Asked before the user is asked to confirm, so nobody confirms what is then refused.
    """
    with db.transaction() as session:
        return _check_removable(session, _named(session, name), with_records)


def _check_removable(session: Session, patient: Patient, with_records: bool) -> int:
    records = _record_counts(session).get(patient.id, 0)
    if records and not with_records:
        raise Conflict(
            f"'{patient.name}' has {records} record(s); to delete them too, run: "
            f"{shlex.join(['tracker', 'patients', 'remove', '--with-records', '--', patient.name])}"
        )
    if session.scalar(select(func.count()).select_from(Patient)) == 1:
        raise Conflict(f"'{patient.name}' is the only patient; a database needs one")
    return records


def remove_patient(db: Database, name: str, with_records: bool) -> int:
    """Remove a patient; with_records also deletes all their records and change log."""
    with db.transaction() as session:
        patient = _named(session, name)
        records = _check_removable(session, patient, with_records)
        sessions = select(InjectionSession.id).where(InjectionSession.patient_id == patient.id)
        session.execute(delete(InjectionSite).where(InjectionSite.session_id.in_(sessions)))
        # Sessions before their treatments, whose ids they name.
        for model in (*RECORD_MODELS, Change, TreatmentRow):
            session.execute(delete(model).where(model.patient_id == patient.id))
        session.delete(patient)
        return records


def _named(session: Session, name: str) -> Patient:
    patient = session.scalar(select(Patient).where(Patient.name == name))
    if patient is None:
        known = ", ".join(session.scalars(select(Patient.name).order_by(Patient.name)))
        raise NotFound(f"there is no patient called '{name}' (known: {known})")
    return patient


def _required(name: str) -> str:
    if not name.strip():
        raise InvalidInput("a patient needs a name")
    return name.strip()
