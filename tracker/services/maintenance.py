"""Looking after the database itself: backup, restore and check.

Backup and restore work on the SQLite file (through SQLite's online backup
API, so they are safe while tracker is in use); a PostgreSQL server has its
own tools. The check runs everywhere: SQLite's own checks of the file where
there is one, and tracker's rules (tracker.domain.invariants) on every record.
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import text

from tracker.domain import invariants
from tracker.domain.errors import DatabaseProblem, InvalidInput, NotFound
from tracker.domain.text import LABEL_MAX_LENGTH, NOTE_MAX_LENGTH
from tracker.store import sqlite_files
from tracker.store.database import Database
from tracker.store.location import no_folder, refuse_database_file
from tracker.store.sqlite_files import SqliteFileFacts

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

# SQLite's own words for a damaged file (other errors mean it could not be looked at).
_DAMAGE_ERRORS = ("SQLITE_CORRUPT", "SQLITE_NOTADB")
# What the integrity check says is shown up to this many lines; the rest is counted.
_DAMAGE_SHOWN = 5
# Orphan sites are named in words by the invariants; the raw foreign-key row would repeat it.
_FOREIGN_KEYS_IN_INVARIANTS = {("injection_sites", "injection_sessions")}
# Free text as the commands take it (tracker.cli.params): (column, limit, line breaks allowed).
_NOTE = ("note", NOTE_MAX_LENGTH, True)
_TEXT_COLUMNS = (
    (
        "injection_sessions",
        "Injection session",
        (("provider", LABEL_MAX_LENGTH, False), ("lot", LABEL_MAX_LENGTH, False), _NOTE),
    ),
    ("injection_sites", "Injection site", (("muscle", LABEL_MAX_LENGTH, False),)),
    ("pain_entries", "Pain entry", (_NOTE,)),
    (
        "side_effects",
        "Side effect",
        (("text", LABEL_MAX_LENGTH, False), ("term", LABEL_MAX_LENGTH, False), _NOTE),
    ),
    ("appointments", "Appointment", (("provider", LABEL_MAX_LENGTH, False), _NOTE)),
)
# Row counts shown when a backup is restored, in the order a patient thinks of them.
_COUNTED = (
    ("injection_sessions", "injection", "injections"),
    ("pain_entries", "pain entry", "pain entries"),
    ("side_effects", "side effect", "side effects"),
    ("appointments", "appointment", "appointments"),
)


@dataclass(frozen=True)
class BackupResult:
    source: Path
    path: Path
    size: int
    damage: str | None = None  # what SQLite's check of the copy found, if anything


@dataclass(frozen=True)
class RestoreResult:
    path: Path
    facts: SqliteFileFacts
    kept: Path | None  # the previous database, copied beside it; None if there was none
    needs_upgrade: bool


@dataclass(frozen=True)
class CheckReport:
    """What the check found, by kind of problem (each kind's findings in order)."""

    groups: list[tuple[str, list[str]]]
    notes: list[str] = field(default_factory=list)

    @property
    def problems(self) -> list[str]:
        return [problem for _, found in self.groups for problem in found]

    @property
    def ok(self) -> bool:
        return not self.groups


# --- backup -------------------------------------------------------------------


def backup_database(db: Database, target: Path | None) -> BackupResult:
    """Copy the database to ``target`` (a file or a folder; default: beside it, dated)."""
    path = _sqlite_file(db, "backup", "use pg_dump, or tracker export -o backup.json")
    if not path.exists():
        raise NotFound(f"there is no database at {path} yet; nothing to back up")
    sqlite_files.live_revision(path)  # refuses a file that is not a tracker database
    destination = _backup_destination(path, target)
    try:
        written = sqlite_files.copy_sqlite_file(
            path, destination, live_source=True, replace=target is not None
        )
    except OSError as error:
        raise InvalidInput(f"cannot write the backup {destination} ({_why(error)})") from None
    except sqlite3.Error as error:
        raise DatabaseProblem(f"cannot back up {path} ({_why(error)})") from None
    damage = _file_damage(written)
    return BackupResult(path, written, written.stat().st_size, damage[0] if damage else None)


def default_backup_name(path: Path) -> str:
    """``tracker.db`` → ``tracker-backup-20261125-163012.db``."""
    return f"{path.stem}-backup-{sqlite_files.file_timestamp()}{path.suffix or '.db'}"


def _backup_destination(path: Path, target: Path | None) -> Path:
    if target is None:
        return path.with_name(default_backup_name(path))
    target = target.expanduser()
    if target.is_dir():
        return target / default_backup_name(path)
    refuse_database_file(target, path)
    if target.exists() and not target.is_file():
        raise InvalidInput(
            f"{target} is not a regular file (a device or a pipe); "
            "back up to a file; nothing was written"
        )
    # A symlink is followed: the file it points to is replaced, not the link.
    target = Path(os.path.realpath(target))
    if not target.parent.is_dir():
        raise InvalidInput(f"cannot write the backup: there is no folder {target.parent}")
    return target


# --- restore ------------------------------------------------------------------


def inspect_backup(db: Database, source: Path) -> SqliteFileFacts:
    """Check ``source`` before anything is changed; raises naming what is wrong."""
    path = _sqlite_file(
        db, "restore", "use pg_restore, or tracker import with a tracker JSON export"
    )
    source = source.expanduser()
    if source.exists() and _same_file(source, path):
        raise InvalidInput(f"{source} is the database itself; name a backup file to restore")
    return sqlite_files.read_sqlite_file(source)


def restore_database(db: Database, source: Path) -> RestoreResult:
    """Replace the database's records with those of ``source``, keeping a copy first.

    ``source`` is checked first; a damaged, foreign or newer file changes nothing.
    The live file is never swapped: its tables are replaced inside one write
    transaction that holds other writers out from the copy kept to the commit
    (tracker.store.sqlite_restore), so every write that was reported saved is
    in the restored database or in the kept copy.
    """
    facts = inspect_backup(db, source)
    path = db.sqlite_path
    assert path is not None  # inspect_backup refused anything else
    db.close()  # this process holds nothing open on the file meanwhile
    if path.exists():
        kept: Path | None = _restore_in_place(path, source.expanduser())
    else:
        kept = _restore_into_nothing(path, source.expanduser(), explicit=db.explicit)
    from tracker.store.schema import HEAD_REVISION

    return RestoreResult(path, facts, kept, needs_upgrade=facts.revision != HEAD_REVISION)


def _restore_in_place(path: Path, source: Path) -> Path:
    from tracker.store.sqlite_restore import restore_in_place

    sqlite_files.live_revision(path)  # never overwrite another program's database
    try:
        return restore_in_place(path, source)
    except (OSError, sqlite3.Error) as error:
        raise DatabaseProblem(
            f"cannot restore {path} ({_why(error)}); the database was not changed"
        ) from None


def _restore_into_nothing(path: Path, source: Path, *, explicit: bool) -> None:
    if explicit and not path.parent.is_dir():
        raise no_folder(path)  # a mistyped --db makes no folders (issue 17)
    try:
        sqlite_files.make_private_folder(path.parent)
        sqlite_files.replace_sqlite_file(path, source)
    except (OSError, sqlite3.Error) as error:
        raise DatabaseProblem(
            f"cannot restore {path} ({_why(error)}); the database was not replaced"
        ) from None


def describe_counts(facts: SqliteFileFacts) -> str:
    """``3 injections, 120 pain entries`` — what a backup holds, for the question and reply."""
    parts = [
        f"{facts.counts[table]:,} {one if facts.counts[table] == 1 else many}"
        for table, one, many in _COUNTED
        if table in facts.counts
    ]
    return ", ".join(parts) or "no records"


# --- check --------------------------------------------------------------------


def check_database(db: Database, today: date) -> CheckReport:
    """SQLite's checks of the file (when it is SQLite) and tracker's rules on every record.

    A damaged file is reported as found (what SQLite's integrity check lists),
    not as a file that cannot be checked; the rules are then checked as far as
    the file can still be read.
    """
    path = db.sqlite_path
    if path is not None and not path.exists():
        # Checking must not create an empty database and call it healthy.
        raise NotFound(f"there is no database at {path}; nothing to check")
    damage = _damage(path) if path is not None else []
    notes = (
        []
        if db.is_sqlite
        else [
            "On PostgreSQL the SQLite file checks (integrity and foreign keys) do not apply; "
            "the server looks after those. tracker's rules were checked on every record."
        ]
    )
    try:
        groups = _rule_problems(db, today)
    except DatabaseProblem:
        if not damage:
            raise
        groups = []
        notes.append(
            "tracker's rules could not be checked: the damage stops the records "
            "being read. Restore a backup (tracker restore FILE)."
        )
    if damage:
        groups.insert(0, ("damage", damage))
    return CheckReport(groups, notes)


def _rule_problems(db: Database, today: date) -> list[tuple[str, list[str]]]:
    with db.transaction() as session:
        connection = session.connection()
        links = _broken_links(connection) if db.is_sqlite else []
        # The rules hold per patient (one session a date is per patient).
        patients = [
            row[0] for row in connection.execute(text("SELECT id FROM patients ORDER BY id"))
        ]
        found: dict[str, list[str]] = {}
        for number, patient in enumerate(patients):
            records = load_records(connection, patient, with_orphans=number == 0)
            for kind, problems in invariants.find_problem_groups(records, today):
                found.setdefault(kind, []).extend(problems)
    groups = [("broken links", links)] if links else []
    return groups + list(found.items())


def _damage(path: Path) -> list[str]:
    findings = _file_damage(path, full=True)
    problems = [
        f"The database file is damaged; SQLite's integrity check says: {line}"
        for line in findings[:_DAMAGE_SHOWN]
    ]
    if len(findings) > _DAMAGE_SHOWN:
        problems.append(
            f"…and {len(findings) - _DAMAGE_SHOWN} more findings of the integrity check."
        )
    return problems


def _file_damage(path: Path, full: bool = False) -> list[str]:
    """What SQLite's integrity check (``full``) or quick check says is wrong with the file."""
    pragma = "integrity_check" if full else "quick_check"
    try:
        with closing(
            sqlite3.connect(path, timeout=sqlite_files.BUSY_TIMEOUT_MS / 1000)
        ) as connection:
            lines = [str(row[0]) for row in connection.execute(f"PRAGMA {pragma}")]
    except sqlite3.DatabaseError as error:
        if getattr(error, "sqlite_errorname", "") in _DAMAGE_ERRORS:
            return [_why(error)]
        return []  # not readable for another reason (a read-only folder...): said elsewhere
    return [] if lines == ["ok"] else lines


def _broken_links(connection: Connection) -> list[str]:
    rows = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
    return [
        f"A record in {table} (row {rowid}) refers to a record in {parent} that does not exist."
        for table, rowid, parent, _ in rows
        if (table, parent) not in _FOREIGN_KEYS_IN_INVARIANTS
    ]


def load_records(
    connection: Connection, patient: int, with_orphans: bool = True
) -> invariants.Records:
    """One patient's records as stored, with raw SQL: a damaged value must not stop the check.

    Sites come with their patient's sessions; orphan sites (whose session is gone)
    belong to nobody and are reported once, with ``with_orphans``.
    """

    def rows(sql: str) -> list[Any]:
        if "FROM injection_sites" in sql:
            sql = sql.replace(
                " ORDER BY",
                " WHERE session_id IN (SELECT id FROM injection_sessions WHERE patient_id = "
                ":patient) OR (:orphans AND session_id NOT IN (SELECT id FROM "
                "injection_sessions)) ORDER BY",
            )
        else:
            sql = sql.replace(" ORDER BY", " WHERE patient_id = :patient ORDER BY")
        return list(connection.execute(text(sql), {"patient": patient, "orphans": with_orphans}))

    return invariants.Records(
        sessions=[
            invariants.SessionRow(*row)
            for row in rows(
                "SELECT id, date, product, units, treatment_id FROM injection_sessions ORDER BY id"
            )
        ],
        sites=[
            invariants.SiteRow(*row)
            for row in rows("SELECT id, session_id, muscle, units FROM injection_sites ORDER BY id")
        ],
        pain=[
            invariants.PainRow(*row)
            for row in rows("SELECT id, date, score, function FROM pain_entries ORDER BY id")
        ],
        effects=[
            invariants.EffectRow(*row)
            for row in rows(
                "SELECT id, date, text, effect_class, severity, resolved_on "
                "FROM side_effects ORDER BY id"
            )
        ],
        appointments=[
            invariants.AppointmentRow(*row)
            for row in rows("SELECT id, date, time, status FROM appointments ORDER BY id")
        ],
        plans=[
            invariants.PlanRow(*row)
            for row in connection.execute(
                text("SELECT id, name FROM patients WHERE id = :p"), {"p": patient}
            )
        ],
        treatments=[
            invariants.TreatmentCheckRow(*row)
            for row in rows(
                "SELECT id, name, product, every, within_days, sites FROM treatments ORDER BY id"
            )
        ],
        texts=[
            invariants.TextRow(f"{label} #{row[0]}", column, value, limit, multiline)
            for table, label, columns in _TEXT_COLUMNS
            for row in rows(
                f"SELECT id, {', '.join(name for name, _, _ in columns)} FROM {table} ORDER BY id"
            )
            for (column, limit, multiline), value in zip(columns, row[1:], strict=True)
            if value is not None
        ],
        changes=[
            invariants.ChangeRow(*row)
            for row in rows(
                "SELECT id, action, kind, old_values, new_values FROM changes ORDER BY id"
            )
        ],
    )


# --- shared -------------------------------------------------------------------


def _sqlite_file(db: Database, command: str, alternative: str) -> Path:
    path = db.sqlite_path
    if db.is_sqlite and path is not None:
        return path
    if db.is_sqlite:
        raise InvalidInput(f"tracker {command} needs a database file, not an in-memory database")
    raise DatabaseProblem(
        f"tracker {command} works on SQLite database files; for PostgreSQL {alternative}"
    )


def _same_file(one: Path, other: Path) -> bool:
    try:
        return one.samefile(other)
    except OSError:
        return one.absolute() == other.absolute()


def _why(error: Exception) -> str:
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return str(error).splitlines()[0] if str(error) else type(error).__name__
