"""tracker review: per-cycle response, recommendation and reasons."""

from __future__ import annotations

from datetime import date, timedelta


def pain_on(tracker, start: str, scores: list[int], every: int = 1) -> None:
    day = date.fromisoformat(start)
    for score in scores:
        tracker.ok("pain", str(score), "--date", day.isoformat())
        day += timedelta(days=every)


def test_review_with_no_records_needs_more_data(tracker):
    data = tracker.json("review")
    assert data == {"cycles": [], "recommendation": "insufficient_data", "reasons": data["reasons"]}
    assert data["reasons"]
    out = tracker.ok("review").stdout
    assert "not enough data" in out
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
        "response": "substantial",
        "side_effects": {"common": 0, "serious": 0, "emergency": 0, "other": 0},
    }
    assert data["recommendation"] == "continue"
    out = tracker.ok("review").stdout
    assert "2026-08-01  8.0       3.3         58.3 %     substantial" in out
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


def test_two_minimal_cycles_in_a_row_mean_consider_stopping_with_the_doctor(tracker):
    tracker.ok("log", "2026-05-01")
    tracker.ok("log", "2026-08-01")
    pain_on(tracker, "2026-04-25", [6, 6])
    pain_on(tracker, "2026-05-20", [6, 5])
    pain_on(tracker, "2026-07-25", [6, 6])
    pain_on(tracker, "2026-08-20", [6, 5])
    data = tracker.json("review")
    assert [c["response"] for c in data["cycles"]] == ["minimal", "minimal"]
    assert data["recommendation"] == "consider_stopping"
    out = tracker.ok("review").stdout
    assert "with your doctor" in out
    assert "do not stop or change it on your own" in out


def test_an_injection_day_side_effect_counts_in_that_injections_cycle(tracker):
    tracker.ok("log", "2026-05-01")
    tracker.ok("log", "2026-08-01")
    tracker.ok("effect", "headache", "--date", "2026-08-01")
    tracker.ok("effect", "resolve", "1", "--date", "2026-08-02")
    cycles = tracker.json("review")["cycles"]
    assert cycles[0]["side_effects"]["common"] == 0
    assert cycles[1]["side_effects"]["common"] == 1
