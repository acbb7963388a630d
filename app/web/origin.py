"""Cross-site request forgery: a page on another site cannot make a logged-in browser change data here.

The session cookie is SameSite=Lax, so browsers leave it off another site's form posts; this is the
second lock OWASP's cheat sheet recommends next to it ("verifying origin with standard headers"). A
request that could change data and that a browser sent from a page must come from a page of this site:
its Origin header (or its Referer, where a browser sends no Origin) names this host or one of the
`ALLOWED_ORIGINS`. Requests with neither header (scripts, the CLI, the tests' client) and requests that
log in by bearer token (no browser sends one on its own) pass: a forged form post carries neither.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
REFUSAL = "Refused: the form was sent from a page of another site (its Origin or Referer is not this host)."


class SameOriginWrites:
    def __init__(self, app: ASGIApp, *, allowed_origins: list[str] | None = None) -> None:
        self.app = app
        self.allowed_hosts = {urlsplit(o).netloc or o for o in allowed_origins or []}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] not in SAFE_METHODS and not self._same_site(scope):
            await PlainTextResponse(REFUSAL, status_code=403)(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def _same_site(self, scope: Scope) -> bool:
        headers = Headers(scope=scope)
        if "authorization" in headers:
            return True
        sender = headers.get("origin") or headers.get("referer")
        if sender is None:
            return True
        # "null" (a sandboxed page, a privacy redirect) names no host: refused.
        host = urlsplit(sender).netloc
        return bool(host) and (host == headers.get("host") or host in self.allowed_hosts)
