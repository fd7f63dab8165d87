"""A patient with a year of typical records, entered through the real CLI."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.conftest import Tracker

INJECTIONS = ["2025-12-01", "2026-03-02", "2026-06-01", "2026-09-01"]


def fill_year(tracker: Tracker) -> Tracker:
    tracker.ok("plan", "--name", "Sam Patient", "--within", "14")
    for number, day in enumerate(INJECTIONS, start=1):
        tracker.ok(
            "log",
            day,
            "--units",
            "200",
            "--site",
            "left lumbar paraspinal:100",
            "--site",
            "right lumbar paraspinal:100",
            "--provider",
            "Dr Lee",
            "--lot",
            f"C{number:04d}",
        )
    day = date(2025, 11, 17)
    while day <= date(2026, 11, 25):
        # Pain drops after each injection and wears off before the next.
        since = max(
            d for d in [date(2025, 9, 1)] + [date.fromisoformat(i) for i in INJECTIONS] if d <= day
        )
        cycle_day = (day - since).days
        score = 7 if cycle_day > 75 or cycle_day < 10 else 3
        tracker.ok("pain", str(score), "--date", day.isoformat(), "--function", str(score - 1))
        day += timedelta(days=4)
    tracker.ok("effect", "headache", "--date", "2026-03-04", "--severity", "mild")
    tracker.ok("effect", "resolve", "1", "--date", "2026-03-06")
    tracker.ok(
        "effect", "flu-like symptoms", "--date", "2026-09-03", "--note", "=cmd|' /C calc'!A0"
    )
    tracker.ok("effect", "drooping eyelids", "--date", "2026-09-10", "--severity", "moderate")
    tracker.ok("book", "2026-12-01", "--time", "09:30", "--provider", "Dr Lee")
    tracker.ok("book", "2026-12-15", "--note", "backup slot")
    tracker.ok("cancel", "2")
    return tracker


@pytest.fixture
def filled(tracker: Tracker) -> Tracker:
    """Both backends: Sam Patient, four injections, ~90 pain entries, 3 effects, 2 bookings."""
    return fill_year(tracker)


@pytest.fixture
def filled_sqlite(sqlite_tracker: Tracker) -> Tracker:
    return fill_year(sqlite_tracker)
