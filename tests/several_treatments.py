"""Several treatments for one patient, stored straight into the database.

Until `tracker treatments add` exists these helpers write TreatmentRow rows and
their sessions with SQLAlchemy, as the command will; every other step of a test
goes through the real CLI.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from tests.conftest import Tracker
from tracker.store.database import Database
from tracker.store.models import InjectionSession, Patient, TreatmentRow


def _patient(session, patient: str | None) -> Patient:
    query = select(Patient).order_by(Patient.id)
    if patient is not None:
        query = query.where(Patient.name == patient)
    return session.scalars(query).first()


def add_treatment(
    tracker: Tracker,
    name: str,
    product: str,
    every: str = "1m",
    within_days: int = 7,
    patient: str | None = None,
) -> int:
    """A treatment of the patient (the first one unless named); its id."""
    database = Database(tracker.db)
    try:
        with database.transaction() as session:
            row = TreatmentRow(
                patient_id=_patient(session, patient).id,
                name=name,
                product=product,
                every=every,
                within_days=within_days,
                sites=None,
            )
            session.add(row)
            session.flush()
            return row.id
    finally:
        database.close()


def add_session(
    tracker: Tracker,
    treatment: str,
    day: str,
    units: float | None = None,
    product: str | None = None,
    patient: str | None = None,
) -> None:
    """A session of the treatment called ``treatment``, of its product unless given."""
    database = Database(tracker.db)
    try:
        with database.transaction() as session:
            owner = _patient(session, patient)
            row = session.scalars(
                select(TreatmentRow).where(
                    TreatmentRow.patient_id == owner.id, TreatmentRow.name == treatment
                )
            ).one()
            session.add(
                InjectionSession(
                    patient_id=owner.id,
                    treatment_id=row.id,
                    date=date.fromisoformat(day),
                    product=product or row.product,
                    units=units,
                )
            )
    finally:
        database.close()


def change_treatment(
    tracker: Tracker, name: str, patient: str | None = None, **values: object
) -> None:
    """Set columns of the treatment called ``name`` (e.g. the "botox" every patient
    starts with): ``new_name``, ``product``, ``every``, ``within_days``."""
    database = Database(tracker.db)
    try:
        with database.transaction() as session:
            owner = _patient(session, patient)
            row = session.scalars(
                select(TreatmentRow).where(
                    TreatmentRow.patient_id == owner.id, TreatmentRow.name == name
                )
            ).one()
            for column, value in values.items():
                setattr(row, "name" if column == "new_name" else column, value)
    finally:
        database.close()
