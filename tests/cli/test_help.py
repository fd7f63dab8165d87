"""Every command explains itself, with an example, and needs no database for it."""

from __future__ import annotations

import click
import pytest

from tracker.cli import cli


def all_commands() -> list[tuple[str, click.Command]]:
    found = []
    context = click.Context(cli)
    for name in cli.list_commands(context):
        command = cli.get_command(context, name)
        assert command is not None, f"{name} is listed but cannot be loaded"
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


def test_every_command_module_is_mapped_so_lazy_loading_finds_it():
    import importlib
    import pkgutil

    import tracker.cli
    from tracker.cli import COMMAND_MODULES

    for info in pkgutil.iter_modules(tracker.cli.__path__):
        module = importlib.import_module(f"tracker.cli.{info.name}")
        for command in getattr(module, "COMMANDS", []):
            assert COMMAND_MODULES.get(command.name) == info.name, command.name
