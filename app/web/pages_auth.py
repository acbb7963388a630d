"""Login and logout (the JWT in an HttpOnly cookie), the language switch, the start page, the team list."""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from app.db import SessionDep
from app.security import SESSION_COOKIE, OptionalCookieUser, authenticate, user_from_token
from app.services import account as account_svc
from app.services import logins
from app.web.deps import PLANNER_ROLES, WebUser
from app.web.i18n import LANG_COOKIE, LANGUAGES
from app.web.read import teams as teams_read
from app.web.render import WebRoute, page
from app.web.session_cookie import start_session
from models.core import ROLE_AUDITOR

router = APIRouter(route_class=WebRoute)


def safe_next(target: str | None, default: str = "/") -> str:
    """Only a path on this site: `next=https://evil.example` or `//evil.example` would be an open redirect."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target


@router.get("/login")
def login_form(request: Request, session: SessionDep, next: str = "/") -> Response:
    if user_from_token(session, request.cookies.get(SESSION_COOKIE)) is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return page(request, "web/login.html", {"next": safe_next(next)})


@router.post("/login")
def login(
    request: Request,
    session: SessionDep,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    address = logins.client_address(request.client.host if request.client else None)
    wait = logins.throttled(session, username=username, address=address)
    if wait is not None:
        text, values = logins.refusal_text(wait)
        return page(request, "web/login.html",
                    {"next": safe_next(next), "username": username, "error": text, "error_values": values},
                    status_code=429, headers={"Retry-After": str(wait.retry_after(dt.datetime.now(dt.UTC)))})
    user = authenticate(session, username=username.strip(), password=password)
    if user is None:
        logins.record_failure(session, username=username, address=address)
        return page(
            request,
            "web/login.html",
            {"next": safe_next(next), "username": username, "error": "Wrong username or password."},
            status_code=401,
        )
    logins.record_success(session, user=user)
    target = "/account/password" if user.must_change_password else safe_next(next)
    response = RedirectResponse(target, status_code=303)
    start_session(response, request, user)
    return response


@router.post("/logout")
def logout(user: OptionalCookieUser, session: SessionDep) -> Response:
    if user is not None:
        account_svc.sign_out(session, user=user)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/lang/{code}")
def switch_language(code: str, next: str = "/") -> Response:
    response = RedirectResponse(safe_next(next), status_code=303)
    if code in LANGUAGES:
        response.set_cookie(LANG_COOKIE, code, max_age=365 * 24 * 3600, samesite="lax", path="/")
    return response


@router.get("/")
def home(user: WebUser, session: SessionDep) -> Response:
    if user.role == ROLE_AUDITOR:
        return RedirectResponse("/audit", status_code=303)
    teams = teams_read.team_cards(session, user=user)
    if len(teams) == 1:
        return RedirectResponse(f"/teams/{teams[0]['id']}/rota", status_code=303)
    return RedirectResponse("/teams", status_code=303)


@router.get("/teams")
def teams_page(request: Request, user: WebUser, session: SessionDep) -> Response:
    if user.role == ROLE_AUDITOR:
        return RedirectResponse("/audit", status_code=303)
    teams = teams_read.team_cards(session, user=user)
    return page(
        request,
        "web/teams.html",
        {"teams": teams, "can_adjust": user.role in PLANNER_ROLES},
        user=user,
        team_id=teams[0]["id"] if len(teams) == 1 else None,
        active="teams",
    )
