"""Small dependencies the routers and pages share: paging, role shortcuts, the access log of reads."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from sqlalchemy.orm import Session

from app.db import ACCESS_LOGGED, SessionDep
from app.schemas.core import RowId
from app.security import can_see_personal_data, require_role
from app.services import access_log
from app.services.logins import client_address
from exchange import MAX_INT
from models.core import ROLE_ADMIN, ROLE_COORDINATOR, User


@dataclass(frozen=True, slots=True)
class Paging:
    limit: int
    offset: int


def _paging(limit: Annotated[int, Query(ge=1, le=1000, description="rows per page")] = 100,
            offset: Annotated[int, Query(ge=0, le=MAX_INT, description="rows to skip")] = 0) -> Paging:
    return Paging(limit=limit, offset=offset)


PagingDep = Annotated[Paging, Depends(_paging)]
# Coordinators change their teams' data; admins pass every role check.
Coordinator = Annotated[User, Depends(require_role(ROLE_COORDINATOR))]
Admin = Annotated[User, Depends(require_role(ROLE_ADMIN))]
TeamIds = Annotated[list[RowId] | None, Query(alias="team_id", description="filter: team ids (repeat)")]


@dataclass(frozen=True, slots=True)
class ReadLog:
    """Writes down this request's reads of citizens' personal data (app.services.access_log)."""

    session: Session
    path: str
    address: str

    def citizens(self, *, user: User, citizen_ids: Iterable[int], what: str) -> None:
        if can_see_personal_data(user):
            access_log.record_reads(self.session, user_id=user.id, citizen_ids=citizen_ids, what=what,
                                    path=self.path, address=self.address)


def read_log_of(request: Request, session: Session) -> ReadLog:
    """The read log of a request whose handler shows a citizen's data it did not plan to (a form shown
    again after a refusal)."""
    query = f"?{request.url.query}" if request.url.query else ""
    return ReadLog(session=session, path=request.url.path + query,
                   address=client_address(request.client.host if request.client else None))


async def _read_log(request: Request, session: SessionDep) -> ReadLog:
    # Async although it calls nothing that waits: it runs on the event loop instead of taking a trip
    # through the thread pool (and back for the GIL) on every logged read.
    return read_log_of(request, session)


ReadLogDep = Annotated[ReadLog, Depends(_read_log)]


def _uses_read_log(dependant: Dependant) -> bool:
    return any(d.call is _read_log or _uses_read_log(d) for d in dependant.dependencies)


def mark_access_logged_routes(routers: Iterable[APIRouter]) -> list[str]:
    """Flag every route that logs reads (it depends on `ReadLog`), so its session writes and its
    description says so; the paths flagged. Before the routers are included in the app."""
    marked: list[str] = []
    for route in (r for router in routers for r in router.routes):
        if isinstance(route, APIRoute) and _uses_read_log(route.dependant):
            extra: dict[str, Any] = dict(route.openapi_extra or {})
            extra[ACCESS_LOGGED] = True
            route.openapi_extra = extra
            marked.append(route.path)
    return marked
