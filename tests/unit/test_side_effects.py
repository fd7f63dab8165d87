"""Side-effect vocabulary and triage (tracker.domain.side_effects).

The 300-plus phrasings patients write are data in tests/data/triage_phrasings.csv
(tests/unit/test_triage_corpus.py); this file pins the matcher's rules.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracker.domain import effect_vocabulary as vocab
from tracker.domain.effect_real_words import REAL_WORDS
from tracker.domain.errors import InvalidInput
from tracker.domain.side_effects import (
    ADVICE,
    PERSISTENT_AFTER_DAYS,
    EffectClass,
    allowed_edits,
    classify,
    edit_distance,
    is_persistent,
    known_word,
    severity,
    source,
    synonyms,
    vocabulary,
)

C, S, E = EffectClass.COMMON, EffectClass.SERIOUS, EffectClass.EMERGENCY
OTHER = EffectClass.OTHER

# The fact sheet's lists (clinical.md, section F, rules and leads' decisions) and
# the leaflet's common list, written out independently of the module so a slip
# in the vocabulary data shows up here.
SOURCE_TERMS: list[tuple[str, EffectClass]] = [
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
    ("paralysis", S),
    ("bleeding at the injection site", S),
    ("unusual weakness", S),
    ("generalized weakness", S),
    ("drooping eyelids", S),
    ("double vision", S),
    ("blurred vision", S),
    ("hoarseness", S),
    ("loss of bladder control", S),
    ("hives", E),
    ("welts", E),
    ("urticaria", E),
    ("anaphylaxis", E),
    ("chest pain", E),
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

ALL_EXAMPLES: list[tuple[str, str, EffectClass]] = [
    (example, term, cls) for term, cls in vocabulary() for example in (term, *synonyms(term))
]
EMERGENCY_LINE = (
    "If you have trouble breathing, swallowing or speaking, or swelling of the face or throat, "
    "get emergency help now."
)


# --- vocabulary ------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), SOURCE_TERMS)
def test_every_term_from_the_sources_classifies_to_its_class(text: str, expected: EffectClass):
    assert classify(text).effect_class is expected


@pytest.mark.parametrize(("term", "expected"), vocabulary())
def test_every_canonical_term_classifies_to_itself(term: str, expected: EffectClass):
    result = classify(term)
    assert (result.term, result.effect_class) == (term, expected)


@pytest.mark.parametrize(("example", "term", "expected"), ALL_EXAMPLES)
def test_every_example_in_the_vocabulary_classifies_to_its_entry(
    example: str, term: str, expected: EffectClass
):
    result = classify(example)
    assert (result.term, result.effect_class) == (term, expected)


def test_vocabulary_has_unique_terms_and_no_other_class():
    terms = [term for term, _ in vocabulary()]
    assert len(terms) == len(set(terms))
    assert {cls for _, cls in vocabulary()} == {C, S, E}


@pytest.mark.parametrize("term", [term for term, _ in vocabulary()])
def test_every_entry_names_its_source(term: str):
    assert "fact sheet" in source(term) or "leaflet" in source(term)


def test_leads_decisions_are_cited_where_they_set_the_class():
    for term in ("hives", "anaphylaxis", "chest pain", "slurred speech"):
        assert "leads' decisions" in source(term)


def test_synonyms_and_source_of_an_unknown_term_are_invalid_input():
    with pytest.raises(InvalidInput):
        synonyms("not a term")
    with pytest.raises(InvalidInput):
        source("not a term")


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
        ("Flu-Like Symptom", "flu-like symptoms"),
        ("rashes", "rash"),
        ("allergies", "allergic reaction"),
        ("hives", "hives"),
        ("fainted", "fainting"),
        ("slurred", "slurred speech"),
        ("itchiness", "itching"),
        ("weaknesses", "generalized weakness"),
        ("tightness in my chest", "chest tightness"),
        ("sleepy", "drowsiness"),
        ("stomach upset", "upset stomach"),
        ("cough", "increased cough"),
    ],
)
def test_case_punctuation_plurals_and_endings_are_normalised(text: str, term: str):
    assert classify(text).term == term


@pytest.mark.parametrize(
    "text",
    [
        "can't swallow",
        "can\u2019t swallow",
        "cant swallow",
        "cannot swallow",
        "can not swallow",
        "unable to swallow",
        "not able to swallow",
        "couldn't swallow",
        "struggling to swallow",
        "hard to swallow",
        "trouble swallowing",
        "difficulty swallowing",
        "problems swallowing",
    ],
)
def test_every_way_of_saying_cannot_or_trouble_reaches_the_emergency(text: str):
    assert classify(text).term == "difficulty swallowing"


@pytest.mark.parametrize(
    "text", ["can't talk", "cant talk", "not able to talk", "unable to speak", "hard to speak"]
)
def test_cannot_talk_is_difficulty_speaking(text: str):
    assert classify(text).term == "difficulty speaking"


# --- typing slips ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "known", "edits"),
    [
        ("rush", "rash", 0),  # 4 letters: exact only
        ("hive", "hives", 0),  # the shorter word counts
        ("swoln", "swollen", 1),  # 5 letters: one slip
        ("swolen", "swollen", 1),
        ("swollen", "swollen", 1),  # 7 letters: still one
        ("breathng", "breathing", 2),  # 8 letters: two
        ("dificulty", "difficulty", 2),
    ],
)
def test_allowed_slips_depend_on_the_shorter_word(typed: str, known: str, edits: int):
    assert allowed_edits(typed, known) == edits


def test_typo_thresholds_are_the_documented_ones():
    assert (vocab.TYPO_MIN_LENGTH, vocab.TWO_EDITS_FROM_LENGTH) == (5, 8)


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    [
        ("swallow", "swallow", 0),
        ("swalow", "swallow", 1),  # a letter left out
        ("swallloww", "swallow", 2),  # two letters too many
        ("hievs", "hives", 1),  # two neighbours swapped count as one slip
        ("brething", "breathing", 1),
        ("wheezing", "sneezing", 2),
        ("breathing", "bleeding", 3),  # more than the limit reads limit + 1
    ],
)
def test_edit_distance_counts_slips_up_to_the_limit(a: str, b: str, distance: int):
    assert edit_distance(a, b, 2) == distance


@pytest.mark.parametrize(
    ("text", "term"),
    [
        ("dificulty breathing", "difficulty breathing"),
        ("trouble swalowing", "difficulty swallowing"),
        ("hievs", "hives"),  # 5 letters, one swap
        ("weezing", "wheezing"),
        ("anaphalaxis", "anaphylaxis"),
        ("swalowng", "difficulty swallowing"),  # 8 letters, two slips
        ("chocking", "difficulty swallowing"),  # a real word, kept as a typo
        ("horse voice", "hoarseness"),
    ],
)
def test_typing_slips_in_longer_words_are_understood(text: str, term: str):
    assert classify(text).term == term


@pytest.mark.parametrize(
    "text",
    [
        "rush",  # 4 letters: never "rash"
        "hivs",  # 4 letters: never "hives"
        "swoolem",  # 7 letters, two slips from "swollen": one allowed
        "bleeding",  # never "breathing"
    ],
)
def test_slips_beyond_the_allowance_are_not_matched_to_the_emergency(text: str):
    assert classify(text).effect_class is not E


@pytest.mark.parametrize(
    "text", ["right", "cooking", "feeling", "smelling", "rushes", "think", "check", "cheer"]
)
def test_correctly_spelt_everyday_words_are_not_read_as_typos(text: str):
    assert classify(text).effect_class is OTHER


def test_the_real_word_list_never_blocks_a_vocabulary_word_or_a_kept_typo():
    assert not {word for word in REAL_WORDS if known_word(word)}
    assert not REAL_WORDS & vocab.KEEP_AS_TYPOS


# --- word order, words in between, clauses ---------------------------------------


@pytest.mark.parametrize(
    ("text", "term"),
    [
        ("chest tightness", "chest tightness"),
        ("tightness in my chest", "chest tightness"),
        ("my chest is really very tight", "chest tightness"),
        ("pain in the middle of my chest", "chest pain"),
        ("swollen tongue", "swelling of the tongue"),
        ("my tongue is swollen", "swelling of the tongue"),
        ("throat feels like it is closing", "throat tightness"),
        ("breathing is difficult", "difficulty breathing"),
    ],
)
def test_words_can_come_in_any_order_with_words_in_between(text: str, term: str):
    assert classify(text).term == term


def test_two_words_at_most_max_gap_apart_belong_together():
    between = " ".join(["zzz"] * vocab.MAX_GAP)
    assert classify(f"chest {between} pain").term == "chest pain"
    assert classify(f"chest {between} zzz pain").effect_class is OTHER


def test_ordered_patterns_need_their_order():
    assert classify("passed out").term == "fainting"
    assert classify("out, passed").effect_class is OTHER
    assert classify("out passed").effect_class is OTHER


def test_punctuation_ends_a_clause():
    assert classify("dry mouth, swelling").effect_class is C
    assert classify("chest, then pain").effect_class is OTHER


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("dry mouth and some swelling", C),  # a body part | a symptom: not a swollen mouth
        ("dry mouth and swelling", C),
        ("face and lips swollen", E),  # two body parts: read through
        ("my face and my lips are swollen", E),
        ("swelling and itching in my face", E),  # two symptoms: read through
        ("tight and painful chest", E),
        ("chest and back pain", E),
        ("mouth dry and swollen", E),
    ],
)
def test_a_conjunction_joins_only_like_words(text: str, expected: EffectClass):
    assert classify(text).effect_class is expected


# --- severity --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "term", "expected"),
    [
        ("headache and hives", "hives", E),
        ("headache, rash and wheezing", "wheezing", E),
        ("wheezing, headache", "wheezing", E),
        ("nausea then I fainted", "fainting", E),
        ("dizzy and double vision", "double or blurred vision", S),
        ("dizzy and faint", "fainting", E),
    ],
)
def test_the_most_severe_match_wins(text: str, term: str, expected: EffectClass):
    result = classify(text)
    assert (result.term, result.effect_class) == (term, expected)


def test_equally_severe_matches_report_the_one_written_first():
    assert classify("nausea and headache").term == "nausea"
    assert classify("headache and nausea").term == "headache"


@pytest.mark.parametrize(
    "text", ["no trouble breathing", "not wheezing", "no hives", "no chest pain"]
)
def test_negation_is_not_understood_so_an_emergency_word_still_warns(text: str):
    # Deliberate: over-warning is safer than missing an emergency.
    assert classify(text).effect_class is E


@pytest.mark.parametrize("text", ["dizzy", "feeling dizzy", "lightheaded", "nauseous", "tender"])
def test_common_synonyms_are_not_over_warned(text: str):
    assert classify(text).effect_class is C


@pytest.mark.parametrize(
    "text",
    [
        "muscle weakness at the injection site",
        "weakness at injection site",
        "Muscle weaknesses at the injection sites",
        "weak where injected",
    ],
)
def test_muscle_weakness_at_the_injection_site_is_common(text: str):
    result = classify(text)
    assert (result.term, result.effect_class) == ("muscle weakness at the injection site", C)


@pytest.mark.parametrize(
    "text", ["weakness", "muscle weakness", "weakness after the injection", "weak all over"]
)
def test_weakness_not_placed_at_the_injection_site_is_serious(text: str):
    result = classify(text)
    assert (result.term, result.effect_class) == ("generalized weakness", S)


def test_a_more_specific_common_wording_never_hides_a_more_severe_effect():
    assert classify("weakness at the injection site and trouble breathing").effect_class is E
    assert classify("weakness at injection site, now weak all over").effect_class is S
    assert classify("weak legs and weakness at the injection site").effect_class is S
    assert classify("swelling and bleeding at the injection site").effect_class is S


SEVERE_EXAMPLES = [(p, cls) for p, _, cls in ALL_EXAMPLES if cls in (S, E)]
CANONICAL = [(term, cls) for term, cls in vocabulary()]


def test_no_term_next_to_a_serious_or_emergency_example_downgrades_it():
    # "Never downgrade": for every pair, the class is at least the more severe of
    # the two, except serious weakness that the other text places at the injection site.
    for severe, severe_class in SEVERE_EXAMPLES:
        for other, other_class in CANONICAL:
            floor = max(severity(severe_class), severity(other_class))
            for text in (f"{severe} {other}", f"{other} {severe}"):
                if "injection site" in other and classify(severe).term == "generalized weakness":
                    continue
                assert severity(classify(text).effect_class) >= floor, text


# --- unknown and blank text ------------------------------------------------------


def test_unknown_text_is_other_with_no_term():
    result = classify("my left toe tingles")
    assert result.term is None
    assert result.effect_class is OTHER
    assert result.advice == ADVICE[OTHER]


def test_advice_for_unknown_text_says_when_to_get_emergency_help_and_when_to_call():
    advice = ADVICE[OTHER]
    assert EMERGENCY_LINE in advice
    assert "Contact your doctor right away" in advice
    assert not advice.startswith("Tell your doctor")


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


EMERGENCY_EXAMPLES = [p for p, _, cls in ALL_EXAMPLES if cls is E]
# Words patients write around a symptom, vocabulary words and conjunctions included.
SURROUNDING = st.lists(
    st.sampled_from(
        [
            *("and", "or", "but", "my", "since", "monday", "a", "bit", "very", "headache"),
            *("dizzy", "dry", "mouth", "swelling", "no", "not", "after", "the", "injection"),
            *("site", "weak"),
        ]
    ),
    max_size=6,
).map(" ".join)
SEPARATOR = st.sampled_from([" ", ", ", ". ", "; ", " - ", "! ", "\n"])


@given(
    st.sampled_from(EMERGENCY_EXAMPLES),
    SURROUNDING,
    SURROUNDING,
    SEPARATOR,
    SEPARATOR,
    st.sampled_from([str.lower, str.upper, str.title, str.capitalize]),
)
def test_surrounding_words_case_and_punctuation_never_lower_an_emergency(
    phrase: str, before: str, after: str, sep_before: str, sep_after: str, case
):
    text = case(f"{before}{sep_before}{phrase}{sep_after}{after}")
    assert classify(text).effect_class is E


@given(st.sampled_from(EMERGENCY_EXAMPLES), st.text(max_size=30), st.text(max_size=30))
def test_an_emergency_phrase_stays_an_emergency_whatever_text_surrounds_it(
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
