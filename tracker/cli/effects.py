"""effect (record and resolve) and effects."""

from __future__ import annotations

from datetime import date

import click

from tracker.cli.context import AppContext, pass_app
from tracker.cli.params import DATE, EFFECT_TEXT, NOTE, RECORD_ID, SEVERITY


class EffectGroup(click.Group):
    """`tracker effect TEXT` records; `tracker effect resolve ID` is the one subcommand."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or args[0] not in self.commands:
            args = ["record", *args]
        return super().parse_args(ctx, args)


class RecordCommand(click.Command):
    """Shows its usage as `tracker effect TEXT`, the way users type it."""

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        path = ctx.command_path.rsplit(" ", 1)[0]
        formatter.write_usage(path, "TEXT [OPTIONS]")
        formatter.write_usage(path, "resolve ID [--date DATE]", prefix="   or: ")


def _joined_words(ctx: click.Context, param: click.Parameter, words: tuple[str, ...]) -> str:
    """`tracker effect dry mouth` means `tracker effect "dry mouth"`; the limit is on the whole."""
    return EFFECT_TEXT.convert(" ".join(words), param, ctx)


@click.group(cls=EffectGroup)
def effect() -> None:
    """Record a side effect and see what to do about it.

    \b
    Examples:
      tracker effect headache
      tracker effect "trouble swallowing" --severity severe
      tracker effect resolve 3 --date yesterday
    """


@effect.command(name="record", cls=RecordCommand, hidden=True)
@click.argument("text", nargs=-1, required=True, metavar="TEXT", callback=_joined_words)
@click.option("--date", "day", type=DATE, help="When it started (default: today).")
@click.option(
    "--severity",
    type=SEVERITY,
    help="How bad it is, as you would say. Leave it out and none is recorded (not stated).",
)
@click.option("--note", type=NOTE, help="Anything worth remembering.")
@click.option("--json", "as_json", is_flag=True, help="Print the entry with its class and advice.")
@pass_app
def record(
    app: AppContext,
    text: str,
    day: date | None,
    severity: str | None,
    note: str | None,
    as_json: bool,
) -> None:
    """Record a side effect (TEXT, e.g. headache) and show what to do about it.

    TEXT is matched against the label's list of side effects and tells you
    whether it is common (tell your doctor if it bothers you or lasts),
    serious (contact your doctor right away) or an emergency (get help now).
    Mark it gone later with: tracker effect resolve ID [--date DATE]

    \b
    Examples:
      tracker effect headache
      tracker effect "dry mouth" --date yesterday --severity moderate
    """
    from tracker.domain.side_effects import Severity
    from tracker.services.effects import record_effect

    stated = None if severity is None else Severity(severity.lower())
    view = record_effect(
        app.database(writes=True), text, day or app.today(), stated, note, app.today()
    )
    if as_json:
        from tracker.cli.formatting import to_json
        from tracker.cli.output import effect_json

        click.echo(to_json(effect_json(view)))
    else:
        from tracker.cli.confirmations import effect_recorded_text

        click.echo(effect_recorded_text(view, app.for_patient()))


@effect.command()
@click.argument("effect_id", metavar="ID", type=RECORD_ID)
@click.option("--date", "day", type=DATE, help="When it went away (default: today).")
@click.option("--json", "as_json", is_flag=True, help="Print the updated entry as JSON.")
@pass_app
def resolve(app: AppContext, effect_id: int, day: date | None, as_json: bool) -> None:
    """Mark side effect ID as gone.

    \b
    Example:
      tracker effect resolve 3 --date yesterday
    """
    from tracker.cli.formatting import to_json
    from tracker.cli.output import effect_json
    from tracker.domain.wording import long_date
    from tracker.services.effects import resolve_effect

    view = resolve_effect(app.database(writes=True), effect_id, day or app.today(), app.today())
    if as_json:
        click.echo(to_json(effect_json(view)))
    else:
        resolved = view.record.resolved_on
        assert resolved is not None
        click.echo(
            f"Side effect #{effect_id}{app.for_patient()} ({view.record.text}) marked resolved on "
            f"{long_date(resolved)}."
        )


@click.command()
@click.option("--open", "only_open", is_flag=True, help="Only those not marked resolved.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@pass_app
def effects(app: AppContext, only_open: bool, as_json: bool) -> None:
    """List recorded side effects, with the day of the injection cycle each fell on.

    \b
    Examples:
      tracker effects
      tracker effects --open
    """
    from tracker.cli.formatting import to_json
    from tracker.cli.output import effect_json, effects_table
    from tracker.services.effects import list_effects

    views = list_effects(app.database(), app.today(), only_open)
    if as_json:
        click.echo(to_json([effect_json(view) for view in views]))
    else:
        app.heading()
        if not views:
            click.echo("No open side effects." if only_open else "No side effects recorded.")
        else:
            click.echo(effects_table(views))


COMMANDS = [effect, effects]
