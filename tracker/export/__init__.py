"""Renderers for the doctor's report and the data exports.

Every renderer takes the same :class:`tracker.export.model.Report` and returns
bytes, so the PDF, the HTML page and the data files cannot disagree.

The data formats (JSON, CSV) hold only stored records, so they are also
written straight from the model's stored part, :class:`PatientRecords`, with
its records streamed from the database while the file is written; they alone
can export every patient at once (:class:`ClinicRecords`).

This module is the registry of formats, and light to import: the command
line builds its ``--format`` choices from :data:`FORMATS` when it starts, and
the model and the renderers are loaded only when a format is used.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from pathlib import PurePath
from types import ModuleType
from typing import TYPE_CHECKING, BinaryIO

from tracker.domain.errors import InvalidInput

if TYPE_CHECKING:
    from tracker.export.model import ClinicRecords, PatientRecords, Report
    from tracker.export.streaming import Advance

# Every format `tracker export --format` offers, in the order its help lists them.
FORMATS = ("pdf", "html", "csv", "json", "fhir", "ics")
BINARY_FORMATS = frozenset({"pdf"})
# Written record by record as the database is read; no review or due date needed.
STREAMED_FORMATS = frozenset({"json", "csv"})
EXTENSIONS = {
    ".pdf": "pdf",
    ".html": "html",
    ".htm": "html",
    ".csv": "csv",
    ".json": "json",
    ".ics": "ics",
}
_MODULES = {
    "pdf": "pdf",
    "html": "html",
    "csv": "csv_export",
    "json": "json_export",
    "fhir": "fhir",
    "ics": "ics",
}


def resolve_format(fmt: str | None, output: str | None) -> str:
    """--format wins; else the output file's extension; else JSON."""
    if fmt:
        return fmt.lower()
    if output is None:
        return "json"
    suffix = PurePath(output).suffix.lower()
    if suffix not in EXTENSIONS:
        known = " ".join(sorted(EXTENSIONS))
        raise InvalidInput(
            f"cannot tell the format from '{PurePath(output).name}' (known endings: {known}); "
            "add --format"
        )
    return EXTENSIONS[suffix]


def renderer(fmt: str) -> Callable[[Report], bytes]:
    """The format's render function, imported only when that format is asked for."""
    module = import_module(f"tracker.export.{_MODULES[fmt]}")
    return module.render


# Each returns the number of bytes written.
RecordsWriter = Callable[["PatientRecords", BinaryIO, "Advance"], int]
ClinicWriter = Callable[["ClinicRecords", BinaryIO, "Advance"], int]


def records_writer(fmt: str) -> RecordsWriter:
    """For a STREAMED_FORMATS format: writes one patient's records as they are read."""
    return _streamed(fmt).write


def clinic_writer(fmt: str) -> ClinicWriter:
    """For a STREAMED_FORMATS format: writes every patient's records as they are read."""
    return _streamed(fmt).write_clinic


def _streamed(fmt: str) -> ModuleType:
    if fmt not in STREAMED_FORMATS:
        raise InvalidInput(f"{fmt.upper()} is not written record by record")
    return import_module(f"tracker.export.{_MODULES[fmt]}")
