"""Each patient sees their own product: names, texts, minimum and ceiling (issue 15).

The patient's product is that of their latest injection (Botox before the first).
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.conftest import Tracker
from tracker.domain.products import (
    BOTULINUM_TOXIN_VOCABULARY,
    Coding,
    DoseLimit,
    LimitScope,
    ProductProfile,
    PublishedFigure,
    register,
    toxin_off_label_notice,
    unregister,
)
from tracker.services.injections import due_status
from tracker.services.patients import due_all
from tracker.store.database import Database
from tracker.store.quick_due import quick_due, quick_due_all

MADE_UP = "http://example.org/made-up"
TESTOXIN = ProductProfile(
    code="testoxin",
    name="Testoxin",
    brand="Testoxin",
    generic_name="testabotulinumtoxinT",
    botulinum_toxin=True,
    min_interval=timedelta(weeks=15),
    min_interval_source="Testoxin label (made up for this test)",
    dose_limit=DoseLimit(250, LimitScope.SESSION, "Testoxin label"),
    default_interval_months=4,
    off_label_notice=toxin_off_label_notice("Testoxin"),
    published_figures=(PublishedFigure("In a made-up trial 42 % improved.", "Madeup 2026"),),
    side_effect_vocabulary=BOTULINUM_TOXIN_VOCABULARY,
    codings=(Coding(MADE_UP, "T-15", "testoxin"),),
)
FIRST, SECOND = "2026-06-01", "2026-08-03"  # 63 days apart: inside 15 weeks


@pytest.fixture
def testoxin() -> Iterator[str]:
    """A product tracker does not ship, registered for one test only."""
    register(TESTOXIN)
    yield TESTOXIN.code
    unregister(TESTOXIN.code)


def text_of(path: Path) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(path).pages).split())


def html_text(path: Path) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", path.read_text())).split())


def export(tracker: Tracker, fmt: str, folder: Path) -> Path:
    target = folder / f"report.{fmt}"
    tracker.ok("export", "--format", fmt, "-o", str(target))
    return target


def test_a_made_up_product_reaches_schedule_warnings_review_and_every_export(
    testoxin: str, sqlite_tracker: Tracker, tmp_path: Path
) -> None:
    tracker = sqlite_tracker
    tracker.ok("plan", "--name", "Tess")
    over = tracker.ok("log", FIRST, "--product", testoxin, "--units", "300")
    assert "above the labelled maximum of 250 units per session (Testoxin label)" in over.stderr
    close = tracker.ok("log", SECOND, "--product", testoxin, "--units", "100")
    assert "the label's minimum interval is 15 weeks (105 days)" in close.stderr
    assert "Warning: 300" not in close.stderr
    for day, score in [("2026-07-25", 7), ("2026-08-20", 3), ("2026-09-01", 3)]:
        tracker.ok("pain", str(score), "--date", day)

    # The schedule: 3 months (the stored plan) is less than 15 weeks, so the due
    # date is the label's minimum; a plan shorter than it is refused.
    earliest = (date.fromisoformat(SECOND) + timedelta(weeks=15)).isoformat()
    shown = tracker.json("due")
    assert shown["earliest"] == shown["next_due"] == earliest
    # The fast sqlite3 path and the SQLAlchemy path agree on it, for one and for all.
    quick = quick_due(tracker.db, None, date(2026, 11, 25))
    database = Database(tracker.db)
    try:
        assert quick == due_status(database, date(2026, 11, 25))
        everyone = quick_due_all(tracker.db, date(2026, 11, 25))
        assert everyone is not None
        assert [r.due for r in everyone] == [r.due for r in due_all(database, date(2026, 11, 25))]
    finally:
        database.close()
    assert quick is not None and quick.product.name == "Testoxin"
    refused = tracker.fails("plan", "--every", "3").stderr
    assert "Testoxin's minimum interval of 15 weeks (105 days)" in refused
    assert "Testoxin label (made up for this test)" in refused
    assert "choose 4 months or more" in refused
    tracker.ok("plan", "--every", "4")

    review = tracker.ok("review").stdout
    assert "In a made-up trial 42 % improved. [Madeup 2026]" in review
    assert "Testoxin for back pain is off-label" in review
    assert "Botox" not in review

    for fmt in ("pdf", "html"):
        path = export(tracker, fmt, tmp_path)
        text = text_of(path) if fmt == "pdf" else html_text(path)
        assert "Testoxin" in text and "Botox" not in text
        assert "the label's 15-week minimum" in text
        assert "Testoxin for back pain is off-label" in text

    records = json.loads(export(tracker, "json", tmp_path).read_text())
    assert [i["product"] for i in records["injections"]] == [testoxin, testoxin]
    rows = list(csv.reader(io.StringIO(export(tracker, "csv", tmp_path).read_text())))
    assert sum(row.count(testoxin) for row in rows) == 2

    bundle = json.loads(export(tracker, "fhir", tmp_path).read_text())
    medications = [
        entry["resource"]["medicationCodeableConcept"]
        for entry in bundle["entry"]
        if entry["resource"]["resourceType"] == "MedicationAdministration"
    ]
    assert medications and all(
        m["text"] == "testabotulinumtoxinT (Testoxin)"
        and m["coding"]
        == [{"system": "http://example.org/made-up", "code": "T-15", "display": "testoxin"}]
        for m in medications
    )

    calendar = " ".join(export(tracker, "ics", tmp_path).read_text().replace("\r\n ", "").split())
    assert "Injection due (Testoxin)" in calendar
    assert "15 weeks after your last injection" in calendar


@pytest.mark.parametrize(
    ("product", "name", "medication"),
    [
        ("dysport", "Dysport", "abobotulinumtoxinA (Dysport)"),
        ("xeomin", "Xeomin", "incobotulinumtoxinA (Xeomin)"),
        ("myobloc", "Myobloc", "rimabotulinumtoxinB (Myobloc)"),
    ],
)
def test_another_toxins_patient_never_sees_botox_texts(
    sqlite_tracker: Tracker, tmp_path: Path, product: str, name: str, medication: str
) -> None:
    tracker = sqlite_tracker
    tracker.ok("plan", "--name", "Pat")
    tracker.ok("log", "2026-10-01", "--product", product, "--units", "100")
    tracker.ok("pain", "6", "--date", "2026-09-28")

    review = tracker.ok("review").stdout
    assert f"{name} for back pain is off-label" in review
    assert f"Published figures: tracker knows none for {name}." in review
    assert "Botox" not in review and "Foster" not in review

    page = html_text(export(tracker, "html", tmp_path))
    assert name in page and "Botox" not in page
    assert f"{name} for back pain is off-label" in page
    assert "the label's 12-week minimum" in page

    bundle = export(tracker, "fhir", tmp_path).read_text()
    assert medication in bundle and "Botox" not in bundle
    calendar = export(tracker, "ics", tmp_path).read_text()
    assert f"Injection due ({name})" in calendar and "Botox" not in calendar


def test_a_dysport_report_as_pdf_names_dysport(sqlite_tracker: Tracker, tmp_path: Path) -> None:
    sqlite_tracker.ok("log", "2026-08-03", "--product", "dysport", "--units", "500")
    text = text_of(export(sqlite_tracker, "pdf", tmp_path))
    assert "Dysport for back pain is off-label" in text and "Botox" not in text


def test_the_latest_injection_decides_the_product(sqlite_tracker: Tracker) -> None:
    sqlite_tracker.ok("log", "2026-05-01", "--product", "xeomin")
    sqlite_tracker.ok("log", "2026-08-03", "--product", "botox")
    review = sqlite_tracker.ok("review").stdout
    assert "Botox for back pain is off-label" in review and "Xeomin for" not in review


def test_a_plan_below_the_label_minimum_is_refused_and_nothing_is_stored(
    tracker: Tracker,
) -> None:
    for months in ("1", "2"):
        error = tracker.fails("plan", "--every", months, "--name", "Sam").stderr
        assert "Botox's minimum interval of 12 weeks (84 days)" in error
        assert "set by the Botox label" in error
    assert tracker.json("plan") == {
        "every": "3m",
        "every_months": 3,
        "within_days": 14,
        "name": None,
    }
    assert tracker.json("changes") == []
    tracker.ok("log", "2026-08-03", "--product", "myobloc")
    assert "Myobloc's minimum interval" in tracker.fails("plan", "--every", "2").stderr
    assert "Botox's minimum" in tracker.fails("patients", "add", "Mum", "--every", "1").stderr
    tracker.ok("plan", "--every", "3")


def test_log_help_lists_every_product(sqlite_tracker: Tracker) -> None:
    help_text = " ".join(sqlite_tracker.ok("log", "--help").stdout.split())
    assert "botox, dysport, xeomin, myobloc or other. [default: botox]" in help_text


def test_log_help_lists_a_registered_product(testoxin: str, sqlite_tracker: Tracker) -> None:
    help_text = " ".join(sqlite_tracker.ok("edit", "--help").stdout.split())
    assert "botox, dysport, xeomin, myobloc, other or testoxin." in help_text


SALINE = ProductProfile(
    code="saline",
    name="Saline",
    brand=None,
    generic_name="sodium chloride",
    botulinum_toxin=False,
    min_interval=None,
    min_interval_source=None,
    dose_limit=None,
    default_interval_months=1,
    off_label_notice=None,
    published_figures=(),
    side_effect_vocabulary=None,
    codings=(),
)


@pytest.fixture
def saline() -> Iterator[str]:
    register(SALINE)
    yield SALINE.code
    unregister(SALINE.code)


def test_without_a_label_rule_tracker_says_so_and_the_plan_is_the_schedule(
    saline: str, sqlite_tracker: Tracker, tmp_path: Path
) -> None:
    tracker = sqlite_tracker
    tracker.ok("log", "2026-11-20", "--product", saline)
    close = tracker.ok("log", "2026-11-01", "--product", saline)
    assert "minimum interval" not in close.stderr
    tracker.ok("plan", "--every", "1")  # no label minimum to refuse it
    due = tracker.ok("due").stdout
    assert "Next injection due Sun 20 Dec 2026" in due
    assert "tracker knows no label minimum for Saline" in due
    assert tracker.json("due")["earliest"] is None
    page = html_text(export(tracker, "html", tmp_path))
    assert "tracker knows no label minimum for Saline: your clinician's interval" in page
    assert "off-label" not in page and "Botox" not in page
    review = tracker.ok("review").stdout
    assert "Published figures: tracker knows none for Saline." in review
    assert "off-label" not in review
    bundle = export(tracker, "fhir", tmp_path).read_text()
    assert '"text": "sodium chloride"' in bundle and "M03AX01" not in bundle
    calendar = export(tracker, "ics", tmp_path).read_text()
    assert "SUMMARY:Injection due\n" in calendar and "Earliest date" not in calendar
    assert "tracker knows no label minimum for Saline" in calendar.replace("\n ", "")
