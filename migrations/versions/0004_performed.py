"""performed visits

Revision ID: 0004_performed
Revises: 0003_adjustments
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_performed"
down_revision: str | None = "0003_adjustments"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "performed_imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=300), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("created", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_performed_imports_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_performed_imports")),
    )
    with op.batch_alter_table("performed_imports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_performed_imports_sha256"), ["sha256"], unique=False)

    op.create_table(
        "performed_visits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("citizen_id", sa.Integer(), nullable=False),
        sa.Column("carer_id", sa.Integer(), nullable=False),
        sa.Column("start", sa.DateTime(timezone=False), nullable=False),
        sa.Column("end", sa.DateTime(timezone=False), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=100), nullable=True),
        sa.Column("role", sa.String(length=100), nullable=True),
        sa.Column("need", sa.String(length=100), nullable=True),
        sa.Column("import_id", sa.Integer(), nullable=True),
        sa.CheckConstraint('"end" > start', name=op.f("ck_performed_visits_ends_after_start")),
        sa.ForeignKeyConstraint(
            ["carer_id"], ["carers.id"], name=op.f("fk_performed_visits_carer_id_carers"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["citizen_id"],
            ["citizens.id"],
            name=op.f("fk_performed_visits_citizen_id_citizens"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["import_id"],
            ["performed_imports.id"],
            name=op.f("fk_performed_visits_import_id_performed_imports"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"], ["visits.id"], name=op.f("fk_performed_visits_visit_id_visits"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_performed_visits")),
        sa.UniqueConstraint(
            "citizen_id", "carer_id", "start", name=op.f("uq_performed_visits_citizen_id_carer_id_start")
        ),
    )
    with op.batch_alter_table("performed_visits", schema=None) as batch_op:
        batch_op.create_index("ix_performed_visits_start", ["start"], unique=False)
        batch_op.create_index("ix_performed_visits_carer_id_start", ["carer_id", "start"], unique=False)
        batch_op.create_index("ix_performed_visits_visit_id", ["visit_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_performed_visits_import_id"), ["import_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("performed_visits", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_performed_visits_import_id"))
        batch_op.drop_index("ix_performed_visits_visit_id")
        batch_op.drop_index("ix_performed_visits_carer_id_start")
        batch_op.drop_index("ix_performed_visits_start")
    op.drop_table("performed_visits")
    with op.batch_alter_table("performed_imports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_performed_imports_sha256"))
    op.drop_table("performed_imports")
