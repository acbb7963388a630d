"""Queries for daily adjustments and re-plans: the change log, previews, the plan head, lookups by the
exchange format's external ids."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from models import core as m
from models.adjustments import ADJ_PENDING, Adjustment, PlanHead, ReplanPreview


def plan_head(session: Session, plan_id: int, *, lock: bool = False) -> PlanHead | None:
    """The plan's head row; with `lock`, SELECT ... FOR UPDATE (PostgreSQL waits for another writer)."""
    stmt = select(PlanHead).where(PlanHead.plan_id == plan_id)
    if lock:
        stmt = stmt.with_for_update()
    return session.scalar(stmt.execution_options(populate_existing=True))


def accepted_version(session: Session, plan_id: int) -> m.PlanVersion | None:
    """The version in force: the accepted one with the highest number."""
    return session.scalar(
        select(m.PlanVersion)
        .where(m.PlanVersion.plan_id == plan_id, m.PlanVersion.status == m.PLAN_ACCEPTED)
        .order_by(m.PlanVersion.number.desc()).limit(1)
        .execution_options(populate_existing=True))


def plans_in_force_covering(session: Session, *, team_id: int, date: dt.date) -> Sequence[m.Plan]:
    """Plans of the team whose dates hold `date` and that have an accepted version, newest first."""
    accepted = (select(m.PlanVersion.plan_id)
                .where(m.PlanVersion.status == m.PLAN_ACCEPTED).scalar_subquery())
    return session.scalars(
        select(m.Plan)
        .join(m.plan_teams, m.plan_teams.c.plan_id == m.Plan.id)
        .where(m.plan_teams.c.team_id == team_id, m.Plan.start_date <= date, m.Plan.end_date >= date,
               m.Plan.id.in_(accepted))
        .order_by(m.Plan.created_at.desc(), m.Plan.id.desc())).all()


def adjustments(session: Session, plan_id: int, *, statuses: Collection[str] | None = None,
                team_ids: Collection[int] | None = None, limit: int = 500,
                offset: int = 0) -> Sequence[Adjustment]:
    stmt = select(Adjustment).where(Adjustment.plan_id == plan_id)
    if statuses:
        stmt = stmt.where(Adjustment.status.in_(list(statuses)))
    if team_ids is not None:
        stmt = stmt.where(Adjustment.team_id.in_(list(team_ids)) | Adjustment.team_id.is_(None))
    return session.scalars(stmt.order_by(Adjustment.id).limit(limit).offset(offset)).all()


def pending_adjustments(session: Session, plan_id: int) -> Sequence[Adjustment]:
    """The plan's pending changes in the order they were recorded (the order they apply in)."""
    return session.scalars(select(Adjustment).where(Adjustment.plan_id == plan_id,
                                                    Adjustment.status == ADJ_PENDING)
                           .order_by(Adjustment.id)).all()


def previews(session: Session, plan_id: int, *, limit: int = 50) -> Sequence[ReplanPreview]:
    return session.scalars(select(ReplanPreview).where(ReplanPreview.plan_id == plan_id)
                           .order_by(ReplanPreview.id.desc()).limit(limit)).all()


def assignment_of_visit(session: Session, version_id: int, visit_external_id: str) -> m.Assignment | None:
    return session.scalar(
        select(m.Assignment).join(m.Visit, m.Assignment.visit_id == m.Visit.id)
        .where(m.Assignment.plan_version_id == version_id, m.Visit.external_id == visit_external_id))


def by_external_ids(session: Session, model: type[m.Carer] | type[m.Citizen] | type[m.Team] | type[m.Visit],
                    external_ids: Collection[str]) -> dict[str, int]:
    """external id -> integer id, for the ids that exist."""
    if not external_ids:
        return {}
    stmt = select(model.external_id, model.id).where(model.external_id.in_(list(external_ids)))
    rows = session.execute(stmt)
    return {ext: pk for ext, pk in rows}


def shifts_on(session: Session, carer_id: int, day: dt.date) -> Sequence[m.Shift]:
    return session.scalars(select(m.Shift).where(m.Shift.carer_id == carer_id, m.Shift.date == day)
                           .order_by(m.Shift.start)).all()


def delete_shifts(session: Session, carer_id: int, first: dt.date, last: dt.date) -> None:
    stmt = delete(m.Shift).where(m.Shift.carer_id == carer_id, m.Shift.date >= first, m.Shift.date <= last)
    session.execute(stmt.execution_options(synchronize_session="fetch"))
    carer = session.get(m.Carer, carer_id)
    if carer is not None:  # a loaded `carer.shifts` would still list the deleted rows
        session.expire(carer, ["shifts"])


def visits_of_citizen(session: Session, citizen_id: int, first: dt.date, last: dt.date) -> Sequence[m.Visit]:
    return session.scalars(select(m.Visit).where(m.Visit.citizen_id == citizen_id, m.Visit.date >= first,
                                                 m.Visit.date <= last)).all()


def visit_by_external_id(session: Session, external_id: str) -> m.Visit | None:
    return session.scalar(select(m.Visit).where(m.Visit.external_id == external_id))


def visit_external_ids(session: Session, visit_ids: Collection[int]) -> list[str]:
    ids = sorted(visit_ids)
    out: list[str] = []
    for i in range(0, len(ids), 900):
        out += session.scalars(select(m.Visit.external_id).where(m.Visit.id.in_(ids[i:i + 900])))
    return out


def adjustments_by_id(session: Session, ids: Collection[int]) -> Sequence[Adjustment]:
    """These adjustments, in the order they were recorded."""
    if not ids:
        return []
    stmt = select(Adjustment).where(Adjustment.id.in_(list(ids))).order_by(Adjustment.id)
    return session.scalars(stmt).all()
