"""Products, dose validation and the label's dose and interval warnings.

tracker never chooses or converts a dose (clinical.md, "Rules it must NOT
encode"). It only checks what was recorded against the labelled ceilings and
warns; the session is still stored, because it already happened.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta

from tracker.domain.errors import InvalidInput

# Products, their ceilings and minimum intervals are data in tracker.domain.products.
from tracker.domain.products import (
    DEFAULT_PROFILE,
    DoseLimit,
    LimitScope,
    Product,
    ProductProfile,
    any_profile,
    products,
)
from tracker.domain.text import LABEL_MAX_LENGTH, check_token, clean_text, preview
from tracker.domain.wording import day_count

# A typing guard, not a clinical limit: no product is given in amounts near
# this (Myobloc, the largest, is dosed in thousands of units; clinical.md B).
MAX_RECORDABLE_UNITS = 100_000
# Also a typing guard: units are typed with at most two decimals (12.5, 2.25);
# a smaller positive amount (5e-324) is a slip, and would print as noise.
MIN_RECORDABLE_UNITS = 0.01


# Units are typed with at most a few decimals; differences below this are
# rounding in binary floating point, not a real excess.
UNITS_TOLERANCE = 1e-6


TRAILING_WINDOW = relativedelta(months=3)


@dataclass(frozen=True)
class Site:
    muscle: str
    units: float | None = None


@dataclass(frozen=True)
class DoseRecord:
    """What the warnings need to know about one stored session."""

    day: date
    product: Product | str  # a plain str: a product tracker knows no label rules for
    units: float | None


def parse_product(text: str) -> Product:
    try:
        return Product(text.strip().lower())
    except ValueError:
        choices = ", ".join(p.value for p in products())
        raise InvalidInput(f"unknown product '{text}'; choose one of {choices}") from None


def parse_units(text: str | float, what: str = "units") -> float:
    """A positive, finite number of units ("200", "12.5")."""
    try:
        value = float(text)
    except (TypeError, ValueError):
        raise InvalidInput(f"{what} must be a positive number, not '{text}'") from None
    if not math.isfinite(value) or value <= 0:
        raise InvalidInput(f"{what} must be a positive number, not '{text}'")
    if value < MIN_RECORDABLE_UNITS:
        raise InvalidInput(
            f"{what} of {text} is less than tracker can record (at least {MIN_RECORDABLE_UNITS})"
        )
    if value > MAX_RECORDABLE_UNITS:
        raise InvalidInput(
            f"{what} of {text} is more than tracker can record ({MAX_RECORDABLE_UNITS:,})"
        )
    return value


def parse_site(text: str) -> Site:
    """``MUSCLE[:UNITS]``, e.g. ``left lumbar paraspinal:50``.

    The muscle is kept as typed except for the spaces around it, which only
    separate it from the ':' ("left lumbar paraspinal : 50"). The whole site is
    one line of at most LABEL_MAX_LENGTH characters (tracker.domain.text).
    """
    clean_text(text, "site", LABEL_MAX_LENGTH, multiline=False)
    muscle, separator, units_text = text.rpartition(":")
    if not separator:
        muscle, units_text = text, ""
    muscle = muscle.strip()
    if not muscle:
        raise InvalidInput(
            f"site {preview(text)} has no muscle name; write it like 'left lumbar paraspinal:50'"
        )
    if not units_text.strip():
        if separator:
            raise InvalidInput(f"site {preview(text)} has a ':' but no units after it")
        return Site(muscle)
    site = preview(muscle)
    # parse_units quotes the number it could not read; keep that quote short.
    units = check_token(units_text.strip(), f"number of units for site {site}")
    return Site(muscle, parse_units(units, what=f"units for site {site}"))


def session_units(units: float | None, sites: Sequence[Site]) -> float | None:
    """Check the sites against the total; without a total, the sites' sum is the total.

    The sum only stands in for the total when every site has units: otherwise it
    would understate the dose.
    """
    site_units = [site.units for site in sites if site.units is not None]
    site_total = math.fsum(site_units)
    if units is not None:
        if site_total > units + UNITS_TOLERANCE:
            raise InvalidInput(
                f"the sites add up to {format_units(site_total)} units, "
                f"more than the session's {format_units(units)}"
            )
        return units
    if sites and len(site_units) == len(sites):
        return site_total
    return None


def format_units(value: float) -> str:
    return f"{value:g}" if value < 1e6 else f"{value:,.0f}"


def interval_warnings(
    day: date, other_days: Iterable[date], product: ProductProfile = DEFAULT_PROFILE
) -> list[str]:
    """Warn when this session is closer than the product's label minimum to its neighbours."""
    minimum = product.min_interval
    if minimum is None:
        return []
    others = sorted(set(other_days))
    before = [d for d in others if d < day]
    after = [d for d in others if d > day]
    label = (
        f"the label's minimum interval is {product.min_interval_long_text}. "
        "Please check with your doctor."
    )
    warnings = []
    if before and day - before[-1] < minimum:
        gap = day_count((day - before[-1]).days)
        warnings.append(
            f"this session is {gap} after the previous one ({before[-1].isoformat()}); {label}"
        )
    if after and after[0] - day < minimum:
        gap = day_count((after[0] - day).days)
        warnings.append(
            f"this session is {gap} before the next one ({after[0].isoformat()}); {label}"
        )
    return warnings


def dose_warnings(candidate: DoseRecord, others: Iterable[DoseRecord]) -> list[str]:
    """Warn when a labelled ceiling is exceeded; products are never added together."""
    limit = any_profile(candidate.product).dose_limit
    if limit is None or candidate.units is None:
        return []
    if limit.scope is LimitScope.SESSION:
        if candidate.units > limit.max_units:
            where = f"in the session of {candidate.day.isoformat()}"
            return [_over_limit(candidate.product, limit, candidate.units, where)]
        return []
    same_product = [r for r in others if r.product == candidate.product] + [candidate]
    return _trailing_window_warnings(limit, candidate, same_product)


def _trailing_window_warnings(
    limit: DoseLimit, candidate: DoseRecord, records: Sequence[DoseRecord]
) -> list[str]:
    # Every window that contains the candidate: the one ending at the candidate
    # and those ending at later sessions within 3 months (a back-filled session
    # can push a later window over the limit).
    window_ends = sorted(
        {
            r.day
            for r in records
            if candidate.day <= r.day and r.day - TRAILING_WINDOW < candidate.day
        }
    )
    warnings = []
    for end in window_ends:
        start = end - TRAILING_WINDOW
        # fsum: exact and order-independent, so 165.9 + 130.3 + 103.8 is 400, not more.
        total = math.fsum(r.units or 0 for r in records if start < r.day <= end)
        if total > limit.max_units + UNITS_TOLERANCE:
            where = f"in the 3 months up to {end.isoformat()} (after {start.isoformat()})"
            warnings.append(_over_limit(candidate.product, limit, total, where))
    return warnings


def _over_limit(product: Product | str, limit: DoseLimit, total: float, where: str) -> str:
    return (
        f"{format_units(total)} units of {product} {where} is above the labelled "
        f"maximum of {format_units(limit.max_units)} units per {limit.scope.value} "
        f"({limit.label}). Please check with your doctor."
    )
