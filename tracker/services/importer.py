"""Importing a JSON export (tracker/export/json_export.py): restore or merge, all or nothing.

The whole file is read and checked before the database is touched, so a bad
file changes nothing and the error names the first problem and where it is
(``injections[3].date: expected an ISO date (YYYY-MM-DD), got 'x'``; list
positions count from 0, as in JSON paths).

- Into an empty database (no records of any kind and no plan) everything is
  restored as it was, ids, plan and patient name included, so exporting again
  gives the same file apart from ``generated_at``.
- Into a database with records, only records not there yet are added, with new
  ids. A record is "there" when every field but the id matches (sites
  included); equal records are matched one to one, so two identical diary
  entries in the file need two in the database. Importing twice therefore adds
  nothing. The plan and name are left alone: they are the current ones.
- A different injection session on a date that already has one is a conflict:
  nothing is stored, because tracker cannot tell which of the two is right.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from tracker.domain import dosing
from tracker.domain.appointments import AppointmentRecord, AppointmentStatus, parse_time
from tracker.domain.dates import FIRST_DATE, LAST_DATE, not_in_future
from tracker.domain.errors import Conflict, InvalidInput, NotFound
from tracker.domain.records import (
    ChangeRecord,
    EffectRecord,
    InjectionRecord,
    PainRecord,
    PlanSettings,
)
from tracker.domain.response import parse_score
from tracker.domain.schedule import MAX_INTERVAL_MONTHS, MAX_REMINDER_DAYS, MIN_INTERVAL_MONTHS
from tracker.domain.side_effects import EffectClass, Severity
from tracker.domain.text import clean_text
from tracker.export.model import REPORT_FORMAT, REPORT_VERSION
from tracker.services.appointments import all_appointments
from tracker.services.diary import to_record as pain_record
from tracker.services.effects import to_record as effect_record
from tracker.services.injections import all_records as injection_records
from tracker.services.plan import DEFAULT_PATIENT_NAME
from tracker.store import audit
from tracker.store.database import Database
from tracker.store.models import (
    Appointment,
    Change,
    InjectionSession,
    InjectionSite,
    PainEntry,
    Patient,
    SideEffect,
)
from tracker.store.scope import current_patient, patient_id

# The keys of ImportResult's counts, in the order they are reported.
KINDS = ("injections", "pain entries", "side effects", "appointments")

# Ids are stored in 32-bit integer columns (PostgreSQL INTEGER).
MAX_ID = 2**31 - 1
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_SHOWN_MAX = 40  # characters of a bad value quoted in an error message

TOP_FIELDS = (
    "format",
    "version",
    "generated_at",
    "since",
    "until",
    "patient",
    "plan",
    "injections",
    "pain",
    "effects",
    "appointments",
)
# Files from before the audit trail have no "changes"; it is optional.
OPTIONAL_TOP_FIELDS = ("changes",)
CHANGE_FIELDS = (
    "id",
    "batch",
    "at",
    "command",
    "action",
    "kind",
    "record_id",
    "old",
    "new",
    "undo_of",
)
CHANGE_ACTIONS = ("insert", "update", "delete")
INJECTION_FIELDS = ("id", "date", "product", "units", "sites", "provider", "lot", "note")
SITE_FIELDS = ("muscle", "units")
PAIN_FIELDS = ("id", "date", "score", "function", "note")
EFFECT_FIELDS = ("id", "date", "text", "term", "class", "severity", "note", "resolved")
APPOINTMENT_FIELDS = ("id", "date", "time", "provider", "note", "status")
# Tables whose ids an empty-database restore writes explicitly (see _reset_sequences).
ID_TABLES = (InjectionSession, InjectionSite, Patient, PainEntry, SideEffect, Appointment, Change)


@dataclass(frozen=True)
class ImportResult:
    """Records added and records skipped because they were already there, per kind."""

    added: dict[str, int]
    skipped: dict[str, int]


@dataclass(frozen=True)
class Backup:
    """A checked export file: plain records, ids as in the file."""

    plan: PlanSettings
    injections: list[InjectionRecord]
    pain: list[PainRecord]
    effects: list[EffectRecord]
    appointments: list[AppointmentRecord]
    changes: list[ChangeRecord] = field(default_factory=list)


def import_file(db: Database, path: Path, today: date) -> ImportResult:
    backup = read_backup(path, today)
    with db.transaction() as session:
        if _is_empty(session):
            return _restore(session, backup)
        return _merge(session, backup)


# --- reading and checking the file ------------------------------------------


def read_backup(path: Path, today: date) -> Backup:
    """The file's records, every value checked; raises InvalidInput on the first problem."""
    return parse_backup(_load_json(path), today, path.name)


def _load_json(path: Path) -> Any:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise NotFound(f"there is no file {path}") from None
    except OSError as error:
        raise InvalidInput(f"cannot read {path} ({error.strerror})") from None
    try:
        # utf-8-sig: a byte-order mark added by an editor is harmless.
        content = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(f"{path} is not a tracker export (it is not UTF-8 text)") from None
    try:
        return json.loads(content, object_pairs_hook=_without_duplicate_keys)
    except json.JSONDecodeError as error:
        raise InvalidInput(
            f"{path} is not valid JSON ({error.msg} at line {error.lineno}, column {error.colno})"
        ) from None
    except ValueError:
        # Python refuses to read integers of thousands of digits (a guard against
        # denial of service); no tracker export has one.
        raise InvalidInput(f"{path} holds a number too long to read") from None
    except RecursionError:
        raise InvalidInput(f"{path} is nested too deeply to be a tracker export") from None


def _without_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # json keeps the last of two equal keys silently; in a backup that hides data.
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise InvalidInput(f"the field {_shown(key)} appears twice in one object of the file")
        result[key] = value
    return result


def parse_backup(document: Any, today: date, name: str = "the file") -> Backup:
    if not isinstance(document, dict):
        raise InvalidInput(f"{name} is not a tracker export (expected a JSON object)")
    # Format and version first: another program's JSON should read as such,
    # not as a list of missing fields.
    if document.get("format") != REPORT_FORMAT:
        raise _expected("format", f"'{REPORT_FORMAT}' (a tracker export)", document.get("format"))
    version = document.get("version")
    if type(version) is not int or version != REPORT_VERSION:
        raise InvalidInput(
            f"version: this tracker reads version {REPORT_VERSION} exports, not "
            f"{_shown(version)} (a newer tracker may read it)"
        )
    _fields(document, "", TOP_FIELDS, optional=OPTIONAL_TOP_FIELDS)
    _date(document["generated_at"], "generated_at")
    _optional(document["since"], "since", _date)
    _optional(document["until"], "until", _date)
    patient = _fields(document["patient"], "patient", ("name",))
    plan = _plan(document["plan"], "plan", _optional(patient["name"], "patient.name", _text))
    return Backup(
        plan=plan,
        injections=_unique_dates(
            _records(document["injections"], "injections", lambda v, w: _injection(v, w, today))
        ),
        pain=_records(document["pain"], "pain", lambda v, w: _pain(v, w, today)),
        effects=_records(document["effects"], "effects", lambda v, w: _effect(v, w, today)),
        appointments=_records(document["appointments"], "appointments", _appointment),
        changes=[
            _change(item, f"changes[{index}]")
            for index, item in enumerate(_list(document.get("changes", []), "changes"))
        ],
    )


def _change(value: Any, where: str) -> ChangeRecord:
    fields = _fields(value, where, CHANGE_FIELDS)
    action = _text(fields["action"], f"{where}.action")
    if action not in CHANGE_ACTIONS:
        raise _expected(f"{where}.action", "insert, update or delete", action)
    kind = _text(fields["kind"], f"{where}.kind")
    if kind not in audit.KINDS:
        raise _expected(f"{where}.kind", "injection, pain, effect, appointment or plan", kind)
    for name in ("old", "new"):
        if fields[name] is not None and not isinstance(fields[name], dict):
            raise _expected(f"{where}.{name}", "an object or null", fields[name])
    return ChangeRecord(
        id=_id(fields["id"], f"{where}.id"),
        batch=_id(fields["batch"], f"{where}.batch"),
        at=_text(fields["at"], f"{where}.at"),
        command=_text(fields["command"], f"{where}.command"),
        action=action,
        kind=kind,
        record_id=_id(fields["record_id"], f"{where}.record_id"),
        old=fields["old"],
        new=fields["new"],
        undo_of=_optional(fields["undo_of"], f"{where}.undo_of", _id),
    )


Record = TypeVar("Record", InjectionRecord, PainRecord, EffectRecord, AppointmentRecord)


def _records(value: Any, where: str, read: Callable[[Any, str], Record]) -> list[Record]:
    items = _list(value, where)
    records = [read(item, f"{where}[{index}]") for index, item in enumerate(items)]
    first_index: dict[int, int] = {}
    for index, record in enumerate(records):
        if record.id in first_index:
            other = f"{where}[{first_index[record.id]}]"
            raise InvalidInput(f"{where}[{index}].id: {record.id} is also the id of {other}")
        first_index[record.id] = index
    return records


def _unique_dates(records: list[InjectionRecord]) -> list[InjectionRecord]:
    first_index: dict[date, int] = {}
    for index, record in enumerate(records):
        if record.day in first_index:
            raise InvalidInput(
                f"injections[{index}].date: a second session on {record.day.isoformat()} "
                f"(injections[{first_index[record.day]}]); tracker keeps one session a day"
            )
        first_index[record.day] = index
    return records


def _plan(value: Any, where: str, name: str | None) -> PlanSettings:
    fields = _fields(value, where, ("every_months", "within_days"))
    return PlanSettings(
        every_months=_whole(
            fields["every_months"],
            f"{where}.every_months",
            MIN_INTERVAL_MONTHS,
            MAX_INTERVAL_MONTHS,
        ),
        within_days=_whole(fields["within_days"], f"{where}.within_days", 0, MAX_REMINDER_DAYS),
        patient_name=name,
    )


def _injection(value: Any, where: str, today: date) -> InjectionRecord:
    fields = _fields(value, where, INJECTION_FIELDS)
    record_id = _id(fields["id"], f"{where}.id")
    day = _past_date(fields["date"], f"{where}.date", today, "the injection date")
    units = _optional(fields["units"], f"{where}.units", _units)
    sites = tuple(
        _site(item, f"{where}.sites[{index}]")
        for index, item in enumerate(_list(fields["sites"], f"{where}.sites"))
    )
    with _located(f"{where}.units"):
        # The same rule as `tracker log`: sites never add up to more than the session.
        units = dosing.session_units(units, sites)
    return InjectionRecord(
        id=record_id,
        day=day,
        product=_choice(fields["product"], f"{where}.product", dosing.Product),
        units=units,
        sites=sites,
        provider=_optional(fields["provider"], f"{where}.provider", _text),
        lot=_optional(fields["lot"], f"{where}.lot", _text),
        note=_optional(fields["note"], f"{where}.note", _text),
    )


def _site(value: Any, where: str) -> dosing.Site:
    fields = _fields(value, where, SITE_FIELDS)
    muscle = _text(fields["muscle"], f"{where}.muscle")
    if not muscle.strip():
        raise _expected(f"{where}.muscle", "a muscle name", muscle)
    return dosing.Site(muscle, _optional(fields["units"], f"{where}.units", _units))


def _pain(value: Any, where: str, today: date) -> PainRecord:
    fields = _fields(value, where, PAIN_FIELDS)
    return PainRecord(
        id=_id(fields["id"], f"{where}.id"),
        day=_past_date(fields["date"], f"{where}.date", today, "the diary date"),
        score=_score(fields["score"], f"{where}.score"),
        function=_optional(fields["function"], f"{where}.function", _function_score),
        note=_optional(fields["note"], f"{where}.note", _text),
    )


def _effect(value: Any, where: str, today: date) -> EffectRecord:
    fields = _fields(value, where, EFFECT_FIELDS)
    record_id = _id(fields["id"], f"{where}.id")
    day = _past_date(fields["date"], f"{where}.date", today, "the side effect's date")
    text_ = _text(fields["text"], f"{where}.text")
    if not text_.strip():
        raise _expected(f"{where}.text", "the side effect in words", text_)
    resolved = _optional(fields["resolved"], f"{where}.resolved", _date)
    if resolved is not None:
        with _located(f"{where}.resolved"):
            not_in_future(resolved, today, "the date it went away")
        if resolved < day:
            raise InvalidInput(
                f"{where}.resolved: {resolved.isoformat()} is before the side effect "
                f"started ({day.isoformat()})"
            )
    return EffectRecord(
        id=record_id,
        day=day,
        text=text_,
        term=_optional(fields["term"], f"{where}.term", _text),
        # The class given when it was recorded is kept, not worked out again:
        # it is part of the history the doctor sees.
        effect_class=_choice(fields["class"], f"{where}.class", EffectClass),
        severity=_choice(fields["severity"], f"{where}.severity", Severity),
        note=_optional(fields["note"], f"{where}.note", _text),
        resolved_on=resolved,
    )


def _appointment(value: Any, where: str) -> AppointmentRecord:
    fields = _fields(value, where, APPOINTMENT_FIELDS)
    return AppointmentRecord(
        id=_id(fields["id"], f"{where}.id"),
        day=_date(fields["date"], f"{where}.date"),  # booked visits may be in the future
        time=_optional(fields["time"], f"{where}.time", _time),
        provider=_optional(fields["provider"], f"{where}.provider", _text),
        note=_optional(fields["note"], f"{where}.note", _text),
        status=_choice(fields["status"], f"{where}.status", AppointmentStatus),
    )


# --- checking single values -------------------------------------------------

T = TypeVar("T")
E = TypeVar("E", bound=StrEnum)


@contextmanager
def _located(where: str) -> Iterator[None]:
    """Puts the field's place in front of a domain rule's one-line message."""
    try:
        yield
    except InvalidInput as error:
        raise InvalidInput(f"{where}: {error}") from None


def _fields(
    value: Any, where: str, names: tuple[str, ...], optional: tuple[str, ...] = ()
) -> dict[str, Any]:
    """An object with exactly these fields: a missing one would lose data, so would an extra."""
    label = where or "the export"
    if not isinstance(value, dict):
        raise _expected(label, "an object", value)
    for name in names:
        if name not in value:
            raise InvalidInput(f"{label}: missing field '{name}'")
    for name in value:
        if name not in names and name not in optional:
            raise InvalidInput(f"{label}: unknown field {_shown(name)}")
    return value


def _list(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise _expected(where, "a list", value)
    return value


def _optional(value: Any, where: str, read: Callable[[Any, str], T]) -> T | None:
    return None if value is None else read(value, where)


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise _expected(where, "text", value)
    # The same rule as text typed on the command line: no control characters
    # (NUL ends a PostgreSQL string), no lone surrogates, nothing endless.
    with _located(where):
        return clean_text(value, "text")


def _date(value: Any, where: str) -> date:
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        raise _expected(where, "an ISO date (YYYY-MM-DD)", value)
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"{where}: '{value}' is not a real calendar date") from None
    if not FIRST_DATE <= day <= LAST_DATE:
        raise InvalidInput(
            f"{where}: {value} is outside the dates tracker keeps "
            f"({FIRST_DATE.isoformat()} to {LAST_DATE.isoformat()})"
        )
    return day


def _past_date(value: Any, where: str, today: date, what: str) -> date:
    day = _date(value, where)
    with _located(where):
        not_in_future(day, today, what)
    return day


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _units(value: Any, where: str) -> float:
    if not _is_number(value):
        raise _expected(where, "a positive number", value)
    try:
        with _located(where):
            return dosing.parse_units(value)
    except OverflowError:  # an integer too big for a float: far above any real dose
        raise InvalidInput(
            f"{where}: {_shown(value)} units is more than tracker can record"
        ) from None


def _score(value: Any, where: str, what: str = "pain score") -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise _expected(where, "a whole number from 0 to 10", value)
    with _located(where):
        return parse_score(str(value), what)


def _function_score(value: Any, where: str) -> int:
    return _score(value, where, "interference score")


def _whole(value: Any, where: str, low: int, high: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise _expected(where, f"a whole number from {low} to {high}", value)
    return value


def _id(value: Any, where: str) -> int:
    return _whole(value, where, 1, MAX_ID)


def _choice(value: Any, where: str, kind: type[E]) -> E:
    try:
        return kind(value)
    except ValueError:
        choices = ", ".join(member.value for member in kind)
        raise _expected(where, f"one of {choices}", value) from None


def _time(value: Any, where: str) -> str:
    # parse_time quotes what it was given: keep line breaks out of the one-line error.
    if not isinstance(value, str) or not value.isprintable():
        raise _expected(where, "a time (HH:MM)", value)
    with _located(where):
        return parse_time(value)


def _expected(where: str, expected: str, value: Any) -> InvalidInput:
    return InvalidInput(f"{where}: expected {expected}, got {_shown(value)}")


def _shown(value: Any) -> str:
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        # Escaping what does not print (\n, \u2028...) keeps the error on one line.
        shown = "'" + "".join(c if c.isprintable() else ascii(c)[1:-1] for c in value) + "'"
    else:
        shown = json.dumps(value)
    return shown if len(shown) <= _SHOWN_MAX else shown[: _SHOWN_MAX - 1] + "…"


# --- writing ----------------------------------------------------------------


def _is_empty(session: Session) -> bool:
    """A database with one patient and no records at all: ids can come back as they were."""
    tables = (InjectionSession, PainEntry, SideEffect, Appointment, Change)
    if session.scalar(select(func.count()).select_from(Patient)) != 1:
        return False
    return all(session.scalar(select(table.id).limit(1)) is None for table in tables)


def _restore(session: Session, backup: Backup) -> ImportResult:
    """Everything as it was, ids included."""
    plan = backup.plan
    patient = current_patient(session)
    patient.every_months = plan.every_months
    patient.within_days = plan.within_days
    patient.name = plan.patient_name or DEFAULT_PATIENT_NAME
    rows = [
        *(_injection_row(record, keep_id=True) for record in backup.injections),
        *(_pain_row(record, keep_id=True) for record in backup.pain),
        *(_effect_row(record, keep_id=True) for record in backup.effects),
        *(_appointment_row(record, keep_id=True) for record in backup.appointments),
    ]
    for row in rows:
        row.patient_id = patient.id
    session.add_all(rows)
    # The trail comes back as it was, so a second export equals the first; the
    # restore itself is not logged (there was nothing before it to go back to).
    session.add_all(audit.to_row(record, patient.id) for record in backup.changes)
    session.flush()
    _reset_sequences(session)
    added = (backup.injections, backup.pain, backup.effects, backup.appointments)
    return ImportResult(
        added=dict(zip(KINDS, map(len, added), strict=True)),
        skipped=dict.fromkeys(KINDS, 0),
    )


def _reset_sequences(session: Session) -> None:
    """Explicit ids do not move PostgreSQL's id sequences: move them past the highest id.

    Otherwise the next `tracker log` would be given id 1 again and fail.
    SQLite needs nothing: it takes the highest rowid + 1.
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    for table in ID_TABLES:
        name = table.__tablename__
        session.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence(:name, 'id'), "
                f"COALESCE(MAX(id), 1), MAX(id) IS NOT NULL) FROM {name}"
            ),
            {"name": name},
        )


def _merge(session: Session, backup: Backup) -> ImportResult:
    """Add what is not there yet; decide everything before writing anything."""
    new_injections, skipped_injections = _new_records(backup.injections, injection_records(session))
    _refuse_other_sessions_on_taken_dates(session, new_injections)
    new_pain, skipped_pain = _new_records(
        backup.pain,
        [
            pain_record(row)
            for row in session.scalars(
                select(PainEntry).where(PainEntry.patient_id == patient_id(session))
            )
        ],
    )
    new_effects, skipped_effects = _new_records(
        backup.effects,
        [
            effect_record(row)
            for row in session.scalars(
                select(SideEffect).where(SideEffect.patient_id == patient_id(session))
            )
        ],
    )
    new_appointments, skipped_appointments = _new_records(
        backup.appointments, all_appointments(session)
    )
    rows = [
        *(_injection_row(record) for record in new_injections),
        *(_pain_row(record) for record in new_pain),
        *(_effect_row(record) for record in new_effects),
        *(_appointment_row(record) for record in new_appointments),
    ]
    for row in rows:
        row.patient_id = patient_id(session)
    session.add_all(rows)
    audit.record_inserts(session, "import", rows)
    added = (new_injections, new_pain, new_effects, new_appointments)
    skipped = (skipped_injections, skipped_pain, skipped_effects, skipped_appointments)
    return ImportResult(
        added=dict(zip(KINDS, map(len, added), strict=True)),
        skipped=dict(zip(KINDS, skipped, strict=True)),
    )


def _new_records(incoming: list[Record], stored: list[Record]) -> tuple[list[Record], int]:
    """The incoming records with no stored twin (all fields but the id), and how many had one.

    Twins are paired one to one, so duplicates in the file are kept as often as
    they are missing from the database.
    """
    available = Counter(_without_id(record) for record in stored)
    new, skipped = [], 0
    for record in incoming:
        key = _without_id(record)
        if available[key]:
            available[key] -= 1
            skipped += 1
        else:
            new.append(record)
    return new, skipped


def _without_id(record: Record) -> Hashable:
    return replace(record, id=0)


def _refuse_other_sessions_on_taken_dates(session: Session, records: list[InjectionRecord]) -> None:
    if not records:
        return
    days = [record.day for record in records]
    taken = session.execute(
        select(InjectionSession.date, InjectionSession.id)
        .where(InjectionSession.date.in_(days), InjectionSession.patient_id == patient_id(session))
        .order_by(InjectionSession.date)
        .limit(1)
    ).first()
    if taken is not None:
        day, existing = taken
        raise Conflict(
            f"the file has a different injection session on {day.isoformat()}, a date that "
            f"already has session #{existing}; nothing was imported"
        )


def _injection_row(record: InjectionRecord, keep_id: bool = False) -> InjectionSession:
    return InjectionSession(
        id=record.id if keep_id else None,
        date=record.day,
        product=record.product.value,
        units=record.units,
        provider=record.provider,
        lot=record.lot,
        note=record.note,
        sites=[
            InjectionSite(position=position, muscle=site.muscle, units=site.units)
            for position, site in enumerate(record.sites)
        ],
    )


def _pain_row(record: PainRecord, keep_id: bool = False) -> PainEntry:
    return PainEntry(
        id=record.id if keep_id else None,
        date=record.day,
        score=record.score,
        function=record.function,
        note=record.note,
    )


def _effect_row(record: EffectRecord, keep_id: bool = False) -> SideEffect:
    return SideEffect(
        id=record.id if keep_id else None,
        date=record.day,
        text=record.text,
        term=record.term,
        effect_class=record.effect_class.value,
        severity=record.severity.value,
        note=record.note,
        resolved_on=record.resolved_on,
    )


def _appointment_row(record: AppointmentRecord, keep_id: bool = False) -> Appointment:
    return Appointment(
        id=record.id if keep_id else None,
        date=record.day,
        time=record.time,
        provider=record.provider,
        note=record.note,
        status=record.status.value,
    )
