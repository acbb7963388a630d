"""The web session: the user's JWT in an HttpOnly, SameSite=Lax cookie, Secure whenever the browser
reached us over https (directly, or through a proxy whose X-Forwarded-Proto is trusted: the
FORWARDED_ALLOW_IPS setting), or always when SESSION_COOKIE_SECURE is true."""

from __future__ import annotations

from fastapi import Request, Response

from app.security import SESSION_COOKIE, create_access_token
from app.settings import get_settings
from models.core import User


def secure_cookies(request: Request) -> bool:
    forced = get_settings().session_cookie_secure
    return forced if forced is not None else request.url.scheme == "https"


def start_session(response: Response, request: Request, user: User) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        create_access_token(user),
        max_age=get_settings().access_token_minutes * 60,
        httponly=True,
        samesite="lax",
        secure=secure_cookies(request),
        path="/",
    )
