"""Injection sessions, their sites, and the treatment plan.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "injection_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("product", sa.String(length=20), nullable=False),
        sa.Column("units", sa.Float(), nullable=True),
        sa.Column("provider", sa.Text(), nullable=True),
        sa.Column("lot", sa.Text(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_injection_sessions")),
        sa.UniqueConstraint("date", name=op.f("uq_injection_sessions_date")),
    )
    op.create_table(
        "injection_sites",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("muscle", sa.Text(), nullable=False),
        sa.Column("units", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["injection_sessions.id"],
            name=op.f("fk_injection_sites_session_id_injection_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_injection_sites")),
    )
    op.create_index(
        op.f("ix_injection_sites_session_id"), "injection_sites", ["session_id"], unique=False
    )
    op.create_table(
        "plan",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("every_months", sa.Integer(), nullable=False),
        sa.Column("within_days", sa.Integer(), nullable=False),
        sa.Column("patient_name", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan")),
    )


def downgrade() -> None:
    op.drop_table("plan")
    op.drop_index(op.f("ix_injection_sites_session_id"), table_name="injection_sites")
    op.drop_table("injection_sites")
    op.drop_table("injection_sessions")
