"""Side-effect triage: which words mean "call for help now".

Pure rules only: no database, no terminal, no clock. The vocabulary is data in
tracker.domain.effect_vocabulary (each entry names its source); this module
matches a patient's sentence against it by meaning rather than fixed strings:

- words in any order and with words between them, within a clause
  ("tightness in my chest", "my tongue is swollen");
- plurals and endings ("hives", "breathing", "fainted");
- every way of saying "cannot" ("can't", "cant", "unable to", "not able to");
- typing slips in words of 5 letters or more: one slip up to 7 letters, two
  from 8 letters ("dificulty breathing", "trouble swalowing"); shorter words
  must be exact, and ordinary words near a vocabulary word are never "corrected"
  ("right" is not "tight").

Safety stance: the classifier is deliberately biased towards the more severe
class. When a text mentions several effects, the most severe one wins, and an
emergency is never downgraded (clinical.md, "Rules it must NOT encode"). It
does not understand negation ("no trouble breathing" still reads as trouble
breathing): over-warning is safer than missing an emergency.
"""

from __future__ import annotations

import functools
import itertools
import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import NamedTuple

from tracker.domain import effect_vocabulary as vocab
from tracker.domain.effect_real_words import REAL_WORDS
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
    # Text tracker cannot match may still be serious: it gets the emergency line
    # (leads' decision, clinical.md) and the "contact your doctor promptly" list.
    EffectClass.OTHER: (
        "If you have trouble breathing, swallowing or speaking, or swelling of the face or "
        "throat, get emergency help now. Contact your doctor right away if it is severe or "
        "getting worse, or if you have new weakness, vision problems, drooping eyelids, a hoarse "
        "voice or loss of bladder control; otherwise tell your doctor about it at your next "
        "contact."
    ),
}

# tracker's threshold for "does not go away" (from the issue, not from a
# clinical source): an open common side effect older than this is raised
# in `tracker review`.
PERSISTENT_AFTER_DAYS = 14


@dataclass(frozen=True)
class Classification:
    """What tracker makes of a side effect the patient typed."""

    term: str | None  # canonical vocabulary term; None when nothing matched
    effect_class: EffectClass
    advice: str


class _Entry(NamedTuple):
    term: str
    effect_class: EffectClass
    source: str
    examples: tuple[str, ...]


class _Pattern(NamedTuple):
    entry: int  # index into _ENTRIES
    slots: tuple[frozenset[str], ...]  # one or two sets of base words
    ordered: bool  # the second slot must come after the first


# --- the vocabulary, compiled once --------------------------------------------------


# Endings taken off a written word to find its base form: (ending, what replaces
# it). "breathing" -> "breath", "breathe"; "hives" -> "hive"; "wheezy" -> "wheeze".
_ENDINGS: tuple[tuple[str, str], ...] = (
    ("iness", "y"),
    ("iest", "y"),
    ("est", ""),
    ("ness", ""),
    ("ies", "y"),
    ("ied", "y"),
    ("ier", "y"),
    ("ily", "y"),
    ("ing", ""),
    ("ing", "e"),
    ("es", ""),
    ("ed", ""),
    ("ed", "e"),
    ("er", ""),
    ("ly", ""),
    ("s", ""),
    ("d", ""),
    ("y", ""),
    ("y", "e"),
)
_MIN_STEM = 3


def _stems(word: str) -> set[str]:
    """Possible base forms of a written word, the word itself included.

    Two rounds, so "weaknesses" reaches "weak"; a doubled last consonant is
    undone ("slurred" -> "slur"). Wrong guesses ("sing" -> "s") do no harm:
    only stems that are vocabulary words are ever used.
    """
    found = {word}
    frontier = [word]
    for _ in range(2):
        next_frontier = []
        for current in frontier:
            for ending, replacement in _ENDINGS:
                if current.endswith(ending) and len(current) - len(ending) >= _MIN_STEM:
                    stem = current[: -len(ending)]
                    candidates = [stem + replacement]
                    if not replacement and len(stem) > _MIN_STEM and stem[-1] == stem[-2]:
                        candidates.append(stem[:-1])
                    for candidate in candidates:
                        if candidate not in found:
                            found.add(candidate)
                            next_frontier.append(candidate)
        frontier = next_frontier
    return found


def _slot(spec: str) -> frozenset[str]:
    words: set[str] = set()
    for word in spec.split("|"):
        word = word.strip()
        if word.startswith("@"):
            words |= _slot(vocab.GROUPS[word[1:]])
        else:
            words.add(word)
    return frozenset(words)


def _pattern(entry: int, spec: str) -> _Pattern:
    ordered = " > " in spec
    parts = spec.split(" > " if ordered else " + ")
    return _Pattern(entry, tuple(_slot(part) for part in parts), ordered)


_LEVELS = {
    vocab.EMERGENCY: EffectClass.EMERGENCY,
    vocab.SERIOUS: EffectClass.SERIOUS,
    vocab.COMMON: EffectClass.COMMON,
}
_ENTRIES: tuple[_Entry, ...] = tuple(
    _Entry(term, _LEVELS[level], source, examples)
    for term, level, source, _, examples in vocab.ENTRIES
)
_BY_TERM: dict[str, _Entry] = {entry.term: entry for entry in _ENTRIES}
_PATTERNS: tuple[_Pattern, ...] = tuple(
    _pattern(index, spec)
    for index, (_, _, _, specs, _) in enumerate(vocab.ENTRIES)
    for spec in specs
)
# base word -> (pattern index, slot index) of every slot it can fill
_SLOTS_BY_WORD: dict[str, list[tuple[int, int]]] = {}
for _index, _pat in enumerate(_PATTERNS):
    for _slot_index, _words in enumerate(_pat.slots):
        for _word in _words:
            _SLOTS_BY_WORD.setdefault(_word, []).append((_index, _slot_index))
_BODY_PARTS = frozenset(vocab.BODY_PARTS)
_CANNOT = tuple(tuple(phrase.split()) for phrase in vocab.CANNOT_PHRASES)


# --- typing slips ---------------------------------------------------------------------


def allowed_edits(typed: str, known: str) -> int:
    """How many typing slips may separate a typed word from a vocabulary word.

    None below 5 letters (the shorter word counts: "rash" is never "rush"),
    one from 5 to 7 letters ("swolen"), two from 8 letters on ("dificulty").
    """
    shorter = min(len(typed), len(known))
    if shorter < vocab.TYPO_MIN_LENGTH:
        return 0
    return 1 if shorter < vocab.TWO_EDITS_FROM_LENGTH else 2


def edit_distance(a: str, b: str, limit: int) -> int:
    """Insertions, deletions, substitutions and swaps of two neighbouring letters
    (optimal string alignment) turning a into b; any value above limit reads limit + 1."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    before: list[int] = []
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, char_b in enumerate(b, 1):
            current[j] = min(
                previous[j] + 1,
                current[j - 1] + 1,
                previous[j - 1] + (char_a != char_b),
            )
            if i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b:
                current[j] = min(current[j], before[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        before, previous = previous, current
    return min(previous[-1], limit + 1)


def _letters(word: str) -> int:
    """The set of letters in a word, as bits (a=1, b=2, c=4, ...)."""
    mask = 0
    for char in word:
        mask |= 1 << (ord(char) & 31)
    return mask


@functools.cache
def _typo_index() -> dict[int, list[tuple[str, int]]]:
    """Vocabulary words by length, each with its set of letters; built at the
    first word that is not in the vocabulary, not at import."""
    index: dict[int, list[tuple[str, int]]] = {}
    for word in _SLOTS_BY_WORD:
        index.setdefault(len(word), []).append((word, _letters(word)))
    return index


def typo_of(token: str) -> set[str]:
    """The vocabulary words closest to a misspelt token, if any is close enough.

    Each base form of the token ("swalowing" -> "swalow") is compared with
    vocabulary words ("swallow"); the slips allowed depend on the shorter of
    the two base forms (allowed_edits), so an ending never buys a short word
    more slips. A slip adds or removes at most two letters from a word's set of
    letters, so most words are ruled out by comparing those sets before any
    letter-by-letter work.
    """
    index = _typo_index()
    best, found = 3, set()
    for stem in _stems(token):
        letters = _letters(stem)
        for length in range(len(stem) - 2, len(stem) + 3):
            for word, word_letters in index.get(length, ()):
                limit = allowed_edits(stem, word)
                if (letters ^ word_letters).bit_count() > 2 * limit:
                    continue
                distance = edit_distance(stem, word, limit)
                if distance <= limit and distance <= best:
                    if distance < best:
                        best, found = distance, set()
                    found.add(word)
    return found


def known_word(token: str) -> set[str]:
    """The vocabulary words a written token is, by its base forms ("hives" -> "hive")."""
    return {stem for stem in _stems(token) if stem in _SLOTS_BY_WORD}


@functools.lru_cache(maxsize=4096)
def _bases(token: str) -> frozenset[str]:
    """The vocabulary words a written token stands for (none for ordinary words)."""
    exact = known_word(token)
    if exact:
        return frozenset(exact)
    if len(token) < vocab.TYPO_MIN_LENGTH or token in REAL_WORDS or not token.isalpha():
        return frozenset()
    return frozenset(typo_of(token))


# --- text ---------------------------------------------------------------------------


def _clauses(text: str) -> list[list[str]]:
    """Lower-case words, split into clauses at punctuation.

    Apostrophes are dropped ("can't" == "cant"), hyphens join words like spaces
    ("flu-like" == "flu like"), and every way of saying "cannot" becomes
    "cannot". Other punctuation ends a clause, so "dry mouth, swelling" does not
    read as a swollen mouth.
    """
    text = text.casefold().replace("\u2019", "'").replace("\u2018", "'").replace("'", "")
    text = text.replace("-", " ")
    clauses = []
    for part in re.split(r"[^\w\s]+|_", text):
        words = part.split()
        if words:
            clauses.append(_cannot(words))
    return clauses


def _cannot(words: list[str]) -> list[str]:
    result: list[str] = []
    i = 0
    while i < len(words):
        for phrase in _CANNOT:
            if tuple(words[i : i + len(phrase)]) == phrase:
                result.append("cannot")
                i += len(phrase)
                break
        else:
            result.append(words[i])
            i += 1
    return result


# --- matching -------------------------------------------------------------------------


class _Match(NamedTuple):
    entry: int
    anchors: frozenset[int]  # positions of the matched words over the whole text


def _kind(bases: frozenset[str]) -> str | None:
    if bases & _BODY_PARTS:
        return "body"
    return "symptom" if bases else None


def _crosses_a_break(words: list[str], bases: list[frozenset[str]], lo: int, hi: int) -> bool:
    """True when a conjunction between lo and hi separates unlike words.

    "dry mouth and some swelling": mouth | swelling, a body part and a symptom,
    so the swelling is not said to be in the mouth. "face and lips swollen" and
    "swelling and itching in my face" join like words and read through.
    """
    for k in range(lo + 1, hi):
        if words[k] not in vocab.CONJUNCTIONS:
            continue
        left = next((i for i in range(k - 1, lo, -1) if words[i] not in vocab.DETERMINERS), lo)
        right = next((i for i in range(k + 1, hi) if words[i] not in vocab.DETERMINERS), hi)
        kind = _kind(bases[left])
        if kind is None or kind != _kind(bases[right]):
            return True
    return False


def _clause_matches(words: list[str], offset: int) -> set[_Match]:
    bases = [_bases(word) for word in words]
    positions: dict[int, tuple[set[int], ...]] = {}
    for i, word_bases in enumerate(bases):
        for base in word_bases:
            for pattern, slot in _SLOTS_BY_WORD[base]:
                slots = positions.setdefault(
                    pattern, tuple(set() for _ in _PATTERNS[pattern].slots)
                )
                slots[slot].add(i)
    found: set[_Match] = set()
    for index, slots in positions.items():
        pattern = _PATTERNS[index]
        if len(slots) == 1:
            found |= {_Match(pattern.entry, frozenset({offset + i})) for i in slots[0]}
            continue
        for i, j in itertools.product(*slots):
            lo, hi = min(i, j), max(i, j)
            if (
                i != j
                and not (pattern.ordered and j < i)
                and hi - lo - 1 <= vocab.MAX_GAP
                and not _crosses_a_break(words, bases, lo, hi)
            ):
                found.add(_Match(pattern.entry, frozenset({offset + i, offset + j})))
    return found


def _most_specific(matches: set[_Match]) -> list[_Match]:
    """Drop a match whose words all belong to a longer match, unless it is an emergency.

    This is what makes "muscle weakness at the injection site" common although
    "weakness" alone is serious. An emergency is never dropped, whatever
    surrounds it (clinical.md: never downgrade an emergency).
    """
    return [
        m
        for m in matches
        if _ENTRIES[m.entry].effect_class is EffectClass.EMERGENCY
        or not any(m.anchors < other.anchors for other in matches)
    ]


def classify(text: str) -> Classification:
    """Classify free text such as "bad headache since monday" or "hives".

    Raises InvalidInput for empty or blank text. Text that matches nothing is
    OTHER with term None. When several entries match, the most severe class
    wins; among equally severe ones, the one written first.
    """
    if not text or not text.strip():
        raise InvalidInput("Describe the side effect, e.g. 'headache' or 'trouble swallowing'.")
    matches: set[_Match] = set()
    offset = 0
    for words in _clauses(text):
        matches |= _clause_matches(words, offset)
        offset += len(words)
    if not matches:
        return Classification(None, EffectClass.OTHER, ADVICE[EffectClass.OTHER])
    best = max(
        _most_specific(matches),
        key=lambda m: (_SEVERITY[_ENTRIES[m.entry].effect_class], -min(m.anchors), -m.entry),
    )
    entry = _ENTRIES[best.entry]
    return Classification(entry.term, entry.effect_class, ADVICE[entry.effect_class])


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
    """Canonical terms with their class: emergency, serious, then common."""
    return [(entry.term, entry.effect_class) for entry in _ENTRIES]


def _entry(term: str) -> _Entry:
    try:
        return _BY_TERM[term]
    except KeyError:
        raise InvalidInput(f"'{term}' is not a side effect in tracker's list.") from None


def synonyms(term: str) -> tuple[str, ...]:
    """Other ways patients write a canonical term (examples, each classified as the term)."""
    return tuple(example for example in _entry(term).examples if example != term)


def source(term: str) -> str:
    """Where the class of a canonical term comes from (fact sheet number, leaflet)."""
    return _entry(term).source
