"""Queries on failed sign-ins."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ColumnElement, delete, func, select
from sqlalchemy.orm import Session

from models.security import LoginFailure


def failures_since(session: Session, where: ColumnElement[bool], since: dt.datetime,
                   ) -> tuple[int, dt.datetime | None]:
    """How many failures match `where` since `since`, and the latest one's moment."""
    row: Any = session.execute(select(func.count(), func.max(LoginFailure.at))
                               .where(where, LoginFailure.at > since)).one()
    return int(row[0]), row[1]


def by_username(username: str) -> ColumnElement[bool]:
    return LoginFailure.username == username


def by_address(address: str) -> ColumnElement[bool]:
    return LoginFailure.address == address


def forget(session: Session, where: ColumnElement[bool]) -> None:
    session.execute(delete(LoginFailure).where(where))


def forget_before(session: Session, moment: dt.datetime) -> None:
    session.execute(delete(LoginFailure).where(LoginFailure.at < moment))
