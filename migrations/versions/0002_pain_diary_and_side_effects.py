"""Pain diary entries and side effects.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pain_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("function", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pain_entries")),
    )
    op.create_index(op.f("ix_pain_entries_date"), "pain_entries", ["date"], unique=False)
    op.create_table(
        "side_effects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("term", sa.Text(), nullable=True),
        sa.Column("effect_class", sa.String(length=20), nullable=False),
        sa.Column("severity", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("resolved_on", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_side_effects")),
    )
    op.create_index(op.f("ix_side_effects_date"), "side_effects", ["date"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_side_effects_date"), table_name="side_effects")
    op.drop_table("side_effects")
    op.drop_index(op.f("ix_pain_entries_date"), table_name="pain_entries")
    op.drop_table("pain_entries")
