"""The errors tracker reports to the user as one ``Error: ...`` line."""

from __future__ import annotations


class TrackerError(Exception):
    """A problem the user can fix; its message is shown as one line."""

    exit_code = 2


class InvalidInput(TrackerError):
    """A value the user typed does not make sense (bad date, units, score...)."""


class NotFound(TrackerError):
    """The user named a record that does not exist."""


class Conflict(TrackerError):
    """The request contradicts what is already stored (e.g. two sessions on one date)."""


class DatabaseProblem(TrackerError):
    """The database cannot be opened, is not tracker's, or is from a newer tracker."""
