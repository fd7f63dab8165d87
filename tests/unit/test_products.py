"""Product profiles (tracker.domain.products) and the label's minimum interval."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date, timedelta

import pytest

from tracker.domain.dosing import DoseRecord, dose_warnings, interval_warnings, parse_product
from tracker.domain.errors import InvalidInput
from tracker.domain.products import (
    DEFAULT_PROFILE,
    TOXIN_MIN_INTERVAL,
    Product,
    patient_profile,
    profile_of,
    profiles,
    register,
    unregister,
)
from tracker.domain.schedule import (
    MIN_RETREATMENT_INTERVAL,
    check_interval,
    due,
    earliest_retreatment,
    shortest_allowed_months,
    shortest_span,
)

LAST = date(2027, 2, 1)  # 1 Feb + 3 months is 1 May: 89 days, the shortest 3 months
TODAY = date(2027, 2, 2)
TOXINS = ["botox", "dysport", "xeomin", "myobloc", "other"]


def test_every_shipped_product_has_a_profile_in_the_order_they_are_listed() -> None:
    assert [p.code for p in profiles()] == TOXINS
    assert all(p.botulinum_toxin for p in profiles())
    assert DEFAULT_PROFILE is profile_of(Product.BOTOX)


def test_every_botulinum_toxin_has_the_12_week_label_minimum() -> None:
    assert timedelta(days=84) == TOXIN_MIN_INTERVAL
    assert MIN_RETREATMENT_INTERVAL == TOXIN_MIN_INTERVAL
    for profile in profiles():
        assert profile.min_interval == TOXIN_MIN_INTERVAL
        assert profile.min_interval_long_text == "12 weeks (84 days)"
        assert profile.min_interval_adjective == "12-week"
        assert profile.min_interval_source


@pytest.mark.parametrize("code", ["dysport", "xeomin", "myobloc"])
def test_other_toxins_have_their_own_texts_and_no_published_figures(code: str) -> None:
    profile = profile_of(code)
    assert profile.off_label_notice is not None
    assert profile.off_label_notice.startswith(f"{profile.name} for back pain is off-label")
    assert "Botox" not in profile.off_label_notice
    assert profile.published_figures == ()
    assert profile.name in profile.medication_text


def test_botox_keeps_its_published_figures_and_notice() -> None:
    assert DEFAULT_PROFILE.off_label_notice is not None
    assert DEFAULT_PROFILE.off_label_notice.startswith("Botox for back pain is off-label")
    assert len(DEFAULT_PROFILE.published_figures) == 4
    assert DEFAULT_PROFILE.medication_text == "onabotulinumtoxinA (Botox)"


def test_the_patients_product_is_the_latest_injections_else_the_default() -> None:
    assert patient_profile(None) is DEFAULT_PROFILE
    assert patient_profile("myobloc").name == "Myobloc"


def test_an_unknown_stored_product_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="snake oil"):
        profile_of("snake oil")


# --- the minimum's boundaries ---------------------------------------------------------


def test_the_shortest_spans_of_calendar_months() -> None:
    assert shortest_span(1) == timedelta(days=28)
    assert shortest_span(2) == timedelta(days=59)
    assert shortest_span(3) == timedelta(days=89)


def test_three_months_is_the_shortest_plan_above_the_12_week_minimum() -> None:
    assert shortest_allowed_months(DEFAULT_PROFILE) == 3
    check_interval(3, DEFAULT_PROFILE)  # accepted


@pytest.mark.parametrize("months", [1, 2])
def test_a_plan_below_the_minimum_is_refused_naming_it_and_its_source(months: int) -> None:
    with pytest.raises(InvalidInput) as refused:
        check_interval(months, profile_of("dysport"))
    message = str(refused.value)
    assert "Dysport's minimum interval of 12 weeks (84 days)" in message
    assert "Dysport label (dysporthcp.com)" in message
    assert message.endswith("choose 3 months or more")


def test_a_due_date_never_falls_before_the_minimum() -> None:
    # A plan of 1 month stored before the rule: the due date is the label's minimum.
    result = due(LAST, TODAY, every=1)
    assert result.next_due == result.earliest == LAST + timedelta(days=84)
    assert due(LAST, TODAY, every=3).next_due == date(2027, 5, 1)


def test_the_interval_warning_starts_one_day_below_the_minimum() -> None:
    assert interval_warnings(LAST, [LAST - timedelta(days=84)]) == []
    (warning,) = interval_warnings(LAST, [LAST - timedelta(days=83)])
    assert "the label's minimum interval is 12 weeks (84 days)" in warning


# --- a made-up product ----------------------------------------------------------------

SLOWTOX = replace(
    profile_of("myobloc"),
    code="slowtox",
    name="Slowtox",
    brand="Slowtox",
    generic_name="slowbotulinumtoxinS",
    min_interval=timedelta(days=90),
    min_interval_source="Slowtox label (made up)",
)
NOT_A_TOXIN = replace(
    SLOWTOX,
    code="saline",
    name="Saline",
    brand=None,
    generic_name="sodium chloride",
    botulinum_toxin=False,
    min_interval=None,
    min_interval_source=None,
    off_label_notice=None,
    side_effect_vocabulary=None,
    codings=(),
)


@pytest.fixture
def made_up() -> Iterator[None]:
    register(SLOWTOX)
    register(NOT_A_TOXIN)
    yield
    unregister(SLOWTOX.code)
    unregister(NOT_A_TOXIN.code)


def test_a_registered_product_is_a_product_until_it_is_removed(made_up: None) -> None:
    assert parse_product(" SlowTox ") == "slowtox"
    assert Product("slowtox").value == "slowtox"
    assert [p.code for p in profiles()] == [*TOXINS, "slowtox", "saline"]
    with pytest.raises(ValueError, match="already registered"):
        register(SLOWTOX)
    with pytest.raises(ValueError, match="ships with tracker"):
        unregister("botox")


def test_a_removed_product_is_unknown_again() -> None:
    register(SLOWTOX)
    unregister(SLOWTOX.code)
    with pytest.raises(InvalidInput, match=r"botox, dysport, xeomin, myobloc, other$"):
        parse_product("slowtox")


def test_a_minimum_of_90_days_needs_4_months(made_up: None) -> None:
    slowtox = profile_of("slowtox")
    assert slowtox.min_interval_long_text == "90 days"
    assert slowtox.min_interval_adjective == "90-day"
    assert shortest_allowed_months(slowtox) == 4
    with pytest.raises(InvalidInput, match="of 90 days, set by the Slowtox label"):
        check_interval(3, slowtox)
    # 1 Feb + 3 months is 89 days: one day short, so the due date is the minimum.
    result = due(LAST, TODAY, every=3, product=slowtox)
    assert result.next_due == result.earliest == LAST + timedelta(days=90)
    assert interval_warnings(LAST, [LAST - timedelta(days=90)], slowtox) == []
    assert interval_warnings(LAST, [LAST - timedelta(days=89)], slowtox)


def test_without_a_label_rule_the_clinicians_interval_is_the_schedule(made_up: None) -> None:
    saline = profile_of("saline")
    assert earliest_retreatment(LAST, saline) is None
    check_interval(1, saline)  # nothing to refuse
    result = due(LAST, TODAY, every=1, product=saline)
    assert result.next_due == date(2027, 3, 1) and result.earliest is None
    assert interval_warnings(LAST, [LAST - timedelta(days=1)], saline) == []
    assert saline.no_minimum_text == (
        "tracker knows no label minimum for Saline: your clinician's interval is the schedule"
    )
    assert dose_warnings(DoseRecord(LAST, Product("saline"), 99_999), []) == []
