"""What the quick write commands load at start-up (issue 8: within 1.3x of SQLAlchemy's import).

Timings belong to the benchmark (bench/run.py); these tests pin the causes a
change could silently bring back: loading every command's module, the review
and export code, or leaving the garbage collector off for the real work.
"""

from __future__ import annotations

import gc
import subprocess
import sys

import pytest

from tests.conftest import Tracker

HEAVY_FOR_A_WRITE = (
    "tracker.cli.output",
    "tracker.domain.response",
    "tracker.domain.diary",
    "tracker.export",
    "tracker.cli.transfer",
    "tracker.cli.review",
    "alembic",
)


def loaded_after(db: str, *args: str) -> tuple[set[str], bool]:
    code = (
        "import sys, gc; from tracker.cli import main; "
        "sys.argv = ['tracker', '--db', sys.argv[1], *sys.argv[2:]]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(' '.join(sorted(sys.modules)), gc.isenabled(), file=sys.stderr)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, db, *args],
        capture_output=True,
        text=True,
        env={"TRACKER_TODAY": "2026-11-25", "PATH": ""},
        check=True,
    )
    *modules, enabled = done.stderr.split()[-1000:]
    return set(modules), enabled == "True"


@pytest.mark.parametrize(
    "args",
    [("pain", "5"), ("effect", "headache"), ("log", "2026-11-20", "--units", "100")],
    ids=lambda args: args[0],
)
def test_a_quick_write_loads_only_what_it_needs(tmp_path, args):
    db = tmp_path / "t.db"
    Tracker(str(db)).ok("log", "2026-08-01")
    modules, collecting = loaded_after(str(db), *args)
    assert "sqlalchemy.orm" in modules  # it did reach the database
    assert not modules & set(HEAVY_FOR_A_WRITE)
    assert not {m for m in modules if m.startswith("tracker.export")}
    # The collector was off only while modules loaded.
    assert collecting


def test_the_database_switches_the_collector_back_on(tmp_path):
    from tracker.cli.context import AppContext

    gc.disable()
    try:
        import click

        with click.Context(click.Command("x")):
            AppContext(str(tmp_path / "t.db")).database()
        assert gc.isenabled()
    finally:
        gc.enable()
        gc.unfreeze()


def test_a_test_process_keeps_its_collector(tmp_path):
    # CliRunner calls cli.main, not the console script's main(): nothing changes.
    Tracker(str(tmp_path / "t.db")).ok("pain", "5")
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0


def test_the_start_up_tricks_live_in_one_module():
    """Issue 15: the collector switch is explained and done in tracker.cli.startup only."""
    import re
    from pathlib import Path

    import tracker

    package = Path(tracker.__file__).parent
    touching = sorted(
        path.relative_to(package).as_posix()
        for path in package.rglob("*.py")
        if re.search(r"^\s*import gc\b|\bgc\.", path.read_text(encoding="utf-8"), re.MULTILINE)
    )
    assert touching == ["cli/startup.py"]
