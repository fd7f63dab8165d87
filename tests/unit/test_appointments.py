"""Booked, today, missed: how an appointment reads on a given day (issue 17)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.domain.appointments import (
    AppointmentRecord,
    AppointmentStatus,
    appointment_for_due,
    is_missed,
    next_appointment,
    with_missed,
)
from tracker.domain.schedule import due

BOOKED_ON = date(2027, 2, 23)
LAST = date(2026, 11, 24)  # the injection before the appointment
ONE_DAY = timedelta(days=1)


def booked(day: date = BOOKED_ON, id_: int = 1, **fields: object) -> AppointmentRecord:
    return AppointmentRecord(id_, day, **fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("today", "missed"),
    [(BOOKED_ON - ONE_DAY, False), (BOOKED_ON, False), (BOOKED_ON + ONE_DAY, True)],
    ids=["day before", "the day", "day after"],
)
def test_a_booked_appointment_is_missed_only_once_its_day_has_passed(today, missed):
    assert is_missed(booked(), today, LAST) is missed


@pytest.mark.parametrize(
    ("injection", "missed"),
    [(BOOKED_ON - ONE_DAY, True), (BOOKED_ON, False), (BOOKED_ON + ONE_DAY, False), (None, True)],
    ids=["logged before", "logged on the day", "logged after", "none logged"],
)
def test_an_injection_logged_on_or_after_the_day_means_it_was_not_missed(injection, missed):
    assert is_missed(booked(), BOOKED_ON + timedelta(days=5), injection) is missed


@pytest.mark.parametrize("status", [AppointmentStatus.DONE, AppointmentStatus.CANCELLED])
def test_done_and_cancelled_appointments_are_never_missed(status):
    assert not is_missed(booked(status=status), BOOKED_ON + ONE_DAY, LAST)


def test_missed_is_shown_but_the_stored_status_stays_booked():
    (marked,) = with_missed([booked()], BOOKED_ON + ONE_DAY, LAST)
    assert (marked.shown_status, marked.status) == ("missed", AppointmentStatus.BOOKED)
    (kept,) = with_missed([booked()], BOOKED_ON, LAST)
    assert (kept.shown_status, kept.missed) == ("booked", False)


def test_due_shows_the_next_booked_before_any_missed_one():
    missed, later = booked(BOOKED_ON, 1), booked(BOOKED_ON + timedelta(days=7), 2)
    today = BOOKED_ON + ONE_DAY
    assert appointment_for_due([missed, later], today, LAST) == later
    shown = appointment_for_due([missed, booked(BOOKED_ON - ONE_DAY, 3)], today, LAST)
    assert shown is not None and (shown.id, shown.missed) == (1, True)  # the latest missed
    assert appointment_for_due([missed], BOOKED_ON + ONE_DAY, BOOKED_ON) is None


@pytest.mark.parametrize(
    ("today", "attention"),
    [
        (BOOKED_ON - timedelta(days=11), False),  # due soon, booked: nothing to do
        (BOOKED_ON, False),  # the appointment day
        (BOOKED_ON + ONE_DAY, True),  # missed
    ],
)
def test_a_booking_covers_the_reminder_until_it_is_missed(today, attention):
    result = due(LAST, today)
    assert result.status.needs_attention  # due soon or later, by the dates alone
    shown = appointment_for_due([booked()], today, LAST)
    assert replace(result, appointment=shown).needs_attention is attention


def test_without_an_appointment_attention_follows_the_due_status():
    assert due(LAST, BOOKED_ON).needs_attention
    assert not due(LAST, LAST + ONE_DAY).needs_attention


@given(
    days=st.lists(st.integers(min_value=-30, max_value=30), min_size=1, max_size=5, unique=True),
    last=st.one_of(st.none(), st.integers(min_value=-40, max_value=0)),
)
def test_due_shows_an_upcoming_or_a_missed_appointment_never_a_covered_one(days, last):
    today = date(2027, 1, 1)
    records = [booked(today + timedelta(days=d), n) for n, d in enumerate(days, start=1)]
    last_day = None if last is None else today + timedelta(days=last)
    shown = appointment_for_due(records, today, last_day)
    upcoming = [r for r in records if r.day >= today]
    if upcoming:
        assert shown == min(upcoming, key=lambda r: r.day)
    elif shown is not None:
        assert shown.missed and shown.day < today
        assert last_day is None or last_day < shown.day
    else:
        assert all(last_day is not None and last_day >= r.day for r in records)


@pytest.mark.parametrize("time", [None, "09:30"])
def test_two_bookings_at_one_day_and_time_the_earlier_booked_is_next_in_any_order(time):
    first, second = booked(id_=1, time=time), booked(id_=2, time=time)
    for records in ([first, second], [second, first]):
        assert appointment_for_due(records, BOOKED_ON, LAST) == first


def test_on_one_day_an_earlier_time_comes_first_and_no_time_before_any_time():
    untimed, early, late = booked(id_=3), booked(id_=2, time="08:00"), booked(id_=1, time="14:15")
    assert appointment_for_due([late, early], BOOKED_ON, LAST) == early
    assert appointment_for_due([late, early, untimed], BOOKED_ON, LAST) == untimed


APPOINTMENTS = st.lists(
    st.builds(
        AppointmentRecord,
        id=st.integers(1, 6),
        day=st.dates(BOOKED_ON - timedelta(days=20), BOOKED_ON + timedelta(days=20)),
        time=st.one_of(st.none(), st.sampled_from(["08:00", "09:30", "14:15"])),
        status=st.sampled_from(list(AppointmentStatus)),
        missed=st.booleans(),
    ),
    max_size=6,
)


@given(
    appointments=APPOINTMENTS,
    today=st.dates(BOOKED_ON - timedelta(days=25), BOOKED_ON + timedelta(days=25)),
    last=st.one_of(
        st.none(), st.dates(BOOKED_ON - timedelta(days=30), BOOKED_ON + timedelta(days=30))
    ),
)
def test_the_one_pass_choice_is_the_next_booked_else_the_latest_missed(appointments, today, last):
    """appointment_for_due walks the list once (`due --all` asks it for every patient):
    it answers what marking the missed ones, then choosing, answers."""
    marked = with_missed(appointments, today, last)
    expected = next_appointment(marked, today) or max(
        (a for a in marked if a.missed), key=lambda a: (a.day, a.time or "", a.id), default=None
    )
    assert appointment_for_due(appointments, today, last) == expected
