"""The fast record readers accept exactly what the careful ones accept, with the same rows;
every message comes from the careful path."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.domain import import_rules as rules
from tracker.domain.change_spans import RecordSpan, change_span, span_in
from tracker.domain.errors import InvalidInput
from tracker.domain.records import ChangeRecord
from tracker.store import audit

TODAY = date(2026, 11, 25)

ids = st.sampled_from([1, 7, rules.MAX_ID, 0, -1, rules.MAX_ID + 1, True, 1.0, "1", None])
days = st.sampled_from(
    [
        "2026-11-25",
        "2026-11-24",
        "2026-11-26",
        "1900-01-01",
        "1899-12-31",
        "2999-12-31",
        "2026-02-30",
        "2026-1-01",
        "２０２６-01-01",
        "2026-11-24\n",
        "",
        None,
        20261124,
    ]
)
scores = st.sampled_from([0, 5, 10, 11, -1, True, False, 5.0, "5", None])
texts = st.sampled_from(
    [
        None,
        "",
        " ",
        "a note",
        "é ✓",
        "a\nb",
        "a\tb",
        "a\x00b",
        "\x1b[31m",
        "\ud800",
        "x" * 10_001,
        5,
    ]
)
times = st.sampled_from(
    [None, "09:30", "9:30", "23:59", "24:00", "12:60", " 09:30", "09:30\n", "0930", "", 930]
)


def records(fields: dict[str, st.SearchStrategy[Any]]) -> st.SearchStrategy[Any]:
    """Mostly the right fields with a mix of right and wrong values; sometimes one
    missing, an extra one, or not an object at all."""
    base = st.fixed_dictionaries(fields)
    missing = base.flatmap(
        lambda record: st.sampled_from(sorted(record)).map(
            lambda name: {k: v for k, v in record.items() if k != name}
        )
    )
    extra = base.map(lambda record: {**record, "mood": "fine"})
    renamed = missing.map(lambda record: {**record, "mood": "fine"})  # right count, wrong name
    return st.one_of(base, base, base, missing, extra, renamed, st.sampled_from([None, [], "x"]))


pain_records = records(
    {"id": ids, "date": days, "score": scores, "function": scores, "note": texts}
)
effect_records = records(
    {
        "id": ids,
        "date": days,
        "text": texts,
        "term": texts,
        "class": st.sampled_from(["common", "serious", "emergency", "other", "mild", 1, None]),
        "severity": st.sampled_from(["mild", "moderate", "severe", "awful", None]),
        "note": texts,
        "resolved": days,
    }
)
appointment_records = records(
    {
        "id": ids,
        "date": days,
        "time": times,
        "provider": texts,
        "note": texts,
        "status": st.sampled_from(["booked", "done", "cancelled", "maybe", None]),
    }
)


def outcome(read: Callable[..., Any], *args: Any) -> tuple[str, Any]:
    try:
        return ("row", read(*args))
    except InvalidInput as error:
        return ("error", str(error))


@given(st.lists(pain_records, min_size=1, max_size=8))
def test_pain_fast_path_agrees_with_the_careful_one(values):
    reader = rules.PainReader(TODAY)  # one reader for the list: its date memory in play
    for index, value in enumerate(values):
        careful = outcome(rules.pain_row, value, f"pain[{index}]", TODAY)
        assert outcome(reader, value, index) == careful


@given(st.lists(effect_records, min_size=1, max_size=8))
def test_effect_fast_path_agrees_with_the_careful_one(values):
    reader = rules.EffectReader(TODAY)
    for index, value in enumerate(values):
        careful = outcome(rules.effect_row, value, f"effects[{index}]", TODAY)
        assert outcome(reader, value, index) == careful


@given(st.lists(appointment_records, min_size=1, max_size=8))
def test_appointment_fast_path_agrees_with_the_careful_one(values):
    reader = rules.AppointmentReader()
    for index, value in enumerate(values):
        careful = outcome(rules.appointment_row, value, f"appointments[{index}]")
        assert outcome(reader, value, index) == careful


def test_a_plain_record_takes_the_fast_path_and_keeps_its_values():
    value = {"id": 3, "date": "2026-11-24", "score": 4, "function": None, "note": "ok"}
    assert rules.PainReader(TODAY)(value, 0) == (3, "2026-11-24", 4, None, "ok")
    booked = {
        "id": 1,
        "date": "2027-01-05",
        "time": "9:30",
        "provider": None,
        "note": None,
        "status": "booked",
    }
    # A time as typed is stored as tracker writes it, as before.
    assert rules.AppointmentReader()(booked, 0)[2] == "09:30"


def test_the_change_kinds_are_the_logs_kinds():
    assert tuple(audit.KINDS) == rules.CHANGE_KINDS


def test_a_span_is_told_from_a_records_own_values():
    span = RecordSpan(12, 20, 9)
    assert span_in(span.values()) == span
    assert span_in({"first_id": 1, "last_id": 2}) is None
    assert span_in({"first_id": 1, "last_id": "2", "records": 2}) is None
    assert span_in({"date": "2026-11-01", "score": 4, "patient_id": 1}) is None
    assert span_in(None) is None

    def change(action: str, old: Any, new: Any) -> ChangeRecord:
        return ChangeRecord(
            1, 1, "2026-11-25T10:00:00+00:00", "import", action, "pain", 12, old, new
        )

    assert change_span(change("insert", None, span.values())) == span
    assert change_span(change("delete", span.values(), None)) == span
    assert change_span(change("update", {"score": 1}, {"score": 2})) is None


def test_the_rules_and_the_use_case_stay_in_their_layers():
    """Domain rules load no database or command-line code; the service loads no click."""
    code = (
        "import sys, tracker.domain.import_rules, tracker.domain.change_spans;"
        "assert not {'sqlalchemy', 'click'} & set(sys.modules), sys.modules.keys();"
        "import tracker.services.importer;"
        "assert 'click' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("severity", [None, "mild", "moderate", "severe"])
def test_an_effect_may_have_no_severity_and_older_files_keep_theirs(severity):
    value = {
        "id": 1,
        "date": "2026-01-02",
        "text": "headache",
        "term": "headache",
        "class": "common",
        "severity": severity,
        "note": None,
        "resolved": None,
    }
    row = rules.effect_row(value, "effects[0]", TODAY)
    assert row[5] == severity
    assert rules.EffectReader(TODAY)(value, 0) == row
