"""Click parameter types: typed, validated values reach the commands.

Every value typed on the command line passes one of these, so hostile input
(control characters, undecodable bytes, huge numbers, pasted files) ends as a
one-line usage error (exit 2) before any database is opened.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from tracker.domain.errors import InvalidInput
from tracker.domain.schedule import MAX_REMINDER_DAYS
from tracker.domain.text import (
    LABEL_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    check_decodable,
    check_token,
    clean_text,
)

# Record ids are PostgreSQL INTEGER columns; a larger number cannot name a
# record, and SQLite raises OverflowError for one beyond 2**63.
MAX_RECORD_ID = 2**31 - 1


class _DomainParam(click.ParamType):
    """Turns a domain parser's InvalidInput into click's one-line usage error.

    Short values (dates, numbers, names of products) are checked with
    check_token first, so the parser's message, which quotes the value, stays
    one short line.
    """

    what = "value"

    def parse(self, text: str) -> Any:
        raise NotImplementedError

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if not isinstance(value, str):
            return value
        try:
            return self.parse(self.check(value))
        except InvalidInput as error:
            self.fail(str(error), param, ctx)

    def check(self, text: str) -> str:
        # Every parser ignores surrounding whitespace anyway; stripping it here
        # keeps a trailing newline from "$(cat file)" out of the quoted value.
        return check_token(text.strip(), self.what)


class _TokenChecked(click.ParamType):
    """Puts check_token in front of one of click's own types (numbers, choices)."""

    what = "value"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str):
            try:
                value = check_token(value.strip(), self.what)
            except InvalidInput as error:
                self.fail(str(error), param, ctx)
        return super().convert(value, param, ctx)


class DateParam(_DomainParam):
    name = "date"
    what = "date"

    def parse(self, text: str) -> Any:
        from tracker.clock import today
        from tracker.domain.dates import parse_date
        from tracker.domain.text import ascii_digits

        # parse_date's ambiguity check (03/04/2026) only knows ASCII digits.
        return parse_date(ascii_digits(text), today())


class UnitsParam(_DomainParam):
    name = "units"
    what = "number of units"

    def parse(self, text: str) -> Any:
        from tracker.domain.dosing import parse_units

        return parse_units(text)


class SiteParam(_DomainParam):
    name = "muscle[:units]"

    def check(self, text: str) -> str:
        # A site is mostly free text (the muscle); parse_site checks it whole.
        return text

    def parse(self, text: str) -> Any:
        from tracker.domain.dosing import parse_site

        return parse_site(text)


class ProductParam(_DomainParam):
    name = "product"
    what = "product"

    def parse(self, text: str) -> Any:
        from tracker.domain.dosing import parse_product

        return parse_product(text)


class IntervalParam(_DomainParam):
    """``28d``, ``2w``, ``12w``, ``3m``, ``1y``; a bare number is months (issue 16)."""

    name = "interval"
    what = "interval"

    def parse(self, text: str) -> Any:
        from tracker.domain.intervals import parse_interval

        return parse_interval(text)


class SitesParam(_DomainParam):
    """A rotation's sites, "SITE,SITE,..."; blank is none (tracker.domain.rotation)."""

    name = "sites"
    what = "list of sites"

    def check(self, text: str) -> str:
        return text  # parse_sites checks the whole list as one label

    def parse(self, text: str) -> Any:
        from tracker.domain.rotation import parse_sites

        return parse_sites(text)


class ScoreParam(_DomainParam):
    name = "0-10"
    what = "score"

    def parse(self, text: str) -> Any:
        from tracker.domain.scores import parse_score

        return parse_score(text)


class TimeParam(_DomainParam):
    name = "HH:MM"
    what = "time"

    def parse(self, text: str) -> Any:
        from tracker.domain.appointments import parse_time

        return parse_time(text)


class FreeText(_DomainParam):
    """Text kept exactly as typed (see tracker.domain.text), within the field's limit."""

    name = "text"

    def __init__(self, what: str, max_length: int, *, multiline: bool) -> None:
        self.what = what
        self.max_length = max_length
        self.multiline = multiline

    def check(self, text: str) -> str:
        return text  # never stripped: the text is stored byte-for-byte

    def parse(self, text: str) -> Any:
        return clean_text(text, self.what, self.max_length, multiline=self.multiline)


class WholeNumber(_TokenChecked, click.types.IntParamType):
    """A whole number whose range the service checks, with a message in its own words."""

    def __init__(self, what: str) -> None:
        self.what = what


class NumberRange(_TokenChecked, click.IntRange):
    def __init__(self, what: str, min: int, max: int) -> None:
        super().__init__(min=min, max=max)
        self.what = what


class CheckedChoice(_TokenChecked, click.Choice):
    what = "choice"


DATE = DateParam()
TIME = TimeParam()
SCORE = ScoreParam()
SEVERITY = CheckedChoice(["mild", "moderate", "severe"], case_sensitive=False)
UNITS = UnitsParam()
SITE = SiteParam()
PRODUCT = ProductParam()
RECORD_ID = NumberRange("id", min=1, max=MAX_RECORD_ID)
REMINDER_DAYS = NumberRange("number of days", min=0, max=MAX_REMINDER_DAYS)
MONTHS = WholeNumber("number of months")
INTERVAL = IntervalParam()
SITES = SitesParam()
TREATMENT_NAME = FreeText("treatment name", LABEL_MAX_LENGTH, multiline=False)
DAYS = WholeNumber("number of days")
NOTE = FreeText("note", NOTE_MAX_LENGTH, multiline=True)
PROVIDER = FreeText("provider", LABEL_MAX_LENGTH, multiline=False)
LOT = FreeText("lot number", LABEL_MAX_LENGTH, multiline=False)
PATIENT_NAME = FreeText("name", LABEL_MAX_LENGTH, multiline=False)
EFFECT_TEXT = FreeText("side effect", LABEL_MAX_LENGTH, multiline=False)


class DecodableText(click.ParamType):
    """Any text that is UTF-8: a name or a place, checked by what reads it."""

    name = "text"

    def __init__(self, what: str) -> None:
        self.what = what

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str):
            try:
                check_decodable(value, self.what)
            except InvalidInput as error:
                self.fail(str(error), param, ctx)
        return value


class FilePath(click.Path):
    """A file name; a NUL byte (which no file name can hold) is a one-line error.

    Bytes that are not UTF-8 are allowed: such names exist, and messages show
    them escaped (see one_line)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str) and "\x00" in value:
            self.fail("a file name cannot contain a NUL character", param, ctx)
        return super().convert(value, param, ctx)


FILE = FilePath(dir_okay=False, path_type=Path)
FILE_OR_FOLDER = FilePath(path_type=Path)
PATIENT = DecodableText("patient name")
DATABASE = DecodableText("database path")
