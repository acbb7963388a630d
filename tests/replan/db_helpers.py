"""A small real team in the database (the first days of a generated team), planned and accepted, to
adjust."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from app.mapping import accept_plan_version, build_problem, store_plan_version
from models import core as m
from solver import types as st
from tests.paths import load_generated

START = dt.date(2026, 12, 1)


@dataclass
class Planned:
    team: m.Team
    plan: m.Plan
    version: m.PlanVersion
    problem: st.Problem  # as planned (current = the accepted version)
    prefix: str  # every external id starts with it

    def ext(self, instance_id: str) -> str:
        return f"{self.prefix}{instance_id}"


def load_team(session: Session, *, days: int = 3, team: m.Team | None = None,
              prefix: str | None = None) -> tuple[m.Team, dict[str, Any], str]:
    """A generated team's first `days` days as rows; ids get a unique prefix so committed rows never
    collide."""
    inst: dict[str, Any] = load_generated()
    prefix = prefix if prefix is not None else f"x{uuid.uuid4().hex[:6]}-"
    t0 = inst["teams"][0]
    if team is None:
        team = m.Team(external_id=prefix + t0["id"], name=prefix + t0["id"], lat=t0["lat"], lon=t0["lon"])
        session.add(team)
        session.flush()
    carers: dict[str, m.Carer] = {}
    for c in inst["carers"]:
        row = m.Carer(external_id=prefix + c["id"], team_id=team.id, name=c["id"], skills=c.get("skills", []))
        row.shifts = [m.Shift(date=START + dt.timedelta(days=s["day"]), start=s["start"], end=s["end"])
                      for s in c["shifts"] if s["day"] < days]
        session.add(row)
        carers[c["id"]] = row
    session.flush()
    citizens: dict[str, m.Citizen] = {}
    for p in inst["citizens"]:
        person = m.Citizen(external_id=prefix + p["id"], team_id=team.id, name=p["id"], lat=p["lat"],
                        lon=p["lon"], contact_carer_id=carers[p["contact"]].id if p.get("contact") else None,
                        avoid_carers=[carers[a] for a in p.get("avoid", [])])
        session.add(person)
        citizens[p["id"]] = person
    session.flush()
    session.add_all(m.Visit(external_id=prefix + v["id"], citizen_id=citizens[v["citizen"]].id,
                            kind=v["need"], date=START + dt.timedelta(days=v["day"]), earliest=v["earliest"],
                            latest=v["latest"], duration=v["duration"], carers=v.get("carers", 1),
                            skills=v.get("skills", []))
                    for v in inst["visits"] if v["day"] < days)
    session.flush()
    return team, inst, prefix


def planned_team(session: Session, user: m.User | None, *, days: int = 3, team: m.Team | None = None,
                 time_limit: float = 1.0) -> Planned:
    from solver.solve import solve

    team, _, prefix = load_team(session, days=days, team=team)
    end = START + dt.timedelta(days=days - 1)
    problem = build_problem(session, team_ids=[team.id], start=START, end=end)
    plan = solve(problem, st.SolveParams(time_limit=time_limit, seed=0))
    version = store_plan_version(session, team_ids=[team.id], start=START, end=end, plan=plan,
                                 created_by=user)
    accept_plan_version(session, version=version, user=user)
    session.flush()
    problem = build_problem(session, team_ids=[team.id], start=START, end=end)
    return Planned(team=team, plan=version.plan, version=version, problem=problem, prefix=prefix)


def busiest_carer(problem: st.Problem, day: int) -> str:
    day_of = {v.id: v.day for v in problem.visits}
    load: dict[str, int] = {}
    for a in problem.current:
        if day_of.get(a.visit) == day:
            for c in a.carers:
                load[c] = load.get(c, 0) + 1
    return max(sorted(load), key=lambda c: load[c])
