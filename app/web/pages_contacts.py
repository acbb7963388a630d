"""Contact-carer proposals as a page: today's reach, the reach with the proposal, citizen by citizen; the
coordinator ticks the ones to take (or all) and nothing else changes. The work is
`app.services.contacts` (the same calls as /api/teams/{id}/contact-proposals)."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from app.api.deps import ReadLogDep
from app.db import SessionDep
from app.schemas.core import RowId
from app.services import contacts as svc
from app.web.deps import WebUser, planner_team
from app.web.forms import FORM_REFUSALS, FormFields, refusal
from app.web.render import FLASHES, WebRoute, page

router = APIRouter(route_class=WebRoute)


@router.get("/teams/{team_id}/contacts")
def contacts_page(request: Request, team_id: RowId, user: WebUser, session: SessionDep,
                  reads: ReadLogDep) -> Response:
    team = planner_team(session, team_id, user)
    found = svc.propose(session, team=team, start=dt.date.today())
    reads.citizens(user=user, citizen_ids=[r.citizen.id for r in found.rows], what="contact proposals")
    return page(request, "web/contacts.html", {
        "team": team, "found": found, "flash": FLASHES.get(request.query_params.get("done", "")),
    }, user=user, team_id=team.id, active="citizens")


@router.post("/teams/{team_id}/contacts/accept")
def accept(team_id: RowId, user: WebUser, session: SessionDep, form: FormFields) -> Response:
    team = planner_team(session, team_id, user)
    choices: list[tuple[int, int]] = []
    for value in form.getlist("choice"):
        citizen, _, carer = str(value).partition(":")
        if citizen.isdigit() and carer.isdigit():
            choices.append((int(citizen), int(carer)))
    try:
        if choices:
            svc.accept(session, team=team, user=user, choices=choices)
    except FORM_REFUSALS as e:
        refusal(session, e)
        raise
    return RedirectResponse(f"/teams/{team.id}/contacts?done=contacts", status_code=303)
