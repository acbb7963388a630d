"""Citizens. Names, addresses, coordinates and notes are sensitive: auditors get the redacted
form (`CitizenRedacted`) and never those fields."""

from __future__ import annotations

from fastapi import APIRouter, status
from sqlalchemy.orm import Session

from app.api.deps import Coordinator, PagingDep, ReadLogDep, TeamIds
from app.db import SessionDep
from app.repositories.core import citizens_stmt, paginate
from app.schemas.core import (
    CitizenCreate,
    CitizenEnd,
    CitizenOut,
    CitizenRedacted,
    CitizenUpdate,
    Page,
    RowId,
)
from app.security import CurrentUser, can_see_personal_data, get_team_scoped
from app.services import core as svc
from app.services.team_data import citizens as citizens_svc
from models.core import Citizen, User

router = APIRouter(prefix="/api", tags=["citizens"])


def citizen_out(session: Session, citizen: Citizen, user: User) -> CitizenOut | CitizenRedacted:
    if not can_see_personal_data(user):
        return CitizenRedacted.model_validate(citizen)
    return CitizenOut(
        id=citizen.id, external_id=citizen.external_id, team_id=citizen.team_id, name=citizen.name,
        address=citizen.address, lat=citizen.lat, lon=citizen.lon,
        contact_carer_id=citizen.contact_carer_id,
        avoid_carer_ids=sorted(c.id for c in citizen.avoid_carers), notes=citizen.notes,
        birth_year=citizen.birth_year, how_notes=citizen.how_notes,
        in_national_measure=citizen.in_national_measure,
        avoid_reasons=svc.avoid_reasons(session, citizen_id=citizen.id),
        ended_from=citizen.ended_from, end_reason=citizen.end_reason, version=citizen.version,
    )


@router.get("/citizens")
def list_citizens(session: SessionDep, user: CurrentUser, paging: PagingDep, reads: ReadLogDep,
                  team_id: TeamIds = None,
                  contact_carer_id: RowId | None = None) -> Page[CitizenOut | CitizenRedacted]:
    stmt = citizens_stmt(user, team_ids=team_id, contact_carer_id=contact_carer_id)
    rows, total = paginate(session, stmt, limit=paging.limit, offset=paging.offset)
    reads.citizens(user=user, citizen_ids=[r.id for r in rows], what="api citizens")
    return Page(items=[citizen_out(session, r, user) for r in rows], total=total, limit=paging.limit,
                offset=paging.offset)


@router.post("/citizens", status_code=status.HTTP_201_CREATED)
def create_citizen(body: CitizenCreate, session: SessionDep, user: Coordinator) -> CitizenOut:
    out = citizen_out(session, citizens_svc.register_citizen(session, data=body, user=user), user)
    assert isinstance(out, CitizenOut)
    return out


@router.get("/citizens/{citizen_id}")
def read_citizen(citizen_id: RowId, session: SessionDep, user: CurrentUser,
                 reads: ReadLogDep) -> CitizenOut | CitizenRedacted:
    citizen = get_team_scoped(session, Citizen, citizen_id, user)
    reads.citizens(user=user, citizen_ids=[citizen.id], what="api citizen")
    return citizen_out(session, citizen, user)


@router.post("/citizens/{citizen_id}/end")
def end_citizen(citizen_id: RowId, body: CitizenEnd, session: SessionDep, user: Coordinator) -> CitizenOut:
    """The citizen's care ends from a date (moved, deceased, nursing home): no visits from that date;
    accepted assignments of the cancelled visits are listed as needing a re-plan."""
    citizen = get_team_scoped(session, Citizen, citizen_id, user)
    out = citizen_out(session, citizens_svc.end_citizen(session, citizen=citizen, data=body, user=user), user)
    assert isinstance(out, CitizenOut)
    return out


@router.patch("/citizens/{citizen_id}")
def update_citizen(citizen_id: RowId, body: CitizenUpdate, session: SessionDep,
                   user: Coordinator) -> CitizenOut:
    citizen = get_team_scoped(session, Citizen, citizen_id, user)
    edited = citizens_svc.edit_citizen(session, citizen=citizen, data=body, user=user)
    out = citizen_out(session, edited, user)
    assert isinstance(out, CitizenOut)
    return out


@router.delete("/citizens/{citizen_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_citizen(citizen_id: RowId, session: SessionDep, user: Coordinator) -> None:
    """Only a citizen registered by mistake (no visits yet); one who had care is ended instead, so past
    plans and continuity figures stay as they were."""
    citizen = get_team_scoped(session, Citizen, citizen_id, user)
    citizens_svc.delete_citizen(session, citizen=citizen, user=user)
