"""The municipality's identity provider as an OpenID Connect client (Authlib): the client for the
configured provider, and the signed cookie that carries state and nonce from `/login/oidc` to its
callback. The pages are app/web/pages_oidc.py; who a signed-in person is here, app/services/identity.py.

Settings: OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET (all three turn it on), OIDC_SCOPES,
OIDC_GROUP_CLAIM, OIDC_USERNAME_CLAIM, OIDC_GROUPS, OIDC_DISPLAY_NAME.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from fastapi import FastAPI
from starlette.middleware.sessions import SessionMiddleware

from app.settings import Settings, get_settings

STATE_COOKIE = "homecare_oidc"


def add_state_cookie(app: FastAPI) -> None:
    """The signed cookie carrying state and nonce from `/login/oidc` to the callback (10 minutes)."""
    settings = get_settings()
    app.add_middleware(SessionMiddleware, secret_key=settings.secret_key, session_cookie=STATE_COOKIE,
                       max_age=600, same_site="lax", https_only=bool(settings.session_cookie_secure))


@lru_cache(maxsize=4)
def _client(issuer: str, client_id: str, client_secret: str, scopes: str) -> Any:
    from authlib.integrations.starlette_client import OAuth

    oauth = OAuth()
    return oauth.register(
        name="municipality",
        client_id=client_id,
        client_secret=client_secret,
        server_metadata_url=f"{issuer.rstrip('/')}/.well-known/openid-configuration",
        client_kwargs={"scope": scopes, "code_challenge_method": "S256"},
    )


def provider(settings: Settings) -> Any:
    """Authlib's client for the configured provider (its discovery document is read on first use)."""
    return _client(settings.oidc_issuer, settings.oidc_client_id, settings.oidc_client_secret,
                   settings.oidc_scopes)
