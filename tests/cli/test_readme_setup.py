"""README's set-up commands, run as a new user would (issue 17).

The first command must show tracker's main job on a throwaway database and
never write made-up records into the user's real data folder; the second is
exactly what CI runs.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
INSTALL = "pip install . && "


def setup_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Set up", 1)[1].split("\n## ", 1)[0]
    return [block.strip() for block in re.findall(r"```sh\n(.*?)```", section, re.DOTALL)]


def test_the_first_command_tries_tracker_on_a_throwaway_database(tmp_path: Path) -> None:
    first = setup_commands()[0]
    assert first.startswith(INSTALL)
    home = tmp_path / "home"
    home.mkdir()
    folder = tmp_path / "project"
    folder.mkdir()
    environment = {
        key: value for key, value in os.environ.items() if not key.startswith(("TRACKER_", "XDG_"))
    }
    environment.update(
        HOME=str(home), PATH=f"{Path(sys.executable).parent}{os.pathsep}{environment['PATH']}"
    )
    # Installing is what pip does; tracker is installed here already.
    done = subprocess.run(
        ["bash", "-c", first[len(INSTALL) :]],
        cwd=folder,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert done.returncode == 0, done.stderr
    assert "SAMPLE DATA" in done.stdout
    assert re.search(r"^Next injection due .* — in \d+ days", done.stdout, re.MULTILINE)
    assert re.search(r"^Booked: ", done.stdout, re.MULTILINE)
    # Nothing in the real data folder (nor anywhere in the home folder).
    assert list(home.iterdir()) == []
    # Only the demo file (and SQLite's own -wal/-shm companions of it).
    assert {path.name for path in folder.iterdir()} <= {"demo.db", "demo.db-wal", "demo.db-shm"}
    assert (folder / "demo.db").is_file()


def test_the_test_command_is_the_one_ci_runs() -> None:
    second = setup_commands()[1]
    assert second == "pip install -e '.[test]' && pytest"
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert f"\n{second}\n" in ci
