"""The CSV export: every record as one row, for a spreadsheet.

Columns, always all of them and in this order (a record leaves the columns that
are not its own empty)::

    type, id, date, product, units, sites, provider, lot, score, function,
    text, class, severity, resolved, time, status, note, treatment

- ``type`` is ``injection``, ``pain``, ``effect`` or ``appointment``; rows come
  in that order, each type oldest first (as in the JSON export).
- Dates are ISO (``2026-11-24``); units are plain numbers (``200``, ``12.5``).
- ``sites`` is ``muscle:units; muscle:units`` as in ``tracker history --csv``;
  ``resolved`` is the date an effect went away; ``note`` comes after the
  record's values because it is the longest free text.
- ``treatment`` (issue 16) is the name of an
  injection's treatment, empty on other rows. It was added after ``note``, so
  every column before it keeps its place for a spreadsheet or script that reads
  the columns by position.

Encoding: plain UTF-8 without a byte-order mark, RFC 4180 quoting and CRLF line
ends. A BOM would help only old Excel guess the encoding, and it sticks to the
first column name ("\\ufefftype") in most other readers (Python's csv, pandas,
R, command-line tools), breaking the ``type`` column for them; LibreOffice,
Numbers, Google Sheets and Excel's "From Text/CSV" read UTF-8 as it is.

Safety: a text cell beginning with ``=``, ``+``, ``-``, ``@``, tab or carriage
return is prefixed with ``'`` so a spreadsheet shows it instead of running it
as a formula ("CSV injection": notes and names are typed by people). Numbers
are written by tracker itself and are never negative, so they are left alone.

The whole clinic (``tracker export --all``) has the same columns after a
first one, ``patient``: the name ``--patient`` knows the patient by. Patients
come in the order they were added, each with all their rows (in the order
above) before the next; a patient without records in the period has no rows.

Rows are written as the records are read from the database, never gathered
in memory first.

The CSV is for reading; ``tracker import`` reads only the JSON export.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from typing import Any, BinaryIO

from tracker.export import json_export
from tracker.export.model import ClinicRecords, PainRow, PatientRecords, Report
from tracker.export.streaming import Advance, Utf8Writer, counted, nobody_watching, to_bytes

COLUMNS = (
    "type",
    "id",
    "date",
    "product",
    "units",
    "sites",
    "provider",
    "lot",
    "score",
    "function",
    "text",
    "class",
    "severity",
    "resolved",
    "time",
    "status",
    "note",
    "treatment",
)
CLINIC_COLUMNS = ("patient", *COLUMNS)
_POSITIONS = {column: position for position, column in enumerate(COLUMNS)}
# Characters that make a spreadsheet treat a cell as a formula (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def render(report: Report) -> bytes:
    return to_bytes(lambda out: write(report.records(), out))


def write(records: PatientRecords, out: BinaryIO, advance: Advance = nobody_watching) -> int:
    """One patient's rows, written to ``out`` as they are read; returns the size in bytes."""
    text = Utf8Writer(out)
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    _write_records(text, writer, records, (), advance)
    return text.close()


def write_clinic(clinic: ClinicRecords, out: BinaryIO, advance: Advance = nobody_watching) -> int:
    """Every patient's rows, each led by the patient's name; returns the size in bytes."""
    text = Utf8Writer(out)
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(CLINIC_COLUMNS)
    for records in clinic.patients:
        _write_records(text, writer, records, (cell(records.patient),), advance)
    return text.close()


def _write_records(
    text: Utf8Writer,
    writer: Any,
    records: PatientRecords,
    lead: tuple[str, ...],
    advance: Advance,
) -> None:
    """One patient's rows, each led by ``lead`` (the clinic's patient column)."""
    if records.pain_rows is None:
        writer.writerows([*lead, *line(row)] for row in rows(records, advance))
        return
    # The fast path: the pain diary as the store's plain tuples, in its place
    # after the injections.
    writer.writerows([*lead, *line(row)] for row in _injections(records, advance))
    _write_pain_rows(text, records.pain_rows, lead, advance)
    writer.writerows([*lead, *line(row)] for row in _after_pain(records, advance))


def _write_pain_rows(
    text: Utf8Writer, batches: Iterable[list[PainRow]], lead: tuple[str, ...], advance: Advance
) -> None:
    """The lines csv.writer writes for line() of these entries, a batch at a time.

    Of a pain row's cells only the patient's name and the note can hold a
    character that needs quoting (ids and scores are numbers, the date is ISO),
    so those two go through csv.writer itself and the rest is a template:
    patient, type, id, date, five empty cells (product to lot), score,
    function, six empty cells (text to status), note, an empty treatment.
    """
    start = "".join(_quoted(cell) + "," for cell in lead).replace("%", "%%")
    template = start + "pain,%s,%s,,,,,,%s,%s,,,,,,,%s,\r\n"
    for batch in batches:
        text.write(
            "".join(
                [
                    template
                    % (
                        id_,
                        day,
                        score,
                        "" if function is None else function,
                        "" if note is None else _quoted(neutralised(note)),
                    )
                    for id_, day, score, function, note in batch
                ]
            )
        )
        advance(len(batch))


def _quoted(cell: str) -> str:
    """The cell as csv.writer writes it inside a row (quoted only where it must be)."""
    if not cell:
        return cell  # alone on a line csv would write "", inside a row nothing
    lines: list[str] = []
    collector = _Collector(lines)
    # The row's own line end: csv quotes a cell holding any of its characters.
    csv.writer(collector, lineterminator="\r\n").writerow((cell,))
    return lines[0][:-2]


class _Collector:
    def __init__(self, lines: list[str]) -> None:
        self.write = lines.append


def rows(records: PatientRecords, advance: Advance = nobody_watching) -> Iterator[dict[str, Any]]:
    """The JSON export's records, flattened: same fields, same values."""
    yield from _injections(records, advance)
    for record in counted(records.pain, advance):
        yield {"type": "pain", **json_export.pain(record)}
    yield from _after_pain(records, advance)


def _injections(records: PatientRecords, advance: Advance) -> Iterator[dict[str, Any]]:
    for record in counted(records.injections, advance):
        row = json_export.session(record)
        row["sites"] = sites_cell(row["sites"])
        yield {"type": "injection", **row}


def _after_pain(records: PatientRecords, advance: Advance) -> Iterator[dict[str, Any]]:
    for effect in counted(records.effects, advance):
        yield {"type": "effect", **json_export.effect_record(effect)}
    for appointment in counted(records.appointments, advance):
        yield {"type": "appointment", **json_export.appointment(appointment)}


def line(row: dict[str, Any]) -> list[str]:
    """The row's cells in COLUMNS order; a field that is not a column (an effect's
    matched ``term``) is left out, as are the columns that are not the record's."""
    cells = [""] * len(COLUMNS)
    for key, value in row.items():
        position = _POSITIONS.get(key)
        if position is not None and value is not None:
            cells[position] = cell(value)
    return cells


def sites_cell(sites: list[dict[str, Any]]) -> str:
    return "; ".join(
        site["muscle"] if site["units"] is None else f"{site['muscle']}:{site['units']}"
        for site in sites
    )


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return neutralised(value)
    return str(value)


def neutralised(text: str) -> str:
    """Text a spreadsheet would run as a formula, made into plain text."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text
