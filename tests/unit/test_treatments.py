"""A patient's treatments (tracker.domain.treatments): names and the pain treatment."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.domain.errors import Conflict, InvalidInput, NotFound
from tracker.domain.intervals import DEFAULT_INTERVAL, Interval, IntervalUnit
from tracker.domain.products import DEFAULT_PROFILE
from tracker.domain.schedule import DEFAULT_REMINDER_DAYS
from tracker.domain.text import LABEL_MAX_LENGTH, same_name_key
from tracker.domain.treatments import (
    Treatment,
    check_unused_name,
    clean_treatment_name,
    find_treatment,
    names_text,
    pain_treatment,
)

BOTOX = Treatment("botox", "botox")
DYSPORT = Treatment("Dysport", "dysport")
B12 = Treatment("B12", "hydroxocobalamin", Interval(1, IntervalUnit.MONTHS), 7)
BIOLOGIC = Treatment("biologic", "adalimumab", Interval(2, IntervalUnit.WEEKS), 3, ("a", "b"))


# --- names -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "name"),
    [("B12", "B12"), ("  Botox back  ", "Botox back"), ("vitamine B₁₂ 💉", "vitamine B₁₂ 💉")],
)
def test_a_name_is_kept_as_typed_without_the_spaces_around_it(typed: str, name: str) -> None:
    assert clean_treatment_name(typed) == name


@pytest.mark.parametrize("typed", ["", "   ", "\t"])
def test_an_empty_name_is_refused(typed: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        clean_treatment_name(typed)
    assert (
        str(refused.value) == "the treatment name is empty; give it a name, like 'botox' or 'B12'"
    )


@pytest.mark.parametrize("typed", ["B\n12", "B12\x1b[2J", "B\x0012", "\x7f"])
def test_line_breaks_and_control_characters_are_refused(typed: str) -> None:
    with pytest.raises(InvalidInput, match=r"^the treatment name has a"):
        clean_treatment_name(typed)


def test_a_name_is_at_most_a_label_long() -> None:
    assert clean_treatment_name("x" * LABEL_MAX_LENGTH) == "x" * LABEL_MAX_LENGTH
    with pytest.raises(InvalidInput, match=r"^the treatment name is too long \(501 characters"):
        clean_treatment_name("x" * (LABEL_MAX_LENGTH + 1))


@given(st.text(max_size=30))
def test_any_text_is_a_name_or_one_printable_line(typed: str) -> None:
    try:
        name = clean_treatment_name(typed)
    except InvalidInput as refused:
        assert str(refused).isprintable()
    else:
        assert name and name == name.strip()


# --- one name per treatment ----------------------------------------------------------------


@pytest.mark.parametrize("name", ["botox", "BOTOX", "Bo tox", " botox "])
def test_a_name_differing_only_in_case_or_spaces_is_taken(name: str) -> None:
    with pytest.raises(Conflict) as refused:
        check_unused_name(name, ["B12", "Botox"])
    assert str(refused.value) == "there is already a treatment called 'Botox'"
    assert refused.value.exit_code == 2


def test_a_new_name_is_free() -> None:
    assert check_unused_name("Botox 2", ["B12", "Botox"]) == "Botox 2"
    assert check_unused_name("first", []) == "first"


def test_a_treatment_may_be_renamed_to_its_own_name_in_another_case() -> None:
    assert check_unused_name("BOTOX", ["B12", "Botox"], renaming="Botox") == "BOTOX"
    with pytest.raises(Conflict, match="'B12'"):
        check_unused_name("b12", ["B12", "Botox"], renaming="Botox")


def test_the_name_key_ignores_every_space_and_the_case() -> None:
    assert same_name_key(" Left  Thigh ") == same_name_key("leftthigh") == "leftthigh"
    assert same_name_key("Straße") == same_name_key("STRASSE")


@given(st.text(max_size=20), st.text(st.characters(categories=["Zs"]), max_size=3))
def test_spaces_anywhere_in_a_name_do_not_make_another_name(name: str, spaces: str) -> None:
    assert same_name_key(spaces.join(name) + spaces) == same_name_key(name)


@given(st.text("abcXYZ 12", max_size=12))
def test_the_case_of_a_name_does_not_make_another_name(name: str) -> None:
    assert same_name_key(name.upper()) == same_name_key(name.lower()) == same_name_key(name)


# --- finding a treatment by name -------------------------------------------------------------


def test_a_treatment_is_found_by_its_name_whatever_the_case_and_spaces() -> None:
    assert find_treatment([BOTOX, B12], " b12 ") is B12


def test_an_unknown_treatment_is_refused_naming_the_treatments() -> None:
    with pytest.raises(NotFound) as refused:
        find_treatment([BOTOX, B12], " physio ")
    assert (
        str(refused.value)
        == "there is no treatment called 'physio'; the treatments are 'botox', 'B12'"
    )
    assert refused.value.exit_code == 2


def test_without_treatments_there_is_none_to_find() -> None:
    with pytest.raises(
        NotFound, match=r"^there is no treatment called 'botox'; there are no treatments yet$"
    ):
        find_treatment([], "botox")
    assert names_text([]) == "there are no treatments yet"


# --- what a treatment is ---------------------------------------------------------------------


def test_a_new_treatment_has_the_plans_defaults_and_no_rotation() -> None:
    assert (BOTOX.interval, BOTOX.within_days, BOTOX.sites) == (
        DEFAULT_INTERVAL,
        DEFAULT_REMINDER_DAYS,
        (),
    )


def test_a_known_product_has_its_profile_and_another_none() -> None:
    assert BOTOX.profile is DEFAULT_PROFILE and BOTOX.botulinum_toxin
    assert B12.profile is None and not B12.botulinum_toxin


# --- the pain treatment --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("treatments", "expected"),
    [
        ([BOTOX], BOTOX),
        ([B12], B12),
        ([B12, BOTOX, BIOLOGIC], BOTOX),  # the only botulinum toxin
        ([B12, BIOLOGIC], B12),  # no toxin: the first treatment
        ([B12, DYSPORT, BOTOX], DYSPORT),  # several toxins: the first of them
        ([], None),
    ],
)
def test_the_pain_treatment_is_the_only_toxin_else_the_first(
    treatments: list[Treatment], expected: Treatment | None
) -> None:
    assert pain_treatment(treatments) is expected


@given(st.lists(st.sampled_from([BOTOX, DYSPORT, B12, BIOLOGIC]), min_size=1))
def test_the_pain_treatment_is_one_of_them_and_a_toxin_when_there_is_one(
    treatments: list[Treatment],
) -> None:
    chosen = pain_treatment(treatments)
    assert chosen in treatments
    assert chosen is not None
    assert chosen.botulinum_toxin == any(t.botulinum_toxin for t in treatments)
