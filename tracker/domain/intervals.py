"""How long between two injections of a treatment: ``28d``, ``2w``, ``12w``, ``3m``, ``1y``.

An :class:`Interval` is a whole number of days, weeks, calendar months or
calendar years, from 1 day to 2 years (issue 16). Days and weeks are plain day
arithmetic; months and years are calendar months, month-end safe, exactly as
the schedule has always counted them (:func:`tracker.domain.schedule.next_due_date`:
30 Nov + 3 months is 28 Feb). ``12w`` and ``84d`` are different intervals that
always give the same date; ``3m`` is a different one again (89 to 92 days).

What :func:`parse_interval` reads, case and spaces around it ignored:

- a whole number and a unit, with or without a space: ``28d``, ``12 w``, ``3M``;
- the unit as a letter, a word or its plural: ``d``/``day``/``days``,
  ``w``/``week``/``weeks``, ``m``/``month``/``months``, ``y``/``year``/``years``;
- a bare number, which is months, as ``plan --every 3`` has always meant;
- digits of other scripts and full-width characters (``３ｍ``), read as ASCII.

Nothing else: no fractions (``2.5m``), no signs (``+3m``), no sums (``1y6m``),
no ``every`` in front. The stored form, :attr:`Interval.text` (``"12w"``,
``"3m"``), reads back as the same interval.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from tracker.domain.errors import InvalidInput
from tracker.domain.products import ProductProfile
from tracker.domain.schedule import (
    DEFAULT_INTERVAL_MONTHS,
    MAX_INTERVAL_MONTHS,
    below_minimum,
    next_due_date,
    shortest_span,
)
from tracker.domain.text import ascii_digits, check_token, preview


class IntervalUnit(StrEnum):
    """A unit, by the letter of its stored form."""

    DAYS = "d"
    WEEKS = "w"
    MONTHS = "m"
    YEARS = "y"

    @property
    def word(self) -> str:
        """ "week": the unit's name, singular."""
        return _WORDS[self]


_WORDS = {
    IntervalUnit.DAYS: "day",
    IntervalUnit.WEEKS: "week",
    IntervalUnit.MONTHS: "month",
    IntervalUnit.YEARS: "year",
}
# Units of a fixed number of days, and units of calendar months.
_DAYS_PER_UNIT = {IntervalUnit.DAYS: 1, IntervalUnit.WEEKS: 7}
_MONTHS_PER_UNIT = {IntervalUnit.MONTHS: 1, IntervalUnit.YEARS: 12}

# Issue 16: intervals run "from 1 day to 2 years". Two years are 24 calendar
# months (schedule.MAX_INTERVAL_MONTHS, the plan's limit until now); in days,
# two years of 365 days, the shortest 24 calendar months can be, so an interval
# in days or weeks is never longer than one in months or years can be.
MAX_INTERVAL_DAYS = 730
MAX_COUNT: dict[IntervalUnit, int] = {
    IntervalUnit.DAYS: MAX_INTERVAL_DAYS,
    IntervalUnit.WEEKS: MAX_INTERVAL_DAYS // 7,
    IntervalUnit.MONTHS: MAX_INTERVAL_MONTHS,
    IntervalUnit.YEARS: MAX_INTERVAL_MONTHS // 12,
}

# What a user may type after the number; nothing is months (a bare number).
_UNIT_NAMES: dict[str, IntervalUnit] = {"": IntervalUnit.MONTHS} | {
    name: unit for unit in IntervalUnit for name in (unit.value, unit.word, f"{unit.word}s")
}
_TYPED = re.compile(r"(-?[0-9]+)\s*([a-z]*)")
_FORMS = "like 28d, 2w, 12w, 3m, 6m or 1y (a bare number is months)"
_LIMITS = "from 1 day to 2 years (at most {}, {}, {} or {})".format(
    *(f"{MAX_COUNT[unit]}{unit.value}" for unit in IntervalUnit)
)


def _check_range(count: int, unit: IntervalUnit, shown: str) -> None:
    if not 1 <= count <= MAX_COUNT[unit]:
        raise InvalidInput(f"the interval must be {_LIMITS}, not {shown}")


@dataclass(frozen=True)
class Interval:
    """``count`` days, weeks, months or years; building one out of range is InvalidInput."""

    count: int
    unit: IntervalUnit

    def __post_init__(self) -> None:
        if isinstance(self.count, bool) or not isinstance(self.count, int):
            raise TypeError(f"an interval counts whole units, not {self.count!r}")
        # Interval(3, "m") is Interval(3, IntervalUnit.MONTHS), as read from storage.
        object.__setattr__(self, "unit", IntervalUnit(self.unit))
        _check_range(self.count, self.unit, f"'{self.text}'")

    @property
    def text(self) -> str:
        """The stored form, "12w", which :func:`parse_interval` reads back."""
        return f"{self.count}{self.unit.value}"

    def __str__(self) -> str:
        return self.text

    @property
    def words(self) -> str:
        """ "12 weeks", "1 month": the count always said (wording.every_text drops a 1)."""
        word = self.unit.word
        return f"1 {word}" if self.count == 1 else f"{self.count} {word}s"

    @property
    def months(self) -> int | None:
        """Calendar months (a year is 12); None for days and weeks."""
        per_unit = _MONTHS_PER_UNIT.get(self.unit)
        return None if per_unit is None else self.count * per_unit

    @property
    def days(self) -> int | None:
        """Days, for days and weeks; None for months and years, whose length varies."""
        per_unit = _DAYS_PER_UNIT.get(self.unit)
        return None if per_unit is None else self.count * per_unit

    def after(self, day: date) -> date:
        """The date one interval after ``day``: the due date after an injection on ``day``."""
        if self.months is not None:
            return next_due_date(day, self.months)
        return day + self.shortest_span

    @property
    def shortest_span(self) -> timedelta:
        """The fewest days from a date to :meth:`after` it (3 months: 89 days, 1 Feb-1 May)."""
        if self.months is not None:
            return shortest_span(self.months)
        assert self.days is not None  # every unit is of months or of days
        return timedelta(days=self.days)


# The interval tracker has always used (3 calendar months, the toxins' default).
DEFAULT_INTERVAL = Interval(DEFAULT_INTERVAL_MONTHS, IntervalUnit.MONTHS)


def parse_interval(text: str) -> Interval:
    """What a user typed (``--every 12w``), as an interval; see the module for what is read."""
    typed = check_token(text.strip(), "interval")
    if not typed:
        raise InvalidInput(
            f"the interval is empty; write a whole number of days, weeks, months or years, {_FORMS}"
        )
    readable = ascii_digits(unicodedata.normalize("NFKC", typed)).casefold()
    match = _TYPED.fullmatch(readable)
    unit = _UNIT_NAMES.get(match.group(2)) if match else None
    if match is None or unit is None:
        raise InvalidInput(
            "the interval must be a whole number of days, weeks, months or years, "
            f"{_FORMS}, not {preview(typed)}"
        )
    count = int(match.group(1))
    _check_range(count, unit, preview(typed))
    return Interval(count, unit)


def stored_interval(text: str) -> Interval:
    """An interval as stored ("3m", "12w"). One no command could have stored (a hand
    edit) is a ValueError, which the CLI reports as a stored value to find with
    `tracker check`, not as something the user typed."""
    try:
        return parse_interval(text)
    except InvalidInput as problem:
        raise ValueError(f"the stored interval {text!r}: {problem}") from None


def shortest_allowed(unit: IntervalUnit, product: ProductProfile) -> Interval | None:
    """The shortest interval in ``unit`` that never comes before the label's minimum
    (12w, 84d, 3m or 1y for a botulinum toxin); None when none up to 2 years does."""
    minimum = product.min_interval
    for count in range(1, MAX_COUNT[unit] + 1):
        interval = Interval(count, unit)
        if minimum is None or interval.shortest_span >= minimum:
            return interval
    return None


def check_minimum(interval: Interval, product: ProductProfile) -> None:
    """Refuse an interval that could put a due date before the product's label minimum.

    A product without a label minimum accepts every interval. The message is the
    schedule's (schedule.check_interval), suggesting the shortest interval allowed
    in the unit the user chose.
    """
    minimum = product.min_interval
    if minimum is None or interval.shortest_span >= minimum:
        return
    allowed = shortest_allowed(interval.unit, product)
    choose = product.min_interval_text if allowed is None else allowed.words
    raise below_minimum(interval.words, product, choose)
