"""Random sequences of commands through the service layer, checked after every step
against a plain in-memory model of what the records should be."""

from __future__ import annotations

import copy
import tempfile
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from tracker.domain.errors import Conflict, NotFound
from tracker.domain.records import InjectionDraft
from tracker.domain.side_effects import Severity
from tracker.services import diary, effects, history_log, injections, maintenance
from tracker.store.database import Database

TODAY = date(2026, 11, 25)
DAYS = st.integers(min_value=0, max_value=400).map(lambda n: TODAY - timedelta(days=n))
# Notes `tracker log` accepts (tracker.domain.text): undo writes back only what the
# commands would store, so the model keeps to what they let in.
NOTES = st.one_of(
    st.none(),
    st.text(
        st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters="\x7f"),
        min_size=1,
        max_size=20,
    ).filter(lambda t: t.strip()),
)


@dataclass
class Records:
    sessions: dict[int, tuple[date, float | None, str | None]] = field(default_factory=dict)
    pain: dict[int, tuple[date, int]] = field(default_factory=dict)
    effects: dict[int, tuple[date, str, date | None]] = field(default_factory=dict)


class TrackerMachine(RuleBasedStateMachine):
    @initialize()
    def open_database(self) -> None:
        self.folder = tempfile.TemporaryDirectory()
        self.db = Database(str(Path(self.folder.name) / "tracker.db"))
        self.model = Records()
        self.undo_stack: list[Records] = []
        self.backups: list[tuple[Path, Records, list[Records]]] = []

    def teardown(self) -> None:
        self.db.close()
        self.folder.cleanup()

    def _changed(self) -> Records:
        """Remember the state before a successful write, for undo."""
        self.undo_stack.append(copy.deepcopy(self.model))
        return self.model

    @rule(day=DAYS, units=st.sampled_from([None, 50.0, 200.0]), note=NOTES)
    def log(self, day: date, units: float | None, note: str | None) -> None:
        draft = InjectionDraft(day=day, units=units, note=note)
        if any(d == day for d, _, _ in self.model.sessions.values()):
            with pytest.raises(Conflict):
                injections.log_injection(self.db, draft, TODAY)
            return
        saved = injections.log_injection(self.db, draft, TODAY)
        self._changed().sessions[saved.record.id] = (day, units, note)

    @precondition(lambda self: self.model.sessions)
    @rule(data=st.data(), units=st.sampled_from([25.0, 150.0]), note=NOTES)
    def edit(self, data: st.DataObject, units: float, note: str | None) -> None:
        session_id = data.draw(st.sampled_from(sorted(self.model.sessions)))
        changes = {"units": units} if note is None else {"units": units, "note": note}
        injections.edit_injection(self.db, session_id, changes, TODAY)
        day, old_units, old_note = self.model.sessions[session_id]
        new = (day, units, note if note else old_note)
        if new != (day, old_units, old_note):  # an edit that changes nothing is not logged
            self._changed().sessions[session_id] = new

    @precondition(lambda self: self.model.sessions)
    @rule(data=st.data())
    def delete(self, data: st.DataObject) -> None:
        session_id = data.draw(st.sampled_from(sorted(self.model.sessions)))
        injections.delete_injection(self.db, session_id)
        del self._changed().sessions[session_id]

    @rule(day=DAYS, score=st.integers(0, 10))
    def pain(self, day: date, score: int) -> None:
        record = diary.add_pain(self.db, day, score, None, None, TODAY)
        self._changed().pain[record.id] = (day, score)

    @rule(day=DAYS, text=st.sampled_from(["headache", "hives", "wheezing", "odd taste"]))
    def effect(self, day: date, text: str) -> None:
        view = effects.record_effect(self.db, text, day, Severity.MILD, None, TODAY)
        self._changed().effects[view.record.id] = (day, text, None)

    @precondition(lambda self: any(r is None for _, _, r in self.model.effects.values()))
    @rule(data=st.data())
    def resolve(self, data: st.DataObject) -> None:
        open_ids = sorted(i for i, (_, _, r) in self.model.effects.items() if r is None)
        effect_id = data.draw(st.sampled_from(open_ids))
        start, text, _ = self.model.effects[effect_id]
        effects.resolve_effect(self.db, effect_id, TODAY, TODAY)
        self._changed().effects[effect_id] = (start, text, TODAY)

    @rule()
    def undo(self) -> None:
        if not self.undo_stack:
            with pytest.raises(NotFound):
                history_log.undo_latest(self.db, TODAY)
            return
        history_log.undo_latest(self.db, TODAY)
        self.model = self.undo_stack.pop()

    @rule()
    def backup(self) -> None:
        target = Path(self.folder.name) / f"backup-{len(self.backups)}.db"
        maintenance.backup_database(self.db, target)
        self.backups.append((target, copy.deepcopy(self.model), copy.deepcopy(self.undo_stack)))

    @precondition(lambda self: self.backups)
    @rule(data=st.data())
    def restore(self, data: st.DataObject) -> None:
        # A restored file brings back its records and its change log, so undo
        # after a restore goes back through the backup's own history.
        source, model, stack = data.draw(st.sampled_from(self.backups))
        maintenance.restore_database(self.db, source)
        self.model, self.undo_stack = copy.deepcopy(model), copy.deepcopy(stack)

    @invariant()
    def database_matches_the_model(self) -> None:
        if not hasattr(self, "db"):
            return
        stored_sessions = {
            row.record.id: (row.record.day, row.record.units, row.record.note)
            for row in injections.history(self.db)
        }
        assert stored_sessions == self.model.sessions
        assert {p.id: (p.day, p.score) for p in diary.pain_entries(self.db)} == self.model.pain
        stored_effects = {
            v.record.id: (v.record.day, v.record.text, v.record.resolved_on)
            for v in effects.list_effects(self.db, TODAY)
        }
        assert stored_effects == self.model.effects


TrackerMachine.TestCase.settings = settings(max_examples=30, stateful_step_count=25, deadline=None)
test_random_command_sequences_keep_the_database_equal_to_the_model = TrackerMachine.TestCase
