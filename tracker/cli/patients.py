"""patients: list, add, rename, remove."""

from __future__ import annotations

import shlex
from typing import Any

import click

from tracker.cli.context import AppContext, pass_app
from tracker.cli.params import INTERVAL, PATIENT_NAME


@click.group(invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON.")
@click.pass_context
def patients(ctx: click.Context, as_json: bool) -> None:
    """The patients in this database; choose one with --patient NAME or TRACKER_PATIENT.

    A patient with an open serious or emergency side effect is marked "!".

    \b
    Examples:
      tracker patients
      tracker patients add "Mum" --every 3
      tracker --patient Mum log today --units 200
      tracker patients rename Mum "Ann Smith"
      tracker patients remove "Ann Smith"
    """
    if ctx.invoked_subcommand is not None:
        return
    from tracker.cli.formatting import to_json
    from tracker.cli.output import patient_json, patients_table
    from tracker.services.patients import list_patients

    app: AppContext = ctx.obj
    rows = list_patients(app.database(), app.today())
    if as_json:
        click.echo(to_json([patient_json(row) for row in rows]))
    else:
        click.echo(patients_table(rows))


@patients.command()
@click.argument("name", type=PATIENT_NAME)
@click.option(
    "--every",
    type=INTERVAL,
    help="Months between injections (default 3), or an interval like 16w or 6m.",
)
@pass_app
def add(app: AppContext, name: str, every: Any) -> None:
    """Add a patient.

    \b
    Examples:
      tracker patients add "Mum" --every 3
      tracker patients add "Dad" --every 16w
    """
    from tracker.services.patients import add_patient

    added = add_patient(app.database(writes=True), name, every)
    if added.replaced_unnamed:
        click.echo(
            f"Added patient '{added.name}'. This new database's unnamed patient, which had no "
            "records, made way for them."
        )
    else:
        # Quoted for the shell: pasting the suggestion must run tracker and nothing else.
        use = shlex.join(["tracker", "--patient", added.name])
        click.echo(f"Added patient '{added.name}'. Use it with: {use} ...")


@patients.command()
@click.argument("old", type=PATIENT_NAME)
@click.argument("new", type=PATIENT_NAME)
@pass_app
def rename(app: AppContext, old: str, new: str) -> None:
    """Rename a patient (their records stay theirs).

    \b
    Example:
      tracker patients rename Mum "Ann Smith"
    """
    from tracker.services.patients import rename_patient

    renamed = rename_patient(app.database(writes=True), old, new)
    click.echo(f"Renamed '{old}' to '{renamed}'.")


@patients.command()
@click.argument("name", type=PATIENT_NAME)
@click.option("--with-records", is_flag=True, help="Also delete all of this patient's records.")
@click.option(
    "--yes", is_flag=True, help="Do not ask for confirmation (needed without a terminal)."
)
@pass_app
def remove(app: AppContext, name: str, with_records: bool, yes: bool) -> None:
    """Remove a patient; refused while they have records unless --with-records.

    `tracker undo` cannot bring a patient back, so this asks first; in a
    script (no terminal) it needs --yes.

    \b
    Examples:
      tracker patients remove "Test Patient"
      tracker patients remove "Ann Smith" --with-records --yes
    """
    from tracker.cli.asking import confirm_irreversible
    from tracker.services.patients import removable_records, remove_patient

    count = removable_records(app.database(writes=True), name, with_records)
    if count:
        question = f"Delete patient '{name}' and all {count} of their records?"
    else:
        question = f"Remove patient '{name}'?"
    confirm_irreversible(
        f"{question} This cannot be undone", "removing a patient cannot be undone", yes
    )
    removed = remove_patient(app.database(writes=True), name, with_records)
    suffix = f" and {removed} record(s)" if removed else ""
    click.echo(f"Removed patient '{name}'{suffix}.")


COMMANDS = [patients]
