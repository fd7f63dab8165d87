"""Reading the dates patients type (tracker.domain.dates)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.domain.dates import FIRST_DATE, LAST_DATE, not_in_future, parse_date, parse_today
from tracker.domain.errors import InvalidInput

TODAY = date(2026, 11, 25)
# Written out here rather than taken from strftime, so the tests do not depend
# on the process locale.
MONTH_ABBREVIATIONS = (
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
)


# --- ISO and relative days -------------------------------------------------


def test_an_iso_date_is_read_as_that_date() -> None:
    assert parse_date("2026-11-24", TODAY) == date(2026, 11, 24)


def test_an_iso_date_with_surrounding_spaces_is_read() -> None:
    assert parse_date("  2026-11-24\t\n", TODAY) == date(2026, 11, 24)


def test_an_iso_date_does_not_depend_on_today() -> None:
    assert parse_date("2020-01-01", date(1999, 5, 5)) == date(2020, 1, 1)


@pytest.mark.parametrize("text", ["today", "TODAY", "Today", "  today  ", "\ttoDay\n"])
def test_today_is_today_whatever_the_case_and_spacing(text: str) -> None:
    assert parse_date(text, TODAY) == TODAY


@pytest.mark.parametrize("text", ["yesterday", "YESTERDAY", "Yesterday", "  yesterday  "])
def test_yesterday_is_the_day_before_today_whatever_the_case_and_spacing(text: str) -> None:
    assert parse_date(text, TODAY) == date(2026, 11, 24)


def test_yesterday_crosses_a_month_and_year_boundary() -> None:
    assert parse_date("yesterday", date(2027, 1, 1)) == date(2026, 12, 31)


def test_yesterday_after_the_first_of_march_in_a_leap_year_is_the_29th_of_february() -> None:
    assert parse_date("yesterday", date(2028, 3, 1)) == date(2028, 2, 29)


@pytest.mark.parametrize("text", ["today!", "to day", "tomorrow", "yesterday 2026"])
def test_words_that_only_look_like_today_or_yesterday_are_refused(text: str) -> None:
    with pytest.raises(InvalidInput):
        parse_date(text, TODAY)


# --- written-out months ----------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "24 Nov 2026",
        "Nov 24, 2026",
        "24 November 2026",
        "November 24, 2026",
        "24 nov 2026",
        "24 NOV 2026",
        "  24 Nov 2026  ",
    ],
)
def test_a_written_out_month_is_read(text: str) -> None:
    assert parse_date(text, TODAY) == date(2026, 11, 24)


def test_a_written_out_29th_of_february_in_a_leap_year_is_accepted() -> None:
    assert parse_date("29 Feb 2024", TODAY) == date(2024, 2, 29)


def test_a_written_out_date_does_not_depend_on_today() -> None:
    assert parse_date("1 Jan 2020", date(1999, 5, 5)) == date(2020, 1, 1)


# --- refusals --------------------------------------------------------------


@pytest.mark.parametrize("text", ["03/04/2026", "3.4.2026", "20261124", "24/11/2026", "1 1 2026"])
def test_an_all_numeric_date_other_than_iso_is_refused_as_ambiguous(text: str) -> None:
    with pytest.raises(InvalidInput, match="YYYY-MM-DD") as refusal:
        parse_date(text, TODAY)
    assert text in str(refusal.value)


@pytest.mark.parametrize("text", ["-1", "1", "12345678901234567890", "-20261124", "20261124"])
def test_a_plain_number_is_refused_as_a_number_not_as_ambiguous(text: str) -> None:
    """Issue 13, point 16: '-1' was called ambiguous (day and month could be swapped)."""
    with pytest.raises(InvalidInput, match="is a number, not a date; write the date as YYYY-MM-DD"):
        parse_date(text, TODAY)


@pytest.mark.parametrize("text", ["1/2", "2026/11", "1-2-3-4", "--1", "2026 11 24 1"])
def test_numbers_that_are_not_day_month_year_are_not_called_ambiguous(text: str) -> None:
    refused = r"cannot read '.*' as a date; write the date as"
    with pytest.raises(InvalidInput, match=refused) as refusal:
        parse_date(text, TODAY)
    assert "ambiguous" not in str(refusal.value)


@pytest.mark.parametrize("text", ["Nov 2026", "24 Nov", "November", "Monday"])
def test_a_date_missing_its_day_month_or_year_is_refused_not_guessed(text: str) -> None:
    with pytest.raises(InvalidInput, match="not a full date"):
        parse_date(text, TODAY)


@pytest.mark.parametrize(
    "text", ["2026-02-30", "2025-02-29", "2026-13-01", "2026-00-10", "2026-04-31"]
)
def test_an_impossible_iso_date_is_refused(text: str) -> None:
    with pytest.raises(InvalidInput, match="not a real calendar date"):
        parse_date(text, TODAY)


@pytest.mark.parametrize("text", ["30 Feb 2026", "29 Feb 2025", "31 Apr 2026", "32 Nov 2026"])
def test_an_impossible_written_date_is_refused(text: str) -> None:
    with pytest.raises(InvalidInput):
        parse_date(text, TODAY)


@pytest.mark.parametrize("text", ["", "   ", "\t\n"])
def test_an_empty_date_is_refused_with_an_example(text: str) -> None:
    with pytest.raises(InvalidInput, match="2026-11-24"):
        parse_date(text, TODAY)


@pytest.mark.parametrize(
    "text",
    [
        "banana",
        "next week",
        "24 Nov 2026 25:00",
        "99999999999999999999 Nov 2026",
        "24 Nov 2026 99999999999999999999",
        "\x00",
        "2026-11-24-",
        "💉",
    ],
)
def test_garbage_is_refused_with_invalid_input(text: str) -> None:
    with pytest.raises(InvalidInput):
        parse_date(text, TODAY)


def test_the_first_and_last_dates_tracker_keeps_are_accepted() -> None:
    assert parse_date("1900-01-01", TODAY) == FIRST_DATE
    assert parse_date("31 Dec 2999", TODAY) == LAST_DATE


@pytest.mark.parametrize(
    "text", ["1899-12-31", "3000-01-01", "9999-12-31", "31 Dec 10000", "1 Jan 10000", "10000-01-01"]
)
def test_dates_outside_1900_to_2999_are_refused_cleanly(text: str) -> None:
    with pytest.raises(InvalidInput):
        parse_date(text, TODAY)


def test_a_time_zone_word_is_ignored_without_a_warning(recwarn) -> None:
    assert parse_date("24 Nov 2026 10:00 EST", TODAY) == date(2026, 11, 24)
    assert len(recwarn) == 0


@given(st.dates(min_value=FIRST_DATE, max_value=LAST_DATE))
def test_any_date_written_in_iso_reads_back_as_itself(day: date) -> None:
    assert parse_date(day.isoformat(), TODAY) == day


@given(st.dates(min_value=FIRST_DATE, max_value=LAST_DATE))
def test_any_date_written_as_day_month_name_year_reads_back_as_itself(day: date) -> None:
    text = f"{day.day} {MONTH_ABBREVIATIONS[day.month - 1]} {day.year}"
    assert parse_date(text, TODAY) == day


@given(st.text())
def test_parse_date_raises_nothing_but_invalid_input_for_any_text(text: str) -> None:
    try:
        result = parse_date(text, TODAY)
    except InvalidInput:
        return
    assert isinstance(result, date)


# --- TRACKER_TODAY ---------------------------------------------------------


def test_tracker_today_accepts_a_strict_iso_date() -> None:
    assert parse_today("2026-11-25") == date(2026, 11, 25)


def test_tracker_today_ignores_surrounding_spaces() -> None:
    assert parse_today(" 2026-11-25\n") == date(2026, 11, 25)


@pytest.mark.parametrize(
    "text",
    ["today", "yesterday", "25 Nov 2026", "Nov 25, 2026", "2026/11/25", "20261125", "2026-1-5"],
)
def test_tracker_today_refuses_anything_but_iso(text: str) -> None:
    with pytest.raises(InvalidInput, match="TRACKER_TODAY"):
        parse_today(text)


@pytest.mark.parametrize("text", ["2026-02-30", "2025-02-29", "2026-13-01", "", "garbage", "\x00"])
def test_tracker_today_refuses_impossible_dates_and_garbage_naming_the_variable(
    text: str,
) -> None:
    with pytest.raises(InvalidInput, match="TRACKER_TODAY"):
        parse_today(text)


def test_tracker_today_accepts_the_29th_of_february_in_a_leap_year() -> None:
    assert parse_today("2028-02-29") == date(2028, 2, 29)


@given(st.text())
def test_parse_today_raises_nothing_but_invalid_input_for_any_text(text: str) -> None:
    try:
        result = parse_today(text)
    except InvalidInput:
        return
    assert isinstance(result, date)


# --- not_in_future ---------------------------------------------------------


def test_a_date_before_today_is_not_in_the_future() -> None:
    assert not_in_future(date(2026, 11, 24), TODAY, "injection date") == date(2026, 11, 24)


def test_today_itself_is_not_in_the_future() -> None:
    assert not_in_future(TODAY, TODAY, "injection date") == TODAY


def test_tomorrow_is_refused_as_in_the_future_naming_what_and_when() -> None:
    with pytest.raises(InvalidInput) as refusal:
        not_in_future(date(2026, 11, 26), TODAY, "injection date")
    assert str(refusal.value) == "injection date 2026-11-26 is in the future"


def test_the_hint_follows_the_future_date_refusal() -> None:
    with pytest.raises(InvalidInput) as refusal:
        not_in_future(date(2026, 11, 26), TODAY, "injection date", hint="use --date")
    assert str(refusal.value) == "injection date 2026-11-26 is in the future; use --date"
