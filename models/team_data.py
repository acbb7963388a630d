"""The team's own data kept over time: roster patterns with their dated exceptions, the record of every
change to citizens, needs, carers, rosters and users, and the assignments a change left needing a
re-plan.

- `RosterPattern`: a carer's shifts repeating over 1-6 weeks from `valid_from` (to `valid_to`); week 0
  is the week `valid_from` falls in. A change from a date D ends the pattern the day before and starts
  a new one on D, as needs do. The shifts it makes are `Shift` rows with `from_roster` set.
- `RosterException`: one date that differs from the pattern: leave or a course (no shifts that day) or
  an extra shift (added to the day).
- `ChangeRecord`: who changed what, when, from which date, before and after (JSON of the fields).
- `ReplanNeed`: an assignment of an accepted plan that a change made wrong (the visit moved, the carer
  ended, the citizen left). It is not deleted: the adjust page lists it with the change that caused it,
  and the next applied re-plan whose days cover it resolves it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, UtcDateTime
from models.core import MINUTES_PER_DAY

EXCEPTION_LEAVE = "leave"
EXCEPTION_COURSE = "course"
EXCEPTION_EXTRA = "extra"
EXCEPTION_KINDS = (EXCEPTION_LEAVE, EXCEPTION_COURSE, EXCEPTION_EXTRA)

CITIZEN_END_REASONS = ("moved", "deceased", "nursing_home", "other")

ENTITY_CITIZEN = "citizen"
ENTITY_NEED = "need"
ENTITY_CARER = "carer"
ENTITY_ROSTER = "roster"
ENTITY_USER = "user"
ENTITY_TEAM = "team"  # the team's own settings (its continuity setting)
ENTITIES = (ENTITY_CITIZEN, ENTITY_NEED, ENTITY_CARER, ENTITY_ROSTER, ENTITY_USER, ENTITY_TEAM)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class RosterPattern(Base):
    __tablename__ = "roster_patterns"
    __table_args__ = (
        CheckConstraint("weeks BETWEEN 1 AND 6", name="weeks_range"),
        CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name="valid_range"),
        Index("ix_roster_patterns_carer_id_valid_from", "carer_id", "valid_from"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    carer_id: Mapped[int] = mapped_column(ForeignKey("carers.id", ondelete="CASCADE"))
    weeks: Mapped[int] = mapped_column(Integer)
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)
    # Bumped by every change: a save made from an older read matches no row and answers 409.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    shifts: Mapped[list[RosterPatternShift]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, lazy="selectin",
        order_by="(RosterPatternShift.week, RosterPatternShift.weekday, RosterPatternShift.start)")

    __mapper_args__ = {"version_id_col": version}


class RosterPatternShift(Base):
    """One shift of a pattern: in week `week` (0-based) on weekday `weekday` (Monday 0)."""

    __tablename__ = "roster_pattern_shifts"
    __table_args__ = (
        CheckConstraint("week >= 0 AND week < 6", name="week_range"),
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_range"),
        CheckConstraint(f"start >= 0 AND \"end\" <= {MINUTES_PER_DAY} AND \"end\" > start",
                        name="within_day"),
        CheckConstraint("break_earliest IS NULL OR (break_latest >= break_earliest AND break_minutes > 0 "
                        "AND break_earliest >= start AND break_latest + break_minutes <= \"end\")",
                        name="break_within"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pattern_id: Mapped[int] = mapped_column(ForeignKey("roster_patterns.id", ondelete="CASCADE"), index=True)
    week: Mapped[int] = mapped_column(Integer)
    weekday: Mapped[int] = mapped_column(Integer)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    break_earliest: Mapped[int | None] = mapped_column(Integer)
    break_latest: Mapped[int | None] = mapped_column(Integer)
    break_minutes: Mapped[int | None] = mapped_column(Integer)


class RosterException(Base):
    __tablename__ = "roster_exceptions"
    __table_args__ = (
        CheckConstraint(f"kind IN {EXCEPTION_KINDS!r}", name="kind_known"),
        CheckConstraint(f"start IS NULL OR (start >= 0 AND \"end\" <= {MINUTES_PER_DAY} AND \"end\" > start)",
                        name="within_day"),
        CheckConstraint("break_earliest IS NULL OR (start IS NOT NULL AND break_latest >= break_earliest "
                        "AND break_minutes > 0 AND break_earliest >= start "
                        "AND break_latest + break_minutes <= \"end\")",
                        name="break_within"),
        Index("ix_roster_exceptions_carer_id_date", "carer_id", "date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    carer_id: Mapped[int] = mapped_column(ForeignKey("carers.id", ondelete="CASCADE"))
    date: Mapped[dt.date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(20))
    # An extra shift's hours; leave and courses take the whole day off the pattern.
    start: Mapped[int | None] = mapped_column(Integer)
    end: Mapped[int | None] = mapped_column(Integer)
    # An extra shift's break window, as a pattern shift's.
    break_earliest: Mapped[int | None] = mapped_column(Integer)
    break_latest: Mapped[int | None] = mapped_column(Integer)
    break_minutes: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(String(300))


class ChangeRecord(Base):
    __tablename__ = "change_records"
    __table_args__ = (
        CheckConstraint(f"entity IN {ENTITIES!r}", name="entity_known"),
        Index("ix_change_records_entity_entity_id", "entity", "entity_id"),
        Index("ix_change_records_citizen_id", "citizen_id"),
        Index("ix_change_records_carer_id", "carer_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"), index=True)
    entity: Mapped[str] = mapped_column(String(20))
    entity_id: Mapped[int] = mapped_column(Integer)
    # The citizen or carer whose page shows the change (a need's citizen, a roster's carer).
    citizen_id: Mapped[int | None] = mapped_column(ForeignKey("citizens.id", ondelete="CASCADE"))
    carer_id: Mapped[int | None] = mapped_column(ForeignKey("carers.id", ondelete="CASCADE"))
    action: Mapped[str] = mapped_column(String(30))  # created, changed, ended, imported ...
    effective_from: Mapped[dt.date | None] = mapped_column(Date)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=_now)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class ReplanNeed(Base):
    __tablename__ = "replan_needs"
    __table_args__ = (Index("ix_replan_needs_plan_id_resolved", "plan_id", "resolved_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"))
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id", ondelete="CASCADE"), index=True)
    assignment_id: Mapped[int | None] = mapped_column(ForeignKey("assignments.id", ondelete="SET NULL"))
    change_id: Mapped[int] = mapped_column(ForeignKey("change_records.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=_now)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    resolved_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("plan_versions.id", ondelete="SET NULL"))


__all__ = ["ChangeRecord", "ReplanNeed", "RosterException", "RosterPattern", "RosterPatternShift"]
