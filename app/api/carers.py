"""Carers and their shifts. Auditors get carers without names."""

from __future__ import annotations

from fastapi import APIRouter, status

from app.api.deps import Coordinator, PagingDep, TeamIds
from app.db import SessionDep
from app.repositories.core import carers_stmt, paginate, shifts_stmt
from app.schemas.core import (
    CarerCreate,
    CarerEnd,
    CarerOut,
    CarerUpdate,
    Day,
    Page,
    RowId,
    ShiftCreate,
    ShiftOut,
    ShiftUpdate,
)
from app.security import CurrentUser, can_see_personal_data, get_team_scoped
from app.services.team_data import carers as carers_svc
from app.services.team_data import roster as roster_svc
from models.core import Carer, Shift, User

router = APIRouter(prefix="/api", tags=["carers"])


def carer_out(carer: Carer, user: User) -> CarerOut:
    out = CarerOut.model_validate(carer)
    return out if can_see_personal_data(user) else out.model_copy(update={"name": None})


@router.get("/carers")
def list_carers(session: SessionDep, user: CurrentUser, paging: PagingDep, team_id: TeamIds = None,
                active_on: Day | None = None, skill: str | None = None) -> Page[CarerOut]:
    stmt = carers_stmt(user, team_ids=team_id, active_on=active_on, skill=skill)
    rows, total = paginate(session, stmt, limit=paging.limit, offset=paging.offset)
    return Page(items=[carer_out(r, user) for r in rows], total=total, limit=paging.limit,
                offset=paging.offset)


@router.post("/carers", status_code=status.HTTP_201_CREATED)
def create_carer(body: CarerCreate, session: SessionDep, user: Coordinator) -> CarerOut:
    return carer_out(carers_svc.add_carer(session, data=body, user=user), user)


@router.get("/carers/{carer_id}")
def read_carer(carer_id: RowId, session: SessionDep, user: CurrentUser) -> CarerOut:
    return carer_out(get_team_scoped(session, Carer, carer_id, user), user)


@router.patch("/carers/{carer_id}")
def update_carer(carer_id: RowId, body: CarerUpdate, session: SessionDep, user: Coordinator) -> CarerOut:
    carer = get_team_scoped(session, Carer, carer_id, user)
    return carer_out(carers_svc.edit_carer(session, carer=carer, data=body, user=user), user)


@router.post("/carers/{carer_id}/end")
def end_carer(carer_id: RowId, body: CarerEnd, session: SessionDep, user: Coordinator) -> CarerOut:
    """The carer works here no more from a date: shifts and roster from it go; accepted assignments
    they had from it are listed as needing a re-plan (kept, not deleted)."""
    carer = get_team_scoped(session, Carer, carer_id, user)
    return carer_out(carers_svc.end_carer(session, carer=carer, data=body, user=user), user)


@router.delete("/carers/{carer_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_carer(carer_id: RowId, session: SessionDep, user: Coordinator) -> None:
    carers_svc.delete_carer(session, carer=get_team_scoped(session, Carer, carer_id, user), user=user)


# --- shifts ----------------------------------------------------------------------------------


@router.get("/shifts")
def list_shifts(session: SessionDep, user: CurrentUser, paging: PagingDep, team_id: TeamIds = None,
                carer_id: RowId | None = None, start: Day | None = None,
                end: Day | None = None) -> Page[ShiftOut]:
    stmt = shifts_stmt(user, team_ids=team_id, carer_id=carer_id, start=start, end=end)
    rows, total = paginate(session, stmt, limit=paging.limit, offset=paging.offset)
    return Page(items=[ShiftOut.model_validate(r) for r in rows], total=total, limit=paging.limit,
                offset=paging.offset)


@router.get("/carers/{carer_id}/shifts")
def list_carer_shifts(carer_id: RowId, session: SessionDep, user: CurrentUser, paging: PagingDep,
                      start: Day | None = None, end: Day | None = None) -> Page[ShiftOut]:
    carer = get_team_scoped(session, Carer, carer_id, user)
    return list_shifts(session, user, paging, None, carer.id, start, end)


@router.post("/carers/{carer_id}/shifts", status_code=status.HTTP_201_CREATED)
def create_shift(carer_id: RowId, body: ShiftCreate, session: SessionDep, user: Coordinator) -> ShiftOut:
    carer = get_team_scoped(session, Carer, carer_id, user)
    return ShiftOut.model_validate(roster_svc.add_shift(session, carer=carer, data=body, user=user))


@router.get("/shifts/{shift_id}")
def read_shift(shift_id: RowId, session: SessionDep, user: CurrentUser) -> ShiftOut:
    return ShiftOut.model_validate(get_team_scoped(session, Shift, shift_id, user))


@router.patch("/shifts/{shift_id}")
def update_shift(shift_id: RowId, body: ShiftUpdate, session: SessionDep, user: Coordinator) -> ShiftOut:
    shift = get_team_scoped(session, Shift, shift_id, user)
    return ShiftOut.model_validate(roster_svc.edit_shift(session, shift=shift, data=body, user=user))


@router.delete("/shifts/{shift_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_shift(shift_id: RowId, session: SessionDep, user: Coordinator) -> None:
    roster_svc.remove_shift(session, shift=get_team_scoped(session, Shift, shift_id, user), user=user)
