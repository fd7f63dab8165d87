"""The streaming JSON reader gives what json.loads gives, in pieces of any size, and
places invalid JSON exactly where json.loads does."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.domain.errors import InvalidInput
from tracker.services import json_stream
from tracker.services.importer import _without_duplicate_keys
from tracker.services.json_stream import JsonStream

PATH = Path("file.json")

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4)
    ),
    max_leaves=12,
)
documents = st.dictionaries(st.text(max_size=6), values | st.lists(values, max_size=6), max_size=5)
layouts = st.sampled_from(
    [
        {"indent": 2, "sort_keys": True, "ensure_ascii": False},
        {"indent": None, "ensure_ascii": True},
        {"separators": (",", ":"), "ensure_ascii": False},
        {"indent": "\t", "ensure_ascii": False},
    ]
)


# Pieces as small as one byte: every value and character is cut somewhere.
WINDOWS = (1, 2, 3, 7, 64, json_stream.WINDOW)


def stream(data: bytes, window: int, steps: list[int] | None = None) -> JsonStream:
    advance = steps.append if steps is not None else (lambda _n: None)
    return JsonStream(io.BytesIO(data), PATH, _without_duplicate_keys, advance, window)


def read_all(reader: JsonStream) -> Any:
    """The whole document through the streaming calls an import uses."""
    char = reader.peek()
    if char == "{":
        return {name: read_all(reader) for name in reader.members()}
    if char == "[":
        return list(reader.elements())
    return reader.value()


def whole(data: bytes, window: int) -> Any:
    reader = stream(data, window)
    document = read_all(reader)
    reader.end()
    return document


@pytest.fixture(params=WINDOWS)
def window(request: pytest.FixtureRequest) -> int:
    return request.param


@given(document=documents, layout=layouts, bom=st.booleans(), window=st.sampled_from(WINDOWS))
def test_any_document_reads_as_json_loads_reads_it(document, layout, bom, window):
    data = (b"\xef\xbb\xbf" if bom else b"") + json.dumps(document, **layout).encode()
    steps: list[int] = []
    reader = stream(data, window, steps)
    assert read_all(reader) == document
    reader.end()
    reader.report_rest()
    assert sum(steps) == len(data)


@given(document=documents, layout=layouts, window=st.sampled_from(WINDOWS))
def test_any_document_can_be_read_past(document, layout, window):
    reader = stream(json.dumps(document, **layout).encode(), window)
    reader.skip()
    reader.end()


def json_error(text: str) -> str:
    try:
        json.loads(text)
    except json.JSONDecodeError as error:
        return (
            f"{PATH} is not valid JSON ({error.msg} at line {error.lineno}, column {error.colno})"
        )
    raise AssertionError("valid JSON")


SAMPLE = json.dumps(
    {"pain": [{"id": 1, "note": 'a \\ "b" é\u2028', "score": 12.5e3}, [True, None]], "v": -1},
    indent=2,
)


def read_past(data: bytes, window: int) -> None:
    reader = stream(data, window)
    reader.skip()
    reader.end()


@pytest.mark.parametrize("read", [whole, read_past])
def test_every_cut_short_file_is_placed_like_json_loads_places_it(window, read):
    for end in range(len(SAMPLE)):
        text = SAMPLE[:end]
        with pytest.raises(InvalidInput) as caught:
            read(text.encode(), window)
        assert str(caught.value) == json_error(text), repr(text)


@pytest.mark.parametrize(
    "text",
    [
        '{"a": [1, 2,]}',
        '{"a": 1,}',
        '{"a" 1}',
        '{"a": [1 2]}',
        '{"a": 1} x',
        '{\n  "a": [\n    {"b": tru}\n  ]\n}',
        '{"a": "tab\there"}',
        '{"a": "\\x"}',
        '{"a": [{"b": 1}, {"b": 2}, {"b": 3},\n {"b": 4} {"b": 5}]}',
        "[1, 2",
        "   ",
        "",
    ],
)
def test_invalid_json_is_placed_like_json_loads_places_it(window, text):
    for read in (whole, read_past):
        with pytest.raises(InvalidInput) as caught:
            read(text.encode(), window)
        assert str(caught.value) == json_error(text)


def test_repeated_keys_are_refused_at_any_depth(window):
    with pytest.raises(InvalidInput, match="the field 'b' appears twice"):
        whole(b'{"a": [{"b": 1, "c": 2, "b": 3}]}', window)


def test_a_value_bigger_than_the_window_is_read_whole(window):
    note = "x" * 5000 + "é" * 3000
    document = {"a": [{"note": note}, 12345678901234567890]}
    assert whole(json.dumps(document).encode(), window) == {
        "a": [{"note": note}, 12345678901234567890]
    }


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b'{"a": [1, ' + b"9" * 5000 + b"]}", "holds a number too long to read"),
        (b'{"a": [' + b"[" * 100_000 + b"]}", "is nested too deeply"),
        (b'{"a": ["caf\xe9"]}', "is not a tracker export (it is not UTF-8 text)"),
    ],
)
def test_what_json_cannot_hold_is_one_line(window, data, message):
    for read in (whole, read_past):
        with pytest.raises(InvalidInput, match=re.escape(message)):
            read(data, window)
