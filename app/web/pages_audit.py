"""The continuity dashboard for the municipality's auditor (and coordinators): figures and charts per team
and month, the national 14-day measure, plan versus reality, the worst cases, CSV and HTML downloads.

All counting is `app.services.audit.run` (the same call as /api/audit/*); the charts are the report's own
SVG functions. Auditors always get pseudonymised ids and never a name: the audit never reads names.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from app.audit import report as charts
from app.db import SessionDep
from app.security import can_see_personal_data, check_role
from app.services import audit as service
from app.services.errors import ServiceError
from app.web.deps import WebUser
from app.web.read import plans as plans_read
from app.web.read import teams as teams_read
from app.web.render import WebRoute, page
from models.core import ROLE_AUDITOR, ROLE_COORDINATOR, User

router = APIRouter(route_class=WebRoute)


def _default_month(session: SessionDep, team_ids: list[int]) -> str:
    """The month of the newest plan of these teams (else this month)."""
    return (plans_read.newest_plan_start(session, team_ids) or dt.date.today()).strftime("%Y-%m")


def _scope(request: Request, session: SessionDep, user: User) -> dict[str, Any]:
    check_role(user, ROLE_AUDITOR, ROLE_COORDINATOR)
    teams = teams_read.teams_for_audit(session, service.auditable_teams(session, user=user))
    q = request.query_params
    team_ext = q.get("team") or None
    if team_ext is not None and team_ext not in {t[1] for t in teams}:
        raise HTTPException(status_code=404, detail="team not found")
    team_ids = [t[0] for t in teams if team_ext is None or t[1] == team_ext]
    month = q.get("month") or _default_month(session, team_ids)
    try:
        first = dt.date.fromisoformat(month + "-01")
    except ValueError:
        raise HTTPException(
            status_code=422, detail=[{"path": "month", "msg": f"{month!r} is not a month like 2026-12"}]
        ) from None
    source = q.get("source") or "auto"
    version_id: int | None = None
    if team_ids and len(team_ids) == 1:
        last = plans_read.month_bounds(first)[1]
        shown = plans_read.shown_plan(session, team_id=team_ids[0], start=first, end=last)
        version_id = shown.version_ids[0] if shown.version_ids else None
    return {
        "teams": teams,
        "team": team_ext,
        "month": month,
        "source": source,
        "source_choice": source,
        "version_id": version_id,
        "first": first,
    }


def _run(session: SessionDep, user: User, scope: dict[str, Any]) -> service.AuditResult:
    kwargs: dict[str, Any] = {
        "team": scope["team"],
        "month": scope["month"],
        "plan_version_id": scope["version_id"],
        "pseudonymise": not can_see_personal_data(user),
        "allowed_teams": service.auditable_teams(session, user=user),
    }
    source = scope["source"]
    if source in ("auto", "performed"):
        result = service.run(session, source="performed", **kwargs)
        if source == "performed" or result.figures.get("visits") or scope["version_id"] is None:
            scope["source"] = "performed"
            return result
    if scope["version_id"] is None:
        raise HTTPException(
            status_code=422, detail=[{"path": "team", "msg": "choose one team to audit its plan"}]
        )
    scope["source"] = "plan"
    return service.run(session, source="plan", **kwargs)


def _svg(fn: Any, *args: Any) -> str | None:
    try:
        return fn(*args)  # type: ignore[no-any-return]
    except Exception:  # a chart that cannot be drawn (too little data) must not take the page down
        return None


@router.get("/audit")
def dashboard(request: Request, user: WebUser, session: SessionDep) -> Response:
    scope = _scope(request, session, user)
    try:
        result = _run(session, user, scope)
    except ServiceError as e:
        raise HTTPException(status_code=e.status_code, detail=e.detail()) from None
    f = result.figures
    has_data = bool(f.get("visits"))
    ctx = {
        **scope,
        "f": f,
        "has_data": has_data,
        "pseudonymised": result.pseudonymised,
        "chart_distribution": _svg(charts.chart_distribution, f) if has_data else None,
        "chart_trend": _svg(charts.chart_trend, result.audit, f) if has_data else None,
        "chart_reality": _svg(charts.chart_plan_vs_reality, result.audit) if has_data else None,
        "query": _query(scope),
    }
    return page(request, "web/audit.html", ctx, user=user, active="audit")


def _query(scope: dict[str, Any]) -> str:
    parts = [f"month={scope['month']}", f"source={scope['source']}"]
    if scope["team"]:
        parts.append(f"team={scope['team']}")
    return "&".join(parts)


@router.get("/audit/export.csv")
def export_csv(request: Request, user: WebUser, session: SessionDep) -> Response:
    scope = _scope(request, session, user)
    result = _run(session, user, scope)
    name = f"audit-{scope['source']}-{scope['team'] or 'all'}-{scope['month']}.csv"
    return Response(
        service.csv_export(result),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/audit/report.html")
def report_html(request: Request, user: WebUser, session: SessionDep) -> Response:
    scope = _scope(request, session, user)
    result = _run(session, user, scope)
    name = f"audit-{scope['source']}-{scope['team'] or 'all'}-{scope['month']}.html"
    return HTMLResponse(
        service.html_report(result), headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )
