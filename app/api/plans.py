"""Plans, their versions and assignments: read, accept (coordinators), pin and move (team members)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, status
from pydantic import BaseModel, Field, model_validator

from app.api.deps import Coordinator, PagingDep, TeamIds
from app.api.errors import NAMES_ROWS
from app.db import SessionDep
from app.mapping import accept_plan_version
from app.repositories.core import assignments_stmt, paginate, plans_stmt, unplaced_stmt
from app.schemas.core import (
    AssignmentOut,
    AssignmentUpdate,
    Day,
    Page,
    PlanOut,
    PlanVersionOut,
    RowId,
    UnplacedOut,
)
from app.security import (
    CurrentUser,
    ensure_visible,
    get_team_scoped,
    not_found,
    require_role,
)
from app.services import plans as svc
from models.core import (
    ROLE_COORDINATOR,
    ROLE_MEMBER,
    Assignment,
    Plan,
    PlanVersion,
    User,
)

router = APIRouter(prefix="/api", tags=["plans"])

Member = Annotated[User, Depends(require_role(ROLE_MEMBER, ROLE_COORDINATOR))]


class PlanCreate(BaseModel):
    team_ids: Annotated[list[RowId], Field(min_length=1)]
    start_date: Day
    end_date: Day
    name: Annotated[str, Field(min_length=1, max_length=200)] | None = None

    @model_validator(mode="after")
    def _range(self) -> PlanCreate:
        if self.end_date < self.start_date:
            raise ValueError("end_date is before start_date")
        return self


def plan_out(plan: Plan) -> PlanOut:
    return PlanOut(id=plan.id, external_id=plan.external_id, name=plan.name, start_date=plan.start_date,
                   end_date=plan.end_date, team_ids=sorted(t.id for t in plan.teams),
                   versions=[PlanVersionOut.model_validate(v) for v in plan.versions])


def assignment_out(a: Assignment) -> AssignmentOut:
    return AssignmentOut(id=a.id, plan_version_id=a.plan_version_id, visit_id=a.visit_id,
                         visit_external_id=a.visit.external_id, start=a.start, pinned=a.pinned,
                         carer_ids=sorted(c.id for c in a.carers))


@router.get("/plans")
def list_plans(session: SessionDep, user: CurrentUser, paging: PagingDep, team_id: TeamIds = None,
               start: Day | None = None, end: Day | None = None) -> Page[PlanOut]:
    rows, total = paginate(session, plans_stmt(user, team_ids=team_id, start=start, end=end),
                           limit=paging.limit, offset=paging.offset)
    return Page(items=[plan_out(p) for p in rows], total=total, limit=paging.limit, offset=paging.offset)


@router.post("/plans", status_code=status.HTTP_201_CREATED, responses=NAMES_ROWS)
def create_plan(body: PlanCreate, session: SessionDep, user: Coordinator) -> PlanOut:
    return plan_out(svc.create_plan(session, user=user, team_ids=body.team_ids, start=body.start_date,
                                    end=body.end_date, name=body.name))


@router.get("/plans/{plan_id}")
def read_plan(plan_id: RowId, session: SessionDep, user: CurrentUser) -> PlanOut:
    return plan_out(get_team_scoped(session, Plan, plan_id, user))


@router.delete("/plans/{plan_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_plan(plan_id: RowId, session: SessionDep, user: Coordinator) -> None:
    svc.delete_plan(session, plan=get_team_scoped(session, Plan, plan_id, user))


@router.get("/plan-versions/{version_id}")
def read_version(version_id: RowId, session: SessionDep, user: CurrentUser) -> PlanVersionOut:
    return PlanVersionOut.model_validate(get_team_scoped(session, PlanVersion, version_id, user))


@router.get("/plan-versions/{version_id}/assignments")
def list_assignments(version_id: RowId, session: SessionDep, user: CurrentUser, paging: PagingDep,
                     carer_id: RowId | None = None, citizen_id: RowId | None = None,
                     start: Day | None = None, end: Day | None = None) -> Page[AssignmentOut]:
    version = get_team_scoped(session, PlanVersion, version_id, user)
    stmt = assignments_stmt(version.id, carer_id=carer_id, citizen_id=citizen_id, start=start, end=end)
    rows, total = paginate(session, stmt, limit=paging.limit, offset=paging.offset)
    return Page(items=[assignment_out(a) for a in rows], total=total, limit=paging.limit,
                offset=paging.offset)


@router.get("/plan-versions/{version_id}/unplaced")
def list_unplaced(version_id: RowId, session: SessionDep, user: CurrentUser,
                  paging: PagingDep) -> Page[UnplacedOut]:
    version = get_team_scoped(session, PlanVersion, version_id, user)
    rows, total = paginate(session, unplaced_stmt(version.id), limit=paging.limit, offset=paging.offset)
    return Page(items=[UnplacedOut(visit_id=u.visit_id, visit_external_id=u.visit.external_id,
                                   reason=u.reason) for u in rows],
                total=total, limit=paging.limit, offset=paging.offset)


@router.post("/plan-versions/{version_id}/accept")
def accept(version_id: RowId, session: SessionDep, user: Coordinator) -> PlanVersionOut:
    version = get_team_scoped(session, PlanVersion, version_id, user)
    return PlanVersionOut.model_validate(accept_plan_version(session, version=version, user=user))


@router.delete("/plan-versions/{version_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_version(version_id: RowId, session: SessionDep, user: Coordinator) -> None:
    svc.delete_version(session, version=get_team_scoped(session, PlanVersion, version_id, user))


@router.get("/assignments/{assignment_id}")
def read_assignment(assignment_id: RowId, session: SessionDep, user: CurrentUser) -> AssignmentOut:
    a = _assignment(session, assignment_id, user)
    return assignment_out(a)


def _assignment(session: SessionDep, assignment_id: int, user: User) -> Assignment:
    a = session.get(Assignment, assignment_id)
    if a is None:
        raise not_found(f"assignment {assignment_id} not found")
    ensure_visible(session, a.plan_version, user, what=f"assignment {assignment_id} not found")
    return a


@router.patch("/assignments/{assignment_id}")
def update_assignment(assignment_id: RowId, body: AssignmentUpdate, session: SessionDep,
                      user: Member) -> AssignmentOut:
    """Pin, unpin or move an assignment of the user's own team in the plan in force: the same change,
    rules and log as POST /api/plans/{id}/pins and /moves (422 naming a broken rule, 409 for another
    version's assignment). A move is pinned unless `pinned` is false; the head revision goes up."""
    a = svc.update_assignment(session, user=user, assignment=_assignment(session, assignment_id, user),
                              data=body)
    return assignment_out(a)
