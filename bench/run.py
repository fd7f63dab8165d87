"""Time whole tracker commands as a user runs them, against floors measured alongside.

Usage: python bench/run.py [--quick] [--runs N] [--huge] [--no-clinic-large] [--out DIR]
                           [--postgres URL]

Every timed run is a new process of the installed console script. The table
shows median and min-max per command, the floor it is compared with, and the
target; a JSON file with every run's numbers goes to OUT/results-<timestamp>.json.

With --postgres URL (or $TRACKER_BENCH_PG_URL) the same datasets are copied row
for row into PostgreSQL (bench/build.py: database tracker_bench on that server,
one schema per dataset) and timed there too, beside floors that import psycopg.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from functools import partial
from pathlib import Path

# The sibling modules below are found through this line.
sys.path.insert(0, str(Path(__file__).resolve().parent))

import build
import import_file

DEFAULT_OUT = Path(__file__).resolve().parent / "out"
CLINIC_SIZES = (10, 100, 1_000, 10_000)
HUGE_SIZE = 100_000
# --due-only: the clinics without their pain diary (bench/build.py due_clinic), which
# is all `due --all` reads, so 100,000 patients build in a minute.
DUE_ONLY_SIZES = (1_000, 10_000, 100_000)
QUICK_CLINIC_SIZES = (50, 200)
LARGE_CLINIC = 10_000
# Issue 16: `due` for a patient with 3 treatments; `due --all` at 10,000 patients
# with 2 treatments each (quick: 200; --no-clinic-large: 1,000).
DUE_TREATMENTS = 3
CLINIC_TREATMENTS = 2
QUICK_TREATMENT_CLINIC = 200
# The whole clinic is exported up to this size: 10,000 patients are 37 million
# records, about five minutes a run (time that one by hand if needed).
EXPORT_ALL_MAX = 1_000
# Records in the JSON files imported; 1,000,000 is the size.
IMPORT_SIZES = (100_000, 300_000, 1_000_000)
QUICK_IMPORT_SIZES = (1_000, 3_000)
IMPORT_RATE = 50_000  # records per second, the target
# `export --all` at EXPORT_ALL_MAX patients, records per second (issue 18's targets).
EXPORT_RATE = 500_000
PG_EXPORT_RATE = 300_000
HEAVY_RUNS = 3  # runs for rows that take seconds or minutes each
SITE_OPTIONS = (
    "--site",
    "left lumbar paraspinal:100",
    "--site",
    "right lumbar paraspinal:100",
)

FLOOR_CLICK = "click"
FLOOR_ORM = "sqlalchemy"
FLOOR_SQLITE = "sqlite3"
FLOOR_CLICK_PG = "click+psycopg"
FLOOR_ORM_PG = "sqlalchemy+psycopg"
FLOOR_CODE = {
    FLOOR_CLICK: "import click, sqlite3",
    FLOOR_ORM: "import sqlalchemy.orm",
    FLOOR_CLICK_PG: "import click, psycopg",
    FLOOR_ORM_PG: "import sqlalchemy.orm, psycopg",
    FLOOR_SQLITE: (
        "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); print(c.execute("
        "'select max(date) from injection_sessions where patient_id=1').fetchone())"
    ),
}


@dataclass(frozen=True)
class Target:
    """Either a ratio to the row's floor or an absolute limit in milliseconds, and
    optionally a ceiling on the peak memory (RSS) of every run."""

    ratio: float | None = None
    ms: float | None = None
    rss_mb: float | None = None

    def text(self) -> str:
        if self.ratio is not None:
            time = f"<= {self.ratio:g}x floor"
        elif self.ms is not None:
            time = f"< {self.ms:g} ms"
        else:
            time = "-"
        return time if self.rss_mb is None else f"{time}, <= {self.rss_mb:g} MB"

    def met(
        self, median_ms: float, floor_ms: float | None, peak_rss_mb: float | None = None
    ) -> bool | None:
        if self.ratio is not None and floor_ms:
            fast = median_ms <= self.ratio * floor_ms
        elif self.ms is not None:
            fast = median_ms < self.ms
        else:
            return None
        small = self.rss_mb is None or peak_rss_mb is None or peak_rss_mb <= self.rss_mb
        return fast and small


NO_TARGET = Target()
# --due-only rows (issue 18): `due --all` at 10,000 and at 100,000 patients, on both engines.
DUE_ALL_TARGETS = {10_000: Target(ms=500), 100_000: Target(ms=2000, rss_mb=100)}


@dataclass(frozen=True)
class Case:
    command: str  # as shown in the table
    dataset: str
    argv: tuple[str, ...]
    db: Path | str | None  # a SQLite file, or a PostgreSQL URL
    floor: str | None = None
    target: Target = NO_TARGET
    copy_db: bool = False  # the command writes: give each run a fresh copy (SQLite files)
    reset: Callable[[], None] | None = None  # puts a server database back after each run
    ok_codes: tuple[int, ...] = (0,)
    group: str = ""  # rows compared across clinic sizes
    runs: int | None = None  # fewer runs than the bench default, for slow rows
    records: int | None = None  # records handled, for a records-per-second figure


@dataclass
class Row:
    command: str
    dataset: str
    runs: int
    median_ms: float
    min_ms: float
    max_ms: float
    iqr_ms: float
    floor: str | None
    floor_ms: float | None
    ratio: float | None
    target: str
    ok: bool | None
    peak_rss_mb: float
    group: str = ""
    times_ms: list[float] = field(default_factory=list)
    records_per_s: float | None = None


@dataclass
class Bench:
    python: str
    tracker: str
    runs: int
    warmup: int
    scratch: Path
    floors: dict[str, float] = field(default_factory=dict)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny clinics, 3 runs (smoke/CI)")
    parser.add_argument("--runs", type=int, help="timed runs per command (default 7, quick 3)")
    parser.add_argument("--warmup", type=int, help="untimed runs of each command first (default 1)")
    parser.add_argument("--huge", action="store_true", help="add a 100,000-patient clinic (slow)")
    parser.add_argument(
        "--no-clinic-large", action="store_true", help="skip clinics of 10,000 or more"
    )
    parser.add_argument(
        "--clinic-sizes", help="comma-separated patient counts, replacing the defaults"
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=Path(os.environ.get("BENCH_OUT", DEFAULT_OUT)),
        help="results and cached databases (default $BENCH_OUT or bench/out)",
    )
    parser.add_argument("--rebuild", action="store_true", help="rebuild cached databases")
    parser.add_argument("--no-import", action="store_true", help="skip the import rows")
    parser.add_argument(
        "--no-export-all", action="store_true", help="skip the whole-clinic export rows (slow)"
    )
    parser.add_argument(
        "--due-only",
        action="store_true",
        help="only `due --all` and `due --all --json`, on clinics built without their pain "
        f"diary (default sizes {','.join(map(str, DUE_ONLY_SIZES))})",
    )
    parser.add_argument(
        "--postgres",
        metavar="URL",
        default=os.environ.get("TRACKER_BENCH_PG_URL"),
        help="also time PostgreSQL on this server (default $TRACKER_BENCH_PG_URL; "
        "uses its own database tracker_bench)",
    )
    return parser.parse_args(argv)


def clinic_sizes(args: argparse.Namespace) -> list[int]:
    if args.clinic_sizes:
        sizes = [int(n) for n in args.clinic_sizes.split(",") if n.strip()]
    elif args.quick:
        sizes = list(QUICK_CLINIC_SIZES)
    elif args.due_only:
        sizes = list(DUE_ONLY_SIZES)
    else:
        sizes = list(CLINIC_SIZES) + ([HUGE_SIZE] if args.huge else [])
    if args.no_clinic_large:
        sizes = [n for n in sizes if n < LARGE_CLINIC]
    return sizes


def bench_env(db: Path | str | None) -> dict[str, str]:
    """The user's environment, minus coverage hooks and patient choice, with today fixed.

    PYTHONDONTWRITEBYTECODE goes too: `pip install .` compiles every module
    once, so a user's tracker never recompiles its sources at each start.
    """
    dropped = ("TRACKER_PATIENT", "TRACKER_DB", "PYTHONDONTWRITEBYTECODE")
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("COV_CORE_") and key not in dropped
    }
    env["TRACKER_TODAY"] = build.TODAY.isoformat()
    if db is not None:
        env["TRACKER_DB"] = str(db)
    return env


# Runs one command and reports its wall time and peak RSS. A small launcher is
# needed because a child started straight from this (larger) process would
# report this process's peak RSS as its own (Linux keeps it across vfork+exec).
LAUNCHER = """
import os, sys, time
argv = sys.argv[1:]
actions = [(os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0)]
start = time.perf_counter()
pid = os.posix_spawn(argv[0], argv, os.environ, file_actions=actions)
_, status, usage = os.wait4(pid, 0)
elapsed = (time.perf_counter() - start) * 1000
print(elapsed, usage.ru_maxrss, os.waitstatus_to_exitcode(status))
"""


def run_once(
    argv: Sequence[str], env: dict[str, str], ok_codes: Sequence[int]
) -> tuple[float, int]:
    """Wall time in ms and peak RSS in KiB of one new process running argv."""
    launcher = [sys.executable, "-I", "-S", "-c", LAUNCHER, *argv]
    done = subprocess.run(launcher, env=env, capture_output=True, text=True, timeout=3600)
    if done.returncode != 0:
        raise RuntimeError(f"launcher failed for {' '.join(argv)}:\n{done.stderr}")
    elapsed, rss, code = done.stdout.split()
    if int(code) not in ok_codes:
        raise RuntimeError(f"{' '.join(argv)} exited {code}:\n{done.stderr}")
    return float(elapsed), int(rss)


def measure(
    bench: Bench, argv: Sequence[str], db: Path | str | None, case: Case | None = None
) -> tuple[list[float], int]:
    copy_db = case.copy_db if case else False
    ok_codes = case.ok_codes if case else (0,)
    runs = bench.runs if case is None or case.runs is None else min(case.runs, bench.runs)
    warmup = 0 if case is not None and case.runs is not None else bench.warmup
    times: list[float] = []
    peak = 0
    for n in range(warmup + runs):
        target_db = db
        if copy_db and isinstance(db, Path):
            target_db = bench.scratch / db.name
            shutil.copyfile(db, target_db)
        elapsed, rss = run_once(argv, bench_env(target_db), ok_codes)
        if case is not None and case.reset is not None:
            case.reset()
        if n >= warmup:
            times.append(elapsed)
            peak = max(peak, rss)
    return times, peak


def floor_argv(bench: Bench, floor: str, db: Path | None) -> list[str]:
    argv = [bench.python, "-c", FLOOR_CODE[floor]]
    return [*argv, str(db)] if floor == FLOOR_SQLITE and db else argv


def summarise(
    bench: Bench, label: str, dataset: str, times: list[float], rss_kb: int, case: Case | None
) -> Row:
    median = statistics.median(times)
    quartiles = statistics.quantiles(times, n=4) if len(times) > 1 else [median] * 3
    floor = case.floor if case else None
    floor_ms = bench.floors.get(floor) if floor else None
    target = case.target if case else NO_TARGET
    return Row(
        command=label,
        dataset=dataset,
        runs=len(times),
        median_ms=round(median, 1),
        min_ms=round(min(times), 1),
        max_ms=round(max(times), 1),
        iqr_ms=round(quartiles[2] - quartiles[0], 1),
        floor=floor,
        floor_ms=round(floor_ms, 1) if floor_ms else None,
        ratio=round(median / floor_ms, 2) if floor_ms else None,
        target=target.text(),
        ok=target.met(median, floor_ms, rss_kb / 1024),
        peak_rss_mb=round(rss_kb / 1024, 1),
        group=case.group if case else "",
        times_ms=[round(t, 1) for t in times],
        records_per_s=round(case.records / (median / 1000)) if case and case.records else None,
    )


def measure_floors(bench: Bench, patient_db: Path, postgres: bool = False) -> list[Row]:
    warm = FLOOR_CODE[FLOOR_ORM_PG if postgres else FLOOR_ORM]
    for argv in ([bench.python, "-c", warm], [bench.tracker, "--help"]):
        run_once(argv, bench_env(patient_db), (0,))  # warm the OS caches and .pyc files
    rows = []
    floors = (FLOOR_CLICK, FLOOR_ORM, FLOOR_SQLITE)
    for floor in floors + ((FLOOR_CLICK_PG, FLOOR_ORM_PG) if postgres else ()):
        db = patient_db if floor == FLOOR_SQLITE else None
        times, rss = measure(bench, floor_argv(bench, floor, db), db)
        bench.floors[floor] = statistics.median(times)
        code = "sqlite3 max(date)" if floor == FLOOR_SQLITE else FLOOR_CODE[floor]
        label = f"floor: python -c '{code}'"
        rows.append(summarise(bench, label, "patient-20y" if db else "-", times, rss, None))
    return rows


def patient_cases(tracker: str, db: Path) -> list[Case]:
    name = "patient-20y"
    fast = Target(ratio=1.5)
    orm = Target(ratio=1.3)
    second = Target(ms=1000)

    def case(command: str, *args: str, **options: object) -> Case:
        return Case(command, name, (tracker, *args), db, **options)  # type: ignore[arg-type]

    return [
        case("tracker --help", "--help", floor=FLOOR_CLICK, target=fast),
        case("tracker due", "due", floor=FLOOR_CLICK, target=fast),
        case("tracker due --check", "due", "--check", floor=FLOOR_CLICK, target=fast,
             ok_codes=(0, 1)),
        case("tracker log --units 200 (2 sites)", "log", "--units", "200", *SITE_OPTIONS,
             floor=FLOOR_ORM, target=orm, copy_db=True),
        case("tracker pain 5", "pain", "5", floor=FLOOR_ORM, target=orm, copy_db=True),
        case("tracker effect headache", "effect", "headache", floor=FLOOR_ORM, target=orm,
             copy_db=True),
        case("tracker review", "review", floor=FLOOR_ORM, target=second),
        case("tracker export --format json", "export", "--format", "json", floor=FLOOR_ORM,
             target=second),
        case("tracker export --format csv", "export", "--format", "csv", floor=FLOOR_ORM,
             target=second),
    ]  # fmt: skip


def treatment_clinic_size(args: argparse.Namespace) -> int:
    if args.quick:
        return QUICK_TREATMENT_CLINIC
    return 1_000 if args.no_clinic_large else LARGE_CLINIC


def treatment_cases(
    tracker: str, patient: tuple[str, Path | str], clinic: tuple[str, Path | str], size: int
) -> list[Case]:
    """Issue 16: `due` over several treatments, and `due --all` with two each."""
    (patient_name, patient_db), (clinic_name, clinic_db) = patient, clinic
    floor = FLOOR_CLICK_PG if patient_name.startswith("pg:") else FLOOR_CLICK
    due_all_target = Target(ms=1000) if size == LARGE_CLINIC else NO_TARGET
    return [
        Case(f"tracker due ({DUE_TREATMENTS} treatments)", patient_name, (tracker, "due"),
             patient_db, floor, Target(ratio=1.5)),
        Case(f"tracker due --all ({CLINIC_TREATMENTS} treatments each)", clinic_name,
             (tracker, "due", "--all"), clinic_db, floor, due_all_target),
    ]  # fmt: skip


def postgres_patient_cases(tracker: str, url: str) -> list[Case]:
    """The quick commands on the 20-year patient in PostgreSQL.

    A server database is not copied per run: what each timed write added is
    deleted after it, untimed.
    """
    name = "pg:patient-20y"
    fast = Target(ratio=1.5)
    orm = Target(ratio=1.3)
    marks = build.postgres_marks(url)
    reset = partial(build.reset_postgres, url, marks)

    def case(command: str, *args: str, **options: object) -> Case:
        return Case(command, name, (tracker, *args), url, **options)  # type: ignore[arg-type]

    return [
        case("tracker due", "due", floor=FLOOR_CLICK_PG, target=fast),
        case("tracker log --units 200 (2 sites)", "log", "--units", "200", *SITE_OPTIONS,
             floor=FLOOR_ORM_PG, target=orm, reset=reset),
        case("tracker pain 5", "pain", "5", floor=FLOOR_ORM_PG, target=orm, reset=reset),
        case("tracker effect headache", "effect", "headache", floor=FLOOR_ORM_PG, target=orm,
             reset=reset),
    ]  # fmt: skip


def postgres_clinic_cases(tracker: str, size: int, url: str, export_all: bool = True) -> list[Case]:
    name = f"pg:clinic-{size}"
    last = build.patient_name(build.clinic(size), size)
    due_target = Target(ms=500) if size == LARGE_CLINIC else NO_TARGET
    cases = [
        Case("tracker due --all", name, (tracker, "due", "--all"), url, FLOOR_CLICK_PG, due_target,
             group="due --all (PostgreSQL)"),
        Case(f"tracker --patient {last} due", name, (tracker, "--patient", last, "due"), url,
             FLOOR_CLICK_PG, Target(ratio=1.5), group="due, one patient (PostgreSQL)"),
    ]  # fmt: skip
    if size <= EXPORT_ALL_MAX and export_all:
        cases += export_all_cases(
            tracker, name, size, url, FLOOR_ORM_PG, PG_EXPORT_RATE, " (PostgreSQL)"
        )
    return cases


def due_only_cases(tracker: str, size: int, db: Path | str, engine: str = "") -> list[Case]:
    """`due --all` as a table and as JSON on a clinic without its diary, with peak memory."""
    name = build.due_clinic(size).name
    target = DUE_ALL_TARGETS.get(size, NO_TARGET)
    floor = FLOOR_CLICK_PG if engine else FLOOR_CLICK
    prefix = "pg:" if engine else ""
    return [
        Case(f"tracker due --all{option}", f"{prefix}{name}", (tracker, "due", "--all", *extra),
             db, floor, target, group=f"due --all{option}{engine}")
        for option, extra in (("", ()), (" --json", ("--json",)))
    ]  # fmt: skip


def export_all_cases(
    tracker: str, name: str, size: int, db: Path | str, floor: str, rate: int, engine: str = ""
) -> list[Case]:
    """`export --all` in both formats; at 1,000 patients with its records-a-second target."""
    records = size * (3650 + 40 + 3 + 1)  # pain, injections, side effects, appointment
    runs = HEAVY_RUNS if size >= EXPORT_ALL_MAX else None
    target = Target(ms=records / rate * 1000) if size == EXPORT_ALL_MAX else NO_TARGET
    return [
        Case(f"tracker export --all --format {fmt}", name,
             (tracker, "export", "--all", "--format", fmt), db, floor,  # type: ignore[arg-type]
             target, group=f"export --all {fmt}{engine}",
             runs=runs, records=records)
        for fmt in ("json", "csv")
    ]  # fmt: skip


def clinic_cases(tracker: str, size: int, db: Path, export_all: bool = True) -> list[Case]:
    name = f"clinic-{size}"
    last = build.patient_name(build.clinic(size), size)
    due_target = Target(ms=1000) if size == LARGE_CLINIC else NO_TARGET
    cases = [
        Case("tracker due --all", name, (tracker, "due", "--all"), db, FLOOR_CLICK, due_target,
             group="due --all"),
        Case(f"tracker --patient {last} export --format json", name,
             (tracker, "--patient", last, "export", "--format", "json"), db, FLOOR_ORM,
             group="export json (1 patient)"),
    ]  # fmt: skip
    if size > EXPORT_ALL_MAX or not export_all:
        return cases
    return cases + export_all_cases(tracker, name, size, db, FLOOR_ORM, EXPORT_RATE)


def import_files(args: argparse.Namespace) -> dict[int, Path]:
    """Export files of each size to import, written once and cached like the databases."""
    sizes = QUICK_IMPORT_SIZES if args.quick else IMPORT_SIZES
    files = {}
    for size in sizes:
        path = args.out / f"import-{size}-v1.json"
        if not path.exists() or args.rebuild:
            partial = path.with_suffix(f".{os.getpid()}.partial")
            import_file.write_export(partial, size)
            os.replace(partial, path)
        files[size] = path
    return files


def import_cases(tracker: str, files: dict[int, Path], empty: Path, filled: Path) -> list[Case]:
    cases = [
        Case("tracker import (into a new database)", f"json-{size}", (tracker, "import", str(path)),
             empty, FLOOR_ORM, Target(ms=size / IMPORT_RATE * 1000), copy_db=True,
             group="import (new database)", runs=HEAVY_RUNS, records=size)
        for size, path in files.items()
    ]  # fmt: skip
    largest = max(files)
    cases.append(
        Case("tracker import (merge into patient-20y)", f"json-{largest}",
             (tracker, "import", str(files[largest])), filled, FLOOR_ORM,
             Target(ms=largest / IMPORT_RATE * 1000), copy_db=True, runs=HEAVY_RUNS,
             records=largest)
    )  # fmt: skip
    return cases


def empty_database(out: Path) -> Path:
    """A database at the current schema with one patient and no records."""
    path = out / f"empty-{build.schema_key()}.db"
    if not path.exists():
        partial = path.with_suffix(f".{os.getpid()}.partial")
        partial.unlink(missing_ok=True)
        build.create_schema(partial)
        os.replace(partial, path)
    return path


def treatment_specs(args: argparse.Namespace) -> list[build.Spec]:
    if args.due_only:
        return []
    return [
        build.patient_treatments(DUE_TREATMENTS),
        build.clinic_treatments(treatment_clinic_size(args), CLINIC_TREATMENTS),
    ]


def clinic_spec(args: argparse.Namespace, size: int) -> build.Spec:
    return build.due_clinic(size) if args.due_only else build.clinic(size)


def dataset_specs(args: argparse.Namespace, sizes: list[int]) -> list[build.Spec]:
    return [build.patient_20y()] + [clinic_spec(args, n) for n in sizes] + treatment_specs(args)


def build_datasets(args: argparse.Namespace, sizes: list[int]) -> dict[str, Path]:
    specs = dataset_specs(args, sizes)
    if HUGE_SIZE in sizes and not args.due_only:
        print("warning: the 100,000-patient clinic takes a long time and ~25 GB to build")
    paths = {}
    for spec in specs:
        cached = (args.out / spec.filename()).exists() and not args.rebuild
        started = time.perf_counter()
        paths[spec.name] = build.ensure(spec, args.out, args.rebuild)
        if not cached:
            took = time.perf_counter() - started
            print(f"built {spec.name} in {took:.1f} s: {paths[spec.name].name}", flush=True)
    return paths


def build_postgres(
    args: argparse.Namespace, datasets: dict[str, Path], sizes: list[int]
) -> dict[str, str]:
    """The datasets copied into PostgreSQL: their URLs, by dataset name."""
    specs = dataset_specs(args, sizes)
    urls = {}
    for spec in specs:
        started = time.perf_counter()
        # The patient is written to by the timed writes: a fresh copy each bench.
        rebuild = args.rebuild or spec.patients == 1
        urls[spec.name] = build.ensure_postgres(spec, datasets[spec.name], args.postgres, rebuild)
        took = time.perf_counter() - started
        if took > 1:
            print(f"PostgreSQL {spec.name} ready in {took:.1f} s", flush=True)
    return urls


def run_cases(bench: Bench, cases: list[Case]) -> list[Row]:
    rows = []
    for case in cases:
        print(f"timing {case.command} [{case.dataset}]", file=sys.stderr, flush=True)
        times, rss = measure(bench, case.argv, case.db, case)
        rows.append(summarise(bench, case.command, case.dataset, times, rss, case))
    return rows


def growth(rows: list[Row]) -> list[str]:
    """How each clinic-wide row grows with the number of patients."""
    lines = []
    for group in dict.fromkeys(row.group for row in rows if row.group):
        points = [r for r in rows if r.group == group]
        sizes = [int(r.dataset.split("-")[1]) for r in points]
        parts = [
            f"N={n:,}: {r.median_ms:.0f} ms, {r.peak_rss_mb:.0f} MB"
            + (f", {r.records_per_s:,.0f} records/s" if r.records_per_s else "")
            for n, r in zip(sizes, points, strict=True)
        ]
        if len(points) > 1 and points[0].median_ms:
            factor = points[-1].median_ms / points[0].median_ms
            parts.append(f"x{factor:.1f} time for x{sizes[-1] / sizes[0]:g} N")
        lines.append(f"{group}: " + "; ".join(parts))
    return lines


COLUMNS = (
    "command",
    "dataset",
    "runs",
    "median ms",
    "spread ms",
    "floor ms",
    "ratio",
    "target",
    "ok",
    "peak RSS MB",
)


def cells(row: Row) -> list[str]:
    ok = "-" if row.ok is None else ("ok" if row.ok else "MISS")
    return [
        row.command,
        row.dataset,
        str(row.runs),
        f"{row.median_ms:.1f}",
        f"{row.min_ms:.1f}-{row.max_ms:.1f}",
        f"{row.floor_ms:.1f} ({row.floor})" if row.floor_ms else "-",
        f"{row.ratio:.2f}" if row.ratio is not None else "-",
        row.target,
        ok,
        f"{row.peak_rss_mb:.1f}",
    ]


def table(rows: list[Row]) -> str:
    grid = [list(COLUMNS)] + [cells(row) for row in rows]
    widths = [max(len(line[i]) for line in grid) for i in range(len(COLUMNS))]
    lines = [" | ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)) for line in grid]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    return "\n".join(line.rstrip() for line in lines)


def git_commit() -> str | None:
    try:
        done = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=build.ROOT, capture_output=True, text=True, timeout=10
        )
    except OSError:
        return None
    return done.stdout.strip() or None


def write_results(
    out: Path,
    args: argparse.Namespace,
    bench: Bench,
    datasets: dict[str, Path],
    rows: list[Row],
    postgres: dict[str, str],
) -> Path:
    stamp = datetime.now().strftime("%Y%m%dT%H%M%S")
    path = out / f"results-{stamp}.json"
    document = {
        "timestamp": datetime.now().isoformat(timespec="seconds"),
        "git_commit": git_commit(),
        "machine": {
            "platform": platform.platform(),
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
        },
        "settings": {
            "runs": bench.runs,
            "warmup": bench.warmup,
            "quick": args.quick,
            "today": build.TODAY.isoformat(),
            "tracker": bench.tracker,
        },
        "datasets": {name: {"file": p.name, **build.describe(p)} for name, p in datasets.items()}
        | {
            f"pg:{name}": {"url": url, **build.describe_postgres(url)}
            for name, url in postgres.items()
        },
        "floors_ms": {k: round(v, 1) for k, v in bench.floors.items()},
        "rows": [asdict(row) for row in rows],
        "growth": growth(rows),
    }
    path.write_text(json.dumps(document, indent=2) + "\n")
    return path


def main(argv: Sequence[str] | None = None, echo: Callable[[str], None] = print) -> int:
    args = parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    sizes = clinic_sizes(args)
    datasets = build_datasets(args, sizes)
    with tempfile.TemporaryDirectory(dir=args.out, prefix="scratch-") as scratch:
        bench = Bench(
            python=sys.executable,
            tracker=build.tracker_command(),
            runs=args.runs or (3 if args.quick else 7),
            warmup=1 if args.warmup is None else args.warmup,
            scratch=Path(scratch),
        )
        postgres = build_postgres(args, datasets, sizes) if args.postgres else {}
        rows = measure_floors(bench, datasets["patient-20y"], bool(postgres))
        if args.due_only:
            cases = due_only(args, bench, datasets, postgres, sizes)
        else:
            cases = all_cases(args, bench, datasets, postgres, sizes)
        rows += run_cases(bench, cases)
    echo(table(rows))
    for line in growth(rows):
        echo(line)
    echo("export json on a clinic: one patient (the last), peak RSS of that process.")
    echo("N is patients for clinic rows, records in the file for import rows.")
    echo(f"results: {write_results(args.out, args, bench, datasets, rows, postgres)}")
    sys.stdout.flush()
    return 0


def all_cases(
    args: argparse.Namespace,
    bench: Bench,
    datasets: dict[str, Path],
    postgres: dict[str, str],
    sizes: list[int],
) -> list[Case]:
    """Every row but --due-only's: the patient, the clinics, PostgreSQL, imports."""
    cases = patient_cases(bench.tracker, datasets["patient-20y"])
    for size in sizes:
        db = datasets[f"clinic-{size}"]
        cases += clinic_cases(bench.tracker, size, db, not args.no_export_all)
    patient_spec, treatment_clinic = treatment_specs(args)
    size = treatment_clinic.patients
    cases += treatment_cases(
        bench.tracker,
        (patient_spec.name, datasets[patient_spec.name]),
        (treatment_clinic.name, datasets[treatment_clinic.name]),
        size,
    )
    if postgres:
        cases += treatment_cases(
            bench.tracker,
            (f"pg:{patient_spec.name}", postgres[patient_spec.name]),
            (f"pg:{treatment_clinic.name}", postgres[treatment_clinic.name]),
            size,
        )
        cases += postgres_patient_cases(bench.tracker, postgres["patient-20y"])
        for size in sizes:
            cases += postgres_clinic_cases(
                bench.tracker, size, postgres[f"clinic-{size}"], not args.no_export_all
            )
    if not args.no_import:
        files = import_files(args)
        empty = empty_database(args.out)
        cases += import_cases(bench.tracker, files, empty, datasets["patient-20y"])
    return cases


def due_only(
    args: argparse.Namespace,
    bench: Bench,
    datasets: dict[str, Path],
    postgres: dict[str, str],
    sizes: list[int],
) -> list[Case]:
    """--due-only: `due --all` in both forms per clinic size, on each engine."""
    cases = []
    for size in sizes:
        name = clinic_spec(args, size).name
        cases += due_only_cases(bench.tracker, size, datasets[name])
        if postgres:
            cases += due_only_cases(bench.tracker, size, postgres[name], " (PostgreSQL)")
    return cases


if __name__ == "__main__":
    sys.exit(main())
