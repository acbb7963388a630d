"""travel legs from imported travel matrices

Revision ID: 0005_travel_legs
Revises: 0004_performed
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_travel_legs"
down_revision: str | None = "0004_performed"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "travel_legs",
        sa.Column("origin", sa.String(length=200), nullable=False),
        sa.Column("destination", sa.String(length=200), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.CheckConstraint("minutes >= 0", name=op.f("ck_travel_legs_minutes_not_negative")),
        sa.PrimaryKeyConstraint("origin", "destination", name=op.f("pk_travel_legs")),
    )


def downgrade() -> None:
    op.drop_table("travel_legs")
