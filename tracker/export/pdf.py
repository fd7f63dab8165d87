"""The doctor's one-pager as a PDF, drawn with fpdf2.

Only laid out here: every text, row and chart point comes from
:mod:`tracker.export.sections`, like the HTML page. fpdf2 is imported by this
module alone, and this module only when a PDF is asked for.

The core Helvetica font keeps the text extractable without embedding a font,
but it only knows latin-1: :func:`latin1` makes any user text safe first.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from fpdf import FPDF
from fpdf.fonts import FontFace

from tracker.export import sections
from tracker.export.model import Report
from tracker.export.sections import PainChart, RecommendationBlock, ReportContent, TableBlock

FONT = "helvetica"
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
}

# Characters outside latin-1 that have a plain equivalent; everything else
# unknown becomes "?", so user text (emoji, CJK) can never break rendering.
_REPLACEMENTS = {
    "—": "-",
    "–": "-",
    "‒": "-",
    "−": "-",
    "‐": "-",
    "‘": "'",
    "’": "'",
    "‚": "'",
    "′": "'",
    "“": '"',
    "”": '"',
    "„": '"',
    "″": '"',
    "…": "...",
    "•": "-",
    "≥": ">=",
    "≤": "<=",
    "≠": "!=",
    "→": "->",
    "←": "<-",
    "€": "EUR",
    "™": "(TM)",
}


# --- text -----------------------------------------------------------------------


def _latin1_char(char: str) -> str:
    if char in "\t\n\r":
        return " "
    if char.isprintable() and ord(char) < 256:
        return char
    if char in _REPLACEMENTS:
        return _REPLACEMENTS[char]
    category = unicodedata.category(char)
    if category in ("Mn", "Me", "Cf", "Cc"):
        # Combining marks, joiners, variation selectors and controls carry no text of their own.
        return ""
    for form in ("NFKC", "NFKD"):
        plain = "".join(
            c for c in unicodedata.normalize(form, char) if unicodedata.category(c) != "Mn"
        )
        if plain and all(c.isprintable() and ord(c) < 256 for c in plain):
            return plain
    return "?"


def latin1(text: str) -> str:
    """Text the core fonts can show: latin-1 only, on one line.

    A character with no plain equivalent shows as "?", so the reader can see
    something was there; only invisible ones (joiners, selectors) are dropped.
    """
    return "".join(_latin1_char(char) for char in text)


# --- document -------------------------------------------------------------------


class _ReportPDF(FPDF):
    """Repeats who the report is about on every page after the first, and the footer."""

    def __init__(self, content: ReportContent) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.content = content
        # The section running when a page breaks, named again at the top of the new page.
        self.continued: str | None = None

    def header(self) -> None:
        if self.page_no() == 1:
            return
        self.use_font(7.5, color=MUTED)
        self.cell(0, 4, latin1(f"{self.content.patient} - {self.content.title}"), new_x="LMARGIN")
        self.ln(6)
        if self.continued:
            self.use_font(10, "B")
            self.cell(0, 5, latin1(f"{self.continued} (continued)"), new_x="LMARGIN")
            self.ln(6)

    def footer(self) -> None:
        self.set_y(-10)
        self.use_font(7, color=MUTED)
        left = f"{self.content.generated} by tracker. Decision support, not medical advice."
        self.cell(0, 4, latin1(left))
        self.set_x(self.l_margin)
        self.cell(0, 4, f"Page {self.page_no()} of {{nb}}", align="R")

    def use_font(self, size: float, style: str = "", color: Sequence[int] = INK) -> None:
        self.set_font(FONT, style, size)
        self.set_text_color(*color)


def _new_document(content: ReportContent, report: Report) -> _ReportPDF:
    pdf = _ReportPDF(content)
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
    pdf.cell(0, 5, latin1(title), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(0.5)


# --- blocks ---------------------------------------------------------------------


def _title(pdf: _ReportPDF, content: ReportContent) -> None:
    top = pdf.get_y()
    pdf.use_font(15, "B")
    pdf.cell(0, 7, latin1(content.title), new_x="LMARGIN", new_y="NEXT")
    pdf.use_font(8, color=MUTED)
    pdf.set_y(top + 1)
    pdf.cell(0, 5, latin1(content.generated), align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(top + 7.5)
    pdf.use_font(12, "B")
    pdf.cell(0, 6, latin1(content.patient), new_x="LMARGIN", new_y="NEXT")
    pdf.use_font(8, color=MUTED)
    pdf.cell(0, 4, latin1(content.subtitle), new_x="LMARGIN", new_y="NEXT")
    pdf.set_draw_color(*RULE)
    pdf.set_line_width(0.3)
    pdf.line(pdf.l_margin, pdf.get_y() + 1.5, pdf.w - pdf.r_margin, pdf.get_y() + 1.5)
    pdf.ln(3.5)


def _facts(pdf: _ReportPDF, facts: list[tuple[str, str]]) -> None:
    label_width = 30
    for label, value in facts:
        pdf.use_font(8.5, "B", color=MUTED)
        pdf.cell(label_width, 4.2, latin1(label))
        pdf.use_font(8.5)
        pdf.multi_cell(0, 4.2, latin1(value), new_x="LMARGIN", new_y="NEXT")


def _recommendation(pdf: _ReportPDF, block: RecommendationBlock) -> None:
    _section_heading(pdf, block.title, keep_with=12)
    indent = pdf.l_margin + 4
    width = pdf.w - pdf.r_margin - indent
    top, page = pdf.get_y(), pdf.page_no()
    pdf.set_x(indent)
    pdf.use_font(8.5, "B", color=ACCENT)
    pdf.cell(0, 4.2, latin1(block.tag), new_x="LMARGIN", new_y="NEXT")
    pdf.set_x(indent)
    pdf.use_font(8.5, "B")
    pdf.multi_cell(width, 4.0, latin1(block.summary), new_x="LMARGIN", new_y="NEXT")
    for index, reason in enumerate(block.reasons):
        urgent = index in block.urgent_reasons
        # Serious and emergency side effects stand out: bold, red, marked "!".
        if urgent:
            pdf.use_font(8.5, "B", color=URGENT_INK)
        else:
            pdf.use_font(8.5)
        pdf.set_x(indent)
        pdf.cell(3.5, 4.0, "!" if urgent else "-")
        pdf.multi_cell(width - 3.5, 4.0, latin1(reason), new_x="LMARGIN", new_y="NEXT")
    pdf.set_x(indent)
    pdf.use_font(8.5, color=MUTED)
    pdf.multi_cell(width, 4.0, latin1(block.long_term), new_x="LMARGIN", new_y="NEXT")
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
    pdf.multi_cell(0, 3.4, latin1(chart.caption), new_x="LMARGIN", new_y="NEXT")


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
        label = latin1(tick.label)
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
        label = latin1(marker.label)
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


def _table(pdf: _ReportPDF, block: TableBlock) -> None:
    _section_heading(pdf, block.title, keep_with=12)
    if not block.rows:
        pdf.use_font(8.5, color=MUTED)
        pdf.cell(0, 4.2, latin1(block.empty), new_x="LMARGIN", new_y="NEXT")
        return
    pdf.use_font(7.5)
    pdf.set_draw_color(*RULE)
    pdf.set_line_width(0.15)
    # fpdf2 tables start from the current fill colour; the chart leaves a dark one.
    pdf.set_fill_color(255, 255, 255)
    pdf.continued = block.title
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
        for index, cells in enumerate([block.columns, *block.rows], start=-1):
            row = table.row()
            style = urgent if index in block.highlighted else None
            for text in cells:
                row.cell(latin1(text), style=style)
    pdf.continued = None


def _notices(pdf: _ReportPDF, notices: list[str]) -> None:
    pdf.ln(3)
    pdf.use_font(7.5, "I", color=MUTED)
    for notice in notices:
        pdf.multi_cell(0, 3.5, latin1(notice), new_x="LMARGIN", new_y="NEXT")


# --- entry point ----------------------------------------------------------------


def render(report: Report) -> bytes:
    content = sections.build(report)
    pdf = _new_document(content, report)
    _title(pdf, content)
    _facts(pdf, content.facts)
    _recommendation(pdf, content.recommendation)
    _chart(pdf, content.chart)
    for block in (content.injections, content.cycles, content.effects):
        _table(pdf, block)
    _notices(pdf, content.notices)
    return bytes(pdf.output())
