"""import: bring records back from a JSON export."""

from __future__ import annotations

from pathlib import Path

import click

from tracker.cli.context import AppContext, pass_app
from tracker.cli.params import FILE


@click.command(name="import")
@click.argument("source", metavar="FILE", type=FILE)
@pass_app
def import_(app: AppContext, source: Path) -> None:
    """Import a JSON export made by tracker (all or nothing).

    Into an empty database it restores everything; into one with records it
    adds only what is not there yet, so importing twice adds nothing.

    \b
    Example:
      tracker import backup.json
    """
    from tracker.cli import output
    from tracker.services.importer import import_file

    result = import_file(app.database(), source, app.today())
    click.echo(output.import_text(result))


COMMANDS = [import_]
