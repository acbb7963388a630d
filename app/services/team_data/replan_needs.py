"""Assignments of an accepted plan that a change made wrong are kept and flagged, never deleted.

The adjust page lists the open flags with the change behind each; a re-plan treats a flagged visit as
one the changes touched (planned afresh, its pin released), and applying a re-plan whose days cover the
visit resolves the flag.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.mapping import current_assignments
from app.repositories import team_data as repo
from models import core as m
from models.team_data import ChangeRecord, ReplanNeed

CHUNK = 900


def flag_visits(session: Session, *, change: ChangeRecord, visit_ids: Collection[int], reason: str) -> int:
    """Flag the accepted assignments of these visits as needing a re-plan because of `change`."""
    current = current_assignments(session, visit_ids=list(visit_ids))
    return _flag(session, change=change, items=[(vid, a) for vid, a in current.items()], reason=reason)


def flag_carer_visits(session: Session, *, change: ChangeRecord, carer_id: int, start: dt.date,
                      still_fits: Callable[[m.Assignment, m.Visit], bool], reason: str) -> int:
    """Flag the carer's accepted assignments from `start` on that no longer fit (`still_fits` False)."""
    items = [(v.id, a) for a, v in repo.accepted_assignments_of_carer(session, carer_id, start)
             if not still_fits(a, v)]
    return _flag(session, change=change, items=items, reason=reason)


def _flag(session: Session, *, change: ChangeRecord, items: list[tuple[int, m.Assignment]],
          reason: str) -> int:
    if not items:
        return 0
    open_keys = repo.open_replan_need_keys(session, [vid for vid, _ in items])
    plan_of = dict(session.execute(select(m.PlanVersion.id, m.PlanVersion.plan_id).where(
        m.PlanVersion.id.in_(sorted({a.plan_version_id for _, a in items})))).all())
    rows = [ReplanNeed(plan_id=plan_of[a.plan_version_id], visit_id=vid, assignment_id=a.id,
                       change_id=change.id, reason=reason)
            for vid, a in items if (vid, a.id) not in open_keys]
    session.add_all(rows)
    session.flush()
    return len(rows)


def stale_visit_ids(session: Session, *, plan_id: int) -> set[int]:
    """Visits of the plan whose assignment a change made wrong (open flags)."""
    return {n.visit_id for n, _v, _c in repo.open_replan_needs(session, plan_id)}


def resolve_covered(session: Session, *, plan_id: int, start: dt.date, end: dt.date,
                    version_id: int) -> int:
    """Flags of visits within [start, end] are resolved by the re-plan that made `version_id`."""
    now = dt.datetime.now(dt.UTC)
    count = 0
    for need, visit, _change in repo.open_replan_needs(session, plan_id):
        if start <= visit.date <= end:
            need.resolved_at, need.resolved_version_id = now, version_id
            count += 1
    session.flush()
    return count
