"""a team's own planning settings (its continuity setting), and change records for them

Revision ID: 0012_team_settings
Revises: 0011_rules
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_team_settings"
down_revision: str | None = "0011_rules"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ENTITIES_BEFORE = "entity IN ('citizen', 'need', 'carer', 'roster', 'user')"
ENTITIES_AFTER = "entity IN ('citizen', 'need', 'carer', 'roster', 'user', 'team')"


def upgrade() -> None:
    op.create_table(
        "team_settings",
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("continuity", sa.String(length=20), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], ondelete="CASCADE",
                                name=op.f("fk_team_settings_team_id_teams")),
        sa.ForeignKeyConstraint(["updated_by_id"], ["users.id"], ondelete="SET NULL",
                                name=op.f("fk_team_settings_updated_by_id_users")),
        sa.PrimaryKeyConstraint("team_id", name=op.f("pk_team_settings")),
    )
    with op.batch_alter_table("change_records") as batch_op:
        batch_op.drop_constraint(op.f("ck_change_records_entity_known"), type_="check")
        batch_op.create_check_constraint(op.f("ck_change_records_entity_known"), ENTITIES_AFTER)


def downgrade() -> None:
    op.execute("DELETE FROM change_records WHERE entity = 'team'")
    with op.batch_alter_table("change_records") as batch_op:
        batch_op.drop_constraint(op.f("ck_change_records_entity_known"), type_="check")
        batch_op.create_check_constraint(op.f("ck_change_records_entity_known"), ENTITIES_BEFORE)
    op.drop_table("team_settings")
