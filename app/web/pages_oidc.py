"""Sign-in through the municipality's identity provider: OpenID Connect's authorization-code flow.

`GET /login/oidc` sends the browser to the provider; the provider sends it back to
`/login/oidc/callback` with a code, which is exchanged for an ID token that Authlib checks (signature
against the provider's published keys, issuer, audience, expiry, nonce). Who the user is here and what
they may do then follows `app.services.identity`. The provider must know the callback address,
https://<the planner's host>/login/oidc/callback (behind a proxy its scheme and host come from the
trusted X-Forwarded-* headers: FORWARDED_ALLOW_IPS).
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from app.auth.oidc import provider
from app.db import SessionDep
from app.services import identity
from app.settings import Settings, get_settings
from app.web.pages_auth import safe_next
from app.web.render import WebRoute, page
from app.web.session_cookie import start_session

log = logging.getLogger(__name__)
router = APIRouter(route_class=WebRoute)

_NEXT = "homecare_next"


def _configured() -> tuple[Settings, Any]:
    settings = get_settings()
    if not settings.oidc_enabled:
        raise HTTPException(status_code=404, detail="sign-in through an identity provider is not set up")
    return settings, provider(settings)


def _refused(request: Request, message: str, status_code: int) -> Response:
    return page(request, "web/login.html", {"next": "/", "error": message}, status_code=status_code)


@router.get("/login/oidc")
async def start(request: Request, next: str = "/") -> Response:
    _settings, client = _configured()
    request.session[_NEXT] = safe_next(next)
    try:
        redirect: Response = await client.authorize_redirect(request, request.url_for("oidc_callback"))
    except Exception:  # noqa: BLE001 - the provider's discovery document is out of reach
        log.warning("OIDC: the identity provider's configuration cannot be read", exc_info=True)
        return _refused(request, "The municipality's login cannot be reached just now. Try again shortly, "
                                 "or ask your IT department.", 503)
    return redirect


@router.get("/login/oidc/callback", name="oidc_callback")
async def callback(request: Request, session: SessionDep) -> Response:
    from authlib.integrations.starlette_client import OAuthError

    settings, client = _configured()
    target = safe_next(request.session.pop(_NEXT, "/"))
    try:
        token = await client.authorize_access_token(request)
        claims = dict(token.get("userinfo") or {})
        if not claims.get("sub"):
            raise OAuthError(error="no_id_token", description="the provider sent no ID token")
        if settings.oidc_group_claim not in claims:
            # Some providers put groups in the userinfo answer only, not in the ID token.
            claims.update({k: v for k, v in (await client.userinfo(token=token)).items() if k != "sub"})
    except OAuthError as e:
        log.info("OIDC: sign-in not completed (%s)", e.error)
        return _refused(request, "The sign-in at the municipality's login did not complete. "
                                 "Please try again.", 401)
    except Exception:  # noqa: BLE001 - the provider out of reach or answering nonsense
        log.warning("OIDC: the identity provider's answer could not be used", exc_info=True)
        return _refused(request, "The municipality's login cannot be reached just now. Try again shortly, "
                                 "or ask your IT department.", 503)
    groups = identity.groups_of(claims, settings.oidc_group_claim)
    try:
        user = await run_in_threadpool(
            identity.sign_in, session, subject=str(claims["sub"]), claims=claims, groups=groups,
            mapping=settings.oidc_groups, username_claim=settings.oidc_username_claim)
    except identity.SignInRefused as e:
        log.info("OIDC: sign-in refused")
        return _refused(request, str(e), 403)
    response = RedirectResponse(target, status_code=303)
    start_session(response, request, user)
    return response
