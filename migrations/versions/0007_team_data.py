"""the team's own data: roster patterns and exceptions, change records, assignments needing a re-plan;
citizens' end, how-notes and national-measure flag, needs' rhythm, instructions and priority, shifts'
breaks, and a version on each edited row for optimistic concurrency

Revision ID: 0007_team_data
Revises: 0006_user_identity
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_team_data"
down_revision: str | None = "0006_user_identity"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "roster_exceptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("carer_id", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("start", sa.Integer(), nullable=True),
        sa.Column("end", sa.Integer(), nullable=True),
        sa.Column("note", sa.String(length=300), nullable=True),
        sa.CheckConstraint(
            "kind IN ('leave', 'course', 'extra')", name=op.f("ck_roster_exceptions_kind_known")
        ),
        sa.CheckConstraint(
            'start IS NULL OR (start >= 0 AND "end" <= 1440 AND "end" > start)',
            name=op.f("ck_roster_exceptions_within_day"),
        ),
        sa.ForeignKeyConstraint(
            ["carer_id"], ["carers.id"], name=op.f("fk_roster_exceptions_carer_id_carers"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roster_exceptions")),
    )
    with op.batch_alter_table("roster_exceptions", schema=None) as batch_op:
        batch_op.create_index("ix_roster_exceptions_carer_id_date", ["carer_id", "date"], unique=False)

    op.create_table(
        "roster_patterns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("carer_id", sa.Integer(), nullable=False),
        sa.Column("weeks", sa.Integer(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), server_default="1", nullable=False),
        sa.CheckConstraint(
            "valid_to IS NULL OR valid_to >= valid_from", name=op.f("ck_roster_patterns_valid_range")
        ),
        sa.CheckConstraint("weeks BETWEEN 1 AND 6", name=op.f("ck_roster_patterns_weeks_range")),
        sa.ForeignKeyConstraint(
            ["carer_id"], ["carers.id"], name=op.f("fk_roster_patterns_carer_id_carers"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roster_patterns")),
    )
    with op.batch_alter_table("roster_patterns", schema=None) as batch_op:
        batch_op.create_index(
            "ix_roster_patterns_carer_id_valid_from", ["carer_id", "valid_from"], unique=False
        )

    op.create_table(
        "change_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("entity", sa.String(length=20), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("citizen_id", sa.Integer(), nullable=True),
        sa.Column("carer_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=30), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=True),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "entity IN ('citizen', 'need', 'carer', 'roster', 'user')",
            name=op.f("ck_change_records_entity_known"),
        ),
        sa.ForeignKeyConstraint(
            ["carer_id"], ["carers.id"], name=op.f("fk_change_records_carer_id_carers"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["citizen_id"],
            ["citizens.id"],
            name=op.f("fk_change_records_citizen_id_citizens"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_change_records_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name=op.f("fk_change_records_team_id_teams"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_change_records")),
    )
    with op.batch_alter_table("change_records", schema=None) as batch_op:
        batch_op.create_index("ix_change_records_carer_id", ["carer_id"], unique=False)
        batch_op.create_index("ix_change_records_citizen_id", ["citizen_id"], unique=False)
        batch_op.create_index("ix_change_records_entity_entity_id", ["entity", "entity_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_change_records_team_id"), ["team_id"], unique=False)

    op.create_table(
        "roster_pattern_shifts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pattern_id", sa.Integer(), nullable=False),
        sa.Column("week", sa.Integer(), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("break_earliest", sa.Integer(), nullable=True),
        sa.Column("break_latest", sa.Integer(), nullable=True),
        sa.Column("break_minutes", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            'break_earliest IS NULL OR (break_latest >= break_earliest AND break_minutes > 0 '
            'AND break_earliest >= start AND break_latest + break_minutes <= "end")',
            name=op.f("ck_roster_pattern_shifts_break_within"),
        ),
        sa.CheckConstraint(
            'start >= 0 AND "end" <= 1440 AND "end" > start', name=op.f("ck_roster_pattern_shifts_within_day")
        ),
        sa.CheckConstraint("week >= 0 AND week < 6", name=op.f("ck_roster_pattern_shifts_week_range")),
        sa.CheckConstraint("weekday BETWEEN 0 AND 6", name=op.f("ck_roster_pattern_shifts_weekday_range")),
        sa.ForeignKeyConstraint(
            ["pattern_id"],
            ["roster_patterns.id"],
            name=op.f("fk_roster_pattern_shifts_pattern_id_roster_patterns"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roster_pattern_shifts")),
    )
    with op.batch_alter_table("roster_pattern_shifts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_roster_pattern_shifts_pattern_id"), ["pattern_id"], unique=False)

    op.create_table(
        "replan_needs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=False),
        sa.Column("assignment_id", sa.Integer(), nullable=True),
        sa.Column("change_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_version_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["assignment_id"],
            ["assignments.id"],
            name=op.f("fk_replan_needs_assignment_id_assignments"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["change_id"],
            ["change_records.id"],
            name=op.f("fk_replan_needs_change_id_change_records"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["plans.id"], name=op.f("fk_replan_needs_plan_id_plans"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["resolved_version_id"],
            ["plan_versions.id"],
            name=op.f("fk_replan_needs_resolved_version_id_plan_versions"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"], ["visits.id"], name=op.f("fk_replan_needs_visit_id_visits"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_replan_needs")),
    )
    with op.batch_alter_table("replan_needs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_replan_needs_change_id"), ["change_id"], unique=False)
        batch_op.create_index("ix_replan_needs_plan_id_resolved", ["plan_id", "resolved_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_replan_needs_visit_id"), ["visit_id"], unique=False)

    with op.batch_alter_table("carers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("end_reason", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))

    with op.batch_alter_table("citizen_avoid_carers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reason", sa.Text(), nullable=True))

    with op.batch_alter_table("citizens", schema=None) as batch_op:
        batch_op.add_column(sa.Column("how_notes", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column("in_national_measure", sa.Boolean(), server_default=sa.true(), nullable=False)
        )
        batch_op.add_column(sa.Column("ended_from", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("end_reason", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))

    with op.batch_alter_table("needs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("every_weeks", sa.Integer(), server_default="1", nullable=False))
        batch_op.add_column(sa.Column("care_instructions", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("priority", sa.Integer(), server_default="2", nullable=False))
        batch_op.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))
        batch_op.create_check_constraint(op.f("ck_needs_every_weeks_range"), "every_weeks BETWEEN 1 AND 6")
        batch_op.create_check_constraint(op.f("ck_needs_priority_range"), "priority BETWEEN 1 AND 3")

    with op.batch_alter_table("shifts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("from_roster", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column("break_earliest", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("break_latest", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("break_minutes", sa.Integer(), nullable=True))
        batch_op.create_check_constraint(
            op.f("ck_shifts_break_within"),
            'break_earliest IS NULL OR (break_latest >= break_earliest AND break_minutes > 0 '
            'AND break_earliest >= start AND break_latest + break_minutes <= "end")',
        )


def downgrade() -> None:
    with op.batch_alter_table("shifts", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_shifts_break_within"), type_="check")
        batch_op.drop_column("break_minutes")
        batch_op.drop_column("break_latest")
        batch_op.drop_column("break_earliest")
        batch_op.drop_column("from_roster")

    with op.batch_alter_table("needs", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_needs_priority_range"), type_="check")
        batch_op.drop_constraint(op.f("ck_needs_every_weeks_range"), type_="check")
        batch_op.drop_column("version")
        batch_op.drop_column("priority")
        batch_op.drop_column("care_instructions")
        batch_op.drop_column("every_weeks")

    with op.batch_alter_table("citizens", schema=None) as batch_op:
        batch_op.drop_column("version")
        batch_op.drop_column("end_reason")
        batch_op.drop_column("ended_from")
        batch_op.drop_column("in_national_measure")
        batch_op.drop_column("how_notes")

    with op.batch_alter_table("citizen_avoid_carers", schema=None) as batch_op:
        batch_op.drop_column("reason")

    with op.batch_alter_table("carers", schema=None) as batch_op:
        batch_op.drop_column("version")
        batch_op.drop_column("end_reason")

    with op.batch_alter_table("replan_needs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_replan_needs_visit_id"))
        batch_op.drop_index("ix_replan_needs_plan_id_resolved")
        batch_op.drop_index(batch_op.f("ix_replan_needs_change_id"))

    op.drop_table("replan_needs")
    with op.batch_alter_table("roster_pattern_shifts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_roster_pattern_shifts_pattern_id"))

    op.drop_table("roster_pattern_shifts")
    with op.batch_alter_table("change_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_change_records_team_id"))
        batch_op.drop_index("ix_change_records_entity_entity_id")
        batch_op.drop_index("ix_change_records_citizen_id")
        batch_op.drop_index("ix_change_records_carer_id")

    op.drop_table("change_records")
    with op.batch_alter_table("roster_patterns", schema=None) as batch_op:
        batch_op.drop_index("ix_roster_patterns_carer_id_valid_from")

    op.drop_table("roster_patterns")
    with op.batch_alter_table("roster_exceptions", schema=None) as batch_op:
        batch_op.drop_index("ix_roster_exceptions_carer_id_date")

    op.drop_table("roster_exceptions")
