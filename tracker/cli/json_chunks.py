"""A JSON array written in pieces, byte for byte what ``formatting.to_json`` writes
for the whole list (`due --all --json` at 100,000 patients)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from json.encoder import encode_basestring as _json_text  # what json.dumps uses for text
from typing import Any

from tracker.cli.formatting import to_json


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
