"""Each patient's plan becomes a treatment; every injection session belongs to one.

A patient may now follow several injection treatments at once (issue 16), each
with its own product, interval and reminder window:

- ``treatments``: one row per patient, made from the patient's plan
  (``every_months`` becomes the interval "3m"), named after the product of the
  patient's latest session ("botox" when there is none), so one-treatment users
  see what they saw before;
- ``injection_sessions.treatment_id``: every session belongs to that treatment;
  "one session a day" now holds per treatment, not per patient; ``product``
  grows to hold a product tracker knows no label rules for, as typed;
- ``patients.every_months`` and ``within_days`` go: the plan is the treatment's.

The downgrade puts each patient's oldest treatment's plan back (weeks and days
rounded up to whole months, at least 1, at most 24) and refuses, changing
nothing, when a patient has two sessions on one day (two treatments) or a
session of a product tracker has no profile for, which the older schema cannot hold.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

NAME_LENGTH = 500  # tracker.domain.text.LABEL_MAX_LENGTH when this was written
DEFAULT_PRODUCT = "botox"
# The products the older schema's tracker could read (tracker.domain.products then).
SHIPPED_PRODUCTS = ("botox", "dysport", "xeomin", "myobloc", "other")
# The plan's bounds in the older schema (tracker.domain.schedule then).
OLDEST_MIN_MONTHS, OLDEST_MAX_MONTHS = 1, 24
DAYS_PER_UNIT = {"d": 1, "w": 7}
MONTHS_PER_UNIT = {"m": 1, "y": 12}


def upgrade() -> None:
    bind = op.get_bind()
    treatments = op.create_table(
        "treatments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=NAME_LENGTH), nullable=False),
        sa.Column("product", sa.String(length=NAME_LENGTH), nullable=False),
        sa.Column("every", sa.String(length=8), nullable=False),
        sa.Column("within_days", sa.Integer(), nullable=False),
        sa.Column("sites", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_treatments_patient_id_patients")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_treatments")),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_treatments_patient_id"), "treatments", ["patient_id"])
    plans = bind.execute(
        sa.text(
            "SELECT id, every_months, within_days, (SELECT product FROM injection_sessions "
            "WHERE patient_id = patients.id ORDER BY date DESC LIMIT 1) FROM patients ORDER BY id"
        )
    ).all()
    op.bulk_insert(
        treatments,
        [
            {
                "id": patient_id,  # one each: the patient's id is free and keeps the order
                "patient_id": patient_id,
                "name": product or DEFAULT_PRODUCT,
                "product": product or DEFAULT_PRODUCT,
                "every": f"{every_months}m",
                "within_days": within_days,
                "sites": None,
            }
            for patient_id, every_months, within_days, product in plans
        ],
    )
    if plans and bind.dialect.name == "postgresql":
        bind.execute(
            sa.text(
                "SELECT setval(pg_get_serial_sequence('treatments', 'id'), "
                "(SELECT MAX(id) FROM treatments))"
            )
        )
    with _rebuilt("injection_sessions") as batch:
        batch.add_column(sa.Column("treatment_id", sa.Integer(), nullable=True))
    bind.execute(sa.text("UPDATE injection_sessions SET treatment_id = patient_id"))
    with _rebuilt("injection_sessions") as batch:
        batch.alter_column("treatment_id", existing_type=sa.Integer(), nullable=False)
        batch.alter_column(
            "product",
            existing_type=sa.String(length=20),
            type_=sa.String(length=NAME_LENGTH),
            existing_nullable=False,
        )
        batch.drop_constraint("uq_injection_sessions_patient_id", type_="unique")
        batch.create_unique_constraint(
            op.f("uq_injection_sessions_treatment_id"), ["treatment_id", "date"]
        )
        batch.create_foreign_key(
            op.f("fk_injection_sessions_treatment_id_treatments"),
            "treatments",
            ["treatment_id"],
            ["id"],
        )
        batch.create_index(op.f("ix_injection_sessions_treatment_id"), ["treatment_id"])
    with _rebuilt("patients") as batch:
        batch.drop_column("every_months")
        batch.drop_column("within_days")


def downgrade() -> None:
    bind = op.get_bind()
    clash = bind.execute(
        sa.text(
            "SELECT patient_id, date FROM injection_sessions GROUP BY patient_id, date "
            "HAVING COUNT(*) > 1"
        )
    ).first()
    if clash is not None:
        raise RuntimeError(
            f"patient #{clash[0]} has two injection sessions on {clash[1]} (two treatments); "
            "the older schema holds one a day, so tracker cannot go back to it"
        )
    unknown = bind.execute(
        sa.text("SELECT product FROM injection_sessions WHERE product NOT IN :known").bindparams(
            sa.bindparam("known", expanding=True)
        ),
        {"known": list(SHIPPED_PRODUCTS)},
    ).first()
    if unknown is not None:
        raise RuntimeError(
            f"a session records the product {unknown[0]!r}, which the older schema cannot "
            "hold, so tracker cannot go back to it"
        )
    with _rebuilt("patients") as batch:
        batch.add_column(sa.Column("every_months", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("within_days", sa.Integer(), nullable=True))
    oldest = bind.execute(
        sa.text(
            "SELECT patient_id, every, within_days FROM treatments WHERE id IN "
            "(SELECT MIN(id) FROM treatments GROUP BY patient_id)"
        )
    ).all()
    for patient_id, every, within_days in oldest:
        bind.execute(
            sa.text(
                "UPDATE patients SET every_months = :every, within_days = :within WHERE id = :id"
            ),
            {"every": _months(every), "within": within_days, "id": patient_id},
        )
    bind.execute(
        sa.text("UPDATE patients SET every_months = 3, within_days = 14 WHERE every_months IS NULL")
    )
    with _rebuilt("patients") as batch:
        batch.alter_column("every_months", existing_type=sa.Integer(), nullable=False)
        batch.alter_column("within_days", existing_type=sa.Integer(), nullable=False)
    with _rebuilt("injection_sessions") as batch:
        batch.drop_index(op.f("ix_injection_sessions_treatment_id"))
        batch.drop_constraint(
            op.f("fk_injection_sessions_treatment_id_treatments"), type_="foreignkey"
        )
        batch.drop_constraint(op.f("uq_injection_sessions_treatment_id"), type_="unique")
        batch.create_unique_constraint("uq_injection_sessions_patient_id", ["patient_id", "date"])
        batch.alter_column(
            "product",
            existing_type=sa.String(length=NAME_LENGTH),
            type_=sa.String(length=20),
            existing_nullable=False,
        )
        batch.drop_column("treatment_id")
    op.drop_index(op.f("ix_treatments_patient_id"), table_name="treatments")
    op.drop_table("treatments")


@contextmanager
def _rebuilt(table: str) -> Iterator[Any]:
    """``op.batch_alter_table``, keeping what migration 0007 gave SQLite's tables: ids
    never handed out again (AUTOINCREMENT, and the counter where it was)."""
    bind = op.get_bind()
    counter = (
        bind.execute(
            sa.text("SELECT seq FROM sqlite_sequence WHERE name = :name"), {"name": table}
        ).scalar()
        if bind.dialect.name == "sqlite"
        else None
    )
    with op.batch_alter_table(table, table_kwargs={"sqlite_autoincrement": True}) as batch:
        yield batch
    if counter is not None:
        bind.execute(sa.text("DELETE FROM sqlite_sequence WHERE name = :name"), {"name": table})
        bind.execute(
            sa.text("INSERT INTO sqlite_sequence (name, seq) VALUES (:name, :seq)"),
            {"name": table, "seq": counter},
        )


def _months(every: str) -> int:
    """An interval's text ("12w") as the whole months the older schema holds, rounded up."""
    count, unit = int(every[:-1]), every[-1]
    if unit in MONTHS_PER_UNIT:
        months = count * MONTHS_PER_UNIT[unit]
    else:
        months = math.ceil(count * DAYS_PER_UNIT[unit] / 30.4375)
    return min(max(months, OLDEST_MIN_MONTHS), OLDEST_MAX_MONTHS)
