"""The triage corpus: how patients write about side effects, and the lowest class each may get.

tests/data/triage_phrasings.csv holds one phrasing a row: the text, its floor
(the lowest acceptable class: emergency, serious, common or other), an optional
ceiling (common phrasings must not be over-warned), and why (the source or
the reason). Classes rank other < common < serious < emergency.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from tracker.domain.side_effects import EffectClass, classify, severity

CORPUS = Path(__file__).resolve().parent.parent / "data" / "triage_phrasings.csv"
ROWS = list(csv.DictReader(CORPUS.open(encoding="utf-8", newline="")))

# Named in issue 12; each must be in the corpus.
ISSUE_EXAMPLES = (
    *("hives", "welts", "urticaria", "my chest is tight", "tightness in my chest"),
    *("throat feels tight", "not able to breathe", "out of breath", "asthma attack"),
    *("anaphylaxis", "collapsed", "chest pain", "dificulty breathing", "trouble swalowing"),
    *("eyelid droop", "drooping eyelid", "weak legs", "lost my voice", "wet myself"),
    *("vision problems", "sore at the injection site", "tender where injected", "nauseous"),
    *("dizzy", "no trouble breathing", "my tongue is swollen", "tightness in my chest"),
)


def test_the_corpus_has_at_least_300_distinct_phrasings_with_valid_classes():
    texts = [row["text"].casefold() for row in ROWS]
    assert len(texts) >= 300
    assert len(texts) == len(set(texts))
    for row in ROWS:
        EffectClass(row["floor"])
        if row["ceiling"]:
            assert severity(EffectClass(row["ceiling"])) >= severity(EffectClass(row["floor"]))
        assert row["why"]


def test_every_example_named_in_the_issue_is_in_the_corpus():
    texts = {row["text"] for row in ROWS}
    assert set(ISSUE_EXAMPLES) - texts == set()


def test_the_corpus_covers_every_class_and_guards_the_common_list():
    floors = {row["floor"] for row in ROWS}
    assert floors == {"emergency", "serious", "common", "other"}
    guarded = [row for row in ROWS if row["floor"] == "common"]
    assert guarded and all(row["ceiling"] == "common" for row in guarded)


@pytest.mark.parametrize("row", ROWS, ids=[f"{row['floor']}:{row['text']}" for row in ROWS])
def test_each_phrasing_is_classed_at_least_its_floor_and_at_most_its_ceiling(row: dict[str, str]):
    got = classify(row["text"]).effect_class
    assert severity(got) >= severity(EffectClass(row["floor"])), row["why"]
    if row["ceiling"]:
        assert severity(got) <= severity(EffectClass(row["ceiling"])), row["why"]
