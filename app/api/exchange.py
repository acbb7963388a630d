"""Import and export in the exchange format (FORMAT.md): homecare-instance/1 and homecare-plan/1.

An import is one transaction: a file with any error stores nothing, and the answer (422) lists
each error with its JSON path, e.g. {"path": "visits[12].carers", "msg": "..."}.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query, status
from pydantic import BaseModel

from app.api.deps import Coordinator, ReadLogDep
from app.db import SessionDep
from app.repositories.core import citizen_ids_of_teams
from app.schemas.core import Day, PlanVersionOut, RowId
from app.security import CurrentUser, get_team_scoped, require_role
from app.services import exchange as svc
from models.core import ROLE_COORDINATOR, ROLE_MEMBER, PlanVersion, User

router = APIRouter(prefix="/api", tags=["exchange"])
# Coordinates are personal data: auditors cannot export.
Exporter = Annotated[User, Depends(require_role(ROLE_MEMBER, ROLE_COORDINATOR))]


class ImportAnswer(BaseModel):
    name: str
    start_date: Day
    days: int
    team_ids: list[int]
    created: dict[str, int]
    updated: dict[str, int]


@router.post("/import/instance", status_code=status.HTTP_201_CREATED)
def import_instance(document: Annotated[Any, Body(description="a homecare-instance/1 document")],
                    session: SessionDep, user: Coordinator) -> ImportAnswer:
    r = svc.import_instance(session, data=document, user=user)
    return ImportAnswer(name=r.name, start_date=r.start_date, days=r.days, team_ids=r.team_ids,
                        created=r.created, updated=r.updated)


@router.get("/export/instance")
def export_instance(session: SessionDep, user: Exporter, reads: ReadLogDep,
                    team: Annotated[list[str] | None, Query(description="team external ids")] = None,
                    start: Day | None = None, end: Day | None = None,
                    name: str | None = None) -> dict[str, Any]:
    """The teams' data (default: every team you see) as homecare-instance/1. Coordinates are
    personal data: auditors cannot export."""
    team_ids = svc.resolve_team_ids(session, external_ids=team, user=user)
    document = svc.export_instance(session, team_ids=team_ids, start=start, end=end, name=name)
    reads.citizens(user=user, citizen_ids=citizen_ids_of_teams(session, team_ids), what="export instance")
    return document


@router.post("/import/plan", status_code=status.HTTP_201_CREATED)
def import_plan(document: Annotated[Any, Body(description="a homecare-plan/1 document")],
                session: SessionDep, user: Coordinator) -> PlanVersionOut:
    """A plan file becomes a new draft version of the plan it belongs to."""
    return PlanVersionOut.model_validate(svc.import_plan(session, data=document, user=user))


@router.get("/plan-versions/{version_id}/export")
def export_plan(version_id: RowId, session: SessionDep, user: CurrentUser) -> dict[str, Any]:
    version = get_team_scoped(session, PlanVersion, version_id, user)
    return svc.export_plan(session, version=version)
