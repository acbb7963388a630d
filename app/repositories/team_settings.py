"""Queries for a team's own planning settings."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.team_settings import TeamSettings


def settings_of(session: Session, team_id: int) -> TeamSettings | None:
    return session.get(TeamSettings, team_id)


def continuity_of_teams(session: Session, team_ids: Iterable[int]) -> dict[int, str]:
    """The continuity setting each of these teams chose (teams that never chose are left out)."""
    ids = sorted(set(team_ids))
    if not ids:
        return {}
    rows = session.execute(select(TeamSettings.team_id, TeamSettings.continuity)
                           .where(TeamSettings.team_id.in_(ids)))
    return {int(t): str(c) for t, c in rows}
