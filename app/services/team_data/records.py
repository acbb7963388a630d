"""Every change to the team's data is recorded: who, when, what, from which date, before and after."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy.orm import Session

from models.core import User
from models.team_data import ChangeRecord


def jsonable(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (list, tuple, set, frozenset)):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    return value


def snapshot(row: Any, fields: Iterable[str], **extra: Any) -> dict[str, Any]:
    return {**{f: jsonable(getattr(row, f)) for f in fields}, **{k: jsonable(v) for k, v in extra.items()}}


def changed_only(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The fields that differ, before and after (a record lists what changed, not the whole row)."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


def record_change(session: Session, *, user: User | None, entity: str, entity_id: int, action: str,
                  team_id: int | None, citizen_id: int | None = None, carer_id: int | None = None,
                  effective_from: dt.date | None = None, before: dict[str, Any] | None = None,
                  after: dict[str, Any] | None = None) -> ChangeRecord:
    row = ChangeRecord(entity=entity, entity_id=entity_id, action=action, team_id=team_id,
                       citizen_id=citizen_id, carer_id=carer_id, effective_from=effective_from,
                       before=before, after=after, created_by_id=user.id if user else None)
    session.add(row)
    session.flush()
    return row
