"""The FastAPI application: routers from ROUTER_MODULES, error handlers (app/api/errors.py).

To add a router: create `app/api/<area>.py` exposing `router = APIRouter(prefix=..., tags=[...])`
and add the module's name to ROUTER_MODULES.
"""

from __future__ import annotations

import importlib

from fastapi import FastAPI

from app.api.errors import add_error_handlers, document_errors
from app.auth.oidc import add_state_cookie
from app.ops import instrument
from app.settings import get_settings
from app.version import __version__
from app.web.origin import SameOriginWrites

ROUTER_MODULES: tuple[str, ...] = (
    "app.api.auth",  # login (token), /api/me (issue 3)
    "app.api.account",  # /api/me/password
    "app.api.health",  # /health (issue 3)
    "app.api.users",  # users (admin) (issue 3)
    "app.api.teams",  # teams (issue 3)
    "app.api.carers",  # carers + shifts (issue 3)
    "app.api.citizens",  # citizens (issue 3)
    "app.api.needs",  # needs + visit generation (issue 3)
    "app.api.visits",  # visits (issue 3)
    "app.api.plans",  # plans, versions, assignments, accept (issue 3)
    "app.api.exchange",  # import/export homecare-instance/1, homecare-plan/1 (issue 3)
    "app.api.jobs",  # plan jobs (issue 8)
    "app.api.adjustments",  # adjustments and re-plans (issue 5)
    "app.api.audit",  # continuity figures (issue 6)
    "app.web.routes",  # web pages (web issue)
)


def create_app() -> FastAPI:
    app = FastAPI(
        title="Home-care planner",
        version=__version__,
        description="Plan home-care visits with few faces, steady times and low travel.",
    )

    app.add_middleware(SameOriginWrites, allowed_origins=get_settings().allowed_origins)
    instrument(app)
    add_state_cookie(app)
    add_error_handlers(app)
    routers = [importlib.import_module(name).router for name in ROUTER_MODULES]
    for router in routers:
        app.include_router(router)
    document_errors(app, routers)
    return app


app = create_app()
