"""Side-effect vocabulary and triage: which words mean "call for help now".

Pure rules only: no database, no terminal, no clock. The vocabulary is kept
here as data, in one place, so the help text, the README and the classifier
can never disagree.

Safety stance: the classifier is deliberately biased towards the more severe
class. When a text mentions several effects, the most severe one wins, and an
emergency is never downgraded (clinical.md, "Rules it must NOT encode"). It
does not understand negation ("no trouble breathing" still reads as trouble
breathing): over-warning is safer than missing an emergency.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from tracker.domain.errors import InvalidInput


class EffectClass(StrEnum):
    """How urgently a side effect needs attention."""

    COMMON = "common"
    SERIOUS = "serious"
    EMERGENCY = "emergency"
    OTHER = "other"


class Severity(StrEnum):
    """How bad the patient says it is (their own words, not a clinical grade)."""

    MILD = "mild"
    MODERATE = "moderate"
    SEVERE = "severe"


# Rank used to pick the most severe match. OTHER ranks lowest because it only
# ever means "nothing in the vocabulary matched".
_SEVERITY: dict[EffectClass, int] = {
    EffectClass.OTHER: 0,
    EffectClass.COMMON: 1,
    EffectClass.SERIOUS: 2,
    EffectClass.EMERGENCY: 3,
}

# Emergency wording follows the Medication Guide ("get medical help right
# away"; symptoms can appear hours to weeks after injection) and the boxed
# warning on distant spread of toxin effect (clinical.md #1, #18).
ADVICE: dict[EffectClass, str] = {
    EffectClass.EMERGENCY: (
        "Get emergency help now (call your local emergency number). These can be signs "
        "of an allergic reaction or of the toxin spreading, which can happen hours to "
        "weeks after an injection."
    ),
    EffectClass.SERIOUS: "Contact your doctor right away.",
    EffectClass.COMMON: (
        "Usually goes away on its own. Contact your doctor if it is bothersome or does not go away."
    ),
    EffectClass.OTHER: (
        "Not in tracker's list. Tell your doctor about it at your next contact, "
        "or sooner if it worries you."
    ),
}

# tracker's threshold for "does not go away" (from the issue, not from a
# clinical source): an open common side effect older than this is raised
# in `tracker review`.
PERSISTENT_AFTER_DAYS = 14


@dataclass(frozen=True)
class _Term:
    """One canonical vocabulary term and the other ways patients write it."""

    term: str
    effect_class: EffectClass
    synonyms: tuple[str, ...] = ()


_C = EffectClass.COMMON
_S = EffectClass.SERIOUS
_E = EffectClass.EMERGENCY

# Canonical terms and classes come from the issue. The serious and emergency
# lists follow the label's boxed warning and Medication Guide (clinical.md #1,
# #18); the common list is the list of routine reactions (clinical.md
# #20 gives the matching MedDRA names, used here as synonyms).
_VOCABULARY: tuple[_Term, ...] = (
    # --- common: contact the doctor if bothersome or it does not go away ---
    _Term("anxiety", _C, ("anxious", "nervous", "nervousness")),
    _Term(
        "muscle weakness at the injection site",
        _C,
        (
            "muscle weakness at injection site",
            "muscle weakness near the injection site",
            "weakness at the injection site",
            "weakness at injection site",
            "weakness near the injection site",
            "weak at the injection site",
            "weak muscles at the injection site",
            "injection site weakness",
            "local weakness",
            "local muscle weakness",
        ),
    ),
    _Term("back pain", _C, ("backache", "back ache", "sore back", "aching back")),
    _Term(
        "upset stomach",
        _C,
        ("stomach upset", "indigestion", "dyspepsia", "stomach ache", "stomachache"),
    ),
    _Term("dizziness", _C, ("dizzy", "lightheaded", "light headed", "vertigo")),
    _Term("sweating", _C, ("sweats", "sweaty", "excessive sweating", "hyperhidrosis")),
    _Term("drowsiness", _C, ("drowsy", "sleepy", "sleepiness", "somnolence")),
    _Term("light sensitivity", _C, ("sensitivity to light", "sensitive to light", "photophobia")),
    _Term("dry eyes", _C, ("dry eye",)),
    _Term("runny nose", _C, ("rhinorrhea", "rhinorrhoea", "running nose")),
    _Term("dry mouth", _C, ()),
    _Term(
        "injection site tenderness",
        _C,
        (
            "sore injection site",
            "injection site pain",
            "injection site soreness",
            "pain at the injection site",
            "pain at injection site",
            "tenderness",
            "tender",
        ),
    ),
    _Term(
        "flu-like symptoms",
        _C,
        ("flu like illness", "influenza like illness", "flu symptoms", "flu"),
    ),
    _Term("swelling", _C, ("swollen", "swelling at the injection site")),
    _Term("headache", _C, ("head ache", "head pain")),
    _Term("redness", _C, ("red skin", "erythema")),
    _Term("increased cough", _C, ("cough", "coughing")),
    _Term("nausea", _C, ("nauseous", "nauseated", "queasy", "feeling sick")),
    # --- serious: contact the doctor right away ---
    _Term("allergic reaction", _S, ("allergy", "allergic", "hypersensitivity")),
    _Term("itching", _S, ("itch", "itchy", "itchiness", "pruritus")),
    _Term("rash", _S, ("skin rash",)),
    # The issue files hives under the allergic reaction (serious); clinical.md
    # #18 notes that Multum treats hives as an emergency.
    _Term("hives", _S, ("welts", "urticaria")),
    _Term("paralysis", _S, ("paralysed", "paralyzed", "cant move")),
    _Term(
        "bleeding at the injection site",
        _S,
        ("injection site bleeding", "bleeding at injection site", "bleeding"),
    ),
    # Bare "weakness" is serious on purpose: the boxed warning lists generalized
    # muscle weakness (clinical.md #1) and a patient cannot tell the two apart.
    # Only the explicit injection-site wording above is common.
    _Term(
        "generalized weakness",
        _S,
        (
            "generalised weakness",
            "general weakness",
            "unusual weakness",
            "weakness all over",
            "weak all over",
            "whole body weakness",
            "weakness everywhere",
            "asthenia",
            "muscle weakness",
            "weakness",
        ),
    ),
    _Term(
        "drooping eyelids",
        _S,
        ("drooping eyelid", "droopy eyelid", "droopy eyelids", "eyelid drooping", "ptosis"),
    ),
    _Term(
        "double or blurred vision",
        _S,
        (
            "double vision",
            "blurred vision",
            "blurry vision",
            "blurry eyes",
            "seeing double",
            "diplopia",
        ),
    ),
    _Term("hoarseness", _S, ("hoarse", "hoarse voice", "dysphonia")),
    _Term(
        "loss of bladder control",
        _S,
        (
            "incontinence",
            "urinary incontinence",
            "bladder leakage",
            "bladder control",
            "wetting myself",
        ),
    ),
    # --- emergency: get help now (boxed warning + Medication Guide) ---
    _Term(
        "difficulty breathing",
        _E,
        (
            "trouble breathing",
            "breathing difficulty",
            "breathing problems",
            "shortness of breath",
            "short of breath",
            "breathless",
            "cant breathe",
            "can not breathe",
            "cant catch my breath",
            "hard to breathe",
            "dyspnea",
            "dyspnoea",
        ),
    ),
    _Term("wheezing", _E, ("wheeze", "wheezy")),
    _Term(
        "difficulty swallowing",
        _E,
        (
            "trouble swallowing",
            "swallowing difficulty",
            "cant swallow",
            "can not swallow",
            "hard to swallow",
            "dysphagia",
            "choking",
        ),
    ),
    _Term(
        "difficulty speaking",
        _E,
        ("trouble speaking", "trouble talking", "cant speak", "hard to speak", "dysarthria"),
    ),
    _Term("slurred speech", _E, ("slurring", "slurred words", "slurred")),
    _Term("chest tightness", _E, ("tight chest", "chest tight", "chest discomfort")),
    _Term(
        "fainting",
        _E,
        ("faint", "fainted", "passed out", "blacked out", "syncope", "loss of consciousness"),
    ),
    _Term("swelling of the face", _E, ("facial swelling", "swollen face", "angioedema")),
    _Term("swelling of the mouth", _E, ("swollen mouth",)),
    _Term("swelling of the lips", _E, ("swollen lips", "lip swelling")),
    _Term("swelling of the tongue", _E, ("swollen tongue", "tongue swelling")),
    _Term("swelling of the throat", _E, ("swollen throat", "throat swelling", "throat closing")),
)

# Emergencies are too important to depend on exact wording, so these rules
# also fire when two key words sit next to each other in any order, ignoring
# filler words ("my lips are swollen", "breathing is difficult"). Each rule is
# (canonical term, word group, word group).
_SWELLING_WORDS = ("swelling", "swollen", "swell", "puffy")
_DIFFICULTY_WORDS = (
    "difficulty",
    "difficult",
    "trouble",
    "hard",
    "cant",
    "cannot",
    "unable",
    "struggling",
    "struggle",
    "problem",
)
_NEARBY_RULES: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("swelling of the face", _SWELLING_WORDS, ("face", "facial")),
    ("swelling of the mouth", _SWELLING_WORDS, ("mouth",)),
    ("swelling of the lips", _SWELLING_WORDS, ("lip",)),
    ("swelling of the tongue", _SWELLING_WORDS, ("tongue",)),
    ("swelling of the throat", _SWELLING_WORDS, ("throat",)),
    ("difficulty breathing", _DIFFICULTY_WORDS, ("breathe", "breathing", "breath")),
    ("difficulty swallowing", _DIFFICULTY_WORDS, ("swallow", "swallowing")),
    ("difficulty speaking", _DIFFICULTY_WORDS, ("speak", "speaking", "talk", "talking")),
)
# Words skipped when deciding whether two key words are "next to each other".
_FILLER_WORDS: frozenset[str] = frozenset(
    {"a", "an", "the", "my", "his", "her", "their", "some", "bit", "little"}
    | {"of", "in", "on", "around", "at", "to", "with"}
    | {"is", "are", "was", "were", "am", "be", "been", "got", "gets", "getting", "become"}
    | {"feel", "feels", "felt", "feeling", "look", "looks", "looking", "seem", "seems"}
    | {"very", "really", "so", "quite"}
)


@dataclass(frozen=True)
class Classification:
    """What tracker makes of a side effect the patient typed."""

    term: str | None  # canonical vocabulary term; None when nothing matched
    effect_class: EffectClass
    advice: str


# --- text normalisation --------------------------------------------------------


def _stem(token: str) -> str:
    """Crude singular form, applied to text and vocabulary alike.

    It only has to map "headaches"/"headache", "eyes"/"eye", "rashes"/"rash"
    and "allergies"/"allergy" onto the same key; since both sides go through
    it, odd stems ("nose" -> "nos") do no harm.
    """
    if len(token) > 4 and token.endswith("ies"):
        token = token[:-3] + "y"
    elif len(token) > 3 and token.endswith("s") and not token.endswith("ss"):
        token = token[:-1]
    if len(token) > 3 and token.endswith("e"):
        token = token[:-1]
    return token


def _clauses(text: str) -> list[tuple[str, ...]]:
    """Lower-case stemmed tokens, split into clauses at punctuation.

    Hyphens join words like spaces ("flu-like" == "flu like"); apostrophes are
    dropped ("can't" == "cant"); other punctuation ends a clause so that
    "dry mouth, swelling" does not read as swelling of the mouth.
    """
    text = text.casefold().replace("'", "").replace("\u2019", "").replace("-", " ")
    result = []
    for part in re.split(r"[^a-z0-9\s]+", text):
        tokens = tuple(_stem(t) for t in part.split())
        if tokens:
            result.append(tokens)
    return result


def _phrase_tokens(phrase: str) -> tuple[str, ...]:
    return tuple(token for clause in _clauses(phrase) for token in clause)


# Every phrase (canonical term or synonym) as stemmed tokens -> canonical term.
_TERMS: dict[str, _Term] = {t.term: t for t in _VOCABULARY}
_PHRASES: tuple[tuple[tuple[str, ...], str], ...] = tuple(
    (_phrase_tokens(phrase), t.term) for t in _VOCABULARY for phrase in (t.term, *t.synonyms)
)
# Index by first token so matching does not scan the whole vocabulary per word.
_PHRASES_BY_FIRST_TOKEN: dict[str, list[tuple[tuple[str, ...], str]]] = {}
for _tokens, _term in _PHRASES:
    _PHRASES_BY_FIRST_TOKEN.setdefault(_tokens[0], []).append((_tokens, _term))
_RULES: tuple[tuple[str, frozenset[str], frozenset[str]], ...] = tuple(
    (term, frozenset(map(_stem, a)), frozenset(map(_stem, b))) for term, a, b in _NEARBY_RULES
)
_FILLER: frozenset[str] = frozenset(map(_stem, _FILLER_WORDS))


# --- matching -------------------------------------------------------------------


@dataclass(frozen=True)
class _Match:
    term: str
    start: int  # token position over the whole text, for "leftmost wins" ties
    end: int  # exclusive


def _phrase_matches(clause: tuple[str, ...], offset: int) -> list[_Match]:
    found = []
    for i, token in enumerate(clause):
        for tokens, term in _PHRASES_BY_FIRST_TOKEN.get(token, ()):
            if clause[i : i + len(tokens)] == tokens:
                found.append(_Match(term, offset + i, offset + i + len(tokens)))
    return found


def _drop_contained(matches: Sequence[_Match]) -> list[_Match]:
    """Keep the most specific wording: a match inside a longer match is dropped.

    This is what makes "muscle weakness at the injection site" common although
    it contains the serious "muscle weakness". It cannot hide an emergency: no
    emergency phrase sits inside a milder phrase (a unit test puts every pair
    of vocabulary phrases side by side to check), and the nearby-word rules
    below are never dropped.
    """
    return [
        m
        for m in matches
        if not any(
            o.start <= m.start and m.end <= o.end and (o.end - o.start) > (m.end - m.start)
            for o in matches
        )
    ]


def _nearby_matches(clause: tuple[str, ...], offset: int) -> list[_Match]:
    kept = [(i, t) for i, t in enumerate(clause) if t not in _FILLER]
    found = []
    for (i, left), (j, right) in itertools.pairwise(kept):
        for term, group_a, group_b in _RULES:
            if (left in group_a and right in group_b) or (left in group_b and right in group_a):
                found.append(_Match(term, offset + i, offset + j + 1))
    return found


def classify(text: str) -> Classification:
    """Classify free text such as "bad headache since monday" or "hives".

    Raises InvalidInput for empty or blank text. Text that matches nothing is
    OTHER with term None. When several terms match, the most severe class
    wins; among equally severe terms, the one written first.
    """
    if not text or not text.strip():
        raise InvalidInput("Describe the side effect, e.g. 'headache' or 'trouble swallowing'.")
    phrase_matches: list[_Match] = []
    nearby: list[_Match] = []
    offset = 0
    for clause in _clauses(text):
        phrase_matches += _phrase_matches(clause, offset)
        nearby += _nearby_matches(clause, offset)
        offset += len(clause)
    matches = _drop_contained(phrase_matches) + nearby
    if not matches:
        return Classification(None, EffectClass.OTHER, ADVICE[EffectClass.OTHER])
    best = max(matches, key=lambda m: (_SEVERITY[_TERMS[m.term].effect_class], -m.start))
    effect_class = _TERMS[best.term].effect_class
    return Classification(best.term, effect_class, ADVICE[effect_class])


def severity(effect_class: EffectClass) -> int:
    """Rank for sorting: emergency 3, serious 2, common 1, other 0."""
    return _SEVERITY[effect_class]


def is_persistent(
    effect_class: EffectClass, started: date, resolved: date | None, today: date
) -> bool:
    """True for a common side effect still open more than 14 days after it started.

    Only COMMON effects: serious and emergency ones are raised whatever their
    age, and OTHER ones have no "usually goes away" expectation to break.
    """
    return (
        effect_class is EffectClass.COMMON
        and resolved is None
        and (today - started).days > PERSISTENT_AFTER_DAYS
    )


def vocabulary() -> list[tuple[str, EffectClass]]:
    """Canonical terms with their class, in the issue's order: common, serious, emergency."""
    return [(t.term, t.effect_class) for t in _VOCABULARY]


def synonyms(term: str) -> tuple[str, ...]:
    """The other spellings tracker recognises for a canonical term (for help text)."""
    try:
        return _TERMS[term].synonyms
    except KeyError:
        raise InvalidInput(f"'{term}' is not a side effect in tracker's list.") from None
