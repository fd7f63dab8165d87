"""export and demo."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import BinaryIO

import click
from click.core import ParameterSource

from tracker.cli import EXIT_PIPE_CLOSED
from tracker.cli.context import AppContext
from tracker.cli.params import DATABASE, DATE, FILE
from tracker.export import FORMATS

# About a second of writing: a single patient's export shows a bar from here on
# (a clinic's always does). Twenty years of daily diary are 7,400 records.
LONG_EXPORT_RECORDS = 100_000

# Writes the export to a binary stream and returns the number of bytes written.
Write = Callable[[BinaryIO], int]


@click.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS, case_sensitive=False),
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
@click.option(
    "--treatment",
    metavar="NAME",
    help="Only this treatment's injections (the diary and side effects stay). "
    "Default: every treatment.",
)
@click.option(
    "--all",
    "all_patients",
    is_flag=True,
    help="Every patient in one file (JSON or CSV), with a progress bar on a terminal.",
)
@click.pass_context
def export(
    ctx: click.Context,
    fmt: str | None,
    output: Path | None,
    since: date | None,
    until: date | None,
    treatment: str | None,
    all_patients: bool,
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
      tracker export --treatment B12 -o b12.csv    one treatment's injections
      tracker export --all -o clinic.csv           every patient, one file
    """
    from tracker.export import BINARY_FORMATS, STREAMED_FORMATS, resolve_format

    app: AppContext = ctx.obj
    if output is not None:
        from tracker.store.location import refuse_database_file

        refuse_database_file(output, app.database().sqlite_path)
    chosen = resolve_format(fmt, None if output is None else str(output))
    if all_patients:
        _check_all(ctx, chosen, treatment)
    if output is None and chosen in BINARY_FORMATS and sys.stdout.isatty():
        raise click.UsageError(
            f"a {chosen.upper()} file cannot be shown on the screen; "
            f"write it to a file with: tracker export -o report.{chosen}"
        )
    if all_patients:
        _export_clinic(app, chosen, output, since, until)
    elif chosen in STREAMED_FORMATS:
        _export_records(app, chosen, output, Period(since, until, treatment))
    else:
        _export_report(app, chosen, output, Period(since, until, treatment))


@dataclass(frozen=True)
class Period:
    """Which records one patient's export holds: --since, --until, --treatment."""

    since: date | None
    until: date | None
    treatment: str | None


def _check_all(ctx: click.Context, chosen: str, treatment: str | None) -> None:
    from tracker.export import STREAMED_FORMATS

    if treatment is not None:
        # Each patient names their own treatments: one name means one patient.
        raise click.UsageError(
            "--treatment exports one patient's treatment; leave out --all (and name the "
            "patient with --patient NAME)"
        )
    if chosen not in STREAMED_FORMATS:
        raise click.UsageError(
            f"--all works with --format json or csv (one data file for every patient), "
            f"not {chosen}; export {chosen.upper()} one patient at a time with --patient NAME"
        )
    # TRACKER_PATIENT from the environment is a default that --all overrides;
    # --patient typed on the same command line contradicts it.
    root = ctx.find_root()
    if root.get_parameter_source("patient") is ParameterSource.COMMANDLINE:
        raise click.UsageError(
            "--all exports every patient; leave out --patient (or leave out --all "
            "to export that one patient)"
        )


def _export_report(app: AppContext, chosen: str, output: Path | None, period: Period) -> None:
    """The formats built from the whole report (review, due date): made in memory."""
    from tracker.export import renderer
    from tracker.services.report import build_report

    report = build_report(app.database(), app.today(), period.since, period.until, period.treatment)
    data = renderer(chosen)(report)
    size = _emit(output, lambda stream: stream.write(data))
    _tell_written(chosen, output, size, app.named_patient())


def _export_records(app: AppContext, chosen: str, output: Path | None, period: Period) -> None:
    """JSON and CSV of one patient: written while the records are read."""
    from tracker.cli.progress import progress_bar
    from tracker.export import records_writer
    from tracker.services.report import patient_records

    write = records_writer(chosen)
    with patient_records(
        app.database(), app.today(), period.since, period.until, period.treatment
    ) as records:
        count = records.record_count or 0
        total = count if count >= LONG_EXPORT_RECORDS and _bar_fits(output) else 0
        with progress_bar(f"Exporting {count:,} records", total) as advance:
            size = _emit(output, lambda stream: write(records, stream, advance))
    _tell_written(chosen, output, size, app.named_patient())


def _export_clinic(
    app: AppContext, chosen: str, output: Path | None, since: date | None, until: date | None
) -> None:
    """Every patient, streamed; a progress bar on stderr when a person is watching."""
    from tracker.cli.progress import progress_bar
    from tracker.export import clinic_writer
    from tracker.services.report import clinic_records

    write = clinic_writer(chosen)
    with clinic_records(app.database(), app.today(), since, until) as clinic:
        total = clinic.record_count if _bar_fits(output) else 0
        patients = "patient" if clinic.patient_count == 1 else "patients"
        label = f"Exporting {clinic.patient_count:,} {patients}"
        with progress_bar(label, total) as advance:
            size = _emit(output, lambda stream: write(clinic, stream, advance))
    # After the bar has finished its line.
    _tell_written(chosen, output, size)


def _bar_fits(output: Path | None) -> bool:
    # Data scrolling past on the screen is its own progress; a bar would mix into it.
    return output is not None or not sys.stdout.isatty()


def _emit(output: Path | None, write: Write) -> int | None:
    """Bytes written to the file, or None when the data went to stdout."""
    if output is None:
        _to_stdout(write)
        return None
    from tracker.export.files import atomic_file

    with atomic_file(output) as stream:
        return write(stream)


def _tell_written(
    chosen: str, output: Path | None, size: int | None, patient: str | None = None
) -> None:
    if output is not None and size is not None:
        whose = f"{patient}'s records, " if patient else ""
        click.echo(
            f"Wrote {click.format_filename(output)} ({whose}{chosen.upper()}, {size:,} bytes)."
        )


def _to_stdout(write: Write) -> None:
    stream = sys.stdout.buffer
    try:
        write(stream)
        stream.flush()
    except BrokenPipeError:
        # The reader stopped early (`| head`): stop quietly, like any Unix tool.
        # Python would complain again when flushing stdout at exit, so point it
        # at /dev/null first.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(EXIT_PIPE_CLOSED)


@click.command()
@click.option(
    "--db",
    "location",
    metavar="PATH",
    type=DATABASE,
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
        from tracker.store.location import refuse_database_file

        in_use = app.database().sqlite_path
        app = AppContext(location)
        target = app.database().sqlite_path
        if target is not None:
            # The database in use may be filled (it is the default); the files beside it never.
            refuse_database_file(target, in_use, itself=False)
    summary = fill_demo(app.database(writes=True), app.today(), app.location)
    click.echo(summary)


COMMANDS = [export, demo]
