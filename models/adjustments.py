"""Daily adjustments and re-plans: the change log, re-plan previews, and the plan head.

- `Adjustment`: one entry of the change log: who, when, what (`change`, a homecare-changes/1 change with
  days counted from the plan's start date, or a pin, unpin or hand move) and why (`reason`). Changes to
  needs and staff wait as `pending` until a re-plan that includes them is applied (then `applied`), or
  are withdrawn; pins and hand moves act on the plan at once (`done`).
- `ReplanPreview`: a re-plan a coordinator has not yet decided on: the new plan and its diff against
  the version it started from. Applying it makes one new plan version, atomically, or fails with 409 if
  the plan moved on meanwhile; discarding it changes nothing else.
- `PlanHead`: one row per plan holding its version in force and a `revision` that every change to it
  bumps (a new version, a pin, a hand move). SQLAlchemy uses `revision` as the row's version counter, so
  an UPDATE from a stale read matches no row and fails; services also lock the row (SELECT ... FOR
  UPDATE) so two coordinators applying at once are served one after the other, the second with 409.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Date, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UtcDateTime

ADJ_PENDING = "pending"  # recorded; the plan does not follow it yet
ADJ_APPLIED = "applied"  # a re-plan that includes it was applied
ADJ_WITHDRAWN = "withdrawn"  # taken back before any re-plan applied it
ADJ_DONE = "done"  # pins, unpins and hand moves: they change the plan when made
ADJUSTMENT_STATUSES = (ADJ_PENDING, ADJ_APPLIED, ADJ_WITHDRAWN, ADJ_DONE)

KIND_PIN = "pin"
KIND_UNPIN = "unpin"
KIND_HAND_MOVE = "hand_move"

PREVIEW_READY = "ready"
PREVIEW_APPLIED = "applied"
PREVIEW_DISCARDED = "discarded"
PREVIEW_STALE = "stale"  # the plan moved on before it was applied (409)
PREVIEW_STATUSES = (PREVIEW_READY, PREVIEW_APPLIED, PREVIEW_DISCARDED, PREVIEW_STALE)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class PlanHead(Base):
    __tablename__ = "plan_heads"

    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), primary_key=True)
    head_version_id: Mapped[int | None] = mapped_column(ForeignKey("plan_versions.id", ondelete="SET NULL"))
    revision: Mapped[int] = mapped_column(Integer, nullable=False)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=_now)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    __mapper_args__ = {"version_id_col": revision}


class Adjustment(Base):
    __tablename__ = "adjustments"
    __table_args__ = (
        CheckConstraint(f"status IN {ADJUSTMENT_STATUSES!r}", name="status_known"),
        CheckConstraint("date_to IS NULL OR date_from IS NULL OR date_to >= date_from", name="date_range"),
        Index("ix_adjustments_plan_id_status", "plan_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"))
    # The team the change concerns (the carer's, the citizen's): who may see it.
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    # A homecare-changes/1 change (days from the plan's start date), or for pins and hand moves
    # {"visit", "carers", "start", "before": {...}}.
    change: Mapped[dict[str, Any]] = mapped_column(JSON)
    date_from: Mapped[dt.date | None] = mapped_column(Date)
    date_to: Mapped[dt.date | None] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default=ADJ_PENDING)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=_now)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The version a pin or hand move edited, or the version a re-plan including it created.
    version_id: Mapped[int | None] = mapped_column(ForeignKey("plan_versions.id", ondelete="SET NULL"))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class ReplanPreview(Base):
    __tablename__ = "replan_previews"
    __table_args__ = (
        CheckConstraint(f"status IN {PREVIEW_STATUSES!r}", name="status_known"),
        CheckConstraint("to_day >= from_day", name="day_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    base_version_id: Mapped[int] = mapped_column(ForeignKey("plan_versions.id", ondelete="CASCADE"))
    base_revision: Mapped[int] = mapped_column(Integer)
    from_day: Mapped[int] = mapped_column(Integer)  # re-plan days, counted from the plan's start date
    to_day: Mapped[int] = mapped_column(Integer)
    adjustment_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    plan_doc: Mapped[dict[str, Any]] = mapped_column(JSON)  # the new plan, homecare-plan/1
    diff: Mapped[dict[str, Any]] = mapped_column(JSON)
    seconds: Mapped[float] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(20), default=PREVIEW_READY)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=_now)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    applied_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("plan_versions.id", ondelete="SET NULL"))
    message: Mapped[str | None] = mapped_column(Text)


__all__ = ["Adjustment", "PlanHead", "ReplanPreview"]
