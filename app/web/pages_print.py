"""The printable route (körlista): one carer's day, or every working carer of a team on a day, one A4 page
per carer-day (print CSS in app/web/static/app.css). Read only; the team's staff only, as the carer's day."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.api.deps import ReadLogDep
from app.db import SessionDep
from app.schemas.core import RowId
from app.web.deps import WebUser, staff_team
from app.web.pages_rota import carer_and_day, parse_day
from app.web.read import carer_day as carer_day_read
from app.web.read import plans as plans_read
from app.web.read import teams as teams_read
from app.web.render import WebRoute, page

router = APIRouter(route_class=WebRoute)


@router.get("/carers/{carer_id}/korlista")
def carer_route(
    request: Request, carer_id: RowId, user: WebUser, session: SessionDep, reads: ReadLogDep,
    date: str | None = None,
) -> Response:
    carer, day = carer_and_day(session, user, carer_id, date)
    days = [carer_day_read.carer_day(session, carer=carer, day=day)]
    reads.citizens(user=user, citizen_ids=days[0]["citizen_ids"], what="route sheet")
    back = f"/carers/{carer.id}/day?date={day.isoformat()}"
    ctx = {"team": carer.team, "day": day, "days": days, "back": back}
    return page(request, "web/korlista.html", ctx, user=user)


@router.get("/teams/{team_id}/korlista")
def team_routes(
    request: Request, team_id: RowId, user: WebUser, session: SessionDep, reads: ReadLogDep,
    date: str | None = None,
) -> Response:
    team = staff_team(session, team_id, user)
    day = parse_day(date, lambda: plans_read.default_day(session, team.id))
    days = [
        d
        for carer in teams_read.working_carers(session, team_id=team.id, day=day)
        if (d := carer_day_read.carer_day(session, carer=carer, day=day))["visits"]
    ]
    reads.citizens(user=user, citizen_ids=[c for d in days for c in d["citizen_ids"]], what="route sheet")
    back = f"/teams/{team.id}/rota?date={day.isoformat()}"
    ctx = {"team": team, "day": day, "days": days, "back": back}
    return page(request, "web/korlista.html", ctx, user=user)
