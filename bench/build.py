"""Realistic benchmark databases, built fast and cached.

The schema comes from the real program (tracker.store.database.Database creates
and migrates a new file to the head revision, as the first ``tracker log``
does); the rows are then bulk-inserted
with plain sqlite3, so a clinic of 10,000 patients takes a minute, not hours.
Built files are cached under the output folder, named by their parameters and
the migration files, so reruns reuse them.

The same clinics in PostgreSQL (``ensure_postgres``) are those files copied row
for row into a schema of their own in the database ``tracker_bench`` (created
if absent; nothing else on the server is touched), the schema again made by
tracker itself; a schema is named by the file it copies, so it is cached alike.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TODAY = date(2026, 11, 25)
# Bump when the generated rows change, so stale caches are not reused.
BUILD_VERSION = 1
INTERVAL_DAYS = 91
SITES = ("left lumbar paraspinal", "right lumbar paraspinal")
EFFECTS = (
    ("headache", "headache", "common"),
    ("neck pain", "neck pain", "common"),
    ("dry mouth", "dry mouth", "common"),
    ("felt odd", None, "other"),
)
# The treatments after the first (Spec.treatments).
EXTRA_PRODUCT = "hydroxocobalamin"
EXTRA_EVERY_DAYS = 28
EXTRA_SITES = ("left thigh", "right thigh", "abdomen")
# Indexes rebuilt after the bulk insert instead of being updated row by row.
BULK_TABLES = ("pain_entries", "injection_sessions", "injection_sites", "side_effects")


@dataclass(frozen=True)
class Spec:
    """One dataset: every patient gets the same shape of history."""

    name: str
    patients: int
    diary_days: int  # one pain entry a day, ending yesterday
    injections: int  # every INTERVAL_DAYS, 2 sites each
    effects: int  # side effects per patient
    past_appointments: int  # done or cancelled, besides one upcoming booking
    # Treatments per patient (issue 16): the first is Botox as above; each other one
    # is a B12 injection every 28 days with a rotation of sites (EXTRA_*).
    treatments: int = 1

    def filename(self) -> str:
        several = f"-t{self.treatments}" if self.treatments > 1 else ""
        return (
            f"{self.name}-p{self.patients}-d{self.diary_days}-i{self.injections}"
            f"-e{self.effects}-a{self.past_appointments}{several}-v{BUILD_VERSION}"
            f"-{schema_key()}.db"
        )


def patient_20y() -> Spec:
    return Spec("patient-20y", 1, 7300, 80, 40, 4)


def clinic(patients: int) -> Spec:
    return Spec(f"clinic-{patients}", patients, 3650, 40, 3, 0)


def patient_treatments(treatments: int) -> Spec:
    """The 20-year patient with ``treatments`` treatments (issue 16's `due` case)."""
    return Spec(f"patient-{treatments}t", 1, 7300, 80, 40, 4, treatments)


def clinic_treatments(patients: int, treatments: int) -> Spec:
    """A clinic for `due --all` with ``treatments`` treatments each: no diary (`due`
    never reads it), so that 10,000 patients build in seconds."""
    return Spec(f"clinic-{patients}x{treatments}t", patients, 0, 40, 0, 0, treatments)


def due_clinic(patients: int) -> Spec:
    """The clinic(patients) rows that `due --all` reads, without the pain diary.

    Same patients, injections (and their sites), side effects and appointments,
    so `due --all` prints the same; a 100,000-patient clinic is then a few
    hundred MB and minutes to build instead of ~25 GB.
    """
    return replace(clinic(patients), name=f"clinic-{patients}-nodiary", diary_days=0)


def tracker_command() -> str:
    """The installed console script, next to this interpreter if not on PATH."""
    beside = Path(sys.executable).parent / "tracker"
    return str(beside) if beside.exists() else shutil.which("tracker") or "tracker"


def schema_key() -> str:
    """Changes whenever a migration is added or edited."""
    digest = hashlib.sha256()
    for path in sorted((ROOT / "migrations" / "versions").glob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


def ensure(spec: Spec, cache: Path, rebuild: bool = False) -> Path:
    """The cached database for spec, built first if missing (or if rebuild)."""
    target = cache / spec.filename()
    if target.exists() and not rebuild:
        return target
    cache.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(f".{os.getpid()}.partial")
    partial.unlink(missing_ok=True)
    create_schema(partial)
    fill(partial, spec)
    os.replace(partial, target)  # atomic: parallel runs never see half a file
    return target


def create_schema(location: Path | str) -> None:
    env = {**os.environ, "TRACKER_TODAY": TODAY.isoformat()}
    env.pop("TRACKER_PATIENT", None)
    # A command that only reads creates nothing; the library creates an empty database.
    create = "import sys; from tracker.store.database import Database; Database(sys.argv[1]).engine"
    subprocess.run(
        [sys.executable, "-c", create, str(location)],
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )


def fill(path: Path, spec: Spec) -> None:
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.executescript(
            "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-400000;"
        )
        indexes = drop_indexes(connection)
        connection.execute("BEGIN")
        insert_rows(connection, spec)
        connection.execute("COMMIT")
        for sql in indexes:
            connection.execute(sql)
        connection.execute("ANALYZE")
    finally:
        connection.close()


def drop_indexes(connection: sqlite3.Connection) -> list[str]:
    marks = ",".join("?" * len(BULK_TABLES))
    rows = connection.execute(
        f"SELECT name, sql FROM sqlite_master WHERE type='index' AND sql IS NOT NULL "
        f"AND tbl_name IN ({marks})",
        BULK_TABLES,
    ).fetchall()
    for name, _ in rows:
        connection.execute(f'DROP INDEX "{name}"')
    return [sql for _, sql in rows]


def insert_rows(connection: sqlite3.Connection, spec: Spec) -> None:
    days = Days(spec.diary_days + spec.injections * INTERVAL_DAYS + 400)
    # The migration's placeholder 'default' and its treatment.
    connection.execute("DELETE FROM treatments")
    connection.execute("DELETE FROM patients")
    connection.executemany(
        "INSERT INTO patients (id, name, uuid) VALUES (?, ?, ?)",
        ((p, patient_name(spec, p), str(uuid.uuid4())) for p in patient_ids(spec)),
    )
    # One treatment each, with the patient's id, as migration 0008 makes them.
    connection.executemany(
        "INSERT INTO treatments (id, patient_id, name, product, every, within_days)"
        " VALUES (?, ?, 'botox', 'botox', '3m', 14)",
        ((p, p) for p in patient_ids(spec)),
    )
    connection.executemany(
        "INSERT INTO injection_sessions"
        " (id, patient_id, treatment_id, date, product, units, provider, lot)"
        " VALUES (?, ?, ?, ?, 'botox', 200, 'Dr Lee', ?)",
        session_rows(spec, days),
    )
    connection.executemany(
        "INSERT INTO injection_sites (session_id, position, muscle, units) VALUES (?, ?, ?, 100)",
        site_rows(spec),
    )
    if spec.treatments > 1:
        insert_extra_treatments(connection, spec, days)
    insert_pain(connection, spec, days)
    connection.executemany(
        "INSERT INTO side_effects (patient_id, date, text, term, effect_class, severity,"
        " resolved_on) VALUES (?, ?, ?, ?, ?, 'mild', ?)",
        effect_rows(spec, days),
    )
    connection.executemany(
        "INSERT INTO appointments (patient_id, date, time, provider, status)"
        " VALUES (?, ?, '09:30', 'Dr Lee', ?)",
        appointment_rows(spec, days),
    )


class Days:
    """ISO dates counted back from TODAY: days[n] is n days ago."""

    def __init__(self, count: int) -> None:
        self.iso = [(TODAY - timedelta(days=n)).isoformat() for n in range(count)]

    def __getitem__(self, ago: int) -> str:
        return self.iso[ago] if ago >= 0 else (TODAY - timedelta(days=ago)).isoformat()


def patient_ids(spec: Spec) -> range:
    return range(1, spec.patients + 1)


def patient_name(spec: Spec, patient: int) -> str:
    return "Alex Example" if spec.patients == 1 else f"patient-{patient:06d}"


def last_injection_ago(spec: Spec, patient: int) -> int:
    """Days since the latest injection: spread so some are overdue, some due soon."""
    return 97 if spec.patients == 1 else 5 + (patient * 37) % 110


def injection_agos(spec: Spec, patient: int) -> list[int]:
    last = last_injection_ago(spec, patient)
    return [last + k * INTERVAL_DAYS for k in reversed(range(spec.injections))]


def session_id(spec: Spec, patient: int, k: int) -> int:
    return (patient - 1) * spec.injections + k + 1


def session_rows(spec: Spec, days: Days) -> Iterator[tuple]:
    for patient in patient_ids(spec):
        for k, ago in enumerate(injection_agos(spec, patient)):
            yield (session_id(spec, patient, k), patient, patient, days[ago], f"C{1000 + k}")


def extra_treatment_id(spec: Spec, patient: int, t: int) -> int:
    """Treatment t (1, 2, ...) of a patient; treatment 0 has the patient's id."""
    return spec.patients + (patient - 1) * (spec.treatments - 1) + t


def extra_session_id(spec: Spec, patient: int, t: int, k: int) -> int:
    """After every Botox session's id."""
    base = spec.patients * spec.injections
    return base + ((patient - 1) * (spec.treatments - 1) + t - 1) * spec.injections + k + 1


def insert_extra_treatments(connection: sqlite3.Connection, spec: Spec, days: Days) -> None:
    """Each patient's treatments after the first: B12 every 28 days, one site a session
    from its rotation, the last 1 to 40 days ago (some due soon, some overdue)."""
    extra = [(p, t) for p in patient_ids(spec) for t in range(1, spec.treatments)]
    connection.executemany(
        "INSERT INTO treatments (id, patient_id, name, product, every, within_days, sites)"
        f" VALUES (?, ?, ?, '{EXTRA_PRODUCT}', '{EXTRA_EVERY_DAYS}d', 7, ?)",
        ((extra_treatment_id(spec, p, t), p, f"B12-{t}", ", ".join(EXTRA_SITES)) for p, t in extra),
    )
    sessions = [
        (p, t, k, 1 + (p * 13 + t * 5) % 40 + (spec.injections - 1 - k) * EXTRA_EVERY_DAYS)
        for p, t in extra
        for k in range(spec.injections)
    ]
    connection.executemany(
        "INSERT INTO injection_sessions (id, patient_id, treatment_id, date, product)"
        f" VALUES (?, ?, ?, ?, '{EXTRA_PRODUCT}')",
        (
            (extra_session_id(spec, p, t, k), p, extra_treatment_id(spec, p, t), days[ago])
            for p, t, k, ago in sessions
        ),
    )
    connection.executemany(
        "INSERT INTO injection_sites (session_id, position, muscle) VALUES (?, 0, ?)",
        (
            (extra_session_id(spec, p, t, k), EXTRA_SITES[k % len(EXTRA_SITES)])
            for p, t, k, _ in sessions
        ),
    )


def site_rows(spec: Spec) -> Iterator[tuple]:
    for patient in patient_ids(spec):
        for k in range(spec.injections):
            for position, muscle in enumerate(SITES):
                yield (session_id(spec, patient, k), position, muscle)


def pain_template(spec: Spec, last_ago: int) -> list[tuple[int, int]]:
    """(score, function) for each day ago: lower 2-8 weeks after each injection."""
    template = []
    for ago in range(spec.diary_days, 0, -1):
        since = last_ago - ago if ago <= last_ago else (last_ago - ago) % INTERVAL_DAYS
        score = 4 if 14 <= since <= 56 else 7
        score += (ago * 7919) % 3 - 1
        template.append((score, max(0, score - 1)))
    return template


def insert_pain(connection: sqlite3.Connection, spec: Spec, days: Days) -> None:
    """One entry a day per patient, copied in SQL from a template per injection phase.

    Most of a clinic's rows are pain entries; INSERT ... SELECT keeps them out of Python.
    """
    lasts = {p: last_injection_ago(spec, p) for p in patient_ids(spec)}
    connection.execute("CREATE TEMP TABLE bench_last (patient_id INTEGER PRIMARY KEY, last INT)")
    connection.executemany("INSERT INTO bench_last VALUES (?, ?)", lasts.items())
    connection.execute(
        "CREATE TEMP TABLE bench_pain (last INT, ago INT, date TEXT, score INT, function INT,"
        " PRIMARY KEY (last, ago))"
    )
    for last in sorted(set(lasts.values())):
        connection.executemany(
            "INSERT INTO bench_pain VALUES (?, ?, ?, ?, ?)",
            (
                (last, ago, days[ago], score, function)
                for ago, (score, function) in zip(
                    range(spec.diary_days, 0, -1), pain_template(spec, last), strict=True
                )
            ),
        )
    connection.execute(
        "INSERT INTO pain_entries (patient_id, date, score, function)"
        " SELECT l.patient_id, t.date, t.score, t.function FROM bench_last l"
        " JOIN bench_pain t ON t.last = l.last ORDER BY l.patient_id, t.ago DESC"
    )
    connection.execute("DROP TABLE bench_pain")
    connection.execute("DROP TABLE bench_last")


def effect_rows(spec: Spec, days: Days) -> Iterator[tuple]:
    for patient in patient_ids(spec):
        agos = injection_agos(spec, patient)
        step = max(1, len(agos) // max(1, spec.effects))
        for n, ago in enumerate(agos[::step][: spec.effects]):
            text, term, effect_class = EFFECTS[(patient + n) % len(EFFECTS)]
            started = ago - 3
            yield (patient, days[started], text, term, effect_class, days[started - 5])


def appointment_rows(spec: Spec, days: Days) -> Iterator[tuple]:
    for patient in patient_ids(spec):
        agos = injection_agos(spec, patient)
        for n, ago in enumerate(agos[-spec.past_appointments :] if spec.past_appointments else []):
            yield (patient, days[ago], "cancelled" if n == 0 else "done")
        yield (patient, days[-(3 + patient % 60)], "booked")


def describe(path: Path) -> dict[str, int]:
    """Row counts and size, for the results file."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        counts = {
            table: connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("patients", "injection_sessions", "pain_entries", "side_effects")
        }
    finally:
        connection.close()
    return {**counts, "bytes": path.stat().st_size}


# PostgreSQL: the SQLite files above, copied row for row.

PG_DATABASE = "tracker_bench"
# In the order their foreign keys need.
COPIED_TABLES = (
    "patients",
    "treatments",
    "injection_sessions",
    "injection_sites",
    "pain_entries",
    "side_effects",
    "appointments",
    "changes",
)
COPY_BATCH = 50_000


def pg_schema(spec: Spec) -> str:
    """The schema holding spec's clinic: named by its SQLite file, so it is cached alike."""
    digest = hashlib.sha256(spec.filename().encode()).hexdigest()[:12]
    return f"{spec.name.replace('-', '_')}_{digest}"


def pg_bench_url(server_url: str) -> str:
    """The bench's own database on the server of server_url, created if absent."""
    from sqlalchemy import create_engine, make_url, text

    url = make_url(server_url)
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            known = connection.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": PG_DATABASE}
            )
            if not known:
                connection.execute(text(f'CREATE DATABASE "{PG_DATABASE}"'))
    finally:
        admin.dispose()
    return url.set(database=PG_DATABASE, query={}).render_as_string(hide_password=False)


def pg_schema_url(bench_url: str, schema: str) -> str:
    """tracker's --db for the schema: its tables found first on the search path."""
    return f"{bench_url}?options=-csearch_path%3D{schema}"


def ensure_postgres(spec: Spec, source: Path, server_url: str, rebuild: bool = False) -> str:
    """The URL of spec's clinic in PostgreSQL, copied from source (its SQLite file) if missing."""
    import psycopg

    bench_url = pg_bench_url(server_url)
    schema = pg_schema(spec)
    with psycopg.connect(_libpq(bench_url), autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_namespace WHERE nspname = %s", (schema,)
        ).fetchone()
        if exists and not rebuild:
            return pg_schema_url(bench_url, schema)
        partial = f"{schema}_partial_{os.getpid()}"
        connection.execute(f'DROP SCHEMA IF EXISTS "{partial}" CASCADE')
        connection.execute(f'CREATE SCHEMA "{partial}"')
    try:
        create_schema(pg_schema_url(bench_url, partial))
        with psycopg.connect(_libpq(bench_url)) as connection:
            copy_clinic(connection, source, partial)
            connection.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
            connection.execute(f'ALTER SCHEMA "{partial}" RENAME TO "{schema}"')
            connection.commit()
    except BaseException:
        with psycopg.connect(_libpq(bench_url), autocommit=True) as connection:
            connection.execute(f'DROP SCHEMA IF EXISTS "{partial}" CASCADE')
        raise
    with psycopg.connect(_libpq(bench_url), autocommit=True) as connection:
        connection.execute(f'SET search_path TO "{schema}"')
        connection.execute("ANALYZE")
    return pg_schema_url(bench_url, schema)


def _libpq(url: str) -> str:
    """A SQLAlchemy URL as libpq reads it (no '+driver')."""
    from sqlalchemy import make_url

    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def copy_clinic(connection, source: Path, schema: str) -> None:
    """Every row of source's tables into schema, ids kept; indexes built after the copy."""
    connection.execute(f'SET search_path TO "{schema}"')
    # No foreign-key triggers per row: the rows come from a database that kept them.
    connection.execute("SET session_replication_role = replica")
    # The migration's placeholder 'default' and its treatment.
    connection.execute("DELETE FROM treatments")
    connection.execute("DELETE FROM patients")
    indexes = _drop_pg_indexes(connection, schema)
    sqlite = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        for table in COPIED_TABLES:
            columns = [row[1] for row in sqlite.execute(f"PRAGMA table_info({table})")]
            _copy_table(connection, sqlite.execute(f"SELECT * FROM {table}"), table, columns)
    finally:
        sqlite.close()
    for sql in indexes:
        connection.execute(sql)
    for table in COPIED_TABLES:
        connection.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
            f" coalesce((SELECT max(id) FROM {table}), 0) + 1, false)"
        )
    connection.execute("SET session_replication_role = DEFAULT")


def _copy_table(connection, rows: sqlite3.Cursor, table: str, columns: Sequence[str]) -> None:
    names = ", ".join(f'"{column}"' for column in columns)
    with connection.cursor().copy(f"COPY {table} ({names}) FROM STDIN") as copy:
        while batch := rows.fetchmany(COPY_BATCH):
            for row in batch:
                copy.write_row(row)


def _drop_pg_indexes(connection, schema: str) -> list[str]:
    """Drop the plain (non-constraint) indexes of the big tables; their definitions."""
    rows = connection.execute(
        "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.schemaname = %s"
        " AND i.tablename = ANY(%s) AND NOT EXISTS (SELECT 1 FROM pg_constraint c"
        " WHERE c.conname = i.indexname AND c.connamespace = %s::regnamespace)",
        (schema, list(BULK_TABLES), schema),
    ).fetchall()
    for name, _ in rows:
        connection.execute(f'DROP INDEX "{schema}"."{name}"')
    return [definition for _, definition in rows]


def describe_postgres(url: str) -> dict[str, int]:
    """Row counts of the PostgreSQL copy, for the results file."""
    with _bench_connection(url) as connection:
        return {
            table: connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("patients", "injection_sessions", "pain_entries", "side_effects")
        }


def postgres_marks(url: str) -> dict[str, int]:
    """The highest id of each table, to put the copy back after a timed write."""
    with _bench_connection(url) as connection:
        return {
            table: connection.execute(f"SELECT coalesce(max(id), 0) FROM {table}").fetchone()[0]
            for table in COPIED_TABLES
        }


def reset_postgres(url: str, marks: dict[str, int]) -> None:
    """Remove what timed writes added since marks (a server database is not copied per run)."""
    with _bench_connection(url) as connection:
        connection.execute("SET session_replication_role = replica")
        for table in reversed(COPIED_TABLES):
            connection.execute(f"DELETE FROM {table} WHERE id > %s", (marks[table],))


def _bench_connection(url: str):
    import psycopg
    from sqlalchemy import make_url

    schema = make_url(url).query["options"].split("=", 1)[1]
    connection = psycopg.connect(_libpq(url.split("?", 1)[0]))
    connection.execute(f'SET search_path TO "{schema}"')
    return connection
