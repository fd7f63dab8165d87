"""Asking before what `tracker undo` cannot take back."""

from __future__ import annotations

import sys

import click

from tracker.domain.errors import InvalidInput


def confirm_irreversible(question: str, refusal: str, yes: bool) -> None:
    """Ask ``question`` on a terminal; without one (a script, cron), refuse unless --yes.

    ``refusal`` says what would have happened, e.g. "removing a patient cannot be
    undone"; the error adds how to do it anyway.
    """
    if yes:
        return
    if sys.stdin.isatty():
        click.confirm(question, abort=True)
        return
    raise InvalidInput(
        f"{refusal}, and there is no terminal to ask on; nothing was changed "
        "(add --yes to do it without being asked)"
    )
