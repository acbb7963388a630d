"""A team's own planning settings: the continuity setting its plan runs use when a run chooses none.
Everyone who sees the team reads it; its coordinators (and admins) change it, and every change is
recorded."""

from __future__ import annotations

from fastapi import APIRouter

from app.api.deps import Coordinator
from app.api.team_data import TeamReader, changes_out
from app.db import SessionDep
from app.repositories import team_data as records_repo
from app.schemas.core import RowId
from app.schemas.team_data import ChangeRecordOut
from app.schemas.team_settings import TeamSettingsIn, TeamSettingsOut
from app.security import CurrentUser, get_team_scoped
from app.services import team_settings as svc
from models.core import Team
from models.team_data import ENTITY_TEAM

router = APIRouter(prefix="/api", tags=["teams"])


def _out(view: svc.TeamSettingsView) -> TeamSettingsOut:
    return TeamSettingsOut(team_id=view.team_id, continuity=view.continuity, chosen=view.chosen,
                           version=view.version, updated_at=view.updated_at)


@router.get("/teams/{team_id}/settings")
def read_team_settings(team_id: RowId, session: SessionDep, user: CurrentUser) -> TeamSettingsOut:
    team = get_team_scoped(session, Team, team_id, user)
    return _out(svc.team_settings(session, team=team))


@router.put("/teams/{team_id}/settings")
def set_team_settings(team_id: RowId, body: TeamSettingsIn, session: SessionDep,
                      user: Coordinator) -> TeamSettingsOut:
    """Choose the team's default continuity setting (a run may still choose another)."""
    team = get_team_scoped(session, Team, team_id, user)
    return _out(svc.set_continuity(session, team=team, continuity=body.continuity, user=user,
                                   version=body.version))


@router.get("/teams/{team_id}/settings/changes")
def team_settings_changes(team_id: RowId, session: SessionDep, user: TeamReader) -> list[ChangeRecordOut]:
    """Every recorded change to the team's settings, newest first: who, when, before, after."""
    team = get_team_scoped(session, Team, team_id, user)
    return changes_out(session, list(records_repo.change_records(session, entity=ENTITY_TEAM,
                                                                 entity_id=team.id)))
