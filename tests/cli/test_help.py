"""Every command explains itself, with an example, and needs no database for it."""

from __future__ import annotations

import click
import pytest

from tracker.cli import cli


def all_commands() -> list[tuple[str, click.Command]]:
    found = []
    for name, command in cli.commands.items():
        found.append((name, command))
        if isinstance(command, click.Group):
            found += [(f"{name} {sub}", c) for sub, c in command.commands.items()]
    return found


@pytest.mark.parametrize(("name", "command"), all_commands(), ids=lambda v: str(v))
def test_every_command_has_help_with_an_example(name, command):
    assert command.help, f"{name} has no help"
    assert "Example" in command.help, f"{name} help has no example"


@pytest.mark.parametrize(("name", "command"), all_commands(), ids=lambda v: str(v))
def test_help_works_without_touching_a_database(tmp_path, name, command):
    from tests.conftest import Tracker

    missing = tmp_path / "none" / "tracker.db"
    result = Tracker(str(missing)).ok(*name.split(), "--help")
    assert "Usage: tracker" in result.stdout
    assert not missing.exists()
