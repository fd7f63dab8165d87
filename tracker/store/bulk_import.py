"""Moving a big import in: staged in temporary tables, then a few set-wise statements.

An import streams its file, so nothing holds all of its records at once. The
checked records go into temporary tables (``import_pain``...) in batches of a
few thousand rows (executemany on SQLite, COPY on PostgreSQL), each with its
position in the file; everything after that is SQL over whole tables, the
same on SQLite and PostgreSQL:

- duplicate ids (and two sessions on one date) are found with window
  functions, and reported by their positions in the file;
- a merge pairs each staged record with a stored twin (every field but the id
  equal, NULL equal to NULL) one to one: of n equal records in the file and m
  in the database, the first min(n, m) in file order are twins and are
  skipped. Injection sessions, at most one a date per treatment, are paired
  by treatment and date and compared in Python, sites included, a few hundred
  at a time;
- each staged session names its treatment as the file wrote it; the importer
  says which of the patient's treatments each name is (:meth:`Staging.name_treatments`);
- what is left is copied into the real tables with INSERT ... SELECT.

Memory stays the same whatever the size of the file or of the database: the
databases sort and join on disk when they must.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from tracker.domain.change_spans import RecordSpan
from tracker.domain.errors import Conflict

# Rows written with one executemany: big enough to make each call cheap,
# small enough to keep a batch's memory trivial.
BATCH_ROWS = 5000
# Injection sessions compared with their stored twin candidates at a time.
_PAIRS_AT_ONCE = 500


@dataclass(frozen=True)
class Kind:
    """One kind of record: its table, and the columns an import stages and compares."""

    name: str  # as in the file and ImportResult: "pain"
    log_kind: str  # as in the change log: "pain"
    table: str
    columns: tuple[str, ...]  # the stored columns after id, in tracker.domain.import_rules order
    types: tuple[str, ...]
    nullable: frozenset[str]
    # Staged after the stored columns, never stored as they are: "name TYPE".
    staged_only: tuple[str, ...] = ()

    @property
    def staging(self) -> str:
        return f"import_{self.name}"

    @property
    def twins(self) -> str:
        return f"import_{self.name}_twins"


INJECTIONS = Kind(
    "injections",
    "injection",
    "injection_sessions",
    ("date", "product", "units", "provider", "lot", "note"),
    ("DATE", "TEXT", "FLOAT", "TEXT", "TEXT", "TEXT"),
    frozenset({"units", "provider", "lot", "note"}),
    # The session's treatment as the file names it, and that name's
    # tracker.domain.text.same_name_key (two sessions of one treatment on one
    # date are refused by it).
    ("treatment TEXT", "treatment_key TEXT"),
)
PAIN = Kind(
    "pain",
    "pain",
    "pain_entries",
    ("date", "score", "function", "note"),
    ("DATE", "INTEGER", "INTEGER", "TEXT"),
    frozenset({"function", "note"}),
)
EFFECTS = Kind(
    "effects",
    "effect",
    "side_effects",
    ("date", "text", "term", "effect_class", "severity", "note", "resolved_on"),
    ("DATE", "TEXT", "TEXT", "TEXT", "TEXT", "TEXT", "DATE"),
    frozenset({"term", "severity", "note", "resolved_on"}),
)
APPOINTMENTS = Kind(
    "appointments",
    "appointment",
    "appointments",
    ("date", "time", "provider", "note", "status"),
    ("DATE", "TEXT", "TEXT", "TEXT", "TEXT"),
    frozenset({"time", "provider", "note"}),
)
RECORD_KINDS = (INJECTIONS, PAIN, EFFECTS, APPOINTMENTS)

_SITES = "import_sites"
_CHANGES = "import_changes"
# Each name a staged session gives its treatment, and that treatment's id here.
_TREATMENTS = "import_treatments"
_CHANGE_COLUMNS = (
    "id",
    "batch",
    "at",
    "command",
    "action",
    "kind",
    "record_id",
    "old_values",
    "new_values",
    "undo_of",
)
# Tables an import writes with ids it chooses or counts on being its own.
_LOCKED_TABLES = (
    "treatments",
    "injection_sessions",
    "injection_sites",
    "pain_entries",
    "side_effects",
    "appointments",
    "changes",
)


@dataclass(frozen=True)
class Repeat:
    """The first record whose value was already used by an earlier one in the file."""

    position: int
    first_position: int
    value: Any


@dataclass(frozen=True)
class Added:
    """What a merge added of one kind: how many, and the span of their new ids."""

    kind: Kind
    records: int
    span: RecordSpan | None


def lock_for_import(session: Session) -> None:
    """Keep other writers out until the import commits.

    SQLite's write lock is already held (BEGIN IMMEDIATE). On PostgreSQL other
    writers wait (readers do not): a restore writes the file's own ids, and a
    merge logs the span of new ids as all its own, so nobody may insert
    meanwhile.
    """
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        tables = ", ".join(_LOCKED_TABLES)
        connection.exec_driver_sql(f"LOCK TABLE {tables} IN SHARE ROW EXCLUSIVE MODE")


class Staging:
    """The temporary tables of one import, inside its transaction."""

    def __init__(self, session: Session) -> None:
        self._connection: Connection = session.connection()
        self._postgres = self._connection.dialect.name == "postgresql"
        self._same = "IS NOT DISTINCT FROM" if self._postgres else "IS"
        self._temporary = "pg_temp" if self._postgres else "temp"
        # Keeps a subquery whole (not merged into the query around it).
        self._fence = "OFFSET 0" if self._postgres else "LIMIT -1 OFFSET 0"
        self._tables: list[str] = []
        for kind in RECORD_KINDS:
            columns = ", ".join(
                [
                    f"{name} {kind_type}"
                    for name, kind_type in zip(kind.columns, kind.types, strict=True)
                ]
                + list(kind.staged_only)
            )
            self._create(kind.staging, f"pos INTEGER PRIMARY KEY, id INTEGER NOT NULL, {columns}")
            self._create(kind.twins, "pos INTEGER PRIMARY KEY")
        self._create(_SITES, "session_pos INTEGER, position INTEGER, muscle TEXT, units FLOAT")
        self._create(
            _CHANGES,
            "pos INTEGER PRIMARY KEY, id INTEGER NOT NULL, batch INTEGER, at TEXT, "
            "command TEXT, action TEXT, kind TEXT, record_id INTEGER, old_values TEXT, "
            "new_values TEXT, undo_of INTEGER",
        )

    def _create(self, table: str, columns: str) -> None:
        # Temporary tables live as long as the connection, and connections are
        # pooled: a leftover from an earlier import in this process must go.
        # Named with the temporary schema: a real table of that name stays untouched.
        self._connection.exec_driver_sql(f"DROP TABLE IF EXISTS {self._temporary}.{table}")
        self._connection.exec_driver_sql(f"CREATE TEMPORARY TABLE {table} ({columns})")
        self._tables.append(table)

    def drop(self) -> None:
        for table in self._tables:
            self._connection.exec_driver_sql(f"DROP TABLE {self._temporary}.{table}")
        self._tables.clear()

    # --- staging -----------------------------------------------------------------

    def add(self, kind: Kind, rows: Sequence[tuple[Any, ...]]) -> None:
        """Rows of (position in the file, id, *kind.columns, *kind.staged_only)."""
        self._insert(kind.staging, 2 + len(kind.columns) + len(kind.staged_only), rows)

    def add_sites(self, rows: Sequence[tuple[Any, ...]]) -> None:
        """Rows of (session's position in the file, position, muscle, units)."""
        self._insert(_SITES, 4, rows)

    def add_changes(self, rows: Sequence[tuple[Any, ...]]) -> None:
        """Rows of (position in the file, *change log columns), JSON as text."""
        self._insert(_CHANGES, 1 + len(_CHANGE_COLUMNS), rows)

    def _insert(self, table: str, width: int, rows: Sequence[tuple[Any, ...]]) -> None:
        if not rows:
            return
        if self._postgres:
            self._copy(table, rows)
            return
        markers = ", ".join(["?"] * width)
        self._connection.exec_driver_sql(f"INSERT INTO {table} VALUES ({markers})", rows)

    def _copy(self, table: str, rows: Sequence[tuple[Any, ...]]) -> None:
        """PostgreSQL takes rows through COPY seven times as fast as through executemany
        (measured: 1.8 µs a row against 14), on the same connection and transaction."""
        driver = self._connection.connection.driver_connection
        assert driver is not None
        with driver.cursor() as cursor, cursor.copy(f"COPY {table} FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    def first_repeat(
        self, kind: Kind | None, column: str = "id", within: str | None = None
    ) -> Repeat | None:
        """The first staged record (of ``kind``, or of the change log) whose ``column``
        an earlier one already has (one with the same ``within`` column, if given)."""
        table = _CHANGES if kind is None else kind.staging
        group = column if within is None else f"{within}, {column}"
        row = self._connection.execute(
            text(
                f"SELECT pos, first_pos, value FROM ("
                f"SELECT pos, {column} AS value, "
                f"ROW_NUMBER() OVER (PARTITION BY {group} ORDER BY pos) AS nth, "
                f"MIN(pos) OVER (PARTITION BY {group}) AS first_pos FROM {table}"
                f") numbered WHERE nth = 2 ORDER BY pos LIMIT 1"
            )
        ).first()
        return None if row is None else Repeat(row[0], row[1], row[2])

    # --- the sessions' treatments -------------------------------------------------

    def treatment_names(self) -> Iterator[tuple[str | None, int]]:
        """Each name the staged sessions give their treatment, with the position of
        the first session to give it, in file order."""
        yield from self._connection.exec_driver_sql(
            f"SELECT treatment, MIN(pos) AS first FROM {INJECTIONS.staging} "
            f"GROUP BY treatment ORDER BY first"
        )

    def session_products(self) -> Iterator[str]:
        """Each product of the staged sessions, once."""
        yield from self._connection.exec_driver_sql(
            f"SELECT DISTINCT product FROM {INJECTIONS.staging}"
        ).scalars()

    def latest_product(self) -> str | None:
        """The product of the staged session with the latest date (None: no session)."""
        return self._connection.exec_driver_sql(
            f"SELECT product FROM {INJECTIONS.staging} ORDER BY date DESC, pos DESC LIMIT 1"
        ).scalar()

    def name_all_sessions(self, name: str, key: str) -> None:
        """Every staged session is of the treatment ``name`` (a version 1 file's)."""
        self._execute(
            f"UPDATE {INJECTIONS.staging} SET treatment = :name, treatment_key = :key",
            {"name": name, "key": key},
        )

    def name_treatments(self, ids: dict[str, int]) -> None:
        """Which treatment (its id here) each name the staged sessions give is."""
        self._create(_TREATMENTS, "name TEXT, treatment_id INTEGER")
        self._insert(_TREATMENTS, 2, list(ids.items()))

    def analyze(self) -> None:
        """PostgreSQL plans by statistics, which temporary tables only get when asked."""
        if self._postgres:
            for table in self._tables:
                self._connection.exec_driver_sql(f"ANALYZE {table}")

    # --- restore into an empty database ------------------------------------------

    def restore(self, patient: int) -> None:
        """Copy everything in with the file's ids; each session into its treatment
        (:meth:`name_treatments`)."""
        params = {"patient": patient}
        for kind in RECORD_KINDS:
            columns = ", ".join(f"s.{name}" for name in kind.columns)
            owner, owners, joined = _owners(kind)
            self._execute(
                f"INSERT INTO {kind.table} (id, {owner}, {', '.join(kind.columns)}) "
                f"SELECT s.id, {owners}, {columns} FROM {kind.staging} s{joined} ORDER BY s.pos",
                params,
            )
            if kind is INJECTIONS:
                self._execute(
                    f"INSERT INTO injection_sites (session_id, position, muscle, units) "
                    f"SELECT s.id, t.position, t.muscle, t.units FROM {_SITES} t "
                    f"JOIN {INJECTIONS.staging} s ON s.pos = t.session_pos "
                    f"ORDER BY t.session_pos, t.position"
                )
        columns = ", ".join(_CHANGE_COLUMNS)
        self._execute(
            f"INSERT INTO changes (patient_id, {columns}) "
            f"SELECT :patient, {columns} FROM {_CHANGES} ORDER BY pos",
            params,
        )

    # --- merge into a database with records --------------------------------------

    def pair_twins(self, patient: int) -> None:
        """Mark staged records that have a stored twin (a session: in its treatment); a
        different session on a date its treatment already has one raises Conflict."""
        self._pair_sessions()
        for kind in (PAIN, EFFECTS, APPOINTMENTS):
            self._pair_records(kind, patient)

    def _pair_records(self, kind: Kind, patient: int) -> None:
        # The stored records that could be twins (those in the file's date range)
        # are copied beside the staged ones with an index on every compared
        # column: looking a staged record's twins up there touches the index
        # alone, where the table's own date index would fetch every record of
        # that day (measured: 3.9 s instead of 7 s for a million twins).
        stored = f"import_{kind.name}_stored"
        typed = ", ".join(
            f"{name} {type_}" for name, type_ in zip(kind.columns, kind.types, strict=True)
        )
        columns = ", ".join(kind.columns)
        self._create(stored, typed)
        # "+patient_id": SQLite would otherwise pick the patient index (every
        # record of the patient) over the date index.
        self._execute(
            f"INSERT INTO {stored} SELECT {columns} FROM {kind.table} "
            f"WHERE +patient_id = :patient AND date BETWEEN "
            f"(SELECT MIN(date) FROM {kind.staging}) AND (SELECT MAX(date) FROM {kind.staging})",
            {"patient": patient},
        )
        self._connection.exec_driver_sql(f"CREATE INDEX {stored}_all ON {stored} ({columns})")
        if self._postgres:
            self._connection.exec_driver_sql(f"ANALYZE {stored}")
        twin = " AND ".join(
            f"t.{name} {self._same} s.{name}" if name in kind.nullable else f"t.{name} = s.{name}"
            for name in kind.columns
        )
        # Of n staged and m stored equal records, the first min(n, m) staged ones
        # in file order are twins. Only staged records with a stored twin are
        # numbered; the fence keeps the database from counting twice (it would
        # otherwise copy the count into both conditions that use it).
        self._execute(
            f"INSERT INTO {kind.twins} (pos) SELECT pos FROM ("
            f"SELECT pos, stored, "
            f"ROW_NUMBER() OVER (PARTITION BY {columns} ORDER BY pos) AS nth FROM ("
            f"SELECT s.pos, {', '.join(f's.{name}' for name in kind.columns)}, "
            f"(SELECT COUNT(*) FROM {stored} t WHERE {twin}) AS stored "
            f"FROM {kind.staging} s {self._fence}"
            f") counted WHERE stored > 0"
            f") numbered WHERE nth <= stored"
        )

    def _pair_sessions(self) -> None:
        """At most one session a date per treatment on either side: pair by treatment
        and date, then compare."""
        after: tuple[Any, int] | None = None
        while True:
            pairs = self._session_pairs(after)
            if not pairs:
                return
            staged_sites = self._sites(
                f"SELECT session_pos, muscle, units FROM {_SITES} "
                f"WHERE session_pos IN ({_numbers(pair[0] for pair in pairs)}) "
                f"ORDER BY session_pos, position"
            )
            stored_sites = self._sites(
                f"SELECT session_id, muscle, units FROM injection_sites "
                f"WHERE session_id IN ({_numbers(pair[1] for pair in pairs)}) "
                f"ORDER BY session_id, position"
            )
            twins = []
            for pos, stored_id, day, staged, stored in pairs:
                if staged != stored or staged_sites.get(pos, []) != stored_sites.get(stored_id, []):
                    # Pairs come in date order: this is the earliest conflict.
                    raise Conflict(
                        f"the file has a different injection session on {_iso(day)}, a date "
                        f"that already has session #{stored_id}; nothing was imported"
                    )
                twins.append((pos,))
            self._insert(INJECTIONS.twins, 1, twins)
            after = (pairs[-1][2], pairs[-1][0])

    def _session_pairs(self, after: tuple[Any, int] | None) -> list[tuple[Any, ...]]:
        """The next staged sessions (after ``after``: date, position) whose treatment has
        a session on their date, with it; in date order, then file order."""
        fields = INJECTIONS.columns[1:]  # all but the date they are paired by
        staged = ", ".join(f"s.{name}" for name in fields)
        stored = ", ".join(f"t.{name}" for name in fields)
        params: dict[str, Any] = {}
        later = ""
        if after is not None:
            params = {"day": after[0], "pos": after[1]}
            later = "WHERE s.date > :day OR (s.date = :day AND s.pos > :pos) "
        rows = self._connection.execute(
            text(
                f"SELECT s.pos, t.id, s.date, {staged}, {stored} FROM {INJECTIONS.staging} s "
                f"JOIN {_TREATMENTS} m ON m.name = s.treatment "
                f"JOIN injection_sessions t ON t.treatment_id = m.treatment_id "
                f"AND t.date = s.date "
                f"{later}ORDER BY s.date, s.pos LIMIT {_PAIRS_AT_ONCE}"
            ),
            params,
        ).all()
        width = len(fields)
        return [
            (row[0], row[1], row[2], tuple(row[3 : 3 + width]), tuple(row[3 + width :]))
            for row in rows
        ]

    def _sites(self, sql: str) -> dict[int, list[tuple[Any, Any]]]:
        sites: dict[int, list[tuple[Any, Any]]] = {}
        for owner, muscle, units in self._connection.exec_driver_sql(sql):
            sites.setdefault(owner, []).append((muscle, units))
        return sites

    def add_new(self, patient: int) -> list[Added]:
        """Copy in the staged records without a twin, with new ids (each session into
        its treatment); what was added."""
        params = {"patient": patient}
        added = []
        for kind in RECORD_KINDS:
            after = self._connection.execute(
                text(f"SELECT COALESCE(MAX(id), 0) FROM {kind.table}")
            ).scalar_one()
            columns = ", ".join(f"s.{name}" for name in kind.columns)
            owner, owners, joined = _owners(kind)
            inserted = self._execute(
                f"INSERT INTO {kind.table} ({owner}, {', '.join(kind.columns)}) "
                f"SELECT {owners}, {columns} FROM {kind.staging} s{joined} "
                f"WHERE NOT EXISTS (SELECT 1 FROM {kind.twins} w WHERE w.pos = s.pos) "
                f"ORDER BY s.pos",
                params,
            )
            if kind is INJECTIONS:
                # New sessions are found by treatment and date: one session a date each.
                self._execute(
                    f"INSERT INTO injection_sites (session_id, position, muscle, units) "
                    f"SELECT t.id, x.position, x.muscle, x.units FROM {_SITES} x "
                    f"JOIN {INJECTIONS.staging} s ON s.pos = x.session_pos "
                    f"JOIN {_TREATMENTS} m ON m.name = s.treatment "
                    f"JOIN injection_sessions t ON t.treatment_id = m.treatment_id "
                    f"AND t.date = s.date WHERE t.id > :after ORDER BY t.id, x.position",
                    {**params, "after": after},
                )
            added.append(Added(kind, inserted, self._span(kind, after, inserted)))
        return added

    def _span(self, kind: Kind, after: int, inserted: int) -> RecordSpan | None:
        """The ids just given out; every one above ``after`` is this import's (the
        tables are locked), whatever gaps a sequence may leave."""
        if not inserted:
            return None
        first, last, records = self._connection.execute(
            text(f"SELECT MIN(id), MAX(id), COUNT(*) FROM {kind.table} WHERE id > :after"),
            {"after": after},
        ).one()
        if records != inserted:  # pragma: no cover - the lock makes this impossible
            raise AssertionError(f"{kind.table}: {records} new ids for {inserted} records")
        return RecordSpan(first, last, records)

    def _execute(self, sql: str, params: dict[str, Any] | None = None) -> int:
        return self._connection.execute(text(sql), params or {}).rowcount


def _owners(kind: Kind) -> tuple[str, str, str]:
    """Whose a staged record ``s`` is: the columns, what fills them, and the join that
    finds a session's treatment."""
    if kind is INJECTIONS:
        return (
            "patient_id, treatment_id",
            ":patient, m.treatment_id",
            f" JOIN {_TREATMENTS} m ON m.name = s.treatment",
        )
    return "patient_id", ":patient", ""


def _numbers(values: Iterable[int]) -> str:
    """Integers from the database itself, written into an IN (...) list."""
    return ", ".join(str(int(value)) for value in values)


def _iso(day: Any) -> str:
    """SQLite gives dates back as the text they are stored as, PostgreSQL as dates."""
    return day if isinstance(day, str) else day.isoformat()
