"""Rules behind `tracker review`: did the injections help, and what to raise with the doctor.

Pure rules only: no database, no terminal, no clock (``today`` is passed in).

The output is decision support for a conversation with the doctor. It never
tells the patient to stop or change treatment on their own: clinical.md
("Rules it must NOT encode") rules out continue/stop verdicts, so even the
strongest finding only says what to discuss.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from enum import StrEnum
from statistics import fmean

from tracker.domain.errors import InvalidInput
from tracker.domain.products import DEFAULT_PROFILE, PublishedFigure
from tracker.domain.records import InjectionRecord
from tracker.domain.scores import PAIN_SCORE_MAX, PAIN_SCORE_MIN
from tracker.domain.side_effects import PERSISTENT_AFTER_DAYS, EffectClass, is_persistent, severity

# Baseline: mean over days -13 ... 0 (the 14 days up to and including the
# injection day): clinical.md asks for a multi-day pre-injection NRS baseline
# ("Rules the software can safely encode", response class).
BASELINE_WINDOW_DAYS = 14
# Fallback when those 14 days are empty: the latest score within 30 days
# before the injection. tracker's choice (not a clinical figure), so a patient
# who logs only occasionally still gets a baseline.
BASELINE_FALLBACK_DAYS = 30

# Effect window, days 14 ... 56 after the injection inclusive: relief in back
# pain is reported from about 3 weeks to 2 months (Ney 2006, clinical.md #7, #9).
EFFECT_WINDOW_START_DAY = 14
EFFECT_WINDOW_END_DAY = 56
# Fewer than 2 scored days in the window is one reading, too noisy to judge a
# cycle by (tracker's choice).
MIN_EFFECT_DAYS = 2

# IMMPACT, Dworkin J Pain 2008;9:105-21 (clinical.md #14, and the leads'
# decision of December 2026): on the 0-10 NRS a reduction below 10 % is none,
# 10-29.9 % minimal, at least 30 % moderate, at least 50 % substantial.
MINIMAL_REDUCTION_PCT = 10.0
MODERATE_REDUCTION_PCT = 30.0
SUBSTANTIAL_REDUCTION_PCT = 50.0
# Farrar, Pain 2001;94:149-58 (clinical.md #15): about 2 points on the 0-10
# scale is a clinically important change; shown beside the percentage.
CLINICALLY_IMPORTANT_POINTS = 2.0

_DISCLAIMER = "This is not medical advice or a diagnosis: decisions are made with your doctor."


class Response(StrEnum):
    SUBSTANTIAL = "substantial"
    MODERATE = "moderate"
    MINIMAL = "minimal"
    NONE = "none"  # below 10 %, including pain that got worse
    NOT_EVALUABLE = "not_evaluable"


# Below 30 %: what asks for a talk with the doctor (clinical.md, "Discuss with
# your doctor": after <30 % improvement).
BELOW_MODERATE = frozenset({Response.NONE, Response.MINIMAL})


class Recommendation(StrEnum):
    INSUFFICIENT_DATA = "insufficient_data"
    CONTINUE = "continue"
    REVIEW_WITH_DOCTOR = "review_with_doctor"
    CONSIDER_STOPPING = "consider_stopping"


@dataclass(frozen=True)
class PainEntry:
    day: date
    score: int

    def __post_init__(self) -> None:
        # bool is an int subclass; True is not a pain score.
        if (
            isinstance(self.score, bool)
            or not isinstance(self.score, int)
            or not PAIN_SCORE_MIN <= self.score <= PAIN_SCORE_MAX
        ):
            raise InvalidInput(
                f"Pain score must be a whole number from {PAIN_SCORE_MIN} to {PAIN_SCORE_MAX}, "
                f"not {self.score!r}."
            )


@dataclass(frozen=True)
class EffectEvent:
    started: date
    effect_class: EffectClass
    resolved: date | None
    text: str = ""  # the patient's words, named in the review's reasons

    def __post_init__(self) -> None:
        if self.resolved is not None and self.resolved < self.started:
            raise InvalidInput(
                f"A side effect cannot resolve ({self.resolved}) before it started "
                f"({self.started})."
            )


@dataclass(frozen=True)
class CycleReview:
    """One injection cycle: from the injection to the day before the next (or today).

    ``baseline`` and ``effect`` are rounded to 1 decimal for display;
    ``reduction_pct`` and ``change_points`` (baseline - effect, in points on
    the 0-10 scale) are computed from the unrounded means, so they may differ
    slightly from what the two displayed figures suggest.
    """

    injection_date: date
    end_date: date
    baseline: float | None
    effect: float | None
    reduction_pct: float | None
    response: Response
    side_effects: dict[str, int]
    change_points: float | None = None
    # A baseline of 0: there was no pain to reduce, so no reduction can be measured.
    no_pain_before: bool = False


@dataclass(frozen=True)
class Review:
    cycles: list[CycleReview]
    recommendation: Recommendation
    reasons: list[str]
    summary: str
    # Indexes of the reasons about a serious or emergency side effect: every
    # output makes them stand out.
    urgent_reasons: frozenset[int] = frozenset()

    @property
    def headline(self) -> str:
        """What the records show and whom to talk to: never a verdict."""
        return HEADLINES[self.recommendation]


@dataclass(frozen=True)
class LongTerm:
    cycles_evaluable: int
    cycles_responding: int  # substantial or moderate
    pain_free_cycles: int  # evaluable, and every scored day in the effect window was 0


# --- pain arithmetic ----------------------------------------------------------


def daily_means(entries: Iterable[PainEntry]) -> dict[date, float]:
    """One figure per day, so a day with many entries weighs as much as a day with one."""
    by_day: dict[date, list[int]] = defaultdict(list)
    for entry in entries:
        by_day[entry.day].append(entry.score)
    return {day: fmean(scores) for day, scores in sorted(by_day.items())}


def _days(first: date, last: date) -> Iterator[date]:
    """Every calendar day from first to last (none when last is before first)."""
    for offset in range((last - first).days + 1):
        yield first + timedelta(days=offset)


def _in_range(means: Mapping[date, float], first: date, last: date) -> list[float]:
    # Look the window's days up rather than scanning the diary: a window is a
    # few weeks, a diary twenty years, and a review looks at every cycle.
    return [means[day] for day in _days(first, last) if day in means]


def baseline_for(injection: date, means: Mapping[date, float]) -> float | None:
    """Mean of days -13 ... 0; else the latest score of days -30 ... -14; else None."""
    window_start = injection - timedelta(days=BASELINE_WINDOW_DAYS - 1)
    recent = _in_range(means, window_start, injection)
    if recent:
        return fmean(recent)
    fallback_start = injection - timedelta(days=BASELINE_FALLBACK_DAYS)
    older = [day for day in _days(fallback_start, window_start - timedelta(days=1)) if day in means]
    return means[max(older)] if older else None


def effect_window(injection: date, cycle_end: date) -> tuple[date, date]:
    """Days 14 ... 56 after the injection, cut short where the cycle ends.

    The last day may fall before the first when the cycle is still young.
    """
    first = injection + timedelta(days=EFFECT_WINDOW_START_DAY)
    last = min(injection + timedelta(days=EFFECT_WINDOW_END_DAY), cycle_end)
    return first, last


def effect_for(injection: date, cycle_end: date, means: Mapping[date, float]) -> float | None:
    """Mean of the daily means in the effect window; None with fewer than 2 scored days."""
    values = _in_range(means, *effect_window(injection, cycle_end))
    return fmean(values) if len(values) >= MIN_EFFECT_DAYS else None


def reduction_percent(baseline: float | None, effect: float | None) -> float | None:
    """Reduction from baseline in %, 1 decimal; negative means pain got worse.

    None when either mean is missing or the baseline is 0 (no pain to reduce).
    """
    if baseline is None or effect is None or baseline == 0:
        return None
    return round((baseline - effect) / baseline * 100, 1)


def change_points(baseline: float | None, effect: float | None) -> float | None:
    """Baseline minus effect on the 0-10 scale, 1 decimal; negative means pain got worse."""
    if baseline is None or effect is None:
        return None
    return round(baseline - effect, 1)


def classify_response(reduction_pct: float | None) -> Response:
    """IMMPACT class of an already-rounded reduction (so the shown number and class agree)."""
    if reduction_pct is None:
        return Response.NOT_EVALUABLE
    if reduction_pct >= SUBSTANTIAL_REDUCTION_PCT:
        return Response.SUBSTANTIAL
    if reduction_pct >= MODERATE_REDUCTION_PCT:
        return Response.MODERATE
    if reduction_pct >= MINIMAL_REDUCTION_PCT:
        return Response.MINIMAL
    return Response.NONE


# --- cycles -------------------------------------------------------------------


# Fixed key order for the side-effect counts, mildest first.
_EFFECT_KEYS = (EffectClass.COMMON, EffectClass.SERIOUS, EffectClass.EMERGENCY, EffectClass.OTHER)


def _count_effects(effects: Iterable[EffectEvent], first: date, last: date) -> dict[str, int]:
    counts = {c.value: 0 for c in _EFFECT_KEYS}
    for event in effects:
        if first <= event.started <= last:
            counts[event.effect_class.value] += 1
    return counts


def _round1(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _cycle_review(
    injection: date,
    cycle_end: date,
    means: Mapping[date, float],
    effects: Sequence[EffectEvent],
) -> CycleReview:
    baseline = baseline_for(injection, means)
    effect = effect_for(injection, cycle_end, means)
    reduction = reduction_percent(baseline, effect)
    return CycleReview(
        injection_date=injection,
        end_date=cycle_end,
        baseline=_round1(baseline),
        effect=_round1(effect),
        reduction_pct=reduction,
        response=classify_response(reduction),
        side_effects=_count_effects(effects, injection, cycle_end),
        change_points=change_points(baseline, effect),
        no_pain_before=baseline == 0,
    )


def _cycles(
    injections: Sequence[date],
    means: Mapping[date, float],
    effects: Sequence[EffectEvent],
    today: date,
) -> list[CycleReview]:
    ends = [nxt - timedelta(days=1) for nxt in injections[1:]] + [today]
    return [
        _cycle_review(inj, end, means, effects) for inj, end in zip(injections, ends, strict=True)
    ]


def treatment_injections(sessions: Iterable[InjectionRecord], treatment: str | None) -> list[date]:
    """The injection days of one treatment (by its stored name), the cycles it is reviewed by.

    A cycle ends the day before the next injection of the SAME treatment (issue
    16): a B12 injection given between two Botox sessions does not cut a Botox
    cycle short. ``None`` takes every session (a patient without treatments).
    """
    return sorted({s.day for s in sessions if treatment is None or s.treatment == treatment})


# --- findings -----------------------------------------------------------------


def _injection_of(day: date, injections: Sequence[date]) -> str:
    """Which injection an effect followed, in words."""
    earlier = [injection for injection in injections if injection <= day]
    if not earlier:
        return "before the first recorded injection"
    latest = earlier[-1]
    if day == latest:
        return f"on the day of the injection of {latest}"
    return f"day {(day - latest).days} after the injection of {latest}"


def _quoted(event: EffectEvent) -> str:
    return f'"{event.text}"' if event.text else "(no text)"


def _named(event: EffectEvent) -> str:
    return f"{_quoted(event)} ({event.effect_class.value})"


def _status(event: EffectEvent) -> str:
    return "not marked resolved" if event.resolved is None else f"resolved {event.resolved}"


def _urgent_reason(event: EffectEvent, injections: Sequence[date]) -> str:
    """A serious or emergency effect since the latest injection: what to do now."""
    when = f"recorded on {event.started}, {_injection_of(event.started, injections)}"
    if event.effect_class is EffectClass.EMERGENCY:
        return (
            f"A side effect that needs emergency help, {_quoted(event)}, was {when}: "
            "if it is still going on, get emergency help now; either way your doctor "
            "should hear about it before the next injection."
        )
    return (
        f"A serious side effect, {_quoted(event)}, was {when}: your doctor should hear "
        "about it before the next injection."
    )


def _history_reason(event: EffectEvent, injections: Sequence[date]) -> str:
    """A serious or emergency effect of an earlier cycle: named at every review."""
    return (
        f"Earlier: {_named(event)} was recorded on {event.started}, "
        f"{_injection_of(event.started, injections)} ({_status(event)}): "
        "mention it to your doctor at this review too."
    )


def _urgent_by_rank(effects: Sequence[EffectEvent]) -> list[EffectEvent]:
    return sorted(
        (e for e in effects if e.effect_class in (EffectClass.EMERGENCY, EffectClass.SERIOUS)),
        key=lambda e: (-severity(e.effect_class), e.started),
    )


def _safety_reasons(
    effects: Sequence[EffectEvent], injections: Sequence[date], today: date
) -> tuple[list[str], list[str], list[str]]:
    """(urgent findings, lingering common effects, history to mention at every review).

    Serious and emergency effects since the latest injection, and common ones
    still open too long, ask for the doctor now. Serious and emergency effects
    before the latest injection are history: a later injection has been given since.
    """
    latest = injections[-1]
    by_rank = _urgent_by_rank(effects)
    urgent = [_urgent_reason(e, injections) for e in by_rank if e.started >= latest]
    history = [_history_reason(e, injections) for e in by_rank if e.started < latest]
    # A common effect that is still open matters whichever cycle it began in,
    # but not one that began before treatment started.
    open_too_long = sorted(
        (
            e
            for e in effects
            if e.started >= injections[0]
            and is_persistent(e.effect_class, e.started, e.resolved, today)
        ),
        key=lambda e: e.started,
    )
    lingering = [
        f"A common side effect, {_quoted(e)}, that started on {e.started} is still open "
        f"after {(today - e.started).days} days (more than {PERSISTENT_AFTER_DAYS}): tell "
        "your doctor, as it has not gone away."
        for e in open_too_long
    ]
    return urgent, lingering, history


def _change_text(cycle: CycleReview) -> str:
    pct, points = cycle.reduction_pct, cycle.change_points
    assert pct is not None and points is not None  # only evaluable cycles are described
    if pct > 0:
        return f"a {pct:.1f} % reduction in pain ({points:.1f} points)"
    if pct < 0:
        return f"pain {-pct:.1f} % worse than before the injection ({-points:.1f} points)"
    return "no reduction in pain"


def _describe_cycle(cycle: CycleReview) -> str:
    text = (
        f"The latest evaluable cycle (injection {cycle.injection_date}) showed "
        f"{_change_text(cycle)}, IMMPACT class {cycle.response.value}: average pain "
        f"{cycle.baseline:.1f} before, {cycle.effect:.1f} after, on the 0-10 scale."
    )
    if cycle.response in BELOW_MODERATE:
        text += f" Less than {MODERATE_REDUCTION_PCT:.0f} % is worth talking over with your doctor."
    return text


NO_PAIN_BEFORE = "no pain before this injection: a reduction cannot be measured"


def _not_evaluable_reasons(cycles: Sequence[CycleReview]) -> list[str]:
    reasons = [
        f"Injection {cycle.injection_date}: {NO_PAIN_BEFORE}."
        for cycle in cycles
        if cycle.no_pain_before
    ]
    if any(not cycle.no_pain_before for cycle in cycles):
        reasons.append(
            ("No other cycle" if reasons else "No cycle")
            + " can be evaluated yet: that needs pain scores in the "
            f"{BASELINE_WINDOW_DAYS} days up to an injection (or one in the "
            f"{BASELINE_FALLBACK_DAYS} days before) and on at least {MIN_EFFECT_DAYS} days "
            f"between day {EFFECT_WINDOW_START_DAY} and day {EFFECT_WINDOW_END_DAY} after it."
        )
    return reasons


def _response_reasons(cycles: Sequence[CycleReview]) -> list[str]:
    evaluable = [c for c in cycles if c.response is not Response.NOT_EVALUABLE]
    if not evaluable:
        return _not_evaluable_reasons(cycles)
    reasons = []
    if _two_latest_below_moderate(evaluable):
        previous, latest = evaluable[-2], evaluable[-1]
        reasons.append(
            f"The two latest evaluable cycles (injections {previous.injection_date} and "
            f"{latest.injection_date}) both showed less than a "
            f"{MODERATE_REDUCTION_PCT:.0f} % reduction in pain: talk with your doctor about "
            "whether it is still helping."
        )
    reasons.append(_describe_cycle(evaluable[-1]))
    newest = cycles[-1]
    if newest is not evaluable[-1]:
        why = NO_PAIN_BEFORE if newest.no_pain_before else "it cannot be evaluated yet"
        reasons.append(
            f"The cycle of the latest injection ({newest.injection_date}): {why}, so the "
            "figures above come from an earlier cycle."
        )
    return reasons


def _two_latest_below_moderate(evaluable: Sequence[CycleReview]) -> bool:
    return len(evaluable) >= 2 and all(c.response in BELOW_MODERATE for c in evaluable[-2:])


def _recommend(cycles: Sequence[CycleReview], has_safety_finding: bool) -> Recommendation:
    """Precedence: consider_stopping > review_with_doctor > insufficient_data > continue.

    The codes are for programs; people read HEADLINES and _SUMMARIES, which
    say what the records show and whom to talk to, never a verdict.
    """
    evaluable = [c for c in cycles if c.response is not Response.NOT_EVALUABLE]
    if _two_latest_below_moderate(evaluable):
        return Recommendation.CONSIDER_STOPPING
    if has_safety_finding or (evaluable and evaluable[-1].response in BELOW_MODERATE):
        return Recommendation.REVIEW_WITH_DOCTOR
    if not evaluable:
        return Recommendation.INSUFFICIENT_DATA
    return Recommendation.CONTINUE


HEADLINES: dict[Recommendation, str] = {
    Recommendation.INSUFFICIENT_DATA: "Not enough records yet to tell whether it is helping",
    Recommendation.CONTINUE: "The records suggest it is helping",
    Recommendation.REVIEW_WITH_DOCTOR: "Something to talk over with your doctor",
    Recommendation.CONSIDER_STOPPING: "Talk with your doctor about whether it is still helping",
}

# What follows the headline; none of them repeats it.
_SUMMARIES: dict[Recommendation, str] = {
    Recommendation.INSUFFICIENT_DATA: "The points below say what is missing.",
    Recommendation.CONTINUE: (
        f"The latest evaluable cycle showed a reduction in pain of "
        f"{MODERATE_REDUCTION_PCT:.0f} % or more, and nothing recorded since the latest "
        "injection needs your doctor before the next one."
    ),
    Recommendation.REVIEW_WITH_DOCTOR: (
        "Before the next injection, talk over the points below with your doctor."
    ),
    Recommendation.CONSIDER_STOPPING: (
        f"In the last two evaluable cycles pain went down by less than "
        f"{MODERATE_REDUCTION_PCT:.0f} %. Do not stop or change the treatment on your own."
    ),
}


def _as_of(effects: Sequence[EffectEvent], today: date) -> list[EffectEvent]:
    """The effects as they stood on ``today``: one resolved later was still open then."""
    return [
        replace(e, resolved=None) if e.resolved is not None and e.resolved > today else e
        for e in effects
        if e.started <= today
    ]


def review(
    injection_dates: Sequence[date],
    pain: Sequence[PainEntry],
    effects: Sequence[EffectEvent],
    today: date,
) -> Review:
    """Review every injection cycle and say what to raise with the doctor.

    Everything is as of ``today`` (a report's period end): a side effect
    resolved after it counts as open, and one that started after it is left out.
    Raises InvalidInput when an injection is dated after ``today``.
    """
    injections = sorted(set(injection_dates))
    if injections and injections[-1] > today:
        raise InvalidInput(
            f"The injection on {injections[-1]} is after today ({today}); "
            "only injections already given can be reviewed."
        )
    if not injections:
        return Review(
            cycles=[],
            recommendation=Recommendation.INSUFFICIENT_DATA,
            reasons=["No injections are recorded yet, so there is nothing to review."],
            summary=f"{_SUMMARIES[Recommendation.INSUFFICIENT_DATA]} {_DISCLAIMER}",
        )
    effects = _as_of(effects, today)
    cycles = _cycles(injections, daily_means(pain), effects, today)
    urgent, lingering, history = _safety_reasons(effects, injections, today)
    findings = urgent + lingering
    recommendation = _recommend(cycles, has_safety_finding=bool(findings))
    reasons = findings + _response_reasons(cycles) + history
    return Review(
        cycles=cycles,
        recommendation=recommendation,
        reasons=reasons,
        summary=f"{_SUMMARIES[recommendation]} {_DISCLAIMER}",
        urgent_reasons=frozenset(
            [*range(len(urgent)), *range(len(reasons) - len(history), len(reasons))]
        ),
    )


# --- long-term picture --------------------------------------------------------


def long_term(review: Review, pain: Iterable[PainEntry]) -> LongTerm:
    """Count evaluable, responding and pain-free cycles of a review.

    ``pain`` must be the same entries the review was built from: pain-free
    needs the daily means inside each cycle's effect window.
    """
    means = daily_means(pain)
    evaluable = [c for c in review.cycles if c.response is not Response.NOT_EVALUABLE]
    responding = [c for c in evaluable if c.response in (Response.SUBSTANTIAL, Response.MODERATE)]
    pain_free = []
    for cycle in evaluable:
        window = _in_range(means, *effect_window(cycle.injection_date, cycle.end_date))
        if window and all(value == 0 for value in window):
            pain_free.append(cycle)
    return LongTerm(
        cycles_evaluable=len(evaluable),
        cycles_responding=len(responding),
        pain_free_cycles=len(pain_free),
    )


# The default product's published figures and off-label notice, for callers
# that know no patient; each product's own are in its profile (tracker.domain.products).
PUBLISHED_FIGURES: tuple[PublishedFigure, ...] = DEFAULT_PROFILE.published_figures
OFF_LABEL_NOTICE: str | None = DEFAULT_PROFILE.off_label_notice
