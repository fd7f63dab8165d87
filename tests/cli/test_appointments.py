"""tracker book / appointments / cancel, and their effect on due and log."""

from __future__ import annotations

import pytest


def test_book_lists_and_shows_the_next_appointment_in_due(tracker):
    tracker.ok("log", "2026-11-24")
    result = tracker.ok("book", "2027-02-23", "--time", "9:30", "--provider", "Dr Lee")
    assert result.stdout.strip() == "Booked: Tue 23 Feb 2027 at 09:30 with Dr Lee (#1)"
    assert result.stderr == ""
    assert tracker.json("appointments") == [
        {
            "id": 1,
            "date": "2027-02-23",
            "time": "09:30",
            "provider": "Dr Lee",
            "note": None,
            "status": "booked",
        }
    ]
    assert tracker.json("due")["appointment"] == "2027-02-23"
    assert "Booked: Tue 23 Feb 2027 at 09:30 with Dr Lee (#1)" in tracker.ok("due").stdout


def test_the_earliest_upcoming_booked_appointment_is_the_one_due_shows(tracker):
    tracker.ok("book", "2027-03-01")
    tracker.ok("book", "2027-02-20")
    tracker.ok("cancel", "2")
    assert tracker.json("due")["appointment"] == "2027-03-01"


def test_booking_before_the_earliest_retreatment_date_warns(tracker):
    tracker.ok("log", "2026-11-24")
    early = tracker.ok("book", "2027-02-15")  # earliest is 2027-02-16
    assert "Warning:" in early.stderr and "2027-02-16" in early.stderr
    assert tracker.ok("book", "2027-02-16").stderr == ""
    assert len(tracker.json("appointments")) == 2


def test_cancel_keeps_the_appointment_as_cancelled(tracker):
    tracker.ok("book", "2027-02-23")
    assert "Cancelled: Tue 23 Feb 2027 (#1)" in tracker.ok("cancel", "1").stdout
    assert tracker.json("appointments") == []
    assert [a["status"] for a in tracker.json("appointments", "--all")] == ["cancelled"]
    assert "already cancelled" in tracker.fails("cancel", "1").stderr
    assert "no appointment #5" in tracker.fails("cancel", "5").stderr


def test_logging_an_injection_on_a_booked_date_marks_the_appointment_done(tracker):
    tracker.ok("book", "2026-11-25")
    tracker.ok("log", "today")
    assert tracker.json("appointments", "--all")[0]["status"] == "done"
    assert tracker.json("due")["appointment"] is None


def test_past_appointments_only_show_with_all(tracker):
    tracker.ok("book", "2026-11-26")
    assert len(tracker.json("appointments", today="2026-11-27")) == 0
    assert len(tracker.json("appointments", "--all", today="2026-11-27")) == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["2026-11-24"], "in the past"),
        (["2027-02-23", "--time", "25:00"], "HH:MM"),
        (["2027-02-23", "--time", "half past nine"], "HH:MM"),
        (["02/23/2027"], "YYYY-MM-DD"),
    ],
)
def test_book_refuses_bad_input(tracker, args, message):
    assert message in tracker.fails("book", *args).stderr
    assert tracker.json("appointments", "--all") == []


def test_a_second_booking_on_the_same_date_is_refused(tracker):
    tracker.ok("book", "2027-02-23")
    assert "already booked" in tracker.fails("book", "2027-02-23", "--time", "10:00").stderr
