"""Side-effect vocabulary and triage (tracker.domain.side_effects)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.domain.errors import InvalidInput
from tracker.domain.side_effects import (
    ADVICE,
    PERSISTENT_AFTER_DAYS,
    EffectClass,
    classify,
    is_persistent,
    severity,
    synonyms,
    vocabulary,
)

C, S, E = EffectClass.COMMON, EffectClass.SERIOUS, EffectClass.EMERGENCY
OTHER = EffectClass.OTHER

# The issue's lists, written out independently of the module so a slip in the
# vocabulary data shows up here.
ISSUE_TERMS: list[tuple[str, EffectClass]] = [
    ("anxiety", C),
    ("muscle weakness at the injection site", C),
    ("back pain", C),
    ("upset stomach", C),
    ("dizziness", C),
    ("sweating", C),
    ("drowsiness", C),
    ("light sensitivity", C),
    ("dry eyes", C),
    ("runny nose", C),
    ("dry mouth", C),
    ("injection site tenderness", C),
    ("flu-like symptoms", C),
    ("swelling", C),
    ("headache", C),
    ("redness", C),
    ("increased cough", C),
    ("nausea", C),
    ("allergic reaction", S),
    ("itching", S),
    ("rash", S),
    ("hives", S),
    ("paralysis", S),
    ("bleeding at the injection site", S),
    ("unusual weakness", S),
    ("generalized weakness", S),
    ("drooping eyelids", S),
    ("double vision", S),
    ("blurred vision", S),
    ("hoarseness", S),
    ("loss of bladder control", S),
    ("difficulty breathing", E),
    ("wheezing", E),
    ("difficulty swallowing", E),
    ("difficulty speaking", E),
    ("slurred speech", E),
    ("chest tightness", E),
    ("fainting", E),
    ("swelling of the face", E),
    ("swelling of the mouth", E),
    ("swelling of the tongue", E),
    ("swelling of the lips", E),
    ("swelling of the throat", E),
]

ALL_PHRASES: list[tuple[str, str, EffectClass]] = [
    (phrase, term, cls) for term, cls in vocabulary() for phrase in (term, *synonyms(term))
]


# --- vocabulary ------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), ISSUE_TERMS)
def test_every_term_from_the_issue_classifies_to_its_class(text: str, expected: EffectClass):
    assert classify(text).effect_class is expected


@pytest.mark.parametrize(("term", "expected"), vocabulary())
def test_every_canonical_term_classifies_to_itself(term: str, expected: EffectClass):
    result = classify(term)
    assert (result.term, result.effect_class) == (term, expected)


@pytest.mark.parametrize(("phrase", "term", "expected"), ALL_PHRASES)
def test_every_synonym_classifies_to_its_canonical_term(
    phrase: str, term: str, expected: EffectClass
):
    result = classify(phrase)
    assert (result.term, result.effect_class) == (term, expected)


def test_vocabulary_has_unique_terms_and_no_other_class():
    terms = [term for term, _ in vocabulary()]
    assert len(terms) == len(set(terms))
    assert {cls for _, cls in vocabulary()} == {C, S, E}


def test_no_phrase_is_listed_under_two_terms():
    phrases = [phrase.casefold() for phrase, _, _ in ALL_PHRASES]
    assert len(phrases) == len(set(phrases))


def test_synonyms_of_an_unknown_term_is_invalid_input():
    with pytest.raises(InvalidInput):
        synonyms("not a term")


# --- normalisation ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "term"),
    [
        ("HEADACHE", "headache"),
        ("Headaches", "headache"),
        ("  headache!!  ", "headache"),
        ("dry eye", "dry eyes"),
        ("Dry-Eyes", "dry eyes"),
        ("flu-like symptoms", "flu-like symptoms"),
        ("flu like symptoms", "flu-like symptoms"),
        ("Flu-Like Symptom", "flu-like symptoms"),
        ("rashes", "rash"),
        ("allergies", "allergic reaction"),
        ("can't swallow", "difficulty swallowing"),
        ("can\u2019t swallow", "difficulty swallowing"),
        ("droopy eyelid", "drooping eyelids"),
        ("Ptosis", "drooping eyelids"),
        ("blurry vision", "double or blurred vision"),
        ("passed out", "fainting"),
        ("tight chest", "chest tightness"),
        ("incontinence", "loss of bladder control"),
        ("sleepy", "drowsiness"),
        ("stomach upset", "upset stomach"),
        ("cough", "increased cough"),
        ("sore injection site", "injection site tenderness"),
    ],
)
def test_case_punctuation_plurals_and_synonyms_are_normalised(text: str, term: str):
    assert classify(text).term == term


# --- phrases and severity --------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "term", "expected"),
    [
        ("bad headache since monday", "headache", C),
        ("I have trouble swallowing", "difficulty swallowing", E),
        ("some hives on my arms this morning", "hives", S),
        ("woke up with a runny nose", "runny nose", C),
    ],
)
def test_a_term_is_found_inside_a_longer_phrase(text: str, term: str, expected: EffectClass):
    result = classify(text)
    assert (result.term, result.effect_class) == (term, expected)


@pytest.mark.parametrize(
    ("text", "term", "expected"),
    [
        ("headache and hives", "hives", S),
        ("headache, hives and wheezing", "wheezing", E),
        ("wheezing, headache", "wheezing", E),
        ("nausea then I fainted", "fainting", E),
        ("dizzy and double vision", "double or blurred vision", S),
    ],
)
def test_the_most_severe_match_wins(text: str, term: str, expected: EffectClass):
    result = classify(text)
    assert (result.term, result.effect_class) == (term, expected)


def test_equally_severe_matches_report_the_one_written_first():
    assert classify("nausea and headache").term == "nausea"
    assert classify("headache and nausea").term == "headache"


@pytest.mark.parametrize(
    ("text", "term"),
    [
        ("swelling of the lips", "swelling of the lips"),
        ("swollen lips", "swelling of the lips"),
        ("my lips are swollen", "swelling of the lips"),
        ("lip swelling", "swelling of the lips"),
        ("swelling of the face", "swelling of the face"),
        ("facial swelling", "swelling of the face"),
        ("face and lips swelling", "swelling of the lips"),
        ("my throat feels swollen", "swelling of the throat"),
        ("swollen tongue", "swelling of the tongue"),
        ("swelling around my mouth", "swelling of the mouth"),
    ],
)
def test_swelling_of_face_lips_tongue_mouth_or_throat_is_an_emergency(text: str, term: str):
    result = classify(text)
    assert (result.term, result.effect_class) == (term, E)


@pytest.mark.parametrize("text", ["swelling", "Swollen", "swelling at the injection site"])
def test_plain_swelling_is_common(text: str):
    result = classify(text)
    assert (result.term, result.effect_class) == ("swelling", C)


def test_swelling_and_a_face_word_in_separate_clauses_is_not_face_swelling():
    # "dry mouth, swelling": the swelling is not said to be in the mouth.
    assert classify("dry mouth, swelling").effect_class is C
    assert classify("dry mouth and some swelling").effect_class is C


@pytest.mark.parametrize(
    "text",
    [
        "breathing is difficult",
        "it is hard to breathe",
        "I can't breathe properly",
        "struggling to swallow",
        "hard to talk",
    ],
)
def test_difficulty_with_breathing_swallowing_or_speaking_is_an_emergency_in_any_wording(
    text: str,
):
    assert classify(text).effect_class is E


@pytest.mark.parametrize(
    "text",
    [
        "muscle weakness at the injection site",
        "weakness at injection site",
        "Muscle weaknesses at the injection sites",
    ],
)
def test_muscle_weakness_at_the_injection_site_is_common(text: str):
    result = classify(text)
    assert (result.term, result.effect_class) == ("muscle weakness at the injection site", C)


@pytest.mark.parametrize(
    "text",
    [
        "generalized weakness",
        "generalised weakness",
        "unusual weakness",
        "weak all over",
        "weakness",
        "muscle weakness",
    ],
)
def test_generalized_unusual_or_unqualified_weakness_is_serious(text: str):
    result = classify(text)
    assert (result.term, result.effect_class) == ("generalized weakness", S)


def test_injection_site_weakness_does_not_hide_a_more_severe_effect():
    text = "muscle weakness at the injection site and trouble breathing"
    assert classify(text).effect_class is E
    assert classify("weakness at injection site, now weak all over").effect_class is S


def test_negation_is_not_understood_so_an_emergency_word_still_warns():
    # Deliberate: over-warning is safer than missing an emergency.
    assert classify("no trouble breathing").effect_class is E


SEVERE_PHRASES = [(p, cls) for p, _, cls in ALL_PHRASES if cls in (S, E)]
EMERGENCY_PHRASES = [p for p, _, cls in ALL_PHRASES if cls is E]


# The one intended downgrade: unqualified weakness (serious) that the text goes
# on to place at the injection site (common), e.g. "injection site weakness".
UNQUALIFIED_WEAKNESS = {"weakness", "muscle weakness"}
SITE_WEAKNESS = (
    "muscle weakness at the injection site",
    *synonyms("muscle weakness at the injection site"),
)


def test_no_other_phrase_next_to_a_serious_or_emergency_phrase_downgrades_it():
    # Exhaustive over the vocabulary: "never downgrade" must hold for every pair
    # (for an emergency phrase the floor is emergency itself).
    for severe, severe_class in SEVERE_PHRASES:
        for other, _, other_class in ALL_PHRASES:
            floor = max(severity(severe_class), severity(other_class))
            for text in (f"{severe} {other}", f"{other} {severe}"):
                if severe in UNQUALIFIED_WEAKNESS and any(w in text for w in SITE_WEAKNESS):
                    continue
                assert severity(classify(text).effect_class) >= floor, text


# --- unknown and blank text ------------------------------------------------------


def test_unknown_text_is_other_with_no_term_and_advice_to_tell_the_doctor():
    result = classify("my left toe tingles")
    assert result.term is None
    assert result.effect_class is OTHER
    assert result.advice == ADVICE[OTHER]
    assert "doctor" in result.advice


def test_punctuation_only_text_is_other_not_an_error():
    assert classify("?!").effect_class is OTHER


@pytest.mark.parametrize("text", ["", "   ", "\n\t "])
def test_empty_or_blank_text_is_invalid_input(text: str):
    with pytest.raises(InvalidInput):
        classify(text)


def test_advice_exists_for_every_class_and_emergency_advice_says_get_help_now():
    assert set(ADVICE) == set(EffectClass)
    assert "emergency" in ADVICE[E].lower()
    assert "hours to weeks" in ADVICE[E]
    assert ADVICE[S] == "Contact your doctor right away."


@given(st.text(min_size=1).filter(lambda t: t.strip() != ""))
def test_classify_never_raises_for_non_blank_text_and_returns_a_consistent_result(text: str):
    result = classify(text)
    assert result.effect_class in set(EffectClass)
    assert (result.term is None) == (result.effect_class is OTHER)
    assert result.advice == ADVICE[result.effect_class]


@given(
    st.sampled_from(EMERGENCY_PHRASES),
    st.text(max_size=30),
    st.text(max_size=30),
)
def test_an_emergency_phrase_stays_an_emergency_whatever_surrounds_it(
    phrase: str, before: str, after: str
):
    assert classify(f"{before} {phrase} {after}").effect_class is E


# --- persistence ----------------------------------------------------------------

START = date(2026, 3, 1)


def test_persistence_threshold_is_14_days():
    assert PERSISTENT_AFTER_DAYS == 14


def test_an_open_common_effect_is_not_persistent_at_14_days():
    assert not is_persistent(C, START, None, START + timedelta(days=14))


def test_an_open_common_effect_is_persistent_at_15_days():
    assert is_persistent(C, START, None, START + timedelta(days=15))


def test_a_resolved_common_effect_is_never_persistent():
    assert not is_persistent(C, START, START + timedelta(days=20), START + timedelta(days=60))


@pytest.mark.parametrize("effect_class", [S, E, OTHER])
def test_only_common_effects_can_be_persistent(effect_class: EffectClass):
    assert not is_persistent(effect_class, START, None, START + timedelta(days=60))
