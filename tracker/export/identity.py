"""The identifiers tracker hands to other systems (FHIR ids, calendar UIDs).

Each derives from the patient's random UUID (given when the patient was
created, kept through renames and exports) and the record it names: uuid5 of
"<kind>/<record id>" in the patient's UUID as namespace. So the same record
keeps the same identifier in every export, and re-importing a calendar or a
bundle updates what is there; two patients, in one database or in two, never
share one.
"""

from __future__ import annotations

import uuid


def record_uuid(patient_uuid: str, kind: str, record_id: int | str) -> str:
    return str(uuid.uuid5(uuid.UUID(patient_uuid), f"{kind}/{record_id}"))
