"""Free text rules (tracker.domain.text) and the free text in parse_site."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.domain.dosing import Site, parse_site
from tracker.domain.errors import InvalidInput
from tracker.domain.text import (
    LABEL_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    PREVIEW_LENGTH,
    TOKEN_MAX_LENGTH,
    ascii_digits,
    check_token,
    clean_text,
    preview,
)

KEPT = [
    "",
    " ",
    "  spaces at both ends  ",
    "tab\tinside",
    "two\nlines",
    "😀👩\u200d👩\u200d👧",
    "e\u0301",
    "\u202eright-to-left override\u202c",
    "שלום",
    "'); DROP TABLE x;--",
    "\"quoted\" 'single' `back`",
    "%s %n {} {0} \\x00 \\n",
    "\u00a0non-breaking\u3000spaces",
    "\u2028line separator",
    "\ufeffbyte order mark",
    "\uffff\U0010ffff",
]


@pytest.mark.parametrize("text", KEPT)
def test_ordinary_and_exotic_text_is_kept_exactly(text):
    assert clean_text(text, "note") == text


@pytest.mark.parametrize("code", [*range(0x00, 0x09), *range(0x0B, 0x20), 0x7F, *range(0x80, 0xA0)])
def test_control_characters_are_refused_except_tab_and_newline(code):
    with pytest.raises(InvalidInput, match=rf"^the note has .*U\+{code:04X}.* at character 2"):
        clean_text(f"a{chr(code)}b", "note")


@pytest.mark.parametrize("code", [0xD800, 0xDBFF, 0xDC00, 0xDC7F, 0xDFFF])
def test_lone_surrogates_are_refused(code):
    with pytest.raises(InvalidInput, match=rf"unpaired surrogate \(U\+{code:04X}\)"):
        clean_text(f"x{chr(code)}", "provider")


def test_an_undecodable_command_line_byte_is_named_as_a_byte():
    # b"caf\xe9" (Latin-1) read as UTF-8 with surrogateescape is "caf\udce9".
    with pytest.raises(InvalidInput, match=r"byte that is not UTF-8 text \(0xE9\) at character 4"):
        clean_text(b"caf\xe9".decode("utf-8", "surrogateescape"), "note")


def test_the_length_limit_is_inclusive():
    assert clean_text("x" * NOTE_MAX_LENGTH, "note") == "x" * NOTE_MAX_LENGTH
    with pytest.raises(InvalidInput, match=r"^the note is too long \(10,001 characters; at most"):
        clean_text("x" * (NOTE_MAX_LENGTH + 1), "note")
    assert clean_text("😀" * 5, "lot number", max_length=5) == "😀" * 5
    with pytest.raises(InvalidInput, match="lot number is too long"):
        clean_text("😀" * 6, "lot number", max_length=5)


def test_the_limits():
    assert (NOTE_MAX_LENGTH, LABEL_MAX_LENGTH, TOKEN_MAX_LENGTH) == (10_000, 500, 100)


def test_one_line_fields_refuse_line_breaks_but_keep_tabs():
    assert clean_text("Dr\tLee", "provider", multiline=False) == "Dr\tLee"
    with pytest.raises(InvalidInput, match=r"^the provider has a line break at character 3"):
        clean_text("Dr\nLee", "provider", multiline=False)


def test_the_message_is_one_short_line_whatever_the_text():
    text = "\n" * 5000 + "\x1b[2J" + "x" * 100_000
    with pytest.raises(InvalidInput) as error:
        clean_text(text[: NOTE_MAX_LENGTH - 1], "note")
    message = str(error.value)
    assert "\n" not in message and "\x1b" not in message
    assert len(message) < 200
    assert "at character 5001" in message


def test_preview_escapes_and_cuts():
    assert preview("abc") == "'abc'"
    assert preview("a\nb\u2028\u202e\udcff\x00") == "'a\\nb\\u2028\\u202e\\udcff\\x00'"
    assert preview("y" * 1000) == f"'{'y' * PREVIEW_LENGTH}'… (1,000 characters)"
    # The limit is on what is shown: a six-character escape counts as six.
    assert preview("\u2028" * 10) == "'" + "\\u2028" * 6 + "'… (10 characters)"


@pytest.mark.parametrize(
    "text",
    ["2026\t11-24", "24\nNov", "\u202e42", "4\u200b2", "1\u2028", "\x00", "\udcff"],
)
def test_tokens_refuse_every_invisible_or_control_character(text):
    with pytest.raises(InvalidInput, match=r"^the date has"):
        check_token(text, "date")


def test_tokens_have_a_length_limit_and_a_short_quote():
    assert check_token("9" * TOKEN_MAX_LENGTH, "id") == "9" * TOKEN_MAX_LENGTH
    with pytest.raises(InvalidInput) as error:
        check_token("9" * 5000, "id")
    assert str(error.value) == (
        f"the id is too long (5,000 characters; at most 100): '{'9' * 40}'… (5,000 characters)"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("２０２６-１１-２４", "2026-11-24"),
        ("٠٣/٠٤/٢٠٢٦", "03/04/2026"),
        ("०३", "03"),  # Devanagari
        ("24 Nov 2026", "24 Nov 2026"),
        ("²", "²"),  # a superscript is a digit, not a decimal one: left for the parser to refuse
    ],
)
def test_ascii_digits(text, expected):
    assert ascii_digits(text) == expected


# --- the muscle in --site ------------------------------------------------------


def test_a_site_keeps_the_muscle_as_typed_but_the_spaces_around_it():
    assert parse_site("  'links' — Lendenmuskel 😀 : 50 ") == Site("'links' — Lendenmuskel 😀", 50)
    assert parse_site("a:b:5") == Site("a:b", 5)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("left\x00:50", "the site has an invisible or control character \\(U\\+0000\\)"),
        ("left\nlumbar:50", "the site has a line break"),
        ("caf\udce9:50", "the site has a byte that is not UTF-8"),
        ("x" * (LABEL_MAX_LENGTH + 1), "the site is too long"),
        ("left:5\u202e0", "^the number of units for site 'left' has an invisible"),
    ],
)
def test_a_site_refuses_what_cannot_be_stored(text, message):
    with pytest.raises(InvalidInput, match=message):
        parse_site(text)


def test_site_errors_quote_a_long_site_briefly():
    with pytest.raises(InvalidInput) as error:
        parse_site("m" * 450 + ":" + "9" * 40)
    assert len(str(error.value)) < 200
    with pytest.raises(InvalidInput) as error:
        parse_site(" " * 450 + ":")
    assert len(str(error.value)) < 200


# --- properties ---------------------------------------------------------------

_ANY_CHARACTER = st.one_of(st.characters(), st.characters(categories=["Cs"]))


def _storable(text: str) -> bool:
    return not any(
        (ord(char) < 0x20 and char not in "\t\n")
        or 0x7F <= ord(char) <= 0x9F
        or 0xD800 <= ord(char) <= 0xDFFF
        for char in text
    )


@settings(max_examples=300)
@given(text=st.text(_ANY_CHARACTER, max_size=60), multiline=st.booleans())
def test_text_comes_back_unchanged_or_is_refused_in_one_line(text, multiline):
    storable = _storable(text) and (multiline or "\n" not in text)
    try:
        assert clean_text(text, "note", max_length=50, multiline=multiline) == text
    except InvalidInput as error:
        message = str(error)
        assert not storable or len(text) > 50
        assert message.startswith("the note ")
        assert message.isprintable() and len(message) < 200
    else:
        assert storable and len(text) <= 50
