"""Queries for a team's own planning settings, and for the accepted plans its drafts are weighed against."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.core import PLAN_ACCEPTED, Plan, PlanVersion, plan_teams
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


def accepted_versions_of_teams(session: Session, team_ids: Iterable[int], *,
                               limit: int = 50) -> list[tuple[PlanVersion, Plan]]:
    """The accepted versions of plans covering any of these teams, the latest-starting plan first."""
    ids = sorted(set(team_ids))
    if not ids:
        return []
    rows = session.execute(
        select(PlanVersion, Plan).join(Plan, Plan.id == PlanVersion.plan_id)
        .join(plan_teams, plan_teams.c.plan_id == Plan.id)
        .where(plan_teams.c.team_id.in_(ids), PlanVersion.status == PLAN_ACCEPTED)
        .order_by(Plan.start_date.desc(), PlanVersion.number.desc(), PlanVersion.id.desc())
        .limit(limit)).all()
    return list(dict.fromkeys((v, p) for v, p in rows))
