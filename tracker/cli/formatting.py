"""The two generic shapes of terminal output: an aligned text table and --json text.

Nothing here knows a record; the modules that word records (due_output,
confirmations, output) build the rows and the dictionaries.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any


def to_json(value: Any) -> str:
    """The --json contract: keys sorted, two-space indent, text as written (not escaped)."""
    import json  # here: `tracker due` prints text without loading it

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


def table_chunks(
    headers: list[str], rows: Callable[[], Iterable[Sequence[str]]], lines_per_chunk: int = 2000
) -> Iterator[str]:
    """``table(headers, list(rows()))`` in pieces, for a table of 100,000 rows.

    ``rows()`` is called twice, once for the column widths and once to write the
    lines, so no row is kept: each piece is written before the next is built.
    """
    widths = [len(header) for header in headers]
    for row in rows():
        widths = list(map(max, widths, map(len, row)))
    # ljust, two spaces apart, as table() does; str.format pads the same way.
    line = "  ".join(f"{{:<{width}}}" for width in widths).format
    yield line(*headers).rstrip()
    chunk: list[str] = []
    for row in rows():
        chunk.append(line(*row).rstrip())
        if len(chunk) == lines_per_chunk:
            yield "\n" + "\n".join(chunk)
            chunk = []
    if chunk:
        yield "\n" + "\n".join(chunk)
