"""tracker review: per-cycle response, recommendation and reasons."""

from __future__ import annotations

from datetime import date, timedelta

from tests.conftest import create_database


def pain_on(tracker, start: str, scores: list[int], every: int = 1) -> None:
    day = date.fromisoformat(start)
    for score in scores:
        tracker.ok("pain", str(score), "--date", day.isoformat())
        day += timedelta(days=every)


def test_review_with_no_records_needs_more_data(tracker):
    create_database(tracker.db)  # an empty database: a reading command creates none
    data = tracker.json("review")
    assert data == {"cycles": [], "recommendation": "insufficient_data", "reasons": data["reasons"]}
    assert data["reasons"]
    out = tracker.ok("review").stdout
    assert "Not enough records yet to tell whether it is helping." in out
    assert "off-label" in out


def test_a_substantial_cycle_without_safety_findings_suggests_continuing(tracker):
    tracker.ok("log", "2026-08-01")
    pain_on(tracker, "2026-07-25", [8, 8])  # baseline 8
    pain_on(tracker, "2026-08-15", [3, 3, 4], every=7)  # days 14, 21, 28
    data = tracker.json("review")
    (cycle,) = data["cycles"]
    assert cycle == {
        "injection_date": "2026-08-01",
        "baseline": 8.0,
        "effect": 3.3,
        "reduction_pct": 58.3,
        "change_points": 4.7,
        "no_pain_before": False,
        "response": "substantial",
        "side_effects": {"common": 0, "serious": 0, "emergency": 0, "other": 0},
    }
    assert data["recommendation"] == "continue"
    out = tracker.ok("review").stdout
    assert "2026-08-01  8.0       3.3         58.3 %     4.7     substantial" in out
    assert "The records suggest it is helping." in out
    assert "Recommendation" not in out
    assert "1 of 1 evaluable cycles" in out
    assert "Foster L et al., Neurology 2001;56:1290-3" in out
    assert "not medical advice" in out


def test_a_serious_side_effect_after_the_latest_injection_means_review_with_doctor(tracker):
    tracker.ok("log", "2026-08-01")
    pain_on(tracker, "2026-07-25", [8, 8])
    pain_on(tracker, "2026-08-15", [3, 3])
    tracker.ok("effect", "double vision", "--date", "2026-08-03")
    tracker.ok("effect", "resolve", "1", "--date", "2026-08-05")
    data = tracker.json("review")
    assert data["recommendation"] == "review_with_doctor"
    assert "serious" in data["reasons"][0]
    assert data["cycles"][0]["side_effects"]["serious"] == 1
    out = tracker.ok("review").stdout
    assert '  ! A serious side effect, "double vision", was recorded on 2026-08-03' in out
    assert "  - The latest evaluable cycle" in out
    assert "! 1 SERIOUS" in out


def test_two_cycles_below_30_percent_in_a_row_mean_talking_it_over_with_the_doctor(tracker):
    tracker.ok("log", "2026-05-01")
    tracker.ok("log", "2026-08-01")
    pain_on(tracker, "2026-04-25", [6, 6])
    pain_on(tracker, "2026-05-20", [6, 5])
    pain_on(tracker, "2026-07-25", [6, 6])
    pain_on(tracker, "2026-08-20", [6, 5])
    data = tracker.json("review")
    assert [c["response"] for c in data["cycles"]] == ["none", "none"]  # 8.3 %: below 10 %
    assert data["recommendation"] == "consider_stopping"
    out = tracker.ok("review").stdout
    assert "Talk with your doctor about whether it is still helping." in out
    assert "Do not stop or change the treatment on your own." in out
    assert "consider stopping" not in out.lower()


def test_an_injection_day_side_effect_counts_in_that_injections_cycle(tracker):
    tracker.ok("log", "2026-05-01")
    tracker.ok("log", "2026-08-01")
    tracker.ok("effect", "headache", "--date", "2026-08-01")
    tracker.ok("effect", "resolve", "1", "--date", "2026-08-02")
    cycles = tracker.json("review")["cycles"]
    assert cycles[0]["side_effects"]["common"] == 0
    assert cycles[1]["side_effects"]["common"] == 1


def test_an_earlier_cycles_emergency_is_still_named_but_does_not_hold_back_the_records(tracker):
    tracker.ok("log", "2026-05-01")
    tracker.ok("effect", "trouble swallowing", "--date", "2026-05-03")
    tracker.ok("log", "2026-08-01")
    pain_on(tracker, "2026-07-25", [8, 8])
    pain_on(tracker, "2026-08-15", [3, 3])
    data = tracker.json("review")
    assert data["recommendation"] == "continue"
    (history,) = [r for r in data["reasons"] if r.startswith("Earlier:")]
    assert history.startswith('Earlier: "trouble swallowing" (emergency) was recorded')
    assert "recorded on 2026-05-03, day 2 after the injection of 2026-05-01" in history


def test_a_cycle_without_pain_before_it_says_so(tracker):
    tracker.ok("log", "2026-08-01")
    pain_on(tracker, "2026-07-30", [0, 0])
    pain_on(tracker, "2026-08-15", [1, 0])
    out = tracker.ok("review").stdout
    assert "not evaluable (no pain before)" in out
    assert "no pain before this injection: a reduction cannot be measured" in out
    assert tracker.json("review")["cycles"][0]["no_pain_before"] is True
