"""Reading one JSON document from a file piece by piece, in bounded memory.

The standard library's C scanner (``json.JSONDecoder.raw_decode``) reads one
value at a time out of a sliding window of decoded text; this module walks
the structure around those values itself (the top-level object's members, the
elements of a list), so a list of a million records never exists at once. It
was chosen over ijson by measurement: on a 1,000,000-record export it reads
every record with duplicate keys refused in 2.4 s, where ijson's C backend
needs 3.4 s (1.7 s only when duplicate keys pass silently), and it keeps the
standard messages and line/column positions for invalid JSON.

Memory is the window (about a megabyte) plus the value being read: a single
value larger than the window grows it until the value fits.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

from tracker.domain.errors import InvalidInput
from tracker.domain.text import NOTE_MAX_LENGTH

# Decoded characters asked for at each read. Larger reads gain nothing measurable.
WINDOW = 1 << 20
_SPACE = re.compile(r"[ \t\n\r]*")
_COMMA = re.compile(r"[ \t\n\r]*,[ \t\n\r]*")
# The longest single value (one record, with its sites or logged values) read whole.
# A tracker record is far smaller: a note is at most 10,000 characters (each at
# most 12 when escaped), a label 500. Past this a value is refused unread, so a
# file with a 300 MB note never has it in memory whole.
MAX_VALUE_CHARS = 16 << 20
# A value read this close to the end of the window may have been cut off there
# (a number, a literal, an escape sequence): it is read again with more text.
_CUT_MARGIN = 12

Advance = Callable[[int], None]
ObjectHook = Callable[[list[tuple[str, Any]]], Any]


def _stay_still(_done: int) -> None:
    """No progress to show."""


class JsonStream:
    """Reads JSON text from ``handle`` (UTF-8, optional byte-order mark).

    Problems are raised as InvalidInput naming ``path``: bytes that are not
    UTF-8, invalid JSON (with line and column), numbers too long to read and
    values nested too deeply. ``advance(n)`` is told of every ``n`` bytes read
    and used; the last piece only by ``report_rest``.
    """

    def __init__(
        self,
        handle: BinaryIO,
        path: Path,
        object_hook: ObjectHook,
        advance: Advance = _stay_still,
        window: int = WINDOW,
        max_value: int = MAX_VALUE_CHARS,
    ) -> None:
        self._handle = handle
        self._path = path
        decoder = json.JSONDecoder(object_pairs_hook=object_hook)
        self._decode = decoder.raw_decode
        self._scan = decoder.scan_once
        self._advance = advance
        # utf-8-sig: a byte-order mark added by an editor is harmless.
        self._decoder = codecs.getincrementaldecoder("utf-8-sig")()
        self._text = ""
        self._pos = 0
        self._eof = False
        self._window = window
        self._max_value = max_value
        self._read_size = window
        self._unreported = 0  # bytes read whose text may not be used yet
        # Where the window starts in the file, for messages: lines before it and
        # the column of its first character.
        self._line = 1
        self._column = 1

    # --- structure -------------------------------------------------------------

    def peek(self) -> str | None:
        """The next character after white space, not consumed; None at the end."""
        while True:
            end = _SPACE.match(self._text, self._pos).end()
            if end < len(self._text) or self._eof:
                self._pos = end
                return self._text[end] if end < len(self._text) else None
            self._pos = end
            self._fill()

    def members(self) -> Iterator[str]:
        """The keys of the object that starts here; read each key's value before the next."""
        self._take("{")
        char = self.peek()
        if char == "}":
            self._pos += 1
            return
        while True:
            if char != '"':
                self._fail("Expecting property name enclosed in double quotes")
            key = self.value()
            if self.peek() != ":":
                self._fail("Expecting ':' delimiter")
            self._pos += 1
            yield key
            char = self.peek()
            if char == "}":
                self._pos += 1
                return
            if char != ",":
                self._fail("Expecting ',' delimiter")
            self._pos += 1
            char = self.peek()

    def elements(self) -> Iterator[Any]:
        """The values of the list that starts here, one at a time."""
        self._take("[")
        if self.peek() == "]":
            self._pos += 1
            return
        scan, comma = self._scan, _COMMA.match
        while True:
            # Inline, the common case: a whole value and a comma well inside the
            # window. Anything else (the window's end, invalid JSON) goes the
            # careful way, which reads on or says what is wrong.
            text = self._text
            try:
                value, end = scan(text, self._pos)
            except (StopIteration, ValueError, RecursionError):
                value, end = self.value(), -1
            if end < 0 or end > len(text) - _CUT_MARGIN:
                if end >= 0:
                    value = self.value()  # it may go on in the next piece
            else:
                self._pos = end
                follows = comma(text, end)
                if follows is not None and follows.end() < len(text):
                    self._pos = follows.end()
                    yield value
                    continue
            yield value
            char = self.peek()
            if char == "]":
                self._pos += 1
                return
            if char != ",":
                self._fail("Expecting ',' delimiter")
            self._pos += 1
            self.peek()  # the next value starts where the inline path looks for it

    def skip(self) -> None:
        """Read past the next value, checking it is JSON, without ever holding more of
        it than one scalar: lists and objects are walked member by member."""
        try:
            self._skip()
        except RecursionError:
            raise InvalidInput(
                f"{self._path} is nested too deeply to be a tracker export"
            ) from None

    def _skip(self) -> None:
        char = self.peek()
        if char == "{":
            for _ in self.members():
                self._skip()
        elif char == "[":
            self._pos += 1
            if self.peek() == "]":
                self._pos += 1
                return
            while True:
                self._skip()
                char = self.peek()
                if char == "]":
                    self._pos += 1
                    return
                if char != ",":
                    self._fail("Expecting ',' delimiter")
                self._pos += 1
        else:
            self.value()

    def container(self) -> str | None:
        """ "[" or "{" when a list or an object starts here, else None."""
        char = self.peek()
        return char if char in ("[", "{") else None

    def value(self) -> Any:
        """The next whole value."""
        self.peek()
        while True:
            try:
                value, end = self._decode(self._text, self._pos)
            except json.JSONDecodeError as error:
                if self._eof or not _cut_off(error, len(self._text)):
                    self._fail(error.msg, error.pos)
            except RecursionError:
                raise InvalidInput(
                    f"{self._path} is nested too deeply to be a tracker export"
                ) from None
            except ValueError:
                # Python refuses to read integers of thousands of digits (a guard
                # against denial of service); no tracker export has one.
                raise InvalidInput(f"{self._path} holds a number too long to read") from None
            else:
                # A number near the end of the window may go on in the next piece
                # ("0." then "5": the scanner stops at the "." and returns 0).
                if end <= len(self._text) - _CUT_MARGIN or self._eof:
                    self._pos = end
                    self._read_size = self._window
                    return value
            if len(self._text) - self._pos > self._max_value:
                self._refuse_long_value()
            self._fill(grow=True)

    def end(self) -> None:
        """Nothing but white space may follow the document."""
        if self.peek() is not None:
            self._fail("Extra data")

    def report_rest(self) -> None:
        """Count the last piece read as done: called once the work it fed is done too."""
        if self._unreported:
            self._advance(self._unreported)
            self._unreported = 0

    # --- the window --------------------------------------------------------------

    def _take(self, char: str) -> None:
        if self.peek() != char:
            self._fail("Expecting value")
        self._pos += 1

    def _fill(self, grow: bool = False) -> None:
        """Drop what was used, read the next piece (a larger one when a value did not fit)."""
        if self._eof:
            return
        self._forget(self._pos)
        if grow:
            self._read_size *= 2
        try:
            data = self._handle.read(self._read_size)
        except OSError as error:
            raise InvalidInput(f"cannot read {self._path} ({error.strerror})") from None
        self._eof = not data
        if data:
            # The piece before this one has been read through by now.
            self.report_rest()
            self._unreported = len(data)
        try:
            self._text += self._decoder.decode(data, final=self._eof)
        except UnicodeDecodeError:
            raise InvalidInput(
                f"{self._path} is not a tracker export (it is not UTF-8 text)"
            ) from None

    def _forget(self, used: int) -> None:
        text = self._text
        lines = text.count("\n", 0, used)
        if lines:
            self._line += lines
            self._column = used - text.rfind("\n", 0, used)
        else:
            self._column += used
        self._text = text[used:]
        self._pos = 0

    def _refuse_long_value(self) -> None:
        self._forget(self._pos)
        raise InvalidInput(
            f"{self._path} holds a value of more than {self._max_value:,} characters at line "
            f"{self._line}, column {self._column}, longer than any tracker record (a note "
            f"is at most {NOTE_MAX_LENGTH:,} characters); nothing was imported"
        )

    def _fail(self, message: str, pos: int | None = None) -> None:
        """Invalid JSON: the message names the line and column, counted from 1."""
        at = self._pos if pos is None else pos
        text = self._text
        lines = text.count("\n", 0, at)
        column = at - text.rfind("\n", 0, at) if lines else self._column + at
        raise InvalidInput(
            f"{self._path} is not valid JSON ({message} at line {self._line + lines}, "
            f"column {column})"
        )


def _cut_off(error: json.JSONDecodeError, length: int) -> bool:
    """True when the scanner may have stopped only because the window ends there."""
    # A string that runs to the end of the window is reported at its start.
    return error.msg.startswith("Unterminated string") or error.pos >= length - _CUT_MARGIN
