"""A big, realistic JSON export for timing `tracker import`, written without holding it.

    python bench/import_file.py PATH RECORDS

The file has the exact layout of `tracker export --format json` (format
"tracker" version 2, keys sorted, two-space indents), for one patient whose
history ends on 2026-11-25 (the benchmark's TRACKER_TODAY): one treatment,
"botox", with an injection session every 91 days with two sites and an
appointment marked done, a side effect after every other session, and the
rest pain-diary entries, one a day
in a small file and as many a day as it takes to stay after 1900 in a big one
(23 at a million records), every 13th with a note. The same arguments always
give the same bytes.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import IO, Any

TODAY = date(2026, 11, 25)
INTERVAL_DAYS = 91
# The diary goes back at most this far: 45,000 days is ~123 years, still after 1900.
MAX_DAYS = 45_000
MIN_ENTRIES_A_DAY = 3
SITES = ("left lumbar paraspinal", "right lumbar paraspinal")
EFFECTS = (
    ("headache", "headache", "common", "mild"),
    ("neck pain", "neck pain", "common", "moderate"),
    ("dry mouth", "dry mouth", "common", "mild"),
    ("felt odd all week", None, "other", "mild"),
)
NOTES = ("after a long walk", "slept badly", "better since the stretches", "spürbar besser")


TREATMENT = {
    "id": 1,
    "name": "botox",
    "product": "botox",
    "every": "3m",
    "within_days": 14,
    "sites": [],
}
# Any fixed UUID: a restore takes it, so exporting again gives the same file.
PATIENT_UUID = "0d5c1f4e-6f0a-4b8e-9a3c-2b7d1e5f9a10"


def write_export(path: Path, records: int) -> None:
    """Write an export of ``records`` records in all (at least 4) to ``path``."""
    plan = _Plan.for_records(max(records, 4))
    with path.open("w", encoding="utf-8", newline="\n") as out:
        out.write("{\n")
        _write_list(out, "appointments", plan.appointments())
        _write_list(out, "changes", iter(()))
        _write_list(out, "effects", plan.effects())
        out.write('  "format": "tracker",\n')
        out.write(f'  "generated_at": "{TODAY.isoformat()}",\n')
        _write_list(out, "injections", plan.injections())
        _write_list(out, "pain", plan.pain())
        out.write(
            f'  "patient": {{\n    "name": "Alex Example",\n    "uuid": "{PATIENT_UUID}"\n  }},\n'
        )
        out.write('  "plan": {\n    "every_months": 3,\n    "within_days": 14\n  },\n')
        out.write('  "since": null,\n')
        _write_list(out, "treatments", iter([TREATMENT]))
        out.write('  "until": null,\n  "version": 2\n}\n')


class _Plan:
    """How many records of each kind, and over how many days."""

    def __init__(self, sessions: int, effects: int, pain: int, days: int) -> None:
        self.sessions = sessions
        self.effect_count = effects
        self.pain_count = pain
        self.days = days

    @classmethod
    def for_records(cls, records: int) -> _Plan:
        # ~0.2 % sessions (each with an appointment) and ~0.1 % side effects, at
        # least one of each; the rest is the diary.
        sessions = min(max(1, records // 500), MAX_DAYS // INTERVAL_DAYS)
        effects = max(1, sessions // 2)
        pain = records - 2 * sessions - effects
        per_day = max(MIN_ENTRIES_A_DAY, math.ceil(pain / MAX_DAYS))
        days = max(sessions * INTERVAL_DAYS, math.ceil(pain / per_day))
        return cls(sessions, effects, pain, days)

    def _session_day(self, k: int) -> date:
        """Session k (0 = oldest); the newest is 20 days ago."""
        return TODAY - timedelta(days=20 + (self.sessions - 1 - k) * INTERVAL_DAYS)

    def injections(self) -> Iterator[dict[str, Any]]:
        for k in range(self.sessions):
            yield {
                "id": k + 1,
                "date": self._session_day(k).isoformat(),
                "treatment": "botox",
                "product": "botox",
                "units": 200 if k % 7 else 190,
                "sites": [{"muscle": muscle, "units": 100 if k % 7 else 95} for muscle in SITES],
                "provider": "Dr Lee",
                "lot": f"C{1000 + k}",
                "note": "10 units wasted" if k % 7 == 0 else None,
            }

    def appointments(self) -> Iterator[dict[str, Any]]:
        for k in range(self.sessions):
            yield {
                "id": k + 1,
                "date": self._session_day(k).isoformat(),
                "time": "09:30",
                "provider": "Dr Lee",
                "note": None,
                "status": "done",
            }

    def effects(self) -> Iterator[dict[str, Any]]:
        for n in range(self.effect_count):
            text, term, effect_class, severity = EFFECTS[n % len(EFFECTS)]
            start = self._session_day((2 * n) % self.sessions) + timedelta(days=3)
            yield {
                "id": n + 1,
                "date": start.isoformat(),
                "text": text,
                "term": term,
                "class": effect_class,
                "severity": severity,
                "note": None if n % 3 else "told the nurse",
                "resolved": (start + timedelta(days=4)).isoformat() if n % 5 else None,
            }

    def pain(self) -> Iterator[dict[str, Any]]:
        first = TODAY - timedelta(days=self.days - 1)
        per_day = math.ceil(self.pain_count / self.days)
        for n in range(self.pain_count):
            day = first + timedelta(days=n // per_day)
            yield {
                "id": n + 1,
                "date": day.isoformat(),
                "score": (n * 7 + n // per_day) % 11,
                "function": None if n % 4 == 3 else (n * 3) % 11,
                "note": NOTES[(n // 13) % len(NOTES)] if n % 13 == 0 else None,
            }


def _write_list(out: IO[str], name: str, items: Iterator[dict[str, Any]]) -> None:
    """One top-level list, laid out as json.dumps(indent=2, sort_keys=True) would."""
    first = next(items, None)
    if first is None:
        out.write(f'  "{name}": [],\n')
        return
    out.write(f'  "{name}": [\n')
    out.write(_item(first))
    for item in items:
        out.write(",\n")
        out.write(_item(item))
    out.write("\n  ],\n")


def _item(record: dict[str, Any]) -> str:
    text = json.dumps(record, indent=2, sort_keys=True, ensure_ascii=False)
    return "    " + text.replace("\n", "\n    ")


def main(argv: list[str]) -> int:
    if len(argv) != 2 or not argv[1].isdigit():
        print("usage: python bench/import_file.py PATH RECORDS", file=sys.stderr)
        return 2
    write_export(Path(argv[0]), int(argv[1]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
