"""Several patients: a patients table (with each one's plan) and patient_id everywhere.

Existing records go to the default patient, named as the plan named them, else
"default". The single-row plan table becomes each patient's own plan.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

RECORD_TABLES = ("injection_sessions", "pain_entries", "side_effects", "appointments", "changes")
DEFAULT_NAME = "default"


def upgrade() -> None:
    op.create_table(
        "patients",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=500), nullable=False),
        sa.Column("every_months", sa.Integer(), nullable=False),
        sa.Column("within_days", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patients")),
        sa.UniqueConstraint("name", name=op.f("uq_patients_name")),
    )
    plan = (
        op.get_bind()
        .execute(sa.text("SELECT patient_name, every_months, within_days FROM plan WHERE id = 1"))
        .first()
    )
    name, every, within = plan if plan else (None, 3, 14)
    op.get_bind().execute(
        sa.text(
            "INSERT INTO patients (id, name, every_months, within_days) "
            "VALUES (1, :name, :every, :within)"
        ),
        {"name": name or DEFAULT_NAME, "every": every, "within": within},
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("SELECT setval(pg_get_serial_sequence('patients', 'id'), 1)")
    for table in RECORD_TABLES:
        with op.batch_alter_table(table) as batch:
            # Every existing record is the default patient's.
            batch.add_column(
                sa.Column("patient_id", sa.Integer(), nullable=False, server_default="1")
            )
        with op.batch_alter_table(table) as batch:
            batch.alter_column("patient_id", server_default=None)
            batch.create_foreign_key(
                op.f(f"fk_{table}_patient_id_patients"), "patients", ["patient_id"], ["id"]
            )
            batch.create_index(op.f(f"ix_{table}_patient_id"), ["patient_id"], unique=False)
    with op.batch_alter_table("injection_sessions") as batch:
        batch.drop_constraint("uq_injection_sessions_date", type_="unique")
        batch.create_unique_constraint(
            op.f("uq_injection_sessions_patient_id"), ["patient_id", "date"]
        )
    op.drop_table("plan")


def downgrade() -> None:
    op.create_table(
        "plan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("every_months", sa.Integer(), nullable=False),
        sa.Column("within_days", sa.Integer(), nullable=False),
        sa.Column("patient_name", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan")),
    )
    # Only the first patient's records fit the one-patient layout.
    op.execute(
        "INSERT INTO plan (id, every_months, within_days, patient_name) "
        "SELECT 1, every_months, within_days, name FROM patients WHERE id = "
        "(SELECT MIN(id) FROM patients)"
    )
    for table in RECORD_TABLES:
        op.execute(f"DELETE FROM {table} WHERE patient_id <> (SELECT MIN(id) FROM patients)")
    with op.batch_alter_table("injection_sessions") as batch:
        batch.drop_constraint("uq_injection_sessions_patient_id", type_="unique")
        batch.create_unique_constraint("uq_injection_sessions_date", ["date"])
    for table in RECORD_TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_index(op.f(f"ix_{table}_patient_id"))
            batch.drop_constraint(op.f(f"fk_{table}_patient_id_patients"), type_="foreignkey")
            batch.drop_column("patient_id")
    op.drop_table("patients")
