"""Reading records in batches, for exports that must never hold a whole history in memory.

Each function returns a generator: nothing is queried until it is iterated, and
then rows arrive ``BATCH`` at a time (SQLite steps its statement lazily;
PostgreSQL uses a server-side cursor). Rows are read as plain columns, not ORM
objects: a clinic export reads tens of millions of them, and building and
tracking an object per row would cost more than writing it.

Everything runs inside :func:`snapshot`, a read-only unit of work that sees one
consistent state of the database and never takes the write lock, so a long
export does not make other tracker users wait.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from itertools import groupby
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from tracker.domain.appointments import AppointmentRecord, AppointmentStatus
from tracker.domain.dosing import Site
from tracker.domain.errors import DatabaseProblem
from tracker.domain.products import Product, is_known
from tracker.domain.records import ChangeRecord, EffectRecord, InjectionRecord, PainRecord
from tracker.domain.side_effects import EffectClass, Severity
from tracker.domain.treatments import Treatment
from tracker.store import audit, scope
from tracker.store.database import Database
from tracker.store.engine import READ_ONLY
from tracker.store.location import describe
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
from tracker.store.plain_errors import plain_sqlite_error
from tracker.store.treatments import to_treatment, treatment_rows

# Rows fetched per round trip: large enough that fetching is not the cost,
# small enough that a batch is a few hundred kilobytes at most.
BATCH = 1000
# The record kinds an export writes (the change log is not counted as records).
RECORD_MODELS = (InjectionSession, PainEntry, SideEffect, Appointment)


@contextmanager
def snapshot(db: Database) -> Iterator[Session]:
    """A read-only transaction that sees one state of the database from start to end.

    On SQLite a plain BEGIN (readers never wait for a writer in WAL mode, and
    a write lock held for a minute-long export would make every other tracker
    time out); on PostgreSQL REPEATABLE READ, so the count taken first and the
    rows read later agree.
    """
    options: dict[str, Any] = {READ_ONLY: True}
    if not db.is_sqlite:
        options |= {"isolation_level": "REPEATABLE READ", "postgresql_readonly": True}
    try:
        with (
            db.engine.connect().execution_options(**options) as connection,
            Session(bind=connection) as session,
            session.begin(),
        ):
            session.info[scope.PATIENT_NAME] = db.patient
            session.info[scope.CHOSEN] = db.chosen
            yield session
    except DBAPIError as error:
        raise DatabaseProblem(
            plain_sqlite_error(error.orig, describe(db.url), db.sqlite_path)
        ) from None


def patients(session: Session) -> Iterator[Patient]:
    """Every patient, in the order they were added (as ``tracker patients`` lists them)."""
    query = select(Patient).order_by(Patient.id).execution_options(yield_per=BATCH)
    yield from session.scalars(query)


def count_patients(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Patient)) or 0


def count_records(
    session: Session,
    since: date | None,
    until: date | None,
    patient: int | None = None,
    treatment: int | None = None,
) -> int:
    """Injections, pain entries, side effects and appointments in the period, of one
    patient or (patient None) of every patient; with ``treatment``, only that
    treatment's injections."""
    total = 0
    for model in RECORD_MODELS:
        query = _within(select(func.count()).select_from(model), model.date, since, until)
        if patient is not None:
            query = query.where(model.patient_id == patient)
        if treatment is not None and model is InjectionSession:
            query = query.where(InjectionSession.treatment_id == treatment)
        total += session.scalar(query) or 0
    return total


def treatments(session: Session, patient: int) -> list[tuple[int, Treatment]]:
    """The patient's treatments with their ids, oldest first (a handful: read at once)."""
    return [(row.id, to_treatment(row)) for row in treatment_rows(session, patient)]


def injections(
    session: Session,
    patient: int,
    since: date | None,
    until: date | None,
    treatment: int | None = None,
) -> Iterator[InjectionRecord]:
    """Oldest first (of one ``treatment``, or of all), each with its sites in the order
    they were entered and the name of its treatment.

    One query joins the sites, so a session's rows come one after another and
    are gathered into one record; a session without sites has one row of NULLs.
    """
    query = (
        select(
            InjectionSession.id,
            InjectionSession.date,
            InjectionSession.product,
            InjectionSession.units,
            InjectionSession.provider,
            InjectionSession.lot,
            InjectionSession.note,
            TreatmentRow.name,
            InjectionSite.muscle,
            InjectionSite.units,
        )
        .join(TreatmentRow, TreatmentRow.id == InjectionSession.treatment_id)
        .outerjoin(InjectionSite, InjectionSite.session_id == InjectionSession.id)
        .where(InjectionSession.patient_id == patient)
        .order_by(InjectionSession.date, InjectionSession.id, InjectionSite.position)
    )
    if treatment is not None:
        query = query.where(InjectionSession.treatment_id == treatment)
    rows = _batched(session, _within(query, InjectionSession.date, since, until))
    for _, group in groupby(rows, key=lambda row: row[0]):
        parts = list(group)
        first = parts[0]
        yield InjectionRecord(
            id=first[0],
            day=first[1],
            product=_product(first[2]),
            units=first[3],
            sites=tuple(Site(part[8], part[9]) for part in parts if part[8] is not None),
            provider=first[4],
            lot=first[5],
            note=first[6],
            treatment=first[7],
        )


def _product(stored: str) -> Product:
    """A known product's code as a Product; any other (a treatment's product tracker
    knows no label rules for, issue 16) as the text stored, which exports write as is."""
    return Product(stored) if is_known(stored) else stored  # type: ignore[return-value]


def pain(
    session: Session, patient: int, since: date | None, until: date | None
) -> Iterator[PainRecord]:
    query = (
        select(PainEntry.id, PainEntry.date, PainEntry.score, PainEntry.function, PainEntry.note)
        .where(PainEntry.patient_id == patient)
        .order_by(PainEntry.date, PainEntry.id)
    )
    for row in _batched(session, _within(query, PainEntry.date, since, until)):
        yield PainRecord(*row)


# The fast path of the pain diary, most of a clinic's records: plain tuples
# (id, ISO date text, score, function, note) straight from the driver, so no
# row object is built per entry. PostgreSQL writes the date as text itself
# (to_char pads the year to four digits, as date.isoformat does).
_PAIN_SQL = (
    "SELECT id, {day}, score, function, note FROM pain_entries "
    "WHERE patient_id = {mark}{bounds} ORDER BY date, id LIMIT {page}"
)
# Entries read per query. Pages, not a server-side cursor: PostgreSQL's cursor
# costs a round trip per batch, which measured a sixth of a clinic export.
PAGES_OF_BATCHES = 10


def pain_rows(
    session: Session, patient: int, since: date | None, until: date | None
) -> Iterator[list[tuple[Any, ...]]]:
    """The same entries as :func:`pain`, in the same order, as batches of plain tuples.

    Read a page at a time, each page starting after the last entry of the one
    before (date, then id), so memory stays one page however long the diary.
    """
    connection = session.connection()
    sqlite = connection.dialect.name == "sqlite"
    mark = "?" if sqlite else "%s"
    day = "date" if sqlite else "to_char(date, 'YYYY-MM-DD')"
    page = BATCH * PAGES_OF_BATCHES
    bounds, params = "", [patient]
    for operator, bound in ((">=", since), ("<=", until)):
        if bound is not None:
            bounds += f" AND date {operator} {mark}"
            params.append(bound.isoformat() if sqlite else bound)
    first = _PAIN_SQL.format(day=day, mark=mark, bounds=bounds, page=page)
    after = " AND (date, id) > (?, ?)" if sqlite else " AND (date, id) > (%s::date, %s)"
    following = _PAIN_SQL.format(day=day, mark=mark, bounds=bounds + after, page=page)
    cursor = connection.connection.driver_connection.cursor()
    sql, arguments = first, params
    try:
        while True:
            cursor.execute(sql, arguments)
            read, last = 0, None
            while batch := cursor.fetchmany(BATCH):
                read += len(batch)
                last = batch[-1]
                yield batch
            if read < page or last is None:
                return
            sql, arguments = following, [*params, last[1], last[0]]  # after (date, id)
    except connection.dialect.loaded_dbapi.Error as error:
        # As SQLAlchemy would have wrapped it, for snapshot() to say in one line.
        raise DBAPIError(sql, arguments, error) from None
    finally:
        cursor.close()


def effects(
    session: Session, patient: int, since: date | None, until: date | None
) -> Iterator[EffectRecord]:
    query = (
        select(
            SideEffect.id,
            SideEffect.date,
            SideEffect.text,
            SideEffect.term,
            SideEffect.effect_class,
            SideEffect.severity,
            SideEffect.note,
            SideEffect.resolved_on,
        )
        .where(SideEffect.patient_id == patient)
        .order_by(SideEffect.date, SideEffect.id)
    )
    for row in _batched(session, _within(query, SideEffect.date, since, until)):
        yield EffectRecord(
            id=row[0],
            day=row[1],
            text=row[2],
            term=row[3],
            effect_class=EffectClass(row[4]),
            severity=None if row[5] is None else Severity(row[5]),
            note=row[6],
            resolved_on=row[7],
        )


def appointments(
    session: Session, patient: int, since: date | None, until: date | None
) -> Iterator[AppointmentRecord]:
    query = (
        select(
            Appointment.id,
            Appointment.date,
            Appointment.time,
            Appointment.provider,
            Appointment.note,
            Appointment.status,
        )
        .where(Appointment.patient_id == patient)
        .order_by(Appointment.date, Appointment.id)
    )
    for row in _batched(session, _within(query, Appointment.date, since, until)):
        yield AppointmentRecord(*row[:5], status=AppointmentStatus(row[5]))


def changes(session: Session, patient: int) -> Iterator[ChangeRecord]:
    """The change log, oldest first, read through the audit module's own conversion."""
    query = (
        select(Change)
        .where(Change.patient_id == patient)
        .order_by(Change.id)
        .execution_options(yield_per=BATCH)
    )
    for change in session.scalars(query):
        yield audit.to_record(change)


def _within(query: Select[Any], column: Any, since: date | None, until: date | None) -> Select[Any]:
    """Both bounds included, as --since and --until promise."""
    if since is not None:
        query = query.where(column >= since)
    if until is not None:
        query = query.where(column <= until)
    return query


def _batched(session: Session, query: Select[Any]) -> Iterator[Any]:
    # Core, not the ORM: these are columns, and the ORM's per-row work would be wasted.
    yield from session.connection().execute(query.execution_options(yield_per=BATCH))
