"""Re-plan: re-plan a few days of a plan with its pending changes, preview the diff, apply or discard it.

The work is `app.services.replans` (the same calls as /api/plans/{id}/replans...); the form and its
errors come back on the adjust page (app/web/pages_adjust.py).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from app.db import SessionDep
from app.repositories import adjustments as adj_repo
from app.schemas.core import RowId
from app.security import get_team_scoped
from app.services import replans
from app.services.errors import NotFound
from app.web.deps import WebUser, planner_team
from app.web.forms import FORM_REFUSALS, plan_day, refusal
from app.web.pages_adjust import choose_plan, render_adjust
from app.web.read import teams as teams_read
from app.web.render import WebRoute, is_htmx, page
from models.adjustments import ReplanPreview
from models.core import Plan, Team, User

router = APIRouter(route_class=WebRoute)

REPLAN_SECONDS = 5.0  # a coordinator waits for the preview: a few seconds, as the API's default


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
        lo = plan_day(plan, date_from, "date_from")
        hi = plan_day(plan, date_to or date_from, "date_to")
        preview = replans.create_preview(
            session, plan=plan, user=user, from_day=lo, to_day=hi, time_limit=REPLAN_SECONDS
        )
    except FORM_REFUSALS as e:
        code, errors = refusal(session, e)
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
    carer_names, citizen_names = teams_read.names_by_external_id(session, [t.id for t in plan.teams])
    diff = preview.diff or {}
    changes = adj_repo.adjustments_by_id(session, list(preview.adjustment_ids or []))
    shown = [str(v.get("visit")) for key in ("moved", "unplaced") for v in diff.get(key, [])]
    shown += [a.change["visit"] for a in changes if isinstance(a.change.get("visit"), str)]
    visits = teams_read.visits_by_external_id(session, shown)
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
            "visit_kinds": {ext: kind for ext, (_, kind, _) in visits.items()},
            "visits": visits,
            "changes": changes,
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
        replans.apply_preview(session, plan=plan, preview=preview, user=user)
        day = plan.start_date + dt.timedelta(days=preview.from_day)
        return RedirectResponse(f"/teams/{team.id}/rota?date={day.isoformat()}&done=applied", status_code=303)
    if action == "discard":
        replans.discard_preview(session, plan=plan, preview=preview, user=user)
        return RedirectResponse(f"/teams/{team.id}/adjust?plan={plan.id}&done=discarded", status_code=303)
    raise HTTPException(status_code=404, detail="not found")
