"""Visits: list and filter, add a one-off, change or cancel one."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, status

from app.api.deps import Coordinator, PagingDep, ReadLogDep, TeamIds
from app.db import SessionDep
from app.repositories.core import paginate, visits_stmt
from app.schemas.core import Day, Page, RowId, VisitCreate, VisitOut, VisitUpdate
from app.security import CurrentUser, get_team_scoped
from app.services import core as svc
from models.core import Visit

router = APIRouter(prefix="/api", tags=["visits"])


@router.get("/visits")
def list_visits(session: SessionDep, user: CurrentUser, paging: PagingDep, reads: ReadLogDep,
                team_id: TeamIds = None,
                citizen_id: RowId | None = None, carer_id: RowId | None = None, start: Day | None = None,
                end: Day | None = None,
                status: Literal["planned", "cancelled"] | None = None) -> Page[VisitOut]:
    stmt = visits_stmt(user, team_ids=team_id, citizen_id=citizen_id, start=start, end=end,
                       status=status, carer_id=carer_id)
    rows, total = paginate(session, stmt, limit=paging.limit, offset=paging.offset)
    reads.citizens(user=user, citizen_ids=[r.citizen_id for r in rows], what="api visits")
    return Page(items=[VisitOut.model_validate(r) for r in rows], total=total, limit=paging.limit,
                offset=paging.offset)


@router.post("/visits", status_code=status.HTTP_201_CREATED)
def create_visit(body: VisitCreate, session: SessionDep, user: Coordinator) -> VisitOut:
    return VisitOut.model_validate(svc.create_visit(session, data=body, user=user))


@router.get("/visits/{visit_id}")
def read_visit(visit_id: RowId, session: SessionDep, user: CurrentUser, reads: ReadLogDep) -> VisitOut:
    visit = get_team_scoped(session, Visit, visit_id, user)
    reads.citizens(user=user, citizen_ids=[visit.citizen_id], what="api visit")
    return VisitOut.model_validate(visit)


@router.patch("/visits/{visit_id}")
def update_visit(visit_id: RowId, body: VisitUpdate, session: SessionDep, user: Coordinator) -> VisitOut:
    visit = get_team_scoped(session, Visit, visit_id, user)
    return VisitOut.model_validate(svc.update_visit(session, visit=visit, data=body))


@router.delete("/visits/{visit_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_visit(visit_id: RowId, session: SessionDep, user: Coordinator) -> None:
    svc.delete_row(session, row=get_team_scoped(session, Visit, visit_id, user))
