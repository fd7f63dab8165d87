"""One patient, one identity: no silent patient, UUIDs, ids never reused, irreversible
commands confirmed, bad names refused. On SQLite and PostgreSQL through the real CLI."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import Tracker
from tracker.store.location import to_url

PATIENT_COMMANDS = [
    ("log", "2026-11-24"),
    ("pain", "3"),
    ("effect", "headache"),
    ("book", "2026-12-01"),
    ("history",),
    ("diary",),
    ("effects",),
    ("appointments",),
    ("changes",),
    ("undo",),
    ("due",),
    ("plan",),
    ("review",),
    ("export", "--format", "json"),
]


def patient_uuids(db: str) -> dict[str, str]:
    engine = create_engine(to_url(db))
    try:
        with engine.connect() as connection:
            return dict(connection.execute(text("SELECT name, uuid FROM patients")).all())
    finally:
        engine.dispose()


def two_patients(tracker: Tracker) -> None:
    tracker.ok("patients", "add", "Ann Smith")
    tracker.ok("patients", "add", "Bob Jones")


# --- 1. no silent patient ----------------------------------------------------------


@pytest.mark.parametrize("command", PATIENT_COMMANDS, ids=lambda c: c[0])
def test_with_several_patients_a_command_must_name_one_and_writes_nothing(tracker, command):
    two_patients(tracker)
    result = tracker.fails(*command)
    assert result.stderr == (
        "Error: this database holds 2 patients (Ann Smith, Bob Jones); "
        "choose one with --patient NAME or TRACKER_PATIENT=NAME\n"
    )
    for name in ("Ann Smith", "Bob Jones"):
        assert tracker.json("--patient", name, "changes") == []


def test_whole_database_commands_need_no_patient(tracker):
    two_patients(tracker)
    assert [row["patient"] for row in tracker.json("due", "--all")] == ["Ann Smith", "Bob Jones"]
    assert len(json.loads(tracker.ok("export", "--all").stdout)["patients"]) == 2
    assert "Ann Smith" in tracker.ok("patients").stdout


def test_with_several_patients_every_confirmation_and_report_names_the_patient(tracker):
    two_patients(tracker)
    ann = ("--patient", "Ann Smith")
    assert (
        tracker.ok(*ann, "pain", "3").stdout
        == "Noted pain 3/10 for Ann Smith on Wed 25 Nov 2026.\n"
    )
    logged = tracker.ok(*ann, "log", "2026-11-24", "--units", "200").stdout
    assert logged.startswith("Logged injection #1 for Ann Smith on Tue 24 Nov 2026")
    assert "side effect #1 for Ann Smith" in tracker.ok(*ann, "effect", "headache").stdout
    assert tracker.ok(*ann, "book", "2027-02-20").stdout.startswith("Booked for Ann Smith: ")
    assert tracker.ok(*ann, "cancel", "1").stdout.startswith("Cancelled for Ann Smith: ")
    for report in ("history", "diary", "effects", "changes", "review", "due", "plan"):
        assert tracker.ok(*ann, report).stdout.startswith("Patient: Ann Smith\n"), report
    assert tracker.ok(*ann, "undo").stdout.startswith("Undid 'cancel' for Ann Smith: ")


def test_with_one_patient_messages_stay_as_they_were(tracker):
    assert tracker.ok("pain", "3").stdout == "Noted pain 3/10 on Wed 25 Nov 2026.\n"
    assert not tracker.ok("diary").stdout.startswith("Patient:")


def test_the_first_patient_added_to_a_new_database_takes_the_unnamed_ones_place(tracker):
    added = tracker.ok("patients", "add", "Ann Smith", "--every", "4").stdout
    assert added == (
        "Added patient 'Ann Smith'. This new database's unnamed patient, which had no "
        "records, made way for them.\n"
    )
    assert [p["patient"] for p in json.loads(tracker.ok("patients", "--json").stdout)] == [
        "Ann Smith"
    ]
    assert tracker.json("plan")["every_months"] == 4  # the only patient: no --patient needed
    assert "Use it with: tracker --patient Bob ..." in tracker.ok("patients", "add", "Bob").stdout


def test_an_unnamed_patient_with_records_stays(tracker):
    tracker.ok("pain", "3")
    tracker.ok("patients", "add", "Ann Smith")
    names = [p["patient"] for p in json.loads(tracker.ok("patients", "--json").stdout)]
    assert names == ["default", "Ann Smith"]


# --- bad input ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--patient", "Nobody", "pain", "3"), "there is no patient called 'Nobody'"),
        (("patients", "add", "ann  SMITH"), "there is already a patient called 'Ann Smith'"),
        (("patients", "add", " Ann Smith "), "there is already a patient called 'Ann Smith'"),
        (("patients", "add", "AnnSmith"), "there is already a patient called 'Ann Smith'"),
        (("patients", "rename", "Bob Jones", "ANN SMITH"), "already a patient called 'Ann Smith'"),
        (("patients", "add", "   "), "a patient needs a name"),
        (("patients", "rename", "Bob Jones", "  "), "a patient needs a name"),
    ],
)
def test_bad_patient_names_are_one_error_line_and_change_nothing(tracker, args, message):
    two_patients(tracker)
    before = patient_uuids(tracker.db)
    assert message in tracker.fails(*args).stderr
    assert patient_uuids(tracker.db) == before


# --- 2. stable unique identities -----------------------------------------------------


def test_each_patient_has_a_random_uuid_that_renaming_keeps(tracker):
    two_patients(tracker)
    before = patient_uuids(tracker.db)
    assert all(uuid.UUID(value).version == 4 for value in before.values())
    assert len(set(before.values())) == 2
    tracker.ok("patients", "rename", "Ann Smith", "Ann Brown")
    tracker.ok("--patient", "Bob Jones", "plan", "--name", "Robert Jones")
    after = patient_uuids(tracker.db)
    assert after == {"Ann Brown": before["Ann Smith"], "Robert Jones": before["Bob Jones"]}


def test_a_restore_into_an_empty_database_takes_the_exported_uuid(tracker, tmp_path):
    tracker.ok("plan", "--name", "Ann Smith")
    tracker.ok("log", "2026-09-01", "--units", "200")
    exported = tmp_path / "ann.json"
    tracker.ok("export", "-o", str(exported))
    fresh = Tracker(str(tmp_path / "fresh.db"))
    fresh.ok("import", str(exported))
    assert patient_uuids(fresh.db) == patient_uuids(tracker.db)
    assert fresh.ok("export", "--format", "fhir").stdout == (
        tracker.ok("export", "--format", "fhir").stdout
    )


def fhir_ids(tracker: Tracker, *args: str) -> set[str]:
    bundle = json.loads(tracker.ok(*args, "export", "--format", "fhir").stdout)
    ids = {entry["resource"]["id"] for entry in bundle["entry"]}
    ids |= {entry["fullUrl"] for entry in bundle["entry"]}
    return ids


def fill_alike(tracker: Tracker, *args: str) -> None:
    """The same records, with the same tracker ids, as any other database filled so."""
    tracker.ok(*args, "log", "2026-09-01", "--units", "200", "--site", "a:100", "--site", "b:100")
    tracker.ok(*args, "pain", "4", "--date", "2026-09-02")
    tracker.ok(*args, "effect", "headache", "--date", "2026-09-03")


def test_two_databases_fhir_bundles_share_no_id(tracker, tmp_path):
    other = Tracker(str(tmp_path / "other.db"))
    for each in (tracker, other):
        fill_alike(each)
    ours, theirs = fhir_ids(tracker), fhir_ids(other)
    assert len(ours) == len(theirs) == 2 * 6  # Patient, session, 2 sites, pain, effect
    assert not ours & theirs
    assert fhir_ids(tracker) == ours  # the same records keep their ids


def test_two_patients_in_one_database_share_no_fhir_id(tracker):
    two_patients(tracker)
    for name in ("Ann Smith", "Bob Jones"):
        fill_alike(tracker, "--patient", name)
    assert not fhir_ids(tracker, "--patient", "Ann Smith") & fhir_ids(
        tracker, "--patient", "Bob Jones"
    )


# --- 6. irreversible actions ------------------------------------------------------------


def test_removing_a_patient_without_a_terminal_needs_yes(tracker):
    two_patients(tracker)
    tracker.ok("--patient", "Bob Jones", "pain", "3")
    for args in (("Bob Jones", "--with-records"), ("Ann Smith",)):
        result = tracker.fails("patients", "remove", *args)
        assert "cannot be undone" in result.stderr and "--yes" in result.stderr
    assert len(json.loads(tracker.ok("patients", "--json").stdout)) == 2
    assert len(tracker.json("--patient", "Bob Jones", "diary")) == 1
    tracker.ok("patients", "remove", "Bob Jones", "--with-records", "--yes")
    assert [p["patient"] for p in json.loads(tracker.ok("patients", "--json").stdout)] == [
        "Ann Smith"
    ]


def test_a_refused_removal_is_refused_before_anything_is_asked(tracker):
    two_patients(tracker)
    tracker.ok("--patient", "Bob Jones", "pain", "3")
    assert "--with-records" in tracker.fails("patients", "remove", "Bob Jones").stderr


def test_restore_without_a_terminal_needs_yes(sqlite_tracker, tmp_path):
    sqlite_tracker.ok("pain", "3")
    sqlite_tracker.ok("backup", str(tmp_path / "saved.db"))
    sqlite_tracker.ok("pain", "5")
    result = sqlite_tracker.fails("restore", str(tmp_path / "saved.db"))
    assert "cannot be undone" in result.stderr and "--yes" in result.stderr
    assert len(sqlite_tracker.json("diary")) == 2


# --- 7. ids never reused -----------------------------------------------------------------


def test_an_undone_or_deleted_records_id_is_never_given_again(tracker):
    tracker.ok("effect", "headache")
    tracker.ok("effect", "nausea")
    tracker.ok("undo")
    assert tracker.json("effect", "dizziness")["id"] == 3
    tracker.ok("log", "2026-09-01")
    tracker.ok("delete", "1", "--yes")
    assert tracker.json("log", "2026-09-02")["id"] == 2
    subjects = [row["record_id"] for row in tracker.json("changes") if row["kind"] == "effect"]
    assert subjects == [1, 2, 2, 3]  # #2 is one side effect, logged and undone


def test_the_migration_keeps_ids_named_in_the_change_log_out_of_use(tmp_path: Path):
    """A side effect deleted before the upgrade (only the log remembers it) is not reused."""
    from tests.integration.test_migration_data import make_database_at

    path = tmp_path / "old.db"
    engine = make_database_at(path, "0006")
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO changes (patient_id, batch, at, command, action, kind, record_id, "
            "old_values, new_values) VALUES (1, 1, '2026-11-01T10:00:00+00:00', 'effect', "
            "'insert', 'effect', 7, NULL, '{}')"
        )
    engine.dispose()
    assert Tracker(str(path)).json("effect", "headache")["id"] == 8
