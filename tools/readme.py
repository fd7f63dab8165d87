"""Run README's console transcripts as one story; with --rewrite, write tracker's output in.

    python tools/readme.py            # show every difference, exit 1 if any
    python tools/readme.py --rewrite  # after an intended change: README gets the new output

The same story is a test (tests/docs/test_readme_transcripts.py); how it is run and
what is normalised is described in tests/docs/readme_story.py. Read the rewritten
README's diff before committing: the prose around a block must still be true.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.docs.readme_story import README, play, rewritten  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rewrite", action="store_true", help="write tracker's output in")
    arguments = parser.parse_args()
    text, story = play(README)
    for mismatch in story.mismatches:
        print(mismatch.describe(), end="\n\n")
    if arguments.rewrite:
        new_text = rewritten(text, story)
        if new_text != text:
            README.write_text(new_text, encoding="utf-8")
        print(f"README.md: {len(story.mismatches)} output(s) rewritten.")
        return 0
    print(f"README.md: {len(story.mismatches)} output(s) differ from what tracker prints.")
    return 1 if story.mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
