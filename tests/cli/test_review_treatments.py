"""tracker review with several treatments (issue 16): which one, and its own cycles."""

from __future__ import annotations

import pytest

from tests.cli.test_review import pain_on
from tests.conftest import Tracker
from tests.several_treatments import add_session, add_treatment, change_treatment

NO_LABEL_RULES = (
    "tracker knows no label rules for hydroxocobalamin: no minimum interval or dose ceiling "
    "is checked."
)


@pytest.fixture
def botox_and_b12(tracker: Tracker) -> Tracker:
    """Botox on 1 May and 1 Aug 2026; B12 monthly in between. Pain is scored only on days
    35 and 42 after the first Botox injection: after the B12 injection of 1 June."""
    tracker.ok("log", "2026-05-01", "--units", "200")
    tracker.ok("log", "2026-08-01", "--units", "200")
    add_treatment(tracker, "B12", "hydroxocobalamin", every="1m")
    for day in ("2026-06-01", "2026-07-01", "2026-09-01"):
        add_session(tracker, "B12", day, units=1000)
    pain_on(tracker, "2026-04-25", [8, 8])  # the first Botox cycle's baseline
    pain_on(tracker, "2026-06-05", [3, 3], every=7)  # its days 35 and 42
    return tracker


def test_without_treatment_the_pain_treatment_is_reviewed_and_named(botox_and_b12):
    out = botox_and_b12.ok("review").stdout

    assert out.splitlines()[0] == (
        "Reviewing botox (the pain treatment); see others with --treatment NAME"
    )
    assert "Foster L et al., Neurology 2001;56:1290-3" in out
    assert "Botox for back pain is off-label" in out
    assert "no label rules" not in out


def test_a_cycle_is_cut_at_the_next_injection_of_the_same_treatment_only(botox_and_b12):
    data = botox_and_b12.json("review")

    assert data["treatment"] == "botox"
    assert [c["injection_date"] for c in data["cycles"]] == ["2026-05-01", "2026-08-01"]
    first = data["cycles"][0]
    # Days 35 and 42 count: the B12 injection of 1 June did not end the Botox cycle.
    assert (first["baseline"], first["effect"], first["response"]) == (8.0, 3.0, "substantial")
    assert data["recommendation"] == "continue"
    out = botox_and_b12.ok("review").stdout
    assert "2026-05-01  8.0       3.0         62.5 %" in out
    assert "2026-06-01" not in out


def test_another_treatment_is_reviewed_by_its_own_cycles_and_product(botox_and_b12):
    data = botox_and_b12.json("review", "--treatment", "B12")
    out = botox_and_b12.ok("review", "--treatment", "b12").stdout

    assert data["treatment"] == "B12"
    assert [c["injection_date"] for c in data["cycles"]] == [
        "2026-06-01",
        "2026-07-01",
        "2026-09-01",
    ]
    assert out.splitlines()[0] == "Reviewing B12; see others with --treatment NAME"
    # A product tracker has no profile for: none of Botox's texts, and it says so.
    assert NO_LABEL_RULES in out
    assert "Published figures: tracker knows none for hydroxocobalamin." in out
    assert "off-label" not in out
    assert "Foster" not in out


def test_an_unknown_treatment_is_one_error_line_listing_the_treatments(botox_and_b12):
    for args in (("review", "--treatment", "insulin"), ("review", "--json", "--treatment", "")):
        result = botox_and_b12.fails(*args)
        assert "the treatments are 'botox', 'B12'" in result.stderr
        assert result.stdout == ""
    assert (
        "there is no treatment called 'insulin'"
        in botox_and_b12.fails("review", "--treatment", "insulin").stderr
    )


def test_the_botulinum_toxin_treatment_is_the_pain_treatment_even_when_added_later(
    tracker: Tracker,
):
    tracker.ok("plan", "--name", "Sam")  # stores the "botox" treatment a patient starts with
    change_treatment(tracker, "botox", new_name="B12", product="hydroxocobalamin", every="1m")
    add_treatment(tracker, "back", "dysport", every="3m", within_days=14)
    add_session(tracker, "B12", "2026-06-01")
    add_session(tracker, "back", "2026-06-10", units=500)

    data = tracker.json("review")
    out = tracker.ok("review").stdout

    assert data["treatment"] == "back"
    assert [c["injection_date"] for c in data["cycles"]] == ["2026-06-10"]
    assert out.startswith("Reviewing back (the pain treatment);")
    assert "Dysport for back pain is off-label" in out
    assert "Published figures: tracker knows none for Dysport." in out


def test_without_a_toxin_the_first_treatment_is_reviewed(tracker: Tracker):
    tracker.ok("plan", "--name", "Sam")
    change_treatment(tracker, "botox", new_name="B12", product="hydroxocobalamin", every="1m")
    add_treatment(tracker, "knee", "hyaluronic acid", every="6m")
    add_session(tracker, "knee", "2026-06-10")

    data = tracker.json("review")

    assert data["treatment"] == "B12"
    assert data["cycles"] == [] and data["recommendation"] == "insufficient_data"
    assert tracker.ok("review").stdout.startswith("Reviewing B12 (the pain treatment);")


def test_with_one_treatment_nothing_changes_and_naming_it_is_allowed(tracker: Tracker):
    tracker.ok("log", "2026-08-01")
    pain_on(tracker, "2026-07-25", [8, 8])
    pain_on(tracker, "2026-08-15", [3, 3, 4], every=7)

    out = tracker.ok("review").stdout
    data = tracker.json("review")

    assert "Reviewing" not in out and "treatment" not in data
    assert tracker.ok("review", "--treatment", "BOTOX").stdout == out
    assert tracker.json("review", "--treatment", "botox") == data
    tracker.fails("review", "--treatment", "B12")


def test_a_review_on_several_patients_names_the_patient_then_the_treatment(tracker: Tracker):
    tracker.ok("patients", "add", "Ann")
    tracker.ok("patients", "add", "Bob")
    tracker.ok("--patient", "Ann", "log", "2026-08-01")
    add_treatment(tracker, "B12", "hydroxocobalamin", patient="Ann")

    lines = tracker.ok("--patient", "Ann", "review").stdout.splitlines()

    assert lines[:2] == [
        "Patient: Ann",
        "Reviewing botox (the pain treatment); see others with --treatment NAME",
    ]
    assert "Reviewing" not in tracker.ok("--patient", "Bob", "review").stdout
