"""`tracker due` without SQLAlchemy: four small queries with the database's own driver.

`due` runs from prompts, status bars and cron, so it must cost little more than
starting Python (and its driver). This path answers only for an existing SQLite
file (the standard sqlite3 module) or a ``postgresql+psycopg://`` database
(psycopg, read-only) that is at the current schema and names a known patient;
anything else (another URL, a missing or old database, an unknown patient, a
server that does not answer) returns None and the ordinary path answers, with
its migrations and its error messages — so both find the database the same way
(tracker.store.location) and say the same when it is not there yet, and
neither creates anything. Tests compare both paths on random histories, on
both engines.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar

from tracker.domain import schedule
from tracker.domain.appointments import AppointmentRecord, AppointmentStatus
from tracker.domain.intervals import DEFAULT_INTERVAL, stored_interval
from tracker.domain.schedule import DEFAULT_REMINDER_DAYS
from tracker.store.due_picture import DuePicture, every_due
from tracker.store.location import psycopg_conninfo, sqlite_file
from tracker.store.schema import HEAD_REVISION, VERSION_TABLE

if TYPE_CHECKING:
    from tracker.domain.safety import OpenSafetyEffect

T = TypeVar("T")


def quick_due(
    location: str | None, patient: str | None, today: date, within_days: int | None = None
) -> schedule.Due | None:
    answer = quick_due_named(location, patient, today, within_days)
    return None if answer is None else answer[0]


def quick_due_named(
    location: str | None, patient: str | None, today: date, within_days: int | None = None
) -> tuple[schedule.Due, str | None] | None:
    """The Due, and the patient's name when the database holds several (None otherwise).

    With several patients and none named it steps aside: the full path says how
    to choose one.
    """
    return _read(location, lambda reader: _due(reader, patient, today, within_days))


def quick_due_all(
    location: str | None, today: date, within_days: int | None = None
) -> list[schedule.PatientDue] | None:
    """Every patient's Due and open serious/emergency side effects, most urgent first."""
    return _read(location, lambda reader: _due_all(reader, today, within_days))


class _Reader:
    """One read-only connection, asked in one way whichever the driver.

    The SQL below marks parameters with ``?`` and passes dates as dates; SQLite
    is given ISO text for them and gives ISO text back (see _day).
    """

    def __init__(self, connection: Any, mark: str, dates_as_text: bool) -> None:
        self.connection = connection
        self.mark = mark
        self.dates_as_text = dates_as_text

    def rows(self, sql: str, params: Sequence[Any] = ()) -> Any:
        if self.dates_as_text:
            params = [p.isoformat() if isinstance(p, date) else p for p in params]
        return self.connection.execute(sql.replace("?", self.mark), params)

    def one(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self.rows(sql, params).fetchone()


def _read(location: str | None, answer: Callable[[_Reader], T | None]) -> T | None:
    conninfo = psycopg_conninfo(location)
    if conninfo is not None:
        return _read_postgres(conninfo, answer)
    path = sqlite_file(location)
    if path is None or not path.is_file():
        return None
    try:
        # as_uri escapes the name: '?', '#' and '%' in it stay part of the file name.
        connection = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True, timeout=5)
    except sqlite3.Error:
        return None
    try:
        return _answer(_Reader(connection, "?", dates_as_text=True), answer)
    except sqlite3.Error:
        return None  # not ours, damaged, locked too long: the ordinary path explains
    finally:
        connection.close()


def _read_postgres(conninfo: str, answer: Callable[[_Reader], T | None]) -> T | None:
    try:
        import psycopg
    except ImportError:
        return None  # the ordinary path says what to install
    try:
        # One read-only transaction: every query sees the same moment.
        with psycopg.connect(conninfo) as connection:
            connection.read_only = True
            connection.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
            return _answer(_Reader(connection, "%s", dates_as_text=False), answer)
    except psycopg.Error:
        return None  # not ours, not current, unreachable: the ordinary path explains


def _answer(reader: _Reader, answer: Callable[[_Reader], T | None]) -> T | None:
    return answer(reader) if _is_current(reader) else None


# Booked appointments still ahead, or with no injection logged on or after their
# day: the only ones `due` can show (store.queries says the same for SQLAlchemy;
# domain.appointments.appointment_for_due picks among them).
_CANDIDATES = (
    "SELECT patient_id, id, date, time, provider, note, status FROM appointments "
    "WHERE status = ? AND (date >= ? OR NOT EXISTS (SELECT 1 FROM injection_sessions "
    "WHERE injection_sessions.patient_id = appointments.patient_id "
    "AND injection_sessions.date >= appointments.date))"
)


# The latest session of the treatment in the enclosing query (its date is unique).
_LATEST = "FROM injection_sessions WHERE treatment_id = treatments.id ORDER BY date DESC LIMIT 1"
# Each patient with their first treatment (store.treatments: the oldest), if any.
_PATIENT_PLANS = (
    "SELECT patients.id, patients.name, treatments.every, treatments.within_days, "
    f"treatments.product, (SELECT date {_LATEST}), (SELECT product {_LATEST}) "
    "FROM patients LEFT JOIN treatments ON treatments.id = "
    "(SELECT MIN(id) FROM treatments WHERE treatments.patient_id = patients.id)"
)


def _is_current(reader: _Reader) -> bool:
    version = reader.one(f"SELECT version_num FROM {VERSION_TABLE}")
    return version is not None and version[0] == HEAD_REVISION


def _due_all(reader: _Reader, today: date, within_days: int | None) -> list[schedule.PatientDue]:
    candidates: dict[int, list[AppointmentRecord]] = {}
    for row in reader.rows(_CANDIDATES, (AppointmentStatus.BOOKED.value, today)):
        candidates.setdefault(row[0], []).append(_appointment(row[1:]))
    safety = _open_safety(reader, today)
    patients = []
    # One index lookup per patient for the latest session (its date and product):
    # cheaper than grouping every session of the clinic.
    for patient_id, name, *plan in reader.rows(f"{_PATIENT_PLANS} ORDER BY patients.id"):
        patients.append((patient_id, name, _picture(plan, candidates.get(patient_id, ()))))
    dues = every_due((picture for _, _, picture in patients), today, within_days)
    result = [
        schedule.PatientDue(name, due, safety.get(patient_id, ()))
        for (patient_id, name, _), due in zip(patients, dues, strict=True)
    ]
    return schedule.by_attention(result)


def _open_safety(reader: _Reader, today: date) -> dict[int, tuple[OpenSafetyEffect, ...]]:
    """The same rows as services.patients._open_safety: open, serious or emergency."""
    from tracker.domain import safety

    urgent = sorted(safety.URGENT_CLASSES)
    rows: Iterable[Sequence[Any]] = reader.rows(
        "SELECT patient_id, id, date, text, effect_class FROM side_effects "
        f"WHERE resolved_on IS NULL AND effect_class IN ({', '.join('?' * len(urgent))}) "
        "AND date <= ?",
        (*urgent, today),
    )
    return safety.by_patient(
        (patient_id, effect_id, _known_day(day), text, effect_class)
        for patient_id, effect_id, day, text, effect_class in rows
    )


def _due(
    reader: _Reader, patient: str | None, today: date, within_days: int | None
) -> tuple[schedule.Due, str | None] | None:
    several = reader.one("SELECT count(*) > 1 FROM patients")[0]
    if patient is None and several:
        return None  # no silent patient
    row = (
        reader.one(f"{_PATIENT_PLANS} ORDER BY patients.id LIMIT 1")
        if patient is None
        else reader.one(f"{_PATIENT_PLANS} WHERE patients.name = ?", (patient,))
    )
    if row is None:
        return None
    patient_id, _, *plan = row
    rows = reader.rows(
        f"{_CANDIDATES} AND appointments.patient_id = ?",
        (AppointmentStatus.BOOKED.value, today, patient_id),
    )
    picture = _picture(plan, [_appointment(row[1:]) for row in rows])
    return picture.due(today, within_days), patient if several else None


def _picture(plan: Sequence[Any], appointments: Sequence[AppointmentRecord]) -> DuePicture:
    """A treatment's plan and latest session as read above; a patient without any
    treatment has the plan tracker has always started with, and no injection."""
    every, plan_window, planned_product, last, product = plan
    if every is None:
        return DuePicture(DEFAULT_INTERVAL, DEFAULT_REMINDER_DAYS, None, appointments)
    return DuePicture(
        stored_interval(every), plan_window, _day(last), appointments, product or planned_product
    )


def _day(value: date | str | None) -> date | None:
    """A date as the driver gives it: a date (psycopg), ISO text (sqlite3), or nothing."""
    return None if value is None else _known_day(value)


def _known_day(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def _appointment(row: Sequence[Any]) -> AppointmentRecord:
    id_, day, time, provider, note, status = row
    return AppointmentRecord(id_, _known_day(day), time, provider, note, AppointmentStatus(status))
