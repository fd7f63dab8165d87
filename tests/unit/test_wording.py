"""The words the terminal and the reports share (tracker/domain/wording.py), exactly."""

from __future__ import annotations

from datetime import date

import pytest

from tracker.domain.appointments import AppointmentRecord
from tracker.domain.intervals import Interval, IntervalUnit
from tracker.domain.records import EffectRecord, EffectView, PlanSettings
from tracker.domain.response import LongTerm
from tracker.domain.schedule import Due, DueStatus
from tracker.domain.side_effects import EffectClass
from tracker.domain.wording import (
    appointment_text,
    day_count,
    due_text,
    effect_status,
    iso,
    long_date,
    long_term_text,
    plan_text,
    short_date,
)


def test_a_date_is_written_with_its_weekday():
    assert long_date(date(2027, 2, 24)) == "Wed 24 Feb 2027"
    assert short_date(date(2027, 2, 16), date(2027, 2, 24)) == "Tue 16 Feb"
    assert short_date(date(2026, 12, 30), date(2027, 2, 24)) == "Wed 30 Dec 2026"
    assert iso(date(2027, 2, 24)) == "2027-02-24"
    assert iso(None) is None


@pytest.mark.parametrize(("count", "text"), [(0, "0 days"), (1, "1 day"), (2, "2 days")])
def test_a_day_count_is_singular_only_for_one(count, text):
    assert day_count(count) == text


def test_the_plan_says_how_often_and_when_reminders_start():
    assert plan_text(PlanSettings(Interval(1, IntervalUnit.MONTHS), within_days=1)) == (
        "an injection every month; reminders start 1 day before the due date"
    )
    assert plan_text(PlanSettings(Interval(3, IntervalUnit.MONTHS), within_days=14)) == (
        "an injection every 3 months; reminders start 14 days before the due date"
    )


@pytest.mark.parametrize(
    ("days_left", "when"),
    [(-3, "overdue by 3 days"), (0, "today"), (1, "in 1 day")],
)
def test_the_due_date_says_how_far_away_it_is(days_left, when):
    due = Due(DueStatus.DUE_SOON, date(2026, 11, 1), date(2027, 2, 24), None, days_left)
    assert due_text(due) == f"Wed 24 Feb 2027 ({when})"


def test_the_label_s_minimum_is_information_beside_the_due_date():
    due = Due(DueStatus.NOT_DUE, date(2026, 11, 24), date(2027, 2, 24), date(2027, 2, 16), 60)
    assert due_text(due) == (
        "Wed 24 Feb 2027 (in 60 days); the label's 12-week minimum is Tue 16 Feb 2027"
    )
    assert due_text(Due(DueStatus.NONE)) == "no injection recorded yet"


def test_an_appointment_says_when_and_with_whom():
    assert appointment_text(AppointmentRecord(1, date(2027, 2, 23))) == "Tue 23 Feb 2027"
    booked = AppointmentRecord(1, date(2027, 2, 23), "09:30", "Dr Lee", note="bring diary")
    assert appointment_text(booked) == "Tue 23 Feb 2027 at 09:30 with Dr Lee"


def _view(resolved_on: date | None = None, persistent: bool = False) -> EffectView:
    record = EffectRecord(
        1, date(2026, 11, 2), "headache", "headache", EffectClass.COMMON, None, None, resolved_on
    )
    return EffectView(record, persistent, None, None)


def test_a_lingering_side_effect_tells_the_patient_what_to_do_and_the_doctor_how_long():
    assert effect_status(_view(persistent=True)) == "open > 14 days"
    assert effect_status(_view(persistent=True), advise_patient=True) == (
        "open > 14 days: tell your doctor"
    )
    assert effect_status(_view()) == "open"
    assert effect_status(_view(date(2026, 11, 5)), advise_patient=True) == "resolved 2026-11-05"


def test_the_long_term_picture_counts_responding_and_pain_free_cycles():
    assert long_term_text(LongTerm(4, 3, 1), "Long-term", "none yet") == (
        "Long-term: 3 of 4 evaluable cycles showed a substantial or moderate reduction "
        "in pain; 1 had no pain at all in days 14-56."
    )
    assert long_term_text(LongTerm(2, 0, 0), "Long-term", "none yet").endswith(
        "; none was pain-free in days 14-56."
    )
    assert long_term_text(LongTerm(0, 0, 0), "Long-term", "none yet") == "Long-term: none yet."
