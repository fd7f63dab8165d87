"""tracker book / appointments / cancel, and their effect on due and log."""

from __future__ import annotations

import json
import re

import pytest

from tests.conftest import create_database


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


def test_past_appointments_only_show_with_all_unless_missed(tracker):
    """A missed one still needs doing, so it stays in the default list (issue 17)."""
    tracker.ok("book", "2026-11-26")
    assert [a["status"] for a in tracker.json("appointments", today="2026-11-27")] == ["missed"]
    tracker.ok("log", "2026-11-27", today="2026-11-27")
    assert len(tracker.json("appointments", today="2026-11-28")) == 0
    assert len(tracker.json("appointments", "--all", today="2026-11-28")) == 1


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
    create_database(tracker.db)  # an empty database: a reading command creates none
    assert message in tracker.fails("book", *args).stderr
    assert tracker.json("appointments", "--all") == []


def test_a_second_booking_on_the_same_date_is_refused(tracker):
    tracker.ok("book", "2027-02-23")
    assert "already booked" in tracker.fails("book", "2027-02-23", "--time", "10:00").stderr


def _book_and_book_again_never_meet(text: str) -> None:
    """Issue 17: never "book" and "booked" in one answer."""
    assert not (re.search(r"\bbook\b", text) and "booked" in text.lower()), text


@pytest.mark.parametrize(
    ("today", "line", "check_code"),
    [
        ("2027-02-13", "Booked: Tue 23 Feb 2027 at 09:30 with Dr Lee (#1)", 0),  # due soon
        ("2027-02-22", "Booked: Tue 23 Feb 2027 at 09:30 with Dr Lee (#1)", 0),  # day before
        ("2027-02-23", "Your appointment is today: Tue 23 Feb 2027 at 09:30 with Dr Lee (#1)", 0),
        ("2027-02-24", "Missed appointment: Tue 23 Feb 2027 at 09:30 with Dr Lee (#1)", 1),
    ],
)
def test_due_knows_about_the_booking_until_it_is_missed(tracker, today, line, check_code):
    tracker.ok("log", "2026-11-24")
    tracker.ok("book", "2027-02-23", "--time", "09:30", "--provider", "Dr Lee")
    text = tracker.ok("due", today=today).stdout
    assert line in text.splitlines()
    _book_and_book_again_never_meet(text)
    assert tracker("due", "--check", today=today).exit_code == check_code
    assert tracker("due", "--all", "--check", today=today).exit_code == check_code
    missed = check_code == 1
    assert tracker.json("due", today=today)["appointment_status"] == (
        "missed" if missed else "booked"
    )
    assert tracker.json("due", today=today)["appointment"] == "2027-02-23"


def test_a_missed_appointment_asks_to_log_the_injection_or_book_again(tracker):
    tracker.ok("log", "2026-11-24")
    tracker.ok("book", "2027-02-23", "--time", "09:30", "--provider", "Dr Lee")
    assert tracker.ok("due", today="2027-03-01").stdout.splitlines() == [
        "Next injection was due Wed 24 Feb 2027 — 5 days ago (overdue)",
        "Missed appointment: Tue 23 Feb 2027 at 09:30 with Dr Lee (#1)",
        "If you had the injection, log it: tracker log 2027-02-23 --units N",
        "If not, make a new appointment: tracker book DATE",
    ]
    assert [a["status"] for a in tracker.json("appointments", today="2027-03-01")] == ["missed"]
    table = tracker.ok("appointments", "--all", today="2027-03-01").stdout
    assert "missed" in table.splitlines()[1]
    rows = tracker.json("due", "--all", today="2027-03-01")
    assert rows[0]["appointment_status"] == "missed"
    assert "2027-02-23 missed" in tracker.ok("due", "--all", today="2027-03-01").stdout
    # Stored as booked: the export keeps what was recorded, so it imports back as it was.
    exported = json.loads(tracker.ok("export", "--format", "json", today="2027-03-01").stdout)
    assert [a["status"] for a in exported["appointments"]] == ["booked"]


def test_the_report_says_the_appointment_was_missed(tracker, tmp_path):
    tracker.ok("log", "2026-11-24")
    tracker.ok("book", "2027-02-23", "--time", "09:30")
    page = tmp_path / "r.html"
    tracker.ok("export", "-o", str(page), today="2027-03-01")
    shown = re.sub(r"<[^>]+>", "", page.read_text())  # the page's text, without its tags
    assert (
        "missed: Tue 23 Feb 2027 at 09:30; log the injection if it was given, "
        "or make a new appointment" in shown
    )


@pytest.mark.parametrize(
    ("logged", "status", "check_code"),
    [("2027-02-22", "missed", 1), ("2027-02-23", "done", 0), ("2027-02-24", "booked", 0)],
    ids=["before the day", "on the day", "after the day"],
)
def test_an_injection_logged_on_or_after_the_day_clears_the_missed_appointment(
    tracker, logged, status, check_code
):
    tracker.ok("log", "2026-11-24")
    tracker.ok("book", "2027-02-23")
    tracker.ok("log", logged, today="2027-02-25")
    (appointment,) = tracker.json("appointments", "--all", today="2027-02-26")
    assert appointment["status"] == status
    assert tracker("due", "--check", today="2027-02-26").exit_code == check_code


def test_a_new_booking_after_a_missed_one_is_what_due_shows(tracker):
    tracker.ok("log", "2026-11-24")
    tracker.ok("book", "2027-02-23")
    tracker.ok("book", "2027-03-03", today="2027-02-25")
    text = tracker.ok("due", today="2027-02-25").stdout
    assert "Booked: Wed 3 Mar 2027 (#2)" in text
    assert "Missed" not in text
    assert tracker("due", "--check", today="2027-02-25").exit_code == 0
    statuses = [a["status"] for a in tracker.json("appointments", today="2027-02-25")]
    assert statuses == ["missed", "booked"]


def test_without_an_appointment_due_asks_to_book_without_saying_booked(tracker):
    tracker.ok("log", "2026-11-24")
    for today in ("2027-02-20", "2027-02-24", "2027-03-01"):
        text = tracker.ok("due", today=today).stdout
        assert "No appointment yet: tracker book DATE" in text
        assert "booked" not in text


def test_bare_tracker_shows_the_booking_too(tracker):
    tracker.ok("log", "2026-11-24")
    tracker.ok("book", "2027-02-23")
    assert "Booked: Tue 23 Feb 2027 (#1)" in tracker.ok(today="2027-02-20").stdout
    assert "Missed appointment: Tue 23 Feb 2027 (#1)" in tracker.ok(today="2027-02-24").stdout
