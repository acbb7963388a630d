"""Who should take a visit: the ranked carers of `app.replan.candidates`, on the plan in force with the
changes still pending applied (what a hand move is checked against), with names for the reader."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from app.jobs.runner import JobRunner
from app.mapping import build_problem
from app.replan.candidates import Candidate, NearMiss, near_misses, rank_carers
from app.replan.changes import apply_changes
from app.replan.fit import Fit, fit_citizen
from app.repositories import adjustments as repo
from app.repositories import core as team_repo
from app.schemas.core import NeedAsked
from app.services import jobs
from app.services.errors import Conflict, Invalid
from app.services.hand_moves import adjusted_problem
from app.services.visits import occurs_on
from exchange import CHANGES_FORMAT, ExchangeError
from exchange.changes import parse_changes
from models import core as m
from models.jobs import PlanJob
from solver import types as st


@dataclass(frozen=True, slots=True)
class Suggestions:
    plan: m.Plan
    visit: m.Visit
    candidates: list[Candidate]
    pinned: bool  # the visit's assignment is pinned: nobody is offered until it is unpinned
    assigned: tuple[str, ...]  # who has it now (external ids); empty when unplaced
    not_offered: list[NearMiss]  # the closest of the others, with what stopped each


def plan_in_force_for(session: Session, *, visit: m.Visit) -> m.Plan:
    """The newest plan with an accepted version that covers the visit's team and day (409 if none)."""
    plans = repo.plans_in_force_covering(session, team_id=visit.citizen.team_id, date=visit.date)
    if not plans:
        raise Conflict(f"no accepted plan covers {visit.date.isoformat()} for this team; "
                       "plan the period and accept a version first")
    return plans[0]


def suggest_carers(session: Session, *, visit: m.Visit, plan: m.Plan | None = None,
                   limit: int = 10) -> Suggestions:
    """The carers who could take `visit`, best first: no new face, the contact carer, fewest faces this
    month, then the least added travel and the usual start. Each keeps every rule and the cap."""
    plan = plan or plan_in_force_for(session, visit=visit)
    problem = adjusted_problem(session, plan=plan)
    pinned = {p.visit for p in problem.pinned}
    current = {a.visit: a for a in problem.current}
    ext = visit.external_id
    if ext not in {v.id for v in problem.visits}:
        raise Conflict(f"the visit {ext!r} is not in plan {plan.id}'s data (cancelled, or outside it)")
    ranked = [] if ext in pinned else rank_carers(problem, problem.current, ext, pinned=pinned, limit=limit)
    now = current.get(ext)
    missed = near_misses(problem, problem.current, ext, offered=ranked, pinned=pinned)
    return Suggestions(plan=plan, visit=visit, candidates=ranked, pinned=ext in pinned,
                       assigned=now.carers if now else (), not_offered=missed)


def suggest_for_new_visit(session: Session, *, plan: m.Plan, user: m.User, visit: dict[str, Any],
                          limit: int = 10) -> list[Candidate]:
    """The carers who could take a visit not saved yet (an extra visit a relative asks for), as the plan
    in force stands: `visit` is shaped like a visit_add change's visit (homecare-changes/1). A visit the
    plan cannot hold (unknown citizen, a day outside it) is refused naming the field (ExchangeError)."""
    teams_allowed = None if user.role == m.ROLE_ADMIN else [t.external_id for t in user.teams]
    problem = adjusted_problem(session, plan=plan)
    if visit.get("id") in {v.id for v in problem.visits}:
        raise ExchangeError([{"path": "visit.id", "msg": f"visit {visit['id']!r} exists already"}])
    try:
        cs = parse_changes({"format": CHANGES_FORMAT, "changes": [{"type": "visit_add", "visit": visit}]},
                           problem, teams_allowed=teams_allowed)
    except ExchangeError as e:
        raise ExchangeError([{**x, "path": str(x["path"]).replace("changes[0].", "", 1)}
                             for x in e.errors]) from None
    citizen_team = {p.id: p.team for p in problem.citizens}.get(str(visit.get("citizen")))
    if teams_allowed is not None and citizen_team not in teams_allowed:
        raise ExchangeError([{"path": "visit.citizen", "msg": "the citizen is not in one of your teams"}])
    with_visit = apply_changes(problem, cs)
    return rank_carers(with_visit, with_visit.current, str(visit["id"]),
                       pinned={p.visit for p in with_visit.pinned}, limit=limit)


@dataclass(frozen=True, slots=True)
class CitizenFit:
    team: m.Team
    citizen: m.Citizen | None  # None: a citizen not saved yet (needs given in the request)
    start: dt.date
    end: dt.date
    fit: Fit
    visits: dict[str, st.Visit]  # every visit of the team in the period, by id (fitted and moved)
    citizens: dict[str, m.Citizen]  # the team's citizens by external id (whose visits move)

    def moved_citizen_ids(self) -> list[int]:
        return sorted({self.citizens[mv.citizen].id for mv in self.fit.moves if mv.citizen in self.citizens})

    def date_of(self, day: int) -> dt.date:
        return self.start + dt.timedelta(days=day)


FIT_PLAN_SECONDS = 30.0  # a plan job started from a fit: as long as the runs page's default


def _period(start: dt.date, weeks: int) -> dt.date:
    return start + dt.timedelta(days=7 * weeks - 1)


def _citizens(session: Session, team: m.Team) -> dict[str, m.Citizen]:
    return team_repo.team_people_by_external_id(session, team_id=team.id)[0]


def fit_citizen_into_plan(session: Session, *, citizen: m.Citizen, start: dt.date,
                          weeks: int = 4) -> CitizenFit:
    """Where the citizen's visits from `start` for `weeks` weeks that no accepted plan holds yet fit
    into the team's plans as they stand (a new citizen, or new needs): a small core team, times, and the
    other visits that move to make room."""
    end = _period(start, weeks)
    problem = build_problem(session, team_ids=[citizen.team_id], start=start, end=end)
    fit = fit_citizen(problem, problem.current, citizen.external_id, pinned={p.visit for p in problem.pinned})
    return CitizenFit(team=citizen.team, citizen=citizen, start=start, end=end, fit=fit,
                      visits={v.id: v for v in problem.visits},
                      citizens=_citizens(session, citizen.team))


UNSAVED = "fit-unsaved"  # the external id a citizen not saved yet has in the fit's problem


def fit_unsaved_citizen(session: Session, *, team: m.Team, lat: float, lon: float, needs: list[NeedAsked],
                        avoid_carer_ids: list[int], contact_carer_id: int | None, start: dt.date,
                        weeks: int = 4) -> CitizenFit:
    """Where a citizen not saved yet would fit, from the standing needs the coordinator typed: the same
    answer as for a saved citizen, with nothing stored. Carers named must be the team's (422 naming the
    field otherwise)."""
    citizens, by_ext = team_repo.team_people_by_external_id(session, team_id=team.id)
    carers = {c.id: ext for ext, c in by_ext.items()}
    for i, cid in enumerate(avoid_carer_ids):
        if cid not in carers:
            raise Invalid(f"unknown carer {cid} in this team", path=f"avoid_carer_ids.{i}")
    if contact_carer_id is not None and contact_carer_id not in carers:
        raise Invalid(f"unknown carer {contact_carer_id} in this team", path="contact_carer_id")
    end = _period(start, weeks)
    problem = build_problem(session, team_ids=[team.id], start=start, end=end)
    person = st.Citizen(UNSAVED, team.external_id, lat, lon,
                        contact=carers[contact_carer_id] if contact_carer_id is not None else None,
                        avoid=frozenset(carers[c] for c in avoid_carer_ids))
    visits = []
    for day in range(problem.days):
        date = start + dt.timedelta(days=day)
        for i, need in enumerate(needs):
            if occurs_on(weekdays=need.weekdays, every_weeks=need.every_weeks, first=start, day=date):
                visits.append(st.Visit(f"{UNSAVED}-{i}-{need.kind}-d{day:02d}", UNSAVED, need.kind, day,
                                       need.earliest, need.latest, need.duration, need.carers,
                                       frozenset(need.skills), need.priority))
    problem.citizens.append(person)
    problem.visits.extend(visits)
    fit = fit_citizen(problem, problem.current, UNSAVED, pinned={p.visit for p in problem.pinned})
    return CitizenFit(team=team, citizen=None, start=start, end=end, fit=fit,
                      visits={v.id: v for v in problem.visits}, citizens=citizens)


def plan_with_fit(session: Session, *, user: m.User, runner: JobRunner, citizen: m.Citizen, start: dt.date,
                  weeks: int = 4) -> PlanJob:
    """Plan the team's weeks from `start` afresh, starting from the citizen's fit: a plan job (the runs
    page's) whose draft the coordinator reviews and accepts as any other. The fit is worked out again
    here, on the plan as it stands now."""
    found = fit_citizen_into_plan(session, citizen=citizen, start=start, weeks=weeks)
    if not found.fit.visits:
        raise Conflict("every visit of the period is planned already: nothing to plan with a fit",
                       path="start")
    prefer = [{"visit": a.visit, "carers": list(a.carers), "start": a.start} for a in found.fit.assignments()]
    return jobs.submit_plan_job(session, user=user, runner=runner, team_ids=[citizen.team_id],
                                start=found.start, end=found.end, time_limit=FIT_PLAN_SECONDS,
                                params={"prefer": prefer, "fit_citizen": citizen.id})


def next_monday(today: dt.date | None = None) -> dt.date:
    """Where a new citizen's care usually starts: the coming Monday."""
    today = today or dt.date.today()
    return today + dt.timedelta(days=7 - today.weekday())
