"""The doctor's report as one self-contained HTML page, made through the real CLI."""

from __future__ import annotations

import re
import subprocess
import sys
from html.parser import HTMLParser
from itertools import pairwise
from pathlib import Path

import pytest

from tests.conftest import Tracker
from tests.export.conftest import INJECTIONS, fill_year
from tests.export.test_pdf import LONG_HISTORY, log_long_history, shared_db
from tracker.domain.response import OFF_LABEL_NOTICE

INLINE_TAGS = ("span", "strong")


class _Page(HTMLParser):
    """The page's visible text (entities decoded), and every tag with its attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._separate(tag)
        if tag in ("style", "title"):
            self._skip += 1

    def _separate(self, tag: str) -> None:
        """Cells and paragraphs read apart; inline tags (a date kept on one line) do not."""
        if tag not in INLINE_TAGS:
            self.chunks.append(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        self._separate(tag)
        if tag in ("style", "title"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.chunks.append(data)

    @property
    def text(self) -> str:
        return " ".join("".join(self.chunks).split())

    def with_class(self, css: str) -> list[dict[str, str | None]]:
        return [attrs for _, attrs in self.tags if css in (attrs.get("class") or "").split()]


def flat(text: str) -> str:
    return " ".join(text.split())


def export_html(tracker: Tracker, path: Path, *args: str) -> tuple[str, _Page]:
    tracker.ok("export", "-o", str(path), *args)
    raw = path.read_bytes().decode("utf-8")
    page = _Page()
    page.feed(raw)
    page.close()
    return raw, page


def cell_row(*cells: str) -> str:
    """Table cells as the visible text reads them."""
    return " ".join(cells)


@pytest.fixture
def year(tmp_path_factory: pytest.TempPathFactory) -> Tracker:
    """The `filled` year on SQLite, for the tests that only read it (shared with the PDF's)."""
    return shared_db(tmp_path_factory, "year", fill_year)


@pytest.fixture
def long_history(tmp_path_factory: pytest.TempPathFactory) -> Tracker:
    return shared_db(tmp_path_factory, "long", log_long_history)


def test_the_page_shows_the_whole_report(year: Tracker, tmp_path: Path) -> None:
    raw, page = export_html(year, tmp_path / "r.html")
    review = year.json("review")
    text = page.text

    assert "Sam Patient" in text
    for number, day in enumerate(INJECTIONS, start=1):
        assert (
            cell_row(
                day,
                "Botox",
                "200",
                "left lumbar paraspinal (100), right lumbar paraspinal (100)",
                "Dr Lee",
                f"C{number:04d}",
            )
            in text
        )
    for cycle in review["cycles"]:
        row = cell_row(
            cycle["injection_date"],
            f"{cycle['baseline']:.1f}",
            f"{cycle['effect']:.1f}",
            f"{cycle['reduction_pct']:.1f} %",
            f"{cycle['change_points']:.1f}",
            cycle["response"],
        )
        assert row in text
    assert cell_row("2026-03-04", "headache", "common", "mild", "day 2", "resolved 2026-03-06") in (
        text
    )
    assert "flu-like symptoms; note: =cmd|' /C calc'!A0" in text
    assert "open > 14 days" in text
    urgent = cell_row(
        "2026-09-10",
        "drooping eyelids",
        "SERIOUS - CONTACT THE DOCTOR RIGHT AWAY",
        "moderate",
        "day 9",
        "open",
    )
    assert urgent in text
    (marked,) = raw.split('<tr class="urgent">')[1:]  # the one serious effect, highlighted
    assert marked.startswith('<td><span class="nw">2026-09-10</span></td><td>drooping eyelids</td>')
    assert cell_row("common", "not stated", "day 2", "open > 14 days") in text
    headline, summary = year.ok("review").stdout.split("\n\n")[1].splitlines()[:2]
    assert flat(summary) in text
    assert f'<p class="tag">{headline.rstrip(".")}</p>' in raw
    assert "Recommendation" not in text
    assert '<li class="urgent">A serious side effect, &quot;drooping eyelids&quot;, was' in raw
    for reason in review["reasons"]:
        assert flat(reason) in text
    assert "Next due Tue 1 Dec 2026 (in 6 days)" in text
    assert "Tue 1 Dec 2026 at 09:30 with Dr Lee" in text
    assert "Generated on 2026-11-25" in text
    assert flat(OFF_LABEL_NOTICE) in text
    assert "all records" in text


def test_the_page_is_self_contained_and_prints(year: Tracker, tmp_path: Path) -> None:
    raw, page = export_html(year, tmp_path / "r.html")
    assert raw.startswith("<!DOCTYPE html>")
    assert '<meta charset="utf-8">' in raw
    assert "<script" not in raw.lower()
    assert "http" not in raw.lower()
    assert "url(" not in raw and "@import" not in raw
    assert not [attrs for _, attrs in page.tags if "src" in attrs or "href" in attrs]
    assert "@media print" in raw and "@page" in raw
    assert [tag for tag, _ in page.tags].count("svg") == 1


def test_the_chart_marks_each_injection_in_range(year: Tracker, tmp_path: Path) -> None:
    _, page = export_html(year, tmp_path / "all.html")
    marked = [attrs["data-date"] for attrs in page.with_class("injection-marker")]
    assert marked == INJECTIONS
    assert page.with_class("pain-line")
    # Every pain entry of the year is on its own day: one point per entry.
    assert len(page.with_class("pain-point")) == len(year.json("diary"))

    _, page = export_html(year, tmp_path / "since.html", "--since", "2026-06-01")
    assert [attrs["data-date"] for attrs in page.with_class("injection-marker")] == [
        "2026-06-01",
        "2026-09-01",
    ]


def test_since_and_until_bound_the_rows(year: Tracker, tmp_path: Path) -> None:
    _, page = export_html(year, tmp_path / "since.html", "--since", "2026-06-01")
    assert "C0003" in page.text and "C0004" in page.text
    assert "2025-12-01" not in page.text and "2026-03-02" not in page.text
    assert "headache" not in page.text
    assert "from 2026-06-01" in page.text

    _, page = export_html(year, tmp_path / "until.html", "--until", "2026-04-30")
    assert "C0002" in page.text and "C0003" not in page.text


def test_user_text_is_escaped(sqlite_tracker: Tracker, tmp_path: Path) -> None:
    tracker = sqlite_tracker
    attack = "<script>alert(1)</script>"
    tracker.ok("plan", "--name", '<b>Sam</b> "Q" & co')
    tracker.ok("log", "2026-09-01", "--units", "200", "--note", attack, "--provider", "<i>Dr</i>")
    tracker.ok("effect", "<img src=x onerror=alert(1)> headache", "--date", "2026-09-03")
    tracker.ok("book", "2026-12-01", "--note", "</style><script>x</script>")
    raw, page = export_html(tracker, tmp_path / "r.html")

    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in raw
    assert "<script" not in raw.lower()
    assert "<img" not in raw and "<b>" not in raw and "<i>" not in raw
    assert "</style><" not in raw
    assert attack in page.text
    assert '<b>Sam</b> "Q" & co' in page.text
    assert "<img src=x onerror=alert(1)> headache" in page.text
    assert "&lt;/style&gt;&lt;script&gt;x&lt;/script&gt;" in raw


def test_unicode_is_kept_as_utf8(sqlite_tracker: Tracker, tmp_path: Path) -> None:
    sqlite_tracker.ok("log", "2026-09-01", "--units", "200", "--note", "went well 😀 好")
    _, page = export_html(sqlite_tracker, tmp_path / "r.html")
    assert "went well 😀 好" in page.text
    assert "Name not set — tracker plan --name" in page.text


def test_a_long_history_keeps_every_marker(long_history: Tracker, tmp_path: Path) -> None:
    raw, page = export_html(long_history, tmp_path / "r.html")
    markers = page.with_class("injection-marker")
    assert [attrs["data-date"] for attrs in markers] == LONG_HISTORY
    labels = page.with_class("injection-label")
    # Crowded dates lose their label (never their mark), and labels never overlap.
    assert 0 < len(labels) < len(LONG_HISTORY)
    xs = [float(attrs["x"] or 0) for attrs in labels]
    assert all(b - a > 50 for a, b in pairwise(xs))
    assert len(re.findall(r"<tr>", raw)) >= 40


def test_the_html_page_does_not_load_the_pdf_library() -> None:
    code = "import sys, tracker.export.html; sys.exit('fpdf' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
