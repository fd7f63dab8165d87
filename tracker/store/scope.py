"""Which patient a unit of work is about, and that patient's records.

The name comes from --patient / TRACKER_PATIENT (kept on the session); it is
looked up once per transaction, the first time a query needs it.

No silent patient: when the database holds several patients, a command about
one patient's records must name one; the first is never picked for it. What
was chosen is noted in ``session.info[CHOSEN]`` (a dict the Database keeps),
so the command can name the patient in what it prints.

Services reach the patient's records through :class:`PatientScope`, whose
queries all carry the patient filter; no service writes that filter itself.
"""

from __future__ import annotations

from datetime import date
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session

from tracker.domain.errors import InvalidInput, NotFound
from tracker.store.models import Appointment, InjectionSession, PainEntry, Patient, SideEffect

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


# The kinds of record a patient owns: each has an id, a patient_id and a date.
Record = TypeVar("Record", InjectionSession, PainEntry, SideEffect, Appointment)


class PatientScope:
    """The current patient's records: every query made through it carries the patient filter.

    Services read and write a patient's records only through this object, so no
    query can forget whose records it is about (a forgotten filter would show
    or change another patient's data).
    """

    def __init__(self, session: Session) -> None:
        self.session = session

    @property
    def patient(self) -> Patient:
        return current_patient(self.session)

    @property
    def patient_id(self) -> int:
        return patient_id(self.session)

    def select(self, model: type[Record], *columns: Any) -> Select[Any]:
        """A query of the patient's ``model`` rows (or of ``columns`` of them) to narrow down."""
        return select(*(columns or (model,))).where(model.patient_id == self.patient_id)

    def all(self, model: type[Record], *where: ColumnElement[bool]) -> list[Record]:
        """Every record of the kind (that meets ``where``), oldest first."""
        return self.in_period(model, None, None, *where)

    def in_period(
        self,
        model: type[Record],
        since: date | None,
        until: date | None,
        *where: ColumnElement[bool],
    ) -> list[Record]:
        """The records dated from ``since`` to ``until`` (either open), oldest first."""
        query = self.select(model).where(*where).order_by(model.date, model.id)
        if since is not None:
            query = query.where(model.date >= since)
        if until is not None:
            query = query.where(model.date <= until)
        return list(self.session.scalars(query))

    def get(self, model: type[Record], record_id: int, missing: str) -> Record:
        """The record with this id, if it is the patient's; else NotFound(``missing``).

        Another patient's record is "not found" too: its existence is not theirs to learn.
        """
        row = self.session.get(model, record_id)
        if row is None or row.patient_id != self.patient_id:
            raise NotFound(missing)
        return row

    def first_id(self, model: type[Record], *where: ColumnElement[bool]) -> int | None:
        """The id of a record that meets ``where``, or None when there is none."""
        return self.session.scalar(self.select(model, model.id).where(*where).limit(1))

    def dates(self, model: type[Record]) -> list[date]:
        """The records' dates, oldest first."""
        return list(self.session.scalars(self.select(model, model.date).order_by(model.date)))

    def latest_date(self, model: type[Record]) -> date | None:
        return self.session.scalar(
            self.select(model, model.date).order_by(model.date.desc()).limit(1)
        )

    def add(self, row: Record) -> Record:
        """A new record, made the patient's."""
        row.patient_id = self.patient_id
        self.session.add(row)
        return row
