"""treatments: list, add, rename, edit, remove (issue 16)."""

from __future__ import annotations

from typing import Any

import click

from tracker.cli.context import AppContext, pass_app
from tracker.cli.params import INTERVAL, REMINDER_DAYS, SITES, TREATMENT_NAME

# How `tracker treatments` words a Due's status.
STATUS_WORDS = {
    "none": "nothing logged",
    "not_due": "not due",
    "due_soon": "due soon",
    "due": "due today",
    "overdue": "overdue",
}


@click.group(invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Print the list as JSON.")
@click.pass_context
def treatments(ctx: click.Context, as_json: bool) -> None:
    """The current patient's treatments, each on its own schedule.

    Intervals are written 28d, 2w, 12w, 3m, 6m or 1y (a bare number is months).

    \b
    Examples:
      tracker treatments
      tracker treatments add B12 --product hydroxocobalamin --every 4w --within 3
      tracker treatments add biologic --product adalimumab --every 2w \\
          --sites "left thigh,right thigh,abdomen"
      tracker treatments edit B12 --every 1m
      tracker treatments rename B12 "vitamin B12"
      tracker treatments remove "vitamin B12"
    """
    if ctx.invoked_subcommand is not None:
        return
    from tracker.cli.formatting import to_json
    from tracker.services.treatments import list_treatments

    app: AppContext = ctx.obj
    views = list_treatments(app.database(), app.today())
    if as_json:
        click.echo(to_json([_view_json(view) for view in views]))
        return
    app.heading()
    if not views:
        click.echo("No treatments yet. Add one with: tracker treatments add NAME --product PRODUCT")
        return
    click.echo(_table(views))


def _view_json(view: Any) -> dict[str, Any]:
    from tracker.domain.rotation import sites_text
    from tracker.domain.wording import iso

    treatment, due = view.treatment, view.due
    return {
        "treatment": treatment.name,
        "product": treatment.product,
        "every": treatment.interval.text,
        "within_days": treatment.within_days,
        "sites": sites_text(treatment.sites) if treatment.sites else None,
        "sessions": view.sessions,
        "last_injection": iso(due.last_injection),
        "next_due": iso(due.next_due),
        "earliest": iso(due.earliest),
        "days_left": due.days_left,
        "status": due.status.value,
        "next_site": view.next_site,
    }


def _table(views: list[Any]) -> str:
    from tracker.cli.formatting import table
    from tracker.domain.wording import iso

    rotation = any(view.treatment.sites for view in views)
    headers = ["TREATMENT", "PRODUCT", "EVERY", "LAST", "NEXT DUE", "STATUS"]
    headers += ["NEXT SITE"] if rotation else []
    rows = []
    for view in views:
        treatment, due = view.treatment, view.due
        row = [
            treatment.name,
            treatment.product,
            treatment.interval.words,
            iso(due.last_injection) or "",
            iso(due.next_due) or "",
            STATUS_WORDS.get(due.status.value, due.status.value),
        ]
        rows.append(row + ([view.next_site or ""] if rotation else []))
    return table(headers, rows)


def _say_changed(verb: str, changed: Any, whose: str) -> None:
    from tracker.domain.rotation import sites_text
    from tracker.domain.text import preview
    from tracker.services.treatments import no_rules_note

    treatment = changed.treatment
    if changed.unknown_product is not None:
        click.echo(f"Note: {no_rules_note(changed.unknown_product)}.", err=True)
    window = f"reminders {treatment.within_days} days before"
    click.echo(
        f"{verb} treatment {preview(treatment.name)}{whose}: {treatment.product} "
        f"every {treatment.interval.words}, {window}."
    )
    if treatment.sites:
        click.echo(f"  sites: {sites_text(treatment.sites)}")


@treatments.command()
@click.argument("name", type=TREATMENT_NAME)
@click.option(
    "--product",
    metavar="PRODUCT",
    help="A known product (botox, dysport, xeomin, myobloc, other) or any other name "
    "(no label rules); needed unless the name is a known product's.",
)
@click.option(
    "--every",
    type=INTERVAL,
    help="Time between injections: 28d, 2w, 12w, 3m, 1y; three months when not given.",
)
@click.option(
    "--within",
    type=REMINDER_DAYS,
    metavar="DAYS",
    help="Days ahead of the due date to start reminding; two weeks when not given.",
)
@click.option("--sites", type=SITES, help='A rotation of sites: "left thigh,right thigh".')
@pass_app
def add(
    app: AppContext,
    name: str,
    product: str | None,
    every: Any,
    within: int | None,
    sites: tuple[str, ...] | None,
) -> None:
    """Add a treatment with its own product, interval and reminder window.

    \b
    Examples:
      tracker treatments add B12 --product hydroxocobalamin --every 4w
      tracker treatments add xeomin --every 12w
      tracker treatments add biologic --product adalimumab --every 2w \\
          --sites "left thigh,right thigh,abdomen"
    """
    from tracker.services.treatments import add_treatment

    added = add_treatment(app.database(writes=True), name, product, every, within, sites or ())
    _say_changed("Added", added, app.for_patient())


@treatments.command()
@click.argument("old", type=TREATMENT_NAME)
@click.argument("new", type=TREATMENT_NAME)
@pass_app
def rename(app: AppContext, old: str, new: str) -> None:
    """Rename a treatment (its injections stay with it).

    \b
    Example:
      tracker treatments rename B12 "vitamin B12"
    """
    from tracker.domain.text import preview
    from tracker.services.treatments import rename_treatment

    before, after = rename_treatment(app.database(writes=True), old, new)
    click.echo(f"Renamed treatment {preview(before)} to {preview(after)}{app.for_patient()}.")


@treatments.command()
@click.argument("name", type=TREATMENT_NAME)
@click.option("--product", metavar="PRODUCT", help="A known product or any other name.")
@click.option("--every", type=INTERVAL, help="Time between injections: 28d, 2w, 12w, 3m, 1y.")
@click.option("--within", type=REMINDER_DAYS, metavar="DAYS", help="Days ahead to remind.")
@click.option("--sites", type=SITES, help='A rotation of sites; "" removes it.')
@pass_app
def edit(
    app: AppContext,
    name: str,
    product: str | None,
    every: Any,
    within: int | None,
    sites: tuple[str, ...] | None,
) -> None:
    """Change a treatment's product, interval, reminder window or sites; what you leave
    out stays as it is.

    \b
    Examples:
      tracker treatments edit B12 --every 1m --within 5
      tracker treatments edit biologic --sites "left thigh,right thigh"
    """
    from tracker.services.treatments import edit_treatment

    changed = edit_treatment(app.database(writes=True), name, product, every, within, sites)
    _say_changed("Updated", changed, app.for_patient())


@treatments.command()
@click.argument("name", type=TREATMENT_NAME)
@click.option("--with-records", is_flag=True, help="Also delete its injection sessions.")
@click.option(
    "--yes", is_flag=True, help="Do not ask for confirmation (needed without a terminal)."
)
@pass_app
def remove(app: AppContext, name: str, with_records: bool, yes: bool) -> None:
    """Remove a treatment; refused while it has injections unless --with-records.

    With --with-records its injection sessions go too: this asks first, and in a
    script (no terminal) it needs --yes. `tracker undo` brings them back.

    \b
    Examples:
      tracker treatments remove B12
      tracker treatments remove B12 --with-records --yes
    """
    from tracker.cli.asking import confirm_irreversible
    from tracker.domain.text import preview
    from tracker.services.treatments import removable_sessions, remove_treatment

    stored, count = removable_sessions(app.database(writes=True), name, with_records)
    if count:
        confirm_irreversible(
            f"Delete treatment {preview(stored)} and its {count} injection session(s)? "
            "(tracker undo brings them back)",
            f"removing treatment {preview(stored)} deletes {count} injection session(s)",
            yes,
        )
    removed, deleted = remove_treatment(app.database(writes=True), name, with_records)
    suffix = f" and {deleted} injection session(s)" if deleted else ""
    click.echo(f"Removed treatment {preview(removed)}{suffix}{app.for_patient()}.")


COMMANDS = [treatments]
