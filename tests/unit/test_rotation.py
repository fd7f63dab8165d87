"""Site rotation (tracker.domain.rotation): the next site from the treatment's own list."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.domain.errors import InvalidInput
from tracker.domain.rotation import SiteUse, next_site, parse_sites, sites_text
from tracker.domain.text import LABEL_MAX_LENGTH, same_name_key

THIGHS = ("left thigh", "right thigh", "abdomen")
DAY = date(2027, 1, 4)

# Site names as a user might write them: no commas, colons or spaces around.
site_names = (
    st.text(st.characters(categories=["L", "N"], include_characters=" -'"), min_size=1, max_size=12)
    .map(str.strip)
    .filter(bool)
)
rotations = st.lists(site_names, min_size=1, max_size=6, unique_by=same_name_key).map(tuple)


@st.composite
def histories(draw: st.DrawFn, sites: tuple[str, ...]) -> list[SiteUse]:
    """Uses of listed sites (in any case) and of sites outside the list, on any days."""
    typed = st.sampled_from(sites).flatmap(
        lambda site: st.sampled_from([site, site.upper(), f"  {site.lower()} "])
    )
    day = st.dates(min_value=date(2020, 1, 1), max_value=date(2026, 12, 31))
    return draw(st.lists(st.builds(SiteUse, typed | site_names, day), max_size=12))


# --- the --sites text ----------------------------------------------------------------


def test_the_sites_are_read_in_order_without_the_spaces_around_them() -> None:
    assert parse_sites("left thigh, right thigh ,abdomen") == THIGHS
    assert parse_sites("Left Thigh") == ("Left Thigh",)  # kept as spelled


@pytest.mark.parametrize("typed", ["", "   "])
def test_blank_text_is_no_rotation(typed: str) -> None:
    assert parse_sites(typed) == ()


@pytest.mark.parametrize(
    ("typed", "position"),
    [("left thigh,,abdomen", 2), (",left thigh", 1), ("left thigh,", 2), (" , ", 1)],
)
def test_an_empty_site_is_refused_saying_which(typed: str, position: int) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_sites(typed)
    assert str(refused.value) == (
        f"site {position} of the list is empty; separate the sites with commas, "
        "like 'left thigh,right thigh,abdomen'"
    )


@pytest.mark.parametrize(
    ("typed", "again", "first"),
    [
        ("left thigh,abdomen,left thigh", "left thigh", "left thigh"),
        ("Left Thigh,left  thigh", "left  thigh", "Left Thigh"),
        ("abdomen, ABDOMEN", "ABDOMEN", "abdomen"),
        ("a,a", "a", "a"),
    ],
)
def test_a_site_listed_twice_case_and_spaces_ignored_is_refused(
    typed: str, again: str, first: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_sites(typed)
    assert str(refused.value) == (
        f"the site '{again}' is listed twice (also as '{first}'); list each site once"
    )


def test_a_site_with_units_is_refused_since_the_list_names_sites_only() -> None:
    with pytest.raises(InvalidInput, match=r"^the site 'left thigh:50' has a ':'; list the sites"):
        parse_sites("left thigh:50,abdomen")


@pytest.mark.parametrize("typed", ["left\nthigh,abdomen", "left\x1b[31m,abdomen", "a\x00"])
def test_line_breaks_and_control_characters_are_refused(typed: str) -> None:
    with pytest.raises(InvalidInput, match=r"^the list of sites has "):
        parse_sites(typed)


def test_the_whole_list_is_one_label_of_limited_length() -> None:
    longest = ",".join(letter * 99 for letter in "abcde")  # 499 characters
    assert len(parse_sites(longest + "y")) == 5
    with pytest.raises(
        InvalidInput, match=rf"^the list of sites is too long .*at most {LABEL_MAX_LENGTH}"
    ):
        parse_sites(longest + "yz")


@given(rotations)
def test_the_stored_text_reads_back_as_the_same_sites(sites: tuple[str, ...]) -> None:
    assert parse_sites(sites_text(sites)) == sites


def test_the_stored_text_separates_the_sites_with_a_comma_and_a_space() -> None:
    assert sites_text(THIGHS) == "left thigh, right thigh, abdomen"


@given(st.text(max_size=40))
def test_any_text_is_a_list_of_sites_or_one_printable_line(typed: str) -> None:
    try:
        sites = parse_sites(typed)
    except InvalidInput as refused:
        assert str(refused).isprintable()
    else:
        assert all(site and site == site.strip() for site in sites)
        assert len({same_name_key(site) for site in sites}) == len(sites)


# --- the next site -------------------------------------------------------------------


def test_without_a_rotation_there_is_no_next_site() -> None:
    assert next_site((), [SiteUse("left thigh", DAY)]) is None


def test_the_first_site_of_the_list_comes_first() -> None:
    assert next_site(THIGHS, []) == "left thigh"


def test_a_never_used_site_comes_before_any_used_one() -> None:
    used = [SiteUse("left thigh", DAY), SiteUse("abdomen", DAY - timedelta(days=400))]
    assert next_site(THIGHS, used) == "right thigh"


def test_the_site_used_least_recently_comes_next() -> None:
    used = [
        SiteUse("left thigh", DAY - timedelta(days=14)),
        SiteUse("right thigh", DAY - timedelta(days=28)),
        SiteUse("abdomen", DAY),
        SiteUse("right thigh", DAY - timedelta(days=7)),  # its latest use is what counts
    ]
    assert next_site(THIGHS, used) == "left thigh"


def test_sites_used_on_the_same_day_are_taken_in_the_lists_order() -> None:
    used = [SiteUse(site, DAY) for site in reversed(THIGHS)]
    assert next_site(THIGHS, used) == "left thigh"


def test_a_logged_site_matches_its_listed_name_whatever_its_case_and_spaces() -> None:
    used = [SiteUse("LEFT  Thigh ", DAY), SiteUse(" right thigh", DAY)]
    assert next_site(THIGHS, used) == "abdomen"
    assert next_site(("Left Thigh", "Abdomen"), [SiteUse("left thigh", DAY)]) == "Abdomen"


def test_sites_outside_the_list_do_not_count() -> None:
    assert next_site(THIGHS, [SiteUse("right arm", DAY)]) == "left thigh"


@given(rotations.flatmap(lambda sites: st.tuples(st.just(sites), histories(sites))))
def test_the_suggestion_is_always_in_the_list(case: tuple[tuple[str, ...], list[SiteUse]]) -> None:
    sites, used = case
    assert next_site(sites, used) in sites


@given(rotations.flatmap(lambda sites: st.tuples(st.just(sites), histories(sites))))
def test_a_never_used_site_is_suggested_while_one_exists(
    case: tuple[tuple[str, ...], list[SiteUse]],
) -> None:
    sites, used = case
    used_keys = {same_name_key(use.site) for use in used}
    never_used = [site for site in sites if same_name_key(site) not in used_keys]
    if never_used:
        assert next_site(sites, used) == never_used[0]


@given(rotations)
def test_following_the_suggestions_cycles_through_the_list_in_order(
    sites: tuple[str, ...],
) -> None:
    used: list[SiteUse] = []
    for injection in range(3 * len(sites)):
        suggestion = next_site(sites, used)
        assert suggestion == sites[injection % len(sites)]
        used.append(SiteUse(suggestion, DAY + timedelta(weeks=2 * injection)))


@given(rotations.flatmap(lambda sites: st.tuples(st.just(sites), histories(sites))))
def test_from_any_history_following_the_suggestions_uses_every_site_then_repeats(
    case: tuple[tuple[str, ...], list[SiteUse]],
) -> None:
    sites, used = case
    later = date(2027, 1, 1)  # after every day of the history
    suggestions: list[str] = []
    for injection in range(2 * len(sites)):
        suggestion = next_site(sites, used)
        assert suggestion is not None
        suggestions.append(suggestion)
        used = [*used, SiteUse(suggestion, later + timedelta(days=injection))]
    first_round, second_round = suggestions[: len(sites)], suggestions[len(sites) :]
    assert sorted(first_round) == sorted(sites)
    assert second_round == first_round
