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
PAIN_LINE = (60, 70, 90)

# Maps a fraction of the chart (or a pain score) to a page coordinate in mm.
Scale = Callable[[float], float]

# Relative column widths per table (sections.TableBlock.key).
COLUMN_WIDTHS = {
    "injections": (11, 8, 6, 38, 12, 10, 15),
    "cycles": (13, 10, 10, 12, 14, 41),
    "effects": (11, 38, 10, 9, 8, 24),
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
    pdf.use_font(8.5)
    for reason in block.reasons:
        pdf.set_x(indent)
        pdf.cell(3.5, 4.0, "-")
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


def _table(pdf: _ReportPDF, block: TableBlock) -> None:
    _section_heading(pdf, block.title, keep_with=12)
    if not block.rows:
        pdf.use_font(8.5, color=MUTED)
        pdf.cell(0, 4.2, pdf.drawable(block.empty), new_x="LMARGIN", new_y="NEXT")
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
        for cells in [block.columns, *block.rows]:
            row = table.row()
            for text in cells:
                row.cell(pdf.drawable(text))
    pdf.continued = None


def _notices(pdf: _ReportPDF, notices: list[str]) -> None:
    pdf.ln(3)
    pdf.use_font(7.5, "I", color=MUTED)
    for notice in notices:
        pdf.multi_cell(0, 3.5, pdf.drawable(notice), new_x="LMARGIN", new_y="NEXT")


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
    _recommendation(pdf, content.recommendation)
    _chart(pdf, content.chart)
    for block in (content.injections, content.cycles, content.effects):
        _table(pdf, block)
    notice = pdf.glyphs.notice()
    _notices(pdf, [*content.notices, *([notice] if notice else [])])
    return bytes(pdf.output())
