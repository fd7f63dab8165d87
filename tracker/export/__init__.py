"""Renderers for the doctor's report and the data exports.

Every renderer takes the same :class:`tracker.export.model.Report` and returns
bytes, so the PDF, the HTML page and the data files cannot disagree.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from pathlib import PurePath

from tracker.domain.errors import InvalidInput
from tracker.export.model import Report

FORMATS = ("pdf", "html", "csv", "json", "fhir", "ics")
BINARY_FORMATS = frozenset({"pdf"})
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
