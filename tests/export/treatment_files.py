"""Export files with several treatments (issue 16), written as `tracker export` writes them.

Version 1 files (before treatments) are real exports of the tracker of commit
485eeb7, kept in tests/export/data/:

- ``v1-named.json``: patient "Ana Old", plan every 4 months with reminders 21
  days before; sessions of Botox on 2025-06-02 and 2025-10-01 (edited), of
  Dysport on 2026-02-02 (the latest), one deleted; 3 pain entries, a resolved
  side effect, an appointment booked and one cancelled; the change log of it all.
- ``v1-unnamed.json``: the unnamed first patient, default plan, Botox on
  2026-05-04 and 2026-08-10 (with a site), one pain entry.
- ``v1-clinic.json``: `export --all` of patients Ann and Bob.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DATA = Path(__file__).parent / "data"
V1_NAMED = DATA / "v1-named.json"
V1_UNNAMED = DATA / "v1-unnamed.json"
V1_CLINIC = DATA / "v1-clinic.json"

PATIENT_UUID = "2f9d3c8a-4b1e-4c6f-9a7d-1e2b3c4d5e6f"
BOTOX = {
    "id": 1,
    "name": "botox",
    "product": "botox",
    "every": "3m",
    "within_days": 14,
    "sites": [],
}
B12 = {
    "id": 2,
    "name": "B12",
    "product": "hydroxocobalamin",
    "every": "28d",
    "within_days": 3,
    "sites": ["left thigh", "right thigh"],
}


def session(
    record_id: int,
    day: str,
    treatment: str,
    product: str,
    units: float | None = None,
    sites: list[dict[str, Any]] | None = None,
    note: str | None = None,
) -> dict[str, Any]:
    return {
        "id": record_id,
        "date": day,
        "treatment": treatment,
        "product": product,
        "units": units,
        "sites": sites or [],
        "provider": None,
        "lot": None,
        "note": note,
    }


def two_treatments(b12_product: str = "hydroxocobalamin", b12_every: str = "28d") -> dict[str, Any]:
    """Kim: Botox every 3 months and B12 (a product tracker knows no label rules for)
    every 28 days with a rotation of sites; a Botox and a B12 session on the same day
    (2026-06-01)."""
    b12 = b12_product
    thigh = [{"muscle": "left thigh", "units": 1}]
    other_thigh = [{"muscle": "right thigh", "units": 1}]
    paraspinal = [
        {"muscle": "left lumbar paraspinal", "units": 100},
        {"muscle": "right lumbar paraspinal", "units": 100},
    ]
    return {
        "format": "tracker",
        "version": 2,
        "generated_at": "2026-11-25",
        "since": None,
        "until": None,
        "patient": {"name": "Kim", "uuid": PATIENT_UUID},
        "plan": {"every_months": 3, "within_days": 14},
        "treatments": [BOTOX, {**B12, "product": b12, "every": b12_every}],
        "injections": [
            session(1, "2026-03-02", "botox", "botox", 200, paraspinal),
            session(2, "2026-06-01", "botox", "botox", 200, paraspinal),
            session(3, "2026-06-01", "B12", b12, 1, thigh),
            session(4, "2026-06-29", "B12", b12, 1, other_thigh),
            session(5, "2026-07-27", "B12", b12, note='a "quoted", note'),
        ],
        "pain": [
            {"id": 1, "date": "2026-05-30", "score": 7, "function": 6, "note": None},
            {"id": 2, "date": "2026-06-20", "score": 3, "function": None, "note": "better"},
        ],
        "effects": [
            {
                "id": 1,
                "date": "2026-06-03",
                "text": "headache",
                "term": "headache",
                "class": "common",
                "severity": "mild",
                "note": None,
                "resolved": "2026-06-05",
            }
        ],
        "appointments": [
            {
                "id": 1,
                "date": "2026-12-01",
                "time": "09:30",
                "provider": "Dr Lee",
                "note": None,
                "status": "booked",
            }
        ],
        "changes": [],
    }


def exported(document: dict[str, Any]) -> bytes:
    """The bytes `tracker export` writes for ``document``."""
    return (json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()


def write(folder: Path, document: Any, name: str = "export.json") -> str:
    path = folder / name
    path.write_bytes(json.dumps(document, ensure_ascii=False).encode())
    return str(path)
