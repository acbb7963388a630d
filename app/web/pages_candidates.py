"""Who should take a visit, as a page: the ranked carers for one visit (planned or unplaced), each with
what it costs the citizen and the route, and one button that applies it as a checked hand move.

The work is `app.services.candidates` and `app.services.hand_moves` (the same calls as
GET /api/visits/{id}/candidates and POST /api/plans/{id}/moves)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from app.api.deps import ReadLogDep
from app.db import SessionDep
from app.jobs.factory import RunnerDep
from app.repositories import adjustments as adj_repo
from app.schemas.core import NeedAsked, RowId
from app.security import check_role, get_team_scoped
from app.services import candidates as svc
from app.services import hand_moves
from app.services.core import validated
from app.services.errors import Invalid
from app.web.deps import PLANNER_ROLES, STAFF_ROLES, WebUser, planner_team
from app.web.forms import FORM_REFUSALS, FormFields, field_error, parse_date, parse_hhmm, plan_day, refusal
from app.web.pages_rota import parse_day
from app.web.read import teams as teams_read
from app.web.render import WebRoute, page
from models.core import Citizen, Plan, User, Visit

router = APIRouter(route_class=WebRoute)

WHY_NOT = {
    "skill": "lacks a skill the visit needs",
    "avoid": "on the citizen's list of carers to avoid",
    "off": "no shift at that time",
    "full": "no room in the day as it stands",
    "partner": "no second carer free at the same time",
}


def _visit(session: SessionDep, visit_id: int, user: User) -> Visit:
    check_role(user, *STAFF_ROLES)
    return get_team_scoped(session, Visit, visit_id, user, what="visit not found")


def _page(request: Request, session: SessionDep, user: User, visit: Visit, *,
          refused: list[str] | None = None, status_code: int = 200) -> Response:
    found = svc.suggest_carers(session, visit=visit)
    carer_names, _citizens = teams_read.names_by_external_id(session, [visit.citizen.team_id])
    version = adj_repo.accepted_version(session, found.plan.id)
    assignment = next((a for a in version.assignments if a.visit_id == visit.id), None) if version else None
    return page(request, "web/candidates.html", {
        "visit": visit, "citizen": visit.citizen, "team": visit.citizen.team, "found": found,
        "names": carer_names, "assignment": assignment, "refused": refused or [], "why_not": WHY_NOT,
    }, user=user, team_id=visit.citizen.team_id, active="rota", status_code=status_code)


@router.get("/visits/{visit_id}/candidates")
def candidates_page(request: Request, visit_id: RowId, user: WebUser, session: SessionDep,
                    reads: ReadLogDep) -> Response:
    visit = _visit(session, visit_id, user)
    reads.citizens(user=user, citizen_ids=[visit.citizen_id], what="visit candidates")
    return _page(request, session, user, visit)


@router.post("/visits/{visit_id}/candidates/take")
def take(request: Request, visit_id: RowId, user: WebUser, session: SessionDep, reads: ReadLogDep,
         plan_id: Annotated[int, Form()], carers: Annotated[str, Form()],
         start: Annotated[int, Form()]) -> Response:
    """Apply one suggestion: a hand move, checked against every rule at this moment (the plan may have
    changed since the page was drawn), pinned like every hand move."""
    visit = _visit(session, visit_id, user)
    plan = get_team_scoped(session, Plan, plan_id, user, what="plan not found")
    chosen = [c for c in carers.split(",") if c]
    try:
        hand_moves.hand_move(session, plan=plan, user=user, visit=visit.external_id, carers=chosen,
                             start=start, reason="suggested carer")
    except FORM_REFUSALS as e:
        messages = [d["msg"] for d in refusal(session, e)[1]]
        reads.citizens(user=user, citizen_ids=[visit.citizen_id], what="visit candidates")
        visit = _visit(session, visit_id, user)
        return _page(request, session, user, visit, refused=messages, status_code=422)
    version = adj_repo.accepted_version(session, plan.id)
    assignment = next((a for a in version.assignments if a.visit_id == visit.id), None) if version else None
    target = f"/assignments/{assignment.id}?done=moved" if assignment else f"/visits/{visit.id}/candidates"
    return RedirectResponse(target, status_code=303)


def _fit_page(request: Request, session: SessionDep, user: User, found: svc.CitizenFit, *, weeks: int,
              reads: ReadLogDep) -> Response:
    ids = [found.citizen.id] if found.citizen else []
    reads.citizens(user=user, citizen_ids=[*ids, *found.moved_citizen_ids()], what="citizen fit")
    carer_names, _citizens = teams_read.names_by_external_id(session, [found.team.id])
    missing = [v for v in found.fit.visits if not v.carers]
    return page(request, "web/fit.html", {
        "citizen": found.citizen, "team": found.team, "found": found, "names": carer_names,
        "missing": missing, "why_not": WHY_NOT, "weeks": weeks,
    }, user=user, team_id=found.team.id, active="citizens")


@router.get("/citizens/{citizen_id}/fit")
def fit_page(request: Request, citizen_id: RowId, user: WebUser, session: SessionDep, reads: ReadLogDep,
             start: str | None = None, weeks: int = 4) -> Response:
    """Where the citizen's visits not planned yet fit, in plain words: who would come, and when, which
    other visits move to make room; or, for what does not fit, who came closest and what stopped each."""
    check_role(user, *PLANNER_ROLES)
    citizen = get_team_scoped(session, Citizen, citizen_id, user, what="citizen not found")
    weeks = max(1, min(6, weeks))
    found = svc.fit_citizen_into_plan(session, citizen=citizen, start=parse_day(start, svc.next_monday()),
                                      weeks=weeks)
    return _fit_page(request, session, user, found, weeks=weeks, reads=reads)


@router.post("/citizens/{citizen_id}/fit/plan")
def plan_with_fit(request: Request, citizen_id: RowId, user: WebUser, session: SessionDep,
                  runner: RunnerDep, start: Annotated[str, Form()],
                  weeks: Annotated[int, Form()] = 4) -> Response:
    """One click: plan the team's weeks from the start with the fit as the starting point (a plan job
    like the runs page's); the coordinator follows it on the run's page and accepts its draft there."""
    check_role(user, *PLANNER_ROLES)
    citizen = get_team_scoped(session, Citizen, citizen_id, user, what="citizen not found")
    job = svc.plan_with_fit(session, user=user, runner=runner, citizen=citizen,
                            start=parse_date(start, "start"), weeks=max(1, min(6, weeks)))
    return RedirectResponse(f"/runs/{job.id}", status_code=303)


FIT_NEEDS = 3  # need rows the new-citizen form offers to ask about before saving


def asked_needs(form: FormData) -> list[NeedAsked]:
    """The need rows of the new-citizen form that name a need (need0_kind ...), checked field by field."""
    out = []
    for i in range(FIT_NEEDS):
        kind = str(form.get(f"need{i}_kind") or "").strip()
        if not kind:
            continue
        days = sorted({int(str(d)) for d in form.getlist(f"need{i}_weekdays") if str(d) in set("0123456")})
        if not days:
            raise field_error(f"need{i}_weekdays", "choose at least one day")
        earliest = parse_hhmm(str(form.get(f"need{i}_earliest") or ""), f"need{i}_earliest")
        latest = parse_hhmm(str(form.get(f"need{i}_latest") or ""), f"need{i}_latest")
        if latest < earliest:
            raise field_error(f"need{i}_latest", "the latest start is before the earliest")
        try:
            duration = int(str(form.get(f"need{i}_duration") or "30"))
        except ValueError:
            raise field_error(f"need{i}_duration", "give minutes as a whole number") from None
        if not 5 <= duration <= 480 or earliest + duration > 24 * 60:
            raise field_error(f"need{i}_duration", "between 5 and 480 minutes, ending within the day")
        try:
            out.append(validated(NeedAsked, {"kind": kind.split()[0], "weekdays": days, "earliest": earliest,
                                             "latest": latest, "duration": duration}))
        except Invalid as e:  # the schema names its own field: the form names the row's
            where = (e.errors or [{}])[0].get("path", "kind")
            raise field_error(f"need{i}_{where}", e.message) from None
    if not out:
        raise field_error("need0_kind", "name at least one need to ask where it fits")
    return out


@router.post("/teams/{team_id}/citizens/new/fit")
def unsaved_fit(request: Request, team_id: RowId, user: WebUser, session: SessionDep,
                reads: ReadLogDep, form: FormFields) -> Response:
    """From the new-citizen form, before saving: where would this citizen's needs fit? Nothing is stored;
    a refused field shows the form again with the field named."""
    team = planner_team(session, team_id, user)
    carers = {c.id for c in teams_read.team_carers(session, team.id)}
    try:
        try:
            lat, lon = float(str(form.get("lat") or "")), float(str(form.get("lon") or ""))
        except ValueError:
            raise field_error("lat", "type the position as latitude and longitude") from None
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise field_error("lat", "latitude -90..90, longitude -180..180")
        contact = str(form.get("contact_carer_id") or "")
        weeks = int(str(form.get("fit_weeks") or "4")) if str(form.get("fit_weeks") or "4").isdigit() else 4
        found = svc.fit_unsaved_citizen(
            session, team=team, lat=lat, lon=lon, needs=asked_needs(form),
            avoid_carer_ids=[c for c in sorted(carers) if form.get(f"avoid_{c}")],
            contact_carer_id=int(contact) if contact.isdigit() else None,
            start=parse_day(str(form.get("fit_start") or "") or None, svc.next_monday()),
            weeks=max(1, min(6, weeks)))
    except FORM_REFUSALS as e:
        code, errors = refusal(session, e)
        return page(request, "web/fit_refused.html", {"team": team, "errors": errors},
                    user=user, team_id=team.id, active="citizens", status_code=code)
    return _fit_page(request, session, user, found, weeks=max(1, min(6, weeks)), reads=reads)


@router.post("/teams/{team_id}/adjust/extra/candidates")
def extra_visit_candidates(
    request: Request, team_id: RowId, user: WebUser, session: SessionDep, reads: ReadLogDep,
    plan_id: Annotated[RowId, Form()], citizen: Annotated[RowId, Form()], date: Annotated[str, Form()],
    earliest: Annotated[str, Form()], latest: Annotated[str, Form()], duration: Annotated[int, Form()] = 30,
    carers_needed: Annotated[int, Form()] = 1, need: Annotated[str, Form()] = "extra",
) -> Response:
    """Who could come for an extra visit a relative asks for, before it is saved: nothing is stored."""
    team = planner_team(session, team_id, user)
    plan = get_team_scoped(session, Plan, plan_id, user, what="plan not found")
    person = get_team_scoped(session, Citizen, citizen, user, what="citizen not found")
    day = plan_day(plan, date, "date")
    visit = {"id": f"{person.external_id}-d{day:02d}-extra-asked", "citizen": person.external_id,
             "need": need or "extra", "day": day, "earliest": parse_hhmm(earliest, "earliest"),
             "latest": parse_hhmm(latest, "latest"), "duration": duration, "carers": carers_needed}
    reads.citizens(user=user, citizen_ids=[person.id], what="visit candidates")
    found = svc.suggest_for_new_visit(session, plan=plan, user=user, visit=visit)
    carer_names, _citizens = teams_read.names_by_external_id(session, [team.id])
    return page(request, "web/candidates_extra.html", {
        "team": team, "citizen": person, "plan": plan, "visit": visit,
        "date": plan.start_date + dt.timedelta(days=day),
        "candidates": found, "names": carer_names,
    }, user=user, team_id=team.id, active="adjust")
