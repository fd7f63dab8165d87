"""The doctor's report as one self-contained HTML page (UTF-8).

Laid out from the same :mod:`tracker.export.sections` content as the PDF.
The page carries its own CSS and an inline SVG chart: no script, no external
resource and no link, so it opens offline, prints cleanly on A4 or Letter and
leaks nothing when opened. Every text goes through :func:`esc`, because names,
notes and side-effect texts are typed by the user.
"""

from __future__ import annotations

import re
from html import escape

from tracker.export import sections
from tracker.export.model import Report
from tracker.export.sections import PainChart, RecommendationBlock, ReportContent, TableBlock

# The chart's look is set with SVG attributes, not CSS: print engines and
# viewers that ignore page CSS inside an SVG still draw it right.
TEXT = 'font-family="Helvetica, Arial, sans-serif" font-size="10"'
MUTED_TEXT = f'{TEXT} fill="#646c74"'
MARKER_TEXT = f'{TEXT} fill="#00688b"'
GRID_LINE = 'stroke="#e4e7eb" stroke-width="1"'
AXIS_LINE = 'stroke="#c8cdd3" stroke-width="1"'
MARKER_LINE = 'stroke="#00688b" stroke-width="2"'
PAIN_LINE = 'fill="none" stroke="#3c465a" stroke-width="1.6" stroke-linejoin="round"'
PAIN_POINT = 'fill="#3c465a"'

# SVG user units; the chart scales to the page width.
SVG_WIDTH = 760
SVG_HEIGHT = 210
PLOT_LEFT = 34
PLOT_RIGHT = 748
PLOT_TOP = 26
PLOT_BOTTOM = 176

CSS = """
:root { color-scheme: light; }
* { box-sizing: border-box; }
body {
  margin: 0; background: #f3f5f7; color: #212529;
  font: 14px/1.45 "Helvetica Neue", Helvetica, Arial, sans-serif;
}
.report {
  max-width: 820px; margin: 24px auto; padding: 32px 40px; background: #fff;
  box-shadow: 0 1px 4px rgba(0, 0, 0, 0.08);
}
.top { display: flex; justify-content: space-between; align-items: baseline; gap: 16px;
  border-bottom: 1px solid #c8cdd3; padding-bottom: 8px; margin-bottom: 12px; }
h1 { font-size: 22px; margin: 0; }
.patient { font-size: 17px; font-weight: bold; margin: 4px 0 0; }
.subtitle, .generated, .muted, figcaption { color: #646c74; }
.subtitle { font-size: 12px; margin: 2px 0 0; }
.generated { font-size: 12px; margin: 0; white-space: nowrap; }
h2 { font-size: 15px; margin: 18px 0 6px; }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 0; }
.facts dt { font-weight: bold; color: #646c74; }
.facts dd { margin: 0; }
/* Several treatments: their table sits between the facts and the recommendation. */
section.treatments { margin-bottom: 14px; }
.recommendation { border-left: 4px solid #00688b; padding: 2px 0 2px 12px; }
.recommendation h2 { margin-top: 0; }
.tag { color: #00688b; font-weight: bold; margin: 0; }
.summary { font-weight: bold; margin: 2px 0; }
.recommendation ul { margin: 4px 0; padding-left: 18px; }
.long-term { color: #646c74; margin: 4px 0 0; }
figure { margin: 0; }
svg { width: 100%; height: auto; display: block; }
figcaption { font-size: 12px; }
table { width: 100%; border-collapse: collapse; font-size: 12.5px; }
th, td { text-align: left; vertical-align: top; padding: 3px 6px;
  border-bottom: 1px solid #c8cdd3; }
th { background: #e8edf2; }
tbody tr:nth-child(even) td { background: #f7f8fa; }
/* Emergency and serious side effects; the class cell says so in words too. */
tbody tr.urgent td, tbody tr.urgent:nth-child(even) td { background: #fdecea;
  font-weight: bold; color: #8a1c12;
  -webkit-print-color-adjust: exact; print-color-adjust: exact; }
tbody tr.urgent td:first-child { box-shadow: inset 4px 0 0 #b3261e; }
.recommendation li.urgent { font-weight: bold; color: #8a1c12; }
.empty { color: #646c74; }
.nw { white-space: nowrap; }
.scroll { overflow-x: auto; }
tr.urgent strong { color: #a11b0e; text-transform: uppercase; }
@media (max-width: 600px) {
  .report { margin: 0; padding: 16px 12px; box-shadow: none; }
  .top { flex-direction: column; gap: 2px; }
  /* Shrunk to a phone's width the chart's labels could not be read. */
  .chart svg { min-width: 680px; }
  /* Muscle lists and side-effect words get room; the table scrolls instead. */
  .injections td:nth-child(4), .treatment-injections td:nth-child(4),
  .effects td:nth-child(2) { min-width: 150px; }
}
footer { margin-top: 18px; font-size: 12px; font-style: italic; color: #646c74; }
footer p { margin: 2px 0; }
@media print {
  /* No page size: the same page prints on A4 and on Letter. */
  @page { margin: 12mm; }
  body { background: #fff; font-size: 8.5pt; line-height: 1.35; }
  .report { max-width: none; margin: 0; padding: 0; box-shadow: none; }
  h1 { font-size: 15pt; }
  .patient { font-size: 12pt; }
  .subtitle, .generated, figcaption, footer { font-size: 7.5pt; }
  h2 { font-size: 10pt; margin: 7px 0 2px; break-after: avoid; }
  .top { padding-bottom: 4px; margin-bottom: 6px; }
  .facts { gap: 0 16px; }
  table { font-size: 7.5pt; }
  th, td { padding: 1px 5px; }
  footer { margin-top: 8px; }
  thead { display: table-header-group; }
  tr, figure, .recommendation, .facts { break-inside: avoid; }
  .scroll { overflow: visible; }
  .chart svg { min-width: 0; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""


def esc(text: str) -> str:
    return escape(text, quote=True)


# Dates ("2026-01-12", "Tue 1 Dec 2026"), ranges ("14-56") and percentages
# ("57.1 %") are never broken across lines, at any page width: the hyphen or
# space inside them is where a browser would otherwise break. Plain numbers
# have no such place and are left as they are.
_UNBREAKABLE = re.compile(
    r"(?<!\w)(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d{1,2} "
    r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4}"
    r"|\d+(?:\.\d+)?(?:-\d+(?:\.\d+)?)+"
    r"|\d+(?:\.\d+)? %)(?!\w)"
)


def text(value: str) -> str:
    """Escaped text whose dates and numbers keep to one line."""
    parts, last = [], 0
    for match in _UNBREAKABLE.finditer(value):
        parts.append(esc(value[last : match.start()]))
        parts.append(f'<span class="nw">{esc(match[0])}</span>')
        last = match.end()
    parts.append(esc(value[last:]))
    return "".join(parts)


# --- blocks ---------------------------------------------------------------------


def _top(content: ReportContent) -> str:
    return (
        '<header class="top"><div>'
        f"<h1>{esc(content.title)}</h1>"
        f'<p class="patient">{text(content.patient)}</p>'
        f'<p class="subtitle">{esc(content.subtitle)}</p>'
        f'</div><p class="generated">{esc(content.generated)}</p></header>'
    )


def _facts(facts: list[tuple[str, str]]) -> str:
    items = "".join(f"<dt>{esc(label)}</dt><dd>{text(value)}</dd>" for label, value in facts)
    return f'<dl class="facts">{items}</dl>'


def _recommendation(block: RecommendationBlock) -> str:
    reasons = "".join(
        ('<li class="urgent">' if index in block.urgent_reasons else "<li>")
        + f"{text(reason)}</li>"
        for index, reason in enumerate(block.reasons)
    )
    return (
        f'<section class="recommendation"><h2>{esc(block.title)}</h2>'
        f'<p class="tag">{text(block.tag)}</p>'
        f'<p class="summary">{text(block.summary)}</p>'
        f"<ul>{reasons}</ul>"
        f'<p class="long-term">{text(block.long_term)}</p></section>'
    )


def _x(fraction: float) -> str:
    return f"{PLOT_LEFT + fraction * (PLOT_RIGHT - PLOT_LEFT):.1f}"


def _y(pain: float, top_value: int) -> str:
    return f"{PLOT_BOTTOM - pain / top_value * (PLOT_BOTTOM - PLOT_TOP):.1f}"


def _svg_grid(chart: PainChart) -> list[str]:
    top_value = chart.pain_ticks[-1]
    parts = []
    for value in chart.pain_ticks:
        y = _y(value, top_value)
        look = AXIS_LINE if value == chart.pain_ticks[0] else GRID_LINE
        parts.append(f'<line {look} x1="{PLOT_LEFT}" y1="{y}" x2="{PLOT_RIGHT}" y2="{y}"/>')
        parts.append(
            f'<text {MUTED_TEXT} x="{PLOT_LEFT - 6}" y="{y}" dy="3.5" text-anchor="end">'
            f"{value}</text>"
        )
    parts.append(
        f'<line {AXIS_LINE} x1="{PLOT_LEFT}" y1="{PLOT_TOP}" x2="{PLOT_LEFT}" y2="{PLOT_BOTTOM}"/>'
    )
    for tick in chart.month_ticks:
        x = _x(tick.x)
        parts.append(
            f'<line {AXIS_LINE} x1="{x}" y1="{PLOT_BOTTOM}" x2="{x}" y2="{PLOT_BOTTOM + 4}"/>'
        )
        parts.append(
            f'<text {MUTED_TEXT} x="{x}" y="{PLOT_BOTTOM + 17}" text-anchor="middle">'
            f"{esc(tick.label)}</text>"
        )
    return parts


def _svg_markers(chart: PainChart) -> list[str]:
    parts = []
    for marker in chart.markers:
        x = _x(marker.x)
        day = marker.day.isoformat()
        parts.append(
            f'<line class="injection-marker" {MARKER_LINE} data-date="{day}" x1="{x}" '
            f'y1="{PLOT_TOP - 4}" '
            f'x2="{x}" y2="{PLOT_BOTTOM}"><title>Injection {day}</title></line>'
        )
        if marker.label is not None:
            parts.append(
                f'<text class="injection-label" {MARKER_TEXT} x="{x}" y="{PLOT_TOP - 8}" '
                f'text-anchor="{marker.anchor}">{esc(marker.label)}</text>'
            )
    return parts


def _svg_pain(chart: PainChart) -> list[str]:
    top_value = chart.pain_ticks[-1]
    parts = []
    for run in chart.lines:
        if len(run) > 1:
            coords = " ".join(f"{_x(p.x)},{_y(p.pain, top_value)}" for p in run)
            parts.append(f'<polyline class="pain-line" {PAIN_LINE} points="{coords}"/>')
    parts += [
        f'<circle class="pain-point" {PAIN_POINT} cx="{_x(p.x)}" cy="{_y(p.pain, top_value)}" '
        'r="2"/>'
        for p in chart.points
    ]
    return parts


def _chart(chart: PainChart) -> str:
    shapes = "".join(_svg_grid(chart) + _svg_markers(chart) + _svg_pain(chart))
    # No xmlns: inline SVG in HTML does not need it, and the page carries no URL.
    svg = (
        f'<svg viewBox="0 0 {SVG_WIDTH} {SVG_HEIGHT}" role="img" '
        f'aria-label="{esc(chart.title)}: {esc(chart.caption)}">{shapes}</svg>'
    )
    return (
        f'<section class="chart"><h2>{esc(chart.title)}</h2>'
        # Wider than a phone's screen, the chart scrolls sideways instead of shrinking.
        f'<figure><div class="scroll" tabindex="0" role="region" '
        f'aria-label="{esc(chart.title)}">{svg}</div>'
        f"<figcaption>{text(chart.caption)}</figcaption></figure></section>"
    )


# The side-effect column that names the class: bold words in a highlighted row.
EFFECT_CLASS_COLUMN = 2


def _row(block: TableBlock, index: int, row: tuple[str, ...]) -> str:
    """A row; serious and emergency side effects stand out in colour and in bold words."""
    cells = [f"<td>{text(cell)}</td>" for cell in row]
    if index not in block.highlighted:
        return "<tr>" + "".join(cells) + "</tr>"
    if block.key == "effects":
        cells[EFFECT_CLASS_COLUMN] = f"<td><strong>{text(row[EFFECT_CLASS_COLUMN])}</strong></td>"
    return f'<tr class="urgent">{"".join(cells)}</tr>'


def _table(block: TableBlock) -> str:
    heading = f'<section class="{block.key}"><h2>{text(block.title)}</h2>'
    if not block.rows:
        return f'{heading}<p class="empty">{esc(block.empty)}</p></section>'
    head = "".join(f'<th scope="col">{text(column)}</th>' for column in block.columns)
    body = "".join(_row(block, index, row) for index, row in enumerate(block.rows))
    # On a narrow screen a wide table scrolls sideways (focusable, so keyboards can too).
    return (
        f'{heading}<div class="scroll" tabindex="0" role="region" aria-label="{esc(block.title)}">'
        f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div></section>"
    )


def _footer(content: ReportContent) -> str:
    # "Generated on" already heads the page; printed again here it would spill
    # a Letter page over onto a second one.
    notices = "".join(f"<p>{text(notice)}</p>" for notice in content.notices)
    return f"<footer>{notices}</footer>"


# --- entry point ----------------------------------------------------------------


def render(report: Report) -> bytes:
    content = sections.build(report)
    body = "\n".join(
        [
            _top(content),
            _facts(content.facts),
            *([_table(content.treatments)] if content.treatments else []),
            _recommendation(content.recommendation),
            _chart(content.chart),
            *(_table(injections) for injections in content.injections),
            _table(content.cycles),
            _table(content.effects),
            _footer(content),
        ]
    )
    page = (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(content.title)} - {esc(content.patient)}</title>\n"
        f'<style>{CSS}</style>\n</head>\n<body>\n<main class="report">\n{body}\n'
        "</main>\n</body>\n</html>\n"
    )
    return page.encode("utf-8")
