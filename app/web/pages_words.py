"""Pages about words: the glossary of the trade's terms (every signed-in user), and finding a citizen or a
carer by name (the team's staff)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.db import SessionDep
from app.security import check_role
from app.web.deps import STAFF_ROLES, WebUser
from app.web.read import teams as teams_read
from app.web.render import GLOSSARY, WebRoute, page

router = APIRouter(route_class=WebRoute)


@router.get("/glossary")
def glossary(request: Request, user: WebUser) -> Response:
    return page(request, "web/glossary.html", {"glossary": GLOSSARY}, user=user)


@router.get("/search")
def search(request: Request, user: WebUser, session: SessionDep, q: str = "") -> Response:
    """Find a citizen or a carer by name in the user's teams (auditors never see names)."""
    check_role(user, *STAFF_ROLES)
    found = teams_read.find_people(session, user=user, text=q[:100])
    return page(request, "web/search.html", {"q": q[:100], **found}, user=user)
