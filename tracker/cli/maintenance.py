"""backup, restore and check."""

from __future__ import annotations

from pathlib import Path

import click

from tracker.cli import one_line
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
    if result.damage is not None:
        click.echo(
            f"Warning: the database is damaged, and so is this copy (SQLite's check says: "
            f"{one_line(result.damage)}); run tracker check, and keep your older backups.",
            err=True,
        )


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
    from tracker.store.location import describe

    db = app.database(writes=True)
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


# Findings of one kind listed before the rest are only counted (without --all).
SHOWN_PER_KIND = 10


@click.command()
@click.option("--json", "as_json", is_flag=True, help='Print {"ok": ..., "problems": [...]}.')
@click.option(
    "--all",
    "show_all",
    is_flag=True,
    help=f"List every problem, not the first {SHOWN_PER_KIND} of each kind.",
)
@click.pass_context
def check(ctx: click.Context, as_json: bool, show_all: bool) -> None:
    """Look for damage, and for records that break tracker's rules.

    Shows the first 10 problems of each kind and counts the rest; --all or
    --json lists every one.

    Exit status: 0 when all is well, 1 when a problem was found, 2 when the
    database could not be checked at all.

    \b
    Examples:
      tracker check
      tracker check --all
      tracker check --json
    """
    from tracker.cli.formatting import to_json
    from tracker.services.maintenance import check_database
    from tracker.store.location import describe

    app: AppContext = ctx.obj
    db = app.database()
    report = check_database(db, app.today())
    if as_json:
        click.echo(to_json({"ok": report.ok, "problems": report.problems}))
    elif report.ok:
        click.echo(f"No problems found in {describe(db.url)}.")
    else:
        _list_problems(report.groups, describe(db.url), show_all)
    if not as_json:
        for note in report.notes:
            click.echo(note)
    if not report.ok:
        ctx.exit(EXIT_PROBLEMS_FOUND)


def _list_problems(groups: list[tuple[str, list[str]]], where: str, show_all: bool) -> None:
    count = sum(len(found) for _, found in groups)
    click.echo(f"Found {count:,} problem{'' if count == 1 else 's'} in {where}:")
    left_out = 0
    for _, found in groups:
        shown = found if show_all else found[:SHOWN_PER_KIND]
        for problem in shown:
            click.echo(f"  - {one_line(problem)}")
        if len(found) > len(shown):
            left_out += len(found) - len(shown)
            click.echo(f"  …and {len(found) - len(shown):,} more like the one above.")
    if left_out:
        click.echo(
            f"{left_out:,} problems were counted, not listed; list every one with: "
            f"tracker check --all (or tracker check --json)"
        )


COMMANDS = [backup, restore, check]
