"""Adjust: record a change for a plan (an absence of a carer of any kind, a changed shift, a substitute, a
hospital stay, a cancelled visit, a visit at another time, an extra or longer visit); withdraw one.

Every change goes through `app.services.adjustments` (the same calls as /api/plans/{id}/...); this module
only turns form fields (dates, HH:MM, names in selects) into the service's terms (days from the plan's
start, external ids) and its answers and errors into the page. Re-plans are app/web/pages_replan.py.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from app.db import SessionDep
from app.repositories import adjustments as adj_repo
from app.schemas.core import RowId
from app.security import get_team_scoped
from app.services import adjustments as svc
from app.web.deps import WebUser, planner_team
from app.web.forms import (
    FORM_REFUSALS,
    chosen_external_id,
    field_error,
    parse_date,
    parse_hhmm,
    plan_day,
    refusal,
)
from app.web.i18n import translator
from app.web.read import citizen as citizen_read
from app.web.read import plans as plans_read
from app.web.read import team_data as team_data_read
from app.web.read import teams as teams_read
from app.web.render import FLASHES, WebRoute, language, page
from models.core import Carer, Citizen, Plan, Team, User, Visit

router = APIRouter(route_class=WebRoute)

# The kinds of a carer's absence, as the form offers them; the kind is written first in the change's reason.
ABSENCE_KINDS = {
    "sick": "Sick call",
    "child": "Care of a sick child",
    "vacation": "Vacation",
    "training": "Training",
    "leave": "Leave of absence",
    "other": "Other absence",
}


def choose_plan(session: SessionDep, team: Team, plan_id: int | None, user: User) -> Plan | None:
    """The plan asked for (it must cover the team), else the accepted plan in force today, else the newest
    with an accepted version, else the newest."""
    if plan_id is not None:
        plan = get_team_scoped(session, Plan, plan_id, user, what="plan not found")
        if team.id not in {t.id for t in plan.teams}:
            raise HTTPException(status_code=404, detail="plan not found")
        return plan
    plans = plans_read.team_plans(session, team.id)
    today = dt.date.today()
    for p in plans:
        if p.start_date <= today <= p.end_date and adj_repo.accepted_version(session, p.id):
            return p
    for p in plans:
        if adj_repo.accepted_version(session, p.id):
            return p
    return plans[0] if plans else None


def adjust_context(session: SessionDep, team: Team, plan: Plan | None) -> dict[str, Any]:
    ctx: dict[str, Any] = {
        "team": team,
        "plan": plan,
        "carers": teams_read.team_carers(session, team.id),
        "citizens": teams_read.team_citizens(session, team.id),
        "kinds": teams_read.visit_kinds(session, team.id),
        "skills": teams_read.team_skills(session, team.id),
        "absence_kinds": ABSENCE_KINDS,
        "plans": plans_read.team_plans(session, team.id),
        "pending": [],
        "replan_needs": [],
        "previews": [],
    }
    if plan is not None:
        ctx["pending"] = adj_repo.pending_adjustments(session, plan.id)
        ctx["replan_needs"] = team_data_read.replan_needs(session, plan_id=plan.id, team_id=team.id)
        ctx["previews"] = adj_repo.previews(session, plan.id, limit=5)
        ctx["version"] = adj_repo.accepted_version(session, plan.id)
        ctx["carer_names"], ctx["citizen_names"] = teams_read.names_by_external_id(
            session, [t.id for t in plan.teams]
        )
        visits = teams_read.visits_by_external_id(
            session, [a.change["visit"] for a in ctx["pending"] if isinstance(a.change.get("visit"), str)]
        )
        ctx["visits"] = visits
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
    absence: Annotated[str, Form()] = "sick",
    name: Annotated[str, Form()] = "",
    skills: Annotated[list[str] | None, Form()] = None,
    instead_of: Annotated[RowId | None, Form()] = None,
    off: Annotated[str, Form()] = "",
) -> Response:
    team = planner_team(session, team_id, user)
    plan = choose_plan(session, team, plan_id, user)
    assert plan is not None
    note = reason.strip() or None
    _ = translator(language(request))
    try:
        change: dict[str, Any]
        if kind == "sick":
            if absence not in ABSENCE_KINDS:
                raise field_error("absence", "choose one from the list")
            change = {
                "type": "carer_absent",
                "carer": chosen_external_id(session, Carer, carer or 0, team, "carer"),
                "from_day": plan_day(plan, date_from, "date_from"),
                "to_day": plan_day(plan, date_to or date_from, "date_to"),
            }
            note = ": ".join(x for x in (_(ABSENCE_KINDS[absence]), note) if x)
        elif kind == "shift":
            start, end = parse_hhmm(earliest, "earliest"), parse_hhmm(latest, "latest")
            change = {
                "type": "shift_set",
                "carer": chosen_external_id(session, Carer, carer or 0, team, "carer"),
                "day": plan_day(plan, date, "date"),
                "shifts": [] if off else [{"start": start, "end": end}],
            }
        elif kind == "substitute":
            first = plan_day(plan, date_from, "date_from")
            last = plan_day(plan, date_to or date_from, "date_to")
            start, end = parse_hhmm(earliest, "earliest"), parse_hhmm(latest, "latest")
            change = {
                "type": "carer_add",
                "carer": {
                    "id": substitute_id(session, name),
                    "team": team.external_id,
                    "skills": sorted(set(skills or [])),
                    "shifts": [{"day": d, "start": start, "end": end} for d in range(first, last + 1)],
                },
            }
            if instead_of is not None:
                stands_in_for = session.get(Carer, instead_of)
                if stands_in_for is not None and stands_in_for.team_id == team.id:
                    instead = _("Substitute for {name}", name=stands_in_for.name)
                    note = ": ".join(x for x in (instead, note) if x)
        elif kind in ("cancel", "window"):
            visit = _chosen_visit(session, team, citizen, date, need)
            if kind == "cancel":
                change = {"type": "visit_cancel", "visit": visit.external_id}
            else:
                change = {
                    "type": "visit_window",
                    "visit": visit.external_id,
                    "earliest": parse_hhmm(earliest, "earliest"),
                    "latest": parse_hhmm(latest, "latest"),
                }
        elif kind == "hospital":
            change = {
                "type": "citizen_away",
                "citizen": chosen_external_id(session, Citizen, citizen or 0, team, "citizen"),
                "from_day": plan_day(plan, date_from, "date_from"),
                "to_day": plan_day(plan, date_to or date_from, "date_to"),
            }
        elif kind == "extra":
            ext = chosen_external_id(session, Citizen, citizen or 0, team, "citizen")
            day = plan_day(plan, date, "date")
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
            visit = _chosen_visit(session, team, citizen, date, need)
            change = {"type": "visit_duration", "visit": visit.external_id, "duration": duration or 0}
        else:
            raise HTTPException(status_code=404, detail="not found")
        if note:
            change["reason"] = note
        svc.record_adjustments(session, plan=plan, user=user, changes=[change])
    except FORM_REFUSALS as e:
        code, errors = refusal(session, e)
        return render_adjust(request, session, user, team, plan, errors=errors, status_code=code, form=kind)
    return RedirectResponse(f"/teams/{team.id}/adjust?plan={plan.id}&done=saved", status_code=303)


def _chosen_visit(session: SessionDep, team: Team, citizen: int | None, date: str, need: str) -> Visit:
    """The team's citizen's planned visit of this need on this day, as the forms name a visit."""
    cit = session.get(Citizen, citizen or 0)
    d = parse_date(date, "date")
    visit = citizen_read.visit_for(
        session, citizen_id=cit.id if cit and cit.team_id == team.id else -1, day=d, kind=need
    )
    if visit is None:
        raise field_error("need", "no such visit that day")
    return visit


def substitute_id(session: SessionDep, name: str) -> str:
    """A substitute is stored under their name (the plan shows a carer added by a change by their id), made
    unique with a number when the name is taken."""
    base = " ".join(name.split())
    if not base:
        raise field_error("name", "give the substitute's name")
    taken = teams_read.carer_ids_and_names_like(session, base)
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base} ({n})"
    return candidate


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
