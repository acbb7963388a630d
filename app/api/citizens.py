"""Citizens. Names, addresses, coordinates and notes are sensitive: auditors get the redacted
form (`CitizenRedacted`) and never those fields."""

from __future__ import annotations

from fastapi import APIRouter, status

from app.api.deps import Coordinator, PagingDep, TeamIds
from app.db import SessionDep
from app.repositories.core import citizens_stmt, paginate
from app.schemas.core import CitizenCreate, CitizenOut, CitizenRedacted, CitizenUpdate, Page, RowId
from app.security import CurrentUser, can_see_personal_data, get_team_scoped
from app.services import core as svc
from models.core import Citizen, User

router = APIRouter(prefix="/api", tags=["citizens"])


def citizen_out(citizen: Citizen, user: User) -> CitizenOut | CitizenRedacted:
    if not can_see_personal_data(user):
        return CitizenRedacted.model_validate(citizen)
    return CitizenOut(
        id=citizen.id, external_id=citizen.external_id, team_id=citizen.team_id, name=citizen.name,
        address=citizen.address, lat=citizen.lat, lon=citizen.lon,
        contact_carer_id=citizen.contact_carer_id,
        avoid_carer_ids=sorted(c.id for c in citizen.avoid_carers), notes=citizen.notes,
        birth_year=citizen.birth_year,
    )


@router.get("/citizens")
def list_citizens(session: SessionDep, user: CurrentUser, paging: PagingDep, team_id: TeamIds = None,
                  contact_carer_id: RowId | None = None) -> Page[CitizenOut | CitizenRedacted]:
    stmt = citizens_stmt(user, team_ids=team_id, contact_carer_id=contact_carer_id)
    rows, total = paginate(session, stmt, limit=paging.limit, offset=paging.offset)
    return Page(items=[citizen_out(r, user) for r in rows], total=total, limit=paging.limit,
                offset=paging.offset)


@router.post("/citizens", status_code=status.HTTP_201_CREATED)
def create_citizen(body: CitizenCreate, session: SessionDep, user: Coordinator) -> CitizenOut:
    out = citizen_out(svc.create_citizen(session, data=body, user=user), user)
    assert isinstance(out, CitizenOut)
    return out


@router.get("/citizens/{citizen_id}")
def read_citizen(citizen_id: RowId, session: SessionDep, user: CurrentUser) -> CitizenOut | CitizenRedacted:
    return citizen_out(get_team_scoped(session, Citizen, citizen_id, user), user)


@router.patch("/citizens/{citizen_id}")
def update_citizen(citizen_id: RowId, body: CitizenUpdate, session: SessionDep,
                   user: Coordinator) -> CitizenOut:
    citizen = get_team_scoped(session, Citizen, citizen_id, user)
    out = citizen_out(svc.update_citizen(session, citizen=citizen, data=body, user=user), user)
    assert isinstance(out, CitizenOut)
    return out


@router.delete("/citizens/{citizen_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_citizen(citizen_id: RowId, session: SessionDep, user: Coordinator) -> None:
    svc.delete_row(session, row=get_team_scoped(session, Citizen, citizen_id, user))
