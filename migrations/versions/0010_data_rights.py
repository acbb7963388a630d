"""citizens and carers: when their personal data was anonymised (after the retention past their end)

Revision ID: 0010_data_rights
Revises: 0009_access_log
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_data_rights"
down_revision: str | None = "0009_access_log"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    for table in ("citizens", "carers"):
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(sa.Column("anonymised_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    for table in ("carers", "citizens"):
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column("anonymised_at")
