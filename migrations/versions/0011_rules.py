"""the optional rules: travel modes (walk, bike) and the carers who use them, an extra shift's break
window, visits' priority (carried from their need), needs spaced from another need, and imported spaced
visits

Revision ID: 0011_rules
Revises: 0010_data_rights
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_rules"
down_revision: str | None = "0010_data_rights"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Every municipality starts with the two ways Swedish town-centre teams get about besides the car
# (FORMAT.md's example speeds); the team may change them, and an imported instance sets its own.
DEFAULT_MODES = (("walk", 4.5, 1.3), ("bike", 14.0, 1.3))


def upgrade() -> None:
    modes = op.create_table(
        "travel_modes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("speed_kmh", sa.Float(), nullable=False),
        sa.Column("detour_factor", sa.Float(), nullable=False),
        sa.CheckConstraint("speed_kmh > 0", name=op.f("ck_travel_modes_speed_positive")),
        sa.CheckConstraint("detour_factor > 0", name=op.f("ck_travel_modes_detour_positive")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_travel_modes")),
        sa.UniqueConstraint("name", name=op.f("uq_travel_modes_name")),
    )
    op.bulk_insert(modes, [{"name": n, "speed_kmh": s, "detour_factor": d} for n, s, d in DEFAULT_MODES])
    op.create_table(
        "travel_mode_legs",
        sa.Column("mode_id", sa.Integer(), nullable=False),
        sa.Column("origin", sa.String(length=200), nullable=False),
        sa.Column("destination", sa.String(length=200), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.CheckConstraint("minutes >= 0", name=op.f("ck_travel_mode_legs_minutes_not_negative")),
        sa.ForeignKeyConstraint(["mode_id"], ["travel_modes.id"], ondelete="CASCADE",
                                name=op.f("fk_travel_mode_legs_mode_id_travel_modes")),
        sa.PrimaryKeyConstraint("mode_id", "origin", "destination", name=op.f("pk_travel_mode_legs")),
    )
    with op.batch_alter_table("carers") as batch_op:
        batch_op.add_column(sa.Column("travel_mode", sa.String(length=50), nullable=True))
        batch_op.create_foreign_key(op.f("fk_carers_travel_mode_travel_modes"), "travel_modes",
                                    ["travel_mode"], ["name"], ondelete="SET NULL", onupdate="CASCADE")
    with op.batch_alter_table("roster_exceptions") as batch_op:
        batch_op.add_column(sa.Column("break_earliest", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("break_latest", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("break_minutes", sa.Integer(), nullable=True))
        batch_op.create_check_constraint(
            op.f("ck_roster_exceptions_break_within"),
            'break_earliest IS NULL OR (start IS NOT NULL AND break_latest >= break_earliest '
            'AND break_minutes > 0 AND break_earliest >= start AND break_latest + break_minutes <= "end")',
        )
    with op.batch_alter_table("needs") as batch_op:
        batch_op.add_column(sa.Column("spaced_from_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("min_gap", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("max_gap", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(op.f("fk_needs_spaced_from_id_needs"), "needs", ["spaced_from_id"],
                                    ["id"], ondelete="SET NULL")
        batch_op.create_check_constraint(
            op.f("ck_needs_spacing"),
            "spaced_from_id IS NULL OR (spaced_from_id <> id AND min_gap >= 0 "
            "AND (max_gap IS NULL OR max_gap >= min_gap))",
        )
    with op.batch_alter_table("visits") as batch_op:
        batch_op.add_column(sa.Column("priority", sa.Integer(), server_default="1", nullable=False))
        batch_op.create_check_constraint(op.f("ck_visits_priority_range"), "priority BETWEEN 1 AND 3")
    # A visit made from a need keeps the priority the team gave that need.
    op.execute("UPDATE visits SET priority = "
               "(SELECT needs.priority FROM needs WHERE needs.id = visits.need_id) WHERE need_id IS NOT NULL")
    op.create_table(
        "visit_dependencies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("first_visit_id", sa.Integer(), nullable=False),
        sa.Column("then_visit_id", sa.Integer(), nullable=False),
        sa.Column("min_gap", sa.Integer(), nullable=False),
        sa.Column("max_gap", sa.Integer(), nullable=True),
        sa.CheckConstraint("first_visit_id <> then_visit_id", name=op.f("ck_visit_dependencies_two_visits")),
        sa.CheckConstraint("min_gap >= 0 AND (max_gap IS NULL OR max_gap >= min_gap)",
                           name=op.f("ck_visit_dependencies_gaps")),
        sa.ForeignKeyConstraint(["first_visit_id"], ["visits.id"], ondelete="CASCADE",
                                name=op.f("fk_visit_dependencies_first_visit_id_visits")),
        sa.ForeignKeyConstraint(["then_visit_id"], ["visits.id"], ondelete="CASCADE",
                                name=op.f("fk_visit_dependencies_then_visit_id_visits")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visit_dependencies")),
        sa.UniqueConstraint("first_visit_id", "then_visit_id",
                            name=op.f("uq_visit_dependencies_first_visit_id_then_visit_id")),
    )
    op.create_index("ix_visit_dependencies_then_visit_id", "visit_dependencies", ["then_visit_id"])


def downgrade() -> None:
    op.drop_index("ix_visit_dependencies_then_visit_id", table_name="visit_dependencies")
    op.drop_table("visit_dependencies")
    with op.batch_alter_table("visits") as batch_op:
        batch_op.drop_constraint(op.f("ck_visits_priority_range"), type_="check")
        batch_op.drop_column("priority")
    with op.batch_alter_table("needs") as batch_op:
        batch_op.drop_constraint(op.f("ck_needs_spacing"), type_="check")
        batch_op.drop_constraint(op.f("fk_needs_spaced_from_id_needs"), type_="foreignkey")
        batch_op.drop_column("max_gap")
        batch_op.drop_column("min_gap")
        batch_op.drop_column("spaced_from_id")
    with op.batch_alter_table("roster_exceptions") as batch_op:
        batch_op.drop_constraint(op.f("ck_roster_exceptions_break_within"), type_="check")
        batch_op.drop_column("break_minutes")
        batch_op.drop_column("break_latest")
        batch_op.drop_column("break_earliest")
    with op.batch_alter_table("carers") as batch_op:
        batch_op.drop_constraint(op.f("fk_carers_travel_mode_travel_modes"), type_="foreignkey")
        batch_op.drop_column("travel_mode")
    op.drop_table("travel_mode_legs")
    op.drop_table("travel_modes")
