"""`tracker due` without SQLAlchemy: four small queries with the standard sqlite3 module.

`due` runs from prompts, status bars and cron, so it must cost little more than
starting Python. This path answers only for an existing SQLite file that is at
the current schema and names a known patient; anything else (a server URL, a
missing or old file, an unknown patient) returns None and the ordinary path
answers, with its migrations and its error messages — so both find the
database the same way (tracker.store.location) and say the same when it is not
there yet, and neither creates anything. A test compares both paths
on random histories.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar

from tracker.domain import schedule
from tracker.domain.appointments import AppointmentRecord, AppointmentStatus
from tracker.store.due_picture import DuePicture, every_due
from tracker.store.location import sqlite_file
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
    return _read(location, lambda connection: _due(connection, patient, today, within_days))


def quick_due_all(
    location: str | None, today: date, within_days: int | None = None
) -> list[schedule.PatientDue] | None:
    """Every patient's Due and open serious/emergency side effects, most urgent first."""
    return _read(location, lambda connection: _due_all(connection, today, within_days))


def _read(location: str | None, answer: Callable[[sqlite3.Connection], T | None]) -> T | None:
    path = sqlite_file(location)
    if path is None or not path.is_file():
        return None
    try:
        # as_uri escapes the name: '?', '#' and '%' in it stay part of the file name.
        connection = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True, timeout=5)
    except sqlite3.Error:
        return None
    try:
        if not _is_current(connection):
            return None
        return answer(connection)
    except sqlite3.Error:
        return None  # not ours, damaged, locked too long: the ordinary path explains
    finally:
        connection.close()


# Booked appointments still ahead, or with no injection logged on or after their
# day: the only ones `due` can show (store.queries says the same for SQLAlchemy;
# domain.appointments.appointment_for_due picks among them).
_CANDIDATES = (
    "SELECT patient_id, id, date, time, provider, note, status FROM appointments "
    "WHERE status = ? AND (date >= ? OR NOT EXISTS (SELECT 1 FROM injection_sessions "
    "WHERE injection_sessions.patient_id = appointments.patient_id "
    "AND injection_sessions.date >= appointments.date))"
)


# The latest session of the patient in the enclosing query (its date is unique).
_LATEST = "FROM injection_sessions WHERE patient_id = patients.id ORDER BY date DESC LIMIT 1"


def _is_current(connection: sqlite3.Connection) -> bool:
    version = connection.execute(f"SELECT version_num FROM {VERSION_TABLE}").fetchone()
    return version is not None and version[0] == HEAD_REVISION


def _due_all(
    connection: sqlite3.Connection, today: date, within_days: int | None
) -> list[schedule.PatientDue]:
    candidates: dict[int, list[AppointmentRecord]] = {}
    for row in connection.execute(_CANDIDATES, (AppointmentStatus.BOOKED.value, today.isoformat())):
        candidates.setdefault(row[0], []).append(_appointment(row[1:]))
    safety = _open_safety(connection, today)
    patients = []
    # One index lookup per patient for the latest session (its date and product):
    # cheaper than grouping every session of the clinic.
    for patient_id, name, every_months, plan_window, last, product in connection.execute(
        "SELECT id, name, every_months, within_days, "
        f"(SELECT date {_LATEST}), (SELECT product {_LATEST}) "
        "FROM patients ORDER BY id"
    ):
        picture = DuePicture(
            every_months, plan_window, _day(last), candidates.get(patient_id, ()), product
        )
        patients.append((patient_id, name, picture))
    dues = every_due((picture for _, _, picture in patients), today, within_days)
    result = [
        schedule.PatientDue(name, due, safety.get(patient_id, ()))
        for (patient_id, name, _), due in zip(patients, dues, strict=True)
    ]
    return schedule.by_attention(result)


def _open_safety(
    connection: sqlite3.Connection, today: date
) -> dict[int, tuple[OpenSafetyEffect, ...]]:
    """The same rows as services.patients._open_safety: open, serious or emergency."""
    from tracker.domain import safety

    urgent = sorted(safety.URGENT_CLASSES)
    rows = connection.execute(
        "SELECT patient_id, id, date, text, effect_class FROM side_effects "
        f"WHERE resolved_on IS NULL AND effect_class IN ({', '.join('?' * len(urgent))}) "
        "AND date <= ?",
        (*urgent, today.isoformat()),
    )
    return safety.by_patient(
        (patient_id, effect_id, date.fromisoformat(day), text, effect_class)
        for patient_id, effect_id, day, text, effect_class in rows
    )


def _due(
    connection: sqlite3.Connection, patient: str | None, today: date, within_days: int | None
) -> tuple[schedule.Due, str | None] | None:
    several = connection.execute("SELECT count(*) > 1 FROM patients").fetchone()[0]
    if patient is None and several:
        return None  # no silent patient
    row = (
        connection.execute(
            "SELECT id, every_months, within_days FROM patients ORDER BY id LIMIT 1"
        ).fetchone()
        if patient is None
        else connection.execute(
            "SELECT id, every_months, within_days FROM patients WHERE name = ?", (patient,)
        ).fetchone()
    )
    if row is None:
        return None
    patient_id, every_months, plan_window = row
    latest = connection.execute(
        "SELECT date, product FROM injection_sessions WHERE patient_id = ? "
        "ORDER BY date DESC LIMIT 1",
        (patient_id,),
    ).fetchone()
    last, product = latest or (None, None)
    rows = connection.execute(
        f"{_CANDIDATES} AND appointments.patient_id = ?",
        (AppointmentStatus.BOOKED.value, today.isoformat(), patient_id),
    )
    candidates = [_appointment(row[1:]) for row in rows]
    picture = DuePicture(every_months, plan_window, _day(last), candidates, product)
    return picture.due(today, within_days), patient if several else None


def _day(iso: str | None) -> date | None:
    return None if iso is None else date.fromisoformat(iso)


def _appointment(row: Sequence[Any]) -> AppointmentRecord:
    id_, day, time, provider, note, status = row
    return AppointmentRecord(
        id_, date.fromisoformat(day), time, provider, note, AppointmentStatus(status)
    )
