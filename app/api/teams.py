"""Teams (admins create and change them; everyone reads the teams they belong to) and the
municipality's defaults."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, status

from app.api.deps import Admin, PagingDep, TeamIds
from app.db import SessionDep
from app.repositories.core import paginate, teams_stmt
from app.schemas.core import (
    MunicipalityOut,
    MunicipalityUpdate,
    Page,
    RowId,
    TeamCreate,
    TeamOut,
    TeamUpdate,
    TravelModeName,
    TravelModeOut,
    TravelModeSet,
)
from app.security import CurrentUser, get_team_scoped
from app.services import core as svc
from models.core import Team

router = APIRouter(prefix="/api", tags=["teams"])


@router.get("/teams")
def list_teams(session: SessionDep, user: CurrentUser, paging: PagingDep,
               team_id: TeamIds = None) -> Page[TeamOut]:
    rows, total = paginate(session, teams_stmt(user, team_ids=team_id), limit=paging.limit,
                           offset=paging.offset)
    return Page(items=[TeamOut.model_validate(r) for r in rows], total=total, limit=paging.limit,
                offset=paging.offset)


@router.post("/teams", status_code=status.HTTP_201_CREATED)
def create_team(body: TeamCreate, session: SessionDep, _user: Admin) -> TeamOut:
    return TeamOut.model_validate(svc.create_team(session, data=body))


@router.get("/teams/{team_id}")
def read_team(team_id: RowId, session: SessionDep, user: CurrentUser) -> TeamOut:
    return TeamOut.model_validate(get_team_scoped(session, Team, team_id, user))


@router.patch("/teams/{team_id}")
def update_team(team_id: RowId, body: TeamUpdate, session: SessionDep, user: Admin) -> TeamOut:
    team = get_team_scoped(session, Team, team_id, user)
    return TeamOut.model_validate(svc.update_team(session, team=team, data=body))


@router.delete("/teams/{team_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_team(team_id: RowId, session: SessionDep, user: Admin) -> None:
    svc.delete_row(session, row=get_team_scoped(session, Team, team_id, user))


@router.get("/municipality")
def read_municipality(session: SessionDep, _user: CurrentUser) -> MunicipalityOut:
    return MunicipalityOut.model_validate(svc.get_municipality(session))


@router.patch("/municipality")
def update_municipality(body: MunicipalityUpdate, session: SessionDep, _user: Admin) -> MunicipalityOut:
    return MunicipalityOut.model_validate(svc.update_municipality(session, data=body))


@router.get("/municipality/travel-modes")
def list_travel_modes(session: SessionDep, _user: CurrentUser) -> list[TravelModeOut]:
    """The ways carers get about besides the car (a carer without a mode travels by car)."""
    return [TravelModeOut.model_validate(m) for m in svc.list_travel_modes(session)]


@router.put("/municipality/travel-modes/{name}")
def set_travel_mode(name: Annotated[TravelModeName, Path()], body: TravelModeSet, session: SessionDep,
                    _user: Admin) -> TravelModeOut:
    return TravelModeOut.model_validate(svc.set_travel_mode(session, name=name, data=body))
