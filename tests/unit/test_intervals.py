"""Intervals between injections (tracker.domain.intervals): 28d, 12w, 3m, 1y."""

from __future__ import annotations

import calendar
from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.domain.errors import InvalidInput
from tracker.domain.intervals import (
    DEFAULT_INTERVAL,
    MAX_COUNT,
    MAX_INTERVAL_DAYS,
    Interval,
    IntervalUnit,
    check_minimum,
    parse_interval,
    shortest_allowed,
)
from tracker.domain.products import DEFAULT_PROFILE, ProductProfile, profile_of, profiles
from tracker.domain.schedule import (
    DEFAULT_INTERVAL_MONTHS,
    MAX_INTERVAL_MONTHS,
    check_interval,
    next_due_date,
    shortest_allowed_months,
    shortest_span,
)
from tracker.domain.wording import every_text

DAYS, WEEKS, MONTHS, YEARS = IntervalUnit
# Late enough that adding up to 2 years still fits in a Python date.
dates = st.dates(max_value=date(9997, 12, 31))


def _add_months(day: date, count: int) -> date:
    """An independent month arithmetic (as in test_schedule), to check Interval against."""
    month_index = day.month - 1 + count
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@st.composite
def intervals(draw: st.DrawFn) -> Interval:
    unit = draw(st.sampled_from(IntervalUnit))
    return Interval(draw(st.integers(1, MAX_COUNT[unit])), unit)


# --- what a user may type ------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("28d", Interval(28, DAYS)),
        ("2w", Interval(2, WEEKS)),
        ("12w", Interval(12, WEEKS)),
        ("3m", Interval(3, MONTHS)),
        ("6m", Interval(6, MONTHS)),
        ("1y", Interval(1, YEARS)),
    ],
)
def test_the_issues_examples_read_as_their_interval(typed: str, expected: Interval) -> None:
    assert parse_interval(typed) == expected


@pytest.mark.parametrize("typed", ["3", "1", "24", " 3 ", "03"])
def test_a_bare_number_stays_months_as_plan_every_3_always_meant(typed: str) -> None:
    assert parse_interval(typed) == Interval(int(typed), MONTHS)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("  12w\n", Interval(12, WEEKS)),
        ("3M", Interval(3, MONTHS)),
        ("2W", Interval(2, WEEKS)),
        ("1Y", Interval(1, YEARS)),
        ("28D", Interval(28, DAYS)),
        ("3 m", Interval(3, MONTHS)),
        ("3 months", Interval(3, MONTHS)),
        ("1 Month", Interval(1, MONTHS)),
        ("2 weeks", Interval(2, WEEKS)),
        ("1 week", Interval(1, WEEKS)),
        ("28 days", Interval(28, DAYS)),
        ("1 day", Interval(1, DAYS)),
        ("1 year", Interval(1, YEARS)),
        ("2 YEARS", Interval(2, YEARS)),
        ("3\u00a0months", Interval(3, MONTHS)),  # a non-breaking space
        ("１２ｗ", Interval(12, WEEKS)),  # full-width, as a Japanese keyboard types it
        ("٣m", Interval(3, MONTHS)),  # Arabic-Indic digit three
    ],
)
def test_case_spaces_long_forms_and_other_digits_are_read(typed: str, expected: Interval) -> None:
    assert parse_interval(typed) == expected


@pytest.mark.parametrize(
    "typed",
    ["3x", "2.5m", "1y6m", "+3m", "m", "weeks", "3 mo", "3 monthss", "every 3 months", "3-m", "½m"],
)
def test_what_is_not_an_interval_is_refused_saying_what_is_accepted(typed: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_interval(typed)
    assert str(refused.value) == (
        "the interval must be a whole number of days, weeks, months or years, like 28d, 2w, "
        f"12w, 3m, 6m or 1y (a bare number is months), not '{typed}'"
    )


@pytest.mark.parametrize("typed", ["", "   "])
def test_an_empty_interval_is_refused(typed: str) -> None:
    with pytest.raises(InvalidInput, match=r"^the interval is empty; write a whole number .* 1y"):
        parse_interval(typed)


@pytest.mark.parametrize(
    "typed", ["0d", "0", "0w", "0m", "0y", "-2w", "-1", "25m", "25", "3y", "731d", "105w", "99999d"]
)
def test_an_interval_outside_1_day_to_2_years_is_refused_naming_the_limits(typed: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_interval(typed)
    assert str(refused.value) == (
        f"the interval must be from 1 day to 2 years (at most 730d, 104w, 24m or 2y), not '{typed}'"
    )


@pytest.mark.parametrize("typed", ["1d", "730d", "1w", "104w", "1m", "24m", "1y", "2y"])
def test_the_limits_themselves_are_accepted(typed: str) -> None:
    assert parse_interval(typed).text == typed


def test_two_years_in_days_is_the_shortest_24_calendar_months_can_be() -> None:
    assert timedelta(days=MAX_INTERVAL_DAYS) == shortest_span(MAX_INTERVAL_MONTHS)
    assert MAX_COUNT == {DAYS: 730, WEEKS: 104, MONTHS: 24, YEARS: 2}
    assert Interval(2, YEARS).shortest_span == timedelta(days=MAX_INTERVAL_DAYS)


@pytest.mark.parametrize("typed", ["3\x1bm", "3m\u202e", "3\x00m"])
def test_control_and_invisible_characters_are_refused_escaped_on_one_line(typed: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_interval(typed)
    message = str(refused.value)
    assert message.startswith("the interval has an invisible or control character")
    assert message.isprintable()


def test_a_pasted_file_is_refused_as_too_long_in_one_short_line() -> None:
    with pytest.raises(InvalidInput, match=r"^the interval is too long \(5,000 characters"):
        parse_interval("9" * 5000)


@given(st.text(max_size=30))
def test_any_text_is_an_interval_or_one_printable_line(typed: str) -> None:
    try:
        interval = parse_interval(typed)
    except InvalidInput as refused:
        assert str(refused).isprintable()
    else:
        assert 1 <= interval.count <= MAX_COUNT[interval.unit]


# --- the value itself --------------------------------------------------------------


@given(intervals())
def test_the_stored_text_reads_back_as_the_same_interval(interval: Interval) -> None:
    assert parse_interval(interval.text) == interval
    assert str(interval) == interval.text
    assert parse_interval(interval.words) == interval  # "12 weeks" is read too


def test_the_stored_text_is_the_count_and_the_units_letter() -> None:
    assert [Interval(12, WEEKS).text, Interval(3, MONTHS).text] == ["12w", "3m"]
    assert [Interval(28, DAYS).text, Interval(1, YEARS).text] == ["28d", "1y"]


def test_a_unit_read_from_storage_as_its_letter_is_the_unit() -> None:
    interval = Interval(3, "m")  # type: ignore[arg-type]
    assert interval.unit is MONTHS and interval == Interval(3, MONTHS)


def test_building_an_interval_out_of_range_is_refused_like_typing_it() -> None:
    with pytest.raises(InvalidInput, match=r"not '25m'$"):
        Interval(25, MONTHS)
    with pytest.raises(InvalidInput, match=r"not '0d'$"):
        Interval(0, DAYS)


@pytest.mark.parametrize("count", [2.5, True, "3"])
def test_an_interval_counts_whole_units_only(count: object) -> None:
    with pytest.raises(TypeError):
        Interval(count, MONTHS)  # type: ignore[arg-type]


def test_an_unknown_unit_letter_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        Interval(3, "x")  # type: ignore[arg-type]


def test_equal_lengths_in_different_units_are_different_intervals() -> None:
    assert Interval(12, WEEKS) != Interval(84, DAYS)
    assert Interval(1, YEARS) != Interval(12, MONTHS)


def test_the_default_interval_is_the_schedules_three_months() -> None:
    assert DEFAULT_INTERVAL == Interval(DEFAULT_INTERVAL_MONTHS, MONTHS) == parse_interval("3")


def test_months_and_days_of_each_unit() -> None:
    assert (Interval(2, YEARS).months, Interval(2, YEARS).days) == (24, None)
    assert (Interval(3, MONTHS).months, Interval(3, MONTHS).days) == (3, None)
    assert (Interval(12, WEEKS).months, Interval(12, WEEKS).days) == (None, 84)
    assert (Interval(28, DAYS).months, Interval(28, DAYS).days) == (None, 28)


# --- due dates ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("interval", "last", "expected"),
    [
        (Interval(28, DAYS), date(2027, 2, 1), date(2027, 3, 1)),
        (Interval(2, WEEKS), date(2026, 12, 25), date(2027, 1, 8)),
        (Interval(12, WEEKS), date(2026, 11, 30), date(2027, 2, 22)),
        (Interval(3, MONTHS), date(2026, 11, 30), date(2027, 2, 28)),
        (Interval(1, MONTHS), date(2026, 1, 31), date(2026, 2, 28)),
        (Interval(1, YEARS), date(2024, 2, 29), date(2025, 2, 28)),
        (Interval(2, YEARS), date(2026, 11, 30), date(2028, 11, 30)),
        (Interval(1, DAYS), date(2028, 2, 28), date(2028, 2, 29)),
    ],
)
def test_the_date_one_interval_later(interval: Interval, last: date, expected: date) -> None:
    assert interval.after(last) == expected


@given(dates, st.integers(1, MAX_INTERVAL_MONTHS))
def test_n_months_give_the_same_due_date_as_the_schedules_month_arithmetic(
    last: date, months: int
) -> None:
    due = Interval(months, MONTHS).after(last)
    assert due == next_due_date(last, months) == _add_months(last, months)


@given(dates, st.integers(1, MAX_COUNT[YEARS]))
def test_a_year_is_twelve_calendar_months(last: date, years: int) -> None:
    assert Interval(years, YEARS).after(last) == Interval(12 * years, MONTHS).after(last)


@given(dates, st.integers(1, MAX_COUNT[WEEKS]))
def test_days_and_weeks_are_plain_day_arithmetic(last: date, weeks: int) -> None:
    assert Interval(weeks, WEEKS).after(last) == last + timedelta(weeks=weeks)
    assert Interval(7 * weeks, DAYS).after(last) == Interval(weeks, WEEKS).after(last)


@given(dates, intervals())
def test_no_interval_is_ever_shorter_than_its_shortest_span(last: date, interval: Interval) -> None:
    assert interval.after(last) - last >= interval.shortest_span


@pytest.mark.parametrize(
    ("interval", "days"),
    [
        (Interval(28, DAYS), 28),
        (Interval(12, WEEKS), 84),
        (Interval(1, MONTHS), 28),
        (Interval(3, MONTHS), 89),
        (Interval(6, MONTHS), 181),
        (Interval(1, YEARS), 365),
    ],
)
def test_the_shortest_spans(interval: Interval, days: int) -> None:
    assert interval.shortest_span == timedelta(days=days)


def test_the_shortest_span_of_months_is_reached() -> None:
    # 1 Feb + 3 months is 1 May: 89 days, as products.py reasons.
    assert Interval(3, MONTHS).after(date(2027, 2, 1)) - date(2027, 2, 1) == timedelta(days=89)


# --- the label's minimum -------------------------------------------------------------


@pytest.mark.parametrize(
    ("unit", "shortest"), [(DAYS, "84d"), (WEEKS, "12w"), (MONTHS, "3m"), (YEARS, "1y")]
)
def test_the_shortest_interval_a_botulinum_toxin_allows_in_each_unit(
    unit: IntervalUnit, shortest: str
) -> None:
    for profile in profiles():
        allowed = shortest_allowed(unit, profile)
        assert allowed is not None and allowed.text == shortest


@pytest.mark.parametrize("typed", ["84d", "12w", "13w", "3m", "6m", "1y", "2y", "730d"])
def test_a_botulinum_toxin_accepts_an_interval_never_below_12_weeks(typed: str) -> None:
    for profile in profiles():
        check_minimum(parse_interval(typed), profile)  # accepted


@pytest.mark.parametrize(
    ("typed", "every", "choose"),
    [
        ("83d", "83 days", "84 days"),
        ("1d", "1 day", "84 days"),
        ("11w", "11 weeks", "12 weeks"),
        ("2w", "2 weeks", "12 weeks"),
        ("1w", "1 week", "12 weeks"),
        ("2m", "2 months", "3 months"),
        ("1m", "1 month", "3 months"),
    ],
)
def test_a_botulinum_toxin_refuses_an_interval_below_its_minimum_in_one_line(
    typed: str, every: str, choose: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        check_minimum(parse_interval(typed), profile_of("dysport"))
    assert str(refused.value) == (
        f"an injection every {every} can come sooner than Dysport's minimum interval of "
        "12 weeks (84 days), set by the Dysport label (dysporthcp.com); "
        f"choose {choose} or more"
    )


@pytest.mark.parametrize("months", range(1, MAX_INTERVAL_MONTHS + 1))
def test_months_are_checked_exactly_as_the_plan_checks_them(months: int) -> None:
    for profile in [*profiles(), SLOWTOX, SALINE]:
        allowed = shortest_allowed(MONTHS, profile)
        assert allowed is not None and allowed.months == shortest_allowed_months(profile)
        assert _refusal(check_interval, months, profile) == _refusal(
            check_minimum, Interval(months, MONTHS), profile
        )


SLOWTOX = replace(
    DEFAULT_PROFILE,
    code="slowtox",
    name="Slowtox",
    min_interval=timedelta(days=90),
    min_interval_source="Slowtox label (made up)",
)
SALINE = replace(
    DEFAULT_PROFILE,
    code="saline",
    name="Saline",
    botulinum_toxin=False,
    min_interval=None,
    min_interval_source=None,
)
NEVERTOX = replace(SLOWTOX, code="nevertox", name="Nevertox", min_interval=timedelta(days=800))


def _refusal(check: Callable[..., None], *arguments: object) -> str | None:
    try:
        check(*arguments)
    except InvalidInput as refused:
        return str(refused)
    return None


def test_a_90_day_minimum_needs_13_weeks_or_4_months() -> None:
    assert [shortest_allowed(unit, SLOWTOX) for unit in IntervalUnit] == [
        Interval(90, DAYS),
        Interval(13, WEEKS),
        Interval(4, MONTHS),
        Interval(1, YEARS),
    ]
    with pytest.raises(InvalidInput, match=r"every 3 months .* of 90 days, .*choose 4 months or"):
        check_minimum(Interval(3, MONTHS), SLOWTOX)
    check_minimum(Interval(13, WEEKS), SLOWTOX)  # 91 days: accepted


@given(intervals())
def test_a_product_without_a_label_minimum_accepts_every_interval(interval: Interval) -> None:
    check_minimum(interval, SALINE)
    assert shortest_allowed(interval.unit, SALINE) == Interval(1, interval.unit)


def test_a_minimum_no_interval_reaches_is_still_refused_naming_the_minimum() -> None:
    assert shortest_allowed(YEARS, NEVERTOX) is None
    with pytest.raises(InvalidInput, match=r"every 2 years .*; choose 800 days or more$"):
        check_minimum(Interval(2, YEARS), NEVERTOX)


@given(intervals(), st.sampled_from([*profiles(), SLOWTOX, SALINE, NEVERTOX]))
def test_an_interval_is_accepted_exactly_when_it_never_comes_before_the_minimum(
    interval: Interval, profile: ProductProfile
) -> None:
    refusal = _refusal(check_minimum, interval, profile)
    minimum = profile.min_interval
    assert (refusal is None) == (minimum is None or interval.shortest_span >= minimum)
    allowed = shortest_allowed(interval.unit, profile)
    if allowed is not None:  # the suggestion is itself accepted, and nothing shorter is
        check_minimum(allowed, profile)
        assert (refusal is None) == (interval.count >= allowed.count)


# --- plain words -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "words", "every"),
    [
        ("12w", "12 weeks", "every 12 weeks"),
        ("3m", "3 months", "every 3 months"),
        ("1y", "1 year", "every year"),
        ("2y", "2 years", "every 2 years"),
        ("28d", "28 days", "every 28 days"),
        ("1m", "1 month", "every month"),
        ("1w", "1 week", "every week"),
        ("1d", "1 day", "every day"),
    ],
)
def test_intervals_in_plain_words(typed: str, words: str, every: str) -> None:
    interval = parse_interval(typed)
    assert interval.words == words
    assert every_text(interval) == every


def test_every_unit_has_its_word() -> None:
    assert [unit.word for unit in IntervalUnit] == ["day", "week", "month", "year"]
