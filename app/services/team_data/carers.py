"""Carers: add, edit, end from a date; each recorded, the accepted assignments that no longer fit
flagged for a re-plan."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from app.repositories import team_data as repo
from app.schemas import core as s
from app.services import core
from app.services.errors import Invalid
from app.services.team_data.records import changed_only, record_change, snapshot
from app.services.team_data.replan_needs import flag_carer_visits
from models.core import Carer, User
from models.team_data import ENTITY_CARER

CARER_FIELDS = ("external_id", "team_id", "name", "skills", "contracted_minutes_per_week", "active_from",
                "active_to", "end_reason", "travel_mode")


def add_carer(session: Session, *, data: s.CarerCreate, user: User) -> Carer:
    carer = core.create_carer(session, data=data, user=user)
    record_change(session, user=user, entity=ENTITY_CARER, entity_id=carer.id, action="created",
                  team_id=carer.team_id, carer_id=carer.id, after=snapshot(carer, CARER_FIELDS))
    return carer


def edit_carer(session: Session, *, carer: Carer, data: s.CarerUpdate, user: User) -> Carer:
    before = snapshot(carer, CARER_FIELDS)
    core.update_carer(session, carer=carer, data=data, user=user)
    was, now = changed_only(before, snapshot(carer, CARER_FIELDS))
    if not now:
        return carer
    change = record_change(session, user=user, entity=ENTITY_CARER, entity_id=carer.id, action="changed",
                           team_id=carer.team_id, carer_id=carer.id, before=was, after=now)
    if "skills" in now or "team_id" in now:
        skills = set(carer.skills)
        flag_carer_visits(session, change=change, carer_id=carer.id, start=dt.date.today(),
                          still_fits=lambda _a, v: set(v.skills) <= skills and "team_id" not in now,
                          reason="the carer's skills or team changed")
    return carer


def end_carer(session: Session, *, carer: Carer, data: s.CarerEnd, user: User) -> Carer:
    """The carer's last day is the day before `data.from_date`: their shifts and roster from that date
    go; the accepted assignments they had from it are flagged for a re-plan (kept, not deleted)."""
    core.check_version(carer, data.version)
    if carer.active_from is not None and data.from_date <= carer.active_from:
        raise Invalid(f"from_date must be after the carer starts ({carer.active_from})", path="from_date")
    if carer.active_to is not None and data.from_date > carer.active_to + dt.timedelta(days=1):
        raise Invalid(f"the carer already ends on {carer.active_to}", path="from_date")
    before = snapshot(carer, CARER_FIELDS)
    carer.active_to = data.from_date - dt.timedelta(days=1)
    carer.end_reason = data.reason
    repo.delete_shifts_from(session, carer.id, data.from_date)
    for pattern in repo.patterns_of(session, carer.id):
        if pattern.valid_from >= data.from_date:
            session.delete(pattern)
        elif pattern.valid_to is None or pattern.valid_to >= data.from_date:
            pattern.valid_to = data.from_date - dt.timedelta(days=1)
    session.flush()
    was, now = changed_only(before, snapshot(carer, CARER_FIELDS))
    change = record_change(session, user=user, entity=ENTITY_CARER, entity_id=carer.id, action="ended",
                           team_id=carer.team_id, carer_id=carer.id, effective_from=data.from_date,
                           before=was, after=now)
    flag_carer_visits(session, change=change, carer_id=carer.id, start=data.from_date,
                      still_fits=lambda _a, _v: False,
                      reason=f"the carer ends from {data.from_date.isoformat()}")
    return carer


def delete_carer(session: Session, *, carer: Carer, user: User) -> None:
    """A carer entered by mistake taken away (one in a plan answers 409: end them instead). The
    carer's own records go with the row, so this one is the team's and keeps no name."""
    record_change(session, user=user, entity=ENTITY_CARER, entity_id=carer.id, action="deleted",
                  team_id=carer.team_id, before=snapshot(carer, ("external_id", "team_id", "skills",
                                                                  "contracted_minutes_per_week")))
    core.delete_row(session, row=carer)
