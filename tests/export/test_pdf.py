"""The doctor's one-pager as a PDF, made through the real CLI and read back as text."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.conftest import Tracker
from tests.export.conftest import INJECTIONS, fill_year
from tracker.domain.response import OFF_LABEL_NOTICE

TODAY = date(2026, 11, 25)


def flat(text: str) -> str:
    """Whitespace-insensitive: wrapped lines in the PDF read as one line here."""
    return " ".join(text.split())


def page_texts(path: Path) -> list[str]:
    return [flat(page.extract_text()) for page in PdfReader(path).pages]


def poppler_text(path: Path) -> str | None:
    """pdftotext's reading of the file, when poppler is installed."""
    if shutil.which("pdftotext") is None:
        return None
    done = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True, text=True)
    return flat(done.stdout)


def export_pdf(tracker: Tracker, path: Path, *args: str) -> list[str]:
    tracker.ok("export", "-o", str(path), *args)
    assert path.read_bytes().startswith(b"%PDF")
    return page_texts(path)


# Forty sessions 85 days apart (just over the label's 12-week minimum): far
# more than one page holds.
LONG_HISTORY = [(date(2017, 3, 1) + timedelta(days=85 * n)).isoformat() for n in range(40)]


def shared_db(
    factory: pytest.TempPathFactory, name: str, fill: Callable[[Tracker], object]
) -> Tracker:
    """A database the PDF and HTML tests only read, entered through the CLI once per run.

    Filling a year through the CLI takes seconds; sharing it keeps these tests fast.
    """
    folder = factory.getbasetemp() / f"shared-{name}"
    tracker = Tracker(str(folder / "tracker.db"))
    if not (folder / "complete").exists():
        shutil.rmtree(folder, ignore_errors=True)  # a fill that failed half-way
        folder.mkdir()
        fill(tracker)
        (folder / "complete").touch()
    return tracker


def log_long_history(tracker: Tracker) -> None:
    for number, day in enumerate(LONG_HISTORY):
        tracker.ok(
            "log",
            day,
            "--site",
            "left lumbar paraspinal:100",
            "--site",
            "right lumbar paraspinal:100",
            "--provider",
            "Dr Lee",
            "--lot",
            f"L{number:03d}",
        )


@pytest.fixture
def year(tmp_path_factory: pytest.TempPathFactory) -> Tracker:
    """The `filled` year on SQLite, for the tests that only read it."""
    return shared_db(tmp_path_factory, "year", fill_year)


@pytest.fixture
def long_history(tmp_path_factory: pytest.TempPathFactory) -> Tracker:
    return shared_db(tmp_path_factory, "long", log_long_history)


def check_the_one_pager(tracker: Tracker, path: Path) -> None:
    pages = export_pdf(tracker, path)
    assert len(pages) == 1, "a year of typical records fits on one A4 page"
    review = tracker.json("review")
    text = pages[0]

    assert "Sam Patient" in text
    for number, day in enumerate(INJECTIONS, start=1):
        assert day in text
        assert f"C{number:04d}" in text
    assert "Botox 200 left lumbar paraspinal (100), right lumbar paraspinal (100)" in text
    assert "Dr Lee" in text
    for cycle in review["cycles"]:
        row = (
            f"{cycle['injection_date']} {cycle['baseline']:.1f} {cycle['effect']:.1f} "
            f"{cycle['reduction_pct']:.1f} % {cycle['change_points']:.1f} {cycle['response']}"
        )
        assert row in text
    assert "2026-03-04 headache common mild day 2 resolved 2026-03-06" in text
    assert "2026-09-03 flu-like symptoms" in text and "open > 14 days" in text
    assert "2026-09-03 flu-like symptoms" in text and "common not stated day 2" in text
    assert (
        "2026-09-10 drooping eyelids SERIOUS - CONTACT THE DOCTOR RIGHT AWAY moderate day 9 open"
        in text
    )
    assert "Something to talk over with your doctor" in text
    assert "Recommendation" not in text
    for reason in review["reasons"]:
        assert flat(reason) in text
    assert "Next due Tue 1 Dec 2026 (in 6 days)" in text
    assert "Next appointment Tue 1 Dec 2026 at 09:30 with Dr Lee" in text
    assert "Generated on 2026-11-25" in text
    assert flat(OFF_LABEL_NOTICE) in text
    assert "Period all records" in text

    poppler = poppler_text(path)
    if poppler is not None:
        for needle in ["Sam Patient", *INJECTIONS, "C0004", "Generated on 2026-11-25"]:
            assert needle in poppler
        for reason in review["reasons"]:
            assert flat(reason) in poppler
        assert flat(OFF_LABEL_NOTICE) in poppler


def test_the_one_pager_shows_the_whole_report(year: Tracker, tmp_path: Path) -> None:
    check_the_one_pager(year, tmp_path / "r.pdf")


# `year` is the `filled` data on SQLite already; this adds the other backend.
@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_the_one_pager_on_postgresql(filled: Tracker, tmp_path: Path) -> None:
    check_the_one_pager(filled, tmp_path / "r.pdf")


def test_the_summary_shown_is_the_review_summary(year: Tracker, tmp_path: Path) -> None:
    # `review --json` has no summary key: compare with the text report instead.
    headline, summary = year.ok("review").stdout.split("\n\n")[1].splitlines()[:2]
    text = export_pdf(year, tmp_path / "r.pdf")[0]
    assert flat(summary) in text
    assert headline.rstrip(".") in text


def test_since_and_until_bound_the_rows(year: Tracker, tmp_path: Path) -> None:
    text = export_pdf(year, tmp_path / "since.pdf", "--since", "2026-06-01")[0]
    assert "2026-06-01" in text and "2026-09-01" in text
    assert "2025-12-01" not in text and "2026-03-02" not in text
    assert "headache" not in text
    assert "Period from 2026-06-01" in text

    text = export_pdf(year, tmp_path / "until.pdf", "--until", "2026-04-30")[0]
    assert "C0001" in text and "C0002" in text
    assert "C0003" not in text and "C0004" not in text
    assert "drooping eyelids" not in text


def test_the_creation_date_comes_from_the_report_not_the_clock(
    year: Tracker, tmp_path: Path
) -> None:
    first, second = tmp_path / "a.pdf", tmp_path / "b.pdf"
    year.ok("export", "-o", str(first))
    year.ok("export", "-o", str(second))
    assert first.read_bytes() == second.read_bytes()
    created = PdfReader(first).metadata.creation_date
    assert created == datetime(2026, 11, 25, tzinfo=UTC)


def test_pdf_to_a_pipe_is_pdf_bytes(year: Tracker) -> None:
    result = year.ok("export", "--format", "pdf")
    assert result.stdout_bytes.startswith(b"%PDF")
    assert result.stdout_bytes.rstrip().endswith(b"%%EOF")


def test_an_existing_file_is_replaced(year: Tracker, tmp_path: Path) -> None:
    path = tmp_path / "r.pdf"
    path.write_bytes(b"junk that is not a PDF\n" * 1000)
    pages = export_pdf(year, path)
    assert "Sam Patient" in pages[0]
    assert b"junk" not in path.read_bytes()


def test_a_long_history_continues_the_table_with_its_header(
    long_history: Tracker, tmp_path: Path
) -> None:
    pages = export_pdf(long_history, tmp_path / "long.pdf")
    assert len(pages) > 1
    text = " ".join(pages)
    for number, day in enumerate(LONG_HISTORY):
        assert f"{day} Botox 200" in text
        assert f"L{number:03d}" in text
    header = "Date Product Units Sites (units) Provider Lot Note"
    table_pages = [page for page in pages if "Botox 200" in page]
    assert len(table_pages) > 1
    assert all(header in page for page in table_pages)
    assert "Injection sessions (continued)" in table_pages[1]
    assert "Page 1 of" in pages[0]


def test_a_report_without_a_name_says_how_to_set_it(
    sqlite_tracker: Tracker, tmp_path: Path
) -> None:
    sqlite_tracker.ok("log", "2026-09-01", "--units", "200")
    text = export_pdf(sqlite_tracker, tmp_path / "r.pdf")[0]
    assert "Name not set — tracker plan --name" in text  # the em dash now drawn as written
    assert "No side effects recorded in this period." in text


def _fills(path: Path) -> set[str]:
    """The fill colours the page paints with ('r g b rg' operators)."""
    content = PdfReader(path).pages[0].get_contents()
    assert content is not None
    words = content.get_data().decode("latin-1").split()
    return {" ".join(words[i - 3 : i]) for i, word in enumerate(words) if word == "rg"}


def test_an_urgent_side_effect_row_is_highlighted(year: Tracker, tmp_path: Path) -> None:
    from tracker.export.pdf import URGENT_FILL

    urgent = " ".join(f"{part / 255:.4f}".rstrip("0").rstrip(".") for part in URGENT_FILL)
    export_pdf(year, tmp_path / "with.pdf")
    assert urgent in _fills(tmp_path / "with.pdf")
    export_pdf(year, tmp_path / "without.pdf", "--until", "2026-08-31")  # before the eyelids
    assert urgent not in _fills(tmp_path / "without.pdf")
