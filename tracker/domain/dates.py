"""Reading the dates patients type.

Patients write dates in many ways. We accept ISO (``2026-11-24``), ``today``,
``yesterday`` and written-out months (``24 Nov 2026``, ``Nov 24, 2026``), and
refuse purely numeric forms such as ``03/04/2026`` because they mean 3 April
in Europe and 4 March in the USA: a wrong injection date shifts every reminder.
"""

from __future__ import annotations

import re
import warnings
from contextlib import suppress
from datetime import date, datetime, timedelta

from tracker.domain.errors import InvalidInput
from tracker.domain.text import ascii_digits

_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_NUMERIC_ONLY = re.compile(r"^[0-9\s./\-]+$")
# 03/04/2026, 3.4.26, 1 1 2026: read as day-month or month-day depending on the country.
_DAY_MONTH_YEAR = re.compile(r"[0-9]{1,2}[\s./-]+[0-9]{1,2}[\s./-]+[0-9]{2,4}")
_PLAIN_NUMBER = re.compile(r"-?[0-9]+")
_ISO_HINT = "YYYY-MM-DD, e.g. 2026-11-24"
# The range of dates tracker keeps. Nobody's treatment record starts before
# 1900, and stopping well short of Python's year 9999 leaves room for every
# date computed from a stored one (due dates, windows) without overflow.
FIRST_DATE = date(1900, 1, 1)
LAST_DATE = date(2999, 12, 31)
_RELATIVE_DAYS = {"today": 0, "yesterday": 1}
# Two defaults that differ in every field: a field the text leaves out shows
# up as a difference, so "Nov 2026" (no day) is refused instead of guessed.
_PROBE_DEFAULTS = (datetime(2001, 1, 1), datetime(2002, 2, 2))


def parse_date(text: str, today: date) -> date:
    """Turn what the user typed into a calendar date, or raise InvalidInput."""
    # Full-width or Arabic-Indic digits are still digits: "０３/０４/２０２６" is as
    # ambiguous as "03/04/2026" and must be refused the same way.
    cleaned = ascii_digits(text.strip())
    lowered = cleaned.lower()
    if lowered in _RELATIVE_DAYS:
        return today - timedelta(days=_RELATIVE_DAYS[lowered])
    return _in_range(_parse_text(cleaned), cleaned)


def _parse_text(cleaned: str) -> date:
    if _ISO_DATE.match(cleaned):
        return _parse_iso(cleaned)
    if not cleaned:
        raise InvalidInput("no date given; write it like 2026-11-24")
    if _NUMERIC_ONLY.match(cleaned):
        raise InvalidInput(f"{_what_is_wrong_with_numbers(cleaned)}; write the date as {_ISO_HINT}")
    return _parse_written(cleaned)


def _what_is_wrong_with_numbers(cleaned: str) -> str:
    """Why an all-numeric text other than ISO is refused, in its own words."""
    if _DAY_MONTH_YEAR.fullmatch(cleaned):
        return f"'{cleaned}' is ambiguous (day and month could be swapped)"
    if _PLAIN_NUMBER.fullmatch(cleaned):
        return f"'{cleaned}' is a number, not a date"
    return f"cannot read '{cleaned}' as a date"


def _parse_iso(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"'{text}' is not a real calendar date") from None


def _in_range(day: date, text: str) -> date:
    if not FIRST_DATE <= day <= LAST_DATE:
        raise InvalidInput(
            f"'{text}' is outside the dates tracker keeps "
            f"({FIRST_DATE.isoformat()} to {LAST_DATE.isoformat()})"
        )
    return day


def _parse_written(text: str) -> date:
    # Imported here: dateutil's parser is slow to load, and `tracker due` never needs it.
    from dateutil import parser as dateutil_parser

    try:
        with warnings.catch_warnings():
            # "24 Nov 2026 EST": the time zone does not matter for a calendar date.
            warnings.simplefilter("ignore", dateutil_parser.UnknownTimezoneWarning)
            first, second = (dateutil_parser.parse(text, default=d) for d in _PROBE_DEFAULTS)
    except (ValueError, OverflowError):
        raise InvalidInput(
            f"cannot read '{text}' as a date; write it like 2026-11-24 or 24 Nov 2026"
        ) from None
    if first.date() != second.date():
        raise InvalidInput(
            f"'{text}' is not a full date (day, month and year); write it like 2026-11-24"
        )
    return first.date()


def parse_today(text: str) -> date:
    """Read the TRACKER_TODAY override, which must be a real ISO date."""
    if _ISO_DATE.match(text.strip()):
        with suppress(ValueError):
            day = date.fromisoformat(text.strip())
            if FIRST_DATE <= day <= LAST_DATE:
                return day
    raise InvalidInput(f"TRACKER_TODAY must be a date like 2026-11-24, not '{text}'")


def not_in_future(day: date, today: date, what: str, hint: str = "") -> date:
    """Refuse a date after today for things that have already happened."""
    if day > today:
        suffix = f"; {hint}" if hint else ""
        raise InvalidInput(f"{what} {day.isoformat()} is in the future{suffix}")
    return day
