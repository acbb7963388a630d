"""A small planned team for the page tests: one carer with shifts, one citizen with a morning visit a
day, and an accepted plan of three days that gives the carer every visit."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from models import core as m
from tests.conftest import Make

DAY = dt.date(2026, 12, 1)


def planned_team(make: Make, session: Session, team: m.Team) -> tuple[m.Plan, m.Carer, m.Citizen]:
    carer = make.carer(team, name="Anna Berg", skills=["lift"])
    for d in range(3):
        make.shift(carer, DAY + dt.timedelta(days=d))
    citizen = make.citizen(team, name="Greta Holm", contact_carer_id=carer.id)
    plan = m.Plan(external_id="P1", name="P1", start_date=DAY, end_date=DAY + dt.timedelta(days=2),
                  teams=[team])
    version = m.PlanVersion(plan=plan, number=1, status=m.PLAN_ACCEPTED)
    session.add_all([plan, version])
    session.flush()
    for d in range(3):
        visit = make.visit(citizen, kind="morning", date=DAY + dt.timedelta(days=d))
        session.add(m.Assignment(plan_version_id=version.id, visit_id=visit.id, start=450, carers=[carer]))
    session.commit()
    return plan, carer, citizen
