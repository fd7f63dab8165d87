"""`due --all` writes its table and its JSON piece by piece: byte for byte what one
table() or one to_json() of the whole list gives (issue 18: 100,000 patients)."""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import TODAY, Tracker
from tracker.cli.due_output import DUE_ALL_HEADERS, due_all_json, safety_cell, safety_legend
from tracker.cli.formatting import table, table_chunks, to_json
from tracker.cli.json_chunks import json_array_chunks
from tracker.services.patients import due_all
from tracker.store.database import Database


class Colour(StrEnum):
    RED = "red"


TEXT = st.text(
    st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=8
) | st.sampled_from(["%s", "%", '"', "\\", "\n", "é", "\u2028", "null"])
SCALARS = (
    TEXT
    | st.integers(min_value=-(10**20), max_value=10**20)
    | st.booleans()
    | st.none()
    | st.floats(allow_nan=False)
    | st.just(Colour.RED)
    | st.just([])
    | st.just({})
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=6,
)
# Mostly flat objects with the same keys, as `due --all --json` writes them.
FLAT = st.dictionaries(st.sampled_from(["b", "a", "%d", "c\u00e9", '"q"']), SCALARS, max_size=5)
ITEMS = st.lists(
    FLAT | VALUES | st.dictionaries(st.integers(0, 3), SCALARS, max_size=2), max_size=12
)


@settings(max_examples=300, deadline=None)
@given(items=ITEMS, per_chunk=st.integers(1, 5))
def test_the_json_array_in_pieces_is_to_json_of_the_whole_list(items, per_chunk):
    assert "".join(json_array_chunks(iter(items), per_chunk)) == to_json(items)


CELL = st.text(st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), max_size=6)


@settings(max_examples=200, deadline=None)
@given(
    rows=st.lists(st.lists(CELL, min_size=3, max_size=3), max_size=12),
    per_chunk=st.integers(1, 5),
)
def test_the_table_in_pieces_is_the_whole_table(rows, per_chunk):
    headers = ["A", "LONGER", "{0}"]
    pieces = table_chunks(headers, lambda: iter(rows), per_chunk)
    assert "".join(pieces) == table(headers, rows)


def test_due_all_prints_what_the_whole_list_renders_to_on_both_engines(db_url):
    """On each engine (each with its own reading path) the streamed output is the
    old one: to_json of every row's object, and one table with the legend."""
    tracker = Tracker(db_url)
    names = [f"p{n}" for n in range(7)]
    for n, name in enumerate(names):
        tracker.ok("patients", "add", name)
        if n % 3:
            day = (date.fromisoformat(TODAY) - timedelta(days=30 * n)).isoformat()
            tracker.ok("--patient", name, "log", day)
        if n % 2:
            day = (date.fromisoformat(TODAY) + timedelta(days=n)).isoformat()
            tracker.ok("--patient", name, "book", day)
    tracker.ok("--patient", "p4", "effect", "trouble swallowing")
    tracker.ok("--patient", "p5", "effect", "double vision")

    database = Database(db_url)
    try:
        rows = due_all(database, date.fromisoformat(TODAY))
    finally:
        database.close()
    assert any(row.safety for row in rows)
    as_json = tracker("due", "--all", "--json")
    assert as_json.stdout == to_json([due_all_json(row) for row in rows]) + "\n"
    whole = table(DUE_ALL_HEADERS, [_cells(row) for row in rows]) + safety_legend(rows)
    assert tracker("due", "--all").stdout == whole + "\n"


def _cells(row) -> list[str]:
    """The table's cells as due_all_table wrote them before it wrote in pieces."""
    due = row.due
    appointment = due.appointment
    if appointment is None:
        shown = "-"
    elif appointment.missed:
        shown = f"{appointment.day.isoformat()} {appointment.shown_status}"
    else:
        shown = appointment.day.isoformat()
    return [
        row.name,
        due.status.value,
        due.next_due.isoformat() if due.next_due else "-",
        "-" if due.days_left is None else str(due.days_left),
        due.last_injection.isoformat() if due.last_injection else "-",
        shown,
        safety_cell(row),
    ]
