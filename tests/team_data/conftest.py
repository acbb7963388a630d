"""A week of team A planned and accepted, built row by row: two carers on day shifts, one citizen
with a daily morning visit given to Anna. The stories change it from a date and look at what follows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.mapping import accept_plan_version, store_plan_version
from models import core as m
from solver import types as st
from tests.conftest import Make

MON = dt.date(2030, 1, 7)  # a Monday well ahead, so "today" never makes it history
WEEK = [MON + dt.timedelta(days=i) for i in range(7)]


def day(n: int) -> dt.date:
    return MON + dt.timedelta(days=n)


@dataclass
class Week:
    team: m.Team
    anna: m.Carer
    bo: m.Carer
    citizen: m.Citizen
    need: m.Need
    plan: m.Plan
    version: m.PlanVersion

    def visits(self, session: Session, kind: str = "morning") -> dict[dt.date, m.Visit]:
        rows = session.scalars(select(m.Visit).where(m.Visit.citizen_id == self.citizen.id,
                                                     m.Visit.kind == kind))
        return {v.date: v for v in rows}


def accept_week(session: Session, *, team: m.Team, assignments: list[st.Assignment],
                user: m.User | None = None) -> m.PlanVersion:
    plan = st.Plan(assignments=assignments, unplaced=[])
    version = store_plan_version(session, team_ids=[team.id], start=MON, end=day(6), plan=plan,
                                 created_by=user)
    accept_plan_version(session, version=version, user=user)  # type: ignore[arg-type]
    return version


@pytest.fixture
def week(make: Make, db_session: Session, team_a: m.Team, users: dict[str, m.User]) -> Week:
    from app.services.visits import generate_visits

    anna = make.carer(team_a, name="Anna", external_id="TA-anna")
    bo = make.carer(team_a, name="Bo", external_id="TA-bo")
    for d in WEEK:
        make.shift(anna, d, 360, 930)
        make.shift(bo, d, 360, 930)
    citizen = make.citizen(team_a, name="Greta", external_id="TA-greta")
    need = make.need(citizen, kind="morning", earliest=420, latest=510, duration=45, valid_from=MON)
    generate_visits(db_session, start=MON, end=day(6), team_ids=[team_a.id], today=MON)
    week = Week(team_a, anna, bo, citizen, need, None, None)  # type: ignore[arg-type]
    visits = week.visits(db_session)
    version = accept_week(db_session, team=team_a, user=users["coordinator"], assignments=[
        st.Assignment(visit=v.external_id, carers=(anna.external_id,), start=420) for v in visits.values()])
    week.version, week.plan = version, version.plan
    return week
