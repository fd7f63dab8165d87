"""The HTML report in a real browser: Debian's Chromium driven by Playwright (issue 17).

Playwright's pip package ships no browser: it is pointed at the system's
Chromium (installed by .ci/run when missing). Every page is opened with the
network cut off, so a request for anything but the file itself is caught.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from tests.conftest import Tracker
from tests.export.conftest import fill_year
from tests.export.test_pdf import shared_db

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
WIDTHS = (1280, 390)

# The same kinds of text the report keeps on one line: ISO dates and ranges,
# percentages, long dates.
UNBROKEN_JS = r"""() => {
  const pattern = new RegExp(
    "(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) \\d{1,2} "
    + "(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \\d{4}"
    + "|\\d+(?:\\.\\d+)?(?:-\\d+(?:\\.\\d+)?)+|\\d+(?:\\.\\d+)? %", "g");
  const broken = [];
  let checked = 0;
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (node.parentElement.closest("svg")) continue;  // SVG text never wraps
    for (const match of node.data.matchAll(pattern)) {
      const range = document.createRange();
      range.setStart(node, match.index);
      range.setEnd(node, match.index + match[0].length);
      const lines = new Set([...range.getClientRects()].map(rect => Math.round(rect.top)));
      checked += 1;
      if (lines.size > 1) broken.push(match[0]);
    }
  }
  return {broken, checked};
}"""

# Each date cell (first column of every table) holds exactly one line of text.
DATE_CELLS_JS = """() => [...document.querySelectorAll("tbody td:first-child")].map(cell => {
  const range = document.createRange();
  range.selectNodeContents(cell);
  const tops = new Set([...range.getClientRects()].map(rect => Math.round(rect.top)));
  return {text: cell.innerText, lines: tops.size};
})"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"Chromium must be installed for CI (.ci/run installs it): {CHROMIUM}")
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM)
        yield launched
        launched.close()


class OfflinePage:
    """A browser tab that may load the report file and nothing else."""

    def __init__(self, browser: Any, path: Path, width: int) -> None:
        self.url = path.resolve().as_uri()
        self.context = browser.new_context(viewport={"width": width, "height": 900})
        self.requested: list[str] = []
        self.context.route("**/*", self._only_the_file)
        self.page = self.context.new_page()
        self.page.goto(self.url)

    def _only_the_file(self, route: Any) -> None:
        self.requested.append(route.request.url)
        if route.request.url == self.url:
            route.continue_()
        else:
            route.abort()

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def open_page(browser: Any) -> Iterator[Any]:
    pages: list[OfflinePage] = []

    def opened(path: Path, width: int = 1280) -> OfflinePage:
        pages.append(OfflinePage(browser, path, width))
        return pages[-1]

    yield opened
    for page in pages:
        page.close()


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A filled year and the two-year demo, each as HTML and PDF."""
    folder = tmp_path_factory.mktemp("browser")
    year = shared_db(tmp_path_factory, "year", fill_year)
    demo = Tracker(str(folder / "demo.db"))
    demo.ok("demo")
    made = {}
    for name, tracker in (("year", year), ("demo", demo)):
        for suffix in ("html", "pdf"):
            made[f"{name}.{suffix}"] = folder / f"{name}.{suffix}"
            tracker.ok("export", "-o", str(made[f"{name}.{suffix}"]))
    return made


def page_count(path: Path) -> int:
    return len(PdfReader(path).pages)


@pytest.mark.parametrize(("name", "pages"), [("year", 1), ("demo", 2)])
def test_printing_the_page_gives_as_many_a4_pages_as_the_pdf(
    open_page, reports, tmp_path, name, pages
):
    tab = open_page(reports[f"{name}.html"])
    tab.page.emulate_media(media="print")
    printed = tmp_path / "printed.pdf"
    tab.page.pdf(path=str(printed), format="A4", print_background=True)
    assert page_count(printed) == page_count(reports[f"{name}.pdf"]) == pages


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", ["year", "demo"])
def test_no_date_or_number_is_broken_across_lines(open_page, reports, name, width):
    tab = open_page(reports[f"{name}.html"], width)
    found = tab.page.evaluate(UNBROKEN_JS)
    assert found["checked"] >= 20
    assert found["broken"] == []
    cells = tab.page.evaluate(DATE_CELLS_JS)
    assert len(cells) >= 10
    assert [cell for cell in cells if cell["lines"] != 1] == []
    # Nothing sticks out of the page: wide tables scroll inside their own box.
    assert tab.page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("width", WIDTHS)
def test_the_chart_is_at_least_as_wide_as_the_page(open_page, reports, width):
    tab = open_page(reports["demo.html"], width)
    chart = tab.page.evaluate("document.querySelector('.chart svg').getBoundingClientRect().width")
    column = tab.page.evaluate("document.querySelector('.report').clientWidth")
    if width < 600:
        assert chart >= width  # on a phone: wider than the screen, scrolled sideways
    else:
        assert chart >= column - 2 * 40  # the report column, less its padding


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("name", ["year", "demo"])
def test_no_serious_or_critical_accessibility_violation(open_page, reports, name, width):
    from axe_playwright_python.sync_playwright import Axe

    tab = open_page(reports[f"{name}.html"], width)
    # The axe-core script comes with the package and is injected, not downloaded.
    results = Axe().run(tab.page)
    assert results.response["passes"], "axe ran its rules"
    serious = [
        (violation["id"], violation["impact"], violation["help"])
        for violation in results.response["violations"]
        if violation["impact"] in ("serious", "critical")
    ]
    assert serious == []
    assert tab.requested == [tab.url]


def test_the_page_loads_nothing_from_the_network(open_page, sqlite_tracker, tmp_path):
    tracker = sqlite_tracker
    tracker.ok("plan", "--name", '<img src="https://example.invalid/name.png">')
    tracker.ok(
        "log",
        "2026-09-01",
        "--units",
        "200",
        "--note",
        '<link rel="stylesheet" href="https://example.invalid/x.css">',
    )
    tracker.ok(
        "effect", "<iframe src=https://example.invalid/></iframe> rash", "--date", "2026-09-03"
    )
    tracker.ok("export", "-o", str(tmp_path / "r.html"))
    tab = open_page(tmp_path / "r.html")
    tab.page.wait_for_load_state("networkidle")
    assert tab.requested == [tab.url]
    assert "example.invalid/x.css" in tab.page.inner_text("body")  # shown as text


def test_serious_and_emergency_rows_stand_out_in_colour_and_in_words(
    open_page, sqlite_tracker, tmp_path
):
    tracker = sqlite_tracker
    tracker.ok("log", "2026-09-01", "--units", "200")
    tracker.ok("effect", "headache", "--date", "2026-09-02")
    tracker.ok("effect", "drooping eyelids", "--date", "2026-09-03")
    tracker.ok("effect", "trouble breathing", "--date", "2026-09-04")
    tracker.ok("export", "-o", str(tmp_path / "r.html"))
    tab = open_page(tmp_path / "r.html")
    rows = tab.page.evaluate(
        """() => [...document.querySelectorAll("section.effects tbody tr")].map(row => ({
          text: row.innerText,
          background: getComputedStyle(row.cells[0]).backgroundColor,
          weight: getComputedStyle(row.cells[2].firstElementChild || row.cells[2]).fontWeight,
        }))"""
    )
    common, serious, emergency = rows
    assert "SERIOUS" in serious["text"] and "EMERGENCY" in emergency["text"]
    assert "SERIOUS" not in common["text"] and "common" in common["text"]
    assert serious["background"] == emergency["background"] != common["background"]
    assert int(serious["weight"]) >= 700 and int(emergency["weight"]) >= 700
    assert int(common["weight"]) < 700
