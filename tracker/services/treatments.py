"""A patient's treatments (issue 16): list, add, rename, edit, remove.

Each use case is one transaction, logged in the change log (kind "treatment")
so that `tracker undo` takes it back; removing a treatment with its injections
logs every session it deletes, so undo brings them back too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from tracker.domain.errors import Conflict, InvalidInput
from tracker.domain.intervals import Interval, check_minimum
from tracker.domain.products import any_profile, is_known, profiles
from tracker.domain.rotation import SiteUse, next_site
from tracker.domain.schedule import DEFAULT_REMINDER_DAYS, Due
from tracker.domain.text import clean_text, preview
from tracker.domain.treatments import (
    Treatment,
    check_unused_name,
    clean_treatment_name,
    find_treatment,
)
from tracker.store import audit
from tracker.store.database import Database
from tracker.store.models import InjectionSession, TreatmentRow
from tracker.store.queries import due_picture
from tracker.store.scope import PatientScope
from tracker.store.treatments import (
    apply_treatment,
    new_treatment_row,
    to_treatment,
    treatment_rows,
)

PRODUCT_MAX_LENGTH = 500  # the column's (tracker.domain.text.LABEL_MAX_LENGTH)


@dataclass(frozen=True)
class TreatmentView:
    """A treatment as `tracker treatments` lists it."""

    treatment: Treatment
    due: Due
    sessions: int
    next_site: str | None  # with a rotation: the site suggested next


@dataclass(frozen=True)
class ChangedTreatment:
    treatment: Treatment
    # The product tracker knows no label rules for, when the command named one.
    unknown_product: str | None = None


def no_rules_note(product: str) -> str:
    """What tracker says, once, of a product it knows no label rules for (issue 16)."""
    return (
        f"tracker knows no label rules for {preview(product)}: "
        "no minimum interval or dose ceiling is checked"
    )


# --- reading ----------------------------------------------------------------


def list_treatments(db: Database, today: date) -> list[TreatmentView]:
    """The current patient's treatments, oldest first, each with its due date."""
    with db.transaction() as session:
        records = PatientScope(session)
        return [
            TreatmentView(
                to_treatment(row),
                treatment_due(records, row, today),
                _session_count(records, row),
                suggested_site(records, row),
            )
            for row in treatment_rows(session, records.patient_id)
        ]


def treatment_due(records: PatientScope, row: TreatmentRow, today: date) -> Due:
    """The treatment's Due on ``today`` (appointments count for the pain treatment only)."""
    return due_picture(records, today, row.id).due(today)


def suggested_site(records: PatientScope, row: TreatmentRow) -> str | None:
    """The rotation's next site (domain.rotation.next_site) over the treatment's sessions."""
    sites = to_treatment(row).sites
    if not sites:
        return None
    sessions = records.all(InjectionSession, InjectionSession.treatment_id == row.id)
    used = [SiteUse(site.muscle, one.date) for one in sessions for site in one.sites]
    return next_site(sites, used)


def _session_count(records: PatientScope, row: TreatmentRow) -> int:
    return len(records.all(InjectionSession, InjectionSession.treatment_id == row.id))


def named_row(records: PatientScope, name: str) -> TreatmentRow:
    """The patient's treatment called ``name`` (case and spaces ignored); else NotFound
    naming the treatments there are."""
    rows = treatment_rows(records.session, records.patient_id)
    found = find_treatment([to_treatment(row) for row in rows], name)
    return next(row for row in rows if row.name == found.name)


# --- the product ------------------------------------------------------------


def stored_product(typed: str) -> str:
    """A known product's code whatever its case ("Xeomin" is "xeomin"); any other
    product as typed, without the spaces around it."""
    product = clean_text(typed.strip(), "product", PRODUCT_MAX_LENGTH, multiline=False)
    if not product:
        raise InvalidInput("the product is empty; name it, like 'botox' or 'hydroxocobalamin'")
    code = product.casefold()
    return code if is_known(code) else product


def product_for_new(name: str, typed: str | None) -> str:
    """``--product`` as stored; without it, the name when it is a known product's code
    ("xeomin"), else an error asking for --product (a guess could put a B12 treatment
    under Botox's rules)."""
    if typed is not None:
        return stored_product(typed)
    code = name.strip().casefold()
    if is_known(code):
        return code
    known = ", ".join(profile.code for profile in profiles())
    raise InvalidInput(
        f"name the product of {preview(name.strip())} with --product (known: {known}; "
        "any other name is accepted as typed)"
    )


def _check_interval(interval: Interval, products: Sequence[str]) -> None:
    """The 12-week rule (and any label minimum) of every product that holds."""
    for product in products:
        check_minimum(interval, any_profile(product))


# --- writing ----------------------------------------------------------------


def add_treatment(
    db: Database,
    name: str,
    product: str | None = None,
    every: Interval | None = None,
    within_days: int | None = None,
    sites: tuple[str, ...] = (),
) -> ChangedTreatment:
    name = clean_treatment_name(name)
    code = product_for_new(name, product)
    profile = any_profile(code)
    interval = every or Interval(profile.default_interval_months, "m")
    _check_interval(interval, [code])
    treatment = Treatment(
        name,
        code,
        interval,
        DEFAULT_REMINDER_DAYS if within_days is None else within_days,
        sites,
    )
    with db.transaction() as session:
        records = PatientScope(session)
        existing = [row.name for row in treatment_rows(session, records.patient_id)]
        check_unused_name(name, existing)
        row = apply_treatment(new_treatment_row(records.patient_id), treatment)
        session.add(row)
        audit.record_insert(session, "treatments", row)
        return ChangedTreatment(treatment, None if is_known(code) else code)


def rename_treatment(db: Database, old: str, new: str) -> tuple[str, str]:
    """The stored name before and after."""
    new = clean_treatment_name(new)
    with db.transaction() as session:
        records = PatientScope(session)
        row = named_row(records, old)
        existing = [other.name for other in treatment_rows(session, records.patient_id)]
        check_unused_name(new, existing, renaming=row.name)
        before_name, before = row.name, audit.snapshot(row)
        row.name = new
        audit.record_update(session, "treatments", row, before)
        return before_name, new


def edit_treatment(
    db: Database,
    name: str,
    product: str | None = None,
    every: Interval | None = None,
    within_days: int | None = None,
    sites: tuple[str, ...] | None = None,
) -> ChangedTreatment:
    """Change what is given; what is not given stays as it is."""
    code = None if product is None else stored_product(product)
    with db.transaction() as session:
        records = PatientScope(session)
        row = named_row(records, name)
        current = to_treatment(row)
        changed = replace(
            current,
            product=current.product if code is None else code,
            interval=current.interval if every is None else every,
            within_days=current.within_days if within_days is None else within_days,
            sites=current.sites if sites is None else sites,
        )
        if code is not None or every is not None:
            latest = _latest_product(records, row)
            _check_interval(changed.interval, [changed.product, *filter(None, [latest])])
        before = audit.snapshot(row)
        apply_treatment(row, changed)
        audit.record_update(session, "treatments", row, before)
        unknown = code if code is not None and not is_known(code) else None
        return ChangedTreatment(changed, unknown)


def _latest_product(records: PatientScope, row: TreatmentRow) -> str | None:
    """The product of the treatment's latest session: its label rules hold until the next."""
    return records.session.scalar(
        records.select(InjectionSession, InjectionSession.product)
        .where(InjectionSession.treatment_id == row.id)
        .order_by(InjectionSession.date.desc())
        .limit(1)
    )


def removable_sessions(db: Database, name: str, with_records: bool) -> tuple[str, int]:
    """The treatment's stored name and how many injection sessions removing it deletes;
    raises what would refuse it (asked before the user is asked to confirm)."""
    with db.transaction() as session:
        records = PatientScope(session)
        row = named_row(records, name)
        return row.name, _check_removable(records, row, with_records)


def _check_removable(records: PatientScope, row: TreatmentRow, with_records: bool) -> int:
    count = _session_count(records, row)
    if count and not with_records:
        raise Conflict(
            f"the treatment {preview(row.name)} has {count} injection session(s); "
            "to delete them too, add --with-records"
        )
    return count


def remove_treatment(db: Database, name: str, with_records: bool) -> tuple[str, int]:
    """Remove the treatment (and, with ``with_records``, its sessions), all logged so
    `tracker undo` brings them back. The stored name, and how many sessions went."""
    with db.transaction() as session:
        records = PatientScope(session)
        row = named_row(records, name)
        count = _check_removable(records, row, with_records)
        for one in records.all(InjectionSession, InjectionSession.treatment_id == row.id):
            audit.record_delete(session, "treatments", one)
            session.delete(one)
        session.flush()  # the sessions go before the treatment they name
        audit.record_delete(session, "treatments", row)
        session.delete(row)
        return row.name, count


def several_treatments_error(rows: Sequence[TreatmentRow]) -> InvalidInput:
    """Refusing to guess which of several treatments a session belongs to."""
    names = ", ".join(preview(row.name) for row in rows)
    return InvalidInput(
        f"this patient has {len(rows)} treatments ({names}); "
        "say which with --treatment NAME; nothing was stored"
    )
