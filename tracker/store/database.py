"""A tracker database and its unit of work.

One engine per Database, opened on first use (tracker.store.engine). Every unit
of work is one transaction; on SQLite it starts with BEGIN IMMEDIATE so
concurrent writers wait for each other (busy timeout) instead of failing
half-way. Where the database is: tracker.store.location; the file itself
(backups, restore): tracker.store.sqlite_files.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from tracker.domain.errors import DatabaseProblem
from tracker.store import scope
from tracker.store.engine import NoDatabaseYet, empty_stand_in, has_written, open_engine
from tracker.store.location import to_url, url_sqlite_path
from tracker.store.plain_errors import plain_database_error

Notify = Callable[[str], None]


def _stay_quiet(_message: str) -> None:
    """The default notify: library users and tests get no messages."""


class Database:
    """The database at ``location`` (a path or URL; None: the default file).

    ``creates``: whether opening it may create it — true for a command that
    stores records, false for one that only reads (it then never creates a
    file, folder or table; see tracker.store.engine).
    """

    def __init__(
        self,
        location: str | None = None,
        notify: Notify | None = None,
        patient: str | None = None,
        *,
        creates: bool = True,
    ) -> None:
        self.url = to_url(location)
        # A location the user named must be in a folder that exists.
        self.explicit = bool(location)
        self.creates = creates
        # Whose records the use cases work on; None is the default (first) patient.
        self.patient = patient
        # Whom the last unit of work was about (tracker.store.scope.CHOSEN).
        self.chosen: dict[str, object] = {}
        # Tells the user what tracker did on its own (the backup before an upgrade).
        self.notify = notify or _stay_quiet
        self._engine: Engine | None = None
        self._session: Session | None = None
        # Set when there is no database yet and an empty one in memory answers.
        self.missing: NoDatabaseYet | None = None
        # Whether a transaction of this object has committed a change.
        self.stored_changes = False

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            try:
                self._engine = open_engine(
                    self.url, self.notify, creates=self.creates, explicit=self.explicit
                )
            except NoDatabaseYet as missing:
                self.notify(str(missing))
                self.missing = missing
                self._engine = empty_stand_in(self.url)
        return self._engine

    def allow_creating(self) -> None:
        """From now on this command stores records: the database may be created."""
        self.creates = True
        if self.missing is not None:
            self.close()  # the empty stand-in gives way to the real file
            self.missing = None

    @property
    def is_sqlite(self) -> bool:
        return self.url.get_backend_name() == "sqlite"

    @property
    def sqlite_path(self) -> Path | None:
        """The database file, for the commands that handle the file itself."""
        return url_sqlite_path(self.url)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: commits when the block ends, rolls back on any error.

        A transaction opened inside another joins it, so a use case made of
        other use cases (the demo, an import) is still all or nothing.
        """
        if self._session is not None:
            yield self._session
            return
        try:
            with Session(self.engine, expire_on_commit=False) as session, session.begin():
                session.info[scope.PATIENT_NAME] = self.patient
                session.info[scope.CHOSEN] = self.chosen
                self._session = session
                try:
                    yield session
                    wrote = has_written(session)
                finally:
                    self._session = None
                self._refuse_writing_to_nothing(wrote)
        except DBAPIError as error:
            raise DatabaseProblem(plain_database_error(error, self.url)) from None
        # Committed: a failure from here on (printing the result) must not hide it.
        self.stored_changes = self.stored_changes or wrote

    def _refuse_writing_to_nothing(self, wrote: bool) -> None:
        """A write into the empty stand-in would be lost: roll it back and say so.

        Only a command that forgot to say it stores records can get here.
        """
        if wrote and self.missing is not None:
            raise DatabaseProblem(f"{self.missing}; nothing was stored")

    @property
    def named_patient(self) -> str | None:
        """The patient a command worked on, when the database holds others too.

        Set once a unit of work has looked the patient up; with a single patient
        it is None, and messages need not name anyone.
        """
        name = self.chosen.get("name")
        return name if self.chosen.get("several") and isinstance(name, str) else None

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None
