"""A team's own settings for planning: today the continuity setting its plan runs use when a run does
not choose one (how faces weigh against travel, solver/objective.py). One row per team, made the first
time the team's coordinator chooses; a team without a row plans for the fewest faces."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UtcDateTime


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class TeamSettings(Base):
    __tablename__ = "team_settings"

    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True)
    # "fewest", "balanced", "travel" or a face budget "faces:N"; checked by solver.objective.weights_for,
    # so a setting the planner learns needs no migration.
    continuity: Mapped[str] = mapped_column(String(20))
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=_now, onupdate=_now)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Bumped by every change: a save made from an older read matches no row and answers 409.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}


__all__ = ["TeamSettings"]
