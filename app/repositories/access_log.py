"""Queries on the access log: entries by citizen, user and time, newest first, with the names an admin
reads them by."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Select, delete, func, select
from sqlalchemy.orm import Session

from models.core import Citizen, User
from models.security import AccessLogEntry


def entries_stmt(*, citizen_id: int | None = None, citizen_name: str | None = None,
                 user_id: int | None = None, start: dt.datetime | None = None,
                 end: dt.datetime | None = None) -> Select[Any]:
    stmt: Select[Any] = (select(AccessLogEntry, User.username, Citizen.name)  # type: ignore[assignment]
            .join(User, User.id == AccessLogEntry.user_id)
            .outerjoin(Citizen, Citizen.id == AccessLogEntry.citizen_id)
            .order_by(AccessLogEntry.at.desc(), AccessLogEntry.id.desc()))
    if citizen_id is not None:
        stmt = stmt.where(AccessLogEntry.citizen_id == citizen_id)
    if citizen_name:
        stmt = stmt.where(Citizen.name.ilike(f"%{citizen_name}%"))
    if user_id is not None:
        stmt = stmt.where(AccessLogEntry.user_id == user_id)
    if start is not None:
        stmt = stmt.where(AccessLogEntry.at >= start)
    if end is not None:
        stmt = stmt.where(AccessLogEntry.at < end)
    return stmt


def delete_before(session: Session, moment: dt.datetime) -> int:
    result: Any = session.execute(delete(AccessLogEntry).where(AccessLogEntry.at < moment))
    return int(result.rowcount or 0)


def entries_page(session: Session, stmt: Select[Any], *, limit: int | None, offset: int = 0,
                 ) -> tuple[list[Any], int]:
    """(entry, username, citizen name) rows of one page (all with `limit=None`), and the total."""
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    page = stmt.offset(offset) if limit is None else stmt.limit(limit).offset(offset)
    return [tuple(r) for r in session.execute(page)], int(total)
