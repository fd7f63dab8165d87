"""What a JSON export must hold to be imported: every value of every record checked.

The rules are those of the commands that record the same things (dates not in
the future, scores 0-10, sites within the session's units, text without
control characters, ...). A problem is one line that names where it is as a
JSON path, list positions counting from 0:
``injections[3].date: expected an ISO date (YYYY-MM-DD), got 'x'``.

A file may hold a million diary entries, so each record reader has a fast path
for a record that is plainly right (the common case) and falls back to the
careful path, which says what is wrong, for anything else. Both paths accept
exactly the same records and give the same row (tests check this on random
records); the careful path alone decides every error message.

Readers return plain tuples in the column order of the ``*_ROW`` constants,
dates as ISO text (the form both databases take them in).

Two versions of the file are read (tracker.export.json_export): version 2
(issue 16) lists the patient's ``treatments`` and names each session's
``treatment``; version 1 has neither. As keys are sorted, ``version`` comes
last: what differs between the two is checked as the records are read and
judged once the version is known (tracker.services.importer).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any, TypeVar

from tracker.domain import dosing
from tracker.domain.appointments import AppointmentStatus, parse_time
from tracker.domain.change_spans import span_in
from tracker.domain.dates import FIRST_DATE, LAST_DATE, not_in_future
from tracker.domain.errors import InvalidInput
from tracker.domain.intervals import Interval, IntervalUnit, check_minimum, parse_interval
from tracker.domain.products import Product, any_profile, is_known
from tracker.domain.records import ChangeRecord, PlanSettings
from tracker.domain.rotation import SITE_SEPARATOR, parse_sites, sites_text
from tracker.domain.schedule import MAX_INTERVAL_MONTHS, MAX_REMINDER_DAYS, MIN_INTERVAL_MONTHS
from tracker.domain.scores import parse_score
from tracker.domain.side_effects import EffectClass, Severity
from tracker.domain.text import (
    LABEL_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    clean_text,
    preview,
    same_name_key,
)
from tracker.domain.treatments import Treatment, clean_treatment_name, pain_treatment

# Ids are stored in 32-bit integer columns (PostgreSQL INTEGER).
MAX_ID = 2**31 - 1
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_STORED_TIME = re.compile(r"(?:[01][0-9]|2[0-3]):[0-5][0-9]")
_SHOWN_MAX = 40  # characters of a bad value quoted in an error message

# The versions of the export tracker reads (tracker.export.model.REPORT_VERSION is the newest).
FIRST_VERSION = 1
TREATMENTS_VERSION = 2  # the first with treatments (issue 16)
READ_VERSIONS = (FIRST_VERSION, TREATMENTS_VERSION)

# The top-level fields every version has; TREATMENTS_VERSION adds "treatments".
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
TREATMENTS = "treatments"
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
# The change log's short text columns (tracker.store.models.Change).
CHANGE_AT_MAX_LENGTH = 40
CHANGE_COMMAND_MAX_LENGTH = 20
# The values a change-log entry keeps of each kind of record (tracker.store.audit.snapshot),
# besides the patient's id.
SNAPSHOT_FIELDS = {
    "injection": ("date", "product", "units", "provider", "lot", "note", "sites"),
    "pain": ("date", "score", "function", "note"),
    "effect": ("date", "text", "term", "effect_class", "severity", "note", "resolved_on"),
    "appointment": ("date", "time", "provider", "note", "status"),
    # The patient's name; before migration 0008 the patient held the plan too.
    "plan": ("name",),
    "treatment": ("name", "product", "every", "within_days", "sites"),
}
# Values a change-log entry may keep or not, by when it was written: an injection's
# treatment (since migration 0008), the plan a patient held before it.
OPTIONAL_SNAPSHOT_FIELDS = {
    "injection": ("treatment_id",),
    "plan": ("every_months", "within_days"),
}
# The kinds of record the change log names (tracker.store.audit.KINDS; a test keeps them equal).
CHANGE_KINDS = ("injection", "pain", "effect", "appointment", "plan", "treatment")
INJECTION_FIELDS = ("id", "date", "product", "units", "sites", "provider", "lot", "note")
# A session's field naming its treatment (version 2 on).
SESSION_TREATMENT = "treatment"
TREATMENT_FIELDS = ("id", "name", "product", "every", "within_days", "sites")
SITE_FIELDS = ("muscle", "units")
PAIN_FIELDS = ("id", "date", "score", "function", "note")
EFFECT_FIELDS = ("id", "date", "text", "term", "class", "severity", "note", "resolved")
APPOINTMENT_FIELDS = ("id", "date", "time", "provider", "note", "status")

# What the readers return: the stored columns, in this order.
INJECTION_ROW = ("id", "date", "product", "units", "provider", "lot", "note")
SITE_ROW = ("position", "muscle", "units")
PAIN_ROW = ("id", "date", "score", "function", "note")
EFFECT_ROW = ("id", "date", "text", "term", "effect_class", "severity", "note", "resolved_on")
APPOINTMENT_ROW = ("id", "date", "time", "provider", "note", "status")

Row = tuple[Any, ...]
_CLASSES = frozenset(member.value for member in EffectClass)
_SEVERITIES = frozenset(member.value for member in Severity)
_STATUSES = frozenset(member.value for member in AppointmentStatus)


# --- whole records ---------------------------------------------------------


class _Dates:
    """Checks ISO dates quickly: a file's records come in date order, many to a day,
    so remembering the last good date answers most questions with one comparison."""

    def __init__(self, latest: date) -> None:
        self._first = FIRST_DATE.isoformat()
        self._latest = min(latest, LAST_DATE).isoformat()
        self._last_good: str | None = None

    def fine(self, value: Any) -> bool:
        if type(value) is not str:
            return False
        if value == self._last_good:
            return True
        if not _ISO_DATE.fullmatch(value):
            return False
        if not self._first <= value <= self._latest:  # ISO dates sort as text
            return False
        try:
            date.fromisoformat(value)
        except ValueError:
            return False
        self._last_good = value
        return True


def _plain_text(value: Any, max_length: int = NOTE_MAX_LENGTH, multiline: bool = True) -> bool:
    """Optional text that _text accepts as it is (a note by default)."""
    if value is None:
        return True
    if type(value) is not str:
        return False
    try:
        clean_text(value, "text", max_length, multiline=multiline)
    except InvalidInput:
        return False
    return True


def _plain_label(value: Any) -> bool:
    """An optional one-line label (provider, name...) that _label accepts as it is."""
    return _plain_text(value, LABEL_MAX_LENGTH, multiline=False)


class PainReader:
    """``read(value, index)``: the row of ``pain[index]``, or InvalidInput."""

    def __init__(self, today: date) -> None:
        self._today = today
        self._dates = _Dates(today)

    def __call__(self, value: Any, index: int) -> Row:
        if type(value) is dict and len(value) == 5:
            try:
                row = (value["id"], value["date"], value["score"], value["function"], value["note"])
            except KeyError:
                pass
            else:
                record_id, day, score, function, note = row
                if (
                    type(record_id) is int
                    and 0 < record_id <= MAX_ID
                    and type(score) is int
                    and 0 <= score <= 10
                    and (function is None or (type(function) is int and 0 <= function <= 10))
                    and self._dates.fine(day)
                    and _plain_text(note)
                ):
                    return row
        return pain_row(value, f"pain[{index}]", self._today)


class EffectReader:
    def __init__(self, today: date) -> None:
        self._today = today
        self._dates = _Dates(today)

    def __call__(self, value: Any, index: int) -> Row:
        if type(value) is dict and len(value) == 8:
            try:
                row = (
                    value["id"],
                    value["date"],
                    value["text"],
                    value["term"],
                    value["class"],
                    value["severity"],
                    value["note"],
                    value["resolved"],
                )
            except KeyError:
                pass
            else:
                if self._plainly_right(row):
                    return row
        return effect_row(value, f"effects[{index}]", self._today)

    def _plainly_right(self, row: Row) -> bool:
        record_id, day, text, term, effect_class, severity, note, resolved = row
        return (
            type(record_id) is int
            and 0 < record_id <= MAX_ID
            and self._dates.fine(day)
            and type(text) is str
            and bool(text.strip())
            and _plain_label(text)
            and _plain_label(term)
            and type(effect_class) is str
            and effect_class in _CLASSES
            and (severity is None or (type(severity) is str and severity in _SEVERITIES))
            and _plain_text(note)
            and (resolved is None or (self._dates.fine(resolved) and resolved >= day))
        )


class AppointmentReader:
    def __init__(self) -> None:
        # Booked visits may be in the future: any date tracker keeps.
        self._dates = _Dates(LAST_DATE)

    def __call__(self, value: Any, index: int) -> Row:
        if type(value) is dict and len(value) == 6:
            try:
                row = (
                    value["id"],
                    value["date"],
                    value["time"],
                    value["provider"],
                    value["note"],
                    value["status"],
                )
            except KeyError:
                pass
            else:
                record_id, day, time, provider, note, status = row
                if (
                    type(record_id) is int
                    and 0 < record_id <= MAX_ID
                    and self._dates.fine(day)
                    # Only a time already written HH:MM: "9:30" is stored as "09:30".
                    and (time is None or (type(time) is str and _STORED_TIME.fullmatch(time)))
                    and _plain_label(provider)
                    and _plain_text(note)
                    and type(status) is str
                    and status in _STATUSES
                ):
                    return row
        return appointment_row(value, f"appointments[{index}]")


def pain_row(value: Any, where: str, today: date) -> Row:
    fields = _fields(value, where, PAIN_FIELDS)
    return (
        _id(fields["id"], f"{where}.id"),
        _past_date(fields["date"], f"{where}.date", today, "the diary date").isoformat(),
        _score(fields["score"], f"{where}.score"),
        _optional(fields["function"], f"{where}.function", _function_score),
        _optional(fields["note"], f"{where}.note", _text),
    )


def effect_row(value: Any, where: str, today: date) -> Row:
    fields = _fields(value, where, EFFECT_FIELDS)
    record_id = _id(fields["id"], f"{where}.id")
    day = _past_date(fields["date"], f"{where}.date", today, "the side effect's date")
    text_ = _label(fields["text"], f"{where}.text")
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
    return (
        record_id,
        day.isoformat(),
        text_,
        _optional(fields["term"], f"{where}.term", _label),
        # The class given when it was recorded is kept, not worked out again:
        # it is part of the history the doctor sees.
        _choice(fields["class"], f"{where}.class", EffectClass).value,
        # null: the patient did not say (older files always have one)
        _optional(fields["severity"], f"{where}.severity", _severity),
        _optional(fields["note"], f"{where}.note", _text),
        None if resolved is None else resolved.isoformat(),
    )


def appointment_row(value: Any, where: str) -> Row:
    fields = _fields(value, where, APPOINTMENT_FIELDS)
    return (
        _id(fields["id"], f"{where}.id"),
        _date(fields["date"], f"{where}.date").isoformat(),  # booked visits may be in the future
        _optional(fields["time"], f"{where}.time", _time),
        _optional(fields["provider"], f"{where}.provider", _label),
        _optional(fields["note"], f"{where}.note", _text),
        _choice(fields["status"], f"{where}.status", AppointmentStatus).value,
    )


# Told of a product tracker has no profile for, and where it is: it may be the product
# of one of the patient's treatments (issue 16), which only the caller can tell.
UnknownProduct = Callable[[str, str], None]


def refuse_unknown_product(where: str, product: str) -> None:
    raise unknown_product(where, product)


def allowing(own_products: Collection[str]) -> UnknownProduct:
    """Let the products of the patient's treatments pass (their sessions have them);
    refuse any other product tracker has no profile for."""

    def check(where: str, product: str) -> None:
        if product not in own_products:
            refuse_unknown_product(where, product)

    return check


def injection_row(
    value: Any, where: str, today: date, unknown: UnknownProduct = refuse_unknown_product
) -> tuple[Row, list[Row]]:
    """A session as a change-log snapshot keeps it: its row and its sites' rows.

    A product tracker has no profile for goes to ``unknown`` (by default refused).
    """
    fields = _fields(value, where, INJECTION_FIELDS)
    row, sites = _session(fields, where, today)
    if not is_known(row[2]):
        unknown(f"{where}.product", row[2])
    return row, sites


@dataclass(frozen=True)
class FileSession:
    """One of the file's sessions, checked: what is staged, and what only the version
    judges (tracker.services.importer)."""

    row: Row
    sites: list[Row]
    # The name of its treatment as written (version 2); None where it names none.
    treatment: str | None
    # Whether its product is one tracker knows (version 1 has no others).
    known_product: bool


def file_session(value: Any, where: str, today: date) -> FileSession:
    """``injections[i]`` of either version (few per file: no fast path)."""
    names = INJECTION_FIELDS
    if isinstance(value, dict) and SESSION_TREATMENT in value:
        names = (*INJECTION_FIELDS, SESSION_TREATMENT)
    fields = _fields(value, where, names)
    row, sites = _session(fields, where, today)
    treatment = None
    if SESSION_TREATMENT in fields:
        treatment = _name(fields[SESSION_TREATMENT], f"{where}.{SESSION_TREATMENT}")
    return FileSession(row, sites, treatment, is_known(row[2]))


def _session(fields: dict[str, Any], where: str, today: date) -> tuple[Row, list[Row]]:
    """The session's row and its sites' rows."""
    record_id = _id(fields["id"], f"{where}.id")
    day = _past_date(fields["date"], f"{where}.date", today, "the injection date")
    units = _optional(fields["units"], f"{where}.units", _units)
    sites = [
        _site(item, f"{where}.sites[{index}]")
        for index, item in enumerate(_list(fields["sites"], f"{where}.sites"))
    ]
    with _located(f"{where}.units"):
        # The same rule as `tracker log`: sites never add up to more than the session.
        units = dosing.session_units(units, sites)
    row = (
        record_id,
        day.isoformat(),
        _product(fields["product"], f"{where}.product"),
        units,
        _optional(fields["provider"], f"{where}.provider", _label),
        _optional(fields["lot"], f"{where}.lot", _label),
        _optional(fields["note"], f"{where}.note", _text),
    )
    return row, [(position, site.muscle, site.units) for position, site in enumerate(sites)]


def _product(value: Any, where: str) -> str:
    """A known product's code, or the name of one tracker knows no label rules for."""
    if isinstance(value, str) and is_known(value):
        return value
    product = _label(value, where)
    if not product.strip():
        raise _expected(where, "a product", product)
    return product


def unknown_product(where: str, value: str, or_else: str = "") -> InvalidInput:
    """A product tracker has no profile for where only known ones may be (a version 1
    file's session: tracker had no others then); ``or_else`` names what else may be."""
    choices = ", ".join(member.value for member in Product)
    return _expected(where, f"one of {choices}{or_else}", value)


def _name(value: Any, where: str) -> str:
    """A treatment's name, as `treatments add` takes one."""
    label = _label(value, where)
    with _located(where):
        return clean_treatment_name(label)


def _site(value: Any, where: str) -> dosing.Site:
    fields = _fields(value, where, SITE_FIELDS)
    muscle = _label(fields["muscle"], f"{where}.muscle")
    if not muscle.strip():
        raise _expected(f"{where}.muscle", "a muscle name", muscle)
    return dosing.Site(muscle, _optional(fields["units"], f"{where}.units", _units))


def change_record(
    value: Any, where: str, today: date, unknown: UnknownProduct = refuse_unknown_product
) -> ChangeRecord:
    """One entry of the change log; the values it holds pass the rules of their records,
    since `tracker undo` may write them back (a session's product tracker has no
    profile for goes to ``unknown``)."""
    fields = _fields(value, where, CHANGE_FIELDS)
    action = _text(fields["action"], f"{where}.action")
    if action not in CHANGE_ACTIONS:
        raise _expected(f"{where}.action", "insert, update or delete", action)
    kind = _text(fields["kind"], f"{where}.kind")
    if kind not in CHANGE_KINDS:
        raise _expected(f"{where}.kind", "injection, pain, effect, appointment or plan", kind)
    return ChangeRecord(
        id=_id(fields["id"], f"{where}.id"),
        batch=_id(fields["batch"], f"{where}.batch"),
        at=_text(fields["at"], f"{where}.at", CHANGE_AT_MAX_LENGTH, multiline=False),
        command=_text(
            fields["command"], f"{where}.command", CHANGE_COMMAND_MAX_LENGTH, multiline=False
        ),
        action=action,
        kind=kind,
        record_id=_id(fields["record_id"], f"{where}.record_id"),
        old=_logged_values(kind, fields["old"], f"{where}.old", today, unknown),
        # Only old values are ever written back (by undo); new ones are shown as kept.
        new=_logged_object(fields["new"], f"{where}.new"),
        undo_of=_optional(fields["undo_of"], f"{where}.undo_of", _id),
    )


def _logged_object(value: Any, where: str) -> dict[str, Any] | None:
    if value is not None and not isinstance(value, dict):
        raise _expected(where, "an object or null", value)
    return value


def _logged_values(
    kind: str, value: Any, where: str, today: date, unknown: UnknownProduct
) -> dict[str, Any] | None:
    if _logged_object(value, where) is None:
        return None
    span = span_in(value)
    if span is not None:
        _id(span.first_id, f"{where}.first_id")
        _id(span.last_id, f"{where}.last_id")
        _whole(span.records, f"{where}.records", 0, MAX_ID)
        return value
    check_snapshot(kind, value, where, today, unknown)
    return value


def check_snapshot(
    kind: str,
    values: dict[str, Any],
    where: str,
    today: date,
    unknown: UnknownProduct = refuse_unknown_product,
) -> None:
    """Logged values of one record (tracker.store.audit.snapshot) that `tracker undo`
    may write back: the same rules as the record itself, so undo never stores what
    `log`, `pain`, `effect`, `book` or `plan` would refuse. A session's product
    tracker has no profile for goes to ``unknown``: by default it is refused; a
    caller that knows the patient's treatments may let their products pass."""
    names = SNAPSHOT_FIELDS.get(kind)
    if names is None:
        raise _expected(
            where, "values of an injection, pain, effect, appointment, plan or treatment", kind
        )
    if kind != "plan" and "patient_id" in values:
        # Whose record it was: only ever the current patient's (undo sets it).
        _optional(values["patient_id"], f"{where}.patient_id", _id)
        values = {name: value for name, value in values.items() if name != "patient_id"}
    optional = OPTIONAL_SNAPSHOT_FIELDS.get(kind, ())
    present = tuple(name for name in optional if name in values)
    if kind == "plan" and present and present != optional:
        raise InvalidInput(f"{where}: missing field '{(set(optional) - set(present)).pop()}'")
    fields = dict(_fields(values, where, names + present))
    if "treatment_id" in fields:
        _optional(fields.pop("treatment_id"), f"{where}.treatment_id", _id)
    if kind == "injection":
        injection_row({"id": 1, **fields}, where, today, unknown)
    elif kind == "pain":
        pain_row({"id": 1, **fields}, where, today)
    elif kind == "effect":
        severity = fields["severity"]
        effect_row(
            {
                "id": 1,
                "date": fields["date"],
                "text": fields["text"],
                "term": fields["term"],
                "class": fields["effect_class"],
                # null: not stated (migration 0006); any stated one must be known.
                "severity": next(iter(Severity)).value if severity is None else severity,
                "note": fields["note"],
                "resolved": fields["resolved_on"],
            },
            where,
            today,
        )
    elif kind == "appointment":
        appointment_row({"id": 1, **fields}, where)
    elif kind == "treatment":
        treatment_values(fields, where)
    else:
        name = _label(fields["name"], f"{where}.name")
        if not name.strip():
            raise _expected(f"{where}.name", "a patient name", name)
        if present:
            plan_settings(
                {"every_months": fields["every_months"], "within_days": fields["within_days"]},
                None,
                where,
            )


def treatment_values(fields: dict[str, Any], where: str) -> Treatment:
    """A treatment's stored values (tracker.store.models.TreatmentRow) as `treatments add`
    would have taken them: a name, a product, an interval, a window, a rotation."""
    name = _name(fields["name"], f"{where}.name")
    product = _label(fields["product"], f"{where}.product")
    if not product.strip():
        raise _expected(f"{where}.product", "a product", product)
    if not isinstance(fields["every"], str):
        raise _expected(f"{where}.every", "an interval like '3m' or '12w'", fields["every"])
    with _located(f"{where}.every"):
        interval = parse_interval(fields["every"])
    within = _whole(fields["within_days"], f"{where}.within_days", 0, MAX_REMINDER_DAYS)
    sites = fields["sites"]
    if sites is not None and not isinstance(sites, str):
        raise _expected(f"{where}.sites", "a list of sites, or null", sites)
    with _located(f"{where}.sites"):
        rotation = parse_sites(sites or "")
    return Treatment(name, product, interval, within, rotation)


def file_treatments(value: Any, where: str = TREATMENTS) -> list[tuple[int, Treatment]]:
    """The file's ``treatments``: each with its id, as `treatments add` would take it
    (the product's label minimum included), no two with one id or one name."""
    found: list[tuple[int, Treatment]] = []
    for index, item in enumerate(_list(value, where)):
        at = f"{where}[{index}]"
        fields = _fields(item, at, TREATMENT_FIELDS)
        record_id = _id(fields["id"], f"{at}.id")
        treatment = treatment_values({**fields, "sites": _rotation(fields["sites"], at)}, at)
        with _located(f"{at}.every"):
            check_minimum(treatment.interval, any_profile(treatment.product))
        for earlier, (other_id, other) in enumerate(found):
            if other_id == record_id:
                raise repeated_id(where, index, record_id, earlier)
            if same_name_key(other.name) == same_name_key(treatment.name):
                raise InvalidInput(
                    f"{at}.name: {preview(treatment.name)} is the name of {where}[{earlier}] "
                    f"too (names that differ only in case or spaces are the same)"
                )
        found.append((record_id, treatment))
    return found


def _rotation(value: Any, where: str) -> str | None:
    """A treatment's ``sites`` list as the text treatment_values reads (None for [])."""
    sites = _list(value, f"{where}.sites")
    for index, site in enumerate(sites):
        at = f"{where}.sites[{index}]"
        if not isinstance(site, str):
            raise _expected(at, "a site's name", site)
        if SITE_SEPARATOR in site:
            raise InvalidInput(f"{at}: a site's name cannot hold a '{SITE_SEPARATOR}'")
        if site != site.strip():
            raise InvalidInput(f"{at}: a site's name does not start or end with a space")
    return sites_text(sites) if sites else None


def unknown_treatment(where: str, name: str, treatments: list[Treatment]) -> InvalidInput:
    """A session naming a treatment the file does not list."""
    listed = ", ".join(preview(treatment.name) for treatment in treatments) or "none"
    return InvalidInput(f"{where}: {preview(name)} is not one of the file's treatments ({listed})")


# --- the top of the file ----------------------------------------------------


def top_level_problem(present: list[str], version: int) -> InvalidInput | None:
    """A missing or unknown top-level field: a missing one would lose data, so would an extra."""
    required = TOP_FIELDS + ((TREATMENTS,) if version >= TREATMENTS_VERSION else ())
    for name in required:
        if name not in present:
            return InvalidInput(f"the export: missing field '{name}'")
    for name in present:
        if name not in required and name not in OPTIONAL_TOP_FIELDS:
            return InvalidInput(f"the export: unknown field {shown(name)}")
    return None


def check_day(value: Any, where: str) -> None:
    """generated_at, since and until: a date (or null, where allowed) only for the record."""
    _date(value, where)


def check_optional_day(value: Any, where: str) -> None:
    _optional(value, where, _date)


def patient_name(value: Any) -> str | None:
    return _optional(_patient_fields(value)["name"], "patient.name", _label)


def patient_uuid(value: Any) -> str | None:
    """The exported patient's UUID; files from before tracker gave patients one have none."""
    return _optional(_patient_fields(value).get("uuid"), "patient.uuid", _uuid_text)


def _patient_fields(value: Any) -> dict[str, Any]:
    with_uuid = isinstance(value, dict) and "uuid" in value
    return _fields(value, "patient", ("name", "uuid") if with_uuid else ("name",))


def _uuid_text(value: Any, where: str) -> str:
    import uuid

    if isinstance(value, str):
        try:
            return str(uuid.UUID(value))
        except ValueError:
            pass
    raise _expected(where, "a UUID", value)


def plan_settings(value: Any, name: str | None, where: str = "plan") -> PlanSettings:
    """A version 1 plan (and the plan of an old change-log entry): whole months."""
    every_months, within_days = file_plan(value, where)
    if every_months is None:
        raise plan_without_months(where)
    return PlanSettings(Interval(every_months, IntervalUnit.MONTHS), within_days, name)


def file_plan(value: Any, where: str = "plan") -> tuple[int | None, int]:
    """The file's ``plan``: its months (None: the interval is not whole months, which
    only version 2 may say) and its reminder window."""
    fields = _fields(value, where, ("every_months", "within_days"))
    every_months = _optional(
        fields["every_months"],
        f"{where}.every_months",
        lambda months, at: _whole(months, at, MIN_INTERVAL_MONTHS, MAX_INTERVAL_MONTHS),
    )
    within = _whole(fields["within_days"], f"{where}.within_days", 0, MAX_REMINDER_DAYS)
    return every_months, within


def plan_without_months(where: str = "plan") -> InvalidInput:
    return _expected(
        f"{where}.every_months",
        f"a whole number from {MIN_INTERVAL_MONTHS} to {MAX_INTERVAL_MONTHS}",
        None,
    )


def plan_problem(
    plan: tuple[int | None, int], treatments: list[Treatment], where: str = "plan"
) -> InvalidInput | None:
    """A version 2 plan that is not its pain treatment's (or, without treatments,
    tracker's default), as the export writes it: a hand-edited plan would otherwise
    be silently ignored."""
    chosen = pain_treatment(treatments)
    expected = (
        PlanSettings() if chosen is None else PlanSettings(chosen.interval, chosen.within_days)
    )
    if plan == (expected.every_months, expected.within_days):
        return None
    whose = (
        "tracker's default plan, as the file has no treatments"
        if chosen is None
        else f"the plan of its pain treatment {preview(chosen.name)}"
    )
    months = "null" if expected.every_months is None else expected.every_months
    return InvalidInput(
        f"{where}: expected {whose} (every_months {months}, within_days "
        f"{expected.within_days}), got every_months {shown(plan[0])}, within_days {plan[1]}"
    )


def not_a_list(value: Any, where: str) -> InvalidInput:
    return _expected(where, "a list", value)


def repeated_id(where: str, index: int, record_id: int, first_index: int) -> InvalidInput:
    return InvalidInput(
        f"{where}[{index}].id: {record_id} is also the id of {where}[{first_index}]"
    )


def repeated_session_date(index: int, day: str, first_index: int) -> InvalidInput:
    return InvalidInput(
        f"injections[{index}].date: a second session on {day} "
        f"(injections[{first_index}]); tracker keeps one session a day"
    )


def duplicate_key(key: str) -> InvalidInput:
    # json keeps the last of two equal keys silently; in a backup that hides data.
    return InvalidInput(f"the field {shown(key)} appears twice in one object of the file")


def expected(where: str, what: str, value: Any) -> InvalidInput:
    return _expected(where, what, value)


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


def _fields(value: Any, where: str, names: tuple[str, ...]) -> dict[str, Any]:
    """An object with exactly these fields: a missing one would lose data, so would an extra."""
    if not isinstance(value, dict):
        raise _expected(where, "an object", value)
    for name in names:
        if name not in value:
            raise InvalidInput(f"{where}: missing field '{name}'")
    for name in value:
        if name not in names:
            raise InvalidInput(f"{where}: unknown field {shown(name)}")
    return value


def _list(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise _expected(where, "a list", value)
    return value


def _optional(value: Any, where: str, read: Callable[[Any, str], T]) -> T | None:
    return None if value is None else read(value, where)


def _text(
    value: Any, where: str, max_length: int = NOTE_MAX_LENGTH, *, multiline: bool = True
) -> str:
    if not isinstance(value, str):
        raise _expected(where, "text", value)
    # The same rule as text typed on the command line: no control characters
    # (NUL ends a PostgreSQL string), no lone surrogates, nothing endless.
    with _located(where):
        return clean_text(value, "text", max_length, multiline=multiline)


def _label(value: Any, where: str) -> str:
    """One line, as the command line takes a provider, lot, muscle or name."""
    return _text(value, where, LABEL_MAX_LENGTH, multiline=False)


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
            f"{where}: {shown(value)} units is more than tracker can record"
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


def _severity(value: Any, where: str) -> str:
    return _choice(value, where, Severity).value


def _time(value: Any, where: str) -> str:
    # parse_time quotes what it was given: keep line breaks out of the one-line error.
    if not isinstance(value, str) or not value.isprintable():
        raise _expected(where, "a time (HH:MM)", value)
    with _located(where):
        return parse_time(value)


def _expected(where: str, expected: str, value: Any) -> InvalidInput:
    return InvalidInput(f"{where}: expected {expected}, got {shown(value)}")


def shown(value: Any) -> str:
    """A value quoted in an error message: short, and always on one line."""
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
