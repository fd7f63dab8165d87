"""The audit trail: list every change, and undo the latest one not yet undone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tracker.domain.errors import NotFound
from tracker.domain.records import ChangeRecord
from tracker.store import audit
from tracker.store.database import Database


@dataclass(frozen=True)
class Undone:
    """What an undo reverted (the original changes) and the batch that recorded it."""

    reverted: list[ChangeRecord]
    batch: int


def list_changes(db: Database) -> list[ChangeRecord]:
    with db.transaction() as session:
        return audit.change_records(session)


def undo_latest(db: Database, today: date) -> Undone:
    with db.transaction() as session:
        batch = audit.latest_undoable_batch(session)
        if batch is None:
            raise NotFound("there is nothing left to undo")
        reverted = [audit.to_record(change) for change in audit.undo_batch(session, batch, today)]
        session.flush()
        undo_batch = session.info.get("tracker_change_batch")
        return Undone(reverted, undo_batch if undo_batch is not None else batch)
