"""`export --all`'s fast path (the pain diary read as plain driver tuples and written by
templates) gives byte for byte what the careful path (record objects, dicts, json and csv
writers) gives, for random clinics on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete
from sqlalchemy.orm import Session

from tests.conftest import _postgres_database, create_database
from tracker.export import clinic_writer, records_writer
from tracker.export.model import ClinicRecords, RecordStream
from tracker.services.report import clinic_records, patient_records
from tracker.store import streams
from tracker.store.database import Database
from tracker.store.models import (
    Appointment,
    Change,
    InjectionSession,
    InjectionSite,
    PainEntry,
    Patient,
    SideEffect,
    TreatmentRow,
)
from tracker.store.treatments import new_treatment_row

TODAY = date(2026, 11, 25)

# PostgreSQL text cannot hold NUL; everything else may come.
characters = st.characters(exclude_categories=("Cs",), exclude_characters="\x00")
awkward = st.sampled_from(
    [
        "",
        'a, "quoted" note',
        "two\nlines\r\nand a\rreturn",
        "=SUM(A1:A9)",
        "+1",
        "-2",
        "@me",
        "\ttab first",
        "ça va ☕ naïve Ünïcödé",
        "emoji 🧪💉🙂 and ZWJ 👩‍⚕️",
        "\u2028\u2029\x7f\x1b\x01",
        "back\\slash / slash",
        "long " * 2500,
    ]
)
texts = awkward | st.text(characters, max_size=15)
maybe_texts = st.none() | texts
days = st.dates(date(1990, 1, 1), date(2030, 12, 31))
units = st.none() | st.integers(0, 400).map(float) | st.floats(0, 400, allow_nan=False)

# Several entries a day too: pages of the fast path go on after (date, id).
pain_days = days | st.dates(date(2026, 1, 1), date(2026, 1, 3))
pains = st.lists(
    st.tuples(pain_days, st.integers(0, 10), st.none() | st.integers(0, 10), maybe_texts),
    max_size=8,
)
sites = st.lists(st.tuples(texts, units), max_size=3)
# Up to three treatments (issue 16), each session one of them by its place in the list.
treatment_names = st.lists(texts.map(lambda name: name[:500]), min_size=1, max_size=3)
injections = st.lists(
    st.tuples(days, units, sites, maybe_texts, maybe_texts, maybe_texts, st.integers(0, 2)),
    max_size=4,
    unique_by=lambda injection: (injection[0], injection[6]),  # one a day per treatment
)
effects = st.lists(st.tuples(days, texts, maybe_texts, maybe_texts, st.none() | days), max_size=2)
appointments = st.lists(
    st.tuples(days, st.none() | st.just("09:30"), maybe_texts, maybe_texts), max_size=2
)
patients = st.lists(
    # A name is at most 500 characters (the column's length).
    st.tuples(
        texts.map(lambda name: name[:500]),
        pains,
        injections,
        effects,
        appointments,
        treatment_names,
    ),
    min_size=1,
    max_size=3,
    unique_by=lambda patient: patient[0],
)
bounds = st.none() | st.tuples(st.none() | days, st.none() | days).filter(
    lambda pair: pair[0] is None or pair[1] is None or pair[0] <= pair[1]
)


def fill(db: Database, clinic: list[Any]) -> None:
    """Only these patients and records in the database (what the last example left goes)."""
    with Session(db.engine) as session, session.begin():
        for model in (InjectionSite, InjectionSession, PainEntry, SideEffect, Appointment, Change):
            session.execute(delete(model))
        session.execute(delete(TreatmentRow))
        session.execute(delete(Patient))
        for name, pain, shots, side_effects, visits, treatments in clinic:
            patient = Patient(name=name or "(no name)")
            session.add(patient)
            session.flush()
            rows = [new_treatment_row(patient.id, name=each, product=each) for each in treatments]
            session.add_all(rows)
            session.flush()
            for day, score, function, note in pain:
                session.add(
                    PainEntry(
                        patient_id=patient.id, date=day, score=score, function=function, note=note
                    )
                )
            taken: set[tuple[int, date]] = set()
            for day, total, where, provider, lot, note, which in shots:
                treatment = rows[which % len(rows)]
                if (treatment.id, day) in taken:
                    continue  # one session a day per treatment
                taken.add((treatment.id, day))
                session.add(
                    InjectionSession(
                        patient_id=patient.id,
                        treatment_id=treatment.id,
                        date=day,
                        # Any product name, as a treatment's may be since issue 16.
                        product=treatment.product,
                        units=total,
                        provider=provider,
                        lot=lot,
                        note=note,
                        sites=[
                            InjectionSite(position=position, muscle=muscle, units=amount)
                            for position, (muscle, amount) in enumerate(where)
                        ],
                    )
                )
            for day, text, term, note, resolved in side_effects:
                session.add(
                    SideEffect(
                        patient_id=patient.id,
                        date=day,
                        text=text,
                        term=term,
                        effect_class="other",
                        severity=None,
                        note=note,
                        resolved_on=resolved,
                    )
                )
            for day, time, provider, note in visits:
                session.add(
                    Appointment(
                        patient_id=patient.id,
                        date=day,
                        time=time,
                        provider=provider,
                        note=note,
                        status="booked",
                    )
                )


def careful(clinic: ClinicRecords) -> ClinicRecords:
    """The same clinic without the fast path: every pain entry read as a PainRecord."""
    return replace(
        clinic,
        patients=RecordStream(lambda: (replace(p, pain_rows=None) for p in clinic.patients)),
    )


def written(write: Any, model: Any) -> bytes:
    out = io.BytesIO()
    size = write(model, out, lambda _done: None)
    assert size == len(out.getvalue())
    return out.getvalue()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path_factory: Any) -> Iterator[Database]:
    """One database per backend, emptied and filled again by each example."""

    @contextmanager
    def location() -> Iterator[str]:
        if request.param == "sqlite":
            yield str(Path(tmp_path_factory.mktemp("fast")) / "tracker.db")
        else:
            yield from _postgres_database("fast")

    with location() as where:
        create_database(where)
        db = Database(where)
        try:
            yield db
        finally:
            db.close()


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(clinic=patients, period=bounds, pages=st.booleans())
@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_the_fast_clinic_export_is_byte_for_byte_the_careful_one(
    database, fmt, clinic, period, pages
):
    fill(database, clinic)
    since, until = period or (None, None)
    write = clinic_writer(fmt)
    usual = streams.BATCH, streams.PAGES_OF_BATCHES
    if pages:  # batches of one entry, pages of two: every diary read in many pieces
        streams.BATCH, streams.PAGES_OF_BATCHES = 1, 2
    try:
        with clinic_records(database, TODAY, since, until) as records:
            fast = written(write, records)
            assert fast == written(write, careful(records))
    finally:
        streams.BATCH, streams.PAGES_OF_BATCHES = usual
    if fmt == "json":
        # And both are what json.dumps writes for the whole document.
        whole = json.dumps(json.loads(fast), indent=2, sort_keys=True, ensure_ascii=False)
        assert fast == (whole + "\n").encode()


@settings(max_examples=20, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(clinic=patients.map(lambda clinic: clinic[:1]), period=bounds)
@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_the_fast_patient_export_is_byte_for_byte_the_careful_one(database, fmt, clinic, period):
    fill(database, clinic)
    since, until = period or (None, None)
    write = records_writer(fmt)
    with patient_records(database, TODAY, since, until) as records:
        assert records.pain_rows is not None
        assert written(write, records) == written(write, replace(records, pain_rows=None))


def test_batches_of_the_fast_path_are_counted_as_progress(database):
    fill(
        database,
        [
            (
                "Sam",
                [(date(2026, 1, day), 5, None, None) for day in range(1, 29)],
                [],
                [],
                [],
                ["botox"],
            )
        ],
    )
    calls: list[int] = []
    with clinic_records(database, TODAY) as records:
        clinic_writer("csv")(records, io.BytesIO(), calls.append)
    assert sum(calls) == records.record_count == 28
