"""changes and undo."""

from __future__ import annotations

import click

from tracker.cli.context import AppContext, pass_app


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the change log as a JSON array.")
@pass_app
def changes(app: AppContext, as_json: bool) -> None:
    """Every change made to your records, oldest first, with the old and new values.

    Nothing is ever lost: editing or deleting keeps the old values here.

    \b
    Examples:
      tracker changes
      tracker changes --json
    """
    from tracker.cli.formatting import to_json
    from tracker.cli.output import changes_table
    from tracker.export.json_export import change as change_json
    from tracker.services.history_log import list_changes

    records = list_changes(app.database())
    if as_json:
        click.echo(to_json([change_json(record) for record in records]))
    else:
        app.heading()
        if not records:
            click.echo("No changes recorded yet.")
        else:
            click.echo(changes_table(records))


@click.command()
@pass_app
def undo(app: AppContext) -> None:
    """Undo the latest change not yet undone (run again to go further back).

    Undoing `log` removes that session; undoing `delete` brings it back. The
    undo itself is recorded in `tracker changes`.

    \b
    Example:
      tracker undo
    """
    from tracker.cli.output import undo_text
    from tracker.services.history_log import undo_latest

    undone = undo_latest(app.database(writes=True), app.today())
    click.echo(undo_text(undone.reverted, app.for_patient()))


COMMANDS = [changes, undo]
