"""What a patient's due date is worked out from: the plan, the last injection, the bookings.

Both ways of reading it use this: the SQLAlchemy path (``store.queries``) and
the standard-library fast path for ``tracker due`` (``store.quick_due``), so
they cannot disagree on how the pieces combine. No SQLAlchemy here: the fast
path must not import it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from datetime import date
from functools import cache
from operator import attrgetter
from typing import TYPE_CHECKING, NamedTuple

from tracker.domain import schedule
from tracker.domain.appointments import AppointmentRecord, appointment_for_due
from tracker.domain.intervals import DEFAULT_INTERVAL, Interval, stored_interval
from tracker.domain.products import DEFAULT_PRODUCT, any_profile
from tracker.domain.schedule import DEFAULT_REMINDER_DAYS

if TYPE_CHECKING:
    from tracker.domain.safety import OpenSafetyEffect


@dataclass(frozen=True, slots=True)
class DuePicture:
    every: Interval
    # The plan's reminder window; a command may ask with another one.
    within_days: int
    last_injection: date | None
    # At least the booked appointments `due` may show; any others are never picked.
    appointments: Sequence[AppointmentRecord] = ()
    # Whose label rules hold: the product of the treatment's last injection, else the
    # treatment's own (known or not: tracker.domain.products.any_profile).
    product: str = DEFAULT_PRODUCT

    def due(self, today: date, within_days: int | None = None) -> schedule.Due:
        """The Due on ``today``, with the appointment `due` shows."""
        return replace(self.by_dates(today, within_days), appointment=self.appointment(today))

    def by_dates(self, today: date, within_days: int | None = None) -> schedule.Due:
        """The Due on ``today`` from the plan and the last injection alone."""
        return schedule.due(
            self.last_injection,
            today,
            self.every,
            self.window(within_days),
            any_profile(self.product),
        )

    def window(self, within_days: int | None = None) -> int:
        """How many days ahead the reminder starts: as asked, else as planned."""
        return self.within_days if within_days is None else within_days

    def appointment(self, today: date) -> AppointmentRecord | None:
        """The next booked appointment, else the latest missed one (the domain rule)."""
        return appointment_for_due(self.appointments, today, self.last_injection)


def every_due(
    pictures: Iterable[DuePicture], today: date, within_days: int | None = None
) -> list[schedule.Due]:
    """Each picture's Due on ``today``, in order: what ``DuePicture.due`` says for each.

    A clinic's patients share a few hundred last-injection dates and plans:
    each distinct combination is worked out once, whichever path read them.
    """
    due_of = SharedDues(today, within_days)
    return [due_of(picture) for picture in pictures]


class SharedDues:
    """``DuePicture.due`` for one picture at a time, each distinct combination of last
    injection, product, plan and window worked out once and its Due shared.

    For a reader that keeps no picture: a clinic of 100,000 patients is read row
    by row, and only each patient's Due is kept.
    """

    def __init__(self, today: date, within_days: int | None = None) -> None:
        self.today = today
        self.within_days = within_days
        self._by_dates: dict[tuple[date | None, str, Interval, int], schedule.Due] = {}

    def __call__(self, picture: DuePicture) -> schedule.Due:
        key = (
            picture.last_injection,
            picture.product,
            picture.every,
            picture.window(self.within_days),
        )
        due = self._by_dates.get(key)
        if due is None:
            due = self._by_dates[key] = picture.by_dates(self.today, self.within_days)
        if not picture.appointments:
            return due
        appointment = picture.appointment(self.today)
        return due if appointment is None else _with_appointment(due, appointment)


_DUE_FIELDS = tuple(field.name for field in fields(schedule.Due))
_due_values = attrgetter(*_DUE_FIELDS)
_APPOINTMENT_FIELD = _DUE_FIELDS.index("appointment")


def _with_appointment(due: schedule.Due, appointment: AppointmentRecord) -> schedule.Due:
    """``replace(due, appointment=appointment)`` at half its cost: a clinic makes one
    for every patient with a booking."""
    values = list(_due_values(due))
    values[_APPOINTMENT_FIELD] = appointment
    return schedule.Due(*values)


class StoredTreatment(NamedTuple):
    """A treatment row and its latest session, as both paths read them (a tuple:
    a clinic has tens of thousands)."""

    id: int
    name: str
    every: str  # Interval.text, as stored
    within_days: int
    product: str  # the treatment's own
    sites: str | None  # rotation.sites_text, or None
    last_injection: date | None
    last_product: str | None  # that of the latest session


class TreatmentPicture(NamedTuple):
    # None: the patient has no treatment (the default plan, nothing logged).
    name: str | None
    picture: DuePicture
    next_site: str | None = None
    takes_appointments: bool = True

    def due(self, today: date, within_days: int | None = None) -> schedule.TreatmentDue:
        return self.with_due(self.picture.due(today, within_days))

    def with_due(self, due: schedule.Due) -> schedule.TreatmentDue:
        return schedule.TreatmentDue(
            self.name, str(self.picture.product), due, self.next_site, self.takes_appointments
        )


# Site uses of a treatment: (site as logged, the day of the latest session naming it).
SiteUses = Mapping[int, Sequence[tuple[str, date]]]


def treatment_pictures(
    treatments: Sequence[StoredTreatment],
    appointments: Sequence[AppointmentRecord],
    uses: SiteUses | None = None,
) -> list[TreatmentPicture]:
    """Each treatment's picture, in the order given (oldest first).

    The appointments go to the pain treatment only (issue 16: a booking covers
    the pain treatment's reminder). ``uses``: the sites logged per treatment id,
    for the next site of a rotation; None when not asked (``due --all``).
    A patient without any treatment has the plan tracker has always started with.
    """
    if not treatments:
        return [
            TreatmentPicture(
                None, DuePicture(DEFAULT_INTERVAL, DEFAULT_REMINDER_DAYS, None, appointments)
            )
        ]
    pain = _pain_position(tuple(row.product for row in treatments))
    return [
        TreatmentPicture(
            row.name,
            DuePicture(
                _interval(row.every),
                row.within_days,
                row.last_injection,
                appointments if position == pain else (),
                row.last_product or row.product,
            ),
            None if uses is None else _next_site(row.sites, uses.get(row.id, ())),
            takes_appointments=position == pain,
        )
        for position, row in enumerate(treatments)
    ]


def patient_row(
    name: str,
    treatments: Sequence[StoredTreatment],
    appointments: Sequence[AppointmentRecord],
    due_of: SharedDues,
    safety: tuple[OpenSafetyEffect, ...] = (),
) -> schedule.PatientDue:
    """A patient's row of ``due --all``: schedule.patient_due over their treatments'
    pictures. Most patients have one treatment (their pain treatment, which the
    bookings belong to): its row is made directly, without the per-treatment rows
    a clinic of 100,000 patients would otherwise make and sort one by one."""
    if len(treatments) != 1:
        pictures = treatment_pictures(treatments, appointments)
        dues = [picture.with_due(due_of(picture.picture)) for picture in pictures]
        return schedule.patient_due(name, dues, safety)
    (row,) = treatments
    picture = DuePicture(
        _interval(row.every),
        row.within_days,
        row.last_injection,
        appointments,
        row.last_product or row.product,
    )
    return schedule.PatientDue(name, due_of(picture), safety, treatment=row.name)


def treatment_dues(
    pictures: Sequence[TreatmentPicture], today: date, within_days: int | None = None
) -> list[schedule.TreatmentDue]:
    """One patient's treatments' Dues, in the order of the pictures (oldest first);
    schedule.most_urgent_first orders them for `due`."""
    return [picture.due(today, within_days) for picture in pictures]


# A patient's id, name, treatments (oldest first) and booked appointments.
PatientTreatments = tuple[int, str, Sequence[StoredTreatment], Sequence[AppointmentRecord]]


def every_patient_due(
    patients: Iterable[PatientTreatments],
    today: date,
    within_days: int | None,
    safety: Mapping[int, tuple[OpenSafetyEffect, ...]],
) -> Iterator[tuple[int, schedule.PatientDue]]:
    """Every patient's id and row of ``due --all``, in the order given (patient_row),
    made as they are asked for: a clinic's patients may be read as they come."""
    due_of = SharedDues(today, within_days)
    for patient_id, name, treatments, booked in patients:
        yield patient_id, patient_row(name, treatments, booked, due_of, safety.get(patient_id, ()))


def pain_treatment_id(treatments: Sequence[StoredTreatment]) -> int | None:
    """The id of the pain treatment among these (oldest first), whose due line the
    appointments belong to; None without any treatment."""
    pain = _pain_position(tuple(row.product for row in treatments))
    return None if pain is None else treatments[pain].id


@cache
def _interval(text: str) -> Interval:
    return stored_interval(text)


@cache
def _pain_position(products: tuple[str, ...]) -> int | None:
    """Where the pain treatment (domain.treatments.pain_treatment) is among treatments
    with these products, oldest first."""
    if len(products) == 1:
        return 0  # the only treatment, whatever its product
    from tracker.domain.treatments import Treatment, pain_treatment

    treatments = [Treatment(str(position), product) for position, product in enumerate(products)]
    chosen = pain_treatment(treatments)
    return None if chosen is None else int(chosen.name)


def _next_site(sites: str | None, uses: Sequence[tuple[str, date]]) -> str | None:
    if not sites:
        return None
    from tracker.domain.rotation import SiteUse, next_site, parse_sites

    return next_site(parse_sites(sites), (SiteUse(site, day) for site, day in uses))
