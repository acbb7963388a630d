"""Which plan a page shows for a team and a date range, the team's plans, and month bounds."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from app.repositories import performed as performed_repo
from models.core import (
    PLAN_ACCEPTED,
    PLAN_DRAFT,
    Plan,
    PlanVersion,
    Team,
    plan_teams,
)


def month_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    first = day.replace(day=1)
    nxt = dt.date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    return first, nxt - dt.timedelta(days=1)


@dataclass(slots=True)
class ShownPlan:
    """The plan versions a page shows for a team and a date range: every accepted version of a plan that
    covers the team and overlaps the range; if there is none, the newest draft (marked as such)."""

    version_ids: list[int]
    label: str = ""  # the plan's teams by name: "Centrum"; the page adds the period
    status: str = ""
    plan_id: int | None = None
    start: dt.date | None = None
    end: dt.date | None = None

    @property
    def empty(self) -> bool:
        return not self.version_ids


def shown_plan(session: Session, *, team_id: int, start: dt.date, end: dt.date) -> ShownPlan:
    # One round trip: each version comes once per team of its plan, with the team's name (in the
    # database's name order within the version) for the label.
    named = aliased(plan_teams)
    rows = session.execute(
        select(PlanVersion.id, PlanVersion.status, Plan.id, Plan.start_date, Plan.end_date, Team.name)
        .join(Plan, Plan.id == PlanVersion.plan_id)
        .join(plan_teams, plan_teams.c.plan_id == Plan.id)
        .join(named, named.c.plan_id == Plan.id)
        .join(Team, Team.id == named.c.team_id)
        .where(
            plan_teams.c.team_id == team_id,
            Plan.start_date <= end,
            Plan.end_date >= start,
            PlanVersion.status.in_((PLAN_ACCEPTED, PLAN_DRAFT)),
        )
        .order_by(PlanVersion.created_at.desc(), PlanVersion.id.desc(), Team.name)
    ).all()
    versions = list({r[0]: r[:5] for r in rows}.values())  # first seen first: the order above
    accepted = [r for r in versions if r[1] == PLAN_ACCEPTED]
    chosen = accepted or versions[:1]
    if not chosen:
        return ShownPlan([])
    r = chosen[0]
    teams = ", ".join(name for v, *_, name in rows if v == r[0])
    return ShownPlan([a[0] for a in chosen], teams, r[1], r[2], r[3], r[4])


def team_plans(session: Session, team_id: int) -> list[Plan]:
    """The team's plans, newest first (a plan spanning teams too)."""
    return list(
        session.scalars(
            select(Plan)
            .join(plan_teams, plan_teams.c.plan_id == Plan.id)
            .where(plan_teams.c.team_id == team_id)
            .order_by(Plan.start_date.desc())
        )
    )


def default_day(session: Session, team_id: int) -> dt.date:
    """Today, unless no plan covers today: then the first day of the team's latest plan (a demo in
    December opened in November should not show an empty week)."""
    today = dt.date.today()
    rows = session.execute(
        select(Plan.start_date, Plan.end_date)
        .join(plan_teams, plan_teams.c.plan_id == Plan.id)
        .where(plan_teams.c.team_id == team_id)
        .order_by(Plan.start_date.desc())
    ).all()
    if not rows or any(s <= today <= e for s, e in rows):
        return today
    return rows[0][0]


def versions_in_force(session: Session, *, team_ids: list[int], start: dt.date, end: dt.date) -> list[int]:
    """The accepted versions of the plans that cover any of these teams and overlap start..end: what the
    teams work to (a draft is not in force)."""
    return performed_repo.versions_in_force(session, team_ids=team_ids, start=start, end=end)
