"""Daily adjustments: change log, re-plan previews, plan heads.

Revision ID: 0003_adjustments
Revises: 0002_jobs
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_adjustments"
down_revision: str | None = "0002_jobs"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "plan_heads",
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("head_version_id", sa.Integer(), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["head_version_id"], ["plan_versions.id"],
                                name=op.f("fk_plan_heads_head_version_id_plan_versions"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["plan_id"], ["plans.id"], name=op.f("fk_plan_heads_plan_id_plans"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["updated_by_id"], ["users.id"],
                                name=op.f("fk_plan_heads_updated_by_id_users"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("plan_id", name=op.f("pk_plan_heads")),
    )
    op.create_table(
        "adjustments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("change", sa.JSON(), nullable=False),
        sa.Column("date_from", sa.Date(), nullable=True),
        sa.Column("date_to", sa.Date(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("version_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("status IN ('pending', 'applied', 'withdrawn', 'done')",
                           name=op.f("ck_adjustments_status_known")),
        sa.CheckConstraint("date_to IS NULL OR date_from IS NULL OR date_to >= date_from",
                           name=op.f("ck_adjustments_date_range")),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"],
                                name=op.f("fk_adjustments_created_by_id_users"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["decided_by_id"], ["users.id"],
                                name=op.f("fk_adjustments_decided_by_id_users"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["plan_id"], ["plans.id"], name=op.f("fk_adjustments_plan_id_plans"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], name=op.f("fk_adjustments_team_id_teams"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["version_id"], ["plan_versions.id"],
                                name=op.f("fk_adjustments_version_id_plan_versions"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_adjustments")),
    )
    with op.batch_alter_table("adjustments", schema=None) as batch_op:
        batch_op.create_index("ix_adjustments_plan_id_status", ["plan_id", "status"], unique=False)
        batch_op.create_index(batch_op.f("ix_adjustments_team_id"), ["team_id"], unique=False)
    op.create_table(
        "replan_previews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("base_version_id", sa.Integer(), nullable=False),
        sa.Column("base_revision", sa.Integer(), nullable=False),
        sa.Column("from_day", sa.Integer(), nullable=False),
        sa.Column("to_day", sa.Integer(), nullable=False),
        sa.Column("adjustment_ids", sa.JSON(), nullable=False),
        sa.Column("plan_doc", sa.JSON(), nullable=False),
        sa.Column("diff", sa.JSON(), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("applied_version_id", sa.Integer(), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
        sa.CheckConstraint("status IN ('ready', 'applied', 'discarded', 'stale')",
                           name=op.f("ck_replan_previews_status_known")),
        sa.CheckConstraint("to_day >= from_day", name=op.f("ck_replan_previews_day_range")),
        sa.ForeignKeyConstraint(["applied_version_id"], ["plan_versions.id"],
                                name=op.f("fk_replan_previews_applied_version_id_plan_versions"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["base_version_id"], ["plan_versions.id"],
                                name=op.f("fk_replan_previews_base_version_id_plan_versions"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"],
                                name=op.f("fk_replan_previews_created_by_id_users"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["decided_by_id"], ["users.id"],
                                name=op.f("fk_replan_previews_decided_by_id_users"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["plan_id"], ["plans.id"], name=op.f("fk_replan_previews_plan_id_plans"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_replan_previews")),
    )
    with op.batch_alter_table("replan_previews", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_replan_previews_plan_id"), ["plan_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("replan_previews", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_replan_previews_plan_id"))
    op.drop_table("replan_previews")
    with op.batch_alter_table("adjustments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_adjustments_team_id"))
        batch_op.drop_index("ix_adjustments_plan_id_status")
    op.drop_table("adjustments")
    op.drop_table("plan_heads")
