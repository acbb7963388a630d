"""Queries for the team's own data: roster patterns and exceptions, change records, assignments that
need a re-plan."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from models import core as m
from models.team_data import ChangeRecord, ReplanNeed, RosterException, RosterPattern

CHUNK = 900


def patterns_of(session: Session, carer_id: int) -> Sequence[RosterPattern]:
    return session.scalars(select(RosterPattern).where(RosterPattern.carer_id == carer_id)
                           .order_by(RosterPattern.valid_from, RosterPattern.id)).all()


def exceptions_of(session: Session, carer_id: int, start: dt.date | None = None,
                  end: dt.date | None = None) -> Sequence[RosterException]:
    stmt = select(RosterException).where(RosterException.carer_id == carer_id)
    if start is not None:
        stmt = stmt.where(RosterException.date >= start)
    if end is not None:
        stmt = stmt.where(RosterException.date <= end)
    return session.scalars(stmt.order_by(RosterException.date, RosterException.start)).all()


def shifts_of(session: Session, carer_id: int, start: dt.date, end: dt.date) -> Sequence[m.Shift]:
    return session.scalars(select(m.Shift).where(m.Shift.carer_id == carer_id, m.Shift.date >= start,
                                                 m.Shift.date <= end)
                           .order_by(m.Shift.date, m.Shift.start)).all()


def last_shift_date(session: Session, carer_id: int) -> dt.date | None:
    return session.scalar(select(func.max(m.Shift.date)).where(m.Shift.carer_id == carer_id))


def last_visit_date(session: Session, citizen_id: int) -> dt.date | None:
    return session.scalar(select(func.max(m.Visit.date)).where(m.Visit.citizen_id == citizen_id))


def delete_shifts_from(session: Session, carer_id: int, start: dt.date, end: dt.date | None = None) -> None:
    stmt = delete(m.Shift).where(m.Shift.carer_id == carer_id, m.Shift.date >= start)
    if end is not None:
        stmt = stmt.where(m.Shift.date <= end)
    session.execute(stmt.execution_options(synchronize_session="fetch"))


def visits_of_citizen_from(session: Session, citizen_id: int, start: dt.date) -> Sequence[m.Visit]:
    return session.scalars(select(m.Visit).where(m.Visit.citizen_id == citizen_id, m.Visit.date >= start)
                           .order_by(m.Visit.date, m.Visit.earliest)).all()


def accepted_assignments_of_carer(session: Session, carer_id: int,
                                  start: dt.date) -> Sequence[tuple[m.Assignment, m.Visit]]:
    """Assignments of accepted versions giving the carer a visit on or after `start`."""
    ac = m.assignment_carers.c
    rows = session.execute(
        select(m.Assignment, m.Visit)
        .join(m.Visit, m.Visit.id == m.Assignment.visit_id)
        .join(m.PlanVersion, m.PlanVersion.id == m.Assignment.plan_version_id)
        .join(m.assignment_carers, ac.assignment_id == m.Assignment.id)
        .where(ac.carer_id == carer_id, m.PlanVersion.status == m.PLAN_ACCEPTED, m.Visit.date >= start)
        .order_by(m.Visit.date, m.Assignment.start))
    return [(a, v) for a, v in rows]


def open_replan_need_keys(session: Session, visit_ids: Collection[int]) -> set[tuple[int, int | None]]:
    """(visit id, assignment id) of unresolved flags among the visits: a second change adds no twin."""
    out: set[tuple[int, int | None]] = set()
    ids = sorted(visit_ids)
    for i in range(0, len(ids), CHUNK):
        out.update((vid, aid) for vid, aid in session.execute(
            select(ReplanNeed.visit_id, ReplanNeed.assignment_id).where(
                ReplanNeed.visit_id.in_(ids[i:i + CHUNK]), ReplanNeed.resolved_at.is_(None))))
    return out


def open_replan_needs(session: Session, plan_id: int, team_ids: Collection[int] | None = None,
                      ) -> list[tuple[ReplanNeed, m.Visit, ChangeRecord]]:
    """Unresolved flags of the plan with their visit and the change that caused them."""
    stmt = (select(ReplanNeed, m.Visit, ChangeRecord)
            .join(m.Visit, m.Visit.id == ReplanNeed.visit_id)
            .join(ChangeRecord, ChangeRecord.id == ReplanNeed.change_id)
            .where(ReplanNeed.plan_id == plan_id, ReplanNeed.resolved_at.is_(None)))
    if team_ids is not None:
        stmt = stmt.join(m.Citizen, m.Citizen.id == m.Visit.citizen_id).where(
            m.Citizen.team_id.in_(sorted(team_ids) or [-1]))
    return [(n, v, c) for n, v, c in session.execute(
        stmt.order_by(m.Visit.date, m.Visit.earliest, ReplanNeed.id))]


def change_records(session: Session, *, citizen_id: int | None = None, carer_id: int | None = None,
                   entity: str | None = None, entity_id: int | None = None, team_id: int | None = None,
                   limit: int = 200) -> Sequence[ChangeRecord]:
    stmt = select(ChangeRecord)
    if team_id is not None:
        stmt = stmt.where(ChangeRecord.team_id == team_id)
    if citizen_id is not None:
        stmt = stmt.where(ChangeRecord.citizen_id == citizen_id)
    if carer_id is not None:
        stmt = stmt.where(ChangeRecord.carer_id == carer_id)
    if entity is not None:
        stmt = stmt.where(ChangeRecord.entity == entity)
    if entity_id is not None:
        stmt = stmt.where(ChangeRecord.entity_id == entity_id)
    return session.scalars(stmt.order_by(ChangeRecord.created_at.desc(), ChangeRecord.id.desc())
                           .limit(limit)).all()


def usernames(session: Session, user_ids: Collection[int]) -> dict[int, str]:
    if not user_ids:
        return {}
    return dict(session.execute(select(m.User.id, m.User.username)
                                .where(m.User.id.in_(sorted(user_ids)))).all())


def positioned_addresses(session: Session, team_id: int) -> list[tuple[str, float, float, int]]:
    """(address, lat, lon, citizen id) the team holds: its citizens' now, then those its imported sheets
    brought in (newest first), so a citizen's current position comes before an older one."""
    out: list[tuple[str, float, float, int]] = [
        (a, lat, lon, cid) for a, lat, lon, cid in session.execute(
            select(m.Citizen.address, m.Citizen.lat, m.Citizen.lon, m.Citizen.id)
            .where(m.Citizen.team_id == team_id, m.Citizen.address.is_not(None))
            .order_by(m.Citizen.address)) if a is not None]
    for record in session.scalars(select(ChangeRecord).where(
            ChangeRecord.team_id == team_id, ChangeRecord.entity == "citizen",
            ChangeRecord.action == "imported", ChangeRecord.citizen_id.is_not(None))
            .order_by(ChangeRecord.id.desc())):
        after = record.after or {}
        address, lat, lon = after.get("address"), after.get("lat"), after.get("lon")
        if isinstance(address, str) and isinstance(lat, int | float) and isinstance(lon, int | float):
            out.append((address, float(lat), float(lon), record.citizen_id or 0))
    return out
