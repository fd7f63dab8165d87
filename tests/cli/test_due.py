"""tracker due, plan, and the bare `tracker` status."""

from __future__ import annotations

import pytest

from tests.conftest import create_database


def test_due_with_nothing_logged(tracker):
    create_database(tracker.db)  # an empty database: a reading command creates none
    assert tracker.json("due") == {
        "status": "none",
        "last_injection": None,
        "next_due": None,
        "earliest": None,
        "days_left": None,
        "appointment": None,
        "appointment_status": None,
        # Issue 16: every treatment, here the one the new database starts with.
        "treatments": [
            {
                "treatment": "botox",
                "product": "botox",
                "status": "none",
                "next_due": None,
                "earliest": None,
                "days_left": None,
                "last_injection": None,
                "appointment": None,
                "appointment_status": None,
            }
        ],
    }
    assert "No injection logged yet" in tracker.ok("due").stdout
    assert tracker("due", "--check").exit_code == 0


def test_due_uses_the_latest_injection(tracker):
    tracker.ok("log", "2026-08-24")
    tracker.ok("log", "2026-11-24")
    assert tracker.json("due") == {
        "status": "not_due",
        "last_injection": "2026-11-24",
        "next_due": "2027-02-24",
        "earliest": "2027-02-16",
        "days_left": 91,
        "appointment": None,
        "appointment_status": None,
        "treatments": [
            {
                "treatment": "botox",
                "product": "botox",
                "status": "not_due",
                "next_due": "2027-02-24",
                "earliest": "2027-02-16",
                "days_left": 91,
                "last_injection": "2026-11-24",
                "appointment": None,
                "appointment_status": None,
            }
        ],
    }


@pytest.mark.parametrize(
    ("today", "status", "days_left", "check_code"),
    [
        ("2027-02-09", "not_due", 15, 0),
        ("2027-02-10", "due_soon", 14, 1),
        ("2027-02-23", "due_soon", 1, 1),
        ("2027-02-24", "due", 0, 1),
        ("2027-02-25", "overdue", -1, 1),
    ],
)
def test_due_status_boundaries_and_check_exit_codes(tracker, today, status, days_left, check_code):
    tracker.ok("log", "2026-11-24")
    data = tracker.json("due", today=today)
    assert (data["status"], data["days_left"]) == (status, days_left)
    result = tracker("due", "--check", today=today)
    assert result.exit_code == check_code
    assert result.stdout.startswith("Next injection")


def test_within_overrides_the_reminder_window_for_one_call(tracker):
    tracker.ok("log", "2026-11-24")
    assert tracker.json("due", "--within", "20", today="2027-02-04")["status"] == "due_soon"
    assert tracker.json("due", "--within", "19", today="2027-02-04")["status"] == "not_due"
    assert tracker.json("due", today="2027-02-04")["status"] == "not_due"


def test_human_lines_read_naturally(tracker):
    tracker.ok("log", "2026-11-24")
    assert tracker.ok("due", today="2027-02-23").stdout.splitlines() == [
        "Next injection due Wed 24 Feb 2027 — in 1 day: time to book it (earliest Tue 16 Feb)",
        "No appointment yet: tracker book DATE",
    ]
    assert tracker.ok("due", today="2027-02-24").stdout.startswith("Next injection due today")
    assert "3 days ago" in tracker.ok("due", today="2027-02-27").stdout


def test_month_end_injection_is_due_at_the_end_of_february(tracker):
    tracker.ok("log", "2026-11-30", today="2026-12-01")
    assert tracker.json("due", today="2026-12-01")["next_due"] == "2027-02-28"


def test_due_check_exits_2_on_error(tracker):
    result = tracker("due", "--check", today="not-a-date")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: TRACKER_TODAY")


def test_plan_changes_the_interval_and_window_used_by_due(tracker):
    create_database(tracker.db)  # an empty database: a reading command creates none
    assert "every 3 months" in tracker.ok("plan").stdout
    tracker.ok("plan", "--every", "4", "--within", "30", "--name", "Sam Patient")
    assert tracker.json("plan") == {
        "every": "4m",
        "every_months": 4,
        "within_days": 30,
        "name": "Sam Patient",
    }
    tracker.ok("log", "2026-11-24")
    data = tracker.json("due", today="2027-02-24")
    assert data["next_due"] == "2027-03-24"
    assert data["status"] == "due_soon"  # 28 days left, window 30
    tracker.ok("plan", "--within", "7")
    assert tracker.json("plan") == {
        "every": "4m",
        "every_months": 4,
        "within_days": 7,
        "name": "Sam Patient",
    }


@pytest.mark.parametrize(
    "args", [["--every", "0"], ["--every", "25"], ["--within", "-1"], ["--every", "x"]]
)
def test_plan_refuses_out_of_range_values(tracker, args):
    create_database(tracker.db)  # an empty database: a reading command creates none
    tracker.fails("plan", *args)
    assert tracker.json("plan")["every_months"] == 3


def test_bare_tracker_shows_a_short_status_and_a_hint(tracker):
    tracker.ok("log", "2026-11-24", "--units", "200")
    out = tracker.ok().stdout
    assert "Last injection: Tue 24 Nov 2026: botox, 200 units" in out
    assert "Next injection due Wed 24 Feb 2027" in out
    assert "tracker --help" in out


def test_version_and_help_need_no_database(tmp_path):
    from tests.conftest import Tracker

    missing = tmp_path / "nowhere" / "tracker.db"
    assert Tracker(str(missing)).ok("--version").stdout.startswith("tracker, version ")
    assert "log" in Tracker(str(missing)).ok("--help").stdout
    assert not missing.exists()
