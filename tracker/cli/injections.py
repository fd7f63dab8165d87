"""log, edit, delete, history."""

from __future__ import annotations

import sys
from datetime import date
from typing import Any

import click

from tracker.cli.context import AppContext, pass_app
from tracker.cli.params import (
    DATE,
    LOT,
    NOTE,
    PRODUCT,
    PROVIDER,
    RECORD_ID,
    SITE,
    TREATMENT_NAME,
    UNITS,
)
from tracker.domain.products import DEFAULT_PRODUCT, profiles


class ProductOption(click.Option):
    """--product, whose help lists every known product when it is shown
    ("botox, dysport, xeomin, myobloc or other.")."""

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        *first, last = (profile.code for profile in profiles())
        self.help = f"{', '.join(first)} or {last}." if first else f"{last}."
        return super().get_help_record(ctx)


def session_options(editing: bool) -> Any:
    """The options shared by log and edit; edit leaves unset ones unchanged."""

    def decorate(command: Any) -> Any:
        options = [
            click.option(
                "--product",
                cls=ProductOption,
                type=PRODUCT,
                default=None if editing else DEFAULT_PRODUCT.value,
                show_default=not editing,
            ),
            click.option("--units", type=UNITS, help="Total units given in the session."),
            click.option(
                "--site",
                "sites",
                type=SITE,
                multiple=True,
                help='Muscle injected, with units if known: --site "left lumbar paraspinal:50". '
                "Repeat for each site." + (" Replaces all sites." if editing else ""),
            ),
            click.option("--provider", type=PROVIDER, help="Who gave the injections."),
            click.option("--lot", type=LOT, help="The product's lot number."),
            click.option("--note", type=NOTE, help="Anything worth remembering."),
            click.option(
                "--treatment",
                "treatment_name",
                type=TREATMENT_NAME,
                metavar="NAME",
                help="Which treatment the session belongs to (needed when there are several)"
                if not editing
                else "Move the session to this treatment.",
            ),
        ]
        for option in reversed(options):
            command = option(command)
        return command

    return decorate


@click.command()
@click.argument("day", metavar="[DATE]", type=DATE, required=False)
@session_options(editing=False)
@click.option("--json", "as_json", is_flag=True, help="Print the stored session as JSON.")
@click.pass_context
def log(
    ctx: click.Context,
    day: date | None,
    as_json: bool,
    sites: tuple,
    treatment_name: str | None,
    **fields: Any,
) -> None:
    """Record an injection session (DATE defaults to today).

    \b
    Examples:
      tracker log today --units 200
      tracker log 2026-11-24 --units 200 --site "left lumbar paraspinal:100" \\
          --site "right lumbar paraspinal:100" --provider "Dr Lee" --lot C1234
      tracker log today --treatment B12 --site "left deltoid"
    """
    from tracker.domain.records import InjectionDraft
    from tracker.services.injections import log_injection

    app: AppContext = ctx.obj
    # Without --product the session's product is its treatment's (botox for the
    # treatment every patient starts with).
    product_given = ctx.get_parameter_source("product") is not click.core.ParameterSource.DEFAULT
    draft = InjectionDraft(day=day or app.today(), sites=tuple(sites), **fields)
    saved = log_injection(
        app.database(writes=True), draft, app.today(), treatment_name, product_given
    )
    _report_saved(saved, "Logged", as_json, app.for_patient())


@click.command()
@click.argument("session_id", metavar="ID", type=RECORD_ID)
@click.option("--date", "day", type=DATE, help="The corrected date.")
@session_options(editing=True)
@click.option("--json", "as_json", is_flag=True, help="Print the corrected session as JSON.")
@pass_app
def edit(
    app: AppContext,
    session_id: int,
    as_json: bool,
    sites: tuple,
    treatment_name: str | None,
    **fields: Any,
) -> None:
    """Correct an injection session; options you leave out stay as they are.

    \b
    Examples:
      tracker edit 3 --units 150
      tracker edit 3 --date 2026-11-23 --note "rescheduled"
      tracker edit 3 --treatment B12
    """
    from tracker.services.injections import edit_injection

    changes = {key: value for key, value in fields.items() if value is not None}
    if sites:
        changes["sites"] = tuple(sites)
    saved = edit_injection(
        app.database(writes=True), session_id, changes, app.today(), treatment_name
    )
    _report_saved(saved, "Updated", as_json, app.for_patient())


@click.command()
@click.argument("session_id", metavar="ID", type=RECORD_ID)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@pass_app
def delete(app: AppContext, session_id: int, yes: bool) -> None:
    """Delete an injection session logged by mistake (asks first on a terminal).

    \b
    Example:
      tracker delete 3
    """
    from tracker.cli.confirmations import injection_summary
    from tracker.services.injections import delete_injection, get_injection

    if not yes and sys.stdin.isatty():
        record = get_injection(app.database(writes=True), session_id)
        click.confirm(f"Delete injection #{session_id} of {injection_summary(record)}?", abort=True)
    record = delete_injection(app.database(writes=True), session_id)
    click.echo(
        f"Deleted injection #{session_id}{app.for_patient()} of {injection_summary(record)}."
    )


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV with a header row.")
@click.option(
    "--treatment",
    "treatment_name",
    type=TREATMENT_NAME,
    metavar="NAME",
    help="Only this treatment's sessions (default: all treatments).",
)
@pass_app
def history(app: AppContext, as_json: bool, as_csv: bool, treatment_name: str | None) -> None:
    """Every injection session, oldest first.

    With several treatments, each session's treatment is shown.

    \b
    Examples:
      tracker history
      tracker history --csv > injections.csv
      tracker history --treatment B12
    """
    from tracker.cli.formatting import to_json
    from tracker.cli.output import injections_csv
    from tracker.export.json_export import injection as injection_json
    from tracker.services.injections import treatment_history

    if as_json and as_csv:
        raise click.UsageError("choose one of --json and --csv")
    found = treatment_history(app.database(), treatment_name)
    rows = found.rows
    records = [row.record for row in rows]
    # With several treatments and none chosen, each row says whose it is (issue 16).
    named = treatment_name is None and found.treatments > 1
    if as_json:
        click.echo(to_json([_history_json(injection_json(r), r, named) for r in records]))
    elif as_csv:
        click.echo(injections_csv(records, with_treatment=named), nl=False)
    else:
        app.heading()
        if not rows:
            click.echo("No injections logged yet. Record one with: tracker log DATE --units N")
        else:
            click.echo(_history_table(rows, named))


def _history_json(payload: dict[str, Any], record: Any, named: bool) -> dict[str, Any]:
    if named:
        payload["treatment"] = record.treatment
    return payload


def _history_table(rows: list, named: bool = False) -> str:
    from tracker.cli.confirmations import sites_text
    from tracker.cli.formatting import table
    from tracker.domain.dosing import format_units

    headers = ["ID", "DATE", "PRODUCT", "UNITS", "SITES", "PROVIDER", "LOT", "GAP", "NOTE"]
    if named:
        headers.insert(2, "TREATMENT")
    body = [
        [
            str(row.record.id),
            row.record.day.isoformat(),
            *([row.record.treatment or ""] if named else []),
            str(row.record.product),
            "" if row.record.units is None else format_units(row.record.units),
            sites_text(row.record.sites),
            row.record.provider or "",
            row.record.lot or "",
            "" if row.days_since_previous is None else f"{row.days_since_previous} d",
            row.record.note or "",
        ]
        for row in rows
    ]
    return table(headers, body)


def _report_saved(saved: Any, verb: str, as_json: bool, whose: str = "") -> None:
    from tracker.cli.confirmations import injection_summary, sites_text
    from tracker.cli.due_output import due_line
    from tracker.cli.formatting import to_json
    from tracker.domain.wording import iso

    for warning in saved.warnings:
        click.echo(f"Warning: {warning}", err=True)
    if as_json:
        from tracker.export.json_export import injection as injection_json

        payload = injection_json(saved.record)
        payload["next_due"] = iso(saved.due.next_due)
        payload["earliest"] = iso(saved.due.earliest)
        payload["warnings"] = saved.warnings
        if saved.next_site is not None:
            payload["next_site"] = saved.next_site
        click.echo(to_json(payload))
        return
    record = saved.record
    click.echo(f"{verb} injection #{record.id}{whose} on {injection_summary(record)}")
    if record.sites:
        click.echo(f"  sites: {sites_text(record.sites)}")
    for label, value in (("provider", record.provider), ("lot", record.lot), ("note", record.note)):
        if value:
            click.echo(f"  {label}: {value}")
    click.echo(due_line(saved.due))
    if saved.next_site is not None:
        click.echo(f"Next site ({record.treatment}): {saved.next_site}")


COMMANDS = [log, edit, delete, history]
