"""Who should take a visit: the ranked carers of `app.replan.candidates`, on the plan in force with the
changes still pending applied (what a hand move is checked against), with names for the reader."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.replan.candidates import Candidate, rank_carers
from app.repositories import adjustments as repo
from app.services.errors import Conflict
from app.services.hand_moves import adjusted_problem
from models import core as m


@dataclass(frozen=True, slots=True)
class Suggestions:
    plan: m.Plan
    visit: m.Visit
    candidates: list[Candidate]
    pinned: bool  # the visit's assignment is pinned: nobody is offered until it is unpinned
    assigned: tuple[str, ...]  # who has it now (external ids); empty when unplaced


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
    return Suggestions(plan=plan, visit=visit, candidates=ranked, pinned=ext in pinned,
                       assigned=now.carers if now else ())
