"""The change log: snapshots of records before and after each command, and undo.

Every write use case records what it did here, inside its own transaction, so
the log and the records can never disagree. Snapshots are plain JSON of the
stored columns (and an injection session's sites), so old values survive any
edit or delete.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Date, delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tracker.domain.change_spans import RecordSpan, span_in
from tracker.domain.errors import Conflict, InvalidInput
from tracker.domain.records import ChangeRecord
from tracker.domain.text import preview
from tracker.store.models import (
    Appointment,
    Base,
    Change,
    InjectionSession,
    InjectionSite,
    PainEntry,
    Patient,
    SideEffect,
    TreatmentRow,
)
from tracker.store.scope import PatientScope, patient_id
from tracker.store.treatments import plan_row, plan_row_for_writing

KINDS: dict[str, type[Base]] = {
    "injection": InjectionSession,
    "pain": PainEntry,
    "effect": SideEffect,
    "appointment": Appointment,
    "plan": Patient,
    "treatment": TreatmentRow,
}
_KIND_OF = {model: kind for kind, model in KINDS.items()}
_BATCH_KEY = "tracker_change_batch"


# Who a record is, not what it holds: never logged, so undo can never change it (and an
# imported change log can never bring another database's patient identity in).
IDENTITY_COLUMNS = frozenset({"id", "uuid"})


def snapshot(row: Base) -> dict[str, Any]:
    """The stored values of a record (not its id or UUID), JSON-ready."""
    values = {
        column.key: _to_json(getattr(row, column.key))
        for column in row.__table__.columns
        if column.key not in IDENTITY_COLUMNS
    }
    if isinstance(row, InjectionSession):
        values["sites"] = [
            {"muscle": site.muscle, "units": _to_json(site.units)} for site in row.sites
        ]
    return values


# Never written back as logged: the patient is the current one (undo_batch), and a
# session's treatment is one of theirs (_keep_treatment).
NOT_RESTORED = frozenset({"patient_id", "treatment_id"})


def restore(row: Base, values: dict[str, Any]) -> None:
    """Put snapshot values back into a record (never its patient: see undo_batch)."""
    for column in row.__table__.columns:
        if column.key in values and column.key not in IDENTITY_COLUMNS | NOT_RESTORED:
            value = values[column.key]
            is_date = isinstance(column.type, Date) and value is not None
            setattr(row, column.key, date.fromisoformat(value) if is_date else value)
    if isinstance(row, InjectionSession):
        row.sites = [
            InjectionSite(position=position, muscle=site["muscle"], units=site["units"])
            for position, site in enumerate(values.get("sites", []))
        ]


def record_insert(session: Session, command: str, row: Base) -> None:
    session.flush()
    _append(session, command, "insert", row, None, snapshot(row))


def record_update(session: Session, command: str, row: Base, before: dict[str, Any]) -> None:
    session.flush()
    after = snapshot(row)
    if after != before:
        _append(session, command, "update", row, before, after)


def record_delete(session: Session, command: str, row: Base) -> None:
    _append(session, command, "delete", row, snapshot(row), None)


def _append(
    session: Session,
    command: str,
    action: str,
    row: Base,
    old: dict[str, Any] | None,
    new: dict[str, Any] | None,
    undo_of: int | None = None,
) -> None:
    record_id = row.id  # type: ignore[attr-defined]
    _append_entry(session, command, action, _KIND_OF[type(row)], record_id, old, new, undo_of)


def latest_undoable_batch(session: Session) -> int | None:
    mine = Change.patient_id == patient_id(session)
    undone = select(Change.undo_of).where(Change.undo_of.is_not(None), mine)
    return session.scalar(
        select(func.max(Change.batch)).where(
            mine, Change.command != "undo", Change.batch.not_in(undone)
        )
    )


def undo_batch(session: Session, batch: int, today: date) -> list[Change]:
    """Revert every change of ``batch``, newest first, recording each reversal.

    Only the current patient's records are touched, whatever an entry says: an
    entry is one of theirs, and so is every record it writes back. What an
    entry would write back passes the rules the commands apply (``today`` is
    theirs); an entry that does not, or a record in the way, is one InvalidInput
    or Conflict and the caller's transaction changes nothing.
    """
    mine = Change.patient_id == patient_id(session)
    changes = list(
        session.scalars(
            select(Change).where(Change.batch == batch, mine).order_by(Change.id.desc())
        )
    )
    try:
        for change in changes:
            _revert(session, change, batch, today)
        session.flush()
    except IntegrityError:
        raise Conflict(
            f"cannot undo change #{batch}: the records it would bring back clash with "
            f"records stored since (run tracker changes to see them); nothing was changed"
        ) from None
    return changes


def _revert(session: Session, change: Change, batch: int, today: date) -> None:
    if change.kind not in KINDS or change.action not in ("insert", "update", "delete"):
        raise _unusable(change, f"an unknown {'kind' if change.kind not in KINDS else 'action'}")
    new, old = _logged_values(change, change.new_values), _logged_values(change, change.old_values)
    if change.action == "insert" and (span := span_in(new)) is not None:
        _revert_span(session, change, span, batch)
        return
    row = _own_record(session, change)
    if change.action == "insert":
        if row is not None:
            _append(session, "undo", "delete", row, snapshot(row), None, undo_of=batch)
            session.delete(row)
        return
    if old is None:
        raise _unusable(change, "no values to bring back")
    # Loaded here: quick writes (`tracker pain 5`) never undo and need not load the rules.
    from tracker.domain.import_rules import allowing, check_snapshot

    try:
        check_snapshot(change.kind, old, "its values", today, allowing(_own_products(session)))
    except InvalidInput as problem:
        raise _unusable(change, str(problem)) from None
    if change.action == "delete":
        row = None  # it was deleted: a record with its id now is another one
    _refuse_clash(session, change, old, row)
    if change.kind == "plan" and row is not None:
        _revert_plan(session, row, old, batch)
        return
    if row is not None:
        before = snapshot(row)
        restore(row, old)
        _keep_treatment(session, row, old)
        session.flush()
        _append(session, "undo", "update", row, before, snapshot(row), undo_of=batch)
        return
    # A deleted record (or an updated one that is gone) comes back, with its old id
    # unless a record (another patient's, perhaps) has been given that id since.
    model = KINDS[change.kind]
    id_taken = session.get(model, change.record_id) is not None
    row = model() if id_taken else model(id=change.record_id)
    restore(row, old)
    row.patient_id = patient_id(session)  # type: ignore[attr-defined]
    _keep_treatment(session, row, old)
    session.add(row)
    session.flush()
    _append(session, "undo", "insert", row, None, snapshot(row), undo_of=batch)


def plan_snapshot(patient: Patient, treatment: TreatmentRow | None) -> dict[str, Any]:
    """What the change log keeps of ``tracker plan`` (kind "plan"), as it always has: the
    patient's name and, while the plan treatment's interval is whole months, that and
    its reminder window."""
    values: dict[str, Any] = {"name": patient.name}
    months = None if treatment is None else _whole_months(treatment.every)
    if treatment is not None and months is not None:
        values.update(every_months=months, within_days=treatment.within_days)
    return values


def record_plan_update(
    session: Session,
    command: str,
    patient: Patient,
    treatment: TreatmentRow | None,
    before_plan: dict[str, Any],
    before_treatment: dict[str, Any] | None,
) -> None:
    """One "plan" entry when it holds the whole change (a plan in months, one treatment's
    worth); otherwise the name as "plan" and the treatment's change as "treatment"."""
    session.flush()
    after_plan = plan_snapshot(patient, treatment)
    whole = treatment is None or (
        set(before_plan) == set(after_plan) and "every_months" in after_plan
    )
    if whole:
        if after_plan != before_plan:
            _append_entry(session, command, "update", "plan", patient.id, before_plan, after_plan)
        return
    names_before, names_after = {"name": before_plan["name"]}, {"name": after_plan["name"]}
    if names_after != names_before:
        _append_entry(session, command, "update", "plan", patient.id, names_before, names_after)
    if before_treatment is not None:
        record_update(session, command, treatment, before_treatment)


def _revert_plan(session: Session, patient: Base, old: dict[str, Any], batch: int) -> None:
    """The name, and the plan a "plan" entry holds (the plan treatment's), put back."""
    assert isinstance(patient, Patient)
    treatment = (
        plan_row_for_writing(PatientScope(session))
        if "every_months" in old
        else plan_row(session, patient.id)
    )
    before = plan_snapshot(patient, treatment)
    patient.name = old["name"]
    if treatment is not None and "every_months" in old:
        treatment.every = f"{old['every_months']}m"
        treatment.within_days = old["within_days"]
    session.flush()
    after = plan_snapshot(patient, treatment)
    _append_entry(session, "undo", "update", "plan", patient.id, before, after, undo_of=batch)


def _whole_months(every: str) -> int | None:
    """ "4m" is 4, "1y" is 12; None for days and weeks (and anything else)."""
    count, unit = every[:-1], every[-1:]
    if not count.isdigit() or unit not in ("m", "y"):
        return None
    return int(count) * (12 if unit == "y" else 1)


def _keep_treatment(session: Session, row: Base, old: dict[str, Any]) -> None:
    """An injection brought back belongs to one of the patient's treatments: the one it
    was logged under while that is theirs (`edit --treatment` undone moves it back);
    else the one it is in; else (an entry from before migration 0008, one imported
    from another database, or a treatment removed since) the one its plan is
    (store.treatments.plan_row)."""
    if not isinstance(row, InjectionSession):
        return
    with session.no_autoflush:
        mine = patient_id(session)
        wanted = old.get("treatment_id")
        owner = session.get(TreatmentRow, wanted) if isinstance(wanted, int) else None
        if owner is not None and owner.patient_id == mine:
            row.treatment_id = owner.id
        elif row.treatment_id is None:
            row.treatment_id = plan_row_for_writing(PatientScope(session)).id


def _own_products(session: Session) -> set[str]:
    """Products a session of the patient's may have besides the known ones: those of their
    treatments, stored or logged (issue 16; tracker.domain.invariants says the same)."""
    from tracker.domain.invariants import logged_treatment_products

    mine = patient_id(session)
    stored = set(
        session.scalars(select(TreatmentRow.product).where(TreatmentRow.patient_id == mine))
    )
    logged = session.execute(
        select(Change.kind, Change.old_values, Change.new_values).where(
            Change.patient_id == mine, Change.kind == "treatment"
        )
    )
    return stored | logged_treatment_products(
        (kind, text) for kind, *texts in logged for text in texts
    )


def _own_record(session: Session, change: Change) -> Base | None:
    """The record an entry names, if it is the current patient's (an id can be reused)."""
    mine = patient_id(session)
    if change.kind == "plan":
        return session.get(Patient, mine)  # the plan is the current patient's own
    row = session.get(KINDS[change.kind], change.record_id)
    if row is None or row.patient_id != mine:  # type: ignore[attr-defined]
        return None
    return row


def _refuse_clash(session: Session, change: Change, old: dict[str, Any], row: Base | None) -> None:
    """What the database's unique rules would refuse, said in words."""
    if change.kind == "plan":
        name = old.get("name")
        other = session.scalar(select(Patient).where(Patient.name == name))
        if other is not None and other is not row:
            raise Conflict(
                f"cannot undo change #{change.batch}: it would rename this patient back to "
                f"{preview(str(name))}, but another patient has that name now; rename that "
                f"patient first (tracker patients rename); nothing was changed"
            )
    elif change.kind == "injection":
        day = date.fromisoformat(old["date"])
        query = select(InjectionSession).where(
            InjectionSession.patient_id == patient_id(session), InjectionSession.date == day
        )
        # One session a day per treatment; an entry from before migration 0008 names
        # none, and then the patient had one.
        if old.get("treatment_id") is not None:
            query = query.where(InjectionSession.treatment_id == old["treatment_id"])
        other = session.scalar(query.limit(1))
        if other is not None and other is not row:
            raise Conflict(
                f"cannot undo change #{change.batch}: it would bring back the injection "
                f"session of {day.isoformat()}, but session #{other.id} is on that date now "
                f"(tracker keeps one a day); nothing was changed"
            )


def _logged_values(change: Change, values: str | None) -> dict[str, Any] | None:
    try:
        loaded = _loaded(values)
    except ValueError:
        raise _unusable(change, "values that are not valid JSON") from None
    if loaded is not None and not isinstance(loaded, dict):
        raise _unusable(change, "values that are not an object")
    return loaded


def _unusable(change: Change, why: str) -> InvalidInput:
    return InvalidInput(
        f"cannot undo change #{change.batch}: its log entry #{change.id} holds {why}; "
        f"run tracker check; nothing was changed"
    )


def change_records(session: Session) -> list[ChangeRecord]:
    query = select(Change).where(Change.patient_id == patient_id(session)).order_by(Change.id)
    return [to_record(change) for change in session.scalars(query)]


def to_record(change: Change) -> ChangeRecord:
    return ChangeRecord(
        id=change.id,
        batch=change.batch if change.batch is not None else change.id,
        at=change.at,
        command=change.command,
        action=change.action,
        kind=change.kind,
        record_id=change.record_id,
        old=None if change.old_values is None else json.loads(change.old_values),
        new=None if change.new_values is None else json.loads(change.new_values),
        undo_of=change.undo_of,
    )


def record_spans(session: Session, command: str, spans: list[tuple[str, RecordSpan]]) -> None:
    """Many inserts of an import: one entry per kind for the span of ids it added,
    all in one batch (tracker.domain.change_spans says why)."""
    for kind, span in spans:
        _append_entry(session, command, "insert", kind, span.first_id, None, span.values())


def _revert_span(session: Session, change: Change, span: RecordSpan, batch: int) -> None:
    """Remove every record of the span at once; the undo is logged as one entry too."""
    table = KINDS[change.kind].__table__
    session.flush()
    # An injection session's sites go with it (ON DELETE CASCADE).
    session.execute(
        delete(table).where(
            table.c.patient_id == patient_id(session),
            table.c.id.between(span.first_id, span.last_id),
        )
    )
    _append_entry(
        session, "undo", "delete", change.kind, span.first_id, span.values(), None, undo_of=batch
    )


def _append_entry(
    session: Session,
    command: str,
    action: str,
    kind: str,
    record_id: int,
    old: dict[str, Any] | None,
    new: dict[str, Any] | None,
    undo_of: int | None = None,
) -> None:
    """One entry of the log; the record is named by its kind and id."""
    change = Change(
        patient_id=patient_id(session),
        batch=session.info.get(_BATCH_KEY),
        at=datetime.now(UTC).isoformat(timespec="seconds"),
        command=command,
        action=action,
        kind=kind,
        record_id=record_id,
        old_values=None if old is None else _dump(old),
        new_values=None if new is None else _dump(new),
        undo_of=undo_of,
    )
    session.add(change)
    if change.batch is None:
        # The first change of a transaction names the batch after itself: unique on
        # every backend without a sequence of its own.
        session.flush()
        change.batch = change.id
        session.info[_BATCH_KEY] = change.id


def dumped(values: dict[str, Any] | None) -> str | None:
    """Logged values as stored (an imported trail is stored as written here)."""
    return None if values is None else _dump(values)


def _loaded(values: str | None) -> dict[str, Any] | None:
    return None if values is None else json.loads(values)


def _to_json(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return int(value)  # 200 units, written as in every other export
    return value


def _dump(values: dict[str, Any]) -> str:
    return json.dumps(values, sort_keys=True, ensure_ascii=False)
