"""due and plan."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

import click

from tracker.cli.context import AppContext, pass_app
from tracker.cli.params import (
    DATE,
    DAYS,
    INTERVAL,
    NOTE,
    PATIENT_NAME,
    PROVIDER,
    RECORD_ID,
    REMINDER_DAYS,
    TIME,
    TREATMENT_NAME,
)

if TYPE_CHECKING:
    from tracker.domain.schedule import TreatmentDue

EXIT_NEEDS_ATTENTION = 1


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option(
    "--check",
    is_flag=True,
    help="Exit 1 when something needs doing for any treatment: due soon, due or overdue "
    "with no appointment booked, or an appointment missed (0 otherwise, 2 on error).",
)
@click.option(
    "--within",
    type=REMINDER_DAYS,
    metavar="DAYS",
    help="Count as 'due soon' this many days ahead (default: the plan's reminder window, "
    "shown by tracker plan).",
)
@click.option(
    "--treatment",
    type=TREATMENT_NAME,
    metavar="NAME",
    help="Only this treatment (default: every treatment, most urgent first).",
)
@click.option(
    "--all",
    "all_patients",
    is_flag=True,
    help=(
        "One row per patient, with their most urgent treatment: open serious or emergency "
        "side effects first, then overdue (--check: exit 1 if any needs attention)."
    ),
)
@click.pass_context
def due(
    ctx: click.Context,
    as_json: bool,
    check: bool,
    within: int | None,
    treatment: str | None,
    all_patients: bool,
) -> None:
    """When the next injection of each treatment is due, most urgent first.

    \b
    Examples:
      tracker due
      tracker due --json
      tracker due --treatment B12
      tracker due --check || notify-send "Time to book your injection"
      tracker due --all                 every patient, safety and overdue first
    """
    from tracker.cli.due_output import due_treatments_json, due_treatments_text
    from tracker.cli.formatting import to_json
    from tracker.domain.schedule import most_urgent_first
    from tracker.store.quick_due import quick_due_treatments

    app: AppContext = ctx.obj
    if all_patients:
        if treatment is not None:
            raise click.UsageError("--treatment names one patient's treatment; not with --all")
        _due_all(ctx, app, as_json, check, within)
        return
    # The driver-level path answers for a current SQLite file or psycopg database;
    # the full path (SQLAlchemy, migrations, error messages) answers everything else.
    today = app.today()
    quick = quick_due_treatments(app.location, app.patient, today, within)
    if quick is None:
        from tracker.services.due import due_treatments

        treatments = due_treatments(app.database(), today, within)
        whose = app.named_patient()
    else:
        treatments, whose = quick
    several = sum(1 for row in treatments if row.treatment is not None) > 1
    shown = most_urgent_first(treatments if treatment is None else _only(treatments, treatment))
    if as_json:
        click.echo(to_json(due_treatments_json(shown)))
    else:
        if whose:
            click.echo(f"Patient: {whose}")
        click.echo(due_treatments_text(shown, today, several))
    if check and any(row.due.needs_attention for row in shown):
        ctx.exit(EXIT_NEEDS_ATTENTION)


def _only(treatments: list[TreatmentDue], name: str) -> list[TreatmentDue]:
    """The treatment called ``name``; an unknown name is refused, naming them all."""
    from tracker.domain.text import same_name_key
    from tracker.domain.treatments import Treatment, find_treatment

    known = [Treatment(row.treatment, row.product) for row in treatments if row.treatment]
    wanted = same_name_key(find_treatment(known, name).name)
    return [row for row in treatments if row.treatment and same_name_key(row.treatment) == wanted]


def _due_all(
    ctx: click.Context, app: AppContext, as_json: bool, check: bool, within: int | None
) -> None:
    from tracker.cli.due_output import due_all_json_chunks, due_all_table_chunks
    from tracker.store.quick_due import quick_due_all

    rows = quick_due_all(app.location, app.today(), within)
    if rows is None:
        from tracker.services.patients import due_all

        rows = due_all(app.database(), app.today(), within)
    # Written piece by piece: a clinic of 100,000 patients is never one string.
    for chunk in due_all_json_chunks(rows) if as_json else due_all_table_chunks(rows):
        click.echo(chunk, nl=False)
    click.echo()
    if check and any(row.needs_attention for row in rows):
        ctx.exit(EXIT_NEEDS_ATTENTION)


@click.command()
@click.option(
    "--every",
    type=INTERVAL,
    help="Time between injections: 12w, 3m, 6m, 28d... (a bare number is months; "
    "left as it is when not given).",
)
@click.option(
    "--within",
    type=DAYS,
    metavar="DAYS",
    help="Days ahead to start reminding (left as it is when not given).",
)
@click.option(
    "--name", type=PATIENT_NAME, help="The patient's name, shown on reports for the doctor."
)
@click.option(
    "--treatment",
    "treatment_name",
    type=TREATMENT_NAME,
    metavar="NAME",
    help="The treatment whose plan to show or change (default: the only one, or the "
    "pain treatment).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the plan as JSON.")
@pass_app
def plan(
    app: AppContext,
    every: Any,
    within: int | None,
    name: str | None,
    treatment_name: str | None,
    as_json: bool,
) -> None:
    """Show or change the treatment plan agreed with your doctor.

    \b
    Examples:
      tracker plan
      tracker plan --every 3 --within 21 --name "Sam Patient"
      tracker plan --treatment B12 --every 4w
    """
    from tracker.cli.formatting import to_json
    from tracker.cli.output import plan_json, plan_summary
    from tracker.services.plan import get_treatment_plan, update_plan

    changing = every is not None or within is not None or name is not None
    settings = (
        update_plan(app.database(writes=True), every, within, name, treatment_name)
        if changing
        else get_treatment_plan(app.database(), treatment_name)
    )
    if as_json:
        click.echo(to_json(plan_json(settings)))
        return
    if settings.patient_name is None:
        app.heading()  # plan_summary names a named patient itself
    click.echo(plan_summary(settings))


@click.command()
@click.argument("day", metavar="DATE", type=DATE)
@click.option("--time", "time", type=TIME, help="Time of day, HH:MM (24-hour clock).")
@click.option("--provider", type=PROVIDER, help="Who you will see.")
@click.option("--note", type=NOTE, help="Anything worth remembering.")
@click.option("--json", "as_json", is_flag=True, help="Print the appointment as JSON.")
@pass_app
def book(
    app: AppContext,
    day: date,
    time: str | None,
    provider: str | None,
    note: str | None,
    as_json: bool,
) -> None:
    """Book an appointment for your next injection.

    \b
    Examples:
      tracker book 2027-02-23 --time 09:30 --provider "Dr Lee"
      tracker book "23 Feb 2027"
    """
    from tracker.cli.due_output import numbered_appointment
    from tracker.cli.formatting import to_json
    from tracker.export.json_export import appointment as appointment_json
    from tracker.services.appointments import book as book_appointment

    booking = book_appointment(app.database(writes=True), day, time, provider, note, app.today())
    for warning in booking.warnings:
        click.echo(f"Warning: {warning}", err=True)
    if as_json:
        click.echo(to_json(appointment_json(booking.appointment)))
    else:
        click.echo(f"Booked{app.for_patient()}: {numbered_appointment(booking.appointment)}")


@click.command()
@click.option("--all", "include_all", is_flag=True, help="Also past, done and cancelled ones.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@pass_app
def appointments(app: AppContext, include_all: bool, as_json: bool) -> None:
    """Upcoming appointments, each with its id.

    \b
    Examples:
      tracker appointments
      tracker appointments --all --json
    """
    from tracker.cli.formatting import to_json
    from tracker.cli.output import appointments_table
    from tracker.export.json_export import appointment as appointment_json
    from tracker.services.appointments import appointments as list_appointments

    records = list_appointments(app.database(), app.today(), include_all)
    if as_json:
        click.echo(to_json([appointment_json(a) for a in records]))
    else:
        app.heading()
        if not records:
            click.echo("No appointments." if include_all else "No upcoming appointments.")
        else:
            click.echo(appointments_table(records))


@click.command()
@click.argument("appointment_id", metavar="ID", type=RECORD_ID)
@pass_app
def cancel(app: AppContext, appointment_id: int) -> None:
    """Cancel appointment ID (it stays in the list as cancelled).

    \b
    Example:
      tracker cancel 2
    """
    from tracker.cli.due_output import numbered_appointment
    from tracker.services.appointments import cancel as cancel_appointment

    record = cancel_appointment(app.database(writes=True), appointment_id)
    click.echo(f"Cancelled{app.for_patient()}: {numbered_appointment(record)}")


COMMANDS = [due, plan, book, appointments, cancel]
