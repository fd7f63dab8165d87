"""review."""

from __future__ import annotations

import click

from tracker.cli.context import AppContext, pass_app


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print cycles, recommendation and reasons.")
@click.option(
    "--treatment",
    "treatment_name",
    metavar="NAME",
    help="The treatment to review (default: the botulinum toxin one, else the first).",
)
@pass_app
def review(app: AppContext, as_json: bool, treatment_name: str | None) -> None:
    """Is the treatment helping? Each injection cycle's pain response and side
    effects, and what to talk over with your doctor.

    \b
    For each cycle, your average pain in the 2 weeks up to the injection (the
    baseline) is compared with days 14-56 after it: for back pain, relief is
    reported from about 3 weeks to 2 months after an injection. The change is
    shown in % and in points (0-10); classes follow IMMPACT: none (below 10 %),
    minimal (10-29.9 %), moderate (30-49.9 %), substantial (50 % or more).

    \b
    With several treatments, the review is of one of them: the botulinum toxin
    treatment (else the first), or the one named with --treatment. Its cycles
    end at its own next injection; injections of other treatments do not cut them.

    \b
    Examples:
      tracker review
      tracker review --json
      tracker review --treatment B12
    """
    from tracker.cli.formatting import to_json
    from tracker.cli.output import review_json, review_text, reviewed_line
    from tracker.services.review import review_treatment

    result = review_treatment(app.database(), app.today(), treatment_name)
    if as_json:
        data = review_json(result.review)
        if result.several_treatments:
            data = {"treatment": result.treatment, **data}
        click.echo(to_json(data))
    else:
        app.heading()
        if result.several_treatments:
            click.echo(reviewed_line(result))
        click.echo(review_text(result.review, result.long_term, result.product))


COMMANDS = [review]
