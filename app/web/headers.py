"""Security headers on every answer: what a municipality's information-security officer checks first.

The pages load scripts only from this site (`/static`), never inline, so the policy can forbid inline
script outright; a page injected with markup still cannot run anything. Inline `style` attributes stay
allowed: they cannot run code, and htmx writes its indicator style. No page may be framed (click-jacking),
and a link to another site does not carry the page's address, which may name a citizen's page.

FastAPI's own API documentation (`/docs`, `/redoc`) is built from a script on a CDN with an inline
bootstrap; those two developer pages get a policy that admits exactly that, and nothing else does.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

PAGE_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
API_DOCS_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net",
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net",
    "img-src 'self' data: https://fastapi.tiangolo.com",
    "worker-src 'self' blob:",
    "object-src 'none'",
    "frame-ancestors 'none'",
])
API_DOCS_PATHS = frozenset({"/docs", "/redoc", "/docs/oauth2-redirect"})
# A year, as the HSTS preload list asks; sent only on answers that travelled over HTTPS.
HSTS = "max-age=31536000; includeSubDomains"


def policy_for(path: str) -> str:
    return API_DOCS_POLICY if path in API_DOCS_PATHS else PAGE_POLICY


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        policy = policy_for(scope["path"])
        https = scope.get("scheme") == "https"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("Content-Security-Policy", policy)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", "same-origin")
                headers.setdefault("X-Frame-Options", "DENY")
                headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
                if https:
                    headers.setdefault("Strict-Transport-Security", HSTS)
            await send(message)

        await self.app(scope, receive, send_with_headers)
