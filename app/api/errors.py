"""The API's error answers: one body for every 4xx, and each operation's possible ones documented.

Every error answers `ErrorOut` (app/schemas/core.py): `{"detail": ...}`, a sentence or a list of errors
each saying where (`loc`, as FastAPI's own validation errors do), what (`msg`) and of which kind
(`type`). The services raise with a dotted `path` (`visits[3].id`) or none; `error_items` gives each
the same shape, so a client reads one schema whichever layer refused the request.

`document_errors` adds to each operation in /openapi.json the 4xx answers it can give, read from the
route itself (its login, role check, parameters and body), so the description stays true as routes are
added. A route that looks up rows named in its query or body says so with `responses=NAMES_ROWS`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.dependencies.models import Dependant
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from fastapi.security.base import SecurityBase
from sqlalchemy.exc import DataError, IntegrityError

from app.db import DATABASE_DOWN, DATABASE_DOWN_DETAIL, RETRY_AFTER_SECONDS
from app.schemas.core import ErrorOut
from app.security import ROLE_CHECKS
from app.services.errors import ServiceError
from exchange import ExchangeError

_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def loc_of(path: str) -> list[str | int]:
    """`visits[3].id` -> ["visits", 3, "id"]: a dotted path as a location."""
    return [int(index) if index else name for name, index in _PART.findall(path)]


def error_items(items: Sequence[Mapping[str, Any]], *, kind: str) -> list[dict[str, Any]]:
    return [{"loc": loc_of(str(item.get("path", ""))), "type": kind, **item} for item in items]


def _first_line(exc: IntegrityError | DataError, fallback: str) -> str:
    return str(exc.orig).strip().splitlines()[0] if exc.orig is not None else fallback


# The columns of a unique violation, as SQLite words it and as PostgreSQL's detail does.
_SQLITE_UNIQUE = re.compile(r"UNIQUE constraint failed: (?P<columns>.+)")
_POSTGRES_KEY = re.compile(r"Key \((?P<columns>[^)]+)\)=")


def unique_columns(exc: IntegrityError) -> list[str]:
    """The columns whose values are taken already, when the error is a unique violation; else none."""
    detail = getattr(getattr(exc.orig, "diag", None), "message_detail", None)
    found = _POSTGRES_KEY.search(detail or "") or _SQLITE_UNIQUE.search(str(exc.orig))
    if found is None:
        return []
    return [column.strip().rsplit(".", 1)[-1] for column in found.group("columns").split(",")]


def _conflict(exc: IntegrityError) -> str | list[dict[str, Any]]:
    columns = unique_columns(exc)
    if len(columns) == 1:
        # In plain words and without the stored value or its row: the database's text would tell a
        # caller which other team holds an id.
        column = columns[0]
        return error_items([{"path": column, "msg": f"the {column} is in use already; choose another"}],
                           kind="conflict")
    if columns:
        return f"conflict with stored data: the same {', '.join(columns)} was stored meanwhile; try again"
    return f"conflict with stored data: {_first_line(exc, 'conflict')}"


def database_down_answer() -> JSONResponse:
    return JSONResponse(status_code=503, content={"detail": DATABASE_DOWN_DETAIL},
                        headers={"Retry-After": str(RETRY_AFTER_SECONDS)})


def _database_down(request: Request, _exc: Exception) -> Response:
    # Raised by the endpoint or by the commit after it, once the request's session has rolled back.
    # A route may answer in its own form (the web pages: an HTML page in the user's language).
    page = getattr(request.scope.get("route"), "database_down_page", None)
    return page(request) if callable(page) else database_down_answer()


def add_error_handlers(app: FastAPI) -> None:
    for kind in DATABASE_DOWN:
        app.add_exception_handler(kind, _database_down)

    @app.exception_handler(IntegrityError)
    async def _integrity(_request: Request, exc: IntegrityError) -> JSONResponse:
        # A unique or foreign-key violation is the caller's conflict, never a 500.
        return JSONResponse(status_code=409, content={"detail": _conflict(exc)})

    @app.exception_handler(DataError)
    async def _unstorable(_request: Request, exc: DataError) -> JSONResponse:
        # The schemas bound what they can (ids, minutes, caps); this catches the rest, such as a NUL
        # character, which PostgreSQL refuses in text. The request's session has been rolled back.
        detail = f"a value the database cannot store: {_first_line(exc, 'invalid value')}"
        return JSONResponse(status_code=422, content={"detail": detail})

    @app.exception_handler(ExchangeError)
    async def _exchange(_request: Request, exc: ExchangeError) -> JSONResponse:
        return JSONResponse(status_code=422, content={"detail": error_items(exc.errors, kind="format")})

    @app.exception_handler(ServiceError)
    async def _service(_request: Request, exc: ServiceError) -> JSONResponse:
        detail = exc.detail()
        if isinstance(detail, list):
            detail = error_items(detail, kind=exc.kind)
        return JSONResponse(status_code=exc.status_code, content={"detail": detail})


# --- what /openapi.json says each operation can answer ------------------------------------------

_WHY = {
    400: "The body could not be read.",
    401: "Not logged in: no token, or an expired one, or the user is no longer active.",
    403: "The user's role may not do this.",
    404: "No such row, or it belongs to a team the user does not see (the two answers are the same).",
    409: "Conflicts with stored data: a duplicate id, a row still in use, or a plan changed since it "
         "was read.",
    422: "Input that does not parse or does not make sense; each error says where (loc) and what (msg).",
}
_WRITES = {"POST", "PUT", "PATCH", "DELETE"}
# For an operation that looks up rows named in its query or body (not only in its path).
NAMES_ROWS: dict[int | str, dict[str, Any]] = {404: {"model": ErrorOut, "description": _WHY[404]}}
# For an operation that needs the planner now (a re-plan) or the job queue (a plan job).
PLANNER_BUSY: dict[int | str, dict[str, Any]] = {503: {
    "model": ErrorOut, "description": "The planner or its job queue failed or is out of reach: nothing was "
                                      "started and the plan in force is unchanged; try again later."}}


def _with_dependencies(dependant: Dependant) -> Iterator[Dependant]:
    yield dependant
    for sub in dependant.dependencies:
        yield from _with_dependencies(sub)


def _answers(route: APIRoute) -> set[int]:
    """The 4xx answers the route's shape implies; what only its service knows, it declares."""
    parts = list(_with_dependencies(route.dependant))
    answers: set[int] = set()
    if any(isinstance(d.call, SecurityBase) for d in parts):
        answers.add(401)
    if any(d.call in ROLE_CHECKS for d in parts):
        answers.add(403)
    if any(d.path_params for d in parts):
        answers.add(404)
    if set(route.methods or ()) & _WRITES and 401 in answers:
        answers.add(409)
    if any(d.body_params for d in parts):
        answers.add(400)
    if any(d.path_params or d.query_params or d.body_params for d in parts):
        answers.add(422)
    return answers


def _route_answers(routers: list[APIRouter]) -> dict[tuple[str, str], dict[int, str]]:
    """(path, method) -> each 4xx answer with its description: those the route's shape implies and
    those it declares with the error body (kept in JSON even where the route answers HTML)."""
    out: dict[tuple[str, str], dict[int, str]] = {}
    for router in routers:
        for route in router.routes:
            if not isinstance(route, APIRoute):
                continue
            answers = {code: _WHY[code] for code in _answers(route)}
            answers.update({int(code): declared.get("description", _WHY.get(int(code), ""))
                            for code, declared in route.responses.items()
                            if declared.get("model") is ErrorOut})
            for method in route.methods or ():
                out[(route.path, method)] = answers
    return out


def _error_schemas() -> dict[str, Any]:
    schema = ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
    return {**schema.pop("$defs"), "ErrorOut": schema}


def document_errors(app: FastAPI, routers: list[APIRouter]) -> None:
    """/openapi.json lists each operation's possible 4xx answers with the one error body.

    FastAPI's own 422 entry (its validation errors only) is replaced: the services' 422s answer too."""
    answers = _route_answers(routers)
    described = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = described()
        schema.setdefault("components", {}).setdefault("schemas", {}).update(_error_schemas())
        for path, operations in schema.get("paths", {}).items():
            for method, operation in operations.items():
                for code, why in sorted(answers.get((path, method.upper()), {}).items()):
                    operation["responses"][str(code)] = {
                        "description": why,
                        "content": {"application/json": {
                            "schema": {"$ref": "#/components/schemas/ErrorOut"}}},
                    }
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
