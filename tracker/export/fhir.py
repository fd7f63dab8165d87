"""FHIR R4 export: the records as a ``collection`` Bundle (clinical.md section G).

Built from plain dicts so that fhir.resources stays a test-only dependency.

Mapping decisions:

- One ``Patient`` (its name, and an ``identifier`` holding the patient's UUID) is the
  subject of every other resource.
- Ids derive from the patient's random UUID (tracker.export.identity): the Patient's id
  is that UUID, every other resource's id is uuid5 of "<ResourceType>/<tracker id>" in
  it, and each resource carries the same value as its ``identifier``. So exporting
  twice gives the same bytes, a re-export updates rather than duplicates, and two
  patients, in one database or in two, never share an id.
- Injection sessions are ``MedicationAdministration`` (not ``Immunization``, whose scope
  excludes non-vaccine agents; clinical.md #21), with the session's total dose. The
  medication is coded with WHO ATC M03AX01 "botulinum toxin" beside its text (see
  docs/codes.md for why this code and not RxNorm or SNOMED CT); a product tracker
  knows nothing of ("other") is text only.
- R4 allows one ``dosage.site``, so each site of a session is a ``MedicationAdministration``
  of its own, ``partOf`` the session, with its muscle as ``dosage.site`` and its units as
  ``dosage.dose``. The session's ``dosage.text`` still lists every site. R4 requires a
  dose or a rate in ``dosage`` (mad-1): a session or site without known units has no
  ``dosage``; its sites or muscle go to ``note`` instead.
- Several treatments (issue 16): each is a ``MedicationStatement`` of its own, whose
  medication is the treatment's product (coded when tracker knows it, its name as
  typed as text only when not), whose dosage gives the planned interval as a timing,
  and which is ``derivedFrom`` that treatment's sessions. A patient with one treatment
  gets no MedicationStatement: the bundle stays as it was before treatments existed.
- The lot number is structured: a contained ``Medication`` with ``batch.lotNumber``,
  referenced by ``medicationReference`` (the session's note stays a note).
- The provider is ``performer.actor.display`` (a display-only Reference is valid R4).
- Pain scores are ``Observation`` LOINC 72514-3 (clinical.md #22); the interference score
  has no code agreed in clinical.md, so it goes to ``note`` with the entry's note.
- Side effects are ``AdverseEvent`` (clinical.md #23). tracker's emergency and serious
  classes map to seriousness "Serious", common and other to "Non-serious"; the patient's
  own severity maps one to one, and is left out when the patient gave none. R4
  AdverseEvent has no note and no end date, so the resolution date is the outcome's
  text and the effect's note travels in the R5 ``AdverseEvent.note`` element through
  its cross-version extension. Its suspect is the latest injection on or before it
  (with several treatments, of the reviewed one, as the reports place it in a cycle).
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from tracker.domain.dosing import Site
from tracker.domain.intervals import Interval, IntervalUnit
from tracker.domain.products import Product, any_profile
from tracker.domain.records import EffectView, InjectionRecord, PainRecord
from tracker.domain.side_effects import EffectClass
from tracker.domain.wording import every_text
from tracker.export.identity import record_uuid
from tracker.export.model import Report, TreatmentReport

Resource = dict[str, Any]

# An identifier that is a URI (here urn:uuid:...), RFC 3986.
URI_SYSTEM = "urn:ietf:rfc:3986"
# R5's AdverseEvent.note, carried in R4 by its cross-version extension.
AE_NOTE_EXTENSION = "http://hl7.org/fhir/5.0/StructureDefinition/extension-AdverseEvent.note"
CONTAINED_MEDICATION = "medication"

UCUM = "http://unitsofmeasure.org"
LOINC = "http://loinc.org"
PAIN_CODE = "72514-3"
PAIN_DISPLAY = "Pain severity - 0-10 verbal numeric rating [Score] - Reported"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
AE_SERIOUSNESS = "http://terminology.hl7.org/CodeSystem/adverse-event-seriousness"
AE_SEVERITY = "http://terminology.hl7.org/CodeSystem/adverse-event-severity"
AE_OUTCOME = "http://terminology.hl7.org/CodeSystem/adverse-event-outcome"

_SERIOUS_CLASSES = frozenset({EffectClass.EMERGENCY, EffectClass.SERIOUS})


class _Ids:
    """Every id of one patient's bundle, derived from the patient's UUID."""

    def __init__(self, patient_uuid: str) -> None:
        self.patient_uuid = patient_uuid

    def patient(self) -> str:
        return f"urn:uuid:{self.patient_uuid}"

    def url(self, resource_type: str, record_id: int | str) -> str:
        return f"urn:uuid:{record_uuid(self.patient_uuid, resource_type, record_id)}"


def render(report: Report) -> bytes:
    ids = _Ids(report.patient_uuid)
    subject = {"reference": ids.patient()}
    administrations = {
        record.id: ids.url("MedicationAdministration", record.id) for record in report.injections
    }
    entries = [_entry(ids.patient(), _patient(report))]
    for record in report.injections:
        url = administrations[record.id]
        entries.append(_entry(url, _administration(record, url, subject)))
        entries += [
            _entry(site_url, _site_administration(record, site, site_url, url, subject))
            for site, site_url in _site_urls(ids, record)
        ]
    if report.several_treatments:
        for treatment in report.treatments:
            url = ids.url("MedicationStatement", treatment.id)
            derived = [administrations[record.id] for record in treatment.injections]
            entries.append(_entry(url, _statement(treatment, url, subject, derived)))
    entries += [
        _entry(ids.url("Observation", p.id), _pain(p, ids.url("Observation", p.id), subject))
        for p in report.pain
    ]
    for view in report.effects:
        suspect = _latest_injection_on_or_before(view.record.day, _suspects(report))
        suspect_url = administrations[suspect.id] if suspect else None
        url = ids.url("AdverseEvent", view.record.id)
        entries.append(_entry(url, _adverse_event(view, url, subject, suspect_url)))
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": entries}
    return (json.dumps(bundle, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _entry(url: str, resource: Resource) -> Resource:
    return {"fullUrl": url, "resource": resource}


def _id(url: str) -> str:
    return url.removeprefix("urn:uuid:")


def _identifier(url: str) -> Resource:
    """The resource's own id as a business identifier, kept if a receiver assigns new ids."""
    return {"system": URI_SYSTEM, "value": url}


def _patient(report: Report) -> Resource:
    url = f"urn:uuid:{report.patient_uuid}"
    patient: Resource = {
        "resourceType": "Patient",
        "id": _id(url),
        "identifier": [_identifier(url)],
    }
    if report.patient_label:
        # One free-text name: tracker does not know which part is the family name.
        patient["name"] = [{"text": report.patient_label}]
    return patient


# --- injection sessions -------------------------------------------------------


def _administration(record: InjectionRecord, url: str, subject: Resource) -> Resource:
    resource: Resource = {
        "resourceType": "MedicationAdministration",
        "id": _id(url),
    }
    if record.lot:
        resource["contained"] = [_contained_medication(record.product, record.lot)]
    resource["identifier"] = [_identifier(url)]
    resource["status"] = "completed"
    resource.update(_medication(record))
    resource["subject"] = subject
    resource["effectiveDateTime"] = record.day.isoformat()
    if record.provider:
        resource["performer"] = [{"actor": {"display": record.provider}}]
    notes = _administration_notes(record)
    if notes:
        resource["note"] = [{"text": text} for text in notes]
    if record.units is not None:
        resource["dosage"] = _dosage(record.units, record.sites)
    return resource


def _site_urls(ids: _Ids, record: InjectionRecord) -> list[tuple[Site, str]]:
    # A site has no id of its own outside tracker: its session and place in it name it.
    return [
        (site, ids.url("MedicationAdministration", f"{record.id}/site/{position}"))
        for position, site in enumerate(record.sites, start=1)
    ]


def _site_administration(
    record: InjectionRecord, site: Site, url: str, session_url: str, subject: Resource
) -> Resource:
    """One muscle of a session: part of the session's administration."""
    resource: Resource = {
        "resourceType": "MedicationAdministration",
        "id": _id(url),
        "identifier": [_identifier(url)],
        "partOf": [{"reference": session_url}],
        "status": "completed",
        "medicationCodeableConcept": _medication_concept(record.product),
        "subject": subject,
        "effectiveDateTime": record.day.isoformat(),
    }
    if site.units is None:
        # No dose, so no dosage element (mad-1): the muscle is named in a note.
        resource["note"] = [{"text": f"Site: {site.muscle} (units not recorded)"}]
    else:
        resource["dosage"] = {"site": {"text": site.muscle}, "dose": _units(site.units)}
    return resource


def _medication(record: InjectionRecord) -> Resource:
    if record.lot:
        return {"medicationReference": {"reference": f"#{CONTAINED_MEDICATION}"}}
    return {"medicationCodeableConcept": _medication_concept(record.product)}


def _medication_concept(product: Product | str) -> Resource:
    """The product's text and codes, from its profile (tracker.domain.products); a
    product tracker has no profile for is its name as typed, text only."""
    profile = any_profile(str(product))
    concept: Resource = {"text": profile.medication_text}
    if profile.codings:
        codings = [
            {"system": c.system, "code": c.code, "display": c.display} for c in profile.codings
        ]
        concept = {"coding": codings, **concept}
    return concept


def _contained_medication(product: Product | str, lot: str) -> Resource:
    return {
        "resourceType": "Medication",
        "id": CONTAINED_MEDICATION,
        "code": _medication_concept(product),
        "batch": {"lotNumber": lot},
    }


def _dosage(units: float, sites: tuple[Site, ...]) -> Resource:
    dosage: Resource = {}
    if sites:
        dosage["text"] = sites_text(sites)
    dosage["dose"] = _units(units)
    return dosage


def _units(units: float) -> Resource:
    return {"value": _number(units), "unit": "U", "system": UCUM, "code": "[U]"}


def _administration_notes(record: InjectionRecord) -> list[str]:
    notes = []
    if record.units is None and record.sites:
        # Without a dose there is no dosage element (mad-1), so the sites go here.
        notes.append(f"Sites: {sites_text(record.sites)}")
    if record.note:
        notes.append(record.note)
    return notes


def sites_text(sites: tuple[Site, ...]) -> str:
    """``left lumbar paraspinal 100 U; right lumbar paraspinal 100 U``."""
    return "; ".join(
        site.muscle if site.units is None else f"{site.muscle} {_number(site.units)} U"
        for site in sites
    )


def _number(value: float) -> int | float:
    """200 rather than 200.0: the same decimal, written as people write it."""
    return int(value) if value.is_integer() else value


def _suspects(report: Report) -> list[InjectionRecord]:
    """The injections a side effect may follow: with several treatments, the reviewed
    one's, as the reports place each side effect in its cycle."""
    reviewed = report.reviewed_treatment
    if report.several_treatments and reviewed is not None:
        return reviewed.injections
    return report.injections


def _latest_injection_on_or_before(
    day: date, injections: list[InjectionRecord]
) -> InjectionRecord | None:
    # On or before, as in tracker's cycles: an effect on an injection day is day 0 of it.
    earlier = [record for record in injections if record.day <= day]
    return max(earlier, key=lambda record: record.day, default=None)


# --- treatments -------------------------------------------------------------------

# UCUM-based units of Timing.repeat.periodUnit, per unit of a treatment's interval.
PERIOD_UNITS = {
    IntervalUnit.DAYS: "d",
    IntervalUnit.WEEKS: "wk",
    IntervalUnit.MONTHS: "mo",
    IntervalUnit.YEARS: "a",
}


def _statement(
    treatment: TreatmentReport, url: str, subject: Resource, derived_from: list[str]
) -> Resource:
    """One treatment: its product, its planned interval, and its sessions."""
    resource: Resource = {
        "resourceType": "MedicationStatement",
        "id": _id(url),
        "identifier": [_identifier(url)],
        "status": "active",
        "medicationCodeableConcept": _medication_concept(treatment.product),
        "subject": subject,
    }
    if derived_from:
        resource["derivedFrom"] = [{"reference": reference} for reference in derived_from]
    resource["note"] = [{"text": f"Treatment '{treatment.name}' in tracker"}]
    resource["dosage"] = [_planned_dosage(treatment.plan.every)]
    return resource


def _planned_dosage(every: Interval) -> Resource:
    return {
        "text": f"One injection {every_text(every)}",
        "timing": {
            "repeat": {
                "frequency": 1,
                "period": every.count,
                "periodUnit": PERIOD_UNITS[every.unit],
            }
        },
    }


# --- pain diary ---------------------------------------------------------------


def _pain(record: PainRecord, url: str, subject: Resource) -> Resource:
    resource: Resource = {
        "resourceType": "Observation",
        "id": _id(url),
        "identifier": [_identifier(url)],
        "status": "final",
        "category": [
            {"coding": [{"system": OBSERVATION_CATEGORY, "code": "survey", "display": "Survey"}]}
        ],
        "code": {
            "coding": [{"system": LOINC, "code": PAIN_CODE, "display": PAIN_DISPLAY}],
            "text": "Pain score (0-10)",
        },
        "subject": subject,
        "effectiveDateTime": record.day.isoformat(),
        # Reported by the patient themself.
        "performer": [subject],
        "valueInteger": record.score,
    }
    notes = []
    if record.function is not None:
        notes.append(f"Interference with daily activities: {record.function}/10")
    if record.note:
        notes.append(record.note)
    if notes:
        resource["note"] = [{"text": text} for text in notes]
    return resource


# --- side effects ---------------------------------------------------------------


def _adverse_event(
    view: EffectView, url: str, subject: Resource, suspect_url: str | None
) -> Resource:
    record = view.record
    serious = record.effect_class in _SERIOUS_CLASSES
    resource: Resource = {
        "resourceType": "AdverseEvent",
        "id": _id(url),
        "identifier": _identifier(url),  # one Identifier in R4, not a list
        "actuality": "actual",
        "event": {"text": record.text},
        "subject": subject,
        "date": record.day.isoformat(),
        "recorder": subject,
        "seriousness": _coded(
            AE_SERIOUSNESS,
            "Serious" if serious else "Non-serious",
            "Serious" if serious else "Non-serious",
            f"tracker class: {record.effect_class.value}",
        ),
        "outcome": _outcome(record.resolved_on),
    }
    if record.severity is not None:  # none stated: none invented
        resource["severity"] = _coded(
            AE_SEVERITY, record.severity.value, record.severity.value.capitalize(), None
        )
    if suspect_url is not None:
        resource["suspectEntity"] = [{"instance": {"reference": suspect_url}}]
    if record.note:
        resource["extension"] = [
            {"url": AE_NOTE_EXTENSION, "valueAnnotation": {"text": record.note}}
        ]
    return resource


def _outcome(resolved_on: date | None) -> Resource:
    if resolved_on is None:
        return _coded(AE_OUTCOME, "ongoing", "Ongoing", None)
    return _coded(AE_OUTCOME, "resolved", "Resolved", f"Resolved on {resolved_on.isoformat()}")


def _coded(system: str, code: str, display: str, text: str | None) -> Resource:
    concept: Resource = {"coding": [{"system": system, "code": code, "display": display}]}
    if text:
        concept["text"] = text
    return concept
