"""What killed runs leave behind is cleaned up, and simultaneous first runs of an upgrade
keep one copy, not one each (issue 13, point 16)."""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import TODAY, Tracker
from tests.integration.test_migration_data import fill, make_database_at
from tracker.store import temporaries

RUN_TRACKER = "from tracker.cli import main; main()"
LONG_AGO = time.time() - 2 * 3600


def leftover(folder: Path, name: str, *, old: bool = True) -> Path:
    path = folder / name
    path.write_bytes(b"half a copy")
    if old:
        os.utime(path, (LONG_AGO, LONG_AGO))
    return path


def names(folder: Path) -> set[str]:
    return {path.name for path in folder.iterdir()}


def test_stale_temporaries_beside_the_database_are_removed_on_the_next_run(sqlite_path):
    tracker = Tracker(str(sqlite_path))
    tracker.ok("log", "2026-08-25")
    folder = sqlite_path.parent
    stale = {
        leftover(folder, ".tracker.db.tracker-k1ll3d00.tmp").name,
        leftover(folder, ".tracker.db.tracker-k1ll3d00.tmp-journal").name,
        leftover(folder, ".tracker-backup-20261125-163012.db.tracker-abc_1234.tmp").name,
        leftover(folder, ".orphan.tracker-zzzzzzzz.tmp-journal").name,
    }
    kept = {
        leftover(folder, ".tracker.db.tracker-fresh000.tmp", old=False).name,  # may be in use
        leftover(folder, ".notes.abcdefgh.tmp").name,  # not tracker's
        leftover(folder, "tracker.db.tracker-x.tmp").name,  # not hidden: not tracker's pattern
    }
    locked = leftover(folder, ".tracker.db.tracker-busy0000.tmp")
    with locked.open("rb") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)  # another process is still writing it
        tracker.ok("history")
    assert not names(folder) & stale
    assert kept | {locked.name} <= names(folder)
    tracker.ok("check")


def test_the_temporary_of_a_killed_writer_is_stale_once_old(tmp_path):
    """The lock dies with the process that held it."""
    code = (
        "import sys, time; from pathlib import Path; from tracker.store import temporaries\n"
        "handle, name = temporaries.create(Path(sys.argv[1]))\n"
        "print(name, flush=True); time.sleep(60)"
    )
    writer = subprocess.Popen(
        [sys.executable, "-c", code, str(tmp_path / "report.json")],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert writer.stdout is not None
    temporary = Path(writer.stdout.readline().strip())
    os.utime(temporary, (LONG_AGO, LONG_AGO))
    assert temporaries.remove_stale(tmp_path) == []  # still locked by a live writer
    writer.send_signal(signal.SIGKILL)
    writer.wait()
    assert temporaries.remove_stale(tmp_path) == [temporary]
    assert not temporary.exists()


def test_an_export_or_a_backup_cleans_its_target_folder(sqlite_path, tmp_path):
    tracker = Tracker(str(sqlite_path))
    tracker.ok("log", "2026-08-25")
    exports = tmp_path / "exports"
    exports.mkdir()
    stale = leftover(exports, ".report.json.tracker-k1ll3d00.tmp")
    tracker.ok("export", "-o", str(exports / "report.json"))
    assert names(exports) == {"report.json"}
    stale = leftover(exports, ".copy.db.tracker-k1ll3d00.tmp")
    leftover(exports, ".copy.db.tracker-k1ll3d00.tmp-journal")
    tracker.ok("backup", str(exports / "other.db"))
    assert not stale.exists()
    assert names(exports) == {"report.json", "other.db"}


def test_eight_simultaneous_first_runs_on_an_old_database_keep_one_copy(tmp_path):
    path = tmp_path / "tracker.db"
    engine = make_database_at(path, "0001")
    fill(engine)
    engine.dispose()
    env = {**os.environ, "TRACKER_TODAY": TODAY, "TRACKER_DB": str(path)}
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", RUN_TRACKER, "due"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=env,
            text=True,
        )
        for _ in range(8)
    ]
    said = [run.communicate(timeout=120)[1] for run in runs]
    assert [run.returncode for run in runs] == [0] * 8, said
    copies = list(tmp_path.glob("tracker.db.before-upgrade-*"))
    assert len(copies) == 1, copies
    assert sum("Backed up your database" in text for text in said) == 1, said
    Tracker(str(path)).ok("check")
