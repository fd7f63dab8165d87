"""export and demo."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click

from tracker.cli.context import AppContext, pass_app
from tracker.cli.params import DATE, FILE

FORMAT_CHOICES = ["pdf", "html", "csv", "json", "fhir", "ics"]


@click.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMAT_CHOICES, case_sensitive=False),
    help="Default: from the -o file's ending, else json.",
)
@click.option(
    "-o",
    "--output",
    type=FILE,
    help="Write to this file (replaced safely) instead of the screen.",
)
@click.option("--since", type=DATE, help="Only records from this date on.")
@click.option("--until", type=DATE, help="Only records up to this date.")
@pass_app
def export(
    app: AppContext,
    fmt: str | None,
    output: Path | None,
    since: date | None,
    until: date | None,
) -> None:
    """Export your records: a report for the doctor (PDF, HTML), data (CSV, JSON,
    FHIR) or calendar reminders (ICS).

    \b
    Examples:
      tracker export -o report.pdf                 the doctor's one-pager
      tracker export -o report.html
      tracker export --format csv > records.csv
      tracker export -o backup.json                everything, to import later
      tracker export --format fhir -o records.fhir.json
      tracker export -o reminders.ics              next due date and appointments
      tracker export -o 2026.pdf --since 2026-01-01 --until 2026-12-31
    """
    from tracker.export import BINARY_FORMATS, renderer, resolve_format
    from tracker.services.report import build_report

    chosen = resolve_format(fmt, None if output is None else str(output))
    if output is None and chosen in BINARY_FORMATS and sys.stdout.isatty():
        raise click.UsageError(
            f"a {chosen.upper()} file cannot be shown on the screen; "
            f"write it to a file with: tracker export -o report.{chosen}"
        )
    report = build_report(app.database(), app.today(), since, until)
    data = renderer(chosen)(report)
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    from tracker.export.files import write_atomically

    write_atomically(output, data)
    click.echo(f"Wrote {click.format_filename(output)} ({chosen.upper()}, {len(data):,} bytes).")


@click.command()
@click.option(
    "--db",
    "location",
    metavar="PATH",
    help="Database to fill (default: the one tracker uses); it must have no records yet.",
)
@click.pass_context
def demo(ctx: click.Context, location: str | None) -> None:
    """Fill a new database with a clearly labelled sample patient, to try tracker.

    Two years of quarterly injections, a pain diary that responds and wears
    off, and a few side effects: try due, review and export on it at once.

    \b
    Examples:
      tracker demo --db demo.db
      tracker --db demo.db review
    """
    from tracker.services.demo import fill_demo

    app: AppContext = ctx.obj
    if location is not None:
        app = AppContext(location)
    summary = fill_demo(app.database(), app.today())
    click.echo(summary)


COMMANDS = [export, demo]
