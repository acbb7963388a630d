"""The FastAPI application: routers from ROUTER_MODULES, error handlers, health check.

To add a router: create `app/api/<area>.py` exposing `router = APIRouter(prefix=..., tags=[...])`
and add the module's name to ROUTER_MODULES.
"""

from __future__ import annotations

import importlib

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, IntegrityError

from app.services.errors import ServiceError
from models.exchange import ExchangeError

ROUTER_MODULES: tuple[str, ...] = (
    "app.api.auth",  # login (token), /api/me (issue 3)
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


def _conflict_message(exc: IntegrityError) -> str:
    text = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else "conflict"
    return f"conflict with stored data: {text}"


def _unstorable_message(exc: DataError) -> str:
    text = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else "invalid value"
    return f"a value the database cannot store: {text}"


def create_app() -> FastAPI:
    app = FastAPI(
        title="Home-care planner",
        version="0.1.0",
        description="Plan home-care visits with few faces, steady times and low travel.",
    )

    @app.exception_handler(IntegrityError)
    async def _integrity(_request: Request, exc: IntegrityError) -> JSONResponse:
        # A unique or foreign-key violation is the caller's conflict, never a 500.
        return JSONResponse(status_code=409, content={"detail": _conflict_message(exc)})

    @app.exception_handler(DataError)
    async def _unstorable(_request: Request, exc: DataError) -> JSONResponse:
        # The schemas bound what they can (ids, minutes, caps); this catches the rest, such as a NUL
        # character, which PostgreSQL refuses in text. The request's session has been rolled back.
        return JSONResponse(status_code=422, content={"detail": _unstorable_message(exc)})

    @app.exception_handler(ExchangeError)
    async def _exchange(_request: Request, exc: ExchangeError) -> JSONResponse:
        return JSONResponse(status_code=422, content={"detail": exc.errors})

    @app.exception_handler(ServiceError)
    async def _service(_request: Request, exc: ServiceError) -> JSONResponse:
        return JSONResponse(status_code=exc.status_code, content={"detail": exc.detail()})

    for name in ROUTER_MODULES:
        app.include_router(importlib.import_module(name).router)
    return app


app = create_app()
