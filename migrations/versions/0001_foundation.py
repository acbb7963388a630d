"""Foundation: municipality, teams, users, carers, shifts, citizens, needs, visits,
instance imports, plans with versions, assignments and unplaced visits.

Revision ID: 0001_foundation
Revises:
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001_foundation"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "municipality",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("max_carers_per_month", sa.Integer(), nullable=False),
        sa.Column("travel_speed_kmh", sa.Float(), nullable=False),
        sa.Column("travel_detour_factor", sa.Float(), nullable=False),
        sa.CheckConstraint("max_carers_per_month >= 1", name=op.f("ck_municipality_max_carers_positive")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_municipality")),
    )
    op.create_table(
        "plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=200), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("end_date >= start_date", name=op.f("ck_plans_date_range")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plans")),
        sa.UniqueConstraint("external_id", name=op.f("uq_plans_external_id")),
    )
    op.create_table(
        "teams",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=200), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("base_address", sa.String(length=300), nullable=True),
        sa.Column("max_carers_per_month", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "max_carers_per_month IS NULL OR max_carers_per_month >= 1",
            name=op.f("ck_teams_max_carers_positive"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_teams")),
        sa.UniqueConstraint("external_id", name=op.f("uq_teams_external_id")),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("full_name", sa.String(length=200), nullable=True),
        sa.Column("password_hash", sa.String(length=300), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "role IN ('member', 'coordinator', 'auditor', 'admin')", name=op.f("ck_users_role_known")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    op.create_table(
        "carers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=200), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("skills", sa.JSON(), nullable=False),
        sa.Column("contracted_minutes_per_week", sa.Integer(), nullable=True),
        sa.Column("active_from", sa.Date(), nullable=True),
        sa.Column("active_to", sa.Date(), nullable=True),
        sa.CheckConstraint(
            "active_to IS NULL OR active_from IS NULL OR active_to >= active_from",
            name=op.f("ck_carers_active_range"),
        ),
        sa.CheckConstraint(
            "contracted_minutes_per_week IS NULL OR contracted_minutes_per_week >= 0",
            name=op.f("ck_carers_contract_not_negative"),
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name=op.f("fk_carers_team_id_teams"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_carers")),
        sa.UniqueConstraint("external_id", name=op.f("uq_carers_external_id")),
    )
    with op.batch_alter_table("carers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_carers_team_id"), ["team_id"], unique=False)

    op.create_table(
        "instance_imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("max_carers_per_month", sa.Integer(), nullable=False),
        sa.Column("travel", sa.JSON(), nullable=False),
        sa.Column("team_ids", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_instance_imports_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_instance_imports")),
    )
    op.create_table(
        "plan_teams",
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["plans.id"], name=op.f("fk_plan_teams_plan_id_plans"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name=op.f("fk_plan_teams_team_id_teams"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("plan_id", "team_id", name=op.f("pk_plan_teams")),
    )
    op.create_table(
        "plan_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("accepted_by_id", sa.Integer(), nullable=True),
        sa.Column("inputs", sa.JSON(), nullable=False),
        sa.Column("objective", sa.Float(), nullable=True),
        sa.Column("stats", sa.JSON(), nullable=False),
        sa.CheckConstraint(
            "status IN ('draft', 'accepted', 'superseded')", name=op.f("ck_plan_versions_status_known")
        ),
        sa.ForeignKeyConstraint(
            ["accepted_by_id"],
            ["users.id"],
            name=op.f("fk_plan_versions_accepted_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_plan_versions_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["plans.id"], name=op.f("fk_plan_versions_plan_id_plans"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_versions")),
        sa.UniqueConstraint("plan_id", "number", name=op.f("uq_plan_versions_plan_id_number")),
    )
    with op.batch_alter_table("plan_versions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_versions_plan_id"), ["plan_id"], unique=False)

    op.create_table(
        "user_teams",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name=op.f("fk_user_teams_team_id_teams"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_user_teams_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "team_id", name=op.f("pk_user_teams")),
    )
    op.create_table(
        "citizens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=200), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("address", sa.String(length=300), nullable=True),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("contact_carer_id", sa.Integer(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("birth_year", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["contact_carer_id"],
            ["carers.id"],
            name=op.f("fk_citizens_contact_carer_id_carers"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name=op.f("fk_citizens_team_id_teams"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_citizens")),
        sa.UniqueConstraint("external_id", name=op.f("uq_citizens_external_id")),
    )
    with op.batch_alter_table("citizens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_citizens_contact_carer_id"), ["contact_carer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_citizens_team_id"), ["team_id"], unique=False)

    op.create_table(
        "shifts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("carer_id", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.CheckConstraint('"end" > start', name=op.f("ck_shifts_ends_after_start")),
        sa.CheckConstraint('start >= 0 AND "end" <= 1440', name=op.f("ck_shifts_within_day")),
        sa.ForeignKeyConstraint(
            ["carer_id"], ["carers.id"], name=op.f("fk_shifts_carer_id_carers"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shifts")),
    )
    with op.batch_alter_table("shifts", schema=None) as batch_op:
        batch_op.create_index("ix_shifts_carer_id_date", ["carer_id", "date"], unique=False)
        batch_op.create_index("ix_shifts_date", ["date"], unique=False)

    op.create_table(
        "citizen_avoid_carers",
        sa.Column("citizen_id", sa.Integer(), nullable=False),
        sa.Column("carer_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["carer_id"],
            ["carers.id"],
            name=op.f("fk_citizen_avoid_carers_carer_id_carers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["citizen_id"],
            ["citizens.id"],
            name=op.f("fk_citizen_avoid_carers_citizen_id_citizens"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("citizen_id", "carer_id", name=op.f("pk_citizen_avoid_carers")),
    )
    op.create_table(
        "needs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=200), nullable=False),
        sa.Column("citizen_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=100), nullable=False),
        sa.Column("weekdays", sa.JSON(), nullable=False),
        sa.Column("earliest", sa.Integer(), nullable=False),
        sa.Column("latest", sa.Integer(), nullable=False),
        sa.Column("duration", sa.Integer(), nullable=False),
        sa.Column("carers", sa.Integer(), nullable=False),
        sa.Column("skills", sa.JSON(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("replaces_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("carers IN (1, 2)", name=op.f("ck_needs_one_or_two_carers")),
        sa.CheckConstraint(
            "duration > 0 AND earliest + duration <= 1440", name=op.f("ck_needs_duration_fits_day")
        ),
        sa.CheckConstraint(
            "earliest >= 0 AND latest <= 1440 AND latest >= earliest", name=op.f("ck_needs_window")
        ),
        sa.CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name=op.f("ck_needs_valid_range")),
        sa.ForeignKeyConstraint(
            ["citizen_id"], ["citizens.id"], name=op.f("fk_needs_citizen_id_citizens"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["replaces_id"], ["needs.id"], name=op.f("fk_needs_replaces_id_needs"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_needs")),
        sa.UniqueConstraint("external_id", name=op.f("uq_needs_external_id")),
    )
    with op.batch_alter_table("needs", schema=None) as batch_op:
        batch_op.create_index("ix_needs_citizen_id_kind", ["citizen_id", "kind"], unique=False)

    op.create_table(
        "visits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=200), nullable=False),
        sa.Column("citizen_id", sa.Integer(), nullable=False),
        sa.Column("need_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=100), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("earliest", sa.Integer(), nullable=False),
        sa.Column("latest", sa.Integer(), nullable=False),
        sa.Column("duration", sa.Integer(), nullable=False),
        sa.Column("carers", sa.Integer(), nullable=False),
        sa.Column("skills", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.CheckConstraint("status IN ('planned', 'cancelled')", name=op.f("ck_visits_status_known")),
        sa.CheckConstraint("carers IN (1, 2)", name=op.f("ck_visits_one_or_two_carers")),
        sa.CheckConstraint(
            "duration > 0 AND earliest + duration <= 1440", name=op.f("ck_visits_duration_fits_day")
        ),
        sa.CheckConstraint(
            "earliest >= 0 AND latest <= 1440 AND latest >= earliest", name=op.f("ck_visits_window")
        ),
        sa.ForeignKeyConstraint(
            ["citizen_id"], ["citizens.id"], name=op.f("fk_visits_citizen_id_citizens"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["need_id"], ["needs.id"], name=op.f("fk_visits_need_id_needs"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visits")),
        sa.UniqueConstraint("external_id", name=op.f("uq_visits_external_id")),
    )
    with op.batch_alter_table("visits", schema=None) as batch_op:
        batch_op.create_index("ix_visits_citizen_id_date", ["citizen_id", "date"], unique=False)
        batch_op.create_index("ix_visits_date", ["date"], unique=False)
        batch_op.create_index("ix_visits_need_id", ["need_id"], unique=False)

    op.create_table(
        "assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_version_id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("pinned", sa.Boolean(), nullable=False),
        sa.CheckConstraint("start >= 0 AND start <= 1440", name=op.f("ck_assignments_start_within_day")),
        sa.ForeignKeyConstraint(
            ["plan_version_id"],
            ["plan_versions.id"],
            name=op.f("fk_assignments_plan_version_id_plan_versions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"], ["visits.id"], name=op.f("fk_assignments_visit_id_visits"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignments")),
        sa.UniqueConstraint(
            "plan_version_id", "visit_id", name=op.f("uq_assignments_plan_version_id_visit_id")
        ),
    )
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.create_index("ix_assignments_visit_id", ["visit_id"], unique=False)

    op.create_table(
        "unplaced_visits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_version_id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_version_id"],
            ["plan_versions.id"],
            name=op.f("fk_unplaced_visits_plan_version_id_plan_versions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"], ["visits.id"], name=op.f("fk_unplaced_visits_visit_id_visits"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unplaced_visits")),
        sa.UniqueConstraint(
            "plan_version_id", "visit_id", name=op.f("uq_unplaced_visits_plan_version_id_visit_id")
        ),
    )
    with op.batch_alter_table("unplaced_visits", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_unplaced_visits_visit_id"), ["visit_id"], unique=False)

    op.create_table(
        "assignment_carers",
        sa.Column("assignment_id", sa.Integer(), nullable=False),
        sa.Column("carer_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assignment_id"],
            ["assignments.id"],
            name=op.f("fk_assignment_carers_assignment_id_assignments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["carer_id"],
            ["carers.id"],
            name=op.f("fk_assignment_carers_carer_id_carers"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("assignment_id", "carer_id", name=op.f("pk_assignment_carers")),
    )
    with op.batch_alter_table("assignment_carers", schema=None) as batch_op:
        batch_op.create_index("ix_assignment_carers_carer_id", ["carer_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("assignment_carers", schema=None) as batch_op:
        batch_op.drop_index("ix_assignment_carers_carer_id")

    op.drop_table("assignment_carers")
    with op.batch_alter_table("unplaced_visits", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_unplaced_visits_visit_id"))

    op.drop_table("unplaced_visits")
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.drop_index("ix_assignments_visit_id")

    op.drop_table("assignments")
    with op.batch_alter_table("visits", schema=None) as batch_op:
        batch_op.drop_index("ix_visits_need_id")
        batch_op.drop_index("ix_visits_date")
        batch_op.drop_index("ix_visits_citizen_id_date")

    op.drop_table("visits")
    with op.batch_alter_table("needs", schema=None) as batch_op:
        batch_op.drop_index("ix_needs_citizen_id_kind")

    op.drop_table("needs")
    op.drop_table("citizen_avoid_carers")
    with op.batch_alter_table("shifts", schema=None) as batch_op:
        batch_op.drop_index("ix_shifts_date")
        batch_op.drop_index("ix_shifts_carer_id_date")

    op.drop_table("shifts")
    with op.batch_alter_table("citizens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_citizens_team_id"))
        batch_op.drop_index(batch_op.f("ix_citizens_contact_carer_id"))

    op.drop_table("citizens")
    op.drop_table("user_teams")
    with op.batch_alter_table("plan_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_versions_plan_id"))

    op.drop_table("plan_versions")
    op.drop_table("plan_teams")
    op.drop_table("instance_imports")
    with op.batch_alter_table("carers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_carers_team_id"))

    op.drop_table("carers")
    op.drop_table("users")
    op.drop_table("teams")
    op.drop_table("plans")
    op.drop_table("municipality")
