"""tracker log / history / edit / delete, through the real CLI on both backends."""

from __future__ import annotations

import csv
import io

import pytest

from tests.conftest import create_database


def test_log_stores_the_session_and_prints_the_next_due_date(tracker):
    result = tracker.ok(
        "log",
        "2026-11-24",
        "--units",
        "200",
        "--site",
        "left lumbar paraspinal:100",
        "--site",
        "right lumbar paraspinal:100",
        "--provider",
        "Dr Lee",
        "--lot",
        "C1234",
        "--note",
        "went well",
    )
    assert "Logged injection #1 on Tue 24 Nov 2026: botox, 200 units" in result.stdout
    assert "Next injection due Wed 24 Feb 2027 — in 91 days (earliest Tue 16 Feb)" in result.stdout
    assert tracker.json("history") == [
        {
            "id": 1,
            "date": "2026-11-24",
            "product": "botox",
            "units": 200,
            "sites": [
                {"muscle": "left lumbar paraspinal", "units": 100},
                {"muscle": "right lumbar paraspinal", "units": 100},
            ],
            "provider": "Dr Lee",
            "lot": "C1234",
            "note": "went well",
        }
    ]


def test_log_without_a_date_means_today(tracker):
    tracker.ok("log", "--units", "100")
    assert tracker.json("history")[0]["date"] == "2026-11-25"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("today", "2026-11-25"),
        ("yesterday", "2026-11-24"),
        ("24 Nov 2026", "2026-11-24"),
        ("Nov 24, 2026", "2026-11-24"),
        ("2026-02-28", "2026-02-28"),
    ],
)
def test_log_accepts_iso_relative_and_written_dates(tracker, typed, stored):
    tracker.ok("log", typed)
    assert tracker.json("history")[0]["date"] == stored


def test_log_json_prints_the_session_with_due_dates_and_warnings(tracker):
    data = tracker.json("log", "2026-11-24", "--units", "12.5", "--product", "xeomin")
    assert data["units"] == 12.5
    assert data["product"] == "xeomin"
    assert data["next_due"] == "2027-02-24"
    assert data["earliest"] == "2027-02-16"
    assert data["warnings"] == []


def test_units_default_to_the_sum_of_the_sites_when_every_site_has_units(tracker):
    tracker.ok("log", "2026-11-24", "--site", "a:50", "--site", "b:70")
    assert tracker.json("history")[0]["units"] == 120
    tracker.ok("log", "2026-08-01", "--site", "a:50", "--site", "b")
    assert tracker.json("history")[0]["units"] is None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["2026-11-26"], "in the future"),
        (["2027-01-01"], "book an appointment"),
        (["next tuesday-ish"], "cannot read"),
        (["03/04/2026"], "YYYY-MM-DD"),
        (["2026-02-30"], "not a real calendar date"),
        (["Nov 2026"], "not a full date"),
        (["today", "--units", "0"], "positive number"),
        (["today", "--units", "-5"], "positive number"),
        (["today", "--units", "lots"], "positive number"),
        (["today", "--units", "nan"], "positive number"),
        (["today", "--units", "inf"], "positive number"),
        (["today", "--site", "a:0"], "positive number"),
        (["today", "--site", "a:x"], "positive number"),
        (["today", "--site", ":50"], "no muscle"),
        (["today", "--site", "a:"], "no units"),
        (["today", "--units", "100", "--site", "a:60", "--site", "b:50"], "more than the session"),
        (["today", "--product", "snake oil"], "unknown product"),
    ],
)
def test_log_refuses_bad_input_with_one_line_and_stores_nothing(tracker, args, message):
    create_database(tracker.db)  # an empty database: a reading command creates none
    result = tracker.fails("log", *args)
    assert message in result.stderr
    assert tracker.json("history") == []


def test_a_second_session_on_the_same_date_is_refused_with_how_to_edit(tracker):
    tracker.ok("log", "2026-11-24", "--units", "200")
    result = tracker.fails("log", "2026-11-24", "--units", "100")
    assert "already" in result.stderr and "tracker edit 1" in result.stderr
    assert [s["units"] for s in tracker.json("history")] == [200]


def test_a_session_sooner_than_12_weeks_is_stored_with_a_warning(tracker):
    tracker.ok("log", "2026-08-01", "--units", "100")
    result = tracker.ok("log", "2026-10-23", "--units", "100")  # 83 days later
    assert "Warning:" in result.stderr and "83 days after" in result.stderr
    assert len(tracker.json("history")) == 2
    result = tracker.ok("log", "2026-05-09", "--units", "100")  # 84 days before 1 Aug
    assert result.stderr == ""


def test_a_back_filled_session_is_checked_against_both_neighbours(tracker):
    tracker.ok("log", "2026-01-01", "--units", "100")
    tracker.ok("log", "2026-07-01", "--units", "100")
    result = tracker.ok("log", "2026-04-01", "--units", "100")
    assert "90 days after" not in result.stderr  # 90 days is fine
    assert "days before the next one" not in result.stderr
    result = tracker.ok("log", "2026-05-20", "--units", "100", today="2026-11-25")
    assert "49 days after" in result.stderr and "42 days before" in result.stderr


def test_botox_above_400_units_in_three_months_warns(tracker):
    tracker.ok("log", "2026-06-01", "--units", "200")
    quiet = tracker.ok("log", "2026-08-31", "--units", "200")  # 400 in window: at the limit
    assert "labelled maximum" not in quiet.stderr
    # The window ending 1 Sep starts after 1 Jun: the June session falls out of it.
    still_quiet = tracker.ok("log", "2026-09-01", "--units", "1")
    assert "labelled maximum" not in still_quiet.stderr


def test_a_back_filled_botox_session_can_push_a_later_window_over_400(tracker):
    tracker.ok("log", "2026-06-01", "--units", "200")
    tracker.ok("log", "2026-08-31", "--units", "200")
    loud = tracker.ok("log", "2026-07-15", "--units", "1")
    assert "401 units of botox in the 3 months up to 2026-08-31" in loud.stderr
    assert "labelled maximum of 400 units per 3 months" in loud.stderr
    assert "201 units" not in loud.stderr


def test_doses_of_different_products_are_never_added(tracker):
    tracker.ok("log", "2026-06-01", "--units", "300", "--product", "botox")
    result = tracker.ok("log", "2026-07-01", "--units", "300", "--product", "xeomin")
    assert "labelled maximum" not in result.stderr


@pytest.mark.parametrize(
    ("product", "units", "warns"),
    [
        ("xeomin", "400", False),
        ("xeomin", "401", True),
        ("dysport", "1500", False),
        ("dysport", "1501", True),
        ("myobloc", "10000", False),
        ("other", "5000", False),
    ],
)
def test_per_session_product_limits(tracker, product, units, warns):
    result = tracker.ok("log", "2026-11-24", "--product", product, "--units", units)
    assert ("labelled maximum" in result.stderr) is warns


def test_history_lists_sessions_oldest_first_with_gaps(tracker):
    tracker.ok("log", "2026-11-24", "--units", "200")
    tracker.ok("log", "2026-08-25", "--units", "200", "--note", "first")
    out = tracker.ok("history").stdout
    lines = out.splitlines()
    assert lines[0].split() == [
        "ID",
        "DATE",
        "PRODUCT",
        "UNITS",
        "SITES",
        "PROVIDER",
        "LOT",
        "GAP",
        "NOTE",
    ]
    assert "2026-08-25" in lines[1] and "first" in lines[1]
    assert "2026-11-24" in lines[2] and "91 d" in lines[2]


def test_history_csv_has_a_header_and_one_row_per_session(tracker):
    tracker.ok(
        "log",
        "2026-11-24",
        "--units",
        "200",
        "--site",
        "a:100",
        "--site",
        "b:100",
        "--note",
        'said "ok", then left',
    )
    rows = list(csv.DictReader(io.StringIO(tracker.ok("history", "--csv").stdout)))
    assert rows == [
        {
            "id": "1",
            "date": "2026-11-24",
            "product": "botox",
            "units": "200",
            "sites": "a:100; b:100",
            "provider": "",
            "lot": "",
            "note": 'said "ok", then left',
        }
    ]


def test_history_on_an_empty_database_says_so(tracker):
    create_database(tracker.db)  # an empty database: a reading command creates none
    assert "No injections logged yet" in tracker.ok("history").stdout
    assert tracker.json("history") == []


def test_edit_changes_only_the_given_fields(tracker):
    tracker.ok("log", "2026-11-24", "--units", "200", "--site", "a:100", "--provider", "Dr Lee")
    result = tracker.ok("edit", "1", "--units", "150", "--note", "corrected")
    assert "Updated injection #1" in result.stdout
    (session,) = tracker.json("history")
    assert session["units"] == 150
    assert session["note"] == "corrected"
    assert session["provider"] == "Dr Lee"
    assert session["sites"] == [{"muscle": "a", "units": 100}]


def test_edit_can_move_the_date_and_replace_the_sites(tracker):
    tracker.ok("log", "2026-11-24", "--units", "200", "--site", "a:100")
    tracker.ok("edit", "1", "--date", "2026-11-20", "--site", "b:20", "--site", "c:30")
    (session,) = tracker.json("history")
    assert session["date"] == "2026-11-20"
    assert session["sites"] == [{"muscle": "b", "units": 20}, {"muscle": "c", "units": 30}]


def test_edit_validates_like_log_and_changes_nothing_on_error(tracker):
    tracker.ok("log", "2026-11-24", "--units", "200")
    tracker.ok("log", "2026-08-24", "--units", "200")
    before = tracker.json("history")
    tracker.fails("edit", "1", "--date", "2026-08-24")
    tracker.fails("edit", "1", "--date", "2027-01-01")
    tracker.fails("edit", "1", "--units", "100", "--site", "a:150")
    tracker.fails("edit", "1", "--units", "0")
    assert tracker.json("history") == before


def test_edit_or_delete_of_an_unknown_id_is_one_line_error(tracker):
    assert "no injection session #7" in tracker.fails("edit", "7", "--units", "1").stderr
    assert "no injection session #7" in tracker.fails("delete", "7", "--yes").stderr
    tracker.fails("delete", "0")
    tracker.fails("delete", "abc")


def test_delete_removes_the_session_and_its_sites(tracker):
    tracker.ok("log", "2026-11-24", "--units", "200", "--site", "a:100")
    result = tracker.ok("delete", "1", "--yes")
    assert "Deleted injection #1" in result.stdout
    assert tracker.json("history") == []
    assert tracker.json("due")["status"] == "none"


def test_blank_text_fields_are_stored_as_empty(tracker):
    tracker.ok("log", "2026-11-24", "--provider", "  ", "--note", "")
    (session,) = tracker.json("history")
    assert session["provider"] is None and session["note"] is None


def test_text_comes_back_exactly_as_typed(tracker):
    note = "Ünïcødé ✓ 'quotes' \"double\" ; DROP TABLE injection_sessions; --"
    tracker.ok("log", "2026-11-24", "--note", note, "--site", "m. erector spinae (L4)")
    (session,) = tracker.json("history")
    assert session["note"] == note
    assert session["sites"] == [{"muscle": "m. erector spinae (L4)", "units": None}]
