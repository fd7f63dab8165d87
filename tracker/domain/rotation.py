"""Which site to inject next, from the treatment's own list of sites (issue 16).

The patient or their clinician writes the list (``--sites "left thigh,right
thigh,abdomen"``); tracker only suggests the site of that list used least
recently. It never chooses sites of its own (clinical.md, "Rules it must NOT
encode": injection sites) and records nothing the patient did not log.

Sites compare as tracker compares names (:func:`tracker.domain.text.same_name_key`):
case and spaces ignored, so ``Left Thigh`` logged is ``left thigh`` of the list.
The suggestion is spelled as the list spells it; a logged site that is not in
the list does not count.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import NamedTuple

from tracker.domain.errors import InvalidInput
from tracker.domain.text import LABEL_MAX_LENGTH, clean_text, preview, same_name_key

# Between the sites of ``--sites`` (issue 16: "SITE,SITE,...").
SITE_SEPARATOR = ","
# A logged site is MUSCLE[:UNITS] (dosing.parse_site): a listed site with a ':'
# could never be logged under its own name.
_UNITS_SEPARATOR = ":"
_EXAMPLE = "'left thigh,right thigh,abdomen'"


class SiteUse(NamedTuple):
    """A site injected on a day (one per site of a logged session)."""

    site: str
    day: date


def parse_sites(text: str) -> tuple[str, ...]:
    """The ``--sites`` text as the rotation's sites, in order, each without its spaces around.

    The whole list is one label (one line, at most LABEL_MAX_LENGTH characters,
    tracker.domain.text). Blank text is no rotation at all, so that an edit can
    remove one; an empty site between commas, a ':' or a site listed twice
    (case and spaces ignored) is refused.
    """
    clean_text(text, "list of sites", LABEL_MAX_LENGTH, multiline=False)
    if not text.strip():
        return ()
    sites = tuple(entry.strip() for entry in text.split(SITE_SEPARATOR))
    seen: dict[str, str] = {}
    for position, site in enumerate(sites, start=1):
        if not site:
            raise InvalidInput(
                f"site {position} of the list is empty; separate the sites with commas, "
                f"like {_EXAMPLE}"
            )
        if _UNITS_SEPARATOR in site:
            raise InvalidInput(
                f"the site {preview(site)} has a ':'; list the sites by name only, like {_EXAMPLE}"
            )
        key = same_name_key(site)
        if key in seen:
            raise InvalidInput(
                f"the site {preview(site)} is listed twice (also as {preview(seen[key])}); "
                "list each site once"
            )
        seen[key] = site
    return sites


def sites_text(sites: Sequence[str]) -> str:
    """The stored and shown form, "left thigh, right thigh", which parse_sites reads back."""
    return f"{SITE_SEPARATOR} ".join(sites)


def next_site(sites: Sequence[str], used: Iterable[SiteUse]) -> str | None:
    """The site of ``sites`` used least recently: never-used sites first, then the one
    whose last use is oldest; the list's order breaks ties. None without a rotation."""
    last_used: dict[str, date] = {}
    for site, day in used:
        key = same_name_key(site)
        if key not in last_used or day > last_used[key]:
            last_used[key] = day

    def staleness(position: int) -> tuple[bool, date, int]:
        day = last_used.get(same_name_key(sites[position]))
        return (day is not None, day or date.min, position)

    if not sites:
        return None
    return sites[min(range(len(sites)), key=staleness)]
