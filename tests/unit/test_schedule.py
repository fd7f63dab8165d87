"""When the next injection is due (tracker.domain.schedule)."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.domain import safety
from tracker.domain.schedule import (
    DEFAULT_INTERVAL_MONTHS,
    DEFAULT_REMINDER_DAYS,
    MIN_RETREATMENT_INTERVAL,
    Due,
    DueStatus,
    PatientDue,
    TreatmentDue,
    by_attention,
    days_between,
    due,
    earliest_retreatment,
    most_urgent_first,
    next_due_date,
    patient_due,
    status_for,
)
from tracker.domain.side_effects import EffectClass

TODAY = date(2026, 11, 25)
# Late enough that adding up to 24 months still fits in a Python date.
LAST_SAFE_DAY = date(9997, 12, 31)
dates = st.dates(max_value=LAST_SAFE_DAY)
months = st.integers(min_value=1, max_value=24)


def _add_months(day: date, count: int) -> date:
    """An independent month arithmetic, to check next_due_date against."""
    month_index = day.month - 1 + count
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# --- the defaults ----------------------------------------------------------


def test_the_default_interval_is_three_months_and_the_reminder_fourteen_days() -> None:
    assert DEFAULT_INTERVAL_MONTHS == 3
    assert DEFAULT_REMINDER_DAYS == 14


def test_the_minimum_retreatment_interval_is_twelve_weeks() -> None:
    assert timedelta(days=84) == MIN_RETREATMENT_INTERVAL


# --- next_due_date -----------------------------------------------------------


def test_the_next_injection_is_due_on_the_same_day_three_months_later() -> None:
    assert next_due_date(date(2026, 11, 24)) == date(2027, 2, 24)


@pytest.mark.parametrize(
    ("last", "every_months", "expected"),
    [
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2027, 8, 31), 3, date(2027, 11, 30)),
        (date(2027, 11, 30), 3, date(2028, 2, 29)),
        (date(2023, 11, 29), 3, date(2024, 2, 29)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2026, 10, 31), 1, date(2026, 11, 30)),
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2026, 1, 31), 24, date(2028, 1, 31)),
    ],
)
def test_a_day_missing_from_the_target_month_is_clamped_to_that_months_last_day(
    last: date, every_months: int, expected: date
) -> None:
    assert next_due_date(last, every_months) == expected


def test_the_interval_crosses_the_year_end() -> None:
    assert next_due_date(date(2026, 12, 15), 3) == date(2027, 3, 15)


@given(dates, months)
def test_the_next_due_date_is_always_after_the_last_injection(last: date, count: int) -> None:
    assert next_due_date(last, count) > last


@given(dates, months)
def test_the_next_due_date_is_the_same_day_clamped_to_the_target_months_length(
    last: date, count: int
) -> None:
    result = next_due_date(last, count)
    assert result == _add_months(last, count)
    assert result.day == min(last.day, calendar.monthrange(result.year, result.month)[1])


@given(dates)
def test_three_months_is_between_89_and_92_days(last: date) -> None:
    assert 89 <= (next_due_date(last) - last).days <= 92


@given(dates, dates, months)
def test_a_later_injection_is_never_due_earlier(a: date, b: date, count: int) -> None:
    earlier, later = sorted((a, b))
    assert next_due_date(earlier, count) <= next_due_date(later, count)


# --- earliest_retreatment ----------------------------------------------------


def test_the_earliest_retreatment_is_84_days_after_the_last_injection() -> None:
    assert earliest_retreatment(date(2026, 11, 24)) == date(2027, 2, 16)
    assert (earliest_retreatment(date(2026, 11, 24)) - date(2026, 11, 24)).days == 84


def test_the_earliest_retreatment_is_before_the_default_due_date() -> None:
    last = date(2026, 11, 30)
    assert earliest_retreatment(last) < next_due_date(last)


# --- status_for --------------------------------------------------------------


@pytest.mark.parametrize(
    ("days_left", "within_days", "expected"),
    [
        (-365, 14, DueStatus.OVERDUE),
        (-1, 14, DueStatus.OVERDUE),
        (0, 14, DueStatus.DUE),
        (1, 14, DueStatus.DUE_SOON),
        (14, 14, DueStatus.DUE_SOON),
        (15, 14, DueStatus.NOT_DUE),
        (-1, 0, DueStatus.OVERDUE),
        (0, 0, DueStatus.DUE),
        (1, 0, DueStatus.NOT_DUE),
        (1, 1, DueStatus.DUE_SOON),
        (2, 1, DueStatus.NOT_DUE),
    ],
)
def test_the_status_follows_the_days_left_and_the_reminder_window(
    days_left: int, within_days: int, expected: DueStatus
) -> None:
    assert status_for(days_left, within_days) is expected


@given(st.integers(min_value=-10_000, max_value=10_000), st.integers(min_value=0, max_value=365))
def test_the_status_is_consistent_with_the_days_left(days_left: int, within_days: int) -> None:
    status = status_for(days_left, within_days)
    assert (status is DueStatus.OVERDUE) == (days_left < 0)
    assert (status is DueStatus.DUE) == (days_left == 0)
    assert (status is DueStatus.DUE_SOON) == (0 < days_left <= within_days)
    assert (status is DueStatus.NOT_DUE) == (days_left > within_days)
    assert status.needs_attention == (days_left <= within_days)


@pytest.mark.parametrize(
    ("status", "needs_attention"),
    [
        (DueStatus.NONE, False),
        (DueStatus.NOT_DUE, False),
        (DueStatus.DUE_SOON, True),
        (DueStatus.DUE, True),
        (DueStatus.OVERDUE, True),
    ],
)
def test_only_due_soon_due_and_overdue_need_attention(
    status: DueStatus, needs_attention: bool
) -> None:
    assert status.needs_attention is needs_attention


def test_the_statuses_have_stable_names_for_json() -> None:
    assert [s.value for s in DueStatus] == ["none", "not_due", "due_soon", "due", "overdue"]


# --- due ---------------------------------------------------------------------


def test_without_any_injection_nothing_is_due_and_every_field_is_empty() -> None:
    result = due(None, TODAY)
    assert result == Due(DueStatus.NONE)
    assert result.last_injection is None
    assert result.next_due is None
    assert result.earliest is None
    assert result.days_left is None
    assert not result.status.needs_attention


def test_due_reports_the_last_injection_next_due_earliest_and_days_left() -> None:
    result = due(date(2026, 9, 1), TODAY)
    assert result == Due(
        status=DueStatus.DUE_SOON,
        last_injection=date(2026, 9, 1),
        next_due=date(2026, 12, 1),
        earliest=date(2026, 11, 24),
        days_left=6,
    )


@pytest.mark.parametrize(
    ("today", "days_left", "expected"),
    [
        (date(2027, 2, 12), 16, DueStatus.NOT_DUE),
        (date(2027, 2, 13), 15, DueStatus.NOT_DUE),
        (date(2027, 2, 14), 14, DueStatus.DUE_SOON),
        (date(2027, 2, 27), 1, DueStatus.DUE_SOON),
        (date(2027, 2, 28), 0, DueStatus.DUE),
        (date(2027, 3, 1), -1, DueStatus.OVERDUE),
    ],
)
def test_due_counts_days_to_the_clamped_due_date(
    today: date, days_left: int, expected: DueStatus
) -> None:
    result = due(date(2026, 11, 30), today)
    assert result.next_due == date(2027, 2, 28)
    assert result.days_left == days_left
    assert result.status is expected


def test_due_uses_the_clinicians_interval_and_reminder_window() -> None:
    result = due(date(2026, 11, 30), date(2027, 5, 1), every=6, within_days=30)
    assert result.next_due == date(2027, 5, 30)
    assert result.days_left == 29
    assert result.status is DueStatus.DUE_SOON
    assert due(date(2026, 11, 30), date(2027, 4, 29), 6, 30).status is DueStatus.NOT_DUE


def test_a_zero_day_reminder_window_only_flags_the_due_day_itself() -> None:
    last = date(2026, 11, 24)
    assert due(last, date(2027, 2, 23), within_days=0).status is DueStatus.NOT_DUE
    assert due(last, date(2027, 2, 24), within_days=0).status is DueStatus.DUE
    assert due(last, date(2027, 2, 25), within_days=0).status is DueStatus.OVERDUE


def test_the_earliest_date_is_shown_whatever_the_interval() -> None:
    assert due(date(2026, 11, 24), TODAY, every=1).earliest == date(2027, 2, 16)


@given(dates, st.dates(), months, st.integers(min_value=0, max_value=365))
def test_due_agrees_with_next_due_date_and_status_for(
    last: date, today: date, count: int, within: int
) -> None:
    result = due(last, today, count, within)
    assert result.last_injection == last
    # Never before the label's minimum, whatever the plan's interval (issue 15).
    assert result.next_due == max(next_due_date(last, count), earliest_retreatment(last))
    assert result.earliest == earliest_retreatment(last)
    assert result.days_left == (result.next_due - today).days
    assert result.status is status_for(result.days_left, within)


# --- days_between ------------------------------------------------------------


def test_days_between_counts_calendar_days() -> None:
    assert days_between(date(2026, 11, 24), date(2026, 11, 25)) == 1
    assert days_between(date(2026, 11, 25), date(2026, 11, 25)) == 0
    assert days_between(date(2024, 2, 28), date(2024, 3, 1)) == 2


def test_days_between_is_negative_when_the_order_is_reversed() -> None:
    assert days_between(date(2026, 11, 25), date(2026, 11, 24)) == -1


def test_days_between_nothing_and_a_date_is_nothing() -> None:
    assert days_between(None, TODAY) is None


# Issue 16: a patient's treatments, most urgent first.


def _treatment(name: str, days_left: int | None, status: str = "not_due") -> TreatmentDue:
    due = Due(DueStatus(status) if days_left is not None else DueStatus.NONE, days_left=days_left)
    return TreatmentDue(name, "botox", due)


def test_overdue_comes_first_then_fewest_days_left_and_nothing_logged_last():
    rows = [
        _treatment("none", None),
        _treatment("later", 30),
        _treatment("today", 0, "due"),
        _treatment("overdue", -1, "overdue"),
        _treatment("tomorrow", 1, "due_soon"),
    ]
    assert [r.treatment for r in most_urgent_first(rows)] == [
        "overdue",
        "today",
        "tomorrow",
        "later",
        "none",
    ]


def test_equally_urgent_treatments_keep_their_creation_order():
    rows = [_treatment("b", 5), _treatment("a", 5), _treatment("x", None), _treatment("c", None)]
    assert [r.treatment for r in most_urgent_first(rows)] == ["b", "a", "x", "c"]


def test_the_more_overdue_treatment_is_the_more_urgent():
    rows = [_treatment("a", -1, "overdue"), _treatment("b", -40, "overdue")]
    assert [r.treatment for r in most_urgent_first(rows)] == ["b", "a"]


def test_a_patient_row_shows_the_most_urgent_and_counts_the_others_needing_attention():
    rows = [
        _treatment("calm", 60),
        _treatment("soon", 3, "due_soon"),
        _treatment("late", -2, "overdue"),
        _treatment("never", None),
    ]
    row = patient_due("Sam", rows)
    assert (row.treatment, row.due.days_left, row.others_needing_attention) == ("late", -2, 1)
    assert row.treatments == 4 and row.needs_attention


def test_a_patient_whose_other_treatment_needs_attention_needs_attention():
    row = patient_due("Sam", [_treatment("calm", 60), _treatment("soon", 61, "due_soon")])
    assert row.treatment == "calm" and not row.due.needs_attention
    assert row.others_needing_attention == 1 and row.needs_attention


def _whole_key_order(rows: list[PatientDue]) -> list[PatientDue]:
    """The order by_attention promises, as one sort on the whole key."""

    def key(row: PatientDue) -> tuple[int, int, int, str]:
        urgency = -row.safety[0].urgency if row.safety else 0
        if row.due.days_left is None:
            return (urgency, 1, 0, row.name)
        return (urgency, 0, row.due.days_left, row.name)

    return sorted(rows, key=key)


SAFETY = st.lists(
    st.builds(
        safety.OpenSafetyEffect,
        id=st.integers(1, 5),
        day=st.just(TODAY),
        text=st.just("trouble swallowing"),
        effect_class=st.sampled_from([EffectClass.EMERGENCY, EffectClass.SERIOUS]),
    ),
    max_size=2,
).map(safety.most_urgent_first)


@given(
    st.lists(
        st.builds(
            PatientDue,
            name=st.sampled_from(["Ann", "Bo", "ann", "Cy", "Éva"]),
            due=st.one_of(
                st.just(due(None, TODAY)),
                st.integers(-60, 200).map(lambda n: due(TODAY - timedelta(days=n), TODAY)),
            ),
            safety=SAFETY,
        ),
        max_size=30,
    )
)
def test_by_attention_orders_as_one_sort_on_the_whole_key(rows):
    """Grouped, then sorted by name within each group (`due --all` at 100,000 patients):
    the same order, ties kept as they came, as one stable sort on the whole key."""
    ordered = by_attention(rows)
    expected = _whole_key_order(rows)
    assert [id(row) for row in ordered] == [id(row) for row in expected]
