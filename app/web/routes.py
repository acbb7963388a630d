"""The web pages' router (in app.main's ROUTER_MODULES).

Each area has its own module under app/web/ with a `router`; this one collects them and serves the
few files in app/web/static (no separate front-end build, no CDN: htmx is vendored).
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse

from app.web import (
    pages_access_log,
    pages_account,
    pages_adjust,
    pages_assignment,
    pages_audit,
    pages_auth,
    pages_candidates,
    pages_contacts,
    pages_data_rights,
    pages_letter,
    pages_oidc,
    pages_print,
    pages_replan,
    pages_rota,
    pages_runs,
    pages_team_data,
    pages_users,
    pages_words,
)
from app.web.render import STATIC_DIR, WebRoute

router = APIRouter(include_in_schema=False, route_class=WebRoute)

_STATIC_TYPES = {".css": "text/css", ".js": "text/javascript", ".png": "image/png", ".svg": "image/svg+xml"}


@router.get("/static/{name}")
def static_file(name: str) -> FileResponse:
    path = (STATIC_DIR / name).resolve()
    if path.parent != STATIC_DIR.resolve() or not path.is_file() or path.suffix not in _STATIC_TYPES:
        raise HTTPException(status_code=404, detail="not found")
    return FileResponse(
        path, media_type=_STATIC_TYPES[path.suffix], headers={"Cache-Control": "public, max-age=3600"}
    )


for _module in (
    pages_auth, pages_oidc, pages_rota, pages_adjust, pages_replan, pages_assignment, pages_runs, pages_audit,
    pages_account, pages_access_log, pages_words, pages_data_rights, pages_team_data, pages_users,
    pages_print, pages_letter, pages_candidates, pages_contacts,
):
    router.include_router(_module.router)
