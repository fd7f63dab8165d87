"""Units, sites, products and the label's warnings (tracker.domain.dosing)."""

from __future__ import annotations

from datetime import date, timedelta
from random import Random

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from tracker.domain.dosing import (
    MAX_RECORDABLE_UNITS,
    MIN_RECORDABLE_UNITS,
    DoseRecord,
    Site,
    dose_warnings,
    interval_warnings,
    parse_product,
    parse_site,
    parse_units,
    session_units,
)
from tracker.domain.errors import InvalidInput
from tracker.domain.products import LimitScope, Product, profiles

BOTOX, XEOMIN, DYSPORT = Product.BOTOX, Product.XEOMIN, Product.DYSPORT
MYOBLOC, OTHER = Product.MYOBLOC, Product.OTHER
DAY = date(2026, 11, 24)


def botox(day: date, units: float | None) -> DoseRecord:
    return DoseRecord(day, BOTOX, units)


# --- products ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("botox", BOTOX),
        ("Botox", BOTOX),
        ("  XEOMIN ", XEOMIN),
        ("dysport", DYSPORT),
        ("myobloc", MYOBLOC),
        ("other", OTHER),
    ],
)
def test_a_product_is_read_whatever_the_case_and_spacing(text: str, expected: Product) -> None:
    assert parse_product(text) is expected


@pytest.mark.parametrize("text", ["", "bottox", "botulinum", "botox 100"])
def test_an_unknown_product_is_refused_listing_the_choices(text: str) -> None:
    with pytest.raises(InvalidInput, match="botox, dysport, xeomin, myobloc, other"):
        parse_product(text)


def test_the_labelled_limits_are_botox_per_3_months_and_xeomin_and_dysport_per_session() -> None:
    limits = {
        p.code: (p.dose_limit.max_units, p.dose_limit.scope) for p in profiles() if p.dose_limit
    }
    assert limits == {
        BOTOX: (400, LimitScope.TRAILING_3_MONTHS),
        XEOMIN: (400, LimitScope.SESSION),
        DYSPORT: (1500, LimitScope.SESSION),
    }


# --- parse_units ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [("200", 200.0), ("12.5", 12.5), (" 50 ", 50.0), ("0.1", 0.1), (75, 75.0), (2.5, 2.5)],
)
def test_positive_units_are_read_as_a_number(text: str | float, expected: float) -> None:
    assert parse_units(text) == expected


def test_the_recordable_maximum_itself_is_accepted() -> None:
    assert parse_units(str(MAX_RECORDABLE_UNITS)) == MAX_RECORDABLE_UNITS
    assert MAX_RECORDABLE_UNITS == 100_000


@pytest.mark.parametrize("text", ["100000.01", "100001", "1e6", "1e308"])
def test_more_than_the_recordable_maximum_is_refused(text: str) -> None:
    with pytest.raises(InvalidInput, match="more than tracker can record"):
        parse_units(text)


@pytest.mark.parametrize(
    "text",
    [
        "0",
        "0.0",
        "-0",
        "-5",
        "-0.1",
        "nan",
        "NaN",
        "inf",
        "-inf",
        "Infinity",
        "",
        "  ",
        "ten",
        "12 units",
        "1,5",
    ],
)
def test_units_that_are_not_a_positive_finite_number_are_refused(text: str) -> None:
    with pytest.raises(InvalidInput, match="must be a positive number"):
        parse_units(text)


@pytest.mark.parametrize("value", [0.0, -1.0, float("nan"), float("inf")])
def test_units_given_as_a_bad_float_are_refused(value: float) -> None:
    with pytest.raises(InvalidInput):
        parse_units(value)


def test_the_refusal_names_what_was_being_read() -> None:
    with pytest.raises(InvalidInput, match=r"^units for site 'x' must be"):
        parse_units("0", what="units for site 'x'")


@given(st.floats(min_value=MIN_RECORDABLE_UNITS, max_value=MAX_RECORDABLE_UNITS))
def test_any_number_from_the_minimum_to_the_maximum_reads_back_as_itself(value: float) -> None:
    assert parse_units(repr(value)) == value


def test_the_recordable_minimum_itself_is_accepted() -> None:
    assert MIN_RECORDABLE_UNITS == 0.01
    assert parse_units("0.01") == 0.01
    assert parse_units(0.01) == 0.01


@pytest.mark.parametrize("text", ["5e-324", "0.001", "0.0099", "1e-300", 5e-324, 0.009])
def test_less_than_the_recordable_minimum_is_refused(text: str | float) -> None:
    """Issue 13, point 16: 5e-324 was stored and shown as 9.99989e-321."""
    with pytest.raises(InvalidInput, match=r"less than tracker can record \(at least 0.01\)"):
        parse_units(text)


@given(st.text())
def test_parse_units_raises_nothing_but_invalid_input_for_any_text(text: str) -> None:
    try:
        value = parse_units(text)
    except InvalidInput:
        return
    assert MIN_RECORDABLE_UNITS <= value <= MAX_RECORDABLE_UNITS


# --- parse_site ------------------------------------------------------------------


def test_a_site_without_units_is_just_the_muscle() -> None:
    assert parse_site("left lumbar paraspinal") == Site("left lumbar paraspinal")
    assert parse_site("muscle").units is None


def test_a_site_with_units_splits_at_the_colon() -> None:
    assert parse_site("left lumbar paraspinal:50") == Site("left lumbar paraspinal", 50.0)


def test_spaces_around_the_muscle_and_the_units_are_dropped() -> None:
    assert parse_site("  muscle  :  12.5 ") == Site("muscle", 12.5)


def test_only_the_last_colon_separates_the_units() -> None:
    assert parse_site("a:b:50") == Site("a:b", 50.0)


@pytest.mark.parametrize("text", [":50", "  :50", "", "   "])
def test_a_site_without_a_muscle_name_is_refused(text: str) -> None:
    with pytest.raises(InvalidInput, match="no muscle name"):
        parse_site(text)


@pytest.mark.parametrize("text", ["a:", "a:  "])
def test_a_colon_without_units_after_it_is_refused(text: str) -> None:
    with pytest.raises(InvalidInput, match="no units after it"):
        parse_site(text)


@pytest.mark.parametrize("text", ["a:0", "a:-5", "a:nan", "a:inf", "a:lots", "a:100001"])
def test_a_site_with_bad_units_is_refused_naming_the_site(text: str) -> None:
    with pytest.raises(InvalidInput, match="units for site 'a'"):
        parse_site(text)


# --- session_units -----------------------------------------------------------------


def test_sites_adding_up_to_less_than_the_total_are_accepted() -> None:
    assert session_units(200, [Site("a", 50), Site("b", 50)]) == 200


def test_sites_adding_up_to_exactly_the_total_are_accepted() -> None:
    assert session_units(100, [Site("a", 50), Site("b", 50)]) == 100


def test_sites_adding_up_to_the_total_in_decimals_are_accepted() -> None:
    assert session_units(0.3, [Site("a", 0.1), Site("b", 0.2)]) == 0.3


def test_sites_adding_up_to_more_than_the_total_are_refused() -> None:
    with pytest.raises(InvalidInput, match=r"the sites add up to 100\.5 units, more than the"):
        session_units(100, [Site("a", 50), Site("b", 50.5)])


def test_sites_without_units_do_not_count_against_the_total() -> None:
    assert session_units(100, [Site("a", 100), Site("b")]) == 100


def test_the_total_is_kept_when_there_are_no_sites() -> None:
    assert session_units(100, []) == 100


def test_without_a_total_the_sites_add_up_to_the_total_when_every_site_has_units() -> None:
    assert session_units(None, [Site("a", 50), Site("b", 25.5)]) == 75.5


def test_without_a_total_a_site_without_units_leaves_the_total_unknown() -> None:
    assert session_units(None, [Site("a", 50), Site("b")]) is None


def test_without_a_total_and_sites_without_any_units_the_total_is_unknown() -> None:
    assert session_units(None, [Site("a"), Site("b")]) is None


def test_without_a_total_or_sites_the_total_is_unknown() -> None:
    assert session_units(None, []) is None


# --- interval_warnings -------------------------------------------------------------


def test_a_session_83_days_after_the_previous_one_warns() -> None:
    previous = DAY - timedelta(days=83)
    warnings = interval_warnings(DAY, [previous])
    assert len(warnings) == 1
    assert "83 days after the previous one (2026-09-02)" in warnings[0]
    assert "12 weeks (84 days)" in warnings[0]


def test_a_session_84_days_after_the_previous_one_does_not_warn() -> None:
    assert interval_warnings(DAY, [DAY - timedelta(days=84)]) == []


def test_a_session_83_days_before_the_next_one_warns() -> None:
    warnings = interval_warnings(DAY, [DAY + timedelta(days=83)])
    assert len(warnings) == 1
    assert "83 days before the next one (2027-02-15)" in warnings[0]


def test_a_session_84_days_before_the_next_one_does_not_warn() -> None:
    assert interval_warnings(DAY, [DAY + timedelta(days=84)]) == []


def test_a_one_day_gap_is_written_in_the_singular() -> None:
    (warning,) = interval_warnings(DAY, [DAY - timedelta(days=1)])
    assert "is 1 day after" in warning


def test_a_back_filled_session_close_to_both_neighbours_warns_about_each() -> None:
    previous, following = DAY - timedelta(days=40), DAY + timedelta(days=50)
    warnings = interval_warnings(DAY, [previous, following])
    assert len(warnings) == 2
    assert "40 days after the previous one (2026-10-15)" in warnings[0]
    assert "50 days before the next one (2027-01-13)" in warnings[1]


def test_only_the_nearest_neighbour_on_each_side_is_compared() -> None:
    far_before, near_before = DAY - timedelta(days=200), DAY - timedelta(days=90)
    near_after, far_after = DAY + timedelta(days=100), DAY + timedelta(days=120)
    assert interval_warnings(DAY, [far_after, near_before, near_after, far_before]) == []


def test_a_close_session_hidden_behind_a_far_one_in_the_list_still_warns() -> None:
    warnings = interval_warnings(DAY, [DAY - timedelta(days=300), DAY - timedelta(days=10)])
    assert len(warnings) == 1
    assert "10 days after" in warnings[0]


def test_no_other_sessions_means_no_interval_warning() -> None:
    assert interval_warnings(DAY, []) == []


def test_the_session_itself_among_the_others_is_not_a_neighbour() -> None:
    assert interval_warnings(DAY, [DAY]) == []


@given(
    st.lists(st.dates(min_value=date(2024, 1, 1), max_value=date(2029, 12, 31)), max_size=8),
    st.randoms(use_true_random=False),
)
def test_interval_warnings_do_not_depend_on_the_order_of_the_other_dates(
    others: list[date], rnd: Random
) -> None:
    shuffled = list(others)
    rnd.shuffle(shuffled)
    assert interval_warnings(DAY, shuffled) == interval_warnings(DAY, others)
    assert interval_warnings(DAY, others + others) == interval_warnings(DAY, others)


# --- dose_warnings: Botox's trailing 3 months -------------------------------------


def test_botox_up_to_400_units_in_3_months_does_not_warn() -> None:
    candidate = botox(DAY, 200)
    assert dose_warnings(candidate, [botox(DAY - timedelta(days=30), 200)]) == []


def test_botox_401_units_in_3_months_warns() -> None:
    candidate = botox(DAY, 201)
    (warning,) = dose_warnings(candidate, [botox(DAY - timedelta(days=30), 200)])
    assert warning.startswith("401 units of botox in the 3 months up to 2026-11-24")
    assert "(after 2026-08-24)" in warning
    assert "maximum of 400 units per 3 months" in warning
    assert "Please check with your doctor." in warning


def test_a_single_botox_session_of_400_units_does_not_warn() -> None:
    assert dose_warnings(botox(DAY, 400), []) == []


def test_a_single_botox_session_of_401_units_warns() -> None:
    assert len(dose_warnings(botox(DAY, 401), [])) == 1


def test_a_botox_session_exactly_3_months_before_is_outside_the_window() -> None:
    candidate = botox(date(2026, 11, 24), 300)
    assert dose_warnings(candidate, [botox(date(2026, 8, 24), 300)]) == []


def test_a_botox_session_one_day_inside_3_months_is_inside_the_window() -> None:
    candidate = botox(date(2026, 11, 24), 300)
    assert len(dose_warnings(candidate, [botox(date(2026, 8, 25), 300)])) == 1


def test_the_window_start_is_clamped_like_the_schedule_at_a_month_end() -> None:
    # 3 months before 31 May is 28 Feb: a session on 28 Feb is out, 1 Mar is in.
    candidate = botox(date(2026, 5, 31), 300)
    assert dose_warnings(candidate, [botox(date(2026, 2, 28), 300)]) == []
    assert len(dose_warnings(candidate, [botox(date(2026, 3, 1), 300)])) == 1


def test_a_back_filled_botox_session_warns_about_a_later_window() -> None:
    # 2026-10-01 alone is fine looking back; the window up to 2026-12-01 is not.
    candidate = botox(date(2026, 10, 1), 200)
    (warning,) = dose_warnings(candidate, [botox(date(2026, 12, 1), 201)])
    assert warning.startswith("401 units of botox in the 3 months up to 2026-12-01")
    assert "(after 2026-09-01)" in warning


def test_a_back_filled_session_warns_about_every_later_window_over_the_limit() -> None:
    candidate = botox(date(2026, 10, 1), 300)
    others = [botox(date(2026, 11, 1), 150), botox(date(2026, 12, 15), 150)]
    warnings = dose_warnings(candidate, others)
    assert [w.split(" in the 3 months up to ")[1][:10] for w in warnings] == [
        "2026-11-01",
        "2026-12-15",
    ]
    assert warnings[0].startswith("450 units")
    assert warnings[1].startswith("600 units")


def test_a_later_session_3_months_or_more_after_the_back_filled_one_is_not_summed() -> None:
    candidate = botox(date(2026, 10, 1), 300)
    assert dose_warnings(candidate, [botox(date(2027, 1, 1), 300)]) == []


def test_a_later_window_already_over_the_limit_without_the_candidate_is_not_reported() -> None:
    candidate = botox(date(2026, 6, 1), 10)
    others = [botox(date(2026, 11, 1), 300), botox(date(2026, 11, 20), 300)]
    assert dose_warnings(candidate, others) == []


def test_an_earlier_window_not_containing_the_candidate_is_not_reported() -> None:
    candidate = botox(date(2026, 11, 24), 10)
    others = [botox(date(2026, 7, 1), 300), botox(date(2026, 7, 20), 300)]
    assert dose_warnings(candidate, others) == []


@pytest.mark.parametrize("product", [XEOMIN, DYSPORT, MYOBLOC, OTHER])
def test_other_products_are_never_added_to_botox(product: Product) -> None:
    candidate = botox(DAY, 300)
    assert dose_warnings(candidate, [DoseRecord(DAY - timedelta(days=10), product, 300)]) == []


def test_botox_sessions_are_not_added_to_a_xeomin_session() -> None:
    candidate = DoseRecord(DAY, XEOMIN, 400)
    assert dose_warnings(candidate, [botox(DAY - timedelta(days=10), 400)]) == []


def test_sessions_with_unknown_units_count_as_nothing() -> None:
    candidate = botox(DAY, 400)
    assert dose_warnings(candidate, [botox(DAY - timedelta(days=10), None)]) == []


def test_a_candidate_with_unknown_units_never_warns() -> None:
    others = [botox(DAY - timedelta(days=10), 300), botox(DAY - timedelta(days=20), 300)]
    assert dose_warnings(botox(DAY, None), others) == []


def test_botox_decimal_doses_adding_up_to_exactly_400_do_not_warn() -> None:
    # 165.9 + 130.3 + 103.8 is exactly 400 on paper; in binary floating point
    # the sum comes out as 400.00000000000006.
    candidate = botox(DAY, 103.8)
    others = [botox(DAY - timedelta(days=20), 165.9), botox(DAY - timedelta(days=10), 130.3)]
    assert dose_warnings(candidate, others) == []


def test_the_botox_warning_does_not_depend_on_the_order_of_decimal_doses() -> None:
    candidate = botox(DAY, 8.8)
    others = [
        botox(DAY - timedelta(days=30), 66.6),
        botox(DAY - timedelta(days=20), 131.4),
        botox(DAY - timedelta(days=10), 193.2),
    ]
    rotated = others[1:] + others[:1]
    assert dose_warnings(candidate, rotated) == dose_warnings(candidate, others)


# --- dose_warnings: per-session limits ---------------------------------------------


@pytest.mark.parametrize(
    ("product", "limit"), [(XEOMIN, 400), (DYSPORT, 1500)], ids=["xeomin", "dysport"]
)
def test_a_per_session_limit_itself_does_not_warn(product: Product, limit: int) -> None:
    assert dose_warnings(DoseRecord(DAY, product, limit), []) == []


@pytest.mark.parametrize(
    ("product", "limit"), [(XEOMIN, 400), (DYSPORT, 1500)], ids=["xeomin", "dysport"]
)
def test_one_unit_over_a_per_session_limit_warns(product: Product, limit: int) -> None:
    (warning,) = dose_warnings(DoseRecord(DAY, product, limit + 1), [])
    assert warning.startswith(
        f"{limit + 1} units of {product.value} in the session of 2026-11-24 is above"
    )
    assert f"maximum of {limit:g} units per session" in warning


@pytest.mark.parametrize("product", [XEOMIN, DYSPORT])
def test_per_session_limits_ignore_earlier_sessions(product: Product) -> None:
    others = [DoseRecord(DAY - timedelta(days=days), product, 400) for days in (1, 10, 30)]
    assert dose_warnings(DoseRecord(DAY, product, 400), others) == []


@pytest.mark.parametrize("product", [MYOBLOC, OTHER])
def test_products_without_a_labelled_limit_never_warn(product: Product) -> None:
    others = [DoseRecord(DAY - timedelta(days=10), product, MAX_RECORDABLE_UNITS)]
    assert dose_warnings(DoseRecord(DAY, product, MAX_RECORDABLE_UNITS), others) == []


# --- dose_warnings: properties -------------------------------------------------------

records = st.builds(
    DoseRecord,
    day=st.dates(min_value=date(2026, 1, 1), max_value=date(2027, 12, 31)),
    product=st.sampled_from(Product),
    units=st.none() | st.integers(min_value=1, max_value=5000).map(lambda n: n / 10),
)


@given(records, st.lists(records, max_size=8), st.randoms(use_true_random=False))
@example(
    candidate=botox(DAY, 8.8),
    others=[
        botox(DAY - timedelta(days=30), 66.6),
        botox(DAY - timedelta(days=20), 131.4),
        botox(DAY - timedelta(days=10), 193.2),
    ],
    rnd=Random(0),
)
def test_dose_warnings_do_not_depend_on_the_order_of_the_other_sessions(
    candidate: DoseRecord, others: list[DoseRecord], rnd: Random
) -> None:
    shuffled = list(others)
    rnd.shuffle(shuffled)
    assert dose_warnings(candidate, shuffled) == dose_warnings(candidate, others)
    assert dose_warnings(candidate, list(reversed(others))) == dose_warnings(candidate, others)


@given(records, st.lists(records, max_size=8))
def test_only_sessions_of_the_same_product_matter(
    candidate: DoseRecord, others: list[DoseRecord]
) -> None:
    same = [r for r in others if r.product == candidate.product]
    assert dose_warnings(candidate, others) == dose_warnings(candidate, same)
