"""Several treatments per patient (issue 16): the treatments command, --treatment on log,
edit, history and plan, unknown products, undo and check; on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from tests.conftest import Tracker

NO_RULES = (
    "Note: tracker knows no label rules for 'hydroxocobalamin': no minimum interval or "
    "dose ceiling is checked."
)


def two_treatments(tracker: Tracker) -> None:
    """Botox (logged once) and a B12 treatment every 4 weeks."""
    tracker.ok("log", "2026-09-01", "--units", "200")
    tracker.ok(
        "treatments",
        "add",
        "B12",
        "--product",
        "hydroxocobalamin",
        "--every",
        "4w",
        "--within",
        "3",
    )


def state(tracker: Tracker) -> tuple:
    """What a failed command must leave as it was."""
    return (
        tracker.json("treatments"),
        tracker.json("history"),
        tracker.json("changes"),
    )


# --- treatments ---------------------------------------------------------------------


def test_one_treatment_is_listed_with_its_plan_and_due_date(tracker: Tracker) -> None:
    tracker.ok("log", "2026-09-01", "--units", "200")
    assert tracker.ok("treatments").stdout.splitlines() == [
        "TREATMENT  PRODUCT  EVERY     LAST        NEXT DUE    STATUS",
        "botox      botox    3 months  2026-09-01  2026-12-01  due soon",
    ]


def test_add_lists_and_says_once_that_an_unknown_product_has_no_rules(tracker: Tracker) -> None:
    tracker.ok("log", "2026-09-01", "--units", "200")
    added = tracker.ok(
        "treatments",
        "add",
        "B12",
        "--product",
        "hydroxocobalamin",
        "--every",
        "4w",
        "--within",
        "3",
    )
    assert added.stdout == (
        "Added treatment 'B12': hydroxocobalamin every 4 weeks, reminders 3 days before.\n"
    )
    assert added.stderr.strip() == NO_RULES
    assert tracker.json("treatments") == [
        {
            "treatment": "botox",
            "product": "botox",
            "every": "3m",
            "within_days": 14,
            "sites": None,
            "sessions": 1,
            "last_injection": "2026-09-01",
            "next_due": "2026-12-01",
            "earliest": "2026-11-24",
            "days_left": 6,
            "status": "due_soon",
            "next_site": None,
        },
        {
            "treatment": "B12",
            "product": "hydroxocobalamin",
            "every": "4w",
            "within_days": 3,
            "sites": None,
            "sessions": 0,
            "last_injection": None,
            "next_due": None,
            "earliest": None,
            "days_left": None,
            "status": "none",
            "next_site": None,
        },
    ]
    # Said once, when the product is named: listing it again says nothing of it.
    assert tracker.ok("treatments").stderr == ""


def test_a_known_product_name_is_its_own_product_and_keeps_its_label_minimum(
    tracker: Tracker,
) -> None:
    added = tracker.ok("treatments", "add", "Xeomin", "--every", "12w")
    assert added.stdout.startswith("Added treatment 'Xeomin': xeomin every 12 weeks")
    assert added.stderr == ""
    refused = tracker.fails("treatments", "add", "dysport", "--every", "11w").stderr
    assert "minimum interval of 12 weeks (84 days)" in refused
    assert "choose 12 weeks or more" in refused
    assert (
        "minimum interval of 12 weeks"
        in tracker.fails("treatments", "edit", "xeomin", "--every", "2m").stderr
    )
    # A product's code is known whatever its case.
    tracker.ok("treatments", "add", "back", "--product", "Botox", "--every", "3m")
    assert tracker.json("treatments")[-1]["product"] == "botox"


def test_an_unknown_product_takes_any_interval(tracker: Tracker) -> None:
    tracker.ok("treatments", "add", "biologic", "--product", "adalimumab", "--every", "1d")
    tracker.ok("treatments", "edit", "biologic", "--every", "2w")
    assert tracker.json("treatments")[-1]["every"] == "2w"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("add", "Q", "--product", "x", "--every", "0d"), "from 1 day to 2 years"),
        (("add", "Q", "--product", "x", "--every", "25m"), "from 1 day to 2 years"),
        (("add", "Q", "--product", "x", "--every", "3x"), "not '3x'"),
        (("add", "Q", "--product", "x", "--every", "-2w"), "not '-2w'"),
        (("add", "b 12", "--product", "x"), "already a treatment called 'B12'"),
        (("add", "botox"), "already a treatment called 'botox'"),
        (("add", "  ", "--product", "x"), "the treatment name is empty"),
        (("add", "vitamin"), "name the product of 'vitamin' with --product"),
        (("add", "Q", "--product", " "), "the product is empty"),
        (("add", "toxin", "--product", "botox", "--every", "8w"), "Botox's minimum interval"),
        (("add", "Q", "--product", "x", "--sites", "a,,b"), "site 2 of the list is empty"),
        (("add", "Q", "--product", "x", "--sites", "a,A"), "is listed twice"),
        (("add", "Q", "--product", "x", "--within", "-1"), "--within"),
        (("edit", "nothing", "--every", "3m"), "no treatment called 'nothing'"),
        (("edit", "botox", "--every", "4w"), "Botox's minimum interval"),
        (("edit", "B12", "--product", "xeomin"), "Xeomin's minimum interval"),
        (("rename", "nothing", "X"), "no treatment called 'nothing'"),
        (("rename", "B12", "BOTOX"), "already a treatment called 'botox'"),
        (("rename", "B12", ""), "the treatment name is empty"),
        (("remove", "nothing"), "no treatment called 'nothing'"),
        (("remove", "botox"), "has 1 injection session(s); to delete them too, add --with-records"),
        (("remove", "botox", "--with-records"), "there is no terminal to ask on"),
    ],
)
def test_bad_input_is_one_error_and_changes_nothing(
    tracker: Tracker, args: tuple[str, ...], message: str
) -> None:
    two_treatments(tracker)
    before = state(tracker)
    assert message in tracker.fails("treatments", *args).stderr
    assert state(tracker) == before


def test_unknown_treatment_names_the_ones_there_are(tracker: Tracker) -> None:
    two_treatments(tracker)
    error = tracker.fails("log", "2026-11-20", "--treatment", "B13").stderr
    assert error == (
        "Error: there is no treatment called 'B13'; the treatments are 'botox', 'B12'\n"
    )


def test_rename_edit_and_remove_and_undo_each(tracker: Tracker) -> None:
    two_treatments(tracker)
    assert tracker.ok("treatments", "rename", "b12", "Vitamin B12").stdout == (
        "Renamed treatment 'B12' to 'Vitamin B12'.\n"
    )
    tracker.ok("treatments", "rename", "vitamin b12", "VITAMIN B12")  # its own name, recased
    edited = tracker.ok(
        "treatments", "edit", "vitamin b12", "--every", "1m", "--within", "5", "--sites", "L,R"
    )
    assert edited.stdout == (
        "Updated treatment 'VITAMIN B12': hydroxocobalamin every 1 month, "
        "reminders 5 days before.\n  sites: L, R\n"
    )
    tracker.ok("log", "2026-11-01", "--treatment", "vitamin b12")
    removed = tracker.ok("treatments", "remove", "VITAMIN B12", "--with-records", "--yes")
    assert removed.stdout == "Removed treatment 'VITAMIN B12' and 1 injection session(s).\n"
    assert [t["treatment"] for t in tracker.json("treatments")] == ["botox"]
    assert [r["date"] for r in tracker.json("history")] == ["2026-09-01"]

    assert "brought back treatment" in tracker.ok("undo").stdout
    assert [r["date"] for r in tracker.json("history")] == ["2026-09-01", "2026-11-01"]
    assert tracker.json("history")[1]["treatment"] == "VITAMIN B12"
    tracker.ok("undo")  # the log
    tracker.ok("undo")  # the edit
    assert tracker.json("treatments")[1]["every"] == "4w"
    tracker.ok("undo")  # the second rename
    tracker.ok("undo")  # the first
    assert tracker.json("treatments")[1]["treatment"] == "B12"
    tracker.ok("undo")  # the add
    assert [t["treatment"] for t in tracker.json("treatments")] == ["botox"]
    assert tracker.ok("check").stdout.startswith("No problems found")


def test_a_treatment_without_injections_is_removed_without_asking(tracker: Tracker) -> None:
    two_treatments(tracker)
    assert tracker.ok("treatments", "remove", "B12").stdout == "Removed treatment 'B12'.\n"


def test_every_treatment_removed_the_next_log_starts_botox_again(tracker: Tracker) -> None:
    tracker.ok("treatments", "add", "B12", "--product", "hydroxocobalamin")
    tracker.ok("treatments", "remove", "botox")
    tracker.ok("treatments", "remove", "B12")
    assert "No treatments yet" in tracker.ok("treatments").stdout
    assert "no treatment called 'B12'" in tracker.fails("log", "--treatment", "B12").stderr
    tracker.ok("log", "2026-11-20", "--units", "100")
    assert [t["treatment"] for t in tracker.json("treatments")] == ["botox"]


# --- log, edit, history -------------------------------------------------------------


def test_with_several_treatments_log_must_name_one(tracker: Tracker) -> None:
    two_treatments(tracker)
    before = state(tracker)
    error = tracker.fails("log", "2026-11-20", "--units", "100").stderr
    assert error == (
        "Error: this patient has 2 treatments ('botox', 'B12'); say which with "
        "--treatment NAME; nothing was stored\n"
    )
    assert state(tracker) == before


def test_a_session_of_an_unknown_product_is_its_treatments(tracker: Tracker) -> None:
    two_treatments(tracker)
    logged = tracker.ok("log", "2026-11-20", "--treatment", "b12", "--units", "1000")
    assert logged.stdout.splitlines() == [
        "Logged injection #2 on Fri 20 Nov 2026: hydroxocobalamin, 1000 units",
        "Next injection due Fri 18 Dec 2026 — in 23 days (tracker knows no label minimum "
        "for hydroxocobalamin: your clinician's interval is the schedule)",
    ]
    # 1000 units: no ceiling for a product tracker has no rules for, and never added to Botox.
    assert logged.stderr == ""
    tracker.ok("log", "2026-11-24", "--treatment", "B12", "--units", "1000")
    history = tracker.json("history")
    assert [(r["treatment"], r["product"], r["units"]) for r in history] == [
        ("botox", "botox", 200),
        ("B12", "hydroxocobalamin", 1000),
        ("B12", "hydroxocobalamin", 1000),
    ]


def test_the_12_week_rule_counts_toxins_only(tracker: Tracker) -> None:
    two_treatments(tracker)
    # A B12 injection days after Botox: no label minimum involved.
    assert tracker.ok("log", "2026-09-05", "--treatment", "B12").stderr == ""
    tracker.ok("treatments", "add", "Dysport", "--every", "12w")
    warned = tracker.ok("log", "2026-10-01", "--treatment", "dysport", "--units", "300").stderr
    assert "the label's minimum interval is 12 weeks" in warned


def test_history_with_several_treatments_names_each_sessions(tracker: Tracker) -> None:
    two_treatments(tracker)
    tracker.ok("log", "2026-10-01", "--treatment", "B12")
    tracker.ok("log", "2026-10-29", "--treatment", "B12", "--lot", "B-2")
    lines = tracker.ok("history").stdout.splitlines()
    assert lines[0].split() == [
        "ID",
        "DATE",
        "TREATMENT",
        "PRODUCT",
        "UNITS",
        "SITES",
        "PROVIDER",
        "LOT",
        "GAP",
        "NOTE",
    ]
    # The gap is since the same treatment's previous session.
    assert lines[3].split() == ["3", "2026-10-29", "B12", "hydroxocobalamin", "B-2", "28", "d"]
    csv = tracker.ok("history", "--csv").stdout.splitlines()
    assert csv[0] == "id,date,treatment,product,units,sites,provider,lot,note"
    assert csv[2] == "2,2026-10-01,B12,hydroxocobalamin,,,,,"
    only = tracker.json("history", "--treatment", "b12")
    assert [r["id"] for r in only] == [2, 3] and "treatment" not in only[0]
    assert "ID  DATE        PRODUCT" in tracker.ok("history", "--treatment", "botox").stdout
    assert "no treatment called 'x'" in tracker.fails("history", "--treatment", "x").stderr


def test_with_one_treatment_history_is_as_it_was(tracker: Tracker) -> None:
    tracker.ok("log", "2026-09-01", "--units", "200")
    assert "treatment" not in tracker.json("history")[0]
    assert tracker.ok("history", "--csv").stdout.startswith("id,date,product,")
    assert tracker.ok("history", "--treatment", "BOTOX").stdout.startswith(
        "ID  DATE        PRODUCT"
    )


def test_edit_moves_a_session_to_another_treatment_and_undo_moves_it_back(
    tracker: Tracker,
) -> None:
    two_treatments(tracker)
    tracker.ok("log", "2026-11-20", "--treatment", "botox", "--units", "100")
    moved = tracker.ok("edit", "2", "--treatment", "B12").stdout
    assert moved.startswith("Updated injection #2 on Fri 20 Nov 2026: hydroxocobalamin")
    assert tracker.json("history")[1]["treatment"] == "B12"
    tracker.ok("log", "2026-09-01", "--treatment", "B12")
    clash = tracker.fails("edit", "3", "--treatment", "botox").stderr
    assert "already an injection session on 2026-09-01" in clash
    tracker.ok("delete", "3", "--yes")
    tracker.ok("undo")  # the delete
    tracker.ok("undo")  # the log
    tracker.ok("undo")  # the move
    assert [(r["treatment"], r["product"]) for r in tracker.json("history")] == [
        ("botox", "botox"),
        ("botox", "botox"),
    ]


def test_two_treatments_may_have_a_session_on_the_same_day(tracker: Tracker) -> None:
    two_treatments(tracker)
    tracker.ok("log", "2026-09-01", "--treatment", "B12")
    error = tracker.fails("log", "2026-09-01", "--treatment", "B12").stderr
    assert "already an injection session on 2026-09-01" in error


def test_log_suggests_the_next_site_of_a_rotation(tracker: Tracker) -> None:
    tracker.ok(
        "treatments",
        "add",
        "biologic",
        "--product",
        "adalimumab",
        "--every",
        "2w",
        "--sites",
        "left thigh, right thigh,abdomen",
    )
    tracker.ok("treatments", "remove", "botox")
    assert tracker.json("treatments")[0]["next_site"] == "left thigh"
    logged = tracker.ok("log", "2026-11-10", "--site", "Left Thigh").stdout
    assert logged.splitlines()[-1] == "Next site (biologic): right thigh"
    payload = tracker.json("log", "2026-11-24", "--site", "abdomen")
    assert payload["next_site"] == "right thigh"
    listed = tracker.ok("treatments").stdout.splitlines()
    assert listed[0].endswith("NEXT SITE") and listed[1].endswith("right thigh")


# --- plan, patients add ---------------------------------------------------------------


def test_plan_every_takes_an_interval_and_acts_on_the_treatment_named(tracker: Tracker) -> None:
    two_treatments(tracker)
    tracker.ok("plan", "--every", "16w")  # the pain treatment: botox
    assert tracker.json("plan") == {
        "every": "16w",
        "every_months": None,
        "within_days": 14,
        "name": None,
    }
    assert "an injection every 16 weeks" in tracker.ok("plan").stdout
    tracker.ok("plan", "--treatment", "b12", "--every", "2w", "--within", "2")
    assert tracker.json("plan", "--treatment", "B12")["every"] == "2w"
    assert [t["every"] for t in tracker.json("treatments")] == ["16w", "2w"]
    assert "Botox's minimum interval" in tracker.fails("plan", "--every", "10w").stderr
    assert "no treatment called 'x'" in tracker.fails("plan", "--treatment", "x").stderr
    tracker.ok("undo")
    assert tracker.json("plan", "--treatment", "B12")["every"] == "4w"


def test_patients_add_every_takes_an_interval(tracker: Tracker) -> None:
    tracker.ok("patients", "add", "Ann", "--every", "16w")
    tracker.ok("patients", "add", "Bob", "--every", "5")
    assert tracker.json("--patient", "Ann", "plan")["every"] == "16w"
    assert tracker.json("--patient", "Bob", "plan")["every"] == "5m"
    assert "Botox's minimum" in tracker.fails("patients", "add", "Cy", "--every", "6w").stderr
    tracker.fails("patients", "add", "Cy", "--every", "0d")


# --- check ------------------------------------------------------------------------------


def test_check_passes_with_several_treatments_and_unknown_products(tracker: Tracker) -> None:
    two_treatments(tracker)
    tracker.ok("log", "2026-09-01", "--treatment", "B12", "--units", "1000")
    tracker.ok("treatments", "remove", "B12", "--with-records", "--yes")
    assert tracker.ok("check").stdout.startswith("No problems found")
