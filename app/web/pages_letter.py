"""The citizen's week letter (veckobrev): one printable page per citizen and week, for one citizen or for
every citizen of a team at once. Each page shows that citizen's visits only; opening it is a logged read."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.api.deps import ReadLogDep
from app.db import SessionDep
from app.schemas.core import RowId
from app.security import check_role, get_team_scoped
from app.web.deps import STAFF_ROLES, WebUser, staff_team
from app.web.pages_rota import parse_day
from app.web.read import letter as letter_read
from app.web.read import plans as plans_read
from app.web.render import WebRoute, page
from models.core import Citizen

router = APIRouter(route_class=WebRoute)


@router.get("/citizens/{citizen_id}/letter")
def citizen_letter(request: Request, citizen_id: RowId, user: WebUser, session: SessionDep, reads: ReadLogDep,
                   week: str | None = None) -> Response:
    check_role(user, *STAFF_ROLES)
    citizen = get_team_scoped(session, Citizen, citizen_id, user, what="citizen not found")
    monday = letter_read.monday_of(parse_day(week, lambda: plans_read.default_day(session, citizen.team_id)))
    reads.citizens(user=user, citizen_ids=[citizen.id], what="week letter")
    letters = [letter_read.week_letter(session, citizen=citizen, monday=monday)]
    back = f"/citizens/{citizen.id}?date={monday.isoformat()}"
    return page(request, "web/week_letter.html", {"letters": letters, "back": back, "team": citizen.team},
                user=user)


@router.get("/teams/{team_id}/letters")
def team_letters(request: Request, team_id: RowId, user: WebUser, session: SessionDep, reads: ReadLogDep,
                 week: str | None = None) -> Response:
    team = staff_team(session, team_id, user)
    monday = letter_read.monday_of(parse_day(week, lambda: plans_read.default_day(session, team.id)))
    citizens = letter_read.citizens_for_letters(session, team_id=team.id, monday=monday)
    reads.citizens(user=user, citizen_ids=[c.id for c in citizens], what="week letter")
    letters = [letter_read.week_letter(session, citizen=c, monday=monday) for c in citizens]
    back = f"/teams/{team.id}/rota?date={monday.isoformat()}"
    return page(request, "web/week_letter.html", {"letters": letters, "back": back, "team": team}, user=user)
