"""Multi-page PDFs: a table stays with its heading, no page holds a remnant (issue 17)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.conftest import Tracker
from tests.export.test_pdf import LONG_HISTORY, log_long_history, shared_db
from tracker.domain.response import OFF_LABEL_NOTICE
from tracker.export.pdf import MIN_ROWS_ON_LAST_PAGE, page_chunks

ROW = 4.0
PAGE = 250.0


def test_a_table_that_fits_here_stays_here():
    assert page_chunks([ROW] * 5, ROW, space_here=30, page_space=PAGE) == (False, [5])


def test_a_short_table_that_does_not_fit_moves_whole_to_the_next_page():
    # The demo's cycle table: one row would have spilled onto page 2.
    assert page_chunks([ROW] * 8, ROW, space_here=33, page_space=PAGE) == (True, [8])


def test_a_long_table_leaves_at_least_three_rows_for_its_last_page():
    # 24 rows fit here and 37 on a page: filling greedily would leave 1 for page 3.
    assert page_chunks([ROW] * 62, ROW, space_here=100, page_space=152) == (False, [24, 35, 3])
    assert page_chunks([ROW] * 64, ROW, space_here=100, page_space=152) == (False, [24, 37, 3])


def test_a_long_table_with_too_few_rows_room_here_starts_on_the_next_page():
    new_page, chunks = page_chunks([ROW] * 80, ROW, space_here=10, page_space=PAGE)
    assert new_page and chunks[0] > MIN_ROWS_ON_LAST_PAGE and sum(chunks) == 80


def test_the_closing_notices_never_stand_alone():
    # The rows fill this page exactly; the notices take rows with them.
    new_page, chunks = page_chunks(
        [ROW] * 30, ROW, space_here=ROW * 31, page_space=ROW * 31, trailing=20
    )
    assert not new_page and sum(chunks) == 30
    assert chunks[-1] >= MIN_ROWS_ON_LAST_PAGE


@pytest.mark.parametrize("rows", [0, 1, 2, 3])
def test_tiny_tables_are_never_split(rows):
    assert len(page_chunks([ROW] * rows, ROW, space_here=ROW, page_space=PAGE)[1]) == 1


# --- on real reports ---------------------------------------------------------------

DATE_ROW = re.compile(r"^\d{4}-\d{2}-\d{2} ", re.MULTILINE)


def pages_of(path: Path) -> list[str]:
    return [page.extract_text() for page in PdfReader(path).pages]


def assert_no_remnant_pages(pages: list[str]) -> None:
    for number, text in enumerate(pages[1:], start=2):
        rows = len(DATE_ROW.findall(text))
        assert rows >= MIN_ROWS_ON_LAST_PAGE, f"page {number} holds {rows} rows: {text[:300]}"
    for number, text in enumerate(pages, start=1):
        # Every table heading on a page has its column headings and a row right after.
        for title in ("Injection sessions", "Response per cycle", "Side effects"):
            if f"\n{title}" in f"\n{text}":
                after = text.split(title, 1)[1]
                assert DATE_ROW.search(after) or "No " in after, (number, title)


def test_the_two_year_demo_keeps_each_table_together(tmp_path: Path) -> None:
    demo = Tracker(str(tmp_path / "demo.db"))
    demo.ok("demo")
    demo.ok("export", "-o", str(tmp_path / "demo.pdf"))
    pages = pages_of(tmp_path / "demo.pdf")
    assert len(pages) == 2
    cycles = demo.json("review")["cycles"]
    # The whole cycle table is on page 2, under its own (not "continued") heading.
    assert "Response per cycle" in pages[1] and "(continued)" not in pages[1]
    assert all(c["injection_date"] in pages[1] for c in cycles)
    assert "Side effects" in pages[1]
    assert " ".join(OFF_LABEL_NOTICE.split()[:6]) in " ".join(pages[1].split())
    assert_no_remnant_pages(pages)


@pytest.fixture
def long_history(tmp_path_factory: pytest.TempPathFactory) -> Tracker:
    return shared_db(tmp_path_factory, "long", log_long_history)


def test_a_long_history_breaks_its_tables_without_remnants(
    long_history: Tracker, tmp_path: Path
) -> None:
    long_history.ok("export", "-o", str(tmp_path / "long.pdf"))
    pages = pages_of(tmp_path / "long.pdf")
    assert len(pages) >= 3
    text = "\n".join(pages)
    assert all(day in text for day in LONG_HISTORY)
    assert_no_remnant_pages(pages)
    # The closing notices share their page with rows of a table.
    last = pages[-1]
    assert "off-label" in last and len(DATE_ROW.findall(last)) >= MIN_ROWS_ON_LAST_PAGE
