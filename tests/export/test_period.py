"""A report of a past period agrees with itself: everything as of the period's end (issue 12)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import Tracker
from tests.export.test_html import export_html

TODAY = "2026-12-10"
PERIOD = ("--since", "2026-07-01", "--until", "2026-09-30")


@pytest.fixture
def summer(tracker: Tracker) -> Tracker:
    """An injection in January; an emergency in July resolved in October; another injection
    in October, after the period."""
    for args in (
        ("log", "2026-01-10"),
        ("pain", "7", "--date", "2026-01-05"),
        ("pain", "7", "--date", "2026-01-10"),
        ("pain", "3", "--date", "2026-01-30"),
        ("pain", "3", "--date", "2026-02-10"),
        ("effect", "trouble swallowing", "--date", "2026-07-20"),
        ("effect", "resolve", "1", "--date", "2026-10-05"),
        ("effect", "headache", "--date", "2026-08-01"),
        ("effect", "resolve", "2", "--date", "2026-10-01"),
        ("log", "2026-10-15"),
    ):
        tracker.ok(*args, today=TODAY)
    return tracker


def test_the_html_report_of_a_past_period_is_as_of_its_end(summer: Tracker, tmp_path) -> None:
    summer.today = TODAY
    _, page = export_html(summer, tmp_path / "r.html", *PERIOD)
    text = page.text
    assert "Last injection Sat 10 Jan 2026" in text
    assert "2026-10-15" not in text
    assert "(everything shown as it stood on 2026-09-30)" in text
    assert "resolved 2026-10" not in text  # both were still open on 30 September
    assert "2026-07-20 trouble swallowing EMERGENCY - GET HELP NOW not stated day 191 open" in text
    assert "open > 14 days" in text  # the headache, 60 days old on 30 September
    assert "Something to talk over with your doctor" in text
    assert (
        'A side effect that needs emergency help, "trouble swallowing", was '
        "recorded on 2026-07-20, day 191 after the injection of 2026-01-10" in text
    )
    assert "after the latest injection" not in text


def test_the_fhir_export_of_a_past_period_is_as_of_its_end(summer: Tracker) -> None:
    bundle: dict[str, Any] = json.loads(
        summer.ok("export", "--format", "fhir", *PERIOD, today=TODAY).stdout
    )
    events = [
        entry["resource"]
        for entry in bundle["entry"]
        if entry["resource"]["resourceType"] == "AdverseEvent"
    ]
    assert [e["outcome"]["coding"][0]["code"] for e in events] == ["ongoing", "ongoing"]


def test_the_calendar_of_a_past_period_counts_from_the_injection_before_its_end(
    summer: Tracker,
) -> None:
    ics = summer.ok("export", "--format", "ics", *PERIOD, today=TODAY).stdout
    # 10 January + 3 months, overdue at the period's end: shown on the day of the export.
    assert "Your injection was due on Fri 10 Apr 2026." in ics
    assert "DTSTART;VALUE=DATE:20261210" in ics
    assert "20270115" not in ics  # not from the October injection after the period


def test_without_until_the_report_is_as_of_today(summer: Tracker, tmp_path) -> None:
    summer.today = TODAY
    _, page = export_html(summer, tmp_path / "r.html")
    assert "resolved 2026-10-05" in page.text
    assert "Last injection Thu 15 Oct 2026" in page.text
    assert "as it stood" not in page.text
