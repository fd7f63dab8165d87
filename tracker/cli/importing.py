"""import: bring records back from a JSON export."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from tracker.cli.context import AppContext, pass_app
from tracker.cli.params import FILE


@click.command(name="import")
@click.argument("source", metavar="FILE", type=FILE)
@click.option(
    "--yes", is_flag=True, help="Let a restore rename and re-plan the patient without asking."
)
@pass_app
def import_(app: AppContext, source: Path, yes: bool) -> None:
    """Import a JSON export made by tracker (all or nothing).

    Into an empty database it restores everything; into one with records it
    adds only what is not there yet, so importing twice adds nothing. A large
    file is read piece by piece, with a progress bar in a terminal.

    Restoring into a patient you named (and who has no records yet) would
    give them the file's name and plan: tracker asks first, and without a
    terminal refuses unless you add --yes.

    \b
    Example:
      tracker import backup.json
    """
    from tracker.cli.output import import_text
    from tracker.cli.progress import progress_bar
    from tracker.services.importer import import_file

    def confirm(question: str) -> bool:
        if yes:
            return True
        if not sys.stdin.isatty():
            return False
        return click.confirm(question, abort=True)

    with progress_bar("Importing", _size(source)) as advance:
        result = import_file(app.database(writes=True), source, app.today(), advance, confirm)
    click.echo(import_text(result, app.for_patient()))


def _size(source: Path) -> int:
    """The bar's length in bytes; 0 (no bar) when the file cannot be looked at, which
    the import itself then reports."""
    try:
        return source.stat().st_size
    except OSError:
        return 0


COMMANDS = [import_]
