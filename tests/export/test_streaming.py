"""The streamed JSON and CSV writers: the same bytes as building the document whole,
flat memory, progress counts, batches, one snapshot, and safe files on failure."""

from __future__ import annotations

import csv
import io
import json
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.exc import OperationalError

from tests.conftest import Tracker, _postgres_database
from tests.export.conftest import fill_year
from tracker.domain.appointments import AppointmentRecord, AppointmentStatus
from tracker.domain.dosing import Site
from tracker.domain.errors import DatabaseProblem, InvalidInput, TrackerError
from tracker.domain.intervals import parse_interval
from tracker.domain.products import Product
from tracker.domain.records import (
    ChangeRecord,
    EffectRecord,
    InjectionRecord,
    PainRecord,
    PlanSettings,
)
from tracker.domain.side_effects import EffectClass, Severity
from tracker.domain.treatments import Treatment
from tracker.export import clinic_writer, csv_export, json_export, records_writer, renderer
from tracker.export.files import atomic_file, write_atomically
from tracker.export.model import ClinicRecords, PatientRecords, RecordStream, TreatmentRecord
from tracker.export.streaming import PROGRESS_STEP, counted, nobody_watching
from tracker.services.report import build_report, clinic_records, patient_records
from tracker.store import streams
from tracker.store.database import Database

TODAY = date(2026, 11, 25)

# --- the same bytes as the whole document, for any values --------------------

texts = st.text(st.characters(exclude_categories=("Cs",)), max_size=12)
maybe_texts = st.none() | texts
days = st.dates(date(1990, 1, 1), date(2030, 12, 31))
units = st.none() | st.integers(0, 1000).map(float) | st.floats(allow_nan=False)
plain = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | texts
nested = st.recursive(
    plain,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
    max_leaves=8,
)

injections = st.builds(
    InjectionRecord,
    id=st.integers(1, 10**6),
    day=days,
    product=st.sampled_from(Product),
    units=units,
    sites=st.lists(st.builds(Site, texts, units), max_size=3).map(tuple),
    provider=maybe_texts,
    lot=maybe_texts,
    note=maybe_texts,
    treatment=texts,
)
intervals = st.sampled_from(["1d", "28d", "2w", "12w", "1m", "3m", "24m", "1y", "2y"]).map(
    parse_interval
)
treatments = st.builds(
    TreatmentRecord,
    st.integers(1, 10**6),
    st.builds(
        Treatment,
        name=texts,
        product=texts,
        interval=intervals,
        within_days=st.integers(0, 365),
        sites=st.lists(texts, max_size=3).map(tuple),
    ),
)
pains = st.builds(
    PainRecord,
    st.integers(1, 10**6),
    days,
    st.integers(0, 10),
    st.none() | st.integers(0, 10),
    maybe_texts,
)
effects = st.builds(
    EffectRecord,
    id=st.integers(1, 10**6),
    day=days,
    text=texts,
    term=maybe_texts,
    effect_class=st.sampled_from(EffectClass),
    severity=st.none() | st.sampled_from(Severity),  # none: not stated
    note=maybe_texts,
    resolved_on=st.none() | days,
)
appointments = st.builds(
    AppointmentRecord,
    id=st.integers(1, 10**6),
    day=days,
    time=maybe_texts,
    provider=maybe_texts,
    note=maybe_texts,
    status=st.sampled_from(AppointmentStatus),
)
changes = st.builds(
    ChangeRecord,
    id=st.integers(1, 10**6),
    batch=st.integers(1, 10**6),
    at=texts,
    command=texts,
    action=texts,
    kind=texts,
    record_id=st.integers(1, 10**6),
    old=st.none() | st.dictionaries(texts, nested, max_size=3),
    new=st.none() | st.dictionaries(texts, nested, max_size=3),
    undo_of=st.none() | st.integers(1, 10**6),
)
patient_records_strategy = st.builds(
    PatientRecords,
    generated_on=days,
    since=st.none() | days,
    until=st.none() | days,
    patient=texts,
    plan=st.builds(PlanSettings, intervals, st.integers(0, 60), maybe_texts),
    treatments=st.lists(treatments, max_size=3),
    injections=st.lists(injections, max_size=3),
    pain=st.lists(pains, max_size=4),
    effects=st.lists(effects, max_size=3),
    appointments=st.lists(appointments, max_size=3),
    changes=st.lists(changes, max_size=3),
)


def whole_document(records: PatientRecords) -> dict[str, Any]:
    """The export as it was built before streaming: everything in lists at once."""
    return {
        "format": "tracker",
        "version": 2,
        "generated_at": records.generated_on.isoformat(),
        "since": json_export.iso(records.since),
        "until": json_export.iso(records.until),
        "patient": {"name": records.plan.patient_name, "uuid": records.patient_uuid or None},
        "plan": {
            "every_months": records.plan.every_months,
            "within_days": records.plan.within_days,
        },
        "treatments": [
            {
                "id": record.id,
                "name": record.treatment.name,
                "product": record.treatment.product,
                "every": record.treatment.interval.text,
                "within_days": record.treatment.within_days,
                "sites": list(record.treatment.sites),
            }
            for record in records.treatments
        ],
        "injections": [json_export.session(r) for r in records.injections],
        "pain": [json_export.pain(r) for r in records.pain],
        "effects": [json_export.effect_record(r) for r in records.effects],
        "appointments": [json_export.appointment(r) for r in records.appointments],
        "changes": [json_export.change(r) for r in records.changes],
    }


def dumped(document: Any) -> bytes:
    return (json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()


def whole_csv(header: list[str], rows: list[list[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(csv_export.cell(value) for value in row)
    return buffer.getvalue().encode("utf-8")


def csv_cells(records: PatientRecords) -> list[list[Any]]:
    return [[row.get(column) for column in csv_export.COLUMNS] for row in csv_export.rows(records)]


def written(write: Any, model: Any) -> bytes:
    out = io.BytesIO()
    size = write(model, out)
    assert size == len(out.getvalue())
    return out.getvalue()


@given(patient_records_strategy)
def test_streamed_json_is_byte_for_byte_the_whole_document(records):
    assert written(json_export.write, records) == dumped(whole_document(records))


@given(st.lists(patient_records_strategy, max_size=3), days)
def test_streamed_clinic_json_is_byte_for_byte_the_whole_document(patients, today):
    clinic = ClinicRecords(today, None, today, patients, len(patients), 0)
    expected = {
        "format": "tracker-clinic-export",
        "version": 2,
        "generated_at": today.isoformat(),
        "since": None,
        "until": today.isoformat(),
        "patients": [whole_document(records) for records in patients],
    }
    assert written(json_export.write_clinic, clinic) == dumped(expected)


@given(st.lists(patient_records_strategy, max_size=3))
def test_streamed_csv_is_the_whole_table(patients):
    for records in patients:
        expected = whole_csv(list(csv_export.COLUMNS), csv_cells(records))
        assert written(csv_export.write, records) == expected
    clinic = ClinicRecords(TODAY, None, None, patients, len(patients), 0)
    rows = [[r.patient, *cells] for r in patients for cells in csv_cells(r)]
    assert written(csv_export.write_clinic, clinic) == whole_csv(
        ["patient", *csv_export.COLUMNS], rows
    )


# --- memory does not grow with the history ----------------------------------


def many_pain_entries(count: int) -> RecordStream[PainRecord]:
    def fetch() -> Iterator[PainRecord]:
        start = date(1990, 1, 1)
        for number in range(count):
            yield PainRecord(number, start + timedelta(days=number // 3), number % 11, None, "note")

    return RecordStream(fetch)


class Discard:
    """A binary stream that keeps nothing, like a file on disk."""

    def __init__(self) -> None:
        self.size = 0

    def write(self, data: bytes) -> int:
        self.size += len(data)
        return len(data)

    def flush(self) -> None:
        pass


def peak_bytes(write: Any, count: int) -> int:
    records = PatientRecords(
        TODAY, None, None, "p", PlanSettings(), [], many_pain_entries(count), [], []
    )
    clinic = ClinicRecords(TODAY, None, None, [records, records], 2, 2 * count)
    tracemalloc.start()
    try:
        write(clinic, Discard())
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("write", [json_export.write_clinic, csv_export.write_clinic])
def test_writing_ten_times_the_records_takes_no_more_memory(write):
    small, large = peak_bytes(write, 2_000), peak_bytes(write, 20_000)
    # Memory is one chunk of text and one record at a time, whatever the count.
    assert large < small + 64 * 1024, (small, large)
    assert large < 1024 * 1024


# --- progress ------------------------------------------------------------------


def test_counted_reports_every_step_and_the_rest():
    calls: list[int] = []
    assert list(counted(range(2 * PROGRESS_STEP + 7), calls.append)) == list(
        range(2 * PROGRESS_STEP + 7)
    )
    assert calls == [PROGRESS_STEP, PROGRESS_STEP, 7]
    assert list(counted(range(3), nobody_watching)) == [0, 1, 2]
    calls.clear()
    assert list(counted([], calls.append)) == [] and calls == []


@pytest.fixture
def year_db(tracker) -> Iterator[Database]:
    """Both backends: Sam's year (as in `filled`) and Mum with one pain entry."""
    fill_year(tracker)
    tracker.ok("patients", "add", "Mum")
    tracker.ok("--patient", "Mum", "pain", "4", "--date", "2026-10-01")
    db = Database(tracker.db, patient="Sam Patient")
    yield db
    db.close()


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_progress_adds_up_to_the_counted_records(year_db, fmt):
    write = {"json": json_export.write_clinic, "csv": csv_export.write_clinic}[fmt]
    calls: list[int] = []
    with clinic_records(year_db, TODAY) as clinic:
        write(clinic, Discard(), calls.append)
    # Sam: 4 injections, 94 pain entries, 3 side effects, 2 appointments; Mum: 1 pain entry.
    assert (clinic.patient_count, clinic.record_count) == (2, 4 + 94 + 3 + 2 + 1)
    assert sum(calls) == clinic.record_count


def test_the_export_sees_one_snapshot_while_others_write(year_db, tracker):
    """Counted first, read later: a record added meanwhile is in neither."""
    calls: list[int] = []
    out = io.BytesIO()
    with clinic_records(year_db, TODAY) as clinic:
        tracker.ok("--patient", "Mum", "pain", "6", "--date", "2026-10-02")
        json_export.write_clinic(clinic, out, calls.append)
    assert sum(calls) == clinic.record_count
    mum = json.loads(out.getvalue())["patients"][1]
    assert [p["score"] for p in mum["pain"]] == [4]
    assert len(json.loads(tracker.ok("--patient", "Mum", "export").stdout)["pain"]) == 2


def test_streams_are_read_only_inside_the_block(year_db):
    with patient_records(year_db, TODAY) as records:
        assert len(list(records.pain)) == len(list(records.pain)) == 94  # read again, same
    with pytest.raises(Exception, match="closed"):
        list(records.pain)


# --- every path gives the same file --------------------------------------------


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def year(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Tracker]:
    """The `filled` patient, made once per backend for the tests that only export."""
    if request.param == "sqlite":
        yield fill_year(Tracker(str(tmp_path_factory.mktemp("year") / "tracker.db")))
        return
    with contextmanager(_postgres_database)("streaming") as url:
        yield fill_year(Tracker(url))


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_small_batches_give_the_same_export(year, monkeypatch, fmt):
    """Sites of one injection may arrive in two batches; they still make one record."""
    usual = [year.ok("export", *args, "--format", fmt).stdout_bytes for args in [(), ("--all",)]]
    monkeypatch.setattr(streams, "BATCH", 3)
    small = [year.ok("export", *args, "--format", fmt).stdout_bytes for args in [(), ("--all",)]]
    assert small == usual


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_the_report_model_renders_the_same_bytes_as_the_streams(year, fmt):
    db = Database(year.db)
    try:
        for bounds in [(None, None), (date(2026, 3, 5), date(2026, 12, 5))]:
            report = build_report(db, TODAY, *bounds)
            args = [f"--since={bounds[0]}", f"--until={bounds[1]}"] if bounds[0] else []
            streamed = year.ok("export", "--format", fmt, *args).stdout_bytes
            assert renderer(fmt)(report) == streamed
            assert report.records().patient == "Sam Patient"
    finally:
        db.close()


# --- files: replaced whole or not at all ------------------------------------------


def test_atomic_file_replaces_the_old_file_only_at_the_end(tmp_path: Path):
    target = tmp_path / "out.json"
    target.write_text("old")
    with atomic_file(target) as stream:
        stream.write(b"new")
        assert target.read_text() == "old"  # nothing visible until the end
    assert target.read_text() == "new"
    assert target.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]


@pytest.mark.parametrize("error", [DatabaseProblem("gone"), KeyboardInterrupt()])
def test_atomic_file_leaves_nothing_behind_on_an_error(tmp_path: Path, error):
    target = tmp_path / "out.json"
    target.write_text("old")
    with pytest.raises(type(error)), atomic_file(target) as stream:
        stream.write(b"half")
        raise error
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]


def test_write_errors_and_missing_folders_are_one_line_errors(tmp_path: Path):
    with pytest.raises(TrackerError, match="cannot write in"):
        write_atomically(tmp_path / "missing" / "out.json", b"x")
    write_atomically(tmp_path / "whole.json", b"{}")
    assert (tmp_path / "whole.json").read_bytes() == b"{}"
    (tmp_path / "whole.json").unlink()
    target = tmp_path / "out.json"
    with pytest.raises(TrackerError, match="No space left"), atomic_file(target) as stream:
        stream.write(b"half")
        raise OSError(28, "No space left on device")  # as a write to a full disk would
    assert list(tmp_path.iterdir()) == []


def failing_pain(real: Any, error: BaseException, after: int = 5) -> Any:
    def fetch(*args: Any) -> Iterator[PainRecord]:
        for number, record in enumerate(real(*args)):
            if number == after:
                raise error
            yield record

    return fetch


@pytest.mark.parametrize(
    "args", [(), ("--all",), ("--format", "csv"), ("--all", "--format", "csv")]
)
def test_an_error_half_way_keeps_the_old_file(year, tmp_path, monkeypatch, args):
    folder = tmp_path / "exports"
    folder.mkdir()
    target = folder / "records.out"
    target.write_text("the old export")
    monkeypatch.setattr(streams, "pain", failing_pain(streams.pain, DatabaseProblem("disk gone")))
    # The clinic's fast path reads the same entries in batches: fail it half way too.
    monkeypatch.setattr(streams, "BATCH", 3)
    monkeypatch.setattr(
        streams, "pain_rows", failing_pain(streams.pain_rows, DatabaseProblem("disk gone"))
    )
    fmt = () if "--format" in args else ("--format", "json")
    result = year.fails("export", *args, *fmt, "-o", str(target))
    assert result.stderr == "Error: disk gone\n"
    assert target.read_text() == "the old export"
    assert [p.name for p in folder.iterdir()] == ["records.out"]


def test_ctrl_c_half_way_keeps_the_old_file(year, tmp_path, monkeypatch):
    folder = tmp_path / "exports"
    folder.mkdir()
    target = folder / "clinic.json"
    target.write_text("the old export")
    monkeypatch.setattr(streams, "pain", failing_pain(streams.pain, KeyboardInterrupt()))
    monkeypatch.setattr(streams, "BATCH", 3)
    monkeypatch.setattr(streams, "pain_rows", failing_pain(streams.pain_rows, KeyboardInterrupt()))
    result = year("export", "--all", "-o", str(target))
    assert result.exit_code == 1
    assert result.stderr.endswith("Aborted: nothing was changed.\n")
    assert target.read_text() == "the old export"
    assert [p.name for p in folder.iterdir()] == ["clinic.json"]


def test_a_record_stream_is_read_again_each_time():
    calls: list[int] = []

    def fetch() -> Iterator[int]:
        calls.append(1)
        yield from (1, 2)

    stream = RecordStream(fetch)
    assert calls == []  # nothing read until iterated
    assert list(stream) == list(stream) == [1, 2] and len(calls) == 2


def test_report_records_are_its_stored_part(year):
    db = Database(year.db)
    try:
        report = build_report(db, TODAY)
    finally:
        db.close()
    records = report.records()
    assert records.effects == [view.record for view in report.effects]
    assert (records.injections, records.pain, records.changes) == (
        report.injections,
        report.pain,
        report.changes,
    )


def test_a_database_error_half_way_is_a_one_line_error(year, tmp_path, monkeypatch):
    def locked(*_args: Any) -> Iterator[PainRecord]:
        raise OperationalError("SELECT", {}, Exception("database is locked"))
        yield  # a generator, like the real stream

    monkeypatch.setattr(streams, "pain", locked)
    monkeypatch.setattr(streams, "pain_rows", locked)
    result = year.fails("export", "--all", "-o", str(tmp_path / "clinic.csv"))
    assert "Error: " in result.stderr and "clinic.csv" not in result.stderr
    assert not (tmp_path / "clinic.csv").exists()


def test_a_driver_error_in_the_fast_path_is_a_one_line_error(year, tmp_path, monkeypatch):
    """The fast path talks to the driver itself; its errors still end as one line."""
    monkeypatch.setattr(streams, "_PAIN_SQL", "SELECT no_such_column FROM pain_entries")
    result = year.fails("export", "--all", "-o", str(tmp_path / "clinic.csv"))
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1
    assert not (tmp_path / "clinic.csv").exists()


def test_only_json_and_csv_are_written_record_by_record():
    with pytest.raises(InvalidInput, match="PDF"):
        records_writer("pdf")
    assert clinic_writer("csv") is csv_export.write_clinic
