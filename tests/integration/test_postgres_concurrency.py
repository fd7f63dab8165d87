"""PostgreSQL: eight processes writing at once, for different patients and the same one."""

from __future__ import annotations

import os
import subprocess
import sys

from sqlalchemy import create_engine, text

from tests.conftest import TODAY, Tracker, _postgres_database

EACH = 25
WRITER = """
import sys
from tracker.cli import cli
db, patient, each, name = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
for number in range(each):
    for args in (["pain", str(number % 11), "--note", f"{name} {number}"],
                 ["effect", f"headache from {name} {number}"]):
        code = cli.main(["--db", db, "--patient", patient, *args], standalone_mode=False)
        if code not in (0, None):
            sys.exit(f"{name}: {args} exited {code}")
"""


def test_eight_writers_for_shared_and_separate_patients_lose_nothing():
    # A fresh schema: the writers also race to create the tables on first use.
    for url in _postgres_database("concurrency"):
        Tracker(url).ok("patients", "add", "Me")  # takes the new database's unnamed patient's place
        Tracker(url).ok("patients", "add", "Mum")
        Tracker(url).ok("patients", "add", "Dad")
        plan = {f"w{i}": ("Mum" if i < 4 else "Dad" if i < 6 else "Me") for i in range(8)}
        env = {**os.environ, "TRACKER_TODAY": TODAY}
        writers = [
            subprocess.Popen(
                [sys.executable, "-c", WRITER, url, patient, str(EACH), name],
                env=env,
                stderr=subprocess.PIPE,
                text=True,
            )
            for name, patient in plan.items()
        ]
        failures = [(w.wait(timeout=300), w.stderr.read()) for w in writers]
        assert all(code == 0 for code, _ in failures), failures
        engine = create_engine(url)
        with engine.connect() as connection:
            counts = dict(
                connection.execute(
                    text(
                        "SELECT p.name, count(e.id) FROM patients p "
                        "JOIN pain_entries e ON e.patient_id = p.id GROUP BY p.name"
                    )
                ).all()
            )
            effects = connection.execute(text("SELECT count(*) FROM side_effects")).scalar()
            notes = {row[0] for row in connection.execute(text("SELECT note FROM pain_entries"))}
        engine.dispose()
        assert counts == {"Mum": 4 * EACH, "Dad": 2 * EACH, "Me": 2 * EACH}
        assert effects == 8 * EACH
        assert notes == {f"{name} {n}" for name in plan for n in range(EACH)}
        for name in ("Mum", "Dad", "Me"):
            Tracker(url).ok("--patient", name, "check")


def test_concurrent_first_use_of_a_new_postgresql_schema_migrates_once():
    for url in _postgres_database("firstuse"):
        env = {**os.environ, "TRACKER_TODAY": TODAY}
        starters = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-c",
                    "from tracker.cli import main; main()",
                    "--db",
                    url,
                    "pain",
                    "5",
                ],
                env=env,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(6)
        ]
        results = [(s.wait(timeout=120), s.stderr.read()) for s in starters]
        assert all(code == 0 for code, _ in results), results
        assert len(Tracker(url).json("diary")) == 6
