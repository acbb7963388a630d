"""Adjust and re-plan: record a sick call, an extra or longer visit, a hospital stay; re-plan; preview the
diff; apply or discard. Pin, unpin and move one assignment by hand, with the broken rule shown first.

Every change goes through `app.services.adjustments` (the same calls as /api/plans/{id}/...); this module
only turns form fields (dates, HH:MM, names in selects) into the service's terms (days from the plan's
start, external ids) and its answers and errors into pages.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from app.db import SessionDep
from app.repositories import adjustments as adj_repo
from app.schemas.core import RowId
from app.security import check_role, get_team_scoped
from app.services import adjustments as svc
from app.services.errors import NotFound, ServiceError
from app.web import queries
from app.web.deps import PLANNER_ROLES, STAFF_ROLES, WebUser, planner_team
from app.web.render import WebRoute, form_errors, is_htmx, page
from models.adjustments import ReplanPreview
from models.core import (
    ROLE_AUDITOR,
    Assignment,
    Carer,
    Citizen,
    Plan,
    PlanVersion,
    Team,
    User,
    Visit,
    plan_teams,
)

router = APIRouter(route_class=WebRoute)

FLASHES = {
    "saved": "The change was saved.",
    "applied": "The re-plan was applied.",
    "discarded": "The re-plan was discarded.",
    "moved": "The move was saved.",
    "pinned": "The assignment is pinned.",
    "unpinned": "The assignment is unpinned.",
    "accepted": "The plan was accepted.",
}

REPLAN_SECONDS = 5.0  # a coordinator waits for the preview: a few seconds, as the API's default


def parse_hhmm(value: str, path: str) -> int:
    try:
        h, m = value.strip().split(":")[:2]
        minutes = int(h) * 60 + int(m)
    except ValueError:
        raise HTTPException(
            status_code=422, detail=[{"path": path, "msg": f"{value!r} is not a time like 07:30"}]
        ) from None
    if not 0 <= minutes <= 24 * 60:
        raise HTTPException(
            status_code=422, detail=[{"path": path, "msg": f"{value!r} is not a time of day"}]
        )
    return minutes


def parse_date(value: str, path: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise HTTPException(
            status_code=422, detail=[{"path": path, "msg": f"{value!r} is not a date"}]
        ) from None


def team_plans(session: SessionDep, team_id: int) -> list[Plan]:
    """The team's plans, newest first (a plan spanning teams too)."""
    return list(
        session.scalars(
            select(Plan)
            .join(plan_teams, plan_teams.c.plan_id == Plan.id)
            .where(plan_teams.c.team_id == team_id)
            .order_by(Plan.start_date.desc())
        )
    )


def choose_plan(session: SessionDep, team: Team, plan_id: int | None, user: User) -> Plan | None:
    if plan_id is not None:
        plan = get_team_scoped(session, Plan, plan_id, user, what="plan not found")
        if team.id not in {t.id for t in plan.teams}:
            raise HTTPException(status_code=404, detail="plan not found")
        return plan
    plans = team_plans(session, team.id)
    today = dt.date.today()
    for p in plans:
        if p.start_date <= today <= p.end_date and adj_repo.accepted_version(session, p.id):
            return p
    for p in plans:
        if adj_repo.accepted_version(session, p.id):
            return p
    return plans[0] if plans else None


def _names(session: SessionDep, team_ids: list[int]) -> tuple[dict[str, str], dict[str, str]]:
    carers = dict(
        session.execute(select(Carer.external_id, Carer.name).where(Carer.team_id.in_(team_ids))).all()
    )
    citizens = dict(
        session.execute(select(Citizen.external_id, Citizen.name).where(Citizen.team_id.in_(team_ids))).all()
    )
    return carers, citizens


def adjust_context(session: SessionDep, team: Team, plan: Plan | None) -> dict[str, Any]:
    carers = session.execute(
        select(Carer.id, Carer.external_id, Carer.name).where(Carer.team_id == team.id).order_by(Carer.name)
    ).all()
    citizens = session.execute(
        select(Citizen.id, Citizen.external_id, Citizen.name)
        .where(Citizen.team_id == team.id)
        .order_by(Citizen.name)
    ).all()
    kinds = sorted(
        set(
            session.scalars(
                select(Visit.kind)
                .join(Citizen, Citizen.id == Visit.citizen_id)
                .where(Citizen.team_id == team.id)
                .distinct()
            )
        )
    )
    ctx: dict[str, Any] = {
        "team": team,
        "plan": plan,
        "carers": carers,
        "citizens": citizens,
        "kinds": kinds,
        "plans": team_plans(session, team.id),
        "pending": [],
        "previews": [],
    }
    if plan is not None:
        ctx["pending"] = adj_repo.pending_adjustments(session, plan.id)
        ctx["previews"] = adj_repo.previews(session, plan.id, limit=5)
        ctx["version"] = adj_repo.accepted_version(session, plan.id)
        ctx["carer_names"], ctx["citizen_names"] = _names(session, [t.id for t in plan.teams])
        day = min(max(dt.date.today(), plan.start_date), plan.end_date)
        ctx["default_day"] = day
        pend_days = [a.date_from for a in ctx["pending"] if a.date_from] + [
            a.date_to for a in ctx["pending"] if a.date_to
        ]
        ctx["replan_from"] = max(min(pend_days), plan.start_date) if pend_days else day
        ctx["replan_to"] = min(max(pend_days), plan.end_date) if pend_days else day
    return ctx


def render_adjust(
    request: Request,
    session: SessionDep,
    user: User,
    team: Team,
    plan: Plan | None,
    *,
    errors: list[dict[str, Any]] | None = None,
    message: str | None = None,
    status_code: int = 200,
    form: str | None = None,
) -> Response:
    ctx = adjust_context(session, team, plan)
    ctx.update(
        {
            "errors": errors,
            "message": message,
            "form": form,
            "flash": FLASHES.get(request.query_params.get("done", "")),
        }
    )
    if ctx["flash"]:
        ctx["flash_kind"] = "ok"
    # A sick call started from a carer's day arrives with ?carer=ID&date=YYYY-MM-DD: fill the form in.
    q = request.query_params
    ctx["pick_carer"] = int(q["carer"]) if q.get("carer", "").isdigit() else None
    try:
        picked = dt.date.fromisoformat(q.get("date", ""))
    except ValueError:
        picked = None
    if plan is not None and picked is not None and plan.start_date <= picked <= plan.end_date:
        ctx["default_day"] = picked
    return page(
        request, "web/adjust.html", ctx, user=user, team_id=team.id, active="adjust", status_code=status_code
    )


@router.get("/teams/{team_id}/adjust")
def adjust_page(
    request: Request, team_id: RowId, user: WebUser, session: SessionDep, plan: RowId | None = None
) -> Response:
    team = planner_team(session, team_id, user)
    return render_adjust(request, session, user, team, choose_plan(session, team, plan, user))


def _day(plan: Plan, value: str, path: str) -> int:
    d = parse_date(value, path)
    if not plan.start_date <= d <= plan.end_date:
        raise HTTPException(
            status_code=422,
            detail=[{"path": path, "msg": f"{d} is outside the plan ({plan.start_date} – {plan.end_date})"}],
        )
    return (d - plan.start_date).days


def _external(
    session: SessionDep, model: type[Carer] | type[Citizen], row_id: int, team: Team, path: str
) -> str:
    row = session.get(model, row_id)
    if not isinstance(row, Carer | Citizen) or row.team_id != team.id:
        raise HTTPException(status_code=422, detail=[{"path": path, "msg": "choose one from the list"}])
    return row.external_id


@router.post("/teams/{team_id}/adjust/{kind}")
def record_change(
    request: Request,
    team_id: RowId,
    kind: str,
    user: WebUser,
    session: SessionDep,
    plan_id: Annotated[RowId, Form()],
    carer: Annotated[RowId | None, Form()] = None,
    citizen: Annotated[RowId | None, Form()] = None,
    date_from: Annotated[str, Form()] = "",
    date_to: Annotated[str, Form()] = "",
    date: Annotated[str, Form()] = "",
    need: Annotated[str, Form()] = "",
    earliest: Annotated[str, Form()] = "",
    latest: Annotated[str, Form()] = "",
    duration: Annotated[int | None, Form()] = None,
    carers_needed: Annotated[int, Form()] = 1,
    reason: Annotated[str, Form()] = "",
) -> Response:
    team = planner_team(session, team_id, user)
    plan = choose_plan(session, team, plan_id, user)
    assert plan is not None
    note = reason.strip() or None
    try:
        change: dict[str, Any]
        if kind == "sick":
            change = {
                "type": "carer_absent",
                "carer": _external(session, Carer, carer or 0, team, "carer"),
                "from_day": _day(plan, date_from, "date_from"),
                "to_day": _day(plan, date_to or date_from, "date_to"),
            }
        elif kind == "hospital":
            change = {
                "type": "citizen_away",
                "citizen": _external(session, Citizen, citizen or 0, team, "citizen"),
                "from_day": _day(plan, date_from, "date_from"),
                "to_day": _day(plan, date_to or date_from, "date_to"),
            }
        elif kind == "extra":
            ext = _external(session, Citizen, citizen or 0, team, "citizen")
            day = _day(plan, date, "date")
            change = {
                "type": "visit_add",
                "visit": {
                    "id": f"{ext}-d{day:02d}-extra-{secrets.token_hex(3)}",
                    "citizen": ext,
                    "need": need or "extra",
                    "day": day,
                    "earliest": parse_hhmm(earliest, "earliest"),
                    "latest": parse_hhmm(latest, "latest"),
                    "duration": duration or 0,
                    "carers": carers_needed,
                    "skills": [],
                },
            }
        elif kind == "longer":
            cit = session.get(Citizen, citizen or 0)
            d = parse_date(date, "date")
            visit = queries.visit_for(
                session, citizen_id=cit.id if cit and cit.team_id == team.id else -1, day=d, kind=need
            )
            if visit is None:
                raise HTTPException(
                    status_code=422, detail=[{"path": "need", "msg": "no such visit that day"}]
                )
            change = {"type": "visit_duration", "visit": visit.external_id, "duration": duration or 0}
        else:
            raise HTTPException(status_code=404, detail="not found")
        if note:
            change["reason"] = note
        svc.record_adjustments(session, plan=plan, user=user, changes=[change])
    except (HTTPException, ServiceError) as e:
        if isinstance(e, HTTPException) and e.status_code != 422:
            raise
        session.rollback()
        code, errors = form_errors(e)
        return render_adjust(request, session, user, team, plan, errors=errors, status_code=code, form=kind)
    return RedirectResponse(f"/teams/{team.id}/adjust?plan={plan.id}&done=saved", status_code=303)


@router.post("/teams/{team_id}/adjust/withdraw/{adjustment_id}")
def withdraw(
    team_id: RowId, adjustment_id: RowId, user: WebUser, session: SessionDep,
    plan_id: Annotated[RowId, Form()],
) -> Response:
    team = planner_team(session, team_id, user)
    plan = choose_plan(session, team, plan_id, user)
    assert plan is not None
    svc.withdraw_adjustment(session, plan=plan, user=user, adjustment_id=adjustment_id)
    return RedirectResponse(f"/teams/{team.id}/adjust?plan={plan.id}", status_code=303)


@router.post("/teams/{team_id}/replans")
def start_replan(
    request: Request,
    team_id: RowId,
    user: WebUser,
    session: SessionDep,
    plan_id: Annotated[RowId, Form()],
    date_from: Annotated[str, Form()],
    date_to: Annotated[str, Form()] = "",
) -> Response:
    team = planner_team(session, team_id, user)
    plan = choose_plan(session, team, plan_id, user)
    assert plan is not None
    try:
        lo = _day(plan, date_from, "date_from")
        hi = _day(plan, date_to or date_from, "date_to")
        preview = svc.create_preview(
            session, plan=plan, user=user, from_day=lo, to_day=hi, time_limit=REPLAN_SECONDS
        )
    except (HTTPException, ServiceError) as e:
        if isinstance(e, HTTPException) and e.status_code != 422:
            raise
        session.rollback()
        code, errors = form_errors(e)
        return render_adjust(request, session, user, team, plan, errors=errors, status_code=code,
                             form="replan")
    target = f"/teams/{team.id}/replans/{preview.id}"
    if is_htmx(request):
        return Response(status_code=200, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


def _preview_of(session: SessionDep, team: Team, preview_id: int, user: User) -> tuple[Plan, ReplanPreview]:
    preview = session.get(ReplanPreview, preview_id)
    if preview is None:
        raise NotFound("re-plan not found")
    plan = get_team_scoped(session, Plan, preview.plan_id, user, what="re-plan not found")
    if team.id not in {t.id for t in plan.teams}:
        raise NotFound("re-plan not found")
    return plan, preview


@router.get("/teams/{team_id}/replans/{preview_id}")
def preview_page(
    request: Request, team_id: RowId, preview_id: RowId, user: WebUser, session: SessionDep
) -> Response:
    team = planner_team(session, team_id, user)
    plan, preview = _preview_of(session, team, preview_id, user)
    carer_names, citizen_names = _names(session, [t.id for t in plan.teams])
    diff = preview.diff or {}
    return page(
        request,
        "web/preview.html",
        {
            "team": team,
            "plan": plan,
            "preview": preview,
            "diff": diff,
            "summary": diff.get("summary", {}),
            "carer_names": carer_names,
            "citizen_names": citizen_names,
            "date_of": lambda day: plan.start_date + dt.timedelta(days=day),
            "first_day": plan.start_date + dt.timedelta(days=preview.from_day),
            "last_day": plan.start_date + dt.timedelta(days=preview.to_day),
        },
        user=user,
        team_id=team.id,
        active="adjust",
    )


@router.post("/teams/{team_id}/replans/{preview_id}/{action}")
def decide_preview(
    team_id: RowId, preview_id: RowId, action: str, user: WebUser, session: SessionDep
) -> Response:
    team = planner_team(session, team_id, user)
    plan, preview = _preview_of(session, team, preview_id, user)
    if action == "apply":
        svc.apply_preview(session, plan=plan, preview=preview, user=user)
        day = plan.start_date + dt.timedelta(days=preview.from_day)
        return RedirectResponse(f"/teams/{team.id}/rota?date={day.isoformat()}&done=applied", status_code=303)
    if action == "discard":
        svc.discard_preview(session, plan=plan, preview=preview, user=user)
        return RedirectResponse(f"/teams/{team.id}/adjust?plan={plan.id}&done=discarded", status_code=303)
    raise HTTPException(status_code=404, detail="not found")


# --- one assignment: details, pin, move --------------------------------------------------------------


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
    team_carers = session.execute(
        select(Carer.id, Carer.external_id, Carer.name)
        .where(Carer.team_id == citizen.team_id)
        .order_by(Carer.name)
    ).all()
    current = sorted(a.carers, key=lambda c: c.name)
    shifts = queries.shifts_on(session, team_id=citizen.team_id, day=a.visit.date)
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
        raise HTTPException(status_code=422, detail=[{"path": "carer1", "msg": "choose a carer"}])
    return carers, parse_hhmm(start, "start")


def _move_violations(e: HTTPException | ServiceError) -> list[dict[str, Any]]:
    """A refused hand move as the rows the page lists: the rule (or the field) and why."""
    _, errors = form_errors(e)
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
        result = svc.check_hand_move(
            session, plan=plan, visit=a.visit.external_id, carers=carers, start=minute
        )
        violations = [{"rule": v.rule, "visit": v.visit, "msg": v.message} for v in result.violations]
        ok = result.ok
    except (HTTPException, ServiceError) as e:
        if isinstance(e, HTTPException) and e.status_code != 422:
            raise
        ok, violations = False, _move_violations(e)
    return page(
        request, "web/_move_check.html", {"ok": ok, "violations": violations, "saved": False}, user=user
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
        svc.hand_move(
            session,
            plan=plan,
            user=user,
            visit=a.visit.external_id,
            carers=carers,
            start=minute,
            reason=reason.strip() or None,
        )
    except (HTTPException, ServiceError) as e:
        if isinstance(e, HTTPException) and e.status_code != 422:
            raise
        session.rollback()
        violations = _move_violations(e)
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
    svc.set_pin(session, plan=plan, user=user, visit=a.visit.external_id, pinned=pinned == "1")
    return RedirectResponse(
        f"/assignments/{a.id}?done={'pinned' if pinned == '1' else 'unpinned'}", status_code=303
    )


__all__ = ["PLANNER_ROLES", "router"]
