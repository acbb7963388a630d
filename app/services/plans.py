"""Plans, their versions and assignments: make a plan for teams and dates, delete a plan or a draft
version, pin, unpin or move one assignment by its ids (the API's PATCH; the pages' hand moves with the
planner's rules are app/services/hand_moves.py), accept a plan run's draft. Accepting any version (the API's
accept) is `app.mapping.accept_plan_version`.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from app.mapping import accept_plan_version, find_or_create_plan
from app.schemas.core import AssignmentUpdate
from app.security import can_see_team, visible_team_ids
from app.services.errors import Conflict, Invalid
from models.core import PLAN_DRAFT, Assignment, Carer, Plan, PlanVersion, User


def create_plan(session: Session, *, user: User, team_ids: list[int], start: dt.date, end: dt.date,
                name: str | None = None) -> Plan:
    """The plan of these teams and dates (made if there is none); every team must be the user's."""
    for i, tid in enumerate(team_ids):
        if not can_see_team(user, tid):
            raise Invalid(f"unknown team {tid}", path=f"team_ids.{i}")
    return find_or_create_plan(session, team_ids=team_ids, start=start, end=end, name=name)


def delete_plan(session: Session, *, plan: Plan) -> None:
    session.delete(plan)
    session.flush()


def delete_version(session: Session, *, version: PlanVersion) -> None:
    """Only a draft may be deleted: an accepted or superseded version is the plan's history (409)."""
    if version.status != PLAN_DRAFT:
        raise Conflict(f"version {version.number} is {version.status}; only drafts can be deleted")
    session.delete(version)
    session.flush()


def accept_draft(session: Session, *, version: PlanVersion, user: User) -> PlanVersion:
    """A plan run's draft becomes the plan in force; a version no longer a draft is refused (409), so
    a second click on a run's page cannot bring back a plan another version has replaced."""
    if version.status != PLAN_DRAFT:
        raise Conflict(f"version {version.number} is {version.status}, not a draft")
    return accept_plan_version(session, version=version, user=user)


def update_assignment(session: Session, *, user: User, assignment: Assignment,
                      data: AssignmentUpdate) -> Assignment:
    """Pin, unpin or move an assignment (start time within the visit's window; carers of the plan's
    teams the user sees, as many as the visit needs, none the citizen avoids, with the visit's skills)."""
    a = assignment
    visit = a.visit
    changes = data.model_dump(exclude_unset=True)
    if changes.get("start") is not None:
        if not visit.earliest <= data.start <= visit.latest:  # type: ignore[operator]
            raise Invalid(f"start {data.start} is outside the visit's window "
                          f"{visit.earliest}-{visit.latest}", path="start")
        a.start = int(data.start)  # type: ignore[arg-type]
    if changes.get("carer_ids") is not None:
        ids = list(dict.fromkeys(data.carer_ids or []))
        if len(ids) != visit.carers:
            raise Invalid(f"the visit needs {visit.carers} carer(s)", path="carer_ids")
        plan_team_ids = {t.id for t in a.plan_version.plan.teams}
        visible = visible_team_ids(user)
        avoid = {c.id for c in visit.citizen.avoid_carers}
        carers = []
        for i, cid in enumerate(ids):
            carer = session.get(Carer, cid)
            if carer is None or carer.team_id not in plan_team_ids or (
                    visible is not None and carer.team_id not in visible):
                raise Invalid(f"unknown carer {cid}", path=f"carer_ids.{i}")
            if cid in avoid:
                raise Invalid(f"the citizen must not be visited by carer {cid}", path=f"carer_ids.{i}")
            if not set(visit.skills) <= set(carer.skills):
                raise Invalid(f"carer {cid} lacks a skill the visit needs ({sorted(visit.skills)})",
                              path=f"carer_ids.{i}")
            carers.append(carer)
        a.carers = carers
    if changes.get("pinned") is not None:
        a.pinned = bool(data.pinned)
    session.flush()
    return a
