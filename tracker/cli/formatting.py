"""The two generic shapes of terminal output: an aligned text table and --json text.

Nothing here knows a record; the modules that word records (due_output,
confirmations, output) build the rows and the dictionaries.
"""

from __future__ import annotations

import json
from typing import Any


def to_json(value: Any) -> str:
    """The --json contract: keys sorted, two-space indent, text as written (not escaped)."""
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False)


def table(headers: list[str], rows: list[list[str]]) -> str:
    """Columns as wide as their widest cell, two spaces apart, no trailing spaces."""
    widths = [
        max(len(str(cell)) for cell in column) for column in zip(headers, *rows, strict=False)
    ]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False)).rstrip()
        for row in [headers, *rows]
    ]
    return "\n".join(lines)
