"""The FastAPI application: the routers of ROUTER_MODULES, error handlers (app/api/errors.py).

To add a router: create `app/api/<area>.py` exposing `router = APIRouter(prefix=..., tags=[...])`,
import it here and add it to ROUTER_MODULES.
"""

from __future__ import annotations

from fastapi import FastAPI

from app.api import (
    access_log,
    account,
    adjustments,
    audit,
    auth,
    candidates,
    carers,
    citizens,
    contacts,
    continuity,
    data_rights,
    exchange,
    health,
    jobs,
    needs,
    plans,
    team_data,
    team_settings,
    teams,
    users,
    visits,
)
from app.api.deps import mark_access_logged_routes
from app.api.errors import add_error_handlers, document_errors
from app.auth.oidc import add_state_cookie
from app.ops.instrument import instrument
from app.settings import get_settings
from app.version import __version__
from app.web import routes as web_routes
from app.web.headers import SecurityHeaders
from app.web.origin import SameOriginWrites

# In the order /openapi.json lists them.
ROUTER_MODULES = (
    auth,  # login (token), /api/me
    account,  # /api/me/password
    health,  # /health, /health/ready
    users,  # users (admin)
    teams,
    team_settings,  # a team's own planning settings (its continuity setting)
    carers,  # carers and their shifts
    citizens,
    needs,  # needs and the visits made from them
    team_data,  # change records, rosters, assignments needing a re-plan
    visits,
    plans,  # plans, versions, assignments, accept
    exchange,  # import/export homecare-instance/1, homecare-plan/1
    jobs,  # plan jobs in the background
    adjustments,  # daily adjustments and re-plans
    candidates,  # who should take a visit
    contacts,  # contact-carer proposals
    audit,  # continuity figures
    continuity,  # the national measure a draft would give, the team's curve of faces against driving
    access_log,  # who read which citizen's data (admin)
    data_rights,  # a person's data exported, anonymised after the retention (admin)
    web_routes,  # the web pages (no API paths)
)


def create_app() -> FastAPI:
    app = FastAPI(
        title="Home-care planner",
        version=__version__,
        description="Plan home-care visits with few faces, steady times and low travel.",
    )

    app.add_middleware(SameOriginWrites, allowed_origins=get_settings().allowed_origins)
    # Outermost, so a refusal from any layer below carries the headers too.
    app.add_middleware(SecurityHeaders)
    instrument(app)
    add_state_cookie(app)
    add_error_handlers(app)
    routers = [module.router for module in ROUTER_MODULES]
    mark_access_logged_routes(routers)
    for router in routers:
        app.include_router(router)
    document_errors(app, routers)
    return app


app = create_app()
