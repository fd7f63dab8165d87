"""What the doctor's report says, worked out once for every report format.

The PDF and the HTML page only lay out what :func:`build` returns, so the two
cannot disagree: every text, row and chart point comes from here. Texts are
plain (not escaped, not made latin-1 safe); each renderer does that itself.

Nothing here recomputes the review: cycles, reasons and the summary are taken
from ``report.review`` exactly as ``tracker review`` shows them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

from tracker.domain import wording
from tracker.domain.appointments import AppointmentRecord
from tracker.domain.dosing import Site, format_units
from tracker.domain.products import ProductProfile, any_profile, is_known
from tracker.domain.records import EffectView, InjectionRecord
from tracker.domain.response import (
    CycleReview,
    LongTerm,
    PainEntry,
    Review,
    daily_means,
)
from tracker.domain.safety import CLASS_IN_WORDS, URGENT_MARK, is_urgent
from tracker.domain.scores import PAIN_SCORE_MAX, PAIN_SCORE_MIN
from tracker.domain.side_effects import EffectClass
from tracker.export.model import Report, TreatmentReport

TITLE = "Injection treatment summary"
SUBTITLE = "Botulinum toxin injections for back pain, as recorded by the patient with tracker"
# Several treatments (issue 16): not all of them are botulinum toxins.
SEVERAL_SUBTITLE = "Injection treatments, as recorded by the patient with tracker"
NO_NAME = "Name not set — tracker plan --name"
DISCLAIMER = (
    "tracker is decision support for a conversation with the doctor, not medical advice; "
    "the figures are the patient's own records."
)

# Chart layout rules shared by both renderers (positions are fractions of the plot).
PAIN_TICKS = tuple(range(PAIN_SCORE_MIN, PAIN_SCORE_MAX + 1, 2))
# More month labels than this crowd a one-page chart, so longer periods skip months.
MAX_MONTH_TICKS = 13
MONTH_STEPS = (1, 2, 3, 6, 12, 24, 60)
# An injection's date label is about this wide (fraction of the plot width, in
# both renderers); a label that would overlap the previous one is left out,
# but its mark is still drawn.
LABEL_WIDTH = 0.075
LABEL_SPACE = 0.01
# Labels this close to an edge are anchored inwards so they stay on the page.
EDGE = 0.06
# A line across a gap this long would suggest scores that were never taken.
MAX_LINE_GAP_DAYS = 21


# --- the intermediate -----------------------------------------------------------


@dataclass(frozen=True)
class TableBlock:
    """A titled table; ``key`` lets a renderer pick its column widths or CSS class."""

    key: str
    title: str
    columns: tuple[str, ...]
    rows: list[tuple[str, ...]]
    empty: str  # shown instead of the table when there are no rows
    # Rows (by index) that must stand out: emergency and serious side effects.
    highlighted: frozenset[int] = frozenset()


@dataclass(frozen=True)
class RecommendationBlock:
    title: str
    tag: str
    summary: str
    reasons: list[str]
    long_term: str
    urgent_reasons: frozenset[int] = frozenset()  # about serious or emergency side effects


@dataclass(frozen=True)
class ChartPoint:
    x: float  # 0 (first day) ... 1 (last day)
    pain: float  # daily mean, 0-10


@dataclass(frozen=True)
class ChartMarker:
    day: date
    x: float
    label: str | None  # None when it would overlap the previous label
    anchor: str  # "start", "middle" or "end": where the label sits against the mark


@dataclass(frozen=True)
class ChartTick:
    x: float
    label: str


@dataclass(frozen=True)
class PainChart:
    title: str
    start: date
    end: date
    points: list[ChartPoint]
    lines: list[list[ChartPoint]]  # runs of points without a long gap
    markers: list[ChartMarker]
    month_ticks: list[ChartTick]
    pain_ticks: tuple[int, ...]
    caption: str


@dataclass(frozen=True)
class ReportContent:
    title: str
    subtitle: str
    generated: str
    patient: str
    facts: list[tuple[str, str]]
    # Each treatment's plan, last injection and next due: only with several (issue 16).
    treatments: TableBlock | None
    recommendation: RecommendationBlock
    chart: PainChart
    injections: list[TableBlock]  # one table, or one per treatment
    cycles: TableBlock
    effects: TableBlock
    notices: list[str]

    @property
    def tables(self) -> list[TableBlock]:
        """Every table, in the order shown."""
        first = [self.treatments] if self.treatments else []
        return [*first, *self.injections, self.cycles, self.effects]


def build(report: Report) -> ReportContent:
    """Everything a report page shows, in the order it is shown.

    With one treatment the page is what it was before treatments existed; with
    several, a table gives each one's plan and next due, each has its own table
    of sessions, and the review (chart markers, cycles) is of the reviewed one.
    """
    several = report.several_treatments
    reviewed = report.reviewed if several else None
    return ReportContent(
        title=TITLE,
        subtitle=subtitle(report),
        generated=generated_text(report.generated_on),
        patient=patient_text(report.patient_name),
        facts=facts(report),
        treatments=treatment_table(report.treatments) if several else None,
        recommendation=recommendation(report.review, report.long_term, reviewed),
        chart=pain_chart(report),
        injections=(
            [treatment_injection_table(t) for t in report.treatments]
            if several
            else [injection_table(report.injections)]
        ),
        cycles=cycle_table(report.review.cycles, reviewed),
        effects=effect_table(report.effects),
        notices=[n for n in (product_notice(report.product), DISCLAIMER) if n],
    )


def subtitle(report: Report) -> str:
    """What the injections are: a botulinum toxin's for back pain, unless the report
    covers several treatments or one of another product."""
    if report.several_treatments:
        return SEVERAL_SUBTITLE
    if report.product.botulinum_toxin:
        return SUBTITLE
    return f"{report.product.name} injections, as recorded by the patient with tracker"


# --- headline -------------------------------------------------------------------


def generated_text(day: date) -> str:
    return f"Generated on {day.isoformat()}"


def patient_text(name: str | None) -> str:
    return name if name else NO_NAME


def product_name(value: str) -> str:
    return any_profile(value).name


def product_notice(product: ProductProfile) -> str | None:
    """What a review or report says of the product's label: a toxin's off-label
    notice; for a product tracker has no profile for, that it knows no label rules."""
    if not is_known(product.code):
        return (
            f"tracker knows no label rules for {product.name}: no minimum interval or "
            "dose ceiling is checked."
        )
    return product.off_label_notice


def products_text(products: list[str]) -> str:
    return ", ".join(product_name(p) for p in products) or "no injection in this period"


def period_text(since: date | None, until: date | None) -> str:
    if since and until:
        return f"{since.isoformat()} to {until.isoformat()}"
    if since:
        return f"from {since.isoformat()}"
    if until:
        return f"up to {until.isoformat()}"
    return "all records"


def as_of_text(report: Report) -> str:
    """A period that ended before today: everything below is as it stood then."""
    if report.until is None or report.until >= report.generated_on:
        return ""
    return f" (everything shown as it stood on {report.until.isoformat()})"


def next_appointment_text(appointment: AppointmentRecord | None) -> str:
    """What the doctor needs: the note, and whether it was missed."""
    if appointment is None:
        return "none booked"
    text = wording.appointment_text(appointment)
    if appointment.note:
        text += f" ({appointment.note})"
    if appointment.missed:
        return f"missed: {text}; log the injection if it was given, or make a new appointment"
    return text


def facts(report: Report) -> list[tuple[str, str]]:
    last = report.due.last_injection
    if report.several_treatments:
        # Each treatment's plan and dates are in the treatments table; appointments
        # belong to the pain treatment.
        return [
            ("Product", products_text(report.products)),
            ("Period", period_text(report.since, report.until) + as_of_text(report)),
            ("Next appointment", next_appointment_text(report.due.appointment)),
        ]
    shown = [
        ("Product", products_text(report.products)),
        ("Plan", wording.plan_text(report.plan)),
        ("Period", period_text(report.since, report.until) + as_of_text(report)),
        ("Last injection", wording.long_date(last) if last else "none recorded"),
        ("Next due", wording.due_text(report.due)),
    ]
    if report.shows_appointments:
        shown.append(("Next appointment", next_appointment_text(report.due.appointment)))
    return shown


# --- recommendation -------------------------------------------------------------


def recommendation(
    review: Review, long_term: LongTerm, treatment: str | None = None
) -> RecommendationBlock:
    """``treatment``: the one reviewed, named when the patient has several."""
    return RecommendationBlock(
        title="What the records suggest" + (f" about {treatment}" if treatment else ""),
        tag=review.headline,
        summary=review.summary,
        reasons=list(review.reasons),
        urgent_reasons=review.urgent_reasons,
        long_term=wording.long_term_text(
            long_term, "Long-term", "no cycle in this period can be evaluated yet"
        ),
    )


# --- tables ---------------------------------------------------------------------


INJECTION_COLUMNS = ("Date", "Product", "Units", "Sites (units)", "Provider", "Lot", "Note")
CYCLE_COLUMNS = (
    "Injection",
    "Baseline",
    "Days 14-56",
    "Reduction",
    "Points",
    "Response",
    "Side effects",
)
EFFECT_COLUMNS = ("Started", "Side effect", "Class", "Severity", "Cycle", "Status")


def units_cell(units: float | None) -> str:
    return "not recorded" if units is None else format_units(units)


def sites_cell(sites: tuple[Site, ...]) -> str:
    return ", ".join(
        site.muscle if site.units is None else f"{site.muscle} ({format_units(site.units)})"
        for site in sites
    )


def injection_row(record: InjectionRecord) -> tuple[str, ...]:
    return (
        record.day.isoformat(),
        product_name(str(record.product)),
        units_cell(record.units),
        sites_cell(record.sites),
        record.provider or "",
        record.lot or "",
        record.note or "",
    )


def injection_table(records: list[InjectionRecord]) -> TableBlock:
    return TableBlock(
        key="injections",
        title="Injection sessions",
        columns=INJECTION_COLUMNS,
        rows=[injection_row(r) for r in records],
        empty="No injection sessions in this period.",
    )


def treatment_injection_table(treatment: TreatmentReport) -> TableBlock:
    """One treatment's sessions, for a patient with several."""
    return replace(
        injection_table(treatment.injections),
        key="treatment-injections",
        title=f"Injection sessions: {treatment.name}",
        empty=f"No {treatment.name} sessions in this period.",
    )


TREATMENT_COLUMNS = ("Treatment", "Product", "Plan", "Last injection", "Next due")


def treatment_plan_cell(treatment: TreatmentReport) -> str:
    """'every 3 months; reminders from 14 days before'."""
    plan = treatment.plan
    reminders = wording.day_count(plan.within_days)
    return f"{wording.every_text(plan.every)}; reminders from {reminders} before"


def treatment_row(treatment: TreatmentReport) -> tuple[str, ...]:
    last = treatment.due.last_injection
    return (
        treatment.name,
        product_name(treatment.product),
        treatment_plan_cell(treatment),
        wording.long_date(last) if last else "none recorded",
        wording.due_text(treatment.due),
    )


def treatment_table(treatments: list[TreatmentReport]) -> TableBlock:
    """Each treatment's plan and next due, oldest treatment first."""
    return TableBlock(
        key="treatments",
        title="Treatments",
        columns=TREATMENT_COLUMNS,
        rows=[treatment_row(t) for t in treatments],
        empty="No treatments.",
    )


def score_cell(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def reduction_cell(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.1f} %" if value >= 0 else f"{value:.1f} % (worse)"


def points_cell(value: float | None) -> str:
    """The change in points on the 0-10 scale (about 2 is clinically important)."""
    if value is None:
        return "-"
    return f"{value:.1f}" if value >= 0 else f"{value:.1f} (worse)"


def response_cell(cycle: CycleReview) -> str:
    if cycle.no_pain_before:
        return "not evaluable (no pain before)"
    text = cycle.response.value.replace("_", " ")
    if cycle.reduction_pct is not None and cycle.reduction_pct < 0:
        return f"{text} (worse)"
    return text


def effect_counts_cell(counts: dict[str, int]) -> str:
    """'1 common, ! 1 EMERGENCY': urgent classes stand out without colour."""
    return (
        ", ".join(
            f"{URGENT_MARK} {count} {name.upper()}"
            if is_urgent(EffectClass(name))
            else f"{count} {name}"
            for name, count in counts.items()
            if count
        )
        or "none"
    )


def cycle_row(cycle: CycleReview) -> tuple[str, ...]:
    return (
        cycle.injection_date.isoformat(),
        score_cell(cycle.baseline),
        score_cell(cycle.effect),
        reduction_cell(cycle.reduction_pct),
        points_cell(cycle.change_points),
        response_cell(cycle),
        effect_counts_cell(cycle.side_effects),
    )


def cycle_table(cycles: list[CycleReview], treatment: str | None = None) -> TableBlock:
    per = f"per {treatment} cycle" if treatment else "per cycle"
    return TableBlock(
        key="cycles",
        title=f"Response {per} (average pain 0-10: 14 days up to the injection vs days 14-56)",
        columns=CYCLE_COLUMNS,
        rows=[cycle_row(c) for c in cycles],
        empty="No injection cycles in this period.",
    )


def effect_row(view: EffectView) -> tuple[str, ...]:
    record = view.record
    text = record.text if not record.note else f"{record.text}; note: {record.note}"
    cycle = "-" if view.cycle_day is None else f"day {view.cycle_day}"
    return (
        record.day.isoformat(),
        text,
        class_cell(record.effect_class),
        record.severity_text,
        cycle,
        wording.effect_status(view),
    )


def class_cell(effect_class: EffectClass) -> str:
    """An urgent class in capitals with what it means, so it reads without colour."""
    if is_urgent(effect_class):
        return CLASS_IN_WORDS[effect_class].upper().replace(":", " -", 1)
    return effect_class.value


def effect_table(views: list[EffectView]) -> TableBlock:
    return TableBlock(
        key="effects",
        title="Side effects",
        columns=EFFECT_COLUMNS,
        rows=[effect_row(v) for v in views],
        empty="No side effects recorded in this period.",
        highlighted=frozenset(
            index for index, view in enumerate(views) if is_urgent(view.record.effect_class)
        ),
    )


# --- pain chart -----------------------------------------------------------------


def chart_period(report: Report) -> tuple[date, date]:
    """From the first record shown to the end of the period (never shorter than a day)."""
    days = [p.day for p in report.pain] + [r.day for r in report.injections]
    end = report.until or report.generated_on
    if days:
        end = max(end, *days)
        start = min(days)
    else:
        start = report.since or end - timedelta(days=90)
    if start >= end:
        start = end - timedelta(days=1)
    return start, end


def _fraction(day: date, start: date, end: date) -> float:
    return (day - start).days / (end - start).days


def _lines(days: list[date], points: list[ChartPoint]) -> list[list[ChartPoint]]:
    runs: list[list[ChartPoint]] = []
    previous: date | None = None
    for day, point in zip(days, points, strict=True):
        if previous is None or (day - previous).days > MAX_LINE_GAP_DAYS:
            runs.append([])
        runs[-1].append(point)
        previous = day
    return runs


def _anchor(x: float) -> str:
    if x < EDGE:
        return "start"
    if x > 1 - EDGE:
        return "end"
    return "middle"


def _label_extent(x: float, anchor: str) -> tuple[float, float]:
    """Where a date label would sit, as fractions of the width."""
    if anchor == "start":
        return x, x + LABEL_WIDTH
    if anchor == "end":
        return x - LABEL_WIDTH, x
    return x - LABEL_WIDTH / 2, x + LABEL_WIDTH / 2


def _markers(injections: list[InjectionRecord], start: date, end: date) -> list[ChartMarker]:
    markers = []
    taken_until: float | None = None  # right edge of the last label drawn
    for record in injections:
        x = _fraction(record.day, start, end)
        anchor = _anchor(x)
        left, right = _label_extent(x, anchor)
        crowded = taken_until is not None and left < taken_until + LABEL_SPACE
        label = None if crowded else record.day.isoformat()
        markers.append(ChartMarker(record.day, x, label, anchor))
        if not crowded:
            taken_until = right
    return markers


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month_ticks(start: date, end: date) -> list[ChartTick]:
    span = (end.year - start.year) * 12 + end.month - start.month + 1
    step = next((s for s in MONTH_STEPS if span / s <= MAX_MONTH_TICKS), MONTH_STEPS[-1])
    tick = date(start.year, start.month, 1)
    if tick < start:
        tick = _add_months(tick, 1)
    # Align to calendar boundaries (quarters, half-years, years) so labels read naturally.
    while (tick.month - 1) % min(step, 12):
        tick = _add_months(tick, 1)
    ticks = []
    while tick <= end:
        if step >= 12:
            label = f"{tick:%Y}"
        elif tick.month == 1 or not ticks:
            label = f"{tick:%b %Y}"
        else:
            label = f"{tick:%b}"
        ticks.append(ChartTick(_fraction(tick, start, end), label))
        tick = _add_months(tick, step)
    return ticks


def chart_caption(entries: int, days: int, treatment: str | None = None) -> str:
    """``treatment``: whose injections the lines mark, when the patient has several."""
    marks = (
        f"vertical lines mark {treatment} injections"
        if treatment
        else ("vertical lines mark injections")
    )
    if not entries:
        return f"No pain scores recorded in this period; {marks}."
    return (
        f"Daily mean pain (0 = none, 10 = worst imaginable) from {entries} "
        f"{'score' if entries == 1 else 'scores'} on {wording.day_count(days)}; {marks}."
    )


def chart_injections(report: Report) -> list[InjectionRecord]:
    """The injections the chart marks: with several treatments, the reviewed one's
    (the cycles its review is about); else every one."""
    reviewed = report.reviewed_treatment
    if report.several_treatments and reviewed is not None:
        return reviewed.injections
    return report.injections


def pain_chart(report: Report) -> PainChart:
    start, end = chart_period(report)
    means = daily_means(PainEntry(p.day, p.score) for p in report.pain)
    days = list(means)
    points = [ChartPoint(_fraction(day, start, end), means[day]) for day in days]
    marked = report.reviewed if report.several_treatments else None
    return PainChart(
        title="Pain over time",
        start=start,
        end=end,
        points=points,
        lines=_lines(days, points),
        markers=_markers(chart_injections(report), start, end),
        month_ticks=month_ticks(start, end),
        pain_ticks=PAIN_TICKS,
        caption=chart_caption(len(report.pain), len(days), marked),
    )
