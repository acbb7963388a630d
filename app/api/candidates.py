"""Who should take a visit: the carers who could, best first, with what each costs the citizen (faces)
and the route (travel, time). Applying one is a hand move (POST /api/plans/{id}/moves)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel
from sqlalchemy import select

from app.api.deps import ReadLogDep
from app.db import SessionDep
from app.replan.candidates import Candidate
from app.repositories.core import carer_names_by_external_id
from app.schemas.core import RowId
from app.security import get_team_scoped, require_role
from app.services import candidates as svc
from exchange.instance import VisitDoc
from models import core as m

router = APIRouter(prefix="/api", tags=["adjustments"])

Member = Annotated[m.User, Depends(require_role(m.ROLE_MEMBER, m.ROLE_COORDINATOR))]


class CandidateOut(BaseModel):
    carers: list[str]  # external ids, as a hand move takes them
    carer_names: list[str]
    start: int  # minute of the day
    new_faces: list[str]  # of `carers`, those the citizen has not met this month
    distinct_carers_month: int  # the citizen's distinct carers this calendar month with this choice
    distinct_carers_14d: int  # ... and in the visit's 14-day period
    cap: int
    contact_carer: bool
    added_travel_minutes: int
    minutes_from_usual: int
    usual_start: int
    other_visits_moved: list[str]  # none: a suggestion fits the carer's day as it stands


class NotOfferedOut(BaseModel):
    carer: str
    carer_name: str
    why: str  # skill, avoid, off (no shift then), full (no room in the day), partner, or a rule's name
    known: bool  # the citizen meets the carer this month
    contact_carer: bool


class NewVisitIn(BaseModel):
    visit: VisitDoc  # as in a visit_add change (homecare-changes/1): day counts from the plan's first day


class CandidatesOut(BaseModel):
    plan_id: int
    visit: str
    assigned: list[str]
    pinned: bool
    candidates: list[CandidateOut]
    not_offered: list[NotOfferedOut] = []  # the closest of the others, with what stopped each


@router.get("/visits/{visit_id}/candidates")
def visit_candidates(visit_id: RowId, session: SessionDep, user: Member, reads: ReadLogDep,
                     plan_id: Annotated[int | None, Query(description="a plan covering the visit; "
                                                          "default: the newest accepted one")] = None,
                     limit: Annotated[int, Query(ge=1, le=50)] = 10) -> CandidatesOut:
    visit = get_team_scoped(session, m.Visit, visit_id, user)
    plan = get_team_scoped(session, m.Plan, plan_id, user) if plan_id is not None else None
    found = svc.suggest_carers(session, visit=visit, plan=plan, limit=limit)
    reads.citizens(user=user, citizen_ids=[visit.citizen_id], what="api visit candidates")
    names = carer_names_by_external_id(session, team_ids=[t.id for t in found.plan.teams])
    return CandidatesOut(
        plan_id=found.plan.id, visit=visit.external_id, assigned=list(found.assigned), pinned=found.pinned,
        candidates=[_out(c, names) for c in found.candidates],
        not_offered=[NotOfferedOut(carer=n.carer, carer_name=names.get(n.carer, n.carer), why=n.why,
                                   known=n.known, contact_carer=n.contact) for n in found.not_offered])


@router.post("/plans/{plan_id}/candidates")
def new_visit_candidates(plan_id: RowId, body: NewVisitIn, session: SessionDep, user: Member,
                         reads: ReadLogDep, limit: Annotated[int, Query(ge=1, le=50)] = 10) -> CandidatesOut:
    """Who could take a visit not saved yet (a relative asks for an extra visit): nothing is stored."""
    plan = get_team_scoped(session, m.Plan, plan_id, user)
    found = svc.suggest_for_new_visit(session, plan=plan, user=user,
                                      visit=body.visit.model_dump(mode="json"), limit=limit)
    citizen = session.scalar(select(m.Citizen.id).where(m.Citizen.external_id == body.visit.citizen))
    reads.citizens(user=user, citizen_ids=[citizen] if citizen is not None else [],
                   what="api visit candidates")
    names = carer_names_by_external_id(session, team_ids=[t.id for t in plan.teams])
    return CandidatesOut(plan_id=plan.id, visit=body.visit.id, assigned=[], pinned=False,
                         candidates=[_out(c, names) for c in found])


def _out(c: Candidate, names: dict[str, str]) -> CandidateOut:
    return CandidateOut(
        carers=list(c.carers), carer_names=[names.get(x, x) for x in c.carers], start=c.start,
        new_faces=list(c.new_faces), distinct_carers_month=c.faces_month, distinct_carers_14d=c.faces_period,
        cap=c.cap, contact_carer=c.contact, added_travel_minutes=c.added_travel,
        minutes_from_usual=c.from_usual, usual_start=c.usual, other_visits_moved=[a.visit for a in c.moves])
