"""Pages about words: the glossary of the trade's terms (every signed-in user)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.web.deps import WebUser
from app.web.render import GLOSSARY, WebRoute, page

router = APIRouter(route_class=WebRoute)


@router.get("/glossary")
def glossary(request: Request, user: WebUser) -> Response:
    return page(request, "web/glossary.html", {"glossary": GLOSSARY}, user=user)
