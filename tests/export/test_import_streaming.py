"""`tracker import` of big files: streamed, all or nothing, twins paired in SQL, logged
as one span per kind, a progress bar on a terminal, memory that does not grow."""

from __future__ import annotations

import importlib.util
import json
import os
import pty
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import TODAY, Tracker

ROOT = Path(__file__).resolve().parents[2]
TRACKER = str(Path(sys.executable).parent / "tracker")
# More than two staging batches (5,000 rows) and more than one read window (1 MiB).
BIG = 12_000


def _generator() -> Any:
    spec = importlib.util.spec_from_file_location("import_file", ROOT / "bench" / "import_file.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


write_export = _generator().write_export


@pytest.fixture(scope="module")
def big_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("big") / "big.json"
    write_export(path, BIG)
    return path


def export(tracker: Tracker) -> bytes:
    return tracker.ok("export", "--format", "json").stdout_bytes


def with_last_pain_score(source: Path, target: Path, score: str) -> Path:
    """A copy of ``source`` whose very last diary entry has this score."""
    content = source.read_text(encoding="utf-8")
    end = content.index('"patient":')
    last = content.rindex('"score": ', 0, end)
    stop = content.index("\n", last)
    target.write_text(content[:last] + f'"score": {score}' + content[stop:], encoding="utf-8")
    return target


def pain_count(path: Path) -> int:
    return len(json.loads(path.read_bytes())["pain"])


def document(**changes: Any) -> dict[str, Any]:
    """A small valid export with these top-level fields changed."""
    base: dict[str, Any] = {
        "format": "tracker",
        "version": 1,
        "generated_at": TODAY,
        "since": None,
        "until": None,
        "patient": {"name": "Sam"},
        "plan": {"every_months": 3, "within_days": 14},
        "injections": [],
        "pain": [],
        "effects": [],
        "appointments": [],
        "changes": [],
    }
    return {**base, **changes}


def pain(record_id: int, day: str, score: int = 4, function: int | None = None, note=None):
    return {"id": record_id, "date": day, "score": score, "function": function, "note": note}


def session(record_id: int, day: str, units: int = 200) -> dict[str, Any]:
    return {
        "id": record_id,
        "date": day,
        "product": "botox",
        "units": units,
        "sites": [{"muscle": "left lumbar paraspinal", "units": units}],
        "provider": None,
        "lot": None,
        "note": None,
    }


def write(folder: Path, content: Any, name: str = "file.json") -> str:
    path = folder / name
    path.write_text(json.dumps(content), encoding="utf-8")
    return str(path)


# --- all or nothing at any size ---------------------------------------------


def test_a_bad_last_record_of_a_big_file_leaves_an_empty_database_empty(
    tracker, big_file, tmp_path
):
    bad = with_last_pain_score(big_file, tmp_path / "bad.json", "11")
    last = pain_count(big_file) - 1
    stderr = tracker.fails("import", str(bad)).stderr
    assert f"pain[{last}].score: the pain score must be a whole number" in stderr
    assert tracker.json("diary", "--since", "1900-01-01") == []
    assert tracker.json("history") == []
    assert tracker.json("changes") == []
    # Still empty: the good file is a full restore, ids and all.
    tracker.ok("import", str(big_file))
    assert export(tracker) == big_file.read_bytes()


def test_a_bad_last_record_of_a_big_file_changes_nothing_in_a_merge(tracker, big_file, tmp_path):
    tracker.ok("log", "2026-11-20", "--units", "150")
    tracker.ok("pain", "6", "--date", "2026-11-21")
    before = export(tracker)
    bad = with_last_pain_score(big_file, tmp_path / "bad.json", '"7"')
    last = pain_count(big_file) - 1
    stderr = tracker.fails("import", str(bad)).stderr
    assert f"pain[{last}].score: expected a whole number from 0 to 10, got '7'" in stderr
    assert export(tracker) == before


def test_invalid_json_far_into_a_file_is_placed_by_line_and_column(sqlite_tracker, big_file):
    content = big_file.read_text(encoding="utf-8")
    spot = content.rindex('"note": null')  # deep in the diary, past the first megabyte
    broken = content[:spot] + '"note": nul,' + content[spot + len('"note": null') :]
    path = big_file.with_name("broken.json")
    path.write_text(broken, encoding="utf-8")
    line = broken.count("\n", 0, spot) + 1
    column = spot - broken.rindex("\n", 0, spot) + len('"note": ')
    stderr = sqlite_tracker.fails("import", str(path)).stderr
    assert f"is not valid JSON (Expecting value at line {line}, column {column})" in stderr
    assert spot > 1 << 20


def test_a_byte_order_mark_is_accepted_on_a_big_file(sqlite_tracker, big_file, tmp_path):
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + big_file.read_bytes())
    sqlite_tracker.ok("import", str(path))
    assert export(sqlite_tracker) == big_file.read_bytes()


def test_bytes_that_are_not_utf8_late_in_a_file_are_refused(sqlite_tracker, big_file, tmp_path):
    path = tmp_path / "latin1.json"
    data = big_file.read_bytes()
    spot = data.rindex(b"after a long walk")
    path.write_bytes(data[:spot] + b"caf\xe9" + data[spot + 4 :])
    assert "is not a tracker export (it is not UTF-8 text)" in (
        sqlite_tracker.fails("import", str(path)).stderr
    )
    assert sqlite_tracker.json("history") == []


# --- which problem is named ---------------------------------------------------


def test_the_format_and_version_decide_even_after_a_bad_record(sqlite_tracker, tmp_path):
    bad_pain = [pain(1, "2026-11-01", score=12)]
    other = write(tmp_path, document(format="fhir", pain=bad_pain))
    assert "format: expected 'tracker'" in sqlite_tracker.fails("import", other).stderr
    newer = document(version=3, pain=[{**pain(1, "2026-11-01"), "mood": "fine"}])
    stderr = sqlite_tracker.fails("import", write(tmp_path, newer)).stderr
    assert "version: this tracker reads version 1 and 2 exports, not 3" in stderr


def test_invalid_json_after_a_bad_record_is_named_first(sqlite_tracker, tmp_path):
    text = json.dumps(document(pain=[pain(1, "2026-11-01", score=12)]))
    path = tmp_path / "file.json"
    path.write_text(text[:-1] + ', "x": tru}', encoding="utf-8")
    assert "is not valid JSON" in sqlite_tracker.fails("import", str(path)).stderr


def test_a_missing_field_is_named_before_a_bad_record(sqlite_tracker, tmp_path):
    content = document(pain=[pain(1, "2026-11-01", score=12)])
    del content["effects"]
    assert "the export: missing field 'effects'" in (
        sqlite_tracker.fails("import", write(tmp_path, content)).stderr
    )


def test_an_unknown_list_is_read_past_and_named(sqlite_tracker, tmp_path):
    content = document(extra=[{"a": 1}] * 3)
    assert "the export: unknown field 'extra'" in (
        sqlite_tracker.fails("import", write(tmp_path, content)).stderr
    )
    not_a_list = write(tmp_path, document(pain={"id": 1}))
    assert "pain: expected a list, got an object" in (
        sqlite_tracker.fails("import", not_a_list).stderr
    )


def test_a_list_or_object_where_one_value_belongs_is_named_as_such(sqlite_tracker, tmp_path):
    cases = [
        (
            document(format=[{"a": 1}] * 50),
            "format: expected 'tracker' (a tracker export), got a list",
        ),
        (document(version={"major": 1}), "not an object (a newer tracker may read it)"),
        (document(plan=[3, 14]), "plan: expected an object, got a list"),
        (document(generated_at={"day": TODAY}), "generated_at: expected an ISO date"),
        (document(effects={"id": 1}), "effects: expected a list, got an object"),
    ]
    for content, message in cases:
        assert message in sqlite_tracker.fails("import", write(tmp_path, content)).stderr


def test_repeated_ids_out_of_order_are_found(tracker, tmp_path):
    diary = [pain(5, "2026-11-01"), pain(3, "2026-11-02"), pain(5, "2026-11-03")]
    stderr = tracker.fails("import", write(tmp_path, document(pain=diary))).stderr
    assert "pain[2].id: 5 is also the id of pain[0]" in stderr
    sessions = [session(1, "2026-10-01"), session(2, "2026-09-01"), session(3, "2026-10-01")]
    stderr = tracker.fails("import", write(tmp_path, document(injections=sessions))).stderr
    assert (
        "injections[2].date: a second session on 2026-10-01 (injections[0]); "
        "tracker keeps one session a day"
    ) in stderr
    assert tracker.json("history") == []


def test_repeated_ids_in_a_restored_change_log_are_refused(sqlite_tracker, tmp_path):
    change = {
        "id": 2,
        "batch": 2,
        "at": "2026-11-01T10:00:00+00:00",
        "command": "pain",
        "action": "insert",
        "kind": "pain",
        "record_id": 1,
        "old": None,
        "new": {"date": "2026-11-01", "score": 4},
        "undo_of": None,
    }
    changes = [change, {**change, "id": 1}, {**change, "id": 2}]
    stderr = sqlite_tracker.fails("import", write(tmp_path, document(changes=changes))).stderr
    assert "changes[2].id: 2 is also the id of changes[0]" in stderr


# --- merge: twins paired in SQL ------------------------------------------------


def test_twins_are_paired_one_to_one_with_empty_fields_equal(tracker, tmp_path):
    tracker.ok("log", "2026-10-01", "--units", "200", "--site", "left lumbar paraspinal:200")
    tracker.ok("pain", "4", "--date", "2026-11-01")
    tracker.ok("pain", "4", "--date", "2026-11-01")
    tracker.ok("pain", "4", "--date", "2026-11-01", "--function", "2", "--note", "walked")
    tracker.ok("effect", "headache", "--date", "2026-11-02")
    tracker.ok("book", "2026-12-01")
    stored = tracker.json("effects")[0]
    content = document(
        injections=[session(7, "2026-10-01"), session(8, "2026-08-01")],
        pain=[
            pain(10, "2026-11-01"),  # three empty twins in the file, two stored: one is new
            pain(11, "2026-11-01"),
            pain(12, "2026-11-01"),
            pain(13, "2026-11-01", function=2, note="walked"),  # stored
            pain(14, "2026-11-01", function=2, note="ran"),  # new: another note
        ],
        effects=[
            {
                "id": 3,
                "date": "2026-11-02",
                "text": "headache",
                "term": stored["term"],
                "class": stored["class"],
                "severity": stored["severity"],
                "note": None,
                "resolved": None,
            }
        ],
        appointments=[
            {
                "id": 4,
                "date": "2026-12-01",
                "time": None,
                "provider": None,
                "note": None,
                "status": "booked",
            }
        ],
    )
    result = tracker.ok("import", write(tmp_path, content)).stdout
    assert result.strip() == (
        "Imported 1 injection, 2 pain entries. 6 record(s) were already there and were skipped."
    )
    diary = tracker.json("diary", "--since", "2026-11-01")
    assert sorted(repr((entry["function"], entry["note"])) for entry in diary) == [
        "(2, 'ran')",
        "(2, 'walked')",
        "(None, None)",
        "(None, None)",
        "(None, None)",
    ]
    assert "Nothing new to import." in tracker.ok("import", write(tmp_path, content)).stdout


def test_the_earliest_conflicting_session_is_named(tracker, tmp_path):
    tracker.ok("log", "2026-09-01", "--units", "100")
    tracker.ok("log", "2026-06-01", "--units", "100")
    before = export(tracker)
    content = document(
        injections=[session(1, "2026-03-01"), session(2, "2026-06-01"), session(3, "2026-09-01")]
    )
    stderr = tracker.fails("import", write(tmp_path, content)).stderr
    assert "different injection session on 2026-06-01, a date that already has session #2" in (
        stderr
    )
    assert export(tracker) == before


def test_a_session_differing_only_in_its_sites_is_a_conflict(tracker, tmp_path):
    tracker.ok("log", "2026-09-01", "--units", "200", "--site", "left lumbar paraspinal:150")
    content = document(injections=[session(1, "2026-09-01")])
    assert "different injection session on 2026-09-01" in (
        tracker.fails("import", write(tmp_path, content)).stderr
    )
    tracker.ok("edit", "1", "--site", "left lumbar paraspinal:200")
    assert "Nothing new to import." in tracker.ok("import", write(tmp_path, content)).stdout


def test_another_patients_records_are_not_twins(tracker, tmp_path):
    tracker.ok("pain", "4", "--date", "2026-11-01")  # the first patient's
    tracker.ok("patients", "add", "Mum")
    path = write(tmp_path, document(pain=[pain(1, "2026-11-01"), pain(2, "2026-11-02")]))
    assert tracker.ok("--patient", "Mum", "import", path).stdout.strip() == (
        "Imported 2 pain entries for Mum."
    )
    assert tracker.ok("--patient", "default", "import", path).stdout.strip() == (
        "Imported 1 pain entry for default. 1 record(s) were already there and were skipped."
    )
    assert "removed 2 pain entries" in tracker.ok("--patient", "Mum", "undo").stdout
    assert tracker.json("--patient", "Mum", "diary", "--since", "2026-01-01") == []
    assert len(tracker.json("--patient", "default", "diary", "--since", "2026-01-01")) == 2


def test_batches_of_any_size_give_the_same_database(sqlite_tracker, tmp_path, monkeypatch):
    """Rows staged two at a time: every batch boundary is crossed."""
    from datetime import date

    from tests.export.conftest import fill_year
    from tracker.services import importer
    from tracker.store.database import Database

    source = fill_year(Tracker(str(tmp_path / "source.db")))
    source.ok("pain", "3", "--date", "2026-11-24")
    source.ok("undo")  # a trail with an undo in it
    backup = tmp_path / "backup.json"
    backup.write_bytes(export(source))
    monkeypatch.setattr(importer, "BATCH_ROWS", 2)
    database = Database(sqlite_tracker.db)
    try:
        first = importer.import_file(database, backup, date.fromisoformat(TODAY))
        again = importer.import_file(database, backup, date.fromisoformat(TODAY))
    finally:
        database.close()
    assert export(sqlite_tracker) == backup.read_bytes()
    assert sum(first.added.values()) == sum(again.skipped.values()) > 4
    assert sum(again.added.values()) == 0


# --- the change log: one entry per kind, one undo --------------------------------


def test_a_merge_is_logged_as_spans_and_undone_at_once(tracker, big_file):
    tracker.ok("pain", "6", "--date", "2026-11-21")
    tracker.ok("log", "2026-11-22", "--units", "150")
    before = export(tracker)
    result = tracker.ok("import", str(big_file)).stdout
    added = int(re.search(r"([0-9]+) pain entries", result)[1])
    log = tracker.json("changes")
    imported = [change for change in log if change["command"] == "import"]
    assert [change["kind"] for change in imported] == ["injection", "pain", "effect", "appointment"]
    assert len({change["batch"] for change in imported}) == 1
    span = imported[1]["new"]
    assert span == {
        "first_id": imported[1]["record_id"],
        "last_id": span["first_id"] + added - 1,
        "records": added,
    }
    table = tracker.ok("changes").stdout
    assert f"insert {added:,} pain entries #{span['first_id']}–#{span['last_id']}" in table

    # Something newer is undone first, then the whole import at once.
    tracker.ok("pain", "2", "--date", "2026-11-23")
    tracker.ok("undo")
    undone = tracker.ok("undo").stdout
    assert undone.startswith("Undid 'import': removed ")
    assert f"removed {added:,} pain entries #{span['first_id']}–#{span['last_id']}" in undone
    after = json.loads(export(tracker))
    expected = json.loads(before)
    for kind in ("injections", "pain", "effects", "appointments"):
        assert after[kind] == expected[kind], kind
    log = tracker.json("changes")
    undo_entries = [c for c in log if c["command"] == "undo" and c["undo_of"] == span_batch(log)]
    assert [(c["action"], c["kind"]) for c in undo_entries] == [
        ("delete", "appointment"),
        ("delete", "effect"),
        ("delete", "pain"),
        ("delete", "injection"),
    ]
    assert undo_entries[2]["old"] == span and undo_entries[2]["new"] is None
    assert "import (undone)" in tracker.ok("changes").stdout
    tracker.ok("check")
    # Recording goes on as usual (SQLite gives the freed ids out again, PostgreSQL does not).
    tracker.ok("pain", "3")
    assert len(tracker.json("diary", "--since", "1900-01-01")) == len(expected["pain"]) + 1


def span_batch(log: list[dict[str, Any]]) -> int:
    return next(change["batch"] for change in log if change["command"] == "import")


def test_a_restored_trail_with_spans_can_still_be_undone(tracker, tmp_path):
    source = Tracker(str(tmp_path / "source.db"))
    source.ok("pain", "6", "--date", "2026-11-21")
    content = document(pain=[pain(1, "2026-11-01"), pain(2, "2026-11-02")])
    source.ok("import", write(tmp_path, content))
    backup = tmp_path / "backup.json"
    backup.write_bytes(export(source))
    assert [c["new"] for c in json.loads(backup.read_bytes())["changes"]][-1] == {
        "first_id": 2,
        "last_id": 3,
        "records": 2,
    }
    tracker.ok("import", str(backup))  # an empty database: the trail comes back as it was
    assert export(tracker) == backup.read_bytes()
    assert "removed 2 pain entries #2–#3" in tracker.ok("undo").stdout
    assert [entry["id"] for entry in tracker.json("diary", "--since", "2026-01-01")] == [1]


def test_a_span_of_one_record_reads_like_any_insert(sqlite_tracker, tmp_path):
    sqlite_tracker.ok("pain", "6", "--date", "2026-11-21")
    sqlite_tracker.ok("import", write(tmp_path, document(pain=[pain(1, "2026-11-01")])))
    assert "insert pain entry #2" in sqlite_tracker.ok("changes").stdout
    assert sqlite_tracker.ok("undo").stdout.strip() == "Undid 'import': removed pain entry #2."


def test_a_merge_that_adds_nothing_logs_nothing(sqlite_tracker, tmp_path):
    sqlite_tracker.ok("pain", "4", "--date", "2026-11-01")
    sqlite_tracker.ok("import", write(tmp_path, document(pain=[pain(9, "2026-11-01")])))
    assert [c["command"] for c in sqlite_tracker.json("changes")] == ["pain"]


# --- the progress bar -------------------------------------------------------------


def environment(tracker: Tracker) -> dict[str, str]:
    env = {**os.environ, "TRACKER_DB": tracker.db, "TRACKER_TODAY": tracker.today}
    env.pop("TRACKER_PATIENT", None)
    return env


def test_a_terminal_shows_a_progress_bar(sqlite_tracker, big_file):
    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        [TRACKER, "import", str(big_file)],
        stdout=subprocess.PIPE,
        stderr=terminal,
        env=environment(sqlite_tracker),
    )
    os.close(terminal)
    shown = b"".join(_chunks(controller))
    stdout, _ = process.communicate(timeout=120)
    assert process.returncode == 0, shown
    assert b"Importing" in shown and b"100%" in shown
    assert stdout.startswith(b"Imported ")


def _chunks(controller: int) -> Iterator[bytes]:
    try:
        while True:
            try:
                chunk = os.read(controller, 65536)
            except OSError:  # EIO: the child closed its end
                return
            if not chunk:
                return
            yield chunk
    finally:
        os.close(controller)


def test_without_a_terminal_only_the_summary_is_written(sqlite_tracker, big_file):
    done = subprocess.run(
        [TRACKER, "import", str(big_file)],
        capture_output=True,
        env=environment(sqlite_tracker),
        timeout=120,
    )
    assert done.returncode == 0
    assert done.stderr == b""
    assert re.fullmatch(rb"Imported [0-9]+ injections, [0-9]+ pain entries, .*\.\n", done.stdout)


def test_the_service_reports_every_byte_once(sqlite_tracker, big_file):
    from datetime import date

    from tracker.services.importer import import_file
    from tracker.store.database import Database

    steps: list[int] = []
    database = Database(sqlite_tracker.db)
    try:
        import_file(database, big_file, date.fromisoformat(TODAY), steps.append)
    finally:
        database.close()
    assert sum(steps) == big_file.stat().st_size
    assert len(steps) > 1 and all(step > 0 for step in steps)


# --- memory -------------------------------------------------------------------------


def peak_rss_kib(tracker: Tracker, path: Path, code: int = 0) -> int:
    """The import's own peak resident memory (its process only, from wait4), measured
    as a user runs it: without the test run's coverage hooks."""
    env = {k: v for k, v in environment(tracker).items() if not k.startswith("COV_CORE_")}
    process = subprocess.Popen(
        [TRACKER, "import", str(path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    assert process.returncode == code
    return usage.ru_maxrss


def test_memory_does_not_grow_with_the_file(tmp_path):
    small, large = tmp_path / "small.json", tmp_path / "large.json"
    write_export(small, 20_000)
    write_export(large, 200_000)  # ten times the records, 24 MB
    small_peak = peak_rss_kib(Tracker(str(tmp_path / "small.db")), small)
    large_peak = peak_rss_kib(Tracker(str(tmp_path / "large.db")), large)
    # Measured: about 68 and 84 MB, then the same 86 MB up to a million records
    # (SQLite's caches fill up first). Reading the whole file took 121 and 622 MB.
    assert large_peak < small_peak + 30 * 1024, (small_peak, large_peak)


def test_a_huge_note_is_refused_without_being_read_whole(tmp_path):
    """A 128 MB note (the limit is 10,000 characters) is refused once the reader has
    read past 16 MB of it; reading it whole peaked at 2.4 times its size."""
    small, huge = tmp_path / "small.json", tmp_path / "huge.json"
    write_export(small, 1)
    document = json.loads(small.read_text())
    document["pain"][0]["note"] = "@NOTE@"
    before, after = json.dumps(document, sort_keys=True).split('"@NOTE@"')
    with huge.open("w") as file:
        file.write(before + '"')
        for _ in range(128):
            file.write("x" * (1 << 20))
        file.write('"' + after)
    small_peak = peak_rss_kib(Tracker(str(tmp_path / "small.db")), small)
    huge_peak = peak_rss_kib(Tracker(str(tmp_path / "huge.db")), huge, code=2)
    # Measured: about 80 MB more than a one-record import (the 16 MB window, its
    # text and the decoder's); a 300 MB note peaked at 145 MB (720 MB before).
    assert huge_peak < small_peak + 110 * 1024, (small_peak, huge_peak)
    error = subprocess.run(
        [TRACKER, "import", str(huge)],
        capture_output=True,
        text=True,
        env=environment(Tracker(str(tmp_path / "huge.db"))),
        check=False,
    ).stderr
    assert error.startswith(f"Error: {huge} holds a value of more than 16,777,216 characters")
