"""Each patient gets a random UUID; a deleted record's id is never given out again.

- ``patients.uuid``: a random UUID (version 4) for every existing patient. Every
  identifier tracker hands to another program (FHIR ids, calendar UIDs) derives
  from it, so two patients never share one, in one database or in two.
- SQLite reuses the highest rowid after it is deleted: an undone side effect #2
  and the next one recorded were both "#2" in ``tracker changes``. The tables are
  rebuilt with ``AUTOINCREMENT`` (every row copied as it is), and SQLite's
  counter starts past the highest id found in the table or named in the change
  log, so ids deleted before this upgrade are not handed out again either.
  PostgreSQL's id sequences never go back; they are left as they are.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# Parents before children, so every rebuilt table's foreign keys find their target.
ID_TABLES = (
    "patients",
    "injection_sessions",
    "injection_sites",
    "pain_entries",
    "side_effects",
    "appointments",
    "changes",
)
# The change log's name for each table's records (tracker.store.audit.KINDS).
LOGGED_KIND = {
    "injection_sessions": "injection",
    "pain_entries": "pain",
    "side_effects": "effect",
    "appointments": "appointment",
    "patients": "plan",
}


def upgrade() -> None:
    bind = op.get_bind()
    with op.batch_alter_table("patients") as batch:
        batch.add_column(sa.Column("uuid", sa.String(length=36), nullable=True))
    for (patient_id,) in bind.execute(sa.text("SELECT id FROM patients ORDER BY id")).all():
        bind.execute(
            sa.text("UPDATE patients SET uuid = :uuid WHERE id = :id"),
            {"uuid": str(uuid.uuid4()), "id": patient_id},
        )
    with op.batch_alter_table("patients") as batch:
        batch.alter_column("uuid", existing_type=sa.String(length=36), nullable=False)
        batch.create_unique_constraint(op.f("uq_patients_uuid"), ["uuid"])
    if bind.dialect.name == "sqlite":
        for table in ID_TABLES:
            _rebuild(table, autoincrement=True)
            _never_below(table)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for table in ID_TABLES:
            _rebuild(table, autoincrement=False)
    with op.batch_alter_table("patients") as batch:
        batch.drop_constraint(op.f("uq_patients_uuid"), type_="unique")
        batch.drop_column("uuid")


def _rebuild(table: str, autoincrement: bool) -> None:
    """SQLite can only add AUTOINCREMENT by copying the table into a new one."""
    with op.batch_alter_table(
        table, recreate="always", table_kwargs={"sqlite_autoincrement": autoincrement}
    ):
        pass


def _never_below(table: str) -> None:
    """Start SQLite's counter past every id the table has held, as far as tracker knows."""
    highest = f"SELECT MAX(id) AS value FROM {table}"
    if table in LOGGED_KIND:
        highest = (
            f"SELECT MAX(value) FROM ({highest} UNION ALL SELECT MAX(record_id) "
            f"FROM changes WHERE kind = '{LOGGED_KIND[table]}')"
        )
    bind = op.get_bind()
    value = bind.execute(sa.text(highest)).scalar()
    if value is None:
        return
    bind.execute(sa.text("DELETE FROM sqlite_sequence WHERE name = :name"), {"name": table})
    bind.execute(
        sa.text("INSERT INTO sqlite_sequence (name, seq) VALUES (:name, :seq)"),
        {"name": table, "seq": value},
    )
