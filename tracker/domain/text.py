"""Free text the patient types: notes, names, lot numbers, side effects in their own words.

What the patient typed is their record, so tracker keeps it exactly — any
script, emoji, right-to-left text, quotes, SQL-looking fragments, spaces at
either end — and gives it back byte-for-byte. It refuses only what it cannot
store or show safely:

- control characters (C0, DEL and C1) other than tab and, in notes, line
  breaks: PostgreSQL cannot store NUL at all, and escape sequences such as
  ``ESC [31m`` or a bare carriage return would repaint the terminal when the
  record is shown, hiding or faking what is there;
- lone surrogates: Python's name for bytes in the command line that are not
  UTF-8 (``surrogateescape``); neither database driver can encode them;
- text longer than the field's limit (a guard against pasting a whole file).

Error messages name the field and show at most the first characters of what
was typed, escaped, so the message stays one short line whatever the text.
"""

from __future__ import annotations

import re
import unicodedata

from tracker.domain.errors import InvalidInput

# Limits are tracker's choice, in characters (code points), not clinical figures.
# A note is a paragraph or a few: 10,000 characters is several pages of typing.
NOTE_MAX_LENGTH = 10_000
# Provider, lot number, muscle, patient name and the side effect in the patient's
# words are one-line labels shown in tables and on the doctor's report; 500 is
# far more than any of them needs, yet short enough to keep the report readable.
LABEL_MAX_LENGTH = 500
# Dates, times, units, scores, ids and product names: nothing real comes close.
TOKEN_MAX_LENGTH = 100
# How much of a refused value an error message shows.
PREVIEW_LENGTH = 40

_NEWLINE = "\n"
# C0 controls except tab (0x09) and newline (0x0A), DEL, the C1 block, surrogates.
_FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
# What a one-word value (a date, a number) may not contain: every control,
# line or paragraph separator, invisible format character and surrogate.
_TOKEN_FORBIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
_UNDECODABLE = re.compile("[\ud800-\udfff]")
# surrogateescape maps an undecodable byte 0xXY to U+DCXY (0x80 <= XY <= 0xFF).
_ESCAPED_BYTES = range(0xDC80, 0xDD00)


def clean_text(
    value: str, what: str, max_length: int = NOTE_MAX_LENGTH, *, multiline: bool = True
) -> str:
    """Return ``value`` unchanged if tracker can store it, else raise InvalidInput.

    ``what`` names the field in the message ("note", "provider"). ``multiline``
    allows line breaks (notes); labels shown on one line refuse them.
    """
    if len(value) > max_length:
        raise InvalidInput(
            f"the {what} is too long ({len(value):,} characters; at most {max_length:,})"
        )
    match = _FORBIDDEN.search(value)
    position = match.start() if match else (-1 if multiline else value.find(_NEWLINE))
    if position >= 0:
        raise InvalidInput(_refusal(what, value, position))
    return value


def check_decodable(value: str, what: str) -> str:
    """Refuse only bytes that are not UTF-8 (names, paths: anything else is theirs to choose)."""
    match = _UNDECODABLE.search(value)
    if match:
        raise InvalidInput(_refusal(what, value, match.start()))
    return value


def check_token(value: str, what: str, max_length: int = TOKEN_MAX_LENGTH) -> str:
    """A short one-word value (date, number, id) before its own parser reads it.

    Parsers quote what they could not read; refusing invisible and control
    characters and long values first keeps those messages one short, honest line.
    """
    if len(value) > max_length:
        raise InvalidInput(
            f"the {what} is too long ({len(value):,} characters; at most {max_length:,}): "
            f"{preview(value)}"
        )
    for position, char in enumerate(value):
        if unicodedata.category(char) in _TOKEN_FORBIDDEN_CATEGORIES:
            raise InvalidInput(_refusal(what, value, position))
    return value


def preview(value: str, length: int = PREVIEW_LENGTH) -> str:
    """The start of ``value``, quoted and escaped, safe inside a one-line message.

    Every non-printable character (controls, line separators, direction
    overrides, surrogates) is shown as an escape such as ``\\x1b``, so the
    preview cannot break or repaint the line; ``length`` bounds the escaped
    text, since one escape can take up to ten characters.
    """
    shown: list[str] = []
    used = 0
    for char in value:
        piece = char if char.isprintable() else char.encode("unicode_escape").decode("ascii")
        if used + len(piece) > length:
            return f"'{''.join(shown)}'… ({len(value):,} characters)"
        shown.append(piece)
        used += len(piece)
    return f"'{''.join(shown)}'"


def _refusal(what: str, value: str, position: int) -> str:
    char = value[position]
    code = ord(char)
    where = f"at character {position + 1}"
    if code in _ESCAPED_BYTES:
        problem = (
            f"has a byte that is not UTF-8 text (0x{code - 0xDC00:02X}) {where}; "
            "check your terminal's character encoding"
        )
    elif unicodedata.category(char) == "Cs":
        problem = f"has an unpaired surrogate (U+{code:04X}) {where}"
    elif char == _NEWLINE:
        problem = f"has a line break {where}; write it on one line"
    else:
        problem = f"has an invisible or control character (U+{code:04X}) {where}"
    return f"the {what} {problem}: {preview(value)}"


def same_name_key(name: str) -> str:
    """What two names that are "the same" share: no spaces, no case.

    Two patients, treatments or sites that only the shift key or a space tells
    apart would be mixed up, so tracker takes them for one name.
    """
    return "".join(name.split()).casefold()


def ascii_digits(text: str) -> str:
    """Other scripts' decimal digits (full-width ２０２６, Arabic-Indic ٢٠٢٦) as ASCII ones.

    Python's int() and float() already read such digits as numbers; a date
    reader that only knows 0-9 would let ０３/０４/２０２６ past its check for
    ambiguous all-numeric dates and read it month-first.
    """
    return "".join(str(unicodedata.decimal(char)) if char.isdecimal() else char for char in text)
