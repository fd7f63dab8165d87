"""README's console transcripts, run as one story (issue 17).

Every ```console block of README.md is a transcript: lines starting with `$ ` are
commands, the lines after each one are what the terminal shows (stdout and stderr
together, in order). The blocks are run in README order as ONE story, the way a new
user would type them: through bash, in a fresh home folder (so the default database
is new), with the installed `tracker` on PATH and the `TRACKER_TODAY` that README
states where the story begins. An `export NAME=VALUE` command carries over to the
commands after it; a `NAME=VALUE tracker ...` prefix is for that command only.

Sybil finds the blocks (its Markdown fenced-code lexer) and evaluates them in order;
the parser below turns a block into (command, expected output) steps.

What is normalised, and only that, because it would differ on every run:
- the temporary home folder is shown as /home/sam;
- wall-clock times (the change log's WHEN, the dated names of backups) are shown as
  noon of the README's TRACKER_TODAY: `2026-11-25 12:00:00 UTC`, `20261125-120000`;
- spaces at the end of a line and blank lines around an output (Markdown editors
  strip the first, and a blank line separates the steps of a block).

After an intended change of output: `python tools/readme.py --rewrite`.
"""

from __future__ import annotations

import difflib
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sybil import Document, Example, Region, Sybil
from sybil.parsers.markdown.lexers import FencedCodeBlockLexer

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
PROMPT = "$ "
SHOWN_HOME = "/home/sam"
# Where the story begins, README says which day it plays on, in these words.
TODAY_STATEMENT = re.compile(r"made\s+with\s+`TRACKER_TODAY=(\d{4})-(\d{2})-(\d{2})`")
WALL_CLOCK_TIME = re.compile(r"\b\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC\b")
WALL_CLOCK_STAMP = re.compile(r"\b20\d{6}-\d{6}\b")
COMMAND_TIMEOUT_SECONDS = 120


@dataclass(frozen=True)
class Step:
    """One command of a transcript and what the terminal shows after it."""

    command: str
    output: str


@dataclass(frozen=True)
class Transcript:
    """A console block: its steps and where its text lies in README."""

    start: int
    end: int
    line: int
    steps: tuple[Step, ...]


def parse_steps(source: str) -> tuple[Step, ...]:
    """Split a console block into commands and their expected output."""
    steps: list[Step] = []
    command: str | None = None
    output: list[str] = []
    for line in source.splitlines():
        if line.startswith(PROMPT):
            if command is not None:
                steps.append(Step(command, tidy("\n".join(output))))
            command, output = line[len(PROMPT) :], []
        elif command is None:
            if line.strip():
                raise ValueError(f"a console block must start with '{PROMPT}': {line!r}")
        else:
            output.append(line)
    if command is not None:
        steps.append(Step(command, tidy("\n".join(output))))
    return tuple(steps)


def render_steps(steps: Iterable[Step]) -> str:
    """A console block's text: each command, its output, a blank line between steps."""
    return (
        "\n\n".join(
            f"{PROMPT}{step.command}\n{step.output}" if step.output else f"{PROMPT}{step.command}"
            for step in steps
        )
        + "\n"
    )


def tidy(text: str) -> str:
    """No trailing spaces on a line, no blank lines at either end."""
    return "\n".join(line.rstrip() for line in text.splitlines()).strip("\n")


class TranscriptParser:
    """Sybil parser: every ```console block becomes one example of the story."""

    def __init__(self, evaluator: Callable[[Example], str | None]) -> None:
        self.lexer = FencedCodeBlockLexer("console")
        self.evaluator = evaluator

    def __call__(self, document: Document) -> Iterator[Region]:
        for lexed in self.lexer(document):
            source = lexed.lexemes["source"]
            start = lexed.start + source.offset
            transcript = Transcript(
                start=start,
                end=start + len(source),
                line=document.text.count("\n", 0, lexed.start) + 1,
                steps=parse_steps(source),
            )
            yield Region(lexed.start, lexed.end, transcript, self.evaluator)


def stated_today(text: str) -> tuple[str, str, str]:
    """The TRACKER_TODAY README states before its first console block."""
    first_block = re.search(r"^```console$", text, re.MULTILINE)
    found = TODAY_STATEMENT.findall(text[: first_block.start() if first_block else len(text)])
    if not found:
        raise ValueError(
            "README must say, before its first console block, which day the story plays on: "
            "'made with `TRACKER_TODAY=YYYY-MM-DD`'"
        )
    return found[-1]


@dataclass
class Mismatch:
    transcript: Transcript
    step: Step
    actual: str

    def describe(self) -> str:
        diff = difflib.unified_diff(
            self.step.output.splitlines(),
            self.actual.splitlines(),
            "README",
            "tracker",
            lineterm="",
        )
        return f"README.md line {self.transcript.line}: $ {self.step.command}\n" + "\n".join(diff)


@dataclass
class Story:
    """One fresh user: a home folder, the stated day, the commands typed so far."""

    folder: Path
    today: tuple[str, str, str]
    exports: list[str] = field(default_factory=list)
    mismatches: list[Mismatch] = field(default_factory=list)
    actual: dict[int, tuple[Transcript, tuple[Step, ...]]] = field(default_factory=dict)

    @property
    def home(self) -> Path:
        return self.folder / "home"

    def environment(self) -> dict[str, str]:
        environment = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("TRACKER_", "XDG_", "PYTHON"))
        }
        environment.update(
            HOME=str(self.home),
            PATH=f"{Path(sys.executable).parent}{os.pathsep}{environment.get('PATH', '')}",
            TRACKER_TODAY="-".join(self.today),
            # Output in the order it is written, as on a terminal.
            PYTHONUNBUFFERED="1",
            LC_ALL="C.UTF-8",
        )
        return environment

    def run(self, command: str) -> str:
        """What the terminal shows for one command, typed after the ones before."""
        script = "\n".join([*self.exports, command])
        done = subprocess.run(
            ["bash", "-c", script],
            cwd=self.home,
            env=self.environment(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=COMMAND_TIMEOUT_SECONDS,
        )
        if command.startswith("export "):
            self.exports.append(command)
        return self.normalise(done.stdout)

    def normalise(self, output: str) -> str:
        year, month, day = self.today
        output = output.replace(str(self.home), SHOWN_HOME)
        output = WALL_CLOCK_TIME.sub(f"{year}-{month}-{day} 12:00:00 UTC", output)
        output = WALL_CLOCK_STAMP.sub(f"{year}{month}{day}-120000", output)
        return tidy(output)

    def evaluate(self, example: Example) -> None:
        """Sybil evaluator: run a block's commands, keep what differs (all of it)."""
        transcript: Transcript = example.parsed
        actual_steps = []
        for step in transcript.steps:
            actual = self.run(step.command)
            actual_steps.append(Step(step.command, actual))
            if actual != step.output:
                self.mismatches.append(Mismatch(transcript, step, actual))
        self.actual[transcript.start] = (transcript, tuple(actual_steps))


def play(readme: Path = README) -> tuple[str, Story]:
    """Run README's whole story once; return README's text and what happened."""
    text = readme.read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory(prefix="tracker-readme-") as folder:
        story = Story(Path(os.path.realpath(folder)), stated_today(text))
        story.home.mkdir()
        sybil = Sybil(parsers=[TranscriptParser(story.evaluate)], patterns=[readme.name])
        document = sybil.parse(readme)
        for example in document:
            example.evaluate()
    return text, story


def rewritten(text: str, story: Story) -> str:
    """README's text with every transcript's output replaced by what tracker printed."""
    for start in sorted(story.actual, reverse=True):
        transcript, steps = story.actual[start]
        text = text[: transcript.start] + render_steps(steps) + text[transcript.end :]
    return text
