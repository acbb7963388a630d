"""Small dependencies the routers share: paging, role shortcuts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Query

from app.schemas.core import RowId
from app.security import require_role
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
