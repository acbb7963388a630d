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
from app.web.i18n import report_words
from app.web.read import plans as plans_read
from app.web.read import teams as teams_read
from app.web.render import WebRoute, language, page
from exchange import out_of_range
from models.core import ROLE_AUDITOR, ROLE_COORDINATOR, User

router = APIRouter(route_class=WebRoute)


SOURCES = ("auto", "performed", "plan")

# Why a month shows no figures, by the source asked for (said in words on the page, never a 422).
NO_PLAN = "No accepted plan covers this month for these teams yet."
NO_PERFORMED = "No performed visits are imported for this month yet."
NO_VISITS = "The plans in force place no visits in this month."
BAD_MONTH = "Choose a month like {example}; showing this month instead."


def _scope(request: Request, session: SessionDep, user: User) -> dict[str, Any]:
    """What the dashboard shows: the teams, month and source asked for, this month and every team the
    reader may audit when not asked; a month it cannot read becomes this month, said on the page."""
    check_role(user, ROLE_AUDITOR, ROLE_COORDINATOR)
    teams = teams_read.teams_for_audit(session, service.auditable_teams(session, user=user))
    q = request.query_params
    team_ext = q.get("team") or None
    if team_ext is not None and team_ext not in {t[1] for t in teams}:
        raise HTTPException(status_code=404, detail="team not found")
    team_ids = [t[0] for t in teams if team_ext is None or t[1] == team_ext]
    this_month = dt.date.today().replace(day=1)
    notices: list[str] = []
    try:
        first = dt.date.fromisoformat((q.get("month") or this_month.strftime("%Y-%m")) + "-01")
    except ValueError:
        first = this_month
        notices.append(BAD_MONTH)
    if out_of_range(first) is not None:
        first = this_month
        notices.append(BAD_MONTH)
    source = q.get("source") if q.get("source") in SOURCES else "auto"
    last = plans_read.month_bounds(first)[1]
    return {
        "teams": teams,
        "team_names": {ext: name for _, ext, name in teams},
        "team": team_ext,
        "month": first.strftime("%Y-%m"),
        "source": source,
        "source_choice": source,
        "version_ids": plans_read.versions_in_force(session, team_ids=team_ids, start=first, end=last),
        "first": first,
        "notices": notices,
        "why_none": None,
    }


def _run(session: SessionDep, user: User, scope: dict[str, Any]) -> service.AuditResult | None:
    """The figures as asked: "auto" counts each team from performed visits where it has any, else from
    its plans in force (the figures say which per team); "performed" or "plan" only from that. None,
    with `why_none` set, when there is no visit to count in the month."""
    kwargs: dict[str, Any] = {
        "team": scope["team"],
        "month": scope["month"],
        "plan_version_ids": scope["version_ids"],
        "pseudonymise": not can_see_personal_data(user),
        "allowed_teams": service.auditable_teams(session, user=user),
    }
    choice = scope["source_choice"]
    if choice == "auto":
        result = service.run_best(session, **kwargs)
        scope["source"] = result.figures["source"]
        if not result.figures.get("visits"):
            scope["why_none"] = NO_VISITS if scope["version_ids"] else NO_PLAN
            return None
        return result
    if choice == "performed":
        result = service.run(session, source="performed", **kwargs)
        if result.figures.get("visits") or choice == "performed":
            scope["source"] = "performed"
            if not result.figures.get("visits"):
                scope["why_none"] = NO_PERFORMED
                return None
            return result
    scope["source"] = "plan"
    if not scope["version_ids"]:
        scope["why_none"] = NO_PLAN
        return None
    result = service.run(session, source="plan", **kwargs)
    if not result.figures.get("visits"):
        scope["why_none"] = NO_VISITS
        return None
    return result


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
    f = result.figures if result is not None else {}
    has_data = result is not None
    words = _words(request, scope)
    ctx = {
        **scope,
        "f": f,
        "has_data": has_data,
        "pseudonymised": result.pseudonymised if result is not None else not can_see_personal_data(user),
        "chart_distribution": None,
        "chart_trend": None,
        "chart_reality": None,
        "query": _query(scope),
        # Who may see personal data reads citizens by name; an auditor reads the stable codes.
        "citizen_names": (
            teams_read.names_by_external_id(session, [t[0] for t in scope["teams"]])[1]
            if can_see_personal_data(user)
            else {}
        ),
    }
    if result is not None:
        ctx["chart_distribution"] = _svg(charts.chart_distribution, f, words)
        ctx["chart_trend"] = _svg(charts.chart_trend, result.audit, f, words)
        ctx["chart_reality"] = _svg(charts.chart_plan_vs_reality, result.audit, words)
    return page(request, "web/audit.html", ctx, user=user, active="audit")


def _words(request: Request, scope: dict[str, Any]) -> charts.ChartWords:
    """The charts' and the report's words: the reader's language, teams by name."""
    return report_words(language(request), scope["team_names"])


def _query(scope: dict[str, Any]) -> str:
    parts = [f"month={scope['month']}", f"source={scope['source_choice']}"]
    if scope["team"]:
        parts.append(f"team={scope['team']}")
    return "&".join(parts)


def _figures_to_download(session: SessionDep, user: User, scope: dict[str, Any]) -> service.AuditResult:
    result = _run(session, user, scope)
    if result is None:
        raise HTTPException(status_code=404, detail=scope["why_none"])
    return result


@router.get("/audit/export.csv")
def export_csv(request: Request, user: WebUser, session: SessionDep) -> Response:
    scope = _scope(request, session, user)
    result = _figures_to_download(session, user, scope)
    name = f"audit-{scope['source']}-{scope['team'] or 'all'}-{scope['month']}.csv"
    return Response(
        service.csv_export(result),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/audit/report.html")
def report_html(request: Request, user: WebUser, session: SessionDep) -> Response:
    scope = _scope(request, session, user)
    result = _figures_to_download(session, user, scope)
    name = f"audit-{scope['source']}-{scope['team'] or 'all'}-{scope['month']}.html"
    return HTMLResponse(
        service.html_report(result, words=_words(request, scope)),
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
