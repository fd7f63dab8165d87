"""Weekly summaries of the pain diary, for trends at a glance."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from statistics import fmean

from tracker.domain.response import PainEntry, daily_means


@dataclass(frozen=True)
class WeekSummary:
    week_start: date  # a Monday
    mean: float  # mean of the daily means, so a busy day weighs as much as a quiet one
    days: int
    entries: int


def weekly_summaries(entries: Iterable[PainEntry]) -> list[WeekSummary]:
    entries = list(entries)
    counts: dict[date, int] = defaultdict(int)
    for entry in entries:
        counts[_monday(entry.day)] += 1
    by_week: dict[date, list[float]] = defaultdict(list)
    for day, mean in daily_means(entries).items():
        by_week[_monday(day)].append(mean)
    return [
        WeekSummary(week, fmean(means), len(means), counts[week])
        for week, means in sorted(by_week.items())
    ]


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())
