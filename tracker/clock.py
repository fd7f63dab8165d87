"""The one place that knows what day it is."""

from __future__ import annotations

import os
from datetime import date

from tracker.domain.dates import parse_today

TODAY_VARIABLE = "TRACKER_TODAY"


def today() -> date:
    """Today's calendar date, or TRACKER_TODAY when set (tests, demos, screenshots)."""
    override = os.environ.get(TODAY_VARIABLE)
    if override:
        return parse_today(override)
    return date.today()
