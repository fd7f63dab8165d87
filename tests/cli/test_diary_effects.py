"""tracker pain / diary / effect / effects through the real CLI."""

from __future__ import annotations

import pytest

from tests.conftest import create_database


def test_pain_entries_are_all_kept_and_listed_oldest_first(tracker):
    tracker.ok("pain", "6", "--date", "2026-11-20", "--function", "4", "--note", "bad night")
    tracker.ok("pain", "4", "--date", "2026-11-20")
    result = tracker.ok("pain", "3")
    assert "Noted pain 3/10 on Wed 25 Nov 2026" in result.stdout
    assert tracker.json("diary") == [
        {"id": 1, "date": "2026-11-20", "score": 6, "function": 4, "note": "bad night"},
        {"id": 2, "date": "2026-11-20", "score": 4, "function": None, "note": None},
        {"id": 3, "date": "2026-11-25", "score": 3, "function": None, "note": None},
    ]


@pytest.mark.parametrize("score", ["0", "10"])
def test_pain_accepts_both_ends_of_the_scale(tracker, score):
    tracker.ok("pain", score)
    assert tracker.json("diary")[0]["score"] == int(score)


@pytest.mark.parametrize(
    "args",
    [
        ["-1"],
        ["11"],
        ["5.5"],
        ["seven"],
        ["5", "--function", "11"],
        ["5", "--function", "-1"],
        ["5", "--date", "2026-11-26"],
        ["5", "--date", "03/04/2026"],
    ],
)
def test_pain_refuses_bad_scores_and_future_dates(tracker, args):
    create_database(tracker.db)  # an empty database: a reading command creates none
    tracker.fails("pain", *args)
    assert tracker.json("diary") == []


def test_diary_shows_a_weekly_bar_and_trend(tracker):
    for day, score in [("2026-11-02", 8), ("2026-11-03", 6), ("2026-11-10", 2)]:
        tracker.ok("pain", str(score), "--date", day)
    out = tracker.ok("diary").stdout
    assert "Mon 2 Nov 2026  7.0  ██████████████  2" in out
    assert "Mon 9 Nov 2026  2.0  ████            1" in out
    assert "Trend, one mark per week: ▆▂" in out


def test_the_trend_shows_weeks_without_entries_as_gaps(tracker):
    tracker.ok("pain", "8", "--date", "2026-11-02")
    tracker.ok("pain", "0", "--date", "2026-11-23")
    assert "Trend, one mark per week: ▇··_" in tracker.ok("diary").stdout


def test_diary_since_filters_entries(tracker):
    tracker.ok("pain", "8", "--date", "2026-10-01")
    tracker.ok("pain", "2", "--date", "2026-11-01")
    assert [e["date"] for e in tracker.json("diary", "--since", "2026-11-01")] == ["2026-11-01"]
    assert "The diary is empty" in tracker.ok("diary", "--since", "2026-11-02").stdout


@pytest.mark.parametrize(
    ("text", "effect_class"),
    [
        ("headache", "common"),
        ("Headaches", "common"),
        ("flu-like symptoms", "common"),
        ("swelling", "common"),
        ("hives", "emergency"),
        ("my chest is tight", "emergency"),
        ("dificulty breathing", "emergency"),
        ("eyelid droop", "serious"),
        ("dizzy", "common"),
        ("drooping eyelids", "serious"),
        ("blurred vision", "serious"),
        ("difficulty breathing", "emergency"),
        ("swelling of the lips", "emergency"),
        ("Trouble Swallowing", "emergency"),
        ("purple toenails", "other"),
    ],
)
def test_effect_prints_its_class_and_advice(tracker, text, effect_class):
    data = tracker.json("effect", text)
    assert data["class"] == effect_class
    assert data["text"] == text
    assert data["advice"]
    assert data["severity"] is None  # none given, none invented


def test_a_severity_is_stored_only_when_given_and_otherwise_shown_as_not_stated(tracker):
    tracker.ok("effect", "headache", "--date", "2026-11-01")
    out = tracker.ok("effect", "dry mouth", "--date", "2026-11-02", "--severity", "Moderate")
    assert "(moderate, " in out.stdout
    assert "(severity not stated, " in tracker.ok("effect", "nausea").stdout
    assert [e["severity"] for e in tracker.json("effects")] == [None, "moderate", None]
    table = tracker.ok("effects").stdout
    assert "headache   common  not stated" in table
    help_text = tracker.ok("effect", "record", "--help").stdout
    severity_help = help_text.split("--severity [", 1)[1].split("--note")[0]
    assert "not stated" in severity_help
    assert "default" not in severity_help.lower()


def test_emergency_and_serious_effects_are_marked_in_the_list_without_colour(tracker):
    tracker.ok("effect", "headache", "--date", "2026-11-01")
    tracker.ok("effect", "trouble swallowing", "--date", "2026-11-02")
    tracker.ok("effect", "double vision", "--date", "2026-11-03")
    lines = tracker.ok("effects").stdout.splitlines()
    assert "\x1b" not in "".join(lines)
    assert "! EMERGENCY" in lines[2] and "! SERIOUS" in lines[3]
    assert "! " not in lines[1]
    assert lines[-1].startswith("! marks an emergency")


def test_the_list_has_no_legend_when_nothing_is_urgent(tracker):
    tracker.ok("effect", "headache")
    assert "! marks" not in tracker.ok("effects").stdout


def test_an_emergency_stands_out_in_the_human_output(tracker):
    out = tracker.ok("effect", "difficulty breathing", "--severity", "severe").stdout
    assert out.startswith("EMERGENCY: difficulty breathing\nGet emergency help now")
    assert out.lower().count("help now") == 1  # each advice is said once (issue 17)


def test_unknown_effects_are_kept_as_other_with_when_to_get_help_and_call_the_doctor(tracker):
    out = tracker.ok("effect", "ringing", "in", "my", "ears").stdout
    assert out.startswith("Other side effect: ringing in my ears\nIf you have trouble")
    assert out.count("emergency help now") == 1
    assert (
        "If you have trouble breathing, swallowing or speaking, or swelling of the face or "
        "throat, get emergency help now."
    ) in out
    assert "Contact your doctor right away" in out


@pytest.mark.parametrize(
    ("text", "headline"),
    [
        ("difficulty breathing", "EMERGENCY: difficulty breathing"),
        ("drooping eyelid", "SERIOUS: drooping eyelid"),
        ("headache", "Common side effect: headache"),
        ("ringing in my ears", "Other side effect: ringing in my ears"),
    ],
)
def test_each_advice_is_said_once(tracker, text, headline):
    """Issue 17: no "SERIOUS — contact your doctor right away" before the same advice."""
    lines = tracker.ok("effect", text).stdout.splitlines()
    advice = tracker.json("effect", text)["advice"]
    assert lines[:2] == [headline, advice]
    first_words = advice.split(".")[0].lower()
    assert " ".join(lines).lower().count(first_words) == 1


def test_effects_list_the_cycle_day_and_resolve_marks_them_gone(tracker):
    tracker.ok("log", "2026-11-01")
    tracker.ok("effect", "rash", "--date", "2026-10-30")
    tracker.ok("effect", "headache", "--date", "2026-11-01", "--severity", "moderate")
    tracker.ok("effect", "dizziness", "--date", "2026-11-04", "--note", "after lunch")
    listed = tracker.json("effects")
    assert [(e["id"], e["injection_date"], e["cycle_day"]) for e in listed] == [
        (1, None, None),
        (2, "2026-11-01", 0),
        (3, "2026-11-01", 3),
    ]
    out = tracker.ok("effect", "resolve", "2", "--date", "2026-11-03").stdout
    assert "marked resolved on Tue 3 Nov 2026" in out
    assert [e["id"] for e in tracker.json("effects", "--open")] == [1, 3]
    assert tracker.json("effects")[1]["resolved"] == "2026-11-03"
    assert "resolved 2026-11-03" in tracker.ok("effects").stdout


def test_a_common_effect_open_more_than_14_days_is_flagged_persistent(tracker):
    tracker.ok("effect", "dry mouth", "--date", "2026-11-11")  # 14 days before today
    tracker.ok("effect", "nausea", "--date", "2026-11-10")  # 15 days
    tracker.ok("effect", "hoarseness", "--date", "2026-11-01")  # serious: never "persistent"
    assert [e["persistent"] for e in tracker.json("effects")] == [False, True, False]
    assert "open > 14 days: tell your doctor" in tracker.ok("effects").stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["effect", "headache", "--date", "2026-12-01"], "in the future"),
        (["effect", "  "], "Describe the side effect"),
        (["effect", "headache", "--severity", "awful"], "awful"),
        (["effect", "resolve", "99"], "no side effect #99"),
    ],
)
def test_effect_errors_are_one_line_and_store_nothing(tracker, args, message):
    create_database(tracker.db)  # an empty database: a reading command creates none
    assert message in tracker.fails(*args).stderr
    assert tracker.json("effects") == []


def test_resolve_refuses_dates_before_the_start_or_twice(tracker):
    tracker.ok("effect", "headache", "--date", "2026-11-20")
    assert (
        "cannot have gone away before"
        in tracker.fails("effect", "resolve", "1", "--date", "2026-11-19").stderr
    )
    tracker.fails("effect", "resolve", "1", "--date", "2026-11-26")
    tracker.ok("effect", "resolve", "1", "--date", "2026-11-20")  # same day is fine
    assert "already marked resolved" in tracker.fails("effect", "resolve", "1").stderr


def test_effect_help_shows_how_users_type_it(tracker):
    out = tracker.ok("effect", "--help").stdout
    assert "Usage: tracker effect TEXT [OPTIONS]" in out
    assert "tracker effect resolve ID" in out
