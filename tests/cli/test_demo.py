"""tracker demo: a labelled sample patient in a new database, refused in one with records."""

from __future__ import annotations

import json
import shlex
import uuid
from datetime import date
from pathlib import Path

import pytest

from tests.conftest import Tracker

DEMO_NAME = "Demo Patient (sample data)"


def assert_realistic_demo(tracker: Tracker) -> None:
    """What the issue promises: 8 sessions, a responding diary, a few effects, a booking."""
    today = date.fromisoformat(tracker.today)
    history = tracker.json("history")
    assert len(history) == 8
    assert {(row["product"], row["units"], row["provider"]) for row in history} == {
        ("botox", 200, "Dr Demo")
    }
    assert all(2 <= len(row["sites"]) <= 4 for row in history)
    assert all(site["units"] for row in history for site in row["sites"])
    assert all(row["lot"] for row in history)
    weeks_since_last = (today - date.fromisoformat(history[-1]["date"])).days / 7
    assert 2 <= weeks_since_last <= 10

    review = tracker.json("review")
    evaluable = [c for c in review["cycles"] if c["response"] != "not_evaluable"]
    assert len(evaluable) >= 6
    assert review["recommendation"] != "insufficient_data"
    reductions = [c["reduction_pct"] for c in evaluable]
    assert 50 <= sum(reductions) / len(reductions) <= 60  # "drops about 50-60 %"
    assert min(reductions) >= 40

    effects = tracker.json("effects")
    assert [e["text"] for e in effects if e["resolved"] is None] == ["dry mouth"]
    assert {"headache", "flu-like symptoms"} <= {e["text"] for e in effects}
    (appointment,) = tracker.json("appointments")
    next_due = date.fromisoformat(tracker.json("due")["next_due"])
    assert appointment["provider"] == "Dr Demo"
    assert abs((date.fromisoformat(appointment["date"]) - next_due).days) <= 7


def test_demo_fills_an_empty_database_that_due_review_and_export_can_use(tracker: Tracker) -> None:
    summary = tracker.ok("demo").stdout

    assert "SAMPLE DATA" in summary
    assert DEMO_NAME in summary
    tries = [shlex.split(line) for line in summary.splitlines() if "tracker --db " in line]
    assert [words[3:] for words in tries] == [["due"], ["review"], ["export", "-o", "report.pdf"]]
    # The database named in the hints is the one just filled.
    assert Tracker(tries[0][2]).json("history") == tracker.json("history")
    assert DEMO_NAME in tracker.ok("plan").stdout
    assert "Next injection due" in tracker.ok("due").stdout
    assert_realistic_demo(tracker)
    exported = json.loads(tracker.ok("export", "--format", "json").stdout)
    assert DEMO_NAME in json.dumps(exported)
    fhir = json.loads(tracker.ok("export", "--format", "fhir").stdout)
    sites = sum(len(session["sites"]) for session in tracker.json("history"))
    assert len(fhir["entry"]) == (
        1 + 8 + sites + len(tracker.json("diary")) + len(tracker.json("effects"))
    )


def test_demo_with_db_fills_that_database_only(sqlite_tracker: Tracker, tmp_path: Path) -> None:
    target = tmp_path / "elsewhere" / "demo.db"
    target.parent.mkdir()  # tracker creates a file the user names, never its folder

    summary = sqlite_tracker.ok("demo", "--db", str(target)).stdout

    assert f"tracker --db {target} due" in summary
    assert len(Tracker(str(target)).json("history")) == 8
    assert sqlite_tracker.json("history") == []


def test_demo_is_the_same_every_time_on_the_same_day(tmp_path: Path) -> None:
    first, second = Tracker(str(tmp_path / "a.db")), Tracker(str(tmp_path / "b.db"))
    first.ok("demo")
    second.ok("demo")

    def records(tracker: Tracker) -> dict:
        exported = json.loads(tracker.ok("export", "--format", "json").stdout)
        # Each database's patient has an identity of their own (a random UUID).
        assert uuid.UUID(exported["patient"].pop("uuid")).version == 4
        del exported["changes"]  # when each change was made, to the second
        return exported

    assert records(first) == records(second)


def test_demo_is_realistic_on_another_day_too(tmp_path: Path) -> None:
    # A leap day: the dates are worked out from "today", month ends included.
    tracker = Tracker(str(tmp_path / "demo.db"), today="2024-02-29")

    tracker.ok("demo")

    assert_realistic_demo(tracker)


@pytest.mark.parametrize(
    "record",
    [
        ("log", "2026-11-01", "--units", "200"),
        ("pain", "4"),
        ("effect", "headache"),
        ("book", "2026-12-01"),
    ],
    ids=["injection", "pain", "effect", "appointment"],
)
def test_demo_refuses_a_database_with_records_and_changes_nothing(
    sqlite_tracker: Tracker, record: tuple[str, ...]
) -> None:
    sqlite_tracker.ok(*record)
    before = {
        command: sqlite_tracker.ok(*command.split()).stdout
        for command in ("history --json", "diary --json", "effects --json", "plan --json")
    }

    result = sqlite_tracker.fails("demo")

    assert "already has records" in result.stderr
    assert result.stdout == ""
    after = {command: sqlite_tracker.ok(*command.split()).stdout for command in before}
    assert after == before
    assert DEMO_NAME not in after["plan --json"]


def test_demo_refuses_a_database_with_records_on_either_backend(tracker: Tracker) -> None:
    tracker.ok("pain", "4")

    tracker.fails("demo")

    assert tracker.json("history") == []


def test_demo_refuses_a_database_that_only_has_a_plan(sqlite_tracker):
    sqlite_tracker.ok("plan", "--name", "Real Person")
    assert "patient named 'Real Person'" in sqlite_tracker.fails("demo").stderr
    assert sqlite_tracker.json("plan")["name"] == "Real Person"
    assert sqlite_tracker.json("history") == []


def test_demo_on_a_demo_database_says_how_to_start_over(tmp_path, monkeypatch) -> None:
    """Issue 17: not the same command again, but how to use it or start over."""
    monkeypatch.chdir(tmp_path)
    demo_db = Tracker("demo.db")
    demo_db.ok("demo")
    history = demo_db.json("history")

    message = demo_db.fails("demo").stderr.strip()

    assert message == (
        "Error: demo.db already holds the sample patient (try: tracker --db demo.db due); "
        "to start over, delete it first: rm demo.db && tracker demo --db demo.db"
    )
    assert demo_db.json("history") == history
    # Following the advice works.
    Path("demo.db").unlink()  # what the advice says
    assert "SAMPLE DATA" in demo_db.ok("demo").stdout


def test_demo_on_a_demo_server_database_points_to_a_new_file(tracker: Tracker) -> None:
    tracker.ok("demo")
    message = tracker.fails("demo").stderr
    assert "already holds the sample patient" in message
    if "://" in tracker.db:
        assert "to start over, fill a new file: tracker demo --db demo.db" in message
