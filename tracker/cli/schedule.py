"""due and plan."""

from __future__ import annotations

import click

from tracker.cli.context import AppContext, pass_app

EXIT_NEEDS_ATTENTION = 1


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option(
    "--check",
    is_flag=True,
    help="Exit 1 when the injection is due soon, due or overdue (0 otherwise, 2 on error).",
)
@click.option(
    "--within",
    type=click.IntRange(min=0, max=365),
    metavar="DAYS",
    help="Count as 'due soon' this many days ahead (default: the plan's, 14).",
)
@click.pass_context
def due(ctx: click.Context, as_json: bool, check: bool, within: int | None) -> None:
    """When the next injection is due.

    \b
    Examples:
      tracker due
      tracker due --json
      tracker due --check || notify-send "Time to book your injection"
    """
    from tracker.cli import output
    from tracker.services.injections import due_status

    app: AppContext = ctx.obj
    result = due_status(app.database(), app.today(), within)
    click.echo(output.to_json(output.due_json(result)) if as_json else output.due_line(result))
    if check and result.status.needs_attention:
        ctx.exit(EXIT_NEEDS_ATTENTION)


@click.command()
@click.option("--every", type=int, metavar="MONTHS", help="Months between injections (default 3).")
@click.option(
    "--within", type=int, metavar="DAYS", help="Days ahead to start reminding (default 14)."
)
@click.option("--name", help="The patient's name, shown on reports for the doctor.")
@click.option("--json", "as_json", is_flag=True, help="Print the plan as JSON.")
@pass_app
def plan(
    app: AppContext, every: int | None, within: int | None, name: str | None, as_json: bool
) -> None:
    """Show or change the treatment plan agreed with your doctor.

    \b
    Examples:
      tracker plan
      tracker plan --every 3 --within 21 --name "Sam Patient"
    """
    from tracker.cli import output
    from tracker.services.plan import get_plan, update_plan

    changing = every is not None or within is not None or name is not None
    settings = (
        update_plan(app.database(), every, within, name) if changing else get_plan(app.database())
    )
    click.echo(
        output.to_json(output.plan_json(settings)) if as_json else output.plan_text(settings)
    )


COMMANDS = [due, plan]
