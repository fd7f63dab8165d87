"""README's console blocks are what tracker prints, as one story (issue 17)."""

from __future__ import annotations

import re

import pytest

from tests.docs.readme_story import (
    README,
    Step,
    parse_steps,
    play,
    render_steps,
    stated_today,
)


def test_every_console_block_of_the_readme_is_what_tracker_prints() -> None:
    text, story = play(README)

    assert story.actual, "README has no console block"
    # Every block README opens as console is one that ran.
    assert len(story.actual) == len(re.findall(r"^```console$", text, re.MULTILINE))
    differences = "\n\n".join(mismatch.describe() for mismatch in story.mismatches)
    assert not story.mismatches, (
        f"{len(story.mismatches)} README output(s) differ from what tracker prints "
        f"(after an intended change: python tools/readme.py --rewrite):\n\n{differences}"
    )


def test_a_transcript_is_commands_each_followed_by_its_output() -> None:
    source = "$ tracker due\nNext injection due\n  soon\n\n$ tracker pain 4\n\n$ true  \n"

    steps = parse_steps(source)

    assert steps == (
        Step("tracker due", "Next injection due\n  soon"),
        Step("tracker pain 4", ""),
        Step("true  ", ""),
    )
    assert parse_steps(render_steps(steps)) == steps


def test_a_transcript_that_does_not_start_with_a_command_is_refused() -> None:
    with pytest.raises(ValueError, match="must start with"):
        parse_steps("Next injection due\n$ tracker due\n")


def test_the_story_day_must_be_stated_before_the_first_block() -> None:
    assert stated_today("made with `TRACKER_TODAY=2026-11-25`.\n```console\n") == (
        "2026",
        "11",
        "25",
    )
    with pytest.raises(ValueError, match="which day"):
        stated_today("```console\n$ tracker due\n```\nmade with `TRACKER_TODAY=2026-11-25`")
