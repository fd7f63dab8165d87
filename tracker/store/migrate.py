"""Running the Alembic migrations that ship inside the package."""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine


def migrations_location() -> str:
    # A real folder both from a wheel and from an editable checkout.
    return str(files("tracker.migrations"))


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", migrations_location())
    return config


@cache
def script_directory() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


def head_revision() -> str:
    head = script_directory().get_current_head()
    assert head is not None
    return head


def is_known_revision(revision: str) -> bool:
    return any(script.revision == revision for script in script_directory().walk_revisions())


def upgrade_to_head(engine: Engine) -> None:
    """Apply every missing migration in one transaction (all or nothing)."""
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
