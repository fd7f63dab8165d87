"""One change-log entry for many records added at once (an import).

Logging each of a million imported diary entries with its values would make
the log several times the size of the records and `tracker undo` a long wait.
An import instead logs, per kind of record, the span of ids it added: the ids
are handed out in one transaction that no other writer can enter, so every
record of that kind and patient with an id in the span came from the import.
Undo goes back strictly newest first, so when an import is undone every later
change has been undone already and the span holds exactly what was imported.

The entry's values are ``{"first_id": 12, "last_id": 998776, "records": 998765}``
(``new`` for the import's insert, ``old`` for the undo's delete); the records'
own values stay in the file they came from.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tracker.domain.records import ChangeRecord

_KEYS = frozenset({"first_id", "last_id", "records"})


@dataclass(frozen=True)
class RecordSpan:
    first_id: int
    last_id: int
    records: int

    def values(self) -> dict[str, int]:
        return {"first_id": self.first_id, "last_id": self.last_id, "records": self.records}


def span_in(values: dict[str, Any] | None) -> RecordSpan | None:
    """The span these logged values stand for; None for one record's own values."""
    if values is None or values.keys() != _KEYS:
        return None
    numbers = (values["first_id"], values["last_id"], values["records"])
    if not all(type(number) is int for number in numbers):
        return None
    return RecordSpan(*numbers)


def change_span(record: ChangeRecord) -> RecordSpan | None:
    """The span a logged insert added, or a logged delete removed."""
    return span_in(record.new if record.action == "insert" else record.old)
