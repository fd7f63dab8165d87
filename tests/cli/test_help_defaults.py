"""Help that tells the truth: a default shown in --help is the one in force (issue 17)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import click
from click.testing import CliRunner

from tests.conftest import Tracker
from tracker.cli import cli

# "default 3", "(default: the plan's, 14)", "[default: 200]": a default that names a number.
NUMBER_DEFAULT = re.compile(r"default[^()\[\]]*?\d+", re.IGNORECASE)

# Every number a help text claims as a default, and why it is true: checked below.
KNOWN_NUMBER_DEFAULTS = {("patients add", "default 3")}


def command_paths(group: click.Group, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    context = click.Context(group)
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        assert command is not None, name
        yield (*prefix, name)
        if isinstance(command, click.Group):
            yield from command_paths(command, (*prefix, name))


def help_text(tracker_db: str, *path: str) -> str:
    result = CliRunner().invoke(
        cli, [*path, "--help"], env={"TRACKER_DB": tracker_db}, prog_name="tracker"
    )
    assert result.exit_code == 0, result.output
    return " ".join(result.stdout.split())


def test_no_help_claims_a_number_as_a_default_unless_it_is_in_force(sqlite_tracker):
    sqlite_tracker.ok("plan", "--every", "4", "--within", "21")
    paths = [(), *command_paths(cli)]
    claims = {
        (" ".join(path), match)
        for path in paths
        for match in NUMBER_DEFAULT.findall(help_text(sqlite_tracker.db, *path))
    }
    assert claims == KNOWN_NUMBER_DEFAULTS
    assert len(paths) > 20  # every command was looked at


def test_due_help_names_where_its_window_comes_from_not_a_number(sqlite_tracker):
    sqlite_tracker.ok("plan", "--within", "21")
    text = help_text(sqlite_tracker.db, "due")
    assert "(default: the plan's reminder window, shown by tracker plan)" in text
    assert "14" not in text
    assert "reminders start 21 days" in sqlite_tracker.ok("plan").stdout


def test_plan_options_left_out_keep_the_plan_as_its_help_says(sqlite_tracker):
    assert "(left as it is when not given)" in help_text(sqlite_tracker.db, "plan")
    sqlite_tracker.ok("plan", "--every", "4", "--within", "21")
    sqlite_tracker.ok("plan", "--name", "Sam")
    assert sqlite_tracker.json("plan") == {
        "every": "4m",
        "every_months": 4,
        "within_days": 21,
        "name": "Sam",
    }


def test_a_new_patient_gets_the_interval_patients_add_help_names(sqlite_tracker: Tracker):
    assert "Months between injections (default 3)" in help_text(
        sqlite_tracker.db, "patients", "add"
    )
    sqlite_tracker.ok("plan", "--every", "6")
    sqlite_tracker.ok("patients", "add", "Mum")
    assert sqlite_tracker.json("--patient", "Mum", "plan")["every_months"] == 3
