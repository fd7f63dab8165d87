"""A side effect's severity is optional: tracker never invents one.

Until now ``tracker effect`` stored "mild" when the patient gave no severity.
From here on a side effect without ``--severity`` has none (NULL, shown as
"not stated"). Stored values are kept as they are: an old "mild" cannot be told
apart from one the patient chose.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("side_effects") as batch:
        batch.alter_column("severity", existing_type=sa.String(length=20), nullable=True)


def downgrade() -> None:
    # The older layout needs a value; "mild" is what the older tracker stored by default.
    op.execute("UPDATE side_effects SET severity = 'mild' WHERE severity IS NULL")
    with op.batch_alter_table("side_effects") as batch:
        batch.alter_column("severity", existing_type=sa.String(length=20), nullable=False)
