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

Treatments (issue 16; tracker.export.json_export describes both versions):

- A version 2 file lists the patient's treatments and names each session's.
  A restore makes the patient's treatments the file's, ids included. A merge
  puts each session into the patient's treatment of that name (case and spaces
  ignored), adding the file's treatments the patient does not have yet (logged
  with the batch, so `tracker undo` takes them back too); treatments already
  there keep their plan. Sessions are twins, or conflicts, per treatment and
  date.
- A version 1 file's sessions all go into the patient's pain treatment (the
  plan treatment). When the patient has none, or in a restore, it is named after
  the product of the file's latest session ("botox" without one), as migration
  0008 named every patient's, with the file's plan.
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
from tracker.domain.intervals import Interval, IntervalUnit
from tracker.domain.products import DEFAULT_PRODUCT
from tracker.domain.records import ChangeRecord, PlanSettings
from tracker.domain.text import preview, same_name_key
from tracker.domain.treatments import Treatment, pain_treatment
from tracker.domain.wording import every_text
from tracker.export.model import CLINIC_FORMAT, REPORT_FORMAT
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
from tracker.store.treatments import (
    apply_treatment,
    new_treatment_row,
    plan_row,
    to_treatment,
    treatment_rows,
)

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
    # A version 2 file's treatments with their ids; None for a version 1 file.
    treatments: list[tuple[int, Treatment]] | None = None


@dataclass
class _Top:
    """The top-level fields seen so far, and the small values among them."""

    names: list[str] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)
    plan: tuple[int | None, int] | None = None  # every_months (None: not whole), within_days
    patient_name: str | None = None
    patient_uuid: str | None = None
    treatments: list[tuple[int, Treatment]] | None = None


@dataclass(frozen=True)
class _VersionProblem:
    """A problem only in a file of ``version``, which is known only at the end (keys are
    sorted: "version" comes last)."""

    version: int
    problem: InvalidInput


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
        # Problems of one version only, in the order found, and how many of them
        # were found before self._problem (they come first in the file).
        self._version_problems: list[_VersionProblem] = []
        self._found_before_problem = 0
        self._top = _Top()
        self._staged = dict.fromkeys(RECORD_KINDS, 0)
        # Products tracker has no profile for in the change log's sessions, each with
        # where it first is: fine when they are the products of the file's treatments
        # or sessions (known once the file is read), else refused.
        self._logged_products: dict[str, str] = {}
        self._treatment_products: set[str] = set()

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
        version = self._raise_first_problem()
        plan = self._top.plan
        assert plan is not None  # no problem: the plan was there and was read
        self._check_logged_products()
        if version == rules.FIRST_VERSION:
            months, within = plan
            assert months is not None  # a version 1 problem otherwise
            return _Contents(
                PlanSettings(Interval(months, IntervalUnit.MONTHS), within, self._top.patient_name),
                self._staged,
                self._top.patient_uuid,
            )
        treatments = self._top.treatments
        assert treatments is not None  # version 2 has them, and they were read
        self._check_references(plan, treatments)
        return _Contents(
            _pain_plan(treatments, self._top.patient_name),
            self._staged,
            self._top.patient_uuid,
            treatments,
        )

    def _check_logged_products(self) -> None:
        """A product undo could write back must be one a session of the patient had or
        a treatment of theirs has or had: anything else is no record tracker made."""
        if not self._logged_products:
            return
        known = self._treatment_products | set(self._staging.session_products())
        known |= {treatment.product for _, treatment in self._top.treatments or []}
        for product, where in self._logged_products.items():
            if product not in known:
                raise rules.unknown_product(
                    where, product, " or a product of the file's sessions or treatments"
                )

    def _logged_product(self, where: str, product: str) -> None:
        self._logged_products.setdefault(product, where)

    def _check_references(
        self, plan: tuple[int | None, int], treatments: list[tuple[int, Treatment]]
    ) -> None:
        """What a value cannot say alone, once every value is right: each session's
        treatment is one of the file's, and the plan is its pain treatment's."""
        listed = [treatment for _, treatment in treatments]
        keys = {same_name_key(treatment.name) for treatment in listed}
        for name, position in self._staging.treatment_names():
            if name is None or same_name_key(name) not in keys:
                where = f"injections[{position}].{rules.SESSION_TREATMENT}"
                raise rules.unknown_treatment(where, name or "", listed)
        problem = rules.plan_problem(plan, listed)
        if problem is not None:
            raise problem

    def _raise_first_problem(self) -> int:
        """Raise the problem to name first, if any; else the file's version."""
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
        if type(version) is not int or version not in rules.READ_VERSIONS:
            readable = " and ".join(str(each) for each in rules.READ_VERSIONS)
            raise InvalidInput(
                f"version: this tracker reads version {readable} exports, not "
                f"{rules.shown(version)} (a newer tracker may read it)"
            )
        problem = rules.top_level_problem(self._top.names, version)
        if problem is not None:
            raise problem
        cut = len(self._version_problems) if self._problem is None else self._found_before_problem
        for found in self._version_problems[:cut]:
            if found.version == version:
                raise found.problem
        if self._problem is not None:
            raise self._problem
        return version

    def _whole_clinic(self) -> InvalidInput:
        return InvalidInput(
            f"{self._path.name} is a whole-clinic export (tracker export --all); tracker "
            f"imports one patient's export, made with: tracker --patient NAME export -o FILE"
        )

    def _note(self, problem: InvalidInput) -> None:
        if self._problem is None:
            self._problem = problem
            self._found_before_problem = len(self._version_problems)

    def _note_for(self, version: int, problem: InvalidInput) -> None:
        """A problem if the file turns out to be of ``version``; the first of each kind
        is enough, as it comes first in the file."""
        if self._problem is None and all(
            found.version != version for found in self._version_problems
        ):
            self._version_problems.append(_VersionProblem(version, problem))

    # --- the members of the top-level object ------------------------------------

    def _member(self, name: str) -> None:
        if name == "injections":
            self._list(name, self._injections)
        elif name in ("pain", "effects", "appointments"):
            self._list(name, self._records)
        elif name == "changes":
            self._list(name, self._changes)
        elif name == rules.TREATMENTS:
            self._treatments(name)
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
                self._top.plan = rules.file_plan(value)
                if self._top.plan[0] is None:
                    self._note_for(rules.FIRST_VERSION, rules.plan_without_months())
        except InvalidInput as problem:
            self._note(problem)

    def _treatments(self, name: str) -> None:
        """A handful of treatments: read whole (a value is at most MAX_VALUE_CHARS)."""
        if self._stream.peek() != "[":
            self._note(rules.not_a_list(self._small_value(is_object=False), name))
        elif self._problem is not None:
            self._stream.skip()
        else:
            try:
                self._top.treatments = rules.file_treatments(self._stream.value(), name)
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
            where = f"{name}[{index}]"
            try:
                session = rules.file_session(value, where, self._today)
            except InvalidInput as problem:
                self._note(problem)
                break
            self._judge_by_version(session, where)
            row, treatment = session.row, session.treatment
            ids.see(row[0])
            days.see(row[1])
            key = None if treatment is None else same_name_key(treatment)
            batch.append((index, *row, treatment, key))
            sites.extend((index, *site) for site in session.sites)
            if len(batch) == BATCH_ROWS:
                self._stage_sessions(batch, sites)
                batch, sites = [], []
        else:
            self._stage_sessions(batch, sites)
            self._staged[INJECTIONS] = ids.count
            if not ids.ascending:
                self._refuse_repeated_ids(INJECTIONS, name)
            if not days.ascending and self._problem is None:
                # One session a day per treatment (all one treatment in version 1).
                repeat = self._staging.first_repeat(INJECTIONS, "date", within="treatment_key")
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

    def _judge_by_version(self, session: rules.FileSession, where: str) -> None:
        """What a session may hold in one version and not the other."""
        if session.treatment is None:
            self._note_for(
                rules.TREATMENTS_VERSION,
                InvalidInput(f"{where}: missing field '{rules.SESSION_TREATMENT}'"),
            )
        else:
            self._note_for(
                rules.FIRST_VERSION,
                InvalidInput(f"{where}: unknown field '{rules.SESSION_TREATMENT}'"),
            )
        if not session.known_product:
            # Version 1 knew only its own products; since, a treatment's may be any.
            self._note_for(
                rules.FIRST_VERSION, rules.unknown_product(f"{where}.product", session.row[2])
            )

    def _stage_sessions(self, batch: list[tuple[Any, ...]], sites: list[tuple[Any, ...]]) -> None:
        self._staging.add(INJECTIONS, batch)
        self._staging.add_sites(sites)

    def _changes(self, name: str) -> None:
        batch: list[tuple[Any, ...]] = []
        ids = _Ascending()
        elements = enumerate(self._stream.elements())
        for index, value in elements:
            try:
                change = rules.change_record(
                    value, f"{name}[{index}]", self._today, self._logged_product
                )
            except InvalidInput as problem:
                self._note(problem)
                break
            if change.kind == "treatment":
                for values in (change.old, change.new):
                    if values is not None and isinstance(values.get("product"), str):
                        self._treatment_products.add(values["product"])
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
    change = _patient_change(session, patient, contents)
    if change is not None and not confirm(f"Importing this file would {change[0]}. Go ahead?"):
        raise InvalidInput(
            f"importing this file would {change[0]}; nothing was imported (run it in a "
            f"terminal to be asked, or add --yes to agree)"
        )
    if contents.treatments is None:
        _restore_plan_treatment(session, staging, patient.id, plan)
    else:
        _restore_treatments(session, staging, patient.id, contents.treatments)
    patient.name = plan.patient_name or DEFAULT_PATIENT_NAME
    if contents.patient_uuid is not None:
        # The same person again: the ids other systems got from them stay valid.
        patient.uuid = contents.patient_uuid
    session.flush()
    staging.restore(patient.id)
    _reset_sequences(session)
    added = {_RESULT_KEY[kind]: count for kind, count in contents.staged.items()}
    return ImportResult(
        added=added,
        skipped=dict.fromkeys(KINDS, 0),
        patient_change=None if change is None else change[1],
    )


def _restore_treatments(
    session: Session, staging: Staging, patient: int, treatments: list[tuple[int, Treatment]]
) -> None:
    """The patient's treatments become the file's, with their ids (the change log names
    them); the patient has no records yet, so none of theirs is lost."""
    for row in treatment_rows(session, patient):
        session.delete(row)
    session.flush()  # the file may give a treatment the id of one just removed
    ids: dict[str, int] = {}
    for treatment_id, treatment in treatments:
        row = new_treatment_row(patient)
        row.id = treatment_id
        session.add(apply_treatment(row, treatment))
        ids[same_name_key(treatment.name)] = treatment_id
    session.flush()
    _name_treatments(staging, ids)


def _restore_plan_treatment(
    session: Session, staging: Staging, patient: int, plan: PlanSettings
) -> None:
    """A version 1 file: its one plan is the patient's pain treatment, named (and of the
    product) of the file's latest session, as migration 0008 named every patient's."""
    product = staging.latest_product() or DEFAULT_PRODUCT.value
    rows = treatment_rows(session, patient)
    same = [row for row in rows if same_name_key(row.name) == same_name_key(product)]
    row = same[0] if same else plan_row(session, patient)
    if row is None:
        row = new_treatment_row(patient)
        session.add(row)
    apply_treatment(row, Treatment(product, product, plan.every, plan.within_days))
    session.flush()
    staging.name_all_sessions(row.name, same_name_key(row.name))
    _name_treatments(staging, {same_name_key(row.name): row.id})


def _name_treatments(staging: Staging, ids: dict[str, int]) -> None:
    """Tell the staging which treatment (by id) each name its sessions give is;
    ``ids`` holds each treatment by its tracker.domain.text.same_name_key."""
    named = {}
    for name, _ in staging.treatment_names():
        if name is not None:
            named[name] = ids[same_name_key(name)]
    staging.name_treatments(named)


def _patient_change(
    session: Session, patient: Patient, contents: _Contents
) -> tuple[str, str] | None:
    """What restoring the file would change about a patient someone named, in words:
    (what it would do, what it did).

    A new database's only patient is called "default": it takes the file's name
    and plan as they are. One that was given a name is somebody, and importing
    another person's file must not quietly make them that person.
    """
    if patient.name == DEFAULT_PATIENT_NAME:
        return None
    plan = contents.plan
    name = plan.patient_name or DEFAULT_PATIENT_NAME
    renames = name != patient.name
    current_plan = plan_of(session, patient)
    replans = (current_plan.every, current_plan.within_days) != (plan.every, plan.within_days)
    the_plan = (
        f"the file's plan (an injection {every_text(plan.every)}, reminders "
        f"{plan.within_days} days before)"
    )
    if contents.treatments is not None:
        current = [to_treatment(row) for row in treatment_rows(session, patient.id)]
        theirs = [treatment for _, treatment in contents.treatments]
        if current != theirs:
            replans = True
            if not _same_names(current, theirs) or len(theirs) != 1:
                the_plan = f"the file's treatments ({_treatments_text(theirs)})"
    if not renames and not replans:
        return None
    current_name = preview(patient.name)
    if renames and replans:
        return (
            f"rename patient {current_name} to {preview(name)} and take {the_plan}",
            f"Renamed patient {current_name} to {preview(name)} and took {the_plan}.",
        )
    if renames:
        return (
            f"rename patient {current_name} to {preview(name)}",
            f"Renamed patient {current_name} to {preview(name)}.",
        )
    return (f"give {current_name} {the_plan}", f"Gave {current_name} {the_plan}.")


def _same_names(ours: list[Treatment], theirs: list[Treatment]) -> bool:
    return [same_name_key(t.name) for t in ours] == [same_name_key(t.name) for t in theirs]


def _treatments_text(treatments: list[Treatment]) -> str:
    """ "'botox' every 3 months, 'B12' every month" (or "none")."""
    return ", ".join(f"{preview(t.name)} {every_text(t.interval)}" for t in treatments) or "none"


def _pain_plan(treatments: list[tuple[int, Treatment]], name: str | None) -> PlanSettings:
    """The plan of a version 2 file: its pain treatment's (tracker's default without one)."""
    chosen = pain_treatment([treatment for _, treatment in treatments])
    if chosen is None:
        return PlanSettings(patient_name=name)
    return PlanSettings(chosen.interval, chosen.within_days, name)


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
    created = _treatments_for_merge(records, staging, contents)
    staging.analyze()
    staging.pair_twins(records.patient_id)
    added = staging.add_new(records.patient_id)
    # The treatments first: undo goes newest first, so their sessions go before them.
    for row in created:
        audit.record_insert(session, "import", row)
    audit.record_spans(
        session, "import", [(each.kind.log_kind, each.span) for each in added if each.span]
    )
    return ImportResult(
        added={_RESULT_KEY[each.kind]: each.records for each in added},
        skipped={
            _RESULT_KEY[each.kind]: contents.staged[each.kind] - each.records for each in added
        },
    )


def _treatments_for_merge(
    records: PatientScope, staging: Staging, contents: _Contents
) -> list[TreatmentRow]:
    """Which of the patient's treatments each staged session goes into; the treatments
    made for it (added to the session, not yet logged)."""
    session = records.session
    ids = {same_name_key(row.name): row.id for row in treatment_rows(session, records.patient_id)}
    created: list[TreatmentRow] = []
    if contents.treatments is None:
        row = plan_row(session, records.patient_id)
        if row is None:
            # A patient without treatments: the file's plan, named as migration 0008 would.
            product = staging.latest_product() or DEFAULT_PRODUCT.value
            plan = contents.plan
            row = new_treatment_row(
                records.patient_id, product, product, plan.every, plan.within_days
            )
            created.append(row)
            session.add(row)
            session.flush()
        staging.name_all_sessions(row.name, same_name_key(row.name))
        ids[same_name_key(row.name)] = row.id
    else:
        for _, treatment in contents.treatments:
            key = same_name_key(treatment.name)
            if key not in ids:
                row = apply_treatment(new_treatment_row(records.patient_id), treatment)
                created.append(row)
                session.add(row)
                session.flush()
                ids[key] = row.id
    _name_treatments(staging, ids)
    return created
