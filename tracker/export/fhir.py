"""FHIR R4 export: the records as a ``collection`` Bundle (clinical.md section G).

Built from plain dicts so that fhir.resources stays a test-only dependency.

Mapping decisions:

- Injection sessions are ``MedicationAdministration`` (not ``Immunization``, whose scope
  excludes non-vaccine agents; clinical.md #21). The medication is given as text only:
  no RxNorm code for onabotulinumtoxinA could be confirmed (clinical.md #24).
- R4 allows one ``dosage.site``: it holds the first site's muscle, and ``dosage.text``
  lists every site with its units. R4 requires a dose or a rate in ``dosage`` (mad-1),
  so a session without known units has no ``dosage``; its sites go to ``note`` instead.
- The provider is ``performer.actor.display`` (a display-only Reference is valid R4).
  R4 MedicationAdministration has no lot field, so the lot goes to ``note`` ("Lot: ..."),
  beside the session's own note.
- Pain scores are ``Observation`` LOINC 72514-3 (clinical.md #22); the interference score
  has no code agreed in clinical.md, so it goes to ``note`` with the entry's note.
- Side effects are ``AdverseEvent`` (clinical.md #23). tracker's emergency and serious
  classes map to seriousness "Serious", common and other to "Non-serious"; the patient's
  own severity maps one to one, and is left out when the patient gave none. R4
  AdverseEvent has no note and no end date, so the resolution date is the outcome's
  text; the effect's note is not exported.
- Ids are uuid5 of "<ResourceType>/<tracker id>", so exporting twice gives the same
  bytes and a re-export updates rather than duplicates. They are stable within one
  database; two databases share them, so they are not globally unique.
"""

from __future__ import annotations

import json
import uuid
from datetime import date
from typing import Any

from tracker.domain.dosing import Product, Site
from tracker.domain.records import EffectView, InjectionRecord, PainRecord
from tracker.domain.side_effects import EffectClass
from tracker.export.model import Report

Resource = dict[str, Any]

# tracker's own uuid5 namespace (a random uuid, chosen once): never change it, or every
# exported id changes and receivers see new records instead of updates.
_NAMESPACE = uuid.UUID("715d6e74-e78f-4a96-baeb-1e6923736a69")
# One patient per database.
_PATIENT_KEY = 1

MEDICATION_TEXT: dict[Product, str] = {
    Product.BOTOX: "onabotulinumtoxinA (Botox)",
    Product.XEOMIN: "incobotulinumtoxinA (Xeomin)",
    Product.DYSPORT: "abobotulinumtoxinA (Dysport)",
    Product.MYOBLOC: "rimabotulinumtoxinB (Myobloc)",
    Product.OTHER: "other botulinum toxin",
}

UCUM = "http://unitsofmeasure.org"
LOINC = "http://loinc.org"
PAIN_CODE = "72514-3"
PAIN_DISPLAY = "Pain severity - 0-10 verbal numeric rating [Score] - Reported"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
AE_SERIOUSNESS = "http://terminology.hl7.org/CodeSystem/adverse-event-seriousness"
AE_SEVERITY = "http://terminology.hl7.org/CodeSystem/adverse-event-severity"
AE_OUTCOME = "http://terminology.hl7.org/CodeSystem/adverse-event-outcome"

_SERIOUS_CLASSES = frozenset({EffectClass.EMERGENCY, EffectClass.SERIOUS})


def render(report: Report) -> bytes:
    patient_url = full_url("Patient", _PATIENT_KEY)
    subject = {"reference": patient_url}
    administrations = {
        record.id: full_url("MedicationAdministration", record.id) for record in report.injections
    }
    entries = [_entry(patient_url, _patient(patient_url, report.patient_name))]
    entries += [
        _entry(administrations[r.id], _administration(r, administrations[r.id], subject))
        for r in report.injections
    ]
    entries += [_entry(full_url("Observation", p.id), _pain(p, subject)) for p in report.pain]
    for view in report.effects:
        suspect = _latest_injection_on_or_before(view.record.day, report.injections)
        suspect_url = administrations[suspect.id] if suspect else None
        entries.append(
            _entry(
                full_url("AdverseEvent", view.record.id), _adverse_event(view, subject, suspect_url)
            )
        )
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": entries}
    return (json.dumps(bundle, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def full_url(resource_type: str, record_id: int) -> str:
    return f"urn:uuid:{uuid.uuid5(_NAMESPACE, f'{resource_type}/{record_id}')}"


def _entry(url: str, resource: Resource) -> Resource:
    return {"fullUrl": url, "resource": resource}


def _id(url: str) -> str:
    return url.removeprefix("urn:uuid:")


def _patient(url: str, name: str | None) -> Resource:
    patient: Resource = {"resourceType": "Patient", "id": _id(url)}
    if name:
        # One free-text name: tracker does not know which part is the family name.
        patient["name"] = [{"text": name}]
    return patient


# --- injection sessions -------------------------------------------------------


def _administration(record: InjectionRecord, url: str, subject: Resource) -> Resource:
    resource: Resource = {
        "resourceType": "MedicationAdministration",
        "id": _id(url),
        "status": "completed",
        "medicationCodeableConcept": {"text": MEDICATION_TEXT[record.product]},
        "subject": subject,
        "effectiveDateTime": record.day.isoformat(),
    }
    if record.provider:
        resource["performer"] = [{"actor": {"display": record.provider}}]
    notes = _administration_notes(record)
    if notes:
        resource["note"] = [{"text": text} for text in notes]
    if record.units is not None:
        resource["dosage"] = _dosage(record.units, record.sites)
    return resource


def _dosage(units: float, sites: tuple[Site, ...]) -> Resource:
    dosage: Resource = {}
    if sites:
        dosage["text"] = sites_text(sites)
        dosage["site"] = {"text": sites[0].muscle}
    dosage["dose"] = {"value": _number(units), "unit": "U", "system": UCUM, "code": "[U]"}
    return dosage


def _administration_notes(record: InjectionRecord) -> list[str]:
    notes = []
    if record.units is None and record.sites:
        # Without a dose there is no dosage element (mad-1), so the sites go here.
        notes.append(f"Sites: {sites_text(record.sites)}")
    if record.lot:
        notes.append(f"Lot: {record.lot}")
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


def _latest_injection_on_or_before(
    day: date, injections: list[InjectionRecord]
) -> InjectionRecord | None:
    # On or before, as in tracker's cycles: an effect on an injection day is day 0 of it.
    earlier = [record for record in injections if record.day <= day]
    return max(earlier, key=lambda record: record.day, default=None)


# --- pain diary ---------------------------------------------------------------


def _pain(record: PainRecord, subject: Resource) -> Resource:
    resource: Resource = {
        "resourceType": "Observation",
        "id": _id(full_url("Observation", record.id)),
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


def _adverse_event(view: EffectView, subject: Resource, suspect_url: str | None) -> Resource:
    record = view.record
    serious = record.effect_class in _SERIOUS_CLASSES
    resource: Resource = {
        "resourceType": "AdverseEvent",
        "id": _id(full_url("AdverseEvent", record.id)),
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
