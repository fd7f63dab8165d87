"""The 0-10 scale the diary uses, and reading a score as the patient typed it.

Its own small module: `tracker pain` needs only this, not the review rules.
"""

from __future__ import annotations

from tracker.domain.errors import InvalidInput

# 0-10 numeric rating scale, LOINC 72514-3 (clinical.md #22).
PAIN_SCORE_MIN = 0
PAIN_SCORE_MAX = 10


def parse_score(text: str, what: str = "pain score") -> int:
    """A whole number on the 0-10 numeric rating scale, as the patient typed it."""
    try:
        score = int(text.strip())
    except (AttributeError, ValueError):
        score = None
    if score is None or not PAIN_SCORE_MIN <= score <= PAIN_SCORE_MAX:
        raise InvalidInput(
            f"the {what} must be a whole number from {PAIN_SCORE_MIN} (none) to "
            f"{PAIN_SCORE_MAX} (worst imaginable), not '{text}'"
        )
    return score
