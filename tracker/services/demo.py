"""A clearly labelled sample patient, so tracker can be tried on realistic records.

Everything goes through the ordinary use cases (log, pain, effect, book, plan), so the
sample obeys every rule real records do. The numbers come from a fixed seed: every demo
made on the same day is the same.
"""

from __future__ import annotations

import random
import shlex
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select

from tracker.domain import schedule
from tracker.domain.dosing import Site
from tracker.domain.errors import Conflict
from tracker.domain.products import Product, profile_of
from tracker.domain.records import InjectionDraft
from tracker.domain.side_effects import Severity
from tracker.services.appointments import book
from tracker.services.diary import add_pain
from tracker.services.effects import record_effect, resolve_effect
from tracker.services.injections import log_injection
from tracker.services.plan import load_plan, update_plan
from tracker.store.database import Database
from tracker.store.location import describe
from tracker.store.models import Appointment, InjectionSession, PainEntry, Patient, SideEffect

DEMO_NAME = "Demo Patient (sample data)"
PROVIDER = "Dr Demo"
SEED = 2024
SESSIONS = 8
UNITS = 200.0
DEMO_PRODUCT = Product.BOTOX
EVERY_MONTHS = 3
REMINDER_DAYS = 14
# Eight weeks ago: the latest cycle's day 14-56 window is complete, so `review` can
# judge all eight cycles, and the next injection is about five weeks away.
LAST_INJECTION_AGO = timedelta(weeks=8)
# Quarterly, a little irregular as real visits are; never under the label's 84 days.
INTERVAL_DAYS = (89, 95)
# The diary starts before the first injection, so that cycle has a baseline.
DIARY_LEAD_IN = timedelta(weeks=4)
APPOINTMENT_TIME = "09:30"

# 200 units spread over 2-4 lumbar paraspinal sites, as a clinic might vary it.
SITE_PATTERNS: tuple[tuple[Site, ...], ...] = (
    (Site("left lumbar paraspinal", 100), Site("right lumbar paraspinal", 100)),
    (
        Site("left lumbar paraspinal L3", 70),
        Site("left lumbar paraspinal L4", 70),
        Site("right lumbar paraspinal L4", 60),
    ),
    (
        Site("left lumbar paraspinal L3", 50),
        Site("left lumbar paraspinal L4", 50),
        Site("right lumbar paraspinal L3", 50),
        Site("right lumbar paraspinal L4", 50),
    ),
)
DIARY_NOTES = (
    "walked 30 minutes",
    "long drive, stiff afterwards",
    "slept badly",
    "gardening",
    "good day",
)


@dataclass(frozen=True)
class _Effect:
    text: str
    after_injection: int  # which injection it follows (index into the sessions)
    days_after: int
    severity: Severity | None  # None: not stated
    lasted_days: int | None  # None: still going on


# The latest one stays open: it shows how tracker flags a lingering side effect.
EFFECTS = (
    _Effect("headache", 1, 1, Severity.MILD, 2),
    _Effect("injection site tenderness", 3, 1, Severity.MILD, 3),
    _Effect("flu-like symptoms", 5, 2, Severity.MODERATE, 3),
    _Effect("dry mouth", SESSIONS - 1, 5, None, None),
)


def fill_demo(db: Database, today: date, given_as: str | None = None) -> str:
    """Fill an empty database with the sample patient; return what was made and what to try.

    Raises Conflict, changing nothing, when the database already has records or a
    plan. ``given_as`` is the location as the user typed it, for the advice.
    One transaction: a failure half-way leaves the database as it was.
    """
    with db.transaction():
        _refuse_unless_empty(db, given_as)
        rng = random.Random(SEED)
        injections = _injection_days(today, rng)
        update_plan(db, EVERY_MONTHS, REMINDER_DAYS, DEMO_NAME)
        for number, day in enumerate(injections):
            log_injection(db, _session(number, day, rng), today)
        entries = 0
        for day, score, function, note in _diary(injections, today, rng):
            add_pain(db, day, score, function, note, today)
            entries += 1
        open_effects = _record_effects(db, injections, today)
        appointment = _book_next(db, injections[-1], today)
    return _summary(db, injections, entries, open_effects, appointment)


def _refuse_unless_empty(db: Database, given_as: str | None) -> None:
    with db.transaction() as session:
        counts = {
            noun: session.scalar(select(func.count()).select_from(model)) or 0
            for noun, model in (
                ("injection session", InjectionSession),
                ("pain entry", PainEntry),
                ("side effect", SideEffect),
                ("appointment", Appointment),
            )
        }
        named = load_plan(session).patient_name
        if named:
            counts[f"patient named '{named}'"] = 1
        only_the_demo = (
            named == DEMO_NAME and session.scalar(select(func.count()).select_from(Patient)) == 1
        )
    if only_the_demo:
        raise Conflict(_start_over(db, given_as))
    found = ", ".join(_count(number, noun) for noun, number in counts.items() if number)
    if found:
        raise Conflict(
            f"this database already has records ({found}); the demo only fills a new "
            "database: try tracker demo --db demo.db"
        )


def _start_over(db: Database, given_as: str | None) -> str:
    """How to try the demo again, for a database that already holds only the sample patient."""
    where = shlex.quote(given_as or describe(db.url))
    option = f" --db {where}" if given_as else ""
    first = f"{where} already holds the sample patient (try: tracker{option} due)"
    if db.sqlite_path is None:
        return f"{first}; to start over, fill a new file: tracker demo --db demo.db"
    return f"{first}; to start over, delete it first: rm {where} && tracker demo{option}"


def _count(number: int, noun: str) -> str:
    if number == 1:
        return f"1 {noun}"
    plural = noun[:-1] + "ies" if noun.endswith("y") else noun + "s"
    return f"{number} {plural}"


# --- injections ---------------------------------------------------------------


def _injection_days(today: date, rng: random.Random) -> list[date]:
    """Eight weekdays about three months apart, the latest eight weeks ago."""
    days = [_weekday_on_or_before(today - LAST_INJECTION_AGO)]
    while len(days) < SESSIONS:
        days.append(_weekday_on_or_before(days[-1] - timedelta(days=rng.randint(*INTERVAL_DAYS))))
    return sorted(days)


def _weekday_on_or_before(day: date) -> date:
    while day.weekday() >= 5:  # clinics are closed at the weekend
        day -= timedelta(days=1)
    return day


def _session(number: int, day: date, rng: random.Random) -> InjectionDraft:
    return InjectionDraft(
        day=day,
        product=DEMO_PRODUCT,
        units=UNITS,
        sites=SITE_PATTERNS[number % len(SITE_PATTERNS)],
        provider=PROVIDER,
        lot=f"C{rng.randint(1000, 9999)}C{rng.randint(1, 9)}",
    )


# --- pain diary -----------------------------------------------------------------


def _diary(
    injections: list[date], today: date, rng: random.Random
) -> list[tuple[date, int, int, str | None]]:
    """An entry every 2-3 days: about 7/10 before, about 55 % lower from week 2 on."""
    # Each cycle has its own baseline and depth of relief, as real ones do.
    bases = [rng.uniform(6.5, 7.5) for _ in injections]
    depths = [rng.uniform(0.52, 0.60) for _ in injections]
    entries = []
    day = injections[0] - DIARY_LEAD_IN
    while day <= today:
        cycle = max((i for i, d in enumerate(injections) if d <= day), default=None)
        index = cycle or 0
        relief = 0.0 if cycle is None else _relief((day - injections[cycle]).days)
        expected = bases[index] * (1 - depths[index] * relief)
        score = _clamp(round(expected) + rng.choice((-1, 0, 0, 1)))
        function = _clamp(score - rng.choice((0, 1, 1, 2)))
        note = rng.choice(DIARY_NOTES) if rng.random() < 0.06 else None
        entries.append((day, score, function, note))
        day += timedelta(days=rng.choice((2, 3)))
    return entries


def _relief(cycle_day: int) -> float:
    """Share of the full effect on a day of the cycle (0 = none, 1 = full).

    Botox starts to work within days, is at its best from about week 2 and wears off
    over the third month (patient leaflet in shared/seeds).
    """
    if cycle_day < 4:
        return 0.0
    if cycle_day < 14:
        return (cycle_day - 4) / 10
    if cycle_day <= 56:
        return 1.0
    return max(0.0, 1 - (cycle_day - 56) / 21)


def _clamp(score: int) -> int:
    return min(10, max(0, score))


# --- side effects and the next appointment ----------------------------------------


def _record_effects(db: Database, injections: list[date], today: date) -> int:
    still_open = 0
    for effect in EFFECTS:
        day = injections[effect.after_injection] + timedelta(days=effect.days_after)
        view = record_effect(db, effect.text, day, effect.severity, None, today)
        if effect.lasted_days is None:
            still_open += 1
        else:
            resolve_effect(db, view.record.id, day + timedelta(days=effect.lasted_days), today)
    return still_open


def _book_next(db: Database, last_injection: date, today: date) -> date:
    """A weekday just before the due date, never before today."""
    due = schedule.next_due_date(last_injection, EVERY_MONTHS)
    day = max(_weekday_on_or_before(due - timedelta(days=1)), today)
    book(db, day, APPOINTMENT_TIME, PROVIDER, "sample appointment", today)
    return day


def _summary(
    db: Database, injections: list[date], entries: int, open_effects: int, appointment: date
) -> str:
    where = shlex.quote(describe(db.url))
    return "\n".join(
        [
            f'Filled {describe(db.url)} with SAMPLE DATA for a made-up patient, "{DEMO_NAME}":',
            f"  {len(injections)} {profile_of(DEMO_PRODUCT).name} injection sessions "
            f"of {UNITS:g} units by {PROVIDER}, "
            f"{injections[0].isoformat()} to {injections[-1].isoformat()}",
            f"  {entries} pain diary entries, {len(EFFECTS)} side effects "
            f"({open_effects} still open), "
            f"1 appointment booked on {appointment.isoformat()} at {APPOINTMENT_TIME}",
            "This is not a real person's record: keep your own records in another database.",
            "Try:",
            f"  tracker --db {where} due",
            f"  tracker --db {where} review",
            f"  tracker --db {where} export -o report.pdf",
        ]
    )
