"""The CSV export: every record as one row, for a spreadsheet.

Columns, always all of them and in this order (a record leaves the columns that
are not its own empty)::

    type, id, date, product, units, sites, provider, lot, score, function,
    text, class, severity, resolved, time, status, note

- ``type`` is ``injection``, ``pain``, ``effect`` or ``appointment``; rows come
  in that order, each type oldest first (as in the JSON export).
- Dates are ISO (``2026-11-24``); units are plain numbers (``200``, ``12.5``).
- ``sites`` is ``muscle:units; muscle:units`` as in ``tracker history --csv``;
  ``resolved`` is the date an effect went away; ``note`` comes last because it
  is the longest free text.

Encoding: plain UTF-8 without a byte-order mark, RFC 4180 quoting and CRLF line
ends. A BOM would help only old Excel guess the encoding, and it sticks to the
first column name ("\\ufefftype") in most other readers (Python's csv, pandas,
R, command-line tools), breaking the ``type`` column for them; LibreOffice,
Numbers, Google Sheets and Excel's "From Text/CSV" read UTF-8 as it is.

Safety: a text cell beginning with ``=``, ``+``, ``-``, ``@``, tab or carriage
return is prefixed with ``'`` so a spreadsheet shows it instead of running it
as a formula ("CSV injection": notes and names are typed by people). Numbers
are written by tracker itself and are never negative, so they are left alone.

The CSV is for reading; ``tracker import`` reads only the JSON export.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from tracker.export import json_export
from tracker.export.model import Report

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
)
# Characters that make a spreadsheet treat a cell as a formula (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def render(report: Report) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows(report):
        writer.writerow(cell(row.get(column)) for column in COLUMNS)
    return buffer.getvalue().encode("utf-8")


def rows(report: Report) -> Iterator[dict[str, Any]]:
    """The JSON export's records, flattened: same fields, same values."""
    for record in report.injections:
        row = json_export.injection(record)
        row["sites"] = sites_cell(row["sites"])
        yield {"type": "injection", **row}
    for record in report.pain:
        yield {"type": "pain", **json_export.pain(record)}
    for view in report.effects:
        yield {"type": "effect", **json_export.effect(view)}
    for record in report.appointments:
        yield {"type": "appointment", **json_export.appointment(record)}


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
