"""One assignment: its details, pin or unpin it, move it by hand with the broken rule shown first.

The work is `app.services.hand_moves` (the same calls as /api/plans/{id}/pins and /moves).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from app.db import SessionDep
from app.repositories import adjustments as adj_repo
from app.schemas.core import RowId
from app.security import check_role, get_team_scoped
from app.services import hand_moves
from app.web.deps import STAFF_ROLES, WebUser
from app.web.forms import FORM_REFUSALS, field_error, parse_hhmm, refusal
from app.web.read import teams as teams_read
from app.web.render import FLASHES, WebRoute, page
from models.core import ROLE_AUDITOR, Assignment, Plan, PlanVersion, User

router = APIRouter(route_class=WebRoute)


def _assignment(session: SessionDep, assignment_id: int, user: User) -> tuple[Assignment, PlanVersion, Plan]:
    check_role(user, *STAFF_ROLES)
    a = session.get(Assignment, assignment_id)
    if a is None:
        raise HTTPException(status_code=404, detail="assignment not found")
    version = get_team_scoped(session, PlanVersion, a.plan_version_id, user, what="assignment not found")
    return a, version, version.plan


def assignment_context(
    session: SessionDep, a: Assignment, version: PlanVersion, plan: Plan, user: User
) -> dict[str, Any]:
    citizen = a.visit.citizen
    in_force = adj_repo.accepted_version(session, plan.id)
    team_carers = teams_read.team_carers(session, citizen.team_id)
    current = sorted(a.carers, key=lambda c: c.name)
    shifts = teams_read.shifts_on(session, team_id=citizen.team_id, day=a.visit.date)
    return {
        "a": a,
        "visit": a.visit,
        "citizen": citizen,
        "version": version,
        "plan": plan,
        "editable": in_force is not None and in_force.id == version.id and user.role != ROLE_AUDITOR,
        "team_carers": team_carers,
        "shifts": shifts,
        "current": current,
        "team": citizen.team,
        "first_carer": current[0].external_id if current else "",
        "second_carer": current[1].external_id if len(current) > 1 else "",
        "id_names": {k: v for names in teams_read.names_by_external_id(session, [citizen.team_id]) for k, v in
                     names.items()},
    }


@router.get("/assignments/{assignment_id}")
def assignment_page(request: Request, assignment_id: RowId, user: WebUser, session: SessionDep) -> Response:
    a, version, plan = _assignment(session, assignment_id, user)
    ctx = assignment_context(session, a, version, plan, user)
    ctx["flash"] = FLASHES.get(request.query_params.get("done", ""))
    return page(request, "web/assignment.html", ctx, user=user, team_id=ctx["team"].id, active="rota")


def _move_fields(carer1: str, carer2: str, start: str) -> tuple[list[str], int]:
    carers = [c for c in dict.fromkeys([carer1.strip(), carer2.strip()]) if c]
    if not carers:
        raise field_error("carer1", "choose a carer")
    return carers, parse_hhmm(start, "start")


def _move_violations(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A refused hand move as the rows the page lists: the rule (or the field) and why."""
    return [{"rule": d.get("rule") or d.get("path", ""), "visit": d.get("visit", ""), "msg": d["msg"]}
            for d in errors]


@router.post("/assignments/{assignment_id}/check")
def check_move(
    request: Request,
    assignment_id: RowId,
    user: WebUser,
    session: SessionDep,
    carer1: Annotated[str, Form()] = "",
    carer2: Annotated[str, Form()] = "",
    start: Annotated[str, Form()] = "",
) -> Response:
    """The hard rules for the move, nothing saved: an htmx fragment under the form."""
    a, version, plan = _assignment(session, assignment_id, user)
    try:
        carers, minute = _move_fields(carer1, carer2, start)
        result = hand_moves.check_hand_move(
            session, plan=plan, visit=a.visit.external_id, carers=carers, start=minute
        )
        violations = [{"rule": v.rule, "visit": v.visit, "msg": v.message} for v in result.violations]
        ok = result.ok
    except FORM_REFUSALS as e:
        ok, violations = False, _move_violations(refusal(session, e)[1])
    carer_names, citizen_names = teams_read.names_by_external_id(session, [a.visit.citizen.team_id])
    return page(
        request,
        "web/_move_check.html",
        {"ok": ok, "violations": violations, "saved": False, "id_names": {**carer_names, **citizen_names}},
        user=user,
    )


@router.post("/assignments/{assignment_id}/move")
def save_move(
    request: Request,
    assignment_id: RowId,
    user: WebUser,
    session: SessionDep,
    carer1: Annotated[str, Form()] = "",
    carer2: Annotated[str, Form()] = "",
    start: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:
    a, version, plan = _assignment(session, assignment_id, user)
    try:
        carers, minute = _move_fields(carer1, carer2, start)
        hand_moves.hand_move(
            session,
            plan=plan,
            user=user,
            visit=a.visit.external_id,
            carers=carers,
            start=minute,
            reason=reason.strip() or None,
        )
    except FORM_REFUSALS as e:
        violations = _move_violations(refusal(session, e)[1])
        a, version, plan = _assignment(session, assignment_id, user)
        ctx = assignment_context(session, a, version, plan, user)
        ctx.update({"refused": violations, "tried": {"carer1": carer1, "carer2": carer2, "start": start}})
        return page(
            request,
            "web/assignment.html",
            ctx,
            user=user,
            team_id=ctx["team"].id,
            active="rota",
            status_code=422,
        )
    return RedirectResponse(f"/assignments/{a.id}?done=moved", status_code=303)


@router.post("/assignments/{assignment_id}/pin")
def pin(
    assignment_id: RowId, user: WebUser, session: SessionDep, pinned: Annotated[str, Form()] = "1"
) -> Response:
    a, version, plan = _assignment(session, assignment_id, user)
    hand_moves.set_pin(session, plan=plan, user=user, visit=a.visit.external_id, pinned=pinned == "1")
    return RedirectResponse(
        f"/assignments/{a.id}?done={'pinned' if pinned == '1' else 'unpinned'}", status_code=303
    )
