"""What every command gets: where the database is and what day it is."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

import click

from tracker.cli import startup

if TYPE_CHECKING:
    from tracker.store.database import Database


@dataclass
class AppContext:
    location: str | None
    patient: str | None = None
    _database: Database | None = field(default=None, repr=False)

    def database(self, *, writes: bool = False) -> Database:
        """Opened on first use, so --help and parse errors never touch the disk.

        A command that stores records says so (``writes=True``): only then may
        the database be created. A command that only reads never creates a
        file, folder or table; where there is no database yet it answers as
        for an empty one and says so on stderr (tracker.store.engine).
        """
        if self._database is None:
            from tracker.store.database import Database

            self._database = Database(
                self.location, notify=_tell_user, patient=self.patient, creates=writes
            )
            startup.loading_done()
            click.get_current_context().call_on_close(self._database.close)
        elif writes and not self._database.creates:
            self._database.allow_creating()
        return self._database

    @property
    def stored_changes(self) -> bool:
        """Whether this command has committed a change to the database."""
        return self._database is not None and self._database.stored_changes

    def named_patient(self) -> str | None:
        """Whose records the command used, when the database holds other patients too."""
        return None if self._database is None else self._database.named_patient

    def for_patient(self) -> str:
        """ " for Ann Smith" in a confirmation, when there are several patients to tell apart."""
        name = self.named_patient()
        return f" for {name}" if name else ""

    def heading(self) -> None:
        """A report's first line names the patient when there are several."""
        name = self.named_patient()
        if name:
            click.echo(f"Patient: {name}")

    def today(self) -> date:
        from tracker.clock import today

        return today()


def _tell_user(message: str) -> None:
    # stderr: what tracker did on its own must not mix into output people parse.
    click.echo(message, err=True)


pass_app = click.make_pass_decorator(AppContext)
