"""`tracker due` without SQLAlchemy: a few small queries with the database's own driver.

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
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date
from functools import partial
from itertools import count, groupby
from operator import itemgetter
from sys import intern
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from tracker.domain import schedule
from tracker.domain.appointments import AppointmentRecord, AppointmentStatus
from tracker.store.due_picture import (
    SiteUses,
    StoredTreatment,
    every_patient_due,
    pain_treatment_id,
    treatment_dues,
    treatment_pictures,
)
from tracker.store.location import psycopg_conninfo, sqlite_file
from tracker.store.schema import HEAD_REVISION, VERSION_TABLE

if TYPE_CHECKING:
    from tracker.domain.safety import OpenSafetyEffect

T = TypeVar("T")
# Rows per round trip when a PostgreSQL answer is read in batches (_Reader.stream).
STREAM_BATCH = 5000


def quick_due(
    location: str | None, patient: str | None, today: date, within_days: int | None = None
) -> schedule.Due | None:
    """The Due of the patient's most urgent treatment."""
    answer = quick_due_named(location, patient, today, within_days)
    return None if answer is None else answer[0]


def quick_due_named(
    location: str | None, patient: str | None, today: date, within_days: int | None = None
) -> tuple[schedule.Due, str | None] | None:
    """The most urgent treatment's Due, and the patient's name when the database holds
    several (None otherwise)."""
    answer = quick_due_treatments(location, patient, today, within_days)
    if answer is None:
        return None
    treatments, whose = answer
    return schedule.most_urgent_first(treatments)[0].due, whose


def quick_due_treatments(
    location: str | None, patient: str | None, today: date, within_days: int | None = None
) -> tuple[list[schedule.TreatmentDue], str | None] | None:
    """Each treatment's Due, oldest treatment first, and the patient's name when the
    database holds several (None otherwise).

    With several patients and none named it steps aside: the full path says how
    to choose one.
    """
    return _read(location, lambda reader: _due(reader, patient, today, within_days))


def quick_due_all(
    location: str | None, today: date, within_days: int | None = None
) -> list[schedule.PatientDue] | None:
    """Every patient's most urgent treatment (and how many others need attention) and
    open serious/emergency side effects, most urgent first."""
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
        self._streams = count()

    def rows(self, sql: str, params: Sequence[Any] = ()) -> Any:
        if self.dates_as_text:
            params = [p.isoformat() if isinstance(p, date) else p for p in params]
        return self.connection.execute(sql.replace("?", self.mark), params)

    @property
    def on_postgres(self) -> bool:
        return self.mark == "%s"

    def one(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self.rows(sql, params).fetchone()

    def stream(self, sql: str, params: Sequence[Any] = ()) -> Iterator[Any]:
        """The rows of a clinic-wide query, fetched a batch at a time as they are used.

        sqlite3 steps through its rows as asked already; psycopg's ordinary
        cursor would hold the whole answer besides what is made from it, so a
        server-side cursor hands it over in batches.
        """
        if not self.on_postgres:
            yield from self.rows(sql, params)
            return
        # Named apart: two streams may be read side by side.
        with self.connection.cursor(name=f"tracker_rows_{next(self._streams)}") as cursor:
            cursor.execute(sql.replace("?", self.mark), params)
            yield from _prefetched(partial(cursor.fetchmany, STREAM_BATCH))


def _prefetched(fetch: Callable[[], list[T]]) -> Iterator[T]:
    """What ``fetch()`` returns, batch after batch until an empty one; each batch asked
    for on a thread while the one before is used, so the server works meanwhile."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as fetcher:
        pending = fetcher.submit(fetch)
        while batch := pending.result():
            pending = fetcher.submit(fetch)
            yield from batch


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


# Booked appointments still ahead, or with no injection of the pain treatment (the
# last parameter) logged on or after their day: the only ones `due` can show for
# one patient (store.queries says the same for SQLAlchemy; domain.appointments.
# appointment_for_due picks among them).
_CANDIDATES = (
    "SELECT patient_id, id, date, time, provider, note, status FROM appointments "
    "WHERE status = ? AND appointments.patient_id = ? AND (date >= ? OR NOT EXISTS "
    "(SELECT 1 FROM injection_sessions WHERE injection_sessions.treatment_id = ? "
    "AND injection_sessions.date >= appointments.date))"
)
# For every patient at once, every booked appointment: which treatment is the pain
# treatment is worked out in Python, and the domain rule picks.
_BOOKED = (
    "SELECT patient_id, id, date, time, provider, note, status FROM appointments WHERE status = ?"
)


# The latest session of the treatment in the enclosing query (its date is unique).
_LATEST = "FROM injection_sessions WHERE treatment_id = treatments.id ORDER BY date DESC LIMIT 1"
# Treatments with their latest session: index lookups for each, cheaper than grouping
# every session of a clinic (a join on the latest session's id is cheaper on SQLite,
# but PostgreSQL then hashes every session).
_TREATMENTS = (
    "SELECT treatments.patient_id, treatments.id, treatments.name, treatments.every, "
    "treatments.within_days, treatments.product, treatments.sites, "
    f"(SELECT date {_LATEST}), (SELECT product {_LATEST}) FROM treatments"
)
# The sites logged for a rotation: each site's latest day, per treatment.
_SITE_USES = (
    "SELECT injection_sessions.treatment_id, injection_sites.muscle, "
    "max(injection_sessions.date) FROM injection_sites JOIN injection_sessions "
    "ON injection_sessions.id = injection_sites.session_id "
    "WHERE injection_sessions.treatment_id IN ({marks}) "
    "GROUP BY injection_sessions.treatment_id, injection_sites.muscle"
)


def _is_current(reader: _Reader) -> bool:
    version = reader.one(f"SELECT version_num FROM {VERSION_TABLE}")
    return version is not None and version[0] == HEAD_REVISION


def _due_all(reader: _Reader, today: date, within_days: int | None) -> list[schedule.PatientDue]:
    safety = _open_safety(reader, today)
    # Row by row, in patient order, the three streams side by side, keeping only
    # each patient's row of `due --all`: a clinic has 100,000 patients.
    booked = _InStep(
        reader.stream(f"{_BOOKED} ORDER BY patient_id, id", (AppointmentStatus.BOOKED.value,)),
        _appointment,
    )
    treatments = _InStep(
        reader.stream(f"{_TREATMENTS} ORDER BY treatments.patient_id, treatments.id"), _treatment
    )
    patients = (
        (patient_id, name, treatments(patient_id), booked(patient_id))
        for patient_id, name in reader.stream("SELECT id, name FROM patients ORDER BY id")
    )
    rows = every_patient_due(patients, today, within_days, safety)
    return schedule.by_attention(row for _, row in rows)


class _InStep(Generic[T]):
    """Each patient's rows of a query, read alongside the patients (both in patient
    order) rather than all held first: a clinic has 100,000 bookings and treatments."""

    def __init__(self, rows: Iterator[Sequence[Any]], make: Callable[[Sequence[Any]], T]) -> None:
        self._groups = groupby(rows, key=itemgetter(0))
        self._next = next(self._groups, None)
        self._make = make

    def __call__(self, patient_id: int) -> tuple[T, ...]:
        """Asked with increasing ids: the rows of ``patient_id``, none if it has none."""
        while self._next is not None and self._next[0] < patient_id:
            self._next = next(self._groups, None)
        if self._next is None or self._next[0] != patient_id:
            return ()
        made = tuple(self._make(row[1:]) for row in self._next[1])
        self._next = next(self._groups, None)
        return made


def _open_safety(reader: _Reader, today: date) -> dict[int, tuple[OpenSafetyEffect, ...]]:
    """The same rows as services.patients._open_safety: open, serious or emergency."""
    from tracker.domain import safety

    urgent = sorted(safety.URGENT_CLASSES)
    rows: Iterable[Sequence[Any]] = reader.rows(
        "SELECT patient_id, id, date, text, effect_class FROM side_effects "
        f"WHERE resolved_on IS NULL AND effect_class IN ({', '.join('?' * len(urgent))}) "
        # Not "date <= ?": SQLite would then walk the date index, a lookup per row.
        "AND NOT (date > ?)",
        (*urgent, today),
    )
    return safety.by_patient(
        (patient_id, effect_id, _known_day(day), text, effect_class)
        for patient_id, effect_id, day, text, effect_class in rows
    )


def _due(
    reader: _Reader, patient: str | None, today: date, within_days: int | None
) -> tuple[list[schedule.TreatmentDue], str | None] | None:
    several = reader.one("SELECT count(*) > 1 FROM patients")[0]
    if patient is None and several:
        return None  # no silent patient
    row = (
        reader.one("SELECT id FROM patients ORDER BY id LIMIT 1")
        if patient is None
        else reader.one("SELECT id FROM patients WHERE name = ?", (patient,))
    )
    if row is None:
        return None
    patient_id = row[0]
    treatments = [
        _treatment(row[1:])
        for row in reader.rows(
            f"{_TREATMENTS} WHERE treatments.patient_id = ? ORDER BY treatments.id", (patient_id,)
        )
    ]
    booked = reader.rows(
        _CANDIDATES,
        (AppointmentStatus.BOOKED.value, patient_id, today, pain_treatment_id(treatments)),
    )
    appointments = [_appointment(row[1:]) for row in booked]
    pictures = treatment_pictures(treatments, appointments, _site_uses(reader, treatments))
    return treatment_dues(pictures, today, within_days), patient if several else None


def _site_uses(reader: _Reader, treatments: Sequence[StoredTreatment]) -> SiteUses:
    """The sites logged for the treatments with a rotation (no query without one)."""
    rotating = [row.id for row in treatments if row.sites]
    uses: dict[int, list[tuple[str, date]]] = {}
    if rotating:
        sql = _SITE_USES.format(marks=", ".join("?" * len(rotating)))
        for treatment_id, site, day in reader.rows(sql, rotating):
            uses.setdefault(treatment_id, []).append((site, _known_day(day)))
    return uses


def _treatment(row: Sequence[Any]) -> StoredTreatment:
    """A row of _TREATMENTS without its patient id."""
    id_, name, every, within_days, product, sites, last, last_product = row
    return StoredTreatment(id_, name, every, within_days, product, sites, _day(last), last_product)


def _day(value: date | str | None) -> date | None:
    """A date as the driver gives it: a date (psycopg), ISO text (sqlite3), or nothing."""
    return None if value is None else _known_day(value)


def _known_day(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def _appointment(row: Sequence[Any]) -> AppointmentRecord:
    id_, day, time, provider, note, status = row
    # A dictionary look-up: the enum's own lookup costs more than the rest of the row.
    status = _STATUSES.get(status) or AppointmentStatus(status)
    # A clinic books the same few times and providers again and again: one copy of each.
    time = time and intern(time)
    provider = provider and intern(provider)
    return AppointmentRecord(id_, _known_day(day), time, provider, note, status)


_STATUSES = {status.value: status for status in AppointmentStatus}
