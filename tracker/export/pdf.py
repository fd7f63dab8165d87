"""The doctor's one-pager as a PDF, drawn with fpdf2.

Only laid out here: every text, row and chart point comes from
:mod:`tracker.export.sections`, like the HTML page. fpdf2 is imported by this
module alone, and this module only when a PDF is asked for.

Every text is drawn with DejaVu Sans Condensed, shipped in
:mod:`tracker.export.fonts` and embedded as a subset, so names and notes in
Latin, Greek and Cyrillic appear exactly. A character DejaVu lacks is drawn
with an installed font that has it; with none, it is written as its Unicode
number ("[U+4E2D]") and a notice at the end says so: never a silent "?".
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import FontFace

from tracker.export import fonts, sections
from tracker.export.model import Report
from tracker.export.sections import PainChart, RecommendationBlock, ReportContent, TableBlock

FONT = fonts.FAMILY
# The regular face again, as a fallback for the few characters the bold or
# oblique face lacks (a name is drawn bold).
ANY_STYLE_FONT = "dejavu-regular"
# DejaVu's letters are taller than Helvetica's at the same point size (larger
# x-height): drawn a little smaller, they read the same and a year still fits one page.
FONT_SCALE = 0.94
MARGIN = 12.0  # mm, all sides
FOOTER_SPACE = 14.0  # mm kept free at the bottom for the footer line

INK = (33, 37, 41)
MUTED = (100, 108, 116)
RULE = (200, 205, 211)
GRID = (228, 231, 235)
HEADING_FILL = (232, 237, 242)
ZEBRA_FILL = (247, 248, 250)
ACCENT = (0, 104, 139)  # injections, and the recommendation bar
URGENT_FILL = (253, 236, 234)  # emergency and serious side-effect rows
URGENT_INK = (138, 28, 18)
PAIN_LINE = (60, 70, 90)

# Maps a fraction of the chart (or a pain score) to a page coordinate in mm.
Scale = Callable[[float], float]

# Relative column widths per table (sections.TableBlock.key).
COLUMN_WIDTHS = {
    "injections": (11, 8, 6, 38, 12, 10, 15),
    "cycles": (13, 10, 10, 12, 9, 16, 30),
    "effects": (11, 31, 19, 10, 7, 22),
    # Several treatments (issue 16): each one's plan and dates, and its sessions,
    # whose products may be long names tracker has no profile for.
    "treatments": (11, 16, 21, 14, 38),
    "treatment-injections": (11, 14, 6, 38, 11, 8, 12),
}


# --- text -----------------------------------------------------------------------


def placeholder(char: str) -> str:
    """How a character no font can draw is written: its Unicode number, visibly."""
    return f"[U+{ord(char):04X}]"


# Tabs and every line or paragraph break (str.splitlines' list): a space on the page.
BREAKS = frozenset("\t\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")


def _invisible(char: str) -> bool:
    """Joiners, direction marks, variation selectors and controls: nothing to draw."""
    if char in BREAKS:
        return False
    return unicodedata.category(char) in ("Cc", "Cf") or "VARIATION SELECTOR" in (
        unicodedata.name(char, "")
    )


def one_line(text: str) -> str:
    """User text as one line of drawable characters.

    Composed first (e + combining acute becomes é, which the font has as one
    glyph); line breaks and tabs become spaces; invisible characters go.
    """
    composed = unicodedata.normalize("NFC", text)
    return "".join(" " if char in BREAKS else char for char in composed if not _invisible(char))


# --- document -------------------------------------------------------------------


class _ReportPDF(FPDF):
    """Repeats who the report is about on every page after the first, and the footer."""

    def __init__(self, content: ReportContent, installed_fonts: bool) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.content = content
        # The section running when a page breaks, named again at the top of the new page.
        self.continued: str | None = None
        self.glyphs = _Glyphs(self, installed_fonts)
        self._measuring: FPDF | None = None

    def drawable(self, text: str) -> str:
        return self.glyphs.drawable(text)

    def header(self) -> None:
        if self.page_no() == 1:
            return
        self.use_font(7.5, color=MUTED)
        title = f"{self.content.patient} - {self.content.title}"
        self.cell(0, 4, self.drawable(title), new_x="LMARGIN")
        self.ln(6)
        if self.continued:
            self.use_font(10, "B")
            self.cell(0, 5, self.drawable(f"{self.continued} (continued)"), new_x="LMARGIN")
            self.ln(6)

    def footer(self) -> None:
        self.set_y(-10)
        self.use_font(7, color=MUTED)
        left = f"{self.content.generated} by tracker. Decision support, not medical advice."
        self.cell(0, 4, self.drawable(left))
        self.set_x(self.l_margin)
        self.cell(0, 4, f"Page {self.page_no()} of {{nb}}", align="R")

    def measuring_page(self) -> FPDF:
        """A very tall page drawn with this document's fonts: tables are measured there first."""
        if self._measuring is None:
            scratch = FPDF(unit="mm", format=(210, SCRATCH_PAGE_HEIGHT))
            scratch.fonts.update(self.fonts)  # the fonts already read, shared: nothing is output
            scratch.set_margins(MARGIN, MARGIN, MARGIN)
            scratch.set_auto_page_break(auto=False)
            scratch.add_page()
            self._measuring = scratch
        return self._measuring

    def use_font(self, size: float, style: str = "", color: Sequence[int] = INK) -> None:
        self.set_font(FONT, style, size * FONT_SCALE)
        self.set_text_color(*color)


class _Glyphs:
    """Which characters the document can draw, adding fonts the first time one is missing.

    Most reports need only the bundled font, and then no fallback is set up at
    all (fpdf2 draws faster without). A character outside every bundled face
    is looked up once among the installed fonts; with none, it is written as
    its Unicode number.
    """

    def __init__(self, pdf: FPDF, installed_fonts: bool) -> None:
        self.pdf = pdf
        self.installed_fonts = installed_fonts
        self.installed_used = False
        faces = []
        for style, path in fonts.BUNDLED.items():
            pdf.add_font(FONT, style, path)
            faces.append(set(pdf.fonts[f"{FONT}{style}"].cmap))
        # Drawn by every face: safe whatever the style.
        self.drawn = set.intersection(*faces)
        self.regular = faces[0]
        self.fallbacks: list[str] = []
        self.system_fonts: fonts.SystemFonts | None = None
        self.undrawable: list[str] = []  # in the order met, for the notice

    def drawable(self, text: str) -> str:
        line = one_line(text)
        for char in dict.fromkeys(line):  # each new character once, in order
            if ord(char) not in self.drawn and char not in self.undrawable:
                self._find_font(char)
        return "".join(char if ord(char) in self.drawn else placeholder(char) for char in line)

    def notice(self) -> str | None:
        if not self.undrawable:
            return None
        codes = ", ".join(placeholder(char) for char in self.undrawable[:3])
        return (
            f"{codes}{' ...' if len(self.undrawable) > 3 else ''}: characters that no font on "
            "this computer can draw, written as their Unicode numbers."
        )

    def _find_font(self, char: str) -> None:
        if ord(char) in self.regular:
            self._add_fallback(ANY_STYLE_FONT, fonts.BUNDLED[""], index=0)
            return
        if not self.installed_fonts:
            self.undrawable.append(char)
            return
        if self.system_fonts is None:
            self.system_fonts = fonts.SystemFonts()
        for font in self.system_fonts.having(char):
            added = self._add_fallback(f"fallback-{len(self.fallbacks)}", font.path, font.index)
            self.installed_used |= added
            if added and ord(char) in self.drawn:
                return
        self.undrawable.append(char)

    def _add_fallback(self, family: str, path: Path, index: int) -> bool:
        """Draw with this font where the current one lacks a glyph; False if fpdf2 cannot."""
        try:
            self.pdf.add_font(family, "", path, collection_font_number=index)
        except Exception:  # a font fpdf2 cannot read is skipped, not fatal
            return False
        self.fallbacks.append(family)
        self.drawn |= set(self.pdf.fonts[family].cmap)
        # exact_match=False: a regular fallback face also serves bold text.
        self.pdf.set_fallback_fonts(self.fallbacks, exact_match=False)
        return True


def _new_document(content: ReportContent, report: Report, installed_fonts: bool) -> _ReportPDF:
    pdf = _ReportPDF(content, installed_fonts)
    # Dated from the report, never the clock: the same records give the same file.
    pdf.set_creation_date(datetime(*report.generated_on.timetuple()[:3], tzinfo=UTC))
    pdf.set_title(content.title)
    pdf.set_creator("tracker")
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(auto=True, margin=FOOTER_SPACE)
    pdf.alias_nb_pages()
    pdf.add_page()
    return pdf


def _section_heading(pdf: _ReportPDF, title: str, keep_with: float) -> None:
    """A heading that never sits alone at the bottom of a page."""
    if pdf.will_page_break(7 + keep_with):
        pdf.add_page()
    pdf.ln(2)
    pdf.use_font(10, "B")
    pdf.cell(0, 5, pdf.drawable(title), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(0.5)


# --- blocks ---------------------------------------------------------------------


def _title(pdf: _ReportPDF, content: ReportContent) -> None:
    top = pdf.get_y()
    pdf.use_font(15, "B")
    pdf.cell(0, 7, pdf.drawable(content.title), new_x="LMARGIN", new_y="NEXT")
    pdf.use_font(8, color=MUTED)
    pdf.set_y(top + 1)
    pdf.cell(0, 5, pdf.drawable(content.generated), align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(top + 7.5)
    pdf.use_font(12, "B")
    pdf.cell(0, 6, pdf.drawable(content.patient), new_x="LMARGIN", new_y="NEXT")
    pdf.use_font(8, color=MUTED)
    pdf.cell(0, 4, pdf.drawable(content.subtitle), new_x="LMARGIN", new_y="NEXT")
    pdf.set_draw_color(*RULE)
    pdf.set_line_width(0.3)
    pdf.line(pdf.l_margin, pdf.get_y() + 1.5, pdf.w - pdf.r_margin, pdf.get_y() + 1.5)
    pdf.ln(3.5)


def _facts(pdf: _ReportPDF, facts: list[tuple[str, str]]) -> None:
    label_width = 30
    for label, value in facts:
        pdf.use_font(8.5, "B", color=MUTED)
        pdf.cell(label_width, 4.2, pdf.drawable(label))
        pdf.use_font(8.5)
        pdf.multi_cell(0, 4.2, pdf.drawable(value), new_x="LMARGIN", new_y="NEXT")


def _recommendation(pdf: _ReportPDF, block: RecommendationBlock) -> None:
    _section_heading(pdf, block.title, keep_with=12)
    indent = pdf.l_margin + 4
    width = pdf.w - pdf.r_margin - indent
    top, page = pdf.get_y(), pdf.page_no()
    pdf.set_x(indent)
    pdf.use_font(8.5, "B", color=ACCENT)
    pdf.cell(0, 4.2, pdf.drawable(block.tag), new_x="LMARGIN", new_y="NEXT")
    pdf.set_x(indent)
    pdf.use_font(8.5, "B")
    pdf.multi_cell(width, 4.0, pdf.drawable(block.summary), new_x="LMARGIN", new_y="NEXT")
    for index, reason in enumerate(block.reasons):
        urgent = index in block.urgent_reasons
        # Serious and emergency side effects stand out: bold, red, marked "!".
        if urgent:
            pdf.use_font(8.5, "B", color=URGENT_INK)
        else:
            pdf.use_font(8.5)
        pdf.set_x(indent)
        pdf.cell(3.5, 4.0, "!" if urgent else "-")
        pdf.multi_cell(width - 3.5, 4.0, pdf.drawable(reason), new_x="LMARGIN", new_y="NEXT")
    pdf.set_x(indent)
    pdf.use_font(8.5, color=MUTED)
    pdf.multi_cell(width, 4.0, pdf.drawable(block.long_term), new_x="LMARGIN", new_y="NEXT")
    # The accent bar is drawn last, once the height is known; after a page
    # break it marks only the part on this page.
    bar_top = top if pdf.page_no() == page else pdf.t_margin
    pdf.set_fill_color(*ACCENT)
    pdf.rect(pdf.l_margin, bar_top, 1.2, pdf.get_y() - bar_top, style="F")


CHART_HEIGHT = 44.0  # plot area, mm
CHART_LABEL_BAND = 5.0  # injection dates above the plot
CHART_AXIS_GUTTER = 7.0  # pain labels left of the plot


def _chart(pdf: _ReportPDF, chart: PainChart) -> None:
    _section_heading(pdf, chart.title, keep_with=CHART_LABEL_BAND + CHART_HEIGHT + 12)
    left = pdf.l_margin + CHART_AXIS_GUTTER
    right = pdf.w - pdf.r_margin - 2
    top = pdf.get_y() + CHART_LABEL_BAND
    bottom = top + CHART_HEIGHT
    width = right - left

    def x_at(fraction: float) -> float:
        return left + fraction * width

    def y_at(pain: float) -> float:
        return bottom - pain / chart.pain_ticks[-1] * CHART_HEIGHT

    _chart_grid(pdf, chart, left, right, y_at)
    _chart_months(pdf, chart, bottom, x_at)
    _chart_markers(pdf, chart, top, bottom, x_at)
    _chart_pain(pdf, chart, x_at, y_at)
    pdf.set_y(bottom + 5)
    pdf.use_font(7, color=MUTED)
    pdf.multi_cell(0, 3.4, pdf.drawable(chart.caption), new_x="LMARGIN", new_y="NEXT")


def _chart_grid(pdf: _ReportPDF, chart: PainChart, left: float, right: float, y_at: Scale) -> None:
    pdf.set_line_width(0.15)
    pdf.use_font(6.5, color=MUTED)
    for value in chart.pain_ticks:
        y = y_at(value)
        pdf.set_draw_color(*(RULE if value == chart.pain_ticks[0] else GRID))
        pdf.line(left, y, right, y)
        label = str(value)
        pdf.text(left - 1.5 - pdf.get_string_width(label), y + 0.9, label)
    pdf.set_draw_color(*RULE)
    pdf.line(left, y_at(chart.pain_ticks[0]), left, y_at(chart.pain_ticks[-1]))


def _chart_months(pdf: _ReportPDF, chart: PainChart, bottom: float, x_at: Scale) -> None:
    pdf.use_font(6.5, color=MUTED)
    pdf.set_draw_color(*RULE)
    for tick in chart.month_ticks:
        x = x_at(tick.x)
        pdf.line(x, bottom, x, bottom + 1)
        label = pdf.drawable(tick.label)
        pdf.text(x - pdf.get_string_width(label) / 2, bottom + 3.8, label)


def _chart_markers(
    pdf: _ReportPDF, chart: PainChart, top: float, bottom: float, x_at: Scale
) -> None:
    pdf.set_draw_color(*ACCENT)
    pdf.set_line_width(0.35)
    pdf.use_font(6.5, color=ACCENT)
    for marker in chart.markers:
        x = x_at(marker.x)
        pdf.line(x, top - 0.5, x, bottom)
        if marker.label is None:
            continue
        label = pdf.drawable(marker.label)
        label_width = pdf.get_string_width(label)
        offset = {"start": 0.0, "middle": label_width / 2, "end": label_width}[marker.anchor]
        pdf.text(x - offset, top - 1.5, label)


def _chart_pain(pdf: _ReportPDF, chart: PainChart, x_at: Scale, y_at: Scale) -> None:
    pdf.set_draw_color(*PAIN_LINE)
    pdf.set_fill_color(*PAIN_LINE)
    pdf.set_line_width(0.35)
    for run in chart.lines:
        if len(run) > 1:
            pdf.polyline([(x_at(p.x), y_at(p.pain)) for p in run])
    radius = 0.55
    for point in chart.points:
        pdf.circle(x_at(point.x), y_at(point.pain), radius, style="F")


# A table split over pages has at least this many rows on its first page and on
# its last, so no page holds a lone row of it.
MIN_ROWS_ON_LAST_PAGE = 3
# A table up to this share of a page is never split: it moves to the next page whole.
KEEP_WHOLE_SHARE = 1 / 3
HEADING_HEIGHT = 7.5  # what _section_heading takes: space, title line, gap
CONTINUED_HEADER = 12.0  # what _ReportPDF.header takes on a page where a table continues
SCRATCH_PAGE_HEIGHT = 10_000.0  # mm: tall enough that measuring never breaks a page


def page_chunks(
    row_heights: Sequence[float],
    heading_row: float,
    space_here: float,
    page_space: float,
    trailing: float = 0.0,
) -> tuple[bool, list[int]]:
    """Where a table's pages break: (start on a new page?, rows on each page).

    ``space_here`` is what is left on the current page below the section heading,
    ``page_space`` what a continued page holds, ``trailing`` what must follow the
    table on its last page (the closing notices). A short table (up to a third of a
    page) is kept whole, on a new page if need be; a longer one starts here, with
    at least MIN_ROWS_ON_LAST_PAGE rows on its first page and on its last.
    """
    total = heading_row + sum(row_heights) + trailing
    if total <= space_here:
        return False, [len(row_heights)]
    if total <= page_space * KEEP_WHOLE_SHARE:
        return True, [len(row_heights)]
    chunks = [0]
    room = space_here - heading_row
    for height in row_heights:
        if height > room:
            chunks.append(0)
            room = page_space - heading_row
        chunks[-1] += 1
        room -= height
    if room < trailing:
        chunks.append(0)  # the notices would stand alone: rows are borrowed for them
    new_page = chunks[0] < min(MIN_ROWS_ON_LAST_PAGE, len(row_heights))
    if (
        new_page and space_here < page_space
    ):  # too few rows fit here: the whole table moves on by one page
        return True, page_chunks(row_heights, heading_row, page_space, page_space, trailing)[1]
    return False, _balanced(chunks)


def _balanced(chunks: list[int]) -> list[int]:
    """Moves rows onto the last page until it has enough of them."""
    while len(chunks) > 1 and chunks[-1] < MIN_ROWS_ON_LAST_PAGE < chunks[-2]:
        chunks[-2] -= 1
        chunks[-1] += 1
    return chunks if chunks[-1] else chunks[:-1]


def _draw_table(
    pdf: FPDF, block: TableBlock, rows: Sequence[tuple[str, ...]], first: int = 0
) -> None:
    """Draws rows already made drawable (on the report, or on its measuring page).

    ``first`` is the first row's index in the whole table (which rows stand out).
    """
    pdf.set_font(FONT, "", 7.5 * FONT_SCALE)
    pdf.set_text_color(*INK)
    pdf.set_draw_color(*RULE)
    pdf.set_line_width(0.15)
    # fpdf2 tables start from the current fill colour; the chart leaves a dark one.
    pdf.set_fill_color(255, 255, 255)
    with pdf.table(
        col_widths=COLUMN_WIDTHS[block.key],
        width=pdf.epw,
        align="LEFT",
        text_align="LEFT",
        v_align="TOP",
        borders_layout="HORIZONTAL_LINES",
        headings_style=FontFace(emphasis="BOLD", fill_color=HEADING_FILL),
        cell_fill_color=ZEBRA_FILL,
        cell_fill_mode="ROWS",
        line_height=3.3,
        padding=(0.8, 1.2),
        repeat_headings=1,
    ) as table:
        urgent = FontFace(emphasis="BOLD", color=URGENT_INK, fill_color=URGENT_FILL)
        heading = table.row()
        for text in block.columns:
            heading.cell(text)
        for index, cells in enumerate(rows, start=first):
            row = table.row()
            style = urgent if index in block.highlighted else None
            for text in cells:
                row.cell(text, style=style)


def _row_heights(
    pdf: _ReportPDF, block: TableBlock, rows: Sequence[tuple[str, ...]]
) -> tuple[float, list[float]]:
    """The heading row's height and each row's, drawn on a scratch page as they will be."""
    scratch = pdf.measuring_page()

    def height(some_rows: Sequence[tuple[str, ...]], first: int = 0) -> float:
        top = scratch.get_y()
        _draw_table(scratch, block, some_rows, first)
        return scratch.get_y() - top

    heading_row = height([])
    return heading_row, [height([row], index) - heading_row for index, row in enumerate(rows)]


def _table(pdf: _ReportPDF, block: TableBlock, trailing: float = 0.0) -> None:
    if not block.rows:
        _section_heading(pdf, block.title, keep_with=4.2 + trailing)
        pdf.use_font(8.5, color=MUTED)
        pdf.cell(0, 4.2, pdf.drawable(block.empty), new_x="LMARGIN", new_y="NEXT")
        return
    drawn = replace(
        block,
        columns=tuple(pdf.drawable(cell) for cell in block.columns),
        rows=[tuple(pdf.drawable(cell) for cell in row) for row in block.rows],
    )
    heading_row, heights = _row_heights(pdf, drawn, drawn.rows)
    space_here = pdf.page_break_trigger - pdf.get_y() - HEADING_HEIGHT
    page_space = pdf.page_break_trigger - pdf.t_margin - CONTINUED_HEADER
    new_page, chunks = page_chunks(heights, heading_row, space_here, page_space, trailing)
    if new_page:
        pdf.add_page()
    _section_heading(pdf, block.title, keep_with=heading_row + heights[0])
    pdf.continued = block.title
    start = 0
    for number, count in enumerate(chunks):
        if number:
            pdf.add_page()
        if count:
            _draw_table(pdf, drawn, drawn.rows[start : start + count], start)
        start += count
    pdf.continued = None


NOTICE_LINE = 3.5


def _notices_height(pdf: _ReportPDF, notices: list[str]) -> float:
    pdf.use_font(7.5, "I")
    lines = sum(
        len(pdf.multi_cell(0, NOTICE_LINE, notice, dry_run=True, output="LINES"))
        for notice in notices
    )
    return 3 + lines * NOTICE_LINE


def _notices_for(pdf: _ReportPDF, content: ReportContent) -> list[str]:
    """The report's notices made drawable, and one for characters no font draws.

    Every text still to come is looked at first, so that notice is known before
    the last table is placed (the notices must fit beside it).
    """
    for block in content.tables:
        for row in block.rows:
            for cell in row:
                pdf.drawable(cell)
    notices = [pdf.drawable(notice) for notice in content.notices]
    glyph_notice = pdf.glyphs.notice()
    return [*notices, *([glyph_notice] if glyph_notice else [])]


def _notices(pdf: _ReportPDF, notices: list[str]) -> None:
    pdf.ln(3)
    pdf.use_font(7.5, "I", color=MUTED)
    for notice in notices:
        pdf.multi_cell(0, NOTICE_LINE, notice, new_x="LMARGIN", new_y="NEXT")


# --- entry point ----------------------------------------------------------------


def render(report: Report) -> bytes:
    content = sections.build(report)
    pdf = _new_document(content, report, installed_fonts=True)
    try:
        return _draw(pdf, content)
    except Exception:
        if not pdf.glyphs.installed_used:
            raise
    # An installed font fpdf2 could load but not embed must not cost the report:
    # drawn again with the bundled font alone, the characters it lacks as numbers.
    return _draw(_new_document(content, report, installed_fonts=False), content)


def _draw(pdf: _ReportPDF, content: ReportContent) -> bytes:
    _title(pdf, content)
    _facts(pdf, content.facts)
    if content.treatments:
        _table(pdf, content.treatments)
    _recommendation(pdf, content.recommendation)
    _chart(pdf, content.chart)
    notices = _notices_for(pdf, content)
    for injections in content.injections:
        _table(pdf, injections)
    _table(pdf, content.cycles)
    _table(pdf, content.effects, trailing=_notices_height(pdf, notices))
    _notices(pdf, notices)
    return bytes(pdf.output())
