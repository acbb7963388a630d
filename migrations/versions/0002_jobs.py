"""Solve jobs and their per-team parts.

Revision ID: 0002_jobs
Revises: 0001_foundation
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_jobs"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None

JOB_STATUSES = ("queued", "running", "gathering", "succeeded", "failed", "cancelled")
JOB_KINDS = ("plan", "replan")
PART_STATUSES = ("queued", "running", "succeeded", "failed", "cancelled")


def upgrade() -> None:
    op.create_table(
        "plan_jobs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("runner", sa.String(20), nullable=False),
        sa.Column("team_ids", sa.JSON(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("time_limit", sa.Float(), nullable=False),
        sa.Column("part_time_limit", sa.Float(), nullable=True),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("owner", sa.String(200), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("phase", sa.String(20), nullable=False),
        sa.Column("elapsed", sa.Float(), nullable=False),
        sa.Column("objective", sa.Float(), nullable=True),
        sa.Column("bound", sa.Float(), nullable=True),
        sa.Column("fraction", sa.Float(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=True),
        sa.Column("plan_version_id", sa.Integer(), nullable=True),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], ondelete="SET NULL",
                                name=op.f("fk_plan_jobs_created_by_id_users")),
        sa.ForeignKeyConstraint(["plan_id"], ["plans.id"], ondelete="SET NULL",
                                name=op.f("fk_plan_jobs_plan_id_plans")),
        sa.ForeignKeyConstraint(["plan_version_id"], ["plan_versions.id"], ondelete="SET NULL",
                                name=op.f("fk_plan_jobs_plan_version_id_plan_versions")),
        sa.CheckConstraint(f"status IN {JOB_STATUSES!r}", name=op.f("ck_plan_jobs_status_known")),
        sa.CheckConstraint(f"kind IN {JOB_KINDS!r}", name=op.f("ck_plan_jobs_kind_known")),
        sa.CheckConstraint("end_date >= start_date", name=op.f("ck_plan_jobs_date_range")),
        sa.CheckConstraint("time_limit > 0", name=op.f("ck_plan_jobs_time_limit_positive")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_jobs")),
    )
    op.create_index(op.f("ix_plan_jobs_status"), "plan_jobs", ["status"])
    op.create_index(op.f("ix_plan_jobs_created_at"), "plan_jobs", ["created_at"])

    op.create_table(
        "plan_job_parts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("job_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("time_limit", sa.Float(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.String(200), nullable=True),
        sa.Column("worker", sa.String(200), nullable=True),
        sa.Column("pid", sa.Integer(), nullable=True),
        sa.Column("phase", sa.String(20), nullable=False),
        sa.Column("elapsed", sa.Float(), nullable=False),
        sa.Column("objective", sa.Float(), nullable=True),
        sa.Column("bound", sa.Float(), nullable=True),
        sa.Column("fraction", sa.Float(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("problem", sa.Text(), nullable=True),
        sa.Column("result", sa.Text(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["job_id"], ["plan_jobs.id"], ondelete="CASCADE",
                                name=op.f("fk_plan_job_parts_job_id_plan_jobs")),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], ondelete="SET NULL",
                                name=op.f("fk_plan_job_parts_team_id_teams")),
        sa.CheckConstraint(f"status IN {PART_STATUSES!r}", name=op.f("ck_plan_job_parts_status_known")),
        sa.UniqueConstraint("job_id", "seq", name=op.f("uq_plan_job_parts_job_id_seq")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_job_parts")),
    )
    op.create_index(op.f("ix_plan_job_parts_job_id"), "plan_job_parts", ["job_id"])
    op.create_index(op.f("ix_plan_job_parts_team_id"), "plan_job_parts", ["team_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_plan_job_parts_team_id"), table_name="plan_job_parts")
    op.drop_index(op.f("ix_plan_job_parts_job_id"), table_name="plan_job_parts")
    op.drop_table("plan_job_parts")
    op.drop_index(op.f("ix_plan_jobs_created_at"), table_name="plan_jobs")
    op.drop_index(op.f("ix_plan_jobs_status"), table_name="plan_jobs")
    op.drop_table("plan_jobs")
