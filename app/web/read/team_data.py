"""What the team-data pages show: the team's citizens and carers with their facts, a citizen's needs,
the change records with who made them, and a carer's roster as a grid of weeks."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.repositories import team_data as repo
from models.core import Carer, Citizen, Need, Shift, Team
from models.team_data import RosterException, RosterPattern


def citizens(session: Session, team_id: int) -> list[Citizen]:
    return list(session.scalars(select(Citizen).where(Citizen.team_id == team_id).order_by(Citizen.name)))


def carers(session: Session, team_id: int) -> list[Carer]:
    return list(session.scalars(select(Carer).where(Carer.team_id == team_id).order_by(Carer.name)))


def needs(session: Session, citizen_id: int) -> list[Need]:
    """The citizen's needs, each version, by kind then from-date."""
    return list(session.scalars(select(Need).where(Need.citizen_id == citizen_id)
                                .order_by(Need.kind, Need.valid_from, Need.id)))


def changes(session: Session, *, citizen_id: int | None = None,
            carer_id: int | None = None) -> list[dict[str, Any]]:
    rows = repo.change_records(session, citizen_id=citizen_id, carer_id=carer_id, limit=100)
    names = repo.usernames(session, {r.created_by_id for r in rows if r.created_by_id is not None})
    return [{"row": r, "by": names.get(r.created_by_id or 0, "")} for r in rows]


@dataclass
class RosterDay:
    date: dt.date
    shifts: list[Shift] = field(default_factory=list)
    exceptions: list[RosterException] = field(default_factory=list)


def roster_weeks(session: Session, carer: Carer, start: dt.date, weeks: int) -> list[list[RosterDay]]:
    """Weeks of days from the Monday of `start`: each day's shifts and exceptions."""
    monday = start - dt.timedelta(days=start.weekday())
    end = monday + dt.timedelta(days=7 * weeks - 1)
    by_day: dict[dt.date, RosterDay] = {}
    for i in range(7 * weeks):
        d = monday + dt.timedelta(days=i)
        by_day[d] = RosterDay(d)
    for sh in repo.shifts_of(session, carer.id, monday, end):
        by_day[sh.date].shifts.append(sh)
    for ex in repo.exceptions_of(session, carer.id, monday, end):
        by_day[ex.date].exceptions.append(ex)
    days = [by_day[d] for d in sorted(by_day)]
    return [days[i:i + 7] for i in range(0, len(days), 7)]


def roster_patterns(session: Session, carer_id: int) -> list[RosterPattern]:
    """The carer's roster patterns, oldest first (the one in force has no end)."""
    return list(repo.patterns_of(session, carer_id))


def roster_exceptions(session: Session, carer_id: int, since: dt.date) -> list[RosterException]:
    """The carer's roster exceptions from `since` on."""
    return list(repo.exceptions_of(session, carer_id, since))


def pattern_cells(pattern: Any) -> dict[tuple[int, int], str]:
    """(week, weekday) -> "07:00-15:30, 17:00-21:00" for the roster form."""
    cells: dict[tuple[int, int], list[str]] = defaultdict(list)
    for s in pattern.shifts if pattern else []:
        text = f"{s.start // 60:02d}:{s.start % 60:02d}-{s.end // 60:02d}:{s.end % 60:02d}"
        if s.break_minutes:
            text += (f" ({s.break_earliest // 60:02d}:{s.break_earliest % 60:02d}-"
                     f"{s.break_latest // 60:02d}:{s.break_latest % 60:02d} {s.break_minutes})")
        cells[(s.week, s.weekday)].append(text)
    return {k: ", ".join(v) for k, v in cells.items()}


def all_teams(session: Session) -> list[Team]:
    return list(session.scalars(select(Team).order_by(Team.name)))


def replan_needs(session: Session, *, plan_id: int, team_id: int) -> list[dict[str, Any]]:
    """The plan's assignments a change made wrong, for the adjust page: visit, citizen, why, which change."""
    rows = repo.open_replan_needs(session, plan_id, {team_id})
    names = dict(session.execute(select(Citizen.id, Citizen.name).where(
        Citizen.id.in_(sorted({v.citizen_id for _n, v, _c in rows}) or [-1]))).all())
    return [{"need": n, "visit": v, "change": c, "citizen": names.get(v.citizen_id, "")} for n, v, c in rows]
