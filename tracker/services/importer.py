"""Importing a JSON export (tracker/export/json_export.py): restore or merge, all or nothing.

The file is streamed, never loaded whole: each record is checked as it is
read (tracker.domain.import_rules) and staged in a temporary table
(tracker.store.bulk_import), all inside the one transaction that then moves
the records in. A bad file therefore changes nothing, whatever its size, and
the error names the first problem and where it is
(``injections[3].date: expected an ISO date (YYYY-MM-DD), got 'x'``; list
positions count from 0, as in JSON paths). Which problem is named when there
are several: invalid JSON (or a repeated key) anywhere first, then a file
that is not a tracker export or of another version, then missing or unknown
top-level fields, then the first bad value in the order of the file.

- Into an empty database (no records of any kind and no plan) everything is
  restored as it was, ids, plan, patient name and UUID and change log included, so
  exporting again gives the same file apart from ``generated_at``.
- Into a database with records, only records not there yet are added, with new
  ids. A record is "there" when every field but the id matches (sites
  included); equal records are matched one to one, so two identical diary
  entries in the file need two in the database. Importing twice therefore adds
  nothing. The plan and name are left alone: they are the current ones. What
  was added is logged as one batch, one entry per kind of record
  (tracker.domain.change_spans), so `tracker undo` takes it all back at once.
- A different injection session on a date that already has one is a conflict:
  nothing is stored, because tracker cannot tell which of the two is right.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from tracker.domain import import_rules as rules
from tracker.domain.errors import InvalidInput, NotFound
from tracker.domain.records import ChangeRecord, PlanSettings
from tracker.domain.text import preview
from tracker.domain.wording import every_text
from tracker.export.model import CLINIC_FORMAT, REPORT_FORMAT, REPORT_VERSION
from tracker.services.json_stream import JsonStream
from tracker.services.plan import DEFAULT_PATIENT_NAME, plan_of
from tracker.store import audit
from tracker.store.bulk_import import (
    APPOINTMENTS,
    BATCH_ROWS,
    EFFECTS,
    INJECTIONS,
    PAIN,
    RECORD_KINDS,
    Kind,
    Staging,
    lock_for_import,
)
from tracker.store.database import Database
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
from tracker.store.scope import PatientScope, current_patient
from tracker.store.treatments import plan_row_for_writing

# The keys of ImportResult's counts, in the order they are reported.
KINDS = ("injections", "pain entries", "side effects", "appointments")
_RESULT_KEY = dict(zip(RECORD_KINDS, KINDS, strict=True))

# Tables whose ids an empty-database restore writes explicitly (see _reset_sequences).
ID_TABLES = (
    InjectionSession,
    InjectionSite,
    Patient,
    TreatmentRow,
    PainEntry,
    SideEffect,
    Appointment,
    Change,
)

# Told how many more bytes of the file are done (see tracker.cli.progress).
Advance = Callable[[int], None]


# Asked, with a question, whether a restore may rename and re-plan a named patient.
Confirm = Callable[[str], bool]


@dataclass(frozen=True)
class ImportResult:
    """Records added and records skipped because they were already there, per kind."""

    added: dict[str, int]
    skipped: dict[str, int]
    # What the import changed about the patient (a restore into a named patient), said once.
    patient_change: str | None = None


def _nobody_watching(_done: int) -> None:
    """The default advance: no progress to show."""


def _nobody_agrees(_question: str) -> bool:
    """The default confirm: a named patient is never renamed or re-planned unasked."""
    return False


def import_file(
    db: Database,
    path: Path,
    today: date,
    advance: Advance = _nobody_watching,
    confirm: Confirm = _nobody_agrees,
) -> ImportResult:
    """Import ``path``; ``advance(n)`` is called as each n bytes of it are done.

    A restore into a patient who has a name of their own (not the new database's
    "default") takes the file's name and plan only when ``confirm(question)``
    says yes; otherwise nothing is imported.
    """
    with _opened(path) as handle, db.transaction() as session:
        stream = JsonStream(handle, path, _without_duplicate_keys, advance)
        lock_for_import(session)
        restoring = _is_empty(session)
        staging = Staging(session)
        patient = PatientScope(session).patient_id
        contents = _FileReader(stream, staging, today, path, restoring, patient).read()
        if restoring:
            result = _restore(session, staging, contents, confirm)
        else:
            result = _merge(session, staging, contents)
        staging.drop()
    stream.report_rest()
    return result


@contextmanager
def _opened(path: Path) -> Iterator[BinaryIO]:
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        raise NotFound(f"there is no file {path}") from None
    except OSError as error:
        raise InvalidInput(f"cannot read {path} ({error.strerror})") from None
    with handle:
        yield handle


def _without_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # json keeps the last of two equal keys silently; in a backup that hides data.
    result = dict(pairs)
    if len(result) < len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise rules.duplicate_key(key)
            seen.add(key)
    return result


# --- reading and checking the file ------------------------------------------


@dataclass
class _Contents:
    """What the file holds besides its records, which are staged."""

    plan: PlanSettings
    staged: dict[Kind, int]
    patient_uuid: str | None = None


@dataclass
class _Top:
    """The top-level fields seen so far, and the small values among them."""

    names: list[str] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)
    plan: PlanSettings | None = None
    patient_name: str | None = None
    patient_uuid: str | None = None


class _FileReader:
    """Walks the file once: checks every value, stages every record.

    The first bad value is kept, not raised at once: a file's format and
    version come after most of its records (keys are sorted), yet they decide
    what to say about a file another program or a newer tracker wrote. Past
    it, the rest of the file is only read, for JSON errors and those fields.
    """

    def __init__(
        self,
        stream: JsonStream,
        staging: Staging,
        today: date,
        path: Path,
        restoring: bool,
        patient: int,
    ) -> None:
        self._stream = stream
        self._staging = staging
        self._today = today
        self._path = path
        self._keep_changes = restoring  # a merge adds records, not another trail
        self._patient = patient
        self._problem: InvalidInput | None = None
        self._top = _Top()
        self._staged = dict.fromkeys(RECORD_KINDS, 0)

    def read(self) -> _Contents:
        stream = self._stream
        if stream.peek() != "{":
            stream.skip()  # invalid JSON is still named as such
            stream.end()
            raise InvalidInput(
                f"{self._path.name} is not a tracker export (expected a JSON object)"
            )
        seen: set[str] = set()
        for name in stream.members():
            if name in seen:
                raise rules.duplicate_key(name)
            seen.add(name)
            self._top.names.append(name)
            self._member(name)
        stream.end()
        self._raise_first_problem()
        plan = self._top.plan
        assert plan is not None  # no problem: the plan was there and was read
        return _Contents(
            replace(plan, patient_name=self._top.patient_name),
            self._staged,
            self._top.patient_uuid,
        )

    def _raise_first_problem(self) -> None:
        values = self._top.values
        # Format and version first: another program's JSON should read as such,
        # not as a list of missing fields.
        if values.get("format") == CLINIC_FORMAT:
            raise self._whole_clinic()
        if values.get("format") != REPORT_FORMAT:
            raise rules.expected(
                "format", f"'{REPORT_FORMAT}' (a tracker export)", values.get("format")
            )
        version = values.get("version")
        if type(version) is not int or version != REPORT_VERSION:
            raise InvalidInput(
                f"version: this tracker reads version {REPORT_VERSION} exports, not "
                f"{rules.shown(version)} (a newer tracker may read it)"
            )
        problem = rules.top_level_problem(self._top.names) or self._problem
        if problem is not None:
            raise problem

    def _whole_clinic(self) -> InvalidInput:
        return InvalidInput(
            f"{self._path.name} is a whole-clinic export (tracker export --all); tracker "
            f"imports one patient's export, made with: tracker --patient NAME export -o FILE"
        )

    def _note(self, problem: InvalidInput) -> None:
        if self._problem is None:
            self._problem = problem

    # --- the members of the top-level object ------------------------------------

    def _member(self, name: str) -> None:
        if name == "injections":
            self._list(name, self._injections)
        elif name in ("pain", "effects", "appointments"):
            self._list(name, self._records)
        elif name == "changes":
            self._list(name, self._changes)
        elif name in rules.TOP_FIELDS:
            value = self._small_value(name in ("patient", "plan"))
            if name == "format" and value == CLINIC_FORMAT:
                # It comes first in such a file: say so before reading the rest.
                raise self._whole_clinic()
            self._top.values[name] = value
            self._check(name, value)
        else:
            self._stream.skip()  # an unknown field: named once the file is read

    def _small_value(self, is_object: bool) -> Any:
        """A value that is one scalar (or, for the plan and patient, one small object).
        Anything bigger is only read past: the message says "got a list" (or "an
        object") whatever it holds, so an empty one stands in for it."""
        container = self._stream.container()
        if container == "[" or (container == "{" and not is_object):
            self._stream.skip()
            return [] if container == "[" else {}
        return self._stream.value()

    def _check(self, name: str, value: Any) -> None:
        try:
            if name == "generated_at":
                rules.check_day(value, name)
            elif name in ("since", "until"):
                rules.check_optional_day(value, name)
            elif name == "patient":
                self._top.patient_name = rules.patient_name(value)
                self._top.patient_uuid = rules.patient_uuid(value)
            elif name == "plan":
                self._top.plan = rules.plan_settings(value, None)
        except InvalidInput as problem:
            self._note(problem)

    def _list(self, name: str, read: Callable[[str], None]) -> None:
        if self._stream.peek() != "[":
            self._note(rules.not_a_list(self._small_value(is_object=False), name))
        elif self._problem is not None:
            self._stream.skip()
        else:
            read(name)

    def _records(self, name: str) -> None:
        kind = {"pain": PAIN, "effects": EFFECTS, "appointments": APPOINTMENTS}[name]
        read = {
            "pain": rules.PainReader(self._today),
            "effects": rules.EffectReader(self._today),
            "appointments": rules.AppointmentReader(),
        }[name]
        batch: list[tuple[Any, ...]] = []
        stage = self._staging.add
        last_id, ascending = 0, True  # ids are 1 or more
        elements = enumerate(self._stream.elements())
        # The loop every diary entry goes through: kept plain on purpose.
        for index, value in elements:
            try:
                row = read(value, index)
            except InvalidInput as problem:
                self._note(problem)
                break
            if row[0] <= last_id:
                ascending = False
            last_id = row[0]
            batch.append((index, *row))
            if len(batch) == BATCH_ROWS:
                stage(kind, batch)
                self._staged[kind] += BATCH_ROWS
                batch = []
        else:
            stage(kind, batch)
            self._staged[kind] += len(batch)
            if not ascending:
                self._refuse_repeated_ids(kind, name)
            return
        for _ in elements:  # past a bad record the list is only read
            pass

    def _injections(self, name: str) -> None:
        batch: list[tuple[Any, ...]] = []
        sites: list[tuple[Any, ...]] = []
        ids, days = _Ascending(), _Ascending()
        elements = enumerate(self._stream.elements())
        for index, value in elements:
            try:
                row, its_sites = rules.injection_row(value, f"{name}[{index}]", self._today)
            except InvalidInput as problem:
                self._note(problem)
                break
            ids.see(row[0])
            days.see(row[1])
            batch.append((index, *row))
            sites.extend((index, *site) for site in its_sites)
            if len(batch) == BATCH_ROWS:
                self._stage_sessions(batch, sites)
                batch, sites = [], []
        else:
            self._stage_sessions(batch, sites)
            self._staged[INJECTIONS] = ids.count
            if not ids.ascending:
                self._refuse_repeated_ids(INJECTIONS, name)
            if not days.ascending and self._problem is None:
                repeat = self._staging.first_repeat(INJECTIONS, "date")
                if repeat is not None:
                    day = repeat.value
                    self._note(
                        rules.repeated_session_date(
                            repeat.position,
                            day if isinstance(day, str) else day.isoformat(),
                            repeat.first_position,
                        )
                    )
            return
        for _ in elements:
            pass

    def _stage_sessions(self, batch: list[tuple[Any, ...]], sites: list[tuple[Any, ...]]) -> None:
        self._staging.add(INJECTIONS, batch)
        self._staging.add_sites(sites)

    def _changes(self, name: str) -> None:
        batch: list[tuple[Any, ...]] = []
        ids = _Ascending()
        elements = enumerate(self._stream.elements())
        for index, value in elements:
            try:
                change = rules.change_record(value, f"{name}[{index}]", self._today)
            except InvalidInput as problem:
                self._note(problem)
                break
            if not self._keep_changes:
                continue
            ids.see(change.id)
            change = _rehomed(change, self._patient)
            batch.append(
                (
                    index,
                    change.id,
                    change.batch,
                    change.at,
                    change.command,
                    change.action,
                    change.kind,
                    change.record_id,
                    audit.dumped(change.old),
                    audit.dumped(change.new),
                    change.undo_of,
                )
            )
            if len(batch) == BATCH_ROWS:
                self._staging.add_changes(batch)
                batch = []
        else:
            self._staging.add_changes(batch)
            if not ids.ascending:
                self._refuse_repeated_ids(None, name)
            return
        for _ in elements:
            pass

    def _refuse_repeated_ids(self, kind: Kind | None, name: str) -> None:
        repeat = self._staging.first_repeat(kind)
        if repeat is not None:
            self._note(
                rules.repeated_id(name, repeat.position, repeat.value, repeat.first_position)
            )


def _rehomed(change: ChangeRecord, patient: int) -> ChangeRecord:
    """The entry as this database's patient's own: the file's patient id means another
    patient here (or nobody), and undo must never move records to them."""

    def values(logged: dict[str, Any] | None) -> dict[str, Any] | None:
        if logged is None or "patient_id" not in logged:
            return logged
        return {**logged, "patient_id": patient}

    record_id = patient if change.kind == "plan" else change.record_id
    return replace(change, record_id=record_id, old=values(change.old), new=values(change.new))


class _Ascending:
    """Whether values seen so far rose strictly: then none can repeat, and the
    database need not look for repeats (exports list records in id order)."""

    def __init__(self) -> None:
        self.count = 0
        self.ascending = True
        self._last: Any = None

    def see(self, value: Any) -> None:
        if self.ascending and self._last is not None and value <= self._last:
            self.ascending = False
        self._last = value
        self.count += 1


# --- writing ----------------------------------------------------------------


def _is_empty(session: Session) -> bool:
    """A database with one patient and no records at all: ids can come back as they were."""
    tables = (InjectionSession, PainEntry, SideEffect, Appointment, Change)
    if session.scalar(select(func.count()).select_from(Patient)) != 1:
        return False
    return all(session.scalar(select(table.id).limit(1)) is None for table in tables)


def _restore(
    session: Session, staging: Staging, contents: _Contents, confirm: Confirm
) -> ImportResult:
    """Everything as it was, ids and the change log included; the restore itself is
    not logged (there was nothing before it to go back to)."""
    plan = contents.plan
    patient = current_patient(session)
    change = _patient_change(session, patient, plan)
    if change is not None and not confirm(f"Importing this file would {change[0]}. Go ahead?"):
        raise InvalidInput(
            f"importing this file would {change[0]}; nothing was imported (run it in a "
            f"terminal to be asked, or add --yes to agree)"
        )
    treatment = plan_row_for_writing(PatientScope(session))
    treatment.every = plan.every.text
    treatment.within_days = plan.within_days
    patient.name = plan.patient_name or DEFAULT_PATIENT_NAME
    if contents.patient_uuid is not None:
        # The same person again: the ids other systems got from them stay valid.
        patient.uuid = contents.patient_uuid
    session.flush()
    staging.restore(patient.id, treatment.id)
    _reset_sequences(session)
    added = {_RESULT_KEY[kind]: count for kind, count in contents.staged.items()}
    return ImportResult(
        added=added,
        skipped=dict.fromkeys(KINDS, 0),
        patient_change=None if change is None else change[1],
    )


def _patient_change(
    session: Session, patient: Patient, plan: PlanSettings
) -> tuple[str, str] | None:
    """What restoring the file would change about a patient someone named, in words:
    (what it would do, what it did).

    A new database's only patient is called "default": it takes the file's name
    and plan as they are. One that was given a name is somebody, and importing
    another person's file must not quietly make them that person.
    """
    if patient.name == DEFAULT_PATIENT_NAME:
        return None
    name = plan.patient_name or DEFAULT_PATIENT_NAME
    renames = name != patient.name
    current_plan = plan_of(session, patient)
    replans = (current_plan.every, current_plan.within_days) != (plan.every, plan.within_days)
    if not renames and not replans:
        return None
    current = preview(patient.name)
    the_plan = (
        f"the file's plan (an injection {every_text(plan.every)}, reminders "
        f"{plan.within_days} days before)"
    )
    if renames and replans:
        return (
            f"rename patient {current} to {preview(name)} and take {the_plan}",
            f"Renamed patient {current} to {preview(name)} and took {the_plan}.",
        )
    if renames:
        return (
            f"rename patient {current} to {preview(name)}",
            f"Renamed patient {current} to {preview(name)}.",
        )
    return (f"give {current} {the_plan}", f"Gave {current} {the_plan}.")


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


def _merge(session: Session, staging: Staging, contents: _Contents) -> ImportResult:
    """Add what is not there yet; decide everything before writing anything."""
    records = PatientScope(session)
    treatment = plan_row_for_writing(records).id
    staging.analyze()
    staging.pair_twins(records.patient_id, treatment)
    added = staging.add_new(records.patient_id, treatment)
    audit.record_spans(
        session, "import", [(each.kind.log_kind, each.span) for each in added if each.span]
    )
    return ImportResult(
        added={_RESULT_KEY[each.kind]: each.records for each in added},
        skipped={
            _RESULT_KEY[each.kind]: contents.staged[each.kind] - each.records for each in added
        },
    )
