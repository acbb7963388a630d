"""Who should take a visit: the carers who could, best first, with what each costs the citizen (faces)
and the route (travel, time). Applying one is a hand move (POST /api/plans/{id}/moves)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, status
from pydantic import BaseModel, ConfigDict, Field

from app.api.deps import Coordinator, ReadLogDep
from app.api.errors import PLANNER_BUSY
from app.api.jobs import PlanJobOut
from app.db import SessionDep
from app.jobs.factory import RunnerDep
from app.replan.candidates import Candidate
from app.repositories.core import carer_names_by_external_id, citizen_id_by_external_id
from app.schemas.core import Day, ErrorOut, Lat, Lon, NeedAsked, RowId
from app.security import get_team_scoped, require_role
from app.services import candidates as svc
from app.services.jobs import job_view
from exchange.instance import VisitDoc
from models import core as m

router = APIRouter(prefix="/api", tags=["adjustments"])

Member = Annotated[m.User, Depends(require_role(m.ROLE_MEMBER, m.ROLE_COORDINATOR))]


# The visit's day has no accepted plan to place it in.
NO_PLAN: dict[int | str, dict[str, Any]] = {409: {
    "model": ErrorOut, "description": "No accepted plan covers the visit's day: plan the period first."}}


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


@router.get("/visits/{visit_id}/candidates", responses=NO_PLAN)
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
    citizen = citizen_id_by_external_id(session, body.visit.citizen)
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


class FitVisitOut(BaseModel):
    visit: str
    date: dt.date
    need: str
    start: int | None
    carers: list[str]
    carer_names: list[str]
    not_offered: list[NotOfferedOut]  # when it does not fit: who came closest, what stopped each


class CoreCarerOut(BaseModel):
    carer: str
    carer_name: str
    visits: int


class FitMoveOut(BaseModel):
    """Another citizen's visit that moves to make room (another carer the citizen already meets, or
    another start inside its window)."""

    visit: str
    citizen_name: str
    date: dt.date
    from_carers: list[str]
    from_carer_names: list[str]
    from_start: int
    carers: list[str]
    carer_names: list[str]
    start: int


class FitOut(BaseModel):
    citizen_id: int | None  # None: a citizen not saved yet
    start: dt.date
    end: dt.date
    visits: int
    placed: int
    distinct_carers: int  # carers the citizen would meet in the period
    faces_bound: int  # the fewest any plan could give (shifts, skills, avoid list)
    core_team: list[CoreCarerOut]
    added_travel_minutes: int
    fits: bool
    visits_detail: list[FitVisitOut]
    other_visits_moved: list[FitMoveOut] = []


class UnsavedFitIn(BaseModel):
    """Where would a citizen not saved yet fit: where they live, who they avoid, their standing needs."""

    model_config = ConfigDict(extra="forbid")
    lat: Lat
    lon: Lon
    avoid_carer_ids: list[RowId] = []
    contact_carer_id: RowId | None = None
    needs: Annotated[list[NeedAsked], Field(min_length=1, max_length=30)]
    start: Day | None = None  # default: next Monday
    weeks: Annotated[int, Field(ge=1, le=6)] = 4


def fit_out(found: svc.CitizenFit, names: dict[str, str]) -> FitOut:
    fit = found.fit

    def who(carers: Iterable[str]) -> list[str]:
        return [names.get(c, c) for c in carers]

    return FitOut(
        citizen_id=found.citizen.id if found.citizen else None, start=found.start, end=found.end,
        visits=len(fit.visits), placed=fit.placed, distinct_carers=fit.faces, faces_bound=fit.bound,
        core_team=[CoreCarerOut(carer=c, carer_name=names.get(c, c), visits=n) for c, n in fit.core_team],
        added_travel_minutes=fit.added_travel, fits=fit.placed == len(fit.visits),
        visits_detail=[FitVisitOut(
            visit=v.visit, date=found.date_of(found.visits[v.visit].day), need=found.visits[v.visit].need,
            start=v.start, carers=list(v.carers), carer_names=who(v.carers),
            not_offered=[NotOfferedOut(carer=n.carer, carer_name=names.get(n.carer, n.carer), why=n.why,
                                       known=n.known, contact_carer=n.contact) for n in v.why_not])
            for v in fit.visits],
        other_visits_moved=[FitMoveOut(
            visit=mv.visit, citizen_name=found.citizens[mv.citizen].name if mv.citizen in found.citizens
            else mv.citizen, date=found.date_of(mv.day), from_carers=list(mv.old_carers),
            from_carer_names=who(mv.old_carers), from_start=mv.old_start or 0, carers=list(mv.new_carers),
            carer_names=who(mv.new_carers), start=mv.new_start or 0) for mv in fit.moves])


@router.get("/citizens/{citizen_id}/fit")
def citizen_fit(citizen_id: RowId, session: SessionDep, user: Coordinator, reads: ReadLogDep,
                start: Annotated[Day | None, Query(description="first day; default next Monday")] = None,
                weeks: Annotated[int, Query(ge=1, le=6)] = 4) -> FitOut:
    """Where a citizen's visits not planned yet (a new citizen, new needs) fit into the team's plans as
    they stand: a small core team, start times and the few other visits that move to make room, or what
    stops it. Nothing is stored."""
    citizen = get_team_scoped(session, m.Citizen, citizen_id, user)
    found = svc.fit_citizen_into_plan(session, citizen=citizen, start=start or svc.next_monday(), weeks=weeks)
    reads.citizens(user=user, citizen_ids=[citizen.id, *found.moved_citizen_ids()], what="api citizen fit")
    return fit_out(found, carer_names_by_external_id(session, team_ids=[citizen.team_id]))


@router.post("/teams/{team_id}/fit")
def unsaved_citizen_fit(team_id: RowId, body: UnsavedFitIn, session: SessionDep, user: Coordinator,
                        reads: ReadLogDep) -> FitOut:
    """Where a citizen not saved yet would fit, from the standing needs in the body (before saving):
    the same answer as for a saved citizen. Nothing is stored."""
    team = get_team_scoped(session, m.Team, team_id, user)
    found = svc.fit_unsaved_citizen(
        session, team=team, lat=body.lat, lon=body.lon, avoid_carer_ids=list(body.avoid_carer_ids),
        contact_carer_id=body.contact_carer_id, start=body.start or svc.next_monday(), weeks=body.weeks,
        needs=body.needs)
    reads.citizens(user=user, citizen_ids=found.moved_citizen_ids(), what="api citizen fit")
    return fit_out(found, carer_names_by_external_id(session, team_ids=[team.id]))


@router.post("/citizens/{citizen_id}/fit/plan", status_code=status.HTTP_202_ACCEPTED,
             responses=PLANNER_BUSY)
def plan_with_fit(citizen_id: RowId, session: SessionDep, user: Coordinator, runner: RunnerDep,
                  start: Annotated[Day | None, Query(description="first day; default: next Monday")]
                  = None,
                  weeks: Annotated[int, Query(ge=1, le=6)] = 4) -> PlanJobOut:
    """Plan the team's weeks from `start` with the citizen's fit as the starting point: a plan job whose
    draft is reviewed and accepted like any other (GET /api/jobs/{id}, then accept its version)."""
    citizen = get_team_scoped(session, m.Citizen, citizen_id, user)
    job = svc.plan_with_fit(session, user=user, runner=runner, citizen=citizen,
                            start=start or svc.next_monday(), weeks=weeks)
    return PlanJobOut.model_validate(job_view(job))
