"""The one report model every export is rendered from.

Two depths of the same model:

- :class:`PatientRecords` is what is stored about one patient in a period. The
  data exports (JSON, CSV) write only this. Its record fields are iterables:
  lists, or :class:`RecordStream` s that read the database in batches while the
  file is written, so an export never holds a whole history in memory.
- :class:`Report` adds what tracker's rules make of those records (the review,
  the due date, where each side effect falls in its cycle), for the formats a
  person reads (PDF, HTML) and the ones built for other programs (FHIR, ICS).
  It holds lists: those are small per-patient documents.
  :meth:`Report.records` gives its stored part, so every renderer can be fed a
  Report.

:class:`ClinicRecords` is every patient's :class:`PatientRecords`, one after
another, for ``tracker export --all``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Generic, TypeVar

from tracker.domain.appointments import AppointmentRecord
from tracker.domain.products import DEFAULT_PROFILE, ProductProfile
from tracker.domain.records import (
    ChangeRecord,
    EffectRecord,
    EffectView,
    InjectionRecord,
    PainRecord,
    PlanSettings,
)
from tracker.domain.response import LongTerm, Review
from tracker.domain.schedule import Due
from tracker.domain.treatments import Treatment

REPORT_FORMAT = "tracker"
# Version 2 (issue 16) carries the patient's treatments and each session's treatment;
# `tracker import` still reads version 1 (one plan, every session of it).
REPORT_VERSION = 2
# `tracker export --all`: {"format": CLINIC_FORMAT, ..., "patients": [<REPORT_FORMAT>, ...]};
# version 2 holds version 2 patient exports.
CLINIC_FORMAT = "tracker-clinic-export"
CLINIC_VERSION = 2

T = TypeVar("T")
# A pain entry as the store's fast path reads it: id, ISO date, score, function, note.
PainRow = tuple[int, str, int, int | None, str | None]


@dataclass(frozen=True)
class TreatmentRecord:
    """A treatment as stored: its id (which the change log names) and what it is."""

    id: int
    treatment: Treatment


class RecordStream(Generic[T]):
    """Records read lazily: each iteration runs ``fetch`` again, which reads in batches.

    It is only valid while the unit of work that made it is open (the
    service's ``with`` block); iterating it later fails instead of silently
    returning stale data.
    """

    def __init__(self, fetch: Callable[[], Iterator[T]]) -> None:
        self._fetch = fetch

    def __iter__(self) -> Iterator[T]:
        return self._fetch()


@dataclass(frozen=True)
class PatientRecords:
    """One patient's stored records in the period, each kind oldest first."""

    generated_on: date
    since: date | None
    until: date | None
    # The name ``--patient`` knows them by; plan.patient_name is None for a
    # database's first patient while it has no name of its own.
    patient: str
    plan: PlanSettings
    injections: Iterable[InjectionRecord]
    pain: Iterable[PainRecord]
    effects: Iterable[EffectRecord]
    appointments: Iterable[AppointmentRecord]
    # The audit trail, only in an unbounded export (a period's trail would name
    # records the export leaves out).
    changes: Iterable[ChangeRecord] = ()
    # Injections, pain entries, side effects and appointments to write, when
    # counted (a single patient's export counts them for its progress bar).
    record_count: int | None = None
    patient_uuid: str = ""
    # The same pain entries as ``pain``, when the store can also read them as
    # batches of plain tuples (id, ISO date, score, function, note): the JSON and
    # CSV writers then take this fast path for a clinic's millions of diary
    # entries. The tests hold the two to the same bytes.
    pain_rows: Iterable[list[PainRow]] | None = None
    # The patient's treatments, oldest first (only the one asked for with
    # ``export --treatment``); ``plan`` is the pain treatment's among them.
    treatments: Sequence[TreatmentRecord] = ()


@dataclass(frozen=True)
class ClinicRecords:
    """Every patient's records, in the order the patients were added."""

    generated_on: date
    since: date | None
    until: date | None
    patients: Iterable[PatientRecords]
    patient_count: int
    # Injections, pain entries, side effects and appointments of all patients in
    # the period: what a progress bar counts (counted before writing starts).
    record_count: int


@dataclass(frozen=True)
class TreatmentReport:
    """One of the patient's treatments as a report shows it (issue 16)."""

    # The stored treatment's id: identifiers handed to other systems derive from it
    # (it stays when the treatment is renamed).
    id: int
    name: str
    # A known product's code, or the name of one tracker knows no label rules for.
    product: str
    plan: PlanSettings  # its interval and reminder window
    injections: list[InjectionRecord]  # its sessions in the period, oldest first
    # Its due date as of the period's end; only the pain treatment's shows an
    # appointment (appointments belong to it).
    due: Due
    # Whether it is the patient's oldest treatment: its calendar event keeps the UID
    # the patient's one due event had before treatments existed.
    first: bool = False
    # Whether it is the pain treatment, which the appointments belong to.
    pain: bool = True


@dataclass(frozen=True)
class Report:
    """Everything a doctor's report or an export shows, already bounded by since/until.

    ``review`` and ``long_term`` come from the same rules as ``tracker review``
    (computed over the records up to ``until``); ``review.cycles`` is limited to
    injections inside the period.
    """

    generated_on: date
    since: date | None
    until: date | None
    plan: PlanSettings
    injections: list[InjectionRecord]
    pain: list[PainRecord]
    effects: list[EffectView]
    appointments: list[AppointmentRecord]
    review: Review
    long_term: LongTerm
    due: Due
    # The audit trail, only in an unbounded export. Reports for the doctor show
    # current values.
    changes: list[ChangeRecord] = field(default_factory=list)
    patient: str = ""  # the stored name, as in PatientRecords
    # The patient's random UUID: every id handed to another system derives from it.
    patient_uuid: str = ""
    # Whether the database holds other patients too (then exports name this one).
    several_patients: bool = False
    # Appointments from generated_on on, whatever --since/--until say: a calendar
    # must not lose an upcoming visit because the history was cut short.
    coming_appointments: list[AppointmentRecord] = field(default_factory=list)
    # The reviewed treatment's product (that of its latest injection up to the
    # period's end, else its own): whose name, texts and label minimum the reports show.
    product: ProductProfile = DEFAULT_PROFILE
    # The patient's treatments in the report, oldest first (issue 16); ``plan``,
    # ``due`` and ``review`` are those of the reviewed one, ``injections`` are all
    # of them. Empty for a patient without any treatment.
    treatments: list[TreatmentReport] = field(default_factory=list)
    # The name of the treatment reviewed; None for a patient without any.
    reviewed: str | None = None

    @property
    def several_treatments(self) -> bool:
        return len(self.treatments) > 1

    @property
    def reviewed_treatment(self) -> TreatmentReport | None:
        return next((t for t in self.treatments if t.name == self.reviewed), None)

    @property
    def shows_appointments(self) -> bool:
        """Whether the report covers the treatment appointments belong to (the pain
        treatment); a report of another treatment alone has no appointment to show."""
        return not self.treatments or any(t.pain for t in self.treatments)

    # The stored treatments the report covers, oldest first (as PatientRecords.treatments).
    stored_treatments: list[TreatmentRecord] = field(default_factory=list)

    @property
    def patient_name(self) -> str | None:
        return self.plan.patient_name

    @property
    def patient_label(self) -> str | None:
        """The name an export shows: the patient's own, or with several patients the
        name --patient knows them by; None for a database's one unnamed patient."""
        return self.patient_name or (self.patient if self.several_patients else None)

    @property
    def products(self) -> list[str]:
        """Products in the period, most recent first, each once."""
        seen: list[str] = []
        for record in reversed(self.injections):
            if str(record.product) not in seen:
                seen.append(str(record.product))
        return seen

    def records(self) -> PatientRecords:
        """The stored part: what the JSON and CSV exports write."""
        return PatientRecords(
            generated_on=self.generated_on,
            since=self.since,
            until=self.until,
            patient=self.patient,
            plan=self.plan,
            injections=self.injections,
            pain=self.pain,
            effects=[view.record for view in self.effects],
            appointments=self.appointments,
            changes=self.changes,
            patient_uuid=self.patient_uuid,
            treatments=self.stored_treatments,
        )
