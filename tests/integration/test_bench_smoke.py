"""bench/run.py end to end at --quick sizes: every row is timed and written out."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import postgres_url, require_postgres

ROOT = Path(__file__).resolve().parents[2]
COMMANDS = (
    "floor: python -c 'import click, sqlite3'",
    "floor: python -c 'import sqlalchemy.orm'",
    "floor: python -c 'sqlite3 max(date)'",
    "tracker --help",
    "tracker due",
    "tracker due --check",
    "tracker log --units 200 (2 sites)",
    "tracker pain 5",
    "tracker effect headache",
    "tracker review",
    "tracker export --format json",
    "tracker export --format csv",
    "tracker due --all",
    "tracker --patient patient-000050 export --format json",
    "tracker --patient patient-000200 export --format json",
    "tracker export --all --format json",
    "tracker export --all --format csv",
    "tracker import (into a new database)",
    "tracker import (merge into patient-20y)",
    # Issue 16: several treatments.
    "tracker due (3 treatments)",
    "tracker due --all (2 treatments each)",
)


def test_quick_bench_times_every_command_and_writes_json(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("COV_CORE_")}
    env.pop("TRACKER_BENCH_PG_URL", None)  # SQLite rows only; PostgreSQL is tested below
    env["BENCH_OUT"] = str(tmp_path / "ignored")  # --out below wins over the variable
    script = [sys.executable, str(ROOT / "bench" / "run.py"), "--quick", "--runs", "1"]
    done = subprocess.run(
        [*script, "--warmup", "0", "--out", str(tmp_path)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    table = [
        [c.strip() for c in line.split(" | ")] for line in done.stdout.splitlines() if " | " in line
    ]
    header, rows = table[0], table[1:]
    assert header[:4] == ["command", "dataset", "runs", "median ms"]
    by_command = {row[0]: row for row in rows}
    assert set(COMMANDS) <= set(by_command)
    for command in COMMANDS:
        assert float(by_command[command][3]) > 0
    assert [row[1] for row in rows if row[0] == "tracker due --all"] == [
        "clinic-50",
        "clinic-200",
    ]

    results = list(tmp_path.glob("results-*.json"))
    assert len(results) == 1
    document = json.loads(results[0].read_text())
    written = {row["command"]: row for row in document["rows"]}
    assert set(COMMANDS) <= set(written)
    for command in COMMANDS:
        row = written[command]
        assert row["median_ms"] > 0 and row["min_ms"] <= row["median_ms"] <= row["max_ms"]
        assert row["peak_rss_mb"] > 0 and len(row["times_ms"]) == 1
    assert {r["dataset"] for r in document["rows"]} == {
        "-",
        "patient-20y",
        "clinic-50",
        "clinic-200",
        "json-1000",
        "json-3000",
        "patient-3t",
        "clinic-200x2t",
    }
    by_dataset = {(r["command"], r["dataset"]) for r in document["rows"]}
    assert ("tracker due (3 treatments)", "patient-3t") in by_dataset
    assert ("tracker due --all (2 treatments each)", "clinic-200x2t") in by_dataset
    # The datasets hold what their names say.
    assert document["datasets"]["clinic-200x2t"]["patients"] == 200
    imports = [r for r in document["rows"] if r["command"].startswith("tracker import")]
    assert all(r["records_per_s"] > 0 for r in imports)
    assert not (tmp_path / "ignored").exists()


def test_with_postgres_the_bench_times_the_same_clinic_copied_into_postgresql(tmp_path):
    require_postgres()
    env = {k: v for k, v in os.environ.items() if not k.startswith("COV_CORE_")}
    script = [sys.executable, str(ROOT / "bench" / "run.py"), "--quick", "--runs", "1"]
    options = ["--warmup", "0", "--no-import", "--clinic-sizes", "20", "--out", str(tmp_path)]
    done = subprocess.run(
        [*script, *options, "--postgres", postgres_url()],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr
    document = json.loads(next(tmp_path.glob("results-*.json")).read_text())
    on_postgres = {r["command"] for r in document["rows"] if r["dataset"].startswith("pg:")}
    assert on_postgres == {
        "tracker due",
        "tracker log --units 200 (2 sites)",
        "tracker pain 5",
        "tracker effect headache",
        "tracker due --all",
        "tracker --patient patient-000020 due",
        "tracker due (3 treatments)",
        "tracker due --all (2 treatments each)",
        "tracker export --all --format json",
        "tracker export --all --format csv",
    }
    assert set(document["floors_ms"]) >= {"click+psycopg", "sqlalchemy+psycopg"}
    # Row for row: the copy holds what the SQLite file holds (each timed write undone).
    datasets = document["datasets"]
    for name in ("patient-20y", "clinic-20", "patient-3t", "clinic-200x2t"):
        copied = {k: v for k, v in datasets[f"pg:{name}"].items() if k != "url"}
        assert copied == {k: v for k, v in datasets[name].items() if k not in ("file", "bytes")}


def _due_only(tmp_path: Path, *options: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COV_CORE_")}
    env.pop("TRACKER_BENCH_PG_URL", None)
    script = [sys.executable, str(ROOT / "bench" / "run.py"), "--due-only", "--runs", "1"]
    done = subprocess.run(
        [*script, "--warmup", "0", "--clinic-sizes", "30,60", "--out", str(tmp_path), *options],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr
    assert "due --all --json: N=30: " in done.stdout  # the growth line
    return json.loads(next(tmp_path.glob("results-*.json")).read_text())


def test_due_only_times_due_all_on_clinics_without_their_diary(tmp_path):
    """--due-only: both forms of `due --all`, on the clinics' due rows alone (no diary)."""
    document = _due_only(tmp_path)
    timed = [(r["command"], r["dataset"]) for r in document["rows"] if r["command"][0] != "f"]
    assert timed == [
        ("tracker due --all", "clinic-30-nodiary"),
        ("tracker due --all --json", "clinic-30-nodiary"),
        ("tracker due --all", "clinic-60-nodiary"),
        ("tracker due --all --json", "clinic-60-nodiary"),
    ]
    assert all(r["peak_rss_mb"] > 0 for r in document["rows"])
    datasets = document["datasets"]
    assert datasets["clinic-60-nodiary"]["pain_entries"] == 0
    assert datasets["clinic-60-nodiary"]["patients"] == 60
    assert datasets["clinic-60-nodiary"]["injection_sessions"] == 60 * 40


def test_due_only_with_postgres_times_both_engines(tmp_path):
    require_postgres()
    document = _due_only(tmp_path, "--postgres", postgres_url())
    on_postgres = [
        (r["command"], r["dataset"]) for r in document["rows"] if r["dataset"].startswith("pg:")
    ]
    assert on_postgres == [
        ("tracker due --all", "pg:clinic-30-nodiary"),
        ("tracker due --all --json", "pg:clinic-30-nodiary"),
        ("tracker due --all", "pg:clinic-60-nodiary"),
        ("tracker due --all --json", "pg:clinic-60-nodiary"),
    ]
    datasets = document["datasets"]
    copied = {k: v for k, v in datasets["pg:clinic-60-nodiary"].items() if k != "url"}
    assert copied == {
        k: v for k, v in datasets["clinic-60-nodiary"].items() if k not in ("file", "bytes")
    }
