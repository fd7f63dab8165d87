"""How `tracker export` chooses its format and where it writes."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path


def test_without_format_or_file_the_export_is_json_on_stdout(filled_sqlite):
    data = json.loads(filled_sqlite.ok("export").stdout)
    assert data["format"] == "tracker" and data["version"] == 2


def test_the_format_comes_from_the_output_files_extension(filled_sqlite, tmp_path):
    for name, starts in [
        ("r.pdf", b"%PDF"),
        ("r.html", b"<!DOCTYPE html"),
        ("r.ics", b"BEGIN:VCALENDAR"),
        ("r.json", b"{"),
        ("r.csv", b"type"),
    ]:
        result = filled_sqlite.ok("export", "-o", str(tmp_path / name))
        assert f"Wrote {tmp_path / name}" in result.stdout
        assert (tmp_path / name).read_bytes().lstrip(b"\xef\xbb\xbf").startswith(starts), name


def test_format_wins_over_the_extension(filled_sqlite, tmp_path):
    target = tmp_path / "records.txt"
    filled_sqlite.ok("export", "--format", "csv", "-o", str(target))
    assert target.read_text().startswith("type")


def test_an_unknown_extension_without_format_is_a_one_line_error(filled_sqlite, tmp_path):
    result = filled_sqlite.fails("export", "-o", str(tmp_path / "records.txt"))
    assert "--format" in result.stderr
    assert not (tmp_path / "records.txt").exists()


def test_fhir_needs_the_format_option(filled_sqlite, tmp_path):
    target = tmp_path / "r.fhir.json"
    filled_sqlite.ok("export", "--format", "fhir", "-o", str(target))
    assert json.loads(target.read_text())["resourceType"] == "Bundle"


def test_since_after_until_is_refused(filled_sqlite):
    assert (
        "after --until"
        in filled_sqlite.fails("export", "--since", "2026-06-01", "--until", "2026-01-01").stderr
    )


def test_an_existing_file_is_replaced_whole_and_kept_private(filled_sqlite, tmp_path):
    target = tmp_path / "report.json"
    target.write_text("old contents " * 10_000)
    filled_sqlite.ok("export", "-o", str(target))
    assert json.loads(target.read_text())["format"] == "tracker"
    assert target.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in tmp_path.iterdir() if p.is_file()] == ["report.json"]


def test_a_pdf_is_not_written_to_a_terminal(filled_sqlite):
    tracker = str(Path(sys.executable).parent / "tracker")
    controller, terminal = pty.openpty()
    env = {**os.environ, "TRACKER_DB": filled_sqlite.db, "TRACKER_TODAY": filled_sqlite.today}
    try:
        process = subprocess.run(
            [tracker, "export", "--format", "pdf"],
            stdout=terminal,
            stderr=subprocess.PIPE,
            env=env,
            timeout=60,
        )
    finally:
        os.close(terminal)
        os.close(controller)
    assert process.returncode == 2
    assert process.stderr.decode().startswith("Error: a PDF file cannot be shown on the screen")
