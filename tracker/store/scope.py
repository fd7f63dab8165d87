"""Which patient a unit of work is about.

The name comes from --patient / TRACKER_PATIENT (kept on the session); it is
looked up once per transaction, the first time a query needs it.

No silent patient: when the database holds several patients, a command about
one patient's records must name one; the first is never picked for it. What
was chosen is noted in ``session.info[CHOSEN]`` (a dict the Database keeps),
so the command can name the patient in what it prints.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tracker.domain.errors import InvalidInput, NotFound
from tracker.store.models import Patient

PATIENT_NAME = "tracker_patient_name"
# {"name": the patient's name, "several": whether the database holds others too}
CHOSEN = "tracker_chosen_patient"
_PATIENT_ID = "tracker_patient_id"
# How many names the "choose a patient" error lists before it refers to `tracker patients`.
LISTED_NAMES = 8


def patient_id(session: Session) -> int:
    if _PATIENT_ID not in session.info:
        current_patient(session)
    return session.info[_PATIENT_ID]


def current_patient(session: Session) -> Patient:
    known = session.info.get(_PATIENT_ID)
    if known is not None:
        # Looked up once per unit of work: a rename in it (plan --name) keeps the patient.
        row = session.get(Patient, known)
        if row is not None:
            return row
    name = session.info.get(PATIENT_NAME)
    row = _unnamed_choice(session) if name is None else _named(session, name)
    session.info[_PATIENT_ID] = row.id
    several = name is not None and _patient_count(session) > 1
    chosen = session.info.get(CHOSEN)
    if chosen is not None:
        chosen.update(name=row.name, several=several)
    return row


def _unnamed_choice(session: Session) -> Patient:
    """The only patient; with several, an error that says how to choose."""
    rows = session.scalars(select(Patient).order_by(Patient.id).limit(2)).all()
    if not rows:
        raise NotFound("this database has no patients; add one with: tracker patients add NAME")
    if len(rows) > 1:
        raise InvalidInput(
            f"this database holds {_patient_count(session)} patients ({_listed(session)}); "
            "choose one with --patient NAME or TRACKER_PATIENT=NAME"
        )
    return rows[0]


def _named(session: Session, name: str) -> Patient:
    row = session.scalar(select(Patient).where(Patient.name == name))
    if row is None:
        raise NotFound(
            f"there is no patient called '{name}' (known: {_listed(session)}); "
            f"add one with: tracker patients add NAME"
        )
    return row


def _patient_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Patient)) or 0


def _listed(session: Session) -> str:
    names = list(
        session.scalars(select(Patient.name).order_by(Patient.name).limit(LISTED_NAMES + 1))
    )
    if len(names) <= LISTED_NAMES:
        return ", ".join(names)
    more = _patient_count(session) - LISTED_NAMES
    return ", ".join(names[:LISTED_NAMES]) + f" and {more} more: see tracker patients"
