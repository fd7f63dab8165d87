"""The JSON export: the complete, lossless history, and the file ``tracker import`` reads.

Layout (format "tracker", version 2)::

    {"format": "tracker", "version": 2, "generated_at": DATE, "since": DATE|null,
     "until": DATE|null, "patient": {"name", "uuid"},
     "plan": {"every_months", "within_days"},
     "treatments": [{"id", "name", "product", "every", "within_days", "sites": [SITE]}],
     "injections": [{"id", "date", "treatment", "product", "units",
                     "sites": [{"muscle", "units"}], "provider", "lot", "note"}],
     "pain": [{"id", "date", "score", "function", "note"}],
     "effects": [{"id", "date", "text", "term", "class", "severity", "note", "resolved"}],
     "appointments": [{"id", "date", "time", "provider", "note", "status"}],
     "changes": [{"id", "batch", "at", "command", "action", "kind", "record_id",
                  "old", "new", "undo_of"}]}

``treatments`` are the patient's treatments, oldest first: ``every`` is the
interval as tracker writes it ("3m", "12w", "28d", "1y"), ``sites`` the
rotation in order ([] for none). Each session names its ``treatment``. ``plan``
is the pain treatment's interval and reminder window (tracker.domain.treatments
.pain_treatment; tracker's defaults when there is no treatment), kept as version
1 wrote it so a program that reads only the plan still finds it;
``every_months`` is null when the interval is not whole months.

``tracker export --treatment NAME`` writes only that treatment (and its
sessions; the diary, side effects and appointments are the patient's) and,
like a period, no change log.

Version 1 (before issue 16) had no ``treatments`` and no session ``treatment``:
the plan was the patient's, and every session belonged to it.

``changes`` is the audit trail (old and new values of every change), written
only when the export is not limited by --since/--until (or --treatment).

The whole clinic (``tracker export --all``; format "tracker-clinic-export",
version 2) is every patient's object above, whole, in the order the patients
were added, so any one of them can be cut out and imported on its own::

    {"format": "tracker-clinic-export", "version": 2, "generated_at": DATE,
     "since": DATE|null, "until": DATE|null, "patients": [{"format": "tracker", ...}]}

Only stored fields are written, never derived ones (cycle day, "persistent",
advice, due dates): those depend on the day the file is made, and then two
exports of the same records would differ. So ``generated_at`` is the only
value that changes from one day to the next. Keys are sorted and the layout is
fixed, so equal records give byte-equal files (handy for diffs and backups):
exactly what ``json.dumps(document, indent=2, sort_keys=True,
ensure_ascii=False)`` writes, though it is written record by record as the
records are read (see ``_write_value``), never built whole in memory.

The record dicts are shared with the CSV export, so the two cannot disagree.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from functools import cache
from json.encoder import encode_basestring  # type: ignore[attr-defined]
from typing import Any, BinaryIO

from tracker.domain.appointments import AppointmentRecord
from tracker.domain.records import (
    ChangeRecord,
    EffectRecord,
    InjectionRecord,
    PainRecord,
)
from tracker.domain.wording import iso
from tracker.export.model import (
    CLINIC_FORMAT,
    CLINIC_VERSION,
    REPORT_FORMAT,
    REPORT_VERSION,
    ClinicRecords,
    PainRow,
    PatientRecords,
    Report,
    TreatmentRecord,
)
from tracker.export.streaming import Advance, Utf8Writer, counted, nobody_watching, to_bytes

INDENT = "  "


def render(report: Report) -> bytes:
    return to_bytes(lambda out: write(report.records(), out))


def write(records: PatientRecords, out: BinaryIO, advance: Advance = nobody_watching) -> int:
    """One patient's export, written to ``out`` as its records are read; returns its size."""
    return _write_document(document(records, advance), out)


def write_clinic(clinic: ClinicRecords, out: BinaryIO, advance: Advance = nobody_watching) -> int:
    """Every patient's export inside one clinic document; returns its size."""
    return _write_document(
        {
            "format": CLINIC_FORMAT,
            "version": CLINIC_VERSION,
            "generated_at": clinic.generated_on.isoformat(),
            "since": iso(clinic.since),
            "until": iso(clinic.until),
            "patients": Rows(document(records, advance) for records in clinic.patients),
        },
        out,
    )


def document(records: PatientRecords, advance: Advance = nobody_watching) -> dict[str, Any]:
    """The export's object; its record lists are :class:`Rows`, read while written."""

    def rows(
        items: Iterable[Any],
        to_json: Callable[[Any], dict[str, Any]],
        flat: bool,
        listed: str | None = None,
    ) -> Rows:
        return Rows(map(to_json, counted(items, advance)), flat=flat, listed=listed)

    return {
        "format": REPORT_FORMAT,
        "version": REPORT_VERSION,
        "generated_at": records.generated_on.isoformat(),
        "since": iso(records.since),
        "until": iso(records.until),
        "patient": {"name": records.plan.patient_name, "uuid": records.patient_uuid or None},
        "plan": {
            "every_months": records.plan.every_months,
            "within_days": records.plan.within_days,
        },
        # A handful: written whole.
        "treatments": [treatment(each) for each in records.treatments],
        "injections": rows(records.injections, session, flat=False, listed="sites"),
        "pain": (
            rows(records.pain, pain, flat=True)
            if records.pain_rows is None
            else PainRows(records.pain_rows, advance)
        ),
        "effects": rows(records.effects, effect_record, flat=True),
        "appointments": rows(records.appointments, appointment, flat=True),
        # The change log is not a record: it is written, but not counted.
        "changes": Rows(map(change, records.changes)),
    }


# --- writing a document as json.dumps(indent=2, sort_keys=True) would ---------


class Rows:
    """A list in a document whose items are produced (read, converted) as it is written.

    ``flat``: every item is a non-empty dict of plain values (no dict or list
    inside), which is written by the fast path. ``listed``: every item is such
    a dict but for this key, whose value is a list of such dicts (an
    injection's sites), also written by a fast path. The byte-for-byte tests
    compare the result with json.dumps.
    """

    def __init__(self, items: Iterable[Any], flat: bool = False, listed: str | None = None) -> None:
        self.items = items
        self.flat = flat
        self.listed = listed


class PainRows:
    """The pain diary as the store's batches of plain tuples (the fast path)."""

    def __init__(self, batches: Iterable[list[PainRow]], advance: Advance) -> None:
        self.batches = batches
        self.advance = advance


def _write_document(value: dict[str, Any], out: BinaryIO) -> int:
    text = Utf8Writer(out)
    _write_value(text, value, 0)
    text.write("\n")
    return text.close()


def _write_value(out: Utf8Writer, value: Any, level: int) -> None:
    """``value`` at nesting ``level``, byte for byte as json.dumps(indent=2) nests it."""
    if isinstance(value, Rows):
        _write_rows(out, value, level)
    elif isinstance(value, PainRows):
        _write_pain_rows(out, value, level)
    elif isinstance(value, dict) and any(
        isinstance(item, Rows | PainRows) for item in value.values()
    ):
        _write_object(out, value, level)
    else:
        out.write(_encoded(value, level))


def _write_object(out: Utf8Writer, value: dict[str, Any], level: int) -> None:
    inner = "\n" + INDENT * (level + 1)
    for position, key in enumerate(sorted(value)):
        name = json.dumps(key, ensure_ascii=False)
        out.write(("{" if position == 0 else ",") + inner + name + ": ")
        _write_value(out, value[key], level + 1)
    out.write("\n" + INDENT * level + "}")


def _write_rows(out: Utf8Writer, rows: Rows, level: int) -> None:
    inner = "\n" + INDENT * (level + 1)
    first, between = "[" + inner, "," + inner
    separator = first
    if rows.flat or rows.listed:
        # The hot loop: millions of pain entries in a clinic export.
        encode = (
            _flat_encoder(level + 1)
            if rows.listed is None
            else _listing_encoder(level + 1, rows.listed)
        )
        for item in rows.items:
            out.write(separator + encode(item))
            separator = between
    else:
        for item in rows.items:
            out.write(separator)
            _write_value(out, item, level + 1)
            separator = between
    out.write("[]" if separator == first else "\n" + INDENT * level + "]")


def _write_pain_rows(out: Utf8Writer, rows: PainRows, level: int) -> None:
    """What _write_rows writes for the same entries as ``pain`` dicts, a batch at a time.

    One %-template per entry, its keys already sorted and indented: the values
    are numbers, an ISO date, null or a note, which json's own string encoder
    escapes exactly as json.dumps(ensure_ascii=False) does.
    """
    inner = "\n" + INDENT * (level + 1)
    field = "\n" + INDENT * (level + 2)
    template = (
        "{" + field + '"date": "%s",' + field + '"function": %s,' + field + '"id": %s,'
        + field + '"note": %s,' + field + '"score": %s' + inner + "}"
    )  # fmt: skip
    between = "," + inner
    quote = encode_basestring
    separator = "[" + inner
    for batch in rows.batches:
        if not batch:
            continue
        out.write(
            separator
            + between.join(
                [
                    template
                    % (
                        day,
                        "null" if function is None else function,
                        id_,
                        "null" if note is None else quote(note),
                        score,
                    )
                    for id_, day, score, function, note in batch
                ]
            )
        )
        separator = between
        rows.advance(len(batch))
    out.write("[]" if separator != between else "\n" + INDENT * level + "]")


def _encoded(value: Any, level: int) -> str:
    """A value holding no Rows, as json.dumps(indent=2) writes it ``level`` deep."""
    text = json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False)
    return text.replace("\n", "\n" + INDENT * level) if level else text


@cache
def _flat_encoder(level: int) -> Callable[[dict[str, Any]], str]:
    """A flat dict as json.dumps(indent=2) writes it ``level`` deep, seven times faster.

    Without indent, json uses its C encoder; a line break and the indent of the
    keys as item separator give the same text for a dict with nothing nested.
    """
    inner, outer = "\n" + INDENT * (level + 1), "\n" + INDENT * level
    compact = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=("," + inner, ": "))

    def encoded(value: dict[str, Any]) -> str:
        return "{" + inner + compact.encode(value)[1:-1] + outer + "}"

    return encoded


# Stands in for the list while the rest of the dict is encoded flat. Any text
# would do: it is found by the line break before its key, which no encoded
# string holds.
_HOLE = "\x00"


@cache
def _listing_encoder(level: int, key: str) -> Callable[[dict[str, Any]], str]:
    """A dict of plain values but for ``key``, a list of flat dicts, as json.dumps(indent=2)
    writes it ``level`` deep: the rest encoded flat, the list spliced in where it goes."""
    flat = _flat_encoder(level)
    item = _flat_encoder(level + 2)
    named = "\n" + INDENT * (level + 1) + json.dumps(key, ensure_ascii=False) + ": "
    hole = named + json.dumps(_HOLE, ensure_ascii=False)
    first = "[\n" + INDENT * (level + 2)
    between = ",\n" + INDENT * (level + 2)
    last = "\n" + INDENT * (level + 1) + "]"

    def encoded(value: dict[str, Any]) -> str:
        items = value[key]
        listed = first + between.join(map(item, items)) + last if items else "[]"
        return flat({**value, key: _HOLE}).replace(hole, named + listed, 1)

    return encoded


# --- one record each ---------------------------------------------------------


def change(record: ChangeRecord) -> dict[str, Any]:
    return {
        "id": record.id,
        "batch": record.batch,
        "at": record.at,
        "command": record.command,
        "action": record.action,
        "kind": record.kind,
        "record_id": record.record_id,
        "old": record.old,
        "new": record.new,
        "undo_of": record.undo_of,
    }


def number(value: float | None) -> int | float | None:
    """200.0 is written 200, 12.5 stays 12.5 (units are stored as floats)."""
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


def treatment(record: TreatmentRecord) -> dict[str, Any]:
    stored = record.treatment
    return {
        "id": record.id,
        "name": stored.name,
        "product": stored.product,
        "every": stored.interval.text,
        "within_days": stored.within_days,
        "sites": list(stored.sites),
    }


def session(record: InjectionRecord) -> dict[str, Any]:
    """An injection session as the export writes it: with its treatment's name."""
    return {**injection(record), "treatment": record.treatment}


def injection(record: InjectionRecord) -> dict[str, Any]:
    """A session's own fields, as `log`, `edit` and `history --json` show them too."""
    return {
        "id": record.id,
        "date": record.day.isoformat(),
        # str(): a known product's code, or a product tracker knows no rules for as typed.
        "product": str(record.product),
        "units": number(record.units),
        "sites": [{"muscle": site.muscle, "units": number(site.units)} for site in record.sites],
        "provider": record.provider,
        "lot": record.lot,
        "note": record.note,
    }


def pain(record: PainRecord) -> dict[str, Any]:
    return {
        "id": record.id,
        "date": record.day.isoformat(),
        "score": record.score,
        "function": record.function,
        "note": record.note,
    }


def effect_record(record: EffectRecord) -> dict[str, Any]:
    # Only the stored record, never an EffectView: its cycle day and "persistent"
    # depend on today.
    return {
        "id": record.id,
        "date": record.day.isoformat(),
        "text": record.text,
        "term": record.term,
        "class": record.effect_class.value,
        "severity": None if record.severity is None else record.severity.value,
        "note": record.note,
        "resolved": iso(record.resolved_on),
    }


def appointment(record: AppointmentRecord) -> dict[str, Any]:
    return {
        "id": record.id,
        "date": record.day.isoformat(),
        "time": record.time,
        "provider": record.provider,
        "note": record.note,
        # "missed" only where a command worked it out for today; an export keeps
        # the stored status, so it imports back exactly.
        "status": record.shown_status,
    }
