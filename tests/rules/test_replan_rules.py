"""A re-plan keeps the rules: a carer whose hours change keeps her lunch break, a substitute who cycles
comes in cycling with his break, a spacing binds only while both visits are there."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.mapping import build_problem
from app.replan.changes import apply_changes
from exchange.changes import parse_changes
from models import core as m
from solver import types as st
from tests.replan.db_helpers import START, Planned, planned_team


@pytest.fixture
def planned(db_session: Session, users: dict[str, m.User], team_a: m.Team) -> Planned:
    return planned_team(db_session, users["coordinator"], team=team_a, days=2)


def _long_shift(session: Session, team: m.Team, day: dt.date) -> m.Shift:
    shifts = session.scalars(select(m.Shift).join(m.Carer).where(m.Carer.team_id == team.id,
                                                                 m.Shift.date == day)).all()
    return max(shifts, key=lambda s: s.end - s.start)


def test_a_carer_whose_hours_change_keeps_her_break_through_the_replan(client, headers, planned, db_session):
    day = START + dt.timedelta(days=1)
    shift = _long_shift(db_session, planned.team, day)
    shift.break_earliest, shift.break_latest, shift.break_minutes = shift.start + 120, shift.start + 180, 30
    db_session.flush()
    carer = db_session.get(m.Carer, shift.carer_id)
    h = headers["coordinator"]
    pid = planned.plan.id
    shorter = {"type": "shift_set", "carer": carer.external_id, "day": 1,
               "shifts": [{"start": shift.start, "end": shift.start + 200}]}
    assert client.post(f"/api/plans/{pid}/adjustments", json={"changes": [shorter]},
                       headers=h).status_code == 201
    preview = client.post(f"/api/plans/{pid}/replans", json={"from_day": 1, "to_day": 1, "time_limit": 1},
                          headers=h)
    assert preview.status_code == 201, preview.text
    applied = client.post(f"/api/plans/{pid}/replans/{preview.json()['id']}/apply",
                          json={"base_version_id": planned.version.id}, headers=h)
    assert applied.status_code == 200, applied.text
    db_session.expire_all()
    rows = db_session.scalars(select(m.Shift).where(m.Shift.carer_id == carer.id, m.Shift.date == day)).all()
    assert [(r.start, r.end, r.break_earliest, r.break_latest, r.break_minutes) for r in rows] == [
        (shift.start, shift.start + 200, shift.start + 120, shift.start + 170, 30)]


def test_a_substitute_who_cycles_comes_in_cycling_with_his_break(client, headers, planned, db_session):
    h = headers["coordinator"]
    pid = planned.plan.id
    substitute: dict[str, Any] = {"type": "carer_add", "carer": {
        "id": "sub-cycling", "team": planned.team.external_id, "skills": [], "travel_mode": "bike",
        "shifts": [{"day": 1, "start": 420, "end": 930,
                    "break": {"earliest": 660, "latest": 780, "duration": 30}}]}}
    skates = dict(substitute, carer={**substitute["carer"], "travel_mode": "skates"})
    refused = client.post(f"/api/plans/{pid}/adjustments", json={"changes": [skates]}, headers=h)
    assert refused.status_code == 422 and "changes[0].carer.travel_mode" in refused.text
    assert client.post(f"/api/plans/{pid}/adjustments", json={"changes": [substitute]},
                       headers=h).status_code == 201
    preview = client.post(f"/api/plans/{pid}/replans", json={"from_day": 1, "to_day": 1, "time_limit": 1},
                          headers=h)
    assert preview.status_code == 201, preview.text
    applied = client.post(f"/api/plans/{pid}/replans/{preview.json()['id']}/apply",
                          json={"base_version_id": planned.version.id}, headers=h)
    assert applied.status_code == 200, applied.text
    db_session.expire_all()
    problem = build_problem(db_session, team_ids=[planned.team.id], start=START,
                            end=START + dt.timedelta(days=1))
    sub = next(c for c in problem.carers if c.id == "sub-cycling")
    assert problem.travel_of(sub).speed_kmh == 14.0
    assert sub.shifts[0].break_window == st.BreakWindow(660, 780, 30)


def test_a_cancelled_visit_frees_the_one_spaced_from_it(planned):
    problem = planned.problem
    first, then = problem.visits[0], problem.visits[1]
    spaced = dataclasses.replace(problem, dependencies=[st.Dependency(first.id, then.id, min_gap=60)])
    cancel = parse_changes({"format": "homecare-changes/1",
                            "changes": [{"type": "visit_cancel", "visit": first.id}]}, spaced)
    assert apply_changes(spaced, cancel).dependencies == []
