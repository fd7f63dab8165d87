"""Hostile input on every command: random text, unicode, control characters,
undecodable bytes, huge numbers, SQL fragments and very long notes.

The contract: never a traceback; exit 0, or 2 with one ``Error:`` line (1 only
for ``due --check``); on exit 2 the records are exactly as before; on exit 0
the text is stored and comes back byte-for-byte; an error never shows stored
text the user did not type in that command.

The hypothesis tests run on SQLite only, on a fresh copy of one seeded
database per example (a copy is milliseconds; a new database runs every
migration). The fuzz over a fixed list of nasty inputs runs on SQLite, and a
smaller set of nasty texts runs on PostgreSQL too: it refuses NUL in text,
which is one reason tracker refuses it everywhere.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import Result
from hypothesis import event, given, settings
from hypothesis import strategies as st

from tests.conftest import Tracker, create_database

# Field limits, written out rather than imported: this is the contract the
# implementation must meet (tracker.domain.text).
NOTE_LIMIT = 10_000
LABEL_LIMIT = 500

# Put into every seeded record; no error message may ever show it.
SECRET = "SECRET-4f1c"

NASTY: list[str] = [
    # whitespace and line breaks
    "",
    " ",
    "  padded  ",
    "tab\there",
    "line one\nline two",
    "\r\n",
    "carriage\rreturn",
    # controls
    "a\x00b",
    "\x1b[31mred\x1b[0m",
    "\x7f",
    "\x85",
    "\x9b2J",
    # what surrogateescape makes of bytes that are not UTF-8 (b"caf\xe9", b"\xff")
    "caf\udce9",
    "\ud800",
    # unicode
    "😀",
    "👩\u200d👩\u200d👧\u200d👦",
    "e\u0301",
    "\ufeff",
    "\u202eevil\u202c",
    "שלום עולם",
    "\u2028",
    "\uffff",
    "\U0010ffff",
    # code and injection
    "'; DROP TABLE injection_sessions; --",
    '" OR 1=1 --',
    "%s %n %x",
    "{}",
    "${HOME} $(id) `id`",
    "../../etc/passwd",
    "\\x00\\n",
    "NULL",
    # numbers
    "-1",
    "0",
    "1",
    "3.0",
    "1e400",
    "NaN",
    "inf",
    "9" * 400,
    "9" * 5000,
    str(2**31 - 1),
    str(2**31),
    str(10**20),
    "0x1F",
    "1_0",
    "٣",
    # dates and times
    "２０２６-１１-２４",
    "０３/０４/２０２６",
    "03/04/2026",
    "2026-02-29",
    "2024-02-29",
    "1899-12-31",
    "2999-12-31",
    "3000-01-01",
    "24 Nov 2026",
    "Nov 2026",
    "tomorrow",
    "25:00",
    "9:30",
    # choices
    "BOTOX",
    "Severe",
    # sizes
    "x" * (LABEL_LIMIT + 1),
    "x" * (NOTE_LIMIT + 1),
    "note " * 20_000,
]


def acceptable(text: str, max_length: int, multiline: bool = True) -> bool:
    """The free-text rule, written independently of tracker's implementation."""
    allowed = {"\t", "\n"} if multiline else {"\t"}

    def forbidden(char: str) -> bool:
        code = ord(char)
        control = code < 0x20 or 0x7F <= code <= 0x9F
        surrogate = 0xD800 <= code <= 0xDFFF
        return (control or surrogate) and char not in allowed

    return len(text) <= max_length and not any(forbidden(char) for char in text)


def blank_to_none(text: str) -> str | None:
    return text if text.strip() else None


# --- running commands --------------------------------------------------------


def run(t: Tracker, *args: str, allowed: tuple[int, ...] = (0, 2)) -> Result:
    """Run one command and check what holds for every input."""
    result = t(*args)  # catch_exceptions=False: an exception fails the test
    assert result.exit_code in allowed, (args, result.exit_code, result.output[:2000])
    assert "Traceback" not in result.output
    assert SECRET not in result.stderr, (args, result.stderr[:2000])
    if result.exit_code == 2:
        assert result.stderr.startswith("Error: "), (args, result.stderr[:2000])
        assert len(result.stderr.strip().splitlines()) == 1, (args, result.stderr[:2000])
        assert len(result.stderr) < 500, (args, result.stderr[:2000])
    return result


LISTINGS: tuple[tuple[str, ...], ...] = (
    ("history",),
    ("diary",),
    ("effects",),
    ("appointments", "--all"),
    ("plan",),
)


def listings(t: Tracker) -> dict[str, object]:
    return {" ".join(args): t.json(*args) for args in LISTINGS}


def seed(t: Tracker) -> None:
    """One record of each kind, each id 1, so edit/delete/cancel/resolve have a target."""
    t.ok(
        "log",
        "2026-08-25",
        "--units=200",
        "--site=left lumbar paraspinal:100",
        "--provider=Dr Lee",
        "--lot=C1234",
        f"--note={SECRET}",
    )
    t.ok("pain", "5", "--date=2026-11-01", f"--note={SECRET}")
    t.ok("effect", "headache", "--date=2026-11-02", f"--note={SECRET}")
    t.ok("book", "2027-02-20", "--provider=Dr Lee", f"--note={SECRET}")
    t.ok("plan", "--name=Sam Patient")


@dataclass
class Template:
    """A seeded SQLite database, copied afresh for each hypothesis example."""

    path: Path
    workdir: Path
    before: dict[str, object]
    counter: Iterator[int]

    @contextmanager
    def fresh(self) -> Iterator[Tracker]:
        copy = self.workdir / f"example-{next(self.counter)}.db"
        shutil.copyfile(self.path, copy)
        try:
            yield Tracker(str(copy))
        finally:
            copy.unlink(missing_ok=True)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Template]:
    # A RAM disk when there is one: these tests are about input, not durability,
    # and the fsync of every commit on a real disk would take most of their time.
    ram = Path("/dev/shm")
    if ram.is_dir() and os.access(ram, os.W_OK):
        workdir = Path(tempfile.mkdtemp(prefix="tracker-hostile-", dir=ram))
    else:
        workdir = tmp_path_factory.mktemp("hostile")
    try:
        t = Tracker(str(workdir / "template.db"))
        seed(t)
        yield Template(workdir / "template.db", workdir, listings(t), itertools.count())
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def stored_or_unchanged(t: Tracker, template: Template, result: Result, listing: str) -> object:
    """On exit 2, every listing is as before; on exit 0, the listing to check the text in."""
    event(f"exit {result.exit_code}")
    if result.exit_code == 2:
        assert listings(t) == template.before
        return None
    return t.json(*listing.split())


# --- strategies --------------------------------------------------------------

_TRICKY = "\t\n\r\x00\x1b\x7f\x85\x9b\u2028\u202e\u200d\ufeff'\";%{}:-\\ "
_CHARACTERS = st.one_of(
    st.characters(),  # any code point but surrogates, controls included
    st.characters(categories=["Cc"]),
    st.characters(categories=["Cs"]),  # lone surrogates, as from undecodable argv bytes
    st.sampled_from(_TRICKY),
)
_LONG = st.builds(
    lambda char, size: char * size,
    st.sampled_from(["x", "😀", " ", "\n", "\x00"]),
    st.sampled_from(
        [LABEL_LIMIT - 2, LABEL_LIMIT, LABEL_LIMIT + 1, NOTE_LIMIT, NOTE_LIMIT + 1, 20_000]
    ),
)
HOSTILE_TEXT = st.one_of(st.text(_CHARACTERS, max_size=40), st.sampled_from(NASTY), _LONG)
HOSTILE_TOKEN = st.one_of(
    HOSTILE_TEXT,
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.dates(min_value=date(1800, 1, 1), max_value=date(3100, 12, 31)).map(date.isoformat),
    st.sampled_from(["1", "0", "3", "10", "11", "09:30", "24:00", "mild", "xeomin", "today"]),
)


# --- hypothesis: free text round trip -----------------------------------------


@settings(max_examples=40)
@given(provider=HOSTILE_TEXT, lot=HOSTILE_TEXT, note=HOSTILE_TEXT, muscle=HOSTILE_TEXT)
def test_log_stores_free_text_exactly_or_changes_nothing(template, provider, lot, note, muscle):
    site = f"{muscle}:5"
    expect_ok = (
        acceptable(provider, LABEL_LIMIT, multiline=False)
        and acceptable(lot, LABEL_LIMIT, multiline=False)
        and acceptable(note, NOTE_LIMIT)
        and acceptable(site, LABEL_LIMIT, multiline=False)
        and bool(muscle.strip())
    )
    with template.fresh() as t:
        args = [f"--provider={provider}", f"--lot={lot}", f"--note={note}", f"--site={site}"]
        result = run(t, "log", "2026-11-24", "--units=10", *args)
        assert result.exit_code == (0 if expect_ok else 2), result.stderr
        after = stored_or_unchanged(t, template, result, "history")
        if expect_ok:
            stored = after[-1]
            assert stored["provider"] == blank_to_none(provider)
            assert stored["lot"] == blank_to_none(lot)
            assert stored["note"] == blank_to_none(note)
            assert stored["sites"] == [{"muscle": muscle.strip(), "units": 5}]


@settings(max_examples=30)
@given(
    field=st.sampled_from(["provider", "lot", "note", "site"]),
    value=HOSTILE_TEXT,
)
def test_edit_stores_free_text_exactly_or_changes_nothing(template, field, value):
    typed = f"{value}:7" if field == "site" else value
    limit, multiline = (NOTE_LIMIT, True) if field == "note" else (LABEL_LIMIT, False)
    expect_ok = acceptable(typed, limit, multiline) and (field != "site" or bool(value.strip()))
    with template.fresh() as t:
        result = run(t, "edit", "1", f"--{field}={typed}")
        assert result.exit_code == (0 if expect_ok else 2), result.stderr
        after = stored_or_unchanged(t, template, result, "history")
        if expect_ok:
            stored = after[0]
            if field == "site":
                assert stored["sites"] == [{"muscle": value.strip(), "units": 7}]
            else:
                assert stored[field] == blank_to_none(value)


@settings(max_examples=30)
@given(score=st.integers(min_value=0, max_value=10), note=HOSTILE_TEXT)
def test_pain_note_is_stored_exactly_or_nothing_changes(template, score, note):
    with template.fresh() as t:
        result = run(t, "pain", str(score), f"--note={note}")
        assert result.exit_code == (0 if acceptable(note, NOTE_LIMIT) else 2), result.stderr
        after = stored_or_unchanged(t, template, result, "diary")
        if result.exit_code == 0:
            assert (after[-1]["note"], after[-1]["score"]) == (note or None, score)


@settings(max_examples=40)
@given(words=st.lists(HOSTILE_TEXT, min_size=1, max_size=4), note=HOSTILE_TEXT)
def test_effect_text_is_stored_exactly_or_nothing_changes(template, words, note):
    text = " ".join(words)  # `tracker effect dry mouth` is the effect "dry mouth"
    expect_ok = (
        acceptable(text, LABEL_LIMIT, multiline=False)
        and bool(text.strip())
        and acceptable(note, NOTE_LIMIT)
    )
    with template.fresh() as t:
        # "--" so that words like "-x" or "resolve" are the effect, not options.
        result = run(t, "effect", f"--note={note}", "--", *words)
        assert result.exit_code == (0 if expect_ok else 2), result.stderr
        after = stored_or_unchanged(t, template, result, "effects")
        if expect_ok:
            stored = after[-1]
            # The service drops the spaces around the whole description.
            assert stored["text"] == text.strip()
            assert stored["note"] == (note or None)


@settings(max_examples=30)
@given(provider=HOSTILE_TEXT, note=HOSTILE_TEXT)
def test_book_stores_text_exactly_or_changes_nothing(template, provider, note):
    expect_ok = acceptable(provider, LABEL_LIMIT, multiline=False) and acceptable(note, NOTE_LIMIT)
    with template.fresh() as t:
        result = run(t, "book", "2027-03-01", f"--provider={provider}", f"--note={note}")
        assert result.exit_code == (0 if expect_ok else 2), result.stderr
        after = stored_or_unchanged(t, template, result, "appointments --all")
        if expect_ok:
            stored = after[-1]
            assert (stored["provider"], stored["note"]) == (provider or None, note or None)


@settings(max_examples=30)
@given(name=HOSTILE_TEXT)
def test_plan_name_is_stored_or_nothing_changes(template, name):
    with template.fresh() as t:
        result = run(t, "plan", f"--name={name}")
        expect_ok = acceptable(name, LABEL_LIMIT, multiline=False)
        assert result.exit_code == (0 if expect_ok else 2), result.stderr
        after = stored_or_unchanged(t, template, result, "plan")
        if expect_ok:
            # The service drops the spaces around a name; a blank name clears it.
            assert after["name"] == (name.strip() or None)


# --- hypothesis: every other argument ------------------------------------------

V = "\0VALUE"  # where the random value goes (NUL cannot occur in real argv)

TOKEN_POSITIONS: list[tuple[str, ...]] = [
    ("log", "--", V),
    ("log", "2026-11-24", f"--units={V}"),
    ("log", "2026-11-24", f"--product={V}"),
    ("log", "2026-11-24", f"--site={V}"),
    ("edit", "--note=x", "--", V),
    ("edit", "1", f"--date={V}"),
    ("edit", "1", f"--units={V}"),
    ("edit", "1", f"--product={V}"),
    ("delete", "--yes", "--", V),
    ("pain", "--", V),
    ("pain", "3", f"--function={V}"),
    ("pain", "3", f"--date={V}"),
    ("effect", f"--date={V}", "--", "headache"),
    ("effect", f"--severity={V}", "--", "headache"),
    ("effect", "resolve", "--", V),
    ("effect", "resolve", "1", f"--date={V}"),
    ("book", "--", V),
    ("book", "2027-03-01", f"--time={V}"),
    ("cancel", "--", V),
    ("plan", f"--every={V}"),
    ("plan", f"--within={V}"),
    ("diary", f"--since={V}"),
    ("due", f"--within={V}"),
    ("due", "--check", f"--within={V}"),
    ("export", "--format=json", f"--since={V}"),
    ("export", "--format=json", f"--until={V}"),
]


def fill(position: tuple[str, ...], value: str) -> list[str]:
    return [part.replace(V, value) for part in position]


def allowed_exits(position: tuple[str, ...]) -> tuple[int, ...]:
    return (0, 1, 2) if "--check" in position else (0, 2)


@settings(max_examples=250)
@given(position=st.sampled_from(TOKEN_POSITIONS), value=HOSTILE_TOKEN)
def test_any_argument_is_a_result_or_one_line_error(template, position, value):
    with template.fresh() as t:
        state = _file_state(Path(t.db))
        result = run(t, *fill(position, value), allowed=allowed_exits(position))
        event(f"exit {result.exit_code}")
        if result.exit_code == 2:
            # Byte-identical file: stronger than equal listings, and 5 commands faster.
            assert _file_state(Path(t.db)) == state


@pytest.mark.parametrize("value", ["a\nb", "\r", "\u2028", "x" * 5000])
def test_parser_errors_quote_stray_arguments_on_one_short_line(sqlite_tracker, value):
    for args in (("history", value), ("review", value), ("log", f"--{value}")):
        run(sqlite_tracker, *args)


# --- fuzz: the nasty list at every argument position ---------------------------


@dataclass(frozen=True)
class Position:
    args: tuple[str, ...]
    # For free text that each success adds as a new record: what is stored then.
    # (Edits and the plan overwrite; the tests above and below check those.)
    stored: Callable[[str], str | None] | None = None


def _site_muscle(text: str) -> str | None:
    return text.strip() if ":" not in text else None


FUZZ_POSITIONS: list[Position] = [
    Position(("log", V)),
    Position(("log", "{past}", "--units", V)),
    Position(("log", "{past}", "--product", V)),
    Position(("log", "{past}", "--site", V), _site_muscle),
    Position(("log", "{past}", "--provider", V), blank_to_none),
    Position(("log", "{past}", "--lot", V), blank_to_none),
    Position(("log", "{past}", "--note", V), blank_to_none),
    Position(("edit", V, "--note", "x")),
    Position(("edit", "1", "--date", V)),
    Position(("edit", "1", "--units", V)),
    Position(("edit", "1", "--product", V)),
    Position(("edit", "1", "--site", V)),
    Position(("edit", "1", "--provider", V)),
    Position(("edit", "1", "--lot", V)),
    Position(("edit", "1", "--note", V)),
    Position(("pain", V)),
    Position(("pain", "3", "--function", V)),
    Position(("pain", "3", "--date", V)),
    Position(("pain", "3", "--note", V), lambda text: text or None),
    Position(("effect", V), lambda text: text.strip() or None),
    Position(("effect", "dry", V), lambda text: f"dry {text}".strip()),
    Position(("effect", "headache", "--note", V), lambda text: text or None),
    Position(("effect", "headache", "--date", V)),
    Position(("effect", "headache", "--severity", V)),
    Position(("effect", "resolve", V)),
    Position(("effect", "resolve", "1", "--date", V)),
    Position(("book", V)),
    Position(("book", "{future}", "--time", V)),
    Position(("book", "{future}", "--provider", V), lambda text: text or None),
    Position(("book", "{future}", "--note", V), lambda text: text or None),
    Position(("plan", "--every", V)),
    Position(("plan", "--within", V)),
    Position(("plan", "--name", V)),
    Position(("due", "--within", V)),
    Position(("due", "--check", "--within", V)),
    Position(("diary", "--since", V)),
    Position(("export", "--format", "json", "--since", V)),
    Position(("export", "--format", "json", "--until", V)),
    # Last: they remove their targets.
    Position(("cancel", V)),
    Position(("delete", V)),
]


def with_dates(args: tuple[str, ...], number: int) -> tuple[str, ...]:
    """log and book get a date of their own each time, so they never collide."""
    past = (date(1990, 1, 1) + timedelta(days=number)).isoformat()
    future = (date(2027, 3, 1) + timedelta(days=number)).isoformat()
    return tuple(part.replace("{past}", past).replace("{future}", future) for part in args)


def _file_state(path: Path) -> tuple[str, ...]:
    """The database file's bytes: a command that changed nothing left them alone."""
    files = [path, path.with_name(path.name + "-wal")]
    return tuple(hashlib.sha256(f.read_bytes()).hexdigest() for f in files if f.exists())


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _exported(t: Tracker) -> dict[str, object]:
    return json.loads(t.ok("export", "--format", "json").stdout)


def _record_strings(exported: dict[str, object]) -> set[str]:
    """Every text in the records (not in the change log, which copies them)."""
    return set(_strings({key: value for key, value in exported.items() if key != "changes"}))


@pytest.mark.parametrize("position", FUZZ_POSITIONS, ids=lambda p: " ".join(p.args))
def test_nasty_inputs_at_every_argument_position(template, position):
    """Every nasty input at one position, on one seeded SQLite database."""
    with template.fresh() as t:
        path = Path(t.db)
        expected: list[str] = []
        for number, value in enumerate(NASTY):
            args = with_dates(position.args, number)
            state = _file_state(path)
            result = run(t, *fill(args, value), allowed=allowed_exits(args))
            if result.exit_code == 2:
                assert _file_state(path) == state, (args, value[:50])
            elif position.stored is not None and position.stored(value) is not None:
                expected.append(position.stored(value))
        # One export at the end: every text stored on the way is there, unchanged.
        assert set(expected) <= _record_strings(_exported(t))


# --- both backends: nasty text and ids ---------------------------------------------

BACKEND_TEXTS = [
    "a\x00b",
    "caf\udce9",
    "\x1b[31mred",
    "line one\nline two",
    "  padded 😀 👩\u200d👩\u200d👧 e\u0301 \u202eevil\u202c שלום  ",
    "'; DROP TABLE injection_sessions; -- %s %n {} \\x00 \\ \uffff\U0010ffff\u2028",
    "x" * LABEL_LIMIT,
    "x" * (LABEL_LIMIT + 1),
    "n" * NOTE_LIMIT,
]

BACKEND_POSITIONS: list[tuple[Position, int, bool]] = [
    # (position, the field's limit, line breaks allowed)
    (Position(("edit", "1", f"--note={V}"), blank_to_none), NOTE_LIMIT, True),
    (Position(("edit", "1", f"--provider={V}"), blank_to_none), LABEL_LIMIT, False),
    (Position(("pain", "3", f"--note={V}"), lambda text: text or None), NOTE_LIMIT, True),
    (Position(("effect", "--", V), lambda text: text.strip()), LABEL_LIMIT, False),
    (
        Position(("book", "{future}", f"--provider={V}"), lambda text: text or None),
        LABEL_LIMIT,
        False,
    ),
    (Position(("plan", f"--name={V}"), lambda text: text.strip() or None), LABEL_LIMIT, False),
]

ID_CASES = [str(2**31 - 1), str(2**31), str(2**63), str(10**20), "0", "-1", "9" * 5000]


def test_nasty_text_on_both_backends(tracker):
    seed(tracker)
    current = _exported(tracker)
    for (position, limit, multiline), (number, value) in itertools.product(
        BACKEND_POSITIONS, enumerate(BACKEND_TEXTS)
    ):
        args = fill(with_dates(position.args, number), value)
        result = run(tracker, *args)
        expected_exit = 0 if acceptable(value, limit, multiline) else 2
        assert result.exit_code == expected_exit, (args[:3], value[:50], result.stderr)
        after = _exported(tracker)
        if result.exit_code == 2:
            assert after == current, (args[:3], value[:50])
        else:
            assert position.stored is not None
            assert position.stored(value) in _record_strings(after), (args[:3], value[:50])
        current = after


@pytest.mark.parametrize("record_id", ID_CASES)
def test_huge_and_odd_ids_on_both_backends(tracker, record_id):
    create_database(tracker.db)  # an empty database: a reading command creates none
    for args in (
        ("edit", "--note=x", "--", record_id),
        ("effect", "resolve", "--", record_id),
        ("cancel", "--", record_id),
        ("delete", "--yes", "--", record_id),
    ):
        result = run(tracker, *args)
        assert result.exit_code == 2, (args, result.output)
    assert tracker.json("history") == []


@pytest.mark.parametrize(
    "args",
    [
        ("--db", "/tmp/a\x00b", "due"),
        ("export", "-o", "a\x00b.json"),
        ("import", "a\x00b.json"),
        ("demo", "--db", "a\x00b.db"),
    ],
)
def test_a_nul_in_a_file_name_is_a_one_line_error(sqlite_tracker, args):
    sqlite_tracker.fails(*args)


def test_an_output_file_name_that_is_not_utf8_is_written_and_reported(sqlite_tracker, tmp_path):
    name = str(tmp_path) + "/r\udcff.json"  # how Python receives the byte 0xFF in argv
    result = sqlite_tracker.ok("export", "-o", name)
    assert "Wrote" in result.stdout
    assert (tmp_path / "r\udcff.json").exists()
