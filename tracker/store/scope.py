"""Which patient a unit of work is about.

The name comes from --patient / TRACKER_PATIENT (kept on the session); it is
looked up once per transaction, the first time a query needs it.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.domain.errors import NotFound
from tracker.store.models import Patient

PATIENT_NAME = "tracker_patient_name"
_PATIENT_ID = "tracker_patient_id"


def patient_id(session: Session) -> int:
    if _PATIENT_ID not in session.info:
        session.info[_PATIENT_ID] = current_patient(session).id
    return session.info[_PATIENT_ID]


def current_patient(session: Session) -> Patient:
    name = session.info.get(PATIENT_NAME)
    if name is None:
        # With one patient (or none chosen) the first one is used silently.
        row = session.scalar(select(Patient).order_by(Patient.id).limit(1))
        if row is None:
            raise NotFound("this database has no patients; add one with: tracker patients add NAME")
        return row
    row = session.scalar(select(Patient).where(Patient.name == name))
    if row is None:
        known = ", ".join(session.scalars(select(Patient.name).order_by(Patient.name)))
        raise NotFound(
            f"there is no patient called '{name}' (known: {known}); "
            f"add one with: tracker patients add NAME"
        )
    return row
