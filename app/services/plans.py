"""Plans, their versions and assignments: make a plan for teams and dates, delete a plan or a draft
version, pin, unpin or move one assignment by its ids (the API's PATCH, made by the plan's pins and
hand moves in app/services/hand_moves.py), accept a plan run's draft. Accepting any version (the API's
accept) is `app.mapping.accept_plan_version`.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from app.mapping import accept_plan_version, find_or_create_plan
from app.schemas.core import AssignmentUpdate
from app.security import can_see_team, visible_team_ids
from app.services import hand_moves
from app.services.errors import Conflict, Invalid
from app.services.plan_head import version_in_force
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
    """Pin, unpin or move an assignment of the plan in force, as the plan's pins and hand moves do
    (`app.services.hand_moves`): a move must keep every hard rule and the cap (422 naming the rule) and
    is pinned unless `pinned` is false; each change is logged and bumps the head revision. Another
    version's assignment (a draft, a replaced plan) is not changed by hand (409)."""
    version = assignment.plan_version
    plan = version.plan
    in_force = version_in_force(session, plan)
    if in_force.id != version.id:
        raise Conflict(f"version {version.number} is {version.status}, not the plan in force (version "
                       f"{in_force.number}); only the plan in force is changed by hand")
    visit = assignment.visit.external_id
    moving = data.start is not None or data.carer_ids is not None
    if not moving:
        if data.pinned is not None:
            hand_moves.set_pin(session, plan=plan, user=user, visit=visit, pinned=data.pinned)
        return assignment
    carers = (_carer_external_ids(session, user=user, plan=plan, carer_ids=data.carer_ids)
              if data.carer_ids is not None else sorted(c.external_id for c in assignment.carers))
    if data.pinned is False and assignment.pinned:
        hand_moves.set_pin(session, plan=plan, user=user, visit=visit, pinned=False)
    try:
        hand_moves.hand_move(session, plan=plan, user=user, visit=visit, carers=carers,
                             start=assignment.start if data.start is None else data.start,
                             pin=data.pinned is not False)
    except hand_moves.MoveRefused as e:
        # The rule names the hand move's fields; this request sent `carer_ids`.
        raise hand_moves.MoveRefused(e.message, errors=[
            {**d, "path": "carer_ids" if d["path"] == "carers" else d["path"]} for d in e.errors or []
        ]) from None
    return assignment


def _carer_external_ids(session: Session, *, user: User, plan: Plan, carer_ids: list[int]) -> list[str]:
    """The carers by row id, each of the plan's teams and seen by the user (else 422 naming it, as an
    unknown id: another team's carers are not confirmed to exist)."""
    plan_team_ids = {t.id for t in plan.teams}
    visible = visible_team_ids(user)
    out = []
    for i, cid in enumerate(carer_ids):
        carer = session.get(Carer, cid)
        if carer is None or carer.team_id not in plan_team_ids or (
                visible is not None and carer.team_id not in visible):
            raise Invalid(f"unknown carer {cid}", path=f"carer_ids.{i}")
        out.append(carer.external_id)
    return out
