"""The two generic shapes of terminal output: an aligned text table and --json text.

Nothing here knows a record; the modules that word records (due_output,
confirmations, output) build the rows and the dictionaries.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from json.encoder import encode_basestring as _json_text  # what json.dumps uses for text
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


def json_array_chunks(items: Iterable[Any], items_per_chunk: int = 1000) -> Iterator[str]:
    """``to_json(list(items))`` in pieces, byte for byte, for an array of 100,000 objects.

    json.dumps with an indent runs in pure Python and holds the whole text; here
    each flat object (text, whole numbers, true/false/null, empty arrays) is
    filled into a template made once per set of keys, and anything else is
    written by to_json itself.
    """
    element = _ArrayElements()
    chunk: list[str] = []
    opened = False
    for item in items:
        chunk.append(element(item))
        if len(chunk) == items_per_chunk:
            yield (",\n" if opened else "[\n") + ",\n".join(chunk)
            opened, chunk = True, []
    if chunk:
        yield (",\n" if opened else "[\n") + ",\n".join(chunk)
        opened = True
    yield "\n]" if opened else "[]"


class _ArrayElements:
    """Writes an item as to_json writes it one level down in an array."""

    def __init__(self) -> None:
        # Per set of keys (in the item's order): the keys sorted, and the object's
        # text with a %s for each value; None when a key is not text.
        self.shapes: dict[tuple[Any, ...], tuple[tuple[str, ...], str] | None] = {}

    def __call__(self, item: Any) -> str:
        if type(item) is dict and item:
            shape = self.shape(tuple(item))
            if shape is not None:
                keys, template = shape
                # The common types straight from the table: a call less per value.
                values = tuple(
                    [
                        _FLAT_BY_TYPE.get(type(value), _flat_json)(value)
                        for value in map(item.get, keys)
                    ]
                )
                if None not in values:
                    return template % values
        return "  " + to_json(item).replace("\n", "\n  ")

    def shape(self, names: tuple[Any, ...]) -> tuple[tuple[str, ...], str] | None:
        if names not in self.shapes:
            self.shapes[names] = None
            if all(type(name) is str for name in names):
                keys = tuple(sorted(names))
                members = ",\n".join(
                    f"    {_json_text(key).replace('%', '%%')}: %s" for key in keys
                )
                self.shapes[names] = keys, "  {\n" + members + "\n  }"
        return self.shapes[names]


_FLAT_BY_TYPE: dict[type, Callable[[Any], str]] = {
    str: _json_text,
    int: int.__repr__,
    bool: lambda value: "true" if value else "false",
    type(None): lambda value: "null",
}


def _flat_json(value: Any) -> str | None:
    """A value as json.dumps writes it, when it holds nothing nested; else None."""
    write = _FLAT_BY_TYPE.get(type(value))
    if write is not None:
        return write(value)
    if isinstance(value, str):  # a subclass: a StrEnum member
        return _json_text(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return int.__repr__(value)
    if isinstance(value, list | tuple | dict) and not value:
        return "{}" if isinstance(value, dict) else "[]"
    return None  # floats, nested values: to_json writes the element
