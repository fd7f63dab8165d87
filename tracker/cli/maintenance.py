"""backup, restore and check."""

from __future__ import annotations

from pathlib import Path

import click

from tracker.cli.context import AppContext, pass_app
from tracker.cli.params import FILE_OR_FOLDER

EXIT_PROBLEMS_FOUND = 1


@click.command()
@click.argument("target", metavar="[FILE]", required=False, type=FILE_OR_FOLDER)
@pass_app
def backup(app: AppContext, target: Path | None) -> None:
    """Copy your database safely, even while it is in use.

    Without FILE the copy goes beside the database, named with the date and
    time (tracker-backup-20261125-163012.db); a folder as FILE puts it there.
    The copy is readable only by you. Bring it back with: tracker restore FILE.
    For a PostgreSQL database use pg_dump, or tracker export -o backup.json.

    \b
    Examples:
      tracker backup
      tracker backup /media/usb/tracker-backup.db
    """
    from tracker.services.maintenance import backup_database

    result = backup_database(app.database(), target)
    click.echo(f"Backed up {result.source} to {result.path} ({result.size:,} bytes).")


@click.command()
@click.argument("source", metavar="FILE", type=FILE_OR_FOLDER)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@pass_app
def restore(app: AppContext, source: Path, yes: bool) -> None:
    """Replace your database with a backup (asks first; in a script, needs --yes).

    FILE is a copy made by tracker backup. It is checked first: a damaged
    file, one that is not a tracker database or one from a newer tracker is
    refused and nothing changes. Your current database is kept beside it as a
    dated copy (tracker.db.before-restore-...).

    \b
    Example:
      tracker restore tracker-backup-20261125-163012.db
    """
    from tracker.cli.asking import confirm_irreversible
    from tracker.services.maintenance import describe_counts, inspect_backup, restore_database
    from tracker.store.database import describe

    db = app.database()
    facts = inspect_backup(db, source)
    confirm_irreversible(
        f"Replace the records in {describe(db.url)} with the {describe_counts(facts)} "
        f"in {source}? Your current database is kept as a copy first.",
        "a restore cannot be undone with tracker undo",
        yes,
    )
    result = restore_database(db, source)
    click.echo(f"Restored {result.path} from {source} ({describe_counts(result.facts)}).")
    if result.kept is not None:
        click.echo(f"Your previous database was kept as {result.kept}.")
    if result.needs_upgrade:
        click.echo("It was made by an older tracker; it is upgraded the next time you use it.")


@click.command()
@click.option("--json", "as_json", is_flag=True, help='Print {"ok": ..., "problems": [...]}.')
@click.pass_context
def check(ctx: click.Context, as_json: bool) -> None:
    """Look for damage, and for records that break tracker's rules.

    Exit status: 0 when all is well, 1 when a problem was found, 2 when the
    database could not be checked at all.

    \b
    Examples:
      tracker check
      tracker check --json
    """
    from tracker.cli.output import to_json
    from tracker.services.maintenance import check_database
    from tracker.store.database import describe

    app: AppContext = ctx.obj
    db = app.database()
    report = check_database(db, app.today())
    if as_json:
        click.echo(to_json({"ok": report.ok, "problems": report.problems}))
    elif report.ok:
        click.echo(f"No problems found in {describe(db.url)}.")
    else:
        count = len(report.problems)
        click.echo(f"Found {count} problem{'' if count == 1 else 's'} in {describe(db.url)}:")
        for problem in report.problems:
            click.echo(f"  - {problem}")
    if not as_json:
        for note in report.notes:
            click.echo(note)
    if not report.ok:
        ctx.exit(EXIT_PROBLEMS_FOUND)


COMMANDS = [backup, restore, check]
