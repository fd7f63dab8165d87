"""Treatment-response review rules (tracker.domain.response)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.domain.errors import InvalidInput
from tracker.domain.products import Product
from tracker.domain.records import InjectionRecord
from tracker.domain.response import (
    EFFECT_WINDOW_END_DAY,
    EFFECT_WINDOW_START_DAY,
    MIN_EFFECT_DAYS,
    MINIMAL_REDUCTION_PCT,
    MODERATE_REDUCTION_PCT,
    OFF_LABEL_NOTICE,
    PUBLISHED_FIGURES,
    SUBSTANTIAL_REDUCTION_PCT,
    CycleReview,
    EffectEvent,
    LongTerm,
    PainEntry,
    Recommendation,
    Response,
    Review,
    baseline_for,
    change_points,
    classify_response,
    daily_means,
    effect_for,
    long_term,
    reduction_percent,
    review,
    treatment_injections,
)
from tracker.domain.side_effects import EffectClass

INJ = date(2026, 1, 1)
DISCLAIMER = "This is not medical advice or a diagnosis: decisions are made with your doctor."


def d(offset: int, base: date = INJ) -> date:
    return base + timedelta(days=offset)


def pain(days: Mapping[int, int | list[int]], base: date = INJ) -> list[PainEntry]:
    """Entries at day offsets from ``base``; a list means several entries that day."""
    entries = []
    for offset, scores in days.items():
        for score in scores if isinstance(scores, list) else [scores]:
            entries.append(PainEntry(d(offset, base), score))
    return entries


def means(days: Mapping[int, int | list[int]], base: date = INJ) -> dict[date, float]:
    return daily_means(pain(days, base))


def effect(
    offset: int, effect_class: EffectClass, resolved: int | None = None, text: str = "symptom"
) -> EffectEvent:
    return EffectEvent(d(offset), effect_class, None if resolved is None else d(resolved), text)


def one_cycle(days: Mapping[int, int | list[int]], today_offset: int = 60) -> CycleReview:
    return review([INJ], pain(days), [], d(today_offset)).cycles[0]


# Baseline 8 on day 0, effect window scores chosen per response class.
SUBSTANTIAL_PAIN = {0: 8, 20: 3, 30: 3}  # 62.5 %
MODERATE_PAIN = {0: 10, 20: 6, 30: 6}  # 40.0 %
MINIMAL_PAIN = {0: 8, 20: 7, 30: 7}  # 12.5 %


def cycles_pain(*cycles: tuple[date, dict[int, int]]) -> list[PainEntry]:
    return [e for base, days in cycles for e in pain(days, base)]


# --- input values ---------------------------------------------------------------


def test_daily_means_average_several_entries_on_one_day():
    assert means({0: [2, 3, 7], 1: 4}) == {d(0): 4.0, d(1): 4.0}


@pytest.mark.parametrize("score", [-1, 11, True, 5.5])
def test_a_pain_score_outside_whole_numbers_0_to_10_is_invalid_input(score: object):
    with pytest.raises(InvalidInput):
        PainEntry(INJ, score)  # type: ignore[arg-type]


def test_pain_scores_0_and_10_are_accepted():
    assert [PainEntry(INJ, 0).score, PainEntry(INJ, 10).score] == [0, 10]


def test_a_side_effect_resolved_before_it_started_is_invalid_input():
    with pytest.raises(InvalidInput):
        EffectEvent(d(5), EffectClass.COMMON, d(4))


# --- baseline -------------------------------------------------------------------


def test_baseline_is_the_mean_of_daily_means_from_day_minus_13_to_the_injection_day():
    # Day -5 weighs as one day (mean 8), not three entries; per entry it would be 6.8.
    assert baseline_for(INJ, means({-13: 3, -5: [5, 9, 10], 0: 7})) == pytest.approx(6.0)


def test_baseline_primary_window_excludes_day_minus_14():
    assert baseline_for(INJ, means({-14: 10, -13: 2})) == 2.0


def test_baseline_ignores_scores_after_the_injection():
    assert baseline_for(INJ, means({1: 9, 14: 9})) is None


def test_baseline_falls_back_to_the_latest_score_of_days_minus_30_to_minus_14():
    assert baseline_for(INJ, means({-30: 4, -20: 6})) == 6.0


def test_baseline_fallback_includes_day_minus_14():
    assert baseline_for(INJ, means({-14: 5})) == 5.0


def test_baseline_fallback_includes_day_minus_30():
    assert baseline_for(INJ, means({-30: 7})) == 7.0


def test_baseline_fallback_excludes_day_minus_31():
    assert baseline_for(INJ, means({-31: 7})) is None


# --- effect window --------------------------------------------------------------


def test_effect_window_is_days_14_to_56():
    assert (EFFECT_WINDOW_START_DAY, EFFECT_WINDOW_END_DAY, MIN_EFFECT_DAYS) == (14, 56, 2)


def test_effect_window_excludes_day_13():
    assert effect_for(INJ, d(60), means({13: 10, 14: 2, 15: 2})) == 2.0


def test_effect_window_includes_day_14_and_day_56():
    assert effect_for(INJ, d(60), means({14: 2, 56: 4})) == 3.0


def test_effect_window_excludes_day_57():
    assert effect_for(INJ, d(60), means({55: 2, 56: 2, 57: 10})) == 2.0


def test_effect_needs_at_least_two_days_with_entries():
    assert effect_for(INJ, d(60), means({20: [1, 2, 3]})) is None
    assert one_cycle({0: 8, 20: 3}).response is Response.NOT_EVALUABLE


def test_effect_window_is_cut_short_the_day_before_the_next_injection():
    second = d(40)
    entries = pain({0: 8, 14: 2, 39: 4, 40: 10, 41: 10})
    first_cycle = review([INJ, second], entries, [], d(100)).cycles[0]
    assert first_cycle.end_date == d(39)
    assert first_cycle.effect == 3.0


def test_effect_window_is_cut_short_at_today():
    cycle = one_cycle({0: 8, 14: 2, 30: 4, 31: 10}, today_offset=30)
    assert cycle.end_date == d(30)
    assert cycle.effect == 3.0


def test_a_cycle_younger_than_15_days_is_not_evaluable():
    cycle = one_cycle({0: 8, 5: 2, 10: 2}, today_offset=14)
    assert cycle.effect is None
    assert cycle.response is Response.NOT_EVALUABLE


# --- reduction and response class -----------------------------------------------


def test_response_thresholds_are_immpact_10_30_and_50_percent():
    assert (MINIMAL_REDUCTION_PCT, MODERATE_REDUCTION_PCT, SUBSTANTIAL_REDUCTION_PCT) == (
        10.0,
        30.0,
        50.0,
    )


@pytest.mark.parametrize(
    ("pct", "expected"),
    [
        (None, Response.NOT_EVALUABLE),
        (-20.0, Response.NONE),
        (0.0, Response.NONE),
        (9.9, Response.NONE),
        (10.0, Response.MINIMAL),
        (29.9, Response.MINIMAL),
        (30.0, Response.MODERATE),
        (49.9, Response.MODERATE),
        (50.0, Response.SUBSTANTIAL),
        (100.0, Response.SUBSTANTIAL),
    ],
)
def test_response_class_boundaries(pct: float | None, expected: Response):
    assert classify_response(pct) is expected


@pytest.mark.parametrize(
    ("days", "pct", "expected"),
    [
        # baseline 29/3 = 9.667, effect 61/7 = 8.714 -> 9.85 -> 9.9
        (
            {0: 9, -1: 10, -2: 10, 14: 1, 15: 10, 16: 10, 17: 10, 18: 10, 19: 10, 20: 10},
            9.9,
            Response.NONE,
        ),
        # baseline 33/4 = 8.25, effect 52/7 = 7.429 -> 9.96 -> 10.0
        (
            {0: 3, -1: 10, -2: 10, -3: 10, 14: 0, 15: 2, 16: 10, 17: 10, 18: 10, 19: 10, 20: 10},
            10.0,
            Response.MINIMAL,
        ),
        # baseline 5.5, effect 27/7 = 3.857 -> 29.87 -> 29.9
        ({0: 5, -1: 6, 14: 4, 15: 4, 16: 4, 17: 4, 18: 4, 19: 4, 20: 3}, 29.9, Response.MINIMAL),
        # baseline 31/4 = 7.75, effect 38/7 = 5.43 -> 29.95 -> 30.0
        (
            {0: 8, -1: 8, -2: 8, -3: 7, 14: 6, 15: 6, 16: 6, 17: 5, 18: 5, 19: 5, 20: 5},
            30.0,
            Response.MODERATE,
        ),
        # baseline 67/7 = 9.571, effect 24/5 = 4.8 -> 49.85 -> 49.9
        (
            {0: 10, -1: 10, -2: 10, -3: 10, -4: 9, -5: 9, -6: 9, 14: 5, 15: 5, 16: 5, 17: 5, 18: 4},
            49.9,
            Response.MODERATE,
        ),
        ({0: 10, 14: 5, 15: 5}, 50.0, Response.SUBSTANTIAL),
    ],
)
def test_reduction_boundaries_end_to_end(days: dict[int, int], pct: float, expected: Response):
    cycle = one_cycle(days)
    assert (cycle.reduction_pct, cycle.response) == (pct, expected)


def test_reduction_rounds_to_one_decimal_and_the_class_follows_the_rounded_figure():
    assert reduction_percent(10.0, 7.004) == 30.0  # 29.96
    assert classify_response(reduction_percent(10.0, 7.004)) is Response.MODERATE
    assert reduction_percent(10.0, 5.005) == 50.0  # 49.95
    assert classify_response(reduction_percent(10.0, 5.005)) is Response.SUBSTANTIAL


def test_a_float_error_just_below_30_percent_still_counts_as_30():
    # (7 - 4.9) / 7 * 100 is 29.999999999999993 in floating point.
    cycle = one_cycle({0: 7, 14: 5, 15: 5, 16: 5, 17: 5, 18: 5, 19: 5, 20: 5, 21: 5, 22: 4, 23: 5})
    assert (cycle.reduction_pct, cycle.response) == (30.0, Response.MODERATE)


def test_reduction_is_computed_from_unrounded_means():
    # Means 6.667 and 4.667 give exactly 30 %; the displayed 6.7 and 4.7 would give 29.9 %.
    cycle = one_cycle({-2: 7, -1: 7, 0: 6, 14: 5, 15: 5, 16: 4})
    assert (cycle.baseline, cycle.effect) == (6.7, 4.7)
    assert (cycle.reduction_pct, cycle.response) == (30.0, Response.MODERATE)


def test_worse_pain_is_a_negative_reduction_and_none():
    cycle = one_cycle({0: 4, 20: 6, 30: 6})
    assert (cycle.reduction_pct, cycle.response, cycle.change_points) == (
        -50.0,
        Response.NONE,
        -2.0,
    )


def test_a_baseline_of_zero_is_not_evaluable_and_says_there_was_no_pain():
    cycle = one_cycle({0: 0, 20: 0, 30: 2})
    assert cycle.baseline == 0.0
    assert (cycle.reduction_pct, cycle.response) == (None, Response.NOT_EVALUABLE)
    assert cycle.no_pain_before
    assert cycle.change_points == -1.0


def test_a_baseline_of_zero_reads_as_no_pain_not_as_missing_scores():
    result = review([INJ], pain({0: 0, 20: 0, 30: 2}), [], d(60))
    assert result.recommendation is Recommendation.INSUFFICIENT_DATA
    assert result.reasons == [
        "Injection 2026-01-01: no pain before this injection: a reduction cannot be measured."
    ]


def test_a_latest_cycle_with_a_zero_baseline_says_why_older_figures_are_used():
    second = d(100)
    entries = cycles_pain((INJ, SUBSTANTIAL_PAIN), (second, {0: 0, 20: 0, 30: 0}))
    result = review([INJ, second], entries, [], d(160))
    assert result.reasons[-1] == (
        "The cycle of the latest injection (2026-04-11): no pain before this injection: a "
        "reduction cannot be measured, so the figures above come from an earlier cycle."
    )


def test_a_zero_baseline_beside_a_cycle_without_scores_names_both():
    second = d(100)
    result = review([INJ, second], cycles_pain((second, {0: 0, 20: 1, 30: 1})), [], d(160))
    assert result.reasons[0].startswith("Injection 2026-04-11: no pain before this injection")
    assert result.reasons[1].startswith("No other cycle can be evaluated yet")


@pytest.mark.parametrize(
    ("baseline", "effect_mean", "points"),
    [
        (8.0, 6.0, 2.0),  # about 2 points: clinically important (Farrar 2001)
        (8.0, 6.06, 1.9),
        (6.667, 4.667, 2.0),  # from the unrounded means
        (4.0, 6.0, -2.0),  # worse
        (5.0, 5.0, 0.0),
        (None, 5.0, None),
        (5.0, None, None),
    ],
)
def test_change_points_is_baseline_minus_effect_to_one_decimal(baseline, effect_mean, points):
    assert change_points(baseline, effect_mean) == points


def test_each_cycle_shows_the_change_in_points_beside_the_percentage():
    cycle = one_cycle(SUBSTANTIAL_PAIN)
    assert (cycle.reduction_pct, cycle.change_points) == (62.5, 5.0)


def test_no_baseline_is_not_evaluable():
    cycle = one_cycle({20: 3, 30: 3})
    assert (cycle.baseline, cycle.response) == (None, Response.NOT_EVALUABLE)


# --- side effects per cycle -----------------------------------------------------


def test_side_effect_counts_always_have_the_four_classes():
    cycle = one_cycle(SUBSTANTIAL_PAIN)
    assert cycle.side_effects == {"common": 0, "serious": 0, "emergency": 0, "other": 0}


def test_an_effect_on_an_injection_day_belongs_to_that_injections_cycle():
    second = d(100)
    effects = [
        EffectEvent(second, EffectClass.COMMON, None),
        EffectEvent(second - timedelta(days=1), EffectClass.OTHER, None),
    ]
    first_cycle, second_cycle = review([INJ, second], [], effects, d(120)).cycles
    assert first_cycle.side_effects == {"common": 0, "serious": 0, "emergency": 0, "other": 1}
    assert second_cycle.side_effects == {"common": 1, "serious": 0, "emergency": 0, "other": 0}


def test_effects_before_the_first_injection_belong_to_no_cycle():
    effects = [effect(-1, EffectClass.SERIOUS), effect(0, EffectClass.EMERGENCY, resolved=1)]
    (cycle,) = review([INJ], [], effects, d(30)).cycles
    assert cycle.side_effects == {"common": 0, "serious": 0, "emergency": 1, "other": 0}


def test_injections_are_sorted_and_duplicates_collapse():
    second = d(100)
    result = review([second, INJ, INJ], [], [], d(120))
    assert [c.injection_date for c in result.cycles] == [INJ, second]
    assert [c.end_date for c in result.cycles] == [d(99), d(120)]


def test_an_injection_after_today_is_invalid_input():
    with pytest.raises(InvalidInput):
        review([d(10)], [], [], INJ)


# --- recommendation -------------------------------------------------------------


def test_no_injections_is_insufficient_data_and_says_so():
    result = review([], pain({0: 5}), [], INJ)
    assert result.recommendation is Recommendation.INSUFFICIENT_DATA
    assert result.cycles == []
    assert result.reasons == ["No injections are recorded yet, so there is nothing to review."]


def test_no_evaluable_cycle_is_insufficient_data():
    result = review([INJ], pain({0: 8, 20: 3}), [], d(60))
    assert result.recommendation is Recommendation.INSUFFICIENT_DATA
    assert result.reasons[0].startswith("No cycle can be evaluated yet")


def test_a_substantial_latest_cycle_without_safety_findings_is_continue():
    result = review([INJ], pain(SUBSTANTIAL_PAIN), [], d(60))
    assert result.recommendation is Recommendation.CONTINUE
    assert result.reasons == [
        "The latest evaluable cycle (injection 2026-01-01) showed a 62.5 % reduction in pain "
        "(5.0 points), IMMPACT class substantial: average pain 8.0 before, 3.0 after, on the "
        "0-10 scale."
    ]
    assert result.headline == "The records suggest it is helping"
    assert result.summary == (
        "The latest evaluable cycle showed a reduction in pain of 30 % or more, and nothing "
        f"recorded since the latest injection needs your doctor before the next one. {DISCLAIMER}"
    )


def test_a_moderate_latest_cycle_is_continue():
    result = review([INJ], pain(MODERATE_PAIN), [], d(60))
    assert result.recommendation is Recommendation.CONTINUE


def test_a_minimal_latest_cycle_is_review_with_doctor():
    result = review([INJ], pain(MINIMAL_PAIN), [], d(60))
    assert result.recommendation is Recommendation.REVIEW_WITH_DOCTOR
    assert "12.5 % reduction in pain (1.0 points), IMMPACT class minimal" in result.reasons[0]
    assert "Less than 30 % is worth talking over with your doctor." in result.reasons[0]
    assert result.headline == "Something to talk over with your doctor"


def test_a_latest_cycle_below_10_percent_is_none_and_review_with_doctor():
    result = review([INJ], pain({0: 10, 20: 10, 30: 9}), [], d(60))
    assert result.cycles[0].response is Response.NONE
    assert result.recommendation is Recommendation.REVIEW_WITH_DOCTOR


def test_worse_pain_is_described_as_worse():
    result = review([INJ], pain({0: 4, 20: 6, 30: 6}), [], d(60))
    assert result.recommendation is Recommendation.REVIEW_WITH_DOCTOR
    assert (
        "pain 50.0 % worse than before the injection (2.0 points), IMMPACT class none"
        in result.reasons[0]
    )


def test_one_minimal_cycle_after_a_responding_one_is_review_not_consider_stopping():
    second = d(100)
    entries = cycles_pain((INJ, SUBSTANTIAL_PAIN), (second, MINIMAL_PAIN))
    result = review([INJ, second], entries, [], d(160))
    assert result.recommendation is Recommendation.REVIEW_WITH_DOCTOR


def test_two_latest_evaluable_cycles_minimal_is_consider_stopping():
    second = d(100)
    entries = cycles_pain((INJ, MINIMAL_PAIN), (second, MINIMAL_PAIN))
    result = review([INJ, second], entries, [], d(160))
    assert result.recommendation is Recommendation.CONSIDER_STOPPING
    assert result.reasons[0] == (
        "The two latest evaluable cycles (injections 2026-01-01 and 2026-04-11) both showed "
        "less than a 30 % reduction in pain: talk with your doctor about whether it is still "
        "helping."
    )
    assert result.headline == "Talk with your doctor about whether it is still helping"
    assert "Do not stop or change the treatment on your own." in result.summary


def test_a_none_and_a_minimal_cycle_together_are_below_30_percent_twice():
    second = d(100)
    entries = cycles_pain((INJ, {0: 10, 20: 10, 30: 10}), (second, MINIMAL_PAIN))
    result = review([INJ, second], entries, [], d(160))
    assert [c.response for c in result.cycles] == [Response.NONE, Response.MINIMAL]
    assert result.recommendation is Recommendation.CONSIDER_STOPPING


def test_a_not_evaluable_cycle_between_two_minimal_ones_does_not_break_the_pair():
    second, third = d(100), d(200)
    entries = cycles_pain((INJ, MINIMAL_PAIN), (third, MINIMAL_PAIN))
    result = review([INJ, second, third], entries, [], d(260))
    assert [c.response for c in result.cycles] == [
        Response.MINIMAL,
        Response.NOT_EVALUABLE,
        Response.MINIMAL,
    ]
    assert result.recommendation is Recommendation.CONSIDER_STOPPING


def test_an_older_evaluable_cycle_is_used_when_the_latest_is_not_yet_evaluable():
    second = d(100)
    result = review([INJ, second], pain(SUBSTANTIAL_PAIN), [], d(105))
    assert result.recommendation is Recommendation.CONTINUE
    assert "(injection 2026-01-01)" in result.reasons[0]
    assert result.reasons[1] == (
        "The cycle of the latest injection (2026-04-11): it cannot be evaluated yet, "
        "so the figures above come from an earlier cycle."
    )


def test_a_serious_effect_after_the_latest_injection_is_review_even_without_evaluable_cycle():
    result = review([INJ], [], [effect(3, EffectClass.SERIOUS, resolved=5)], d(10))
    assert result.recommendation is Recommendation.REVIEW_WITH_DOCTOR
    assert result.reasons[0] == (
        'A serious side effect, "symptom", was recorded on 2026-01-04, day 3 after the '
        "injection of 2026-01-01: your doctor should hear about it before the next injection."
    )


def test_an_emergency_effect_on_the_latest_injection_day_is_review_with_doctor():
    result = review([INJ], pain(SUBSTANTIAL_PAIN), [effect(0, EffectClass.EMERGENCY)], d(60))
    assert result.recommendation is Recommendation.REVIEW_WITH_DOCTOR
    assert "on the day of the injection of 2026-01-01" in result.reasons[0]
    assert "get emergency help now" in result.reasons[0]


def test_a_serious_effect_before_the_latest_injection_does_not_block_continue():
    second = d(100)
    entries = cycles_pain((second, SUBSTANTIAL_PAIN))
    result = review([INJ, second], entries, [effect(10, EffectClass.SERIOUS)], d(160))
    assert result.recommendation is Recommendation.CONTINUE


def test_earlier_serious_and_emergency_effects_stay_named_as_history():
    second, third = d(100), d(200)
    entries = cycles_pain((third, SUBSTANTIAL_PAIN))
    effects = [
        effect(10, EffectClass.SERIOUS, text="double vision"),
        effect(105, EffectClass.EMERGENCY, resolved=106, text="trouble swallowing"),
        effect(-5, EffectClass.SERIOUS, text="weak legs"),
        effect(120, EffectClass.COMMON, resolved=125, text="headache"),
    ]
    result = review([INJ, second, third], entries, effects, d(260))
    assert result.recommendation is Recommendation.CONTINUE
    assert result.urgent_reasons == {1, 2, 3}  # the history stands out too
    assert result.reasons[1:] == [
        'Earlier: "trouble swallowing" (emergency) was recorded on 2026-04-16, day 5 after '
        "the injection of 2026-04-11 (resolved 2026-04-17): mention it to your doctor at "
        "this review too.",
        'Earlier: "weak legs" (serious) was recorded on 2025-12-27, before the first recorded '
        "injection (not marked resolved): mention it to your doctor at this review too.",
        'Earlier: "double vision" (serious) was recorded on 2026-01-11, day 10 after the '
        "injection of 2026-01-01 (not marked resolved): mention it to your doctor at this "
        "review too.",
    ]


def test_the_review_is_as_of_its_day_an_effect_resolved_later_was_open_then():
    effects = [effect(45, EffectClass.COMMON, resolved=90), effect(70, EffectClass.SERIOUS)]
    result = review([INJ], pain(SUBSTANTIAL_PAIN), effects, d(60))
    assert result.recommendation is Recommendation.REVIEW_WITH_DOCTOR
    assert result.reasons[0].startswith('A common side effect, "symptom", that started on')
    assert len(result.reasons) == 2  # the effect of day 70 had not happened yet


def test_an_open_common_effect_at_14_days_does_not_block_continue():
    result = review([INJ], pain(SUBSTANTIAL_PAIN), [effect(46, EffectClass.COMMON)], d(60))
    assert result.recommendation is Recommendation.CONTINUE


def test_an_open_common_effect_at_15_days_is_review_with_doctor():
    result = review([INJ], pain(SUBSTANTIAL_PAIN), [effect(45, EffectClass.COMMON)], d(60))
    assert result.recommendation is Recommendation.REVIEW_WITH_DOCTOR
    assert result.reasons[0] == (
        'A common side effect, "symptom", that started on 2026-02-15 is still open after 15 '
        "days (more than 14): tell your doctor, as it has not gone away."
    )


def test_a_resolved_common_effect_does_not_block_continue():
    effects = [effect(2, EffectClass.COMMON, resolved=30)]
    result = review([INJ], pain(SUBSTANTIAL_PAIN), effects, d(60))
    assert result.recommendation is Recommendation.CONTINUE


def test_two_minimal_cycles_and_a_serious_effect_is_consider_stopping_with_safety_first():
    second = d(100)
    entries = cycles_pain((INJ, MINIMAL_PAIN), (second, MINIMAL_PAIN))
    effects = [effect(110, EffectClass.SERIOUS)]
    result = review([INJ, second], entries, effects, d(160))
    assert result.recommendation is Recommendation.CONSIDER_STOPPING
    assert result.reasons[0].startswith('A serious side effect, "symptom", was recorded')
    assert result.reasons[1].startswith("The two latest evaluable cycles")
    assert result.reasons[2].startswith("The latest evaluable cycle (injection 2026-04-11)")


def test_reasons_list_every_finding_with_emergency_before_serious_before_lingering():
    effects = [
        effect(30, EffectClass.COMMON),
        effect(20, EffectClass.SERIOUS),
        effect(40, EffectClass.EMERGENCY, resolved=41),
    ]
    result = review([INJ], pain(MINIMAL_PAIN), effects, d(60))
    assert result.recommendation is Recommendation.REVIEW_WITH_DOCTOR
    assert result.urgent_reasons == {0, 1}  # not the lingering common one
    assert [r.split(" ")[1:4] for r in result.reasons] == [
        ["side", "effect", "that"],  # emergency
        ["serious", "side", "effect,"],
        ["common", "side", "effect,"],
        ["latest", "evaluable", "cycle"],
    ]


def test_every_summary_ends_with_the_disclaimer_and_never_orders_a_stop():
    cases = [
        review([], [], [], INJ),
        review([INJ], pain(SUBSTANTIAL_PAIN), [], d(60)),
        review([INJ], pain(MINIMAL_PAIN), [], d(60)),
        review([INJ, d(100)], cycles_pain((INJ, MINIMAL_PAIN), (d(100), MINIMAL_PAIN)), [], d(160)),
    ]
    assert {r.recommendation for r in cases} == set(Recommendation)
    for result in cases:
        assert result.summary.endswith(DISCLAIMER)
        assert "stop treatment" not in result.summary.lower()
        # Never a verdict: the headline says what the records show or whom to talk to.
        assert not result.headline.lower().startswith(("continue", "stop", "recommendation"))


# --- long-term picture and published figures ------------------------------------


def test_long_term_counts_evaluable_responding_and_pain_free_cycles():
    second, third, fourth = d(100), d(200), d(300)
    entries = cycles_pain(
        (INJ, SUBSTANTIAL_PAIN),
        (second, {0: 6, 20: 0, 30: 0}),  # pain-free, 100 %
        (third, MINIMAL_PAIN),
        (fourth, {0: 6, 20: 0}),  # one day only: not evaluable, so not pain-free
    )
    result = review([INJ, second, third, fourth], entries, [], d(360))
    assert long_term(result, entries) == LongTerm(
        cycles_evaluable=3, cycles_responding=2, pain_free_cycles=1
    )


def test_long_term_of_an_empty_review_is_all_zero():
    assert long_term(review([], [], [], INJ), []) == LongTerm(0, 0, 0)


def test_published_figures_name_their_sources():
    sources = " ".join(f.source for f in PUBLISHED_FIGURES)
    for needle in ("Neurology 2001;56:1290-3", "Clin J Pain 2006;22:363-9", "CD008257"):
        assert needle in sources
    leaflet = [f for f in PUBLISHED_FIGURES if "70 %" in f.text]
    assert len(leaflet) == 1
    assert leaflet[0].source == (
        "patient leaflet 'Botox for Back Pain', citing Doctor's Guide; no study found"
    )


def test_off_label_notice_says_not_fda_approved():
    assert "off-label" in OFF_LABEL_NOTICE
    assert "not FDA-approved" in OFF_LABEL_NOTICE


# --- properties -----------------------------------------------------------------

MEANS = st.floats(min_value=0, max_value=10, allow_nan=False)


@given(MEANS, MEANS)
def test_the_response_class_agrees_with_the_rounded_reduction(baseline: float, effect: float):
    pct = reduction_percent(baseline, effect)
    response = classify_response(pct)
    if pct is None:
        assert baseline == 0
        assert response is Response.NOT_EVALUABLE
        return
    assert pct == round(pct, 1)
    assert (response is Response.SUBSTANTIAL) == (pct >= 50.0)
    assert (response is Response.MODERATE) == (30.0 <= pct < 50.0)
    assert (response is Response.MINIMAL) == (10.0 <= pct < 30.0)
    assert (response is Response.NONE) == (pct < 10.0)


@given(
    st.lists(st.integers(min_value=0, max_value=300), max_size=4),
    st.lists(
        st.tuples(
            st.integers(min_value=-40, max_value=330), st.integers(min_value=0, max_value=10)
        ),
        max_size=40,
    ),
    st.lists(
        st.tuples(st.integers(min_value=-40, max_value=330), st.sampled_from(list(EffectClass))),
        max_size=5,
    ),
)
def test_review_is_always_well_formed(
    injection_offsets: list[int],
    pain_points: list[tuple[int, int]],
    effect_points: list[tuple[int, EffectClass]],
):
    today = d(330)
    entries = [PainEntry(d(o), s) for o, s in pain_points]
    effects = [EffectEvent(d(o), c, None) for o, c in effect_points]
    result = review([d(o) for o in injection_offsets], entries, effects, today)
    assert isinstance(result, Review)
    assert len(result.cycles) == len(set(injection_offsets))
    assert result.reasons
    assert result.summary.endswith(DISCLAIMER)
    for cycle in result.cycles:
        assert list(cycle.side_effects) == ["common", "serious", "emergency", "other"]
        assert cycle.injection_date <= cycle.end_date <= today
        assert (cycle.response is Response.NOT_EVALUABLE) == (cycle.reduction_pct is None)
    summary = long_term(result, entries)
    assert summary.pain_free_cycles <= summary.cycles_evaluable
    assert summary.cycles_responding <= summary.cycles_evaluable


# --- several treatments (issue 16) ----------------------------------------------


def _session(offset: int, treatment: str, product: Product | str) -> InjectionRecord:
    return InjectionRecord(day=d(offset), product=product, treatment=treatment)


BOTOX_AND_B12 = [
    _session(0, "botox", Product.BOTOX),
    _session(31, "B12", "hydroxocobalamin"),  # between the two Botox sessions
    _session(61, "B12", "hydroxocobalamin"),
    _session(92, "botox", Product.BOTOX),
    _session(123, "B12", "hydroxocobalamin"),
]


def test_a_treatment_is_reviewed_by_its_own_injections_only():
    assert treatment_injections(BOTOX_AND_B12, "botox") == [d(0), d(92)]
    assert treatment_injections(BOTOX_AND_B12, "B12") == [d(31), d(61), d(123)]
    assert treatment_injections(BOTOX_AND_B12, "insulin") == []
    # A patient without treatments: every session.
    assert treatment_injections(BOTOX_AND_B12, None) == [d(o) for o in (0, 31, 61, 92, 123)]


def test_a_cycle_is_cut_at_the_next_injection_of_the_same_treatment_only():
    # Pain only on days 35 and 42 after the first Botox injection: after a B12 one.
    scores = pain({-3: 8, -1: 8, 35: 3, 42: 3})
    botox = review(treatment_injections(BOTOX_AND_B12, "botox"), scores, [], d(150))

    first, second = botox.cycles
    assert first.end_date == d(91)  # the day before the next Botox injection, not d(30)
    assert (first.effect, first.response) == (3.0, Response.SUBSTANTIAL)
    assert second.injection_date == d(92)
    # Cut at every injection, as before issue 16, the B12 one would have left no window.
    every = review([s.day for s in BOTOX_AND_B12], scores, [], d(150))
    assert every.cycles[0].end_date == d(30)
    assert every.cycles[0].response is Response.NOT_EVALUABLE


@given(
    st.lists(
        st.tuples(st.integers(0, 400), st.sampled_from(["botox", "B12", "knee"])),
        max_size=20,
    )
)
def test_every_cycle_of_a_treatment_runs_to_its_own_next_injection(sessions):
    records = [_session(offset, name, "x") for offset, name in sessions]
    for name in ("botox", "B12", "knee"):
        days = treatment_injections(records, name)
        cycles = review(days, [], [], d(400)).cycles
        assert [c.injection_date for c in cycles] == days
        for cycle, following in zip(cycles, days[1:], strict=False):
            assert cycle.end_date == following - timedelta(days=1)
