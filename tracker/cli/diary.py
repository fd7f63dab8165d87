"""pain and diary."""

from __future__ import annotations

from datetime import date

import click

from tracker.cli.context import AppContext, pass_app
from tracker.cli.params import DATE, NOTE, SCORE


@click.command(context_settings={"ignore_unknown_options": True})
@click.argument("score", type=SCORE)
@click.option("--date", "day", type=DATE, help="The day it was (default: today).")
@click.option(
    "--function",
    type=SCORE,
    help="How much pain got in the way of daily activities, 0 (not at all) to 10 (completely).",
)
@click.option("--note", type=NOTE, help="Anything worth remembering.")
@click.option("--json", "as_json", is_flag=True, help="Print the stored entry as JSON.")
@pass_app
def pain(
    app: AppContext,
    score: int,
    day: date | None,
    function: int | None,
    note: str | None,
    as_json: bool,
) -> None:
    """Add a pain-diary entry: SCORE from 0 (no pain) to 10 (worst imaginable).

    Several entries on one day are all kept; the review uses the day's average.

    \b
    Examples:
      tracker pain 6
      tracker pain 4 --function 3 --note "walked 30 minutes"
      tracker pain 7 --date yesterday
    """
    from tracker.cli.confirmations import pain_text
    from tracker.domain.wording import long_date
    from tracker.services.diary import add_pain

    record = add_pain(
        app.database(writes=True), day or app.today(), score, function, note, app.today()
    )
    if as_json:
        from tracker.cli.formatting import to_json
        from tracker.export.json_export import pain as pain_json

        click.echo(to_json(pain_json(record)))
    else:
        click.echo(f"Noted pain {pain_text(record)}{app.for_patient()} on {long_date(record.day)}.")


@click.command()
@click.option("--since", type=DATE, help="Only entries from this date on.")
@click.option("--json", "as_json", is_flag=True, help="Print the entries as a JSON array.")
@pass_app
def diary(app: AppContext, since: date | None, as_json: bool) -> None:
    """The pain diary, with a bar per week so the trend shows at a glance.

    \b
    Examples:
      tracker diary
      tracker diary --since 2026-09-01
      tracker diary --json
    """
    from tracker.cli.formatting import to_json
    from tracker.cli.output import diary_text
    from tracker.export.json_export import pain as pain_json
    from tracker.services.diary import pain_entries

    entries = pain_entries(app.database(), since)
    if as_json:
        click.echo(to_json([pain_json(entry) for entry in entries]))
    else:
        app.heading()
        if not entries:
            click.echo("The diary is empty. Add today's pain with: tracker pain SCORE")
        else:
            click.echo(diary_text(entries))


COMMANDS = [pain, diary]
