"""Rules every stored record keeps, checked on plain values for `tracker check`.

The commands enforce these rules when records are written, and the database
enforces a few more (one session a date, sites belong to a session). These
functions catch what got in another way: an old bug, a hand edit with an SQL
tool, a damaged file. They take the values exactly as stored — a date may be
text that is not a date, a score may be 11 — and return sentences a patient
can read, each naming the record by kind, id and date.
"""

from __future__ import annotations

import json
import math
import re
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from tracker.domain.appointments import AppointmentStatus
from tracker.domain.change_spans import span_in
from tracker.domain.dates import FIRST_DATE, LAST_DATE
from tracker.domain.dosing import MAX_RECORDABLE_UNITS, UNITS_TOLERANCE, format_units
from tracker.domain.errors import InvalidInput
from tracker.domain.import_rules import CHANGE_ACTIONS, CHANGE_KINDS, allowing, check_snapshot
from tracker.domain.intervals import parse_interval
from tracker.domain.products import products
from tracker.domain.rotation import parse_sites
from tracker.domain.schedule import MAX_REMINDER_DAYS
from tracker.domain.scores import PAIN_SCORE_MAX, PAIN_SCORE_MIN
from tracker.domain.side_effects import EffectClass, Severity
from tracker.domain.text import LABEL_MAX_LENGTH, clean_text, same_name_key

_STORED_TIME = re.compile(r"^([0-9]{2}):([0-9]{2})$")
_SHOWN_MAX = 40  # characters of a bad stored value quoted in a sentence


@dataclass(frozen=True)
class SessionRow:
    id: int
    day: Any  # a date, or the text SQLite holds
    product: Any
    units: Any
    treatment_id: Any = None  # None: rows from before treatments (one a day per patient)


@dataclass(frozen=True)
class SiteRow:
    id: int
    session_id: Any
    muscle: Any
    units: Any


@dataclass(frozen=True)
class PainRow:
    id: int
    day: Any
    score: Any
    function: Any


@dataclass(frozen=True)
class EffectRow:
    id: int
    day: Any
    text: Any
    effect_class: Any
    severity: Any
    resolved_on: Any


@dataclass(frozen=True)
class AppointmentRow:
    id: int
    day: Any
    time: Any
    status: Any


@dataclass(frozen=True)
class PlanRow:
    """A patient's name (their plans are their treatments': TreatmentCheckRow)."""

    id: int
    name: Any


@dataclass(frozen=True)
class TreatmentCheckRow:
    """One of the patient's treatments, as stored (tracker.store.models.TreatmentRow)."""

    id: int
    name: Any
    product: Any
    every: Any  # the stored interval, "3m"
    within_days: Any
    sites: Any  # "left thigh, right thigh", or None


@dataclass(frozen=True)
class TextRow:
    """One stored piece of text, and the rule it was typed under."""

    label: str  # "Pain entry #3"
    what: str  # "note"
    value: Any
    max_length: int
    multiline: bool


@dataclass(frozen=True)
class ChangeRow:
    """One entry of the change log, as stored (values as JSON text)."""

    id: int
    action: Any
    kind: Any
    old_values: Any
    new_values: Any


@dataclass(frozen=True)
class Records:
    """Everything the rules look at, as stored."""

    sessions: Sequence[SessionRow] = field(default_factory=tuple)
    sites: Sequence[SiteRow] = field(default_factory=tuple)
    pain: Sequence[PainRow] = field(default_factory=tuple)
    effects: Sequence[EffectRow] = field(default_factory=tuple)
    appointments: Sequence[AppointmentRow] = field(default_factory=tuple)
    plans: Sequence[PlanRow] = field(default_factory=tuple)
    treatments: Sequence[TreatmentCheckRow] = field(default_factory=tuple)
    texts: Sequence[TextRow] = field(default_factory=tuple)
    changes: Sequence[ChangeRow] = field(default_factory=tuple)


# --- reading stored values ----------------------------------------------------


def as_date(value: Any) -> date | None:
    """A stored date: a date object (PostgreSQL) or ISO text (SQLite); None if neither."""
    if isinstance(value, date):
        return value
    if isinstance(value, str) and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


def as_number(value: Any) -> float | None:
    """A stored number; None for text or anything else SQLite let in."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _shown(value: Any) -> str:
    text = repr(value) if not isinstance(value, str) else f"'{value}'"
    return text if len(text) <= _SHOWN_MAX else text[: _SHOWN_MAX - 1] + "…'"


def _on(day: Any) -> str:
    parsed = as_date(day)
    return f" of {parsed.isoformat()}" if parsed else ""


def _session(row: SessionRow) -> str:
    return f"Injection session #{row.id}{_on(row.day)}"


def _site(row: SiteRow) -> str:
    muscle = f" ({row.muscle})" if isinstance(row.muscle, str) and row.muscle else ""
    return f"Injection site #{row.id}{muscle}"


def _pain(row: PainRow) -> str:
    return f"Pain entry #{row.id}{_on(row.day)}"


def _effect(row: EffectRow) -> str:
    name = f" ({row.text})" if isinstance(row.text, str) and row.text else ""
    return f"Side effect #{row.id}{name}{_on(row.day)}"


def _appointment(row: AppointmentRow) -> str:
    return f"Appointment #{row.id}{_on(row.day)}"


# --- the rules ----------------------------------------------------------------


def unreadable_dates(records: Records) -> list[str]:
    """Every record needs a real date; a resolved date, when there is one, too."""
    dated: list[tuple[str, Any, str]] = [
        *((f"Injection session #{r.id}", r.day, "date") for r in records.sessions),
        *((f"Pain entry #{r.id}", r.day, "date") for r in records.pain),
        *((_effect(r), r.day, "start date") for r in records.effects),
        *(
            (_effect(r), r.resolved_on, "resolved date")
            for r in records.effects
            if r.resolved_on is not None
        ),
        *((f"Appointment #{r.id}", r.day, "date") for r in records.appointments),
    ]
    return [
        f"{label} has a {what} that is not a date ({_shown(value)})."
        for label, value, what in dated
        if as_date(value) is None
    ]


def dates_out_of_range(records: Records) -> list[str]:
    """Real dates, yet outside the years tracker keeps (date arithmetic fails past them)."""
    dated: list[tuple[str, Any]] = [
        *((_session(r), r.day) for r in records.sessions),
        *((_pain(r), r.day) for r in records.pain),
        *((_effect(r), r.day) for r in records.effects),
        *((_effect(r), r.resolved_on) for r in records.effects),
        *((_appointment(r), r.day) for r in records.appointments),
    ]
    return [
        f"{label} has the date {day.isoformat()}, outside the dates tracker keeps "
        f"({FIRST_DATE.isoformat()} to {LAST_DATE.isoformat()})."
        for label, value in dated
        if (day := as_date(value)) is not None and not FIRST_DATE <= day <= LAST_DATE
    ]


def future_dates(records: Records, today: date) -> list[str]:
    """Sessions, diary entries and side effects record what already happened.

    Appointments are meant to be in the future and are not checked.
    """
    dated: list[tuple[str, Any]] = [
        *((_session(r), r.day) for r in records.sessions),
        *((_pain(r), r.day) for r in records.pain),
        *((_effect(r), r.day) for r in records.effects),
    ]
    problems = [
        f"{label} is dated in the future (after today, {today.isoformat()})."
        for label, value in dated
        if (day := as_date(value)) is not None and day > today
    ]
    problems += [
        f"{_effect(r)} is marked resolved on {resolved.isoformat()}, "
        f"which is dated in the future (after today, {today.isoformat()})."
        for r in records.effects
        if (resolved := as_date(r.resolved_on)) is not None and resolved > today
    ]
    return problems


def sessions_sharing_a_date(sessions: Iterable[SessionRow]) -> list[str]:
    """tracker keeps one injection session a day per treatment."""
    by_day: dict[tuple[Any, date], list[int]] = defaultdict(list)
    for row in sessions:
        day = as_date(row.day)
        if day is not None:
            by_day[(row.treatment_id, day)].append(row.id)
    return [
        f"{len(ids)} injection sessions are on the same date, {day.isoformat()} "
        f"(#{', #'.join(str(i) for i in sorted(ids))}); tracker keeps one session a day"
        f"{'' if treatment is None else ' per treatment'}."
        for (treatment, day), ids in sorted(by_day.items(), key=lambda item: item[0][1])
        if len(ids) > 1
    ]


def units_not_positive(sessions: Iterable[SessionRow], sites: Iterable[SiteRow]) -> list[str]:
    """Units, where recorded, are a positive number, for a session and for each site."""
    labelled = [
        *((_session(r), r.units) for r in sessions),
        *((_site(r), r.units) for r in sites),
    ]
    problems = []
    for label, value in labelled:
        if value is None:
            continue
        number = as_number(value)
        if number is None:
            problems.append(f"{label} has units that are not a number ({_shown(value)}).")
        elif number <= 0:
            problems.append(f"{label} has {format_units(number)} units; units must be positive.")
        elif number > MAX_RECORDABLE_UNITS:
            problems.append(
                f"{label} has {number:g} units, more than tracker can record "
                f"({MAX_RECORDABLE_UNITS:,})."
            )
    return problems


def sites_over_session_units(sessions: Iterable[SessionRow], sites: Iterable[SiteRow]) -> list[str]:
    """The sites' units never add up to more than the session's total."""
    totals: dict[Any, float] = defaultdict(float)
    for site in sites:
        units = as_number(site.units)
        if units is not None and units > 0:
            totals[site.session_id] += units
    problems = []
    for session in sessions:
        units = as_number(session.units)
        site_total = totals.get(session.id, 0.0)
        if units is not None and units > 0 and site_total > units + UNITS_TOLERANCE:
            problems.append(
                f"{_session(session)}: its sites add up to {format_units(site_total)} units, "
                f"more than the session's {format_units(units)}."
            )
    return problems


def orphan_sites(sessions: Iterable[SessionRow], sites: Iterable[SiteRow]) -> list[str]:
    """Every injection site belongs to a session that exists."""
    session_ids = {row.id for row in sessions}
    return [
        f"{_site(site)} belongs to injection session #{site.session_id}, which does not exist."
        for site in sites
        if site.session_id not in session_ids
    ]


def scores_out_of_range(pain: Iterable[PainRow]) -> list[str]:
    """Pain and interference are whole numbers on the 0-10 scale."""
    scale = f"{PAIN_SCORE_MIN}-{PAIN_SCORE_MAX}"
    problems = []
    for row in pain:
        for what, value in (("pain score", row.score), ("interference score", row.function)):
            if value is None and what == "interference score":
                continue  # interference is optional
            if not _is_score(value):
                problems.append(
                    f"{_pain(row)} has a {what} of {_shown(value)}, "
                    f"not a whole number from {scale}."
                )
    return problems


def _is_score(value: Any) -> bool:
    number = as_number(value)
    return number is not None and number.is_integer() and PAIN_SCORE_MIN <= number <= PAIN_SCORE_MAX


def effects_resolved_before_start(effects: Iterable[EffectRow]) -> list[str]:
    """A side effect cannot go away before it started."""
    problems = []
    for row in effects:
        started, resolved = as_date(row.day), as_date(row.resolved_on)
        if started is not None and resolved is not None and resolved < started:
            problems.append(
                f"{_effect(row)} is marked resolved on {resolved.isoformat()}, "
                f"before it started on {started.isoformat()}."
            )
    return problems


def unknown_values(records: Records) -> list[str]:
    """Products, side-effect classes and severities, appointment states: known words only.

    A session's product is a known one, or its treatment's own (a product tracker
    knows no label rules for, issue 16)."""
    known_product = _known(products())
    own_products = {row.id: row.product for row in records.treatments}

    def is_product(session: SessionRow) -> Callable[[Any], bool]:
        own = own_products.get(session.treatment_id)
        return lambda value: known_product(value) or (own is not None and value == own)

    checks: list[tuple[str, Any, str, Callable[[Any], bool]]] = [
        *((_session(r), r.product, "product", is_product(r)) for r in records.sessions),
        *((_effect(r), r.effect_class, "class", _known(EffectClass)) for r in records.effects),
        # A severity may be left unstated (NULL, migration 0006).
        *(
            (_effect(r), r.severity, "severity", _known(Severity, optional=True))
            for r in records.effects
        ),
        *(
            (_appointment(r), r.status, "status", _known(AppointmentStatus))
            for r in records.appointments
        ),
    ]
    return [
        f"{label} has an unknown {what} {_shown(value)}."
        for label, value, what, is_known in checks
        if not is_known(value)
    ]


def _known(choices: Iterable[Any], optional: bool = False) -> Callable[[Any], bool]:
    values = {choice.value for choice in choices}
    return lambda value: (
        (optional and value is None) or (isinstance(value, str) and value in values)
    )


def bad_appointment_times(appointments: Iterable[AppointmentRow]) -> list[str]:
    """An appointment's time, when set, is HH:MM on the 24-hour clock."""
    return [
        f"{_appointment(row)} has a time that is not HH:MM ({_shown(row.time)})."
        for row in appointments
        if row.time is not None and not _is_stored_time(row.time)
    ]


def _is_stored_time(value: Any) -> bool:
    match = _STORED_TIME.match(value) if isinstance(value, str) else None
    return bool(match) and int(match[1]) < 24 and int(match[2]) < 60


def bad_plans(plans: Iterable[PlanRow]) -> list[str]:
    """A patient's name is a one-line label."""
    problems = []
    for row in plans:
        label = f"Patient #{row.id}"
        if not isinstance(row.name, str) or not row.name.strip():
            problems.append(f"{label} has no usable name ({_shown(row.name)}).")
        else:
            problems += _text_problems(TextRow(label, "name", row.name, LABEL_MAX_LENGTH, False))
    return problems


def bad_treatments(treatments: Sequence[TreatmentCheckRow]) -> list[str]:
    """What `tracker treatments add` would take: a name unique among the patient's
    (case and spaces ignored), a product, an interval from 1 day to 2 years, a
    reminder window within `tracker plan`'s, a rotation of distinct sites."""
    problems: list[str] = []
    seen: dict[str, int] = {}
    for row in treatments:
        label = f"Treatment #{row.id}"
        problems += _treatment_name_problems(row, label, seen)
        if not isinstance(row.product, str) or not row.product.strip():
            problems.append(f"{label} has no usable product ({_shown(row.product)}).")
        else:
            problems += _text_problems(
                TextRow(label, "product", row.product, LABEL_MAX_LENGTH, False)
            )
        try:
            parse_interval(row.every if isinstance(row.every, str) else "")
        except InvalidInput:
            problems.append(
                f"{label} has {_shown(row.every)} as the interval between injections, "
                "not one like 28d, 12w, 3m or 1y from 1 day to 2 years."
            )
        number = as_number(row.within_days)
        if number is None or not number.is_integer() or not 0 <= number <= MAX_REMINDER_DAYS:
            problems.append(
                f"{label} has {_shown(row.within_days)} reminder days, not a whole number "
                f"from 0 to {MAX_REMINDER_DAYS}."
            )
        if row.sites is not None:
            try:
                parse_sites(row.sites if isinstance(row.sites, str) else "\0")
            except InvalidInput as problem:
                problems.append(f"{label} has an unusable list of sites: {problem}.")
    return problems


def _treatment_name_problems(row: TreatmentCheckRow, label: str, seen: dict[str, int]) -> list[str]:
    if not isinstance(row.name, str) or not row.name.strip():
        return [f"{label} has no usable name ({_shown(row.name)})."]
    problems = _text_problems(TextRow(label, "name", row.name, LABEL_MAX_LENGTH, False))
    key = same_name_key(row.name)
    if key in seen:
        problems.append(
            f"{label} is called {_shown(row.name)}, as treatment #{seen[key]} is "
            "(case and spaces aside); names are unique per patient."
        )
    else:
        seen[key] = row.id
    return problems


def sessions_of_other_treatments(
    sessions: Iterable[SessionRow], treatments: Sequence[TreatmentCheckRow]
) -> list[str]:
    """Every session belongs to one of its patient's own treatments."""
    own = {row.id for row in treatments}
    return [
        f"{_session(row)} belongs to treatment #{row.treatment_id}, "
        "which is not one of this patient's treatments."
        for row in sessions
        if row.treatment_id is not None and row.treatment_id not in own
    ]


def unusable_texts(texts: Iterable[TextRow]) -> list[str]:
    """Text as the commands take it: no control characters (an escape sequence would
    repaint the terminal), line breaks only in notes, within the field's length."""
    return [problem for row in texts for problem in _text_problems(row)]


def _text_problems(row: TextRow) -> list[str]:
    if row.value is None:
        return []
    if not isinstance(row.value, str):
        return [f"{row.label} has a {row.what} that is not text ({_shown(row.value)})."]
    try:
        clean_text(row.value, row.what, row.max_length, multiline=row.multiline)
    except InvalidInput as problem:
        return [f"{row.label}: {problem}."]
    return []


def unusable_changes(
    changes: Sequence[ChangeRow], today: date, treatments: Sequence[TreatmentCheckRow] = ()
) -> list[str]:
    """Entries of the change log that `tracker changes` could not show or `undo` not use.

    A session's product may be that of one of the patient's treatments, stored or
    logged (a treatment removed since comes back with undo first)."""
    own_products = {row.product for row in treatments if isinstance(row.product, str)}
    own_products |= logged_treatment_products(
        (row.kind, text) for row in changes for text in (row.old_values, row.new_values)
    )
    problems = []
    for row in changes:
        label = f"Change-log entry #{row.id}"
        if row.kind not in CHANGE_KINDS or row.action not in CHANGE_ACTIONS:
            problems.append(
                f"{label} has an unknown kind or action ({_shown(row.kind)}, {_shown(row.action)})."
            )
            continue
        for what, text in (("old", row.old_values), ("new", row.new_values)):
            # Only old values are written back (by undo); new ones must still be JSON.
            kind = row.kind if what == "old" else None
            problem = _logged_problem(kind, text, today, own_products)
            if problem is not None:
                problems.append(f"{label} has {what} values {problem}.")
    return problems


def logged_treatment_products(entries: Iterable[tuple[Any, Any]]) -> set[str]:
    """The products named by logged treatment values ((kind, JSON text) pairs)."""
    products_named = set()
    for kind, text in entries:
        if kind != "treatment" or not isinstance(text, str):
            continue
        try:
            values = json.loads(text)
        except ValueError:
            continue
        if isinstance(values, dict) and isinstance(values.get("product"), str):
            products_named.add(values["product"])
    return products_named


def _logged_problem(
    kind: str | None, text: Any, today: date, own_products: Collection[str] = ()
) -> str | None:
    if text is None:
        return None
    try:
        values = json.loads(text) if isinstance(text, str) else None
    except ValueError:
        values = None
    if not isinstance(values, dict):
        return f"that are not a JSON object ({_shown(text)})"
    if kind is None or span_in(values) is not None:
        return None
    try:
        check_snapshot(kind, values, "they", today, allowing(own_products))
    except InvalidInput as problem:
        return f"that undo could not write back ({problem})"
    return None


def find_problem_groups(records: Records, today: date) -> list[tuple[str, list[str]]]:
    """Every rule's findings, by rule, in the order a reader would look: dates first,
    then each kind of record, then the change log."""
    groups = [
        ("unreadable dates", unreadable_dates(records)),
        ("dates out of range", dates_out_of_range(records)),
        ("future dates", future_dates(records, today)),
        ("sessions sharing a date", sessions_sharing_a_date(records.sessions)),
        ("bad units", units_not_positive(records.sessions, records.sites)),
        ("sites over the session", sites_over_session_units(records.sessions, records.sites)),
        ("orphan sites", orphan_sites(records.sessions, records.sites)),
        ("scores out of range", scores_out_of_range(records.pain)),
        ("resolved before start", effects_resolved_before_start(records.effects)),
        ("unknown values", unknown_values(records)),
        ("bad times", bad_appointment_times(records.appointments)),
        ("bad plans", bad_plans(records.plans)),
        ("bad treatments", bad_treatments(records.treatments)),
        (
            "sessions of other treatments",
            sessions_of_other_treatments(records.sessions, records.treatments),
        ),
        ("unusable text", unusable_texts(records.texts)),
        (
            "unusable change-log entries",
            unusable_changes(records.changes, today, records.treatments),
        ),
    ]
    return [(kind, found) for kind, found in groups if found]


def find_problems(records: Records, today: date) -> list[str]:
    """Every finding of find_problem_groups, one list."""
    return [problem for _, found in find_problem_groups(records, today) for problem in found]
