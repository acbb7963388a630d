"""Beside each draft, the national 14-day measure it would give and the accepted plan's: a municipality
sees what it will report before it accepts. Counted by the audit itself (the same figure the audit page
shows for the plan). Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.security import create_access_token
from app.web.session_cookie import SESSION_COOKIE
from models import core as m
from models.jobs import PlanJob, PlanJobPart

DAY = dt.date(2026, 11, 30)  # a Monday: two whole 14-day periods follow
DAYS = 28


def _team_month(make: Any, team: m.Team) -> dict[str, Any]:
    """Two citizens over 65 with a morning and an evening visit every day for four weeks, four carers."""
    carers = [make.carer(team) for _ in range(4)]
    citizens = [make.citizen(team, birth_year=1938), make.citizen(team, birth_year=1941)]
    visits = [make.visit(p, kind=kind, date=DAY + dt.timedelta(days=d), earliest=e, latest=e + 60,
                         duration=30)
              for d in range(DAYS) for p in citizens for kind, e in (("morning", 480), ("evening", 1020))]
    make.session.commit()
    return {"carers": carers, "visits": visits}


def _version(session: Session, plan: m.Plan, number: int, status: str, world: dict[str, Any],
             staff: int) -> m.PlanVersion:
    """A version in which each citizen meets `staff` different carers every 14 days."""
    version = m.PlanVersion(plan=plan, number=number, status=status)
    session.add(version)
    session.flush()
    carers = world["carers"]
    for v in world["visits"]:
        day = (v.date - DAY).days
        carer = carers[(day + (v.kind == "evening")) % staff]
        session.add(m.Assignment(plan_version_id=version.id, visit_id=v.id, start=v.earliest, carers=[carer]))
    session.flush()
    return version


def _run(session: Session, team: m.Team, version: m.PlanVersion) -> PlanJob:
    job = PlanJob(status="succeeded", team_ids=[team.id], start_date=DAY,
                  end_date=DAY + dt.timedelta(DAYS - 1), time_limit=30,
                  params={"continuity": "travel", "continuity_from": "run"},
                  plan_id=version.plan_id, plan_version_id=version.id,
                  figures={"placed": 224, "unplaced": 0, "distinct_carers_month_mean": 2.0,
                           "distinct_carers_month_max": 2, "travel_minutes": 1000.0, "contact_share": 0.5,
                           "start_spread_minutes": 3.0, "distinct_carers_14d_mean": 2.0})
    job.parts = [PlanJobPart(seq=0, team_id=team.id, status="succeeded")]
    session.add(job)
    session.commit()
    return job


def _plan(session: Session, team: m.Team, ext: str = "p-dec") -> m.Plan:
    plan = m.Plan(external_id=ext, name=ext, start_date=DAY, end_date=DAY + dt.timedelta(days=DAYS - 1),
                  teams=[team])
    session.add(plan)
    session.flush()
    return plan


def test_the_draft_shows_its_14_day_figure_beside_the_accepted_plans(
        client: TestClient, make: Any, team_a: m.Team, users: dict[str, m.User],
        headers: dict[str, dict[str, str]], db_session: Session) -> None:
    world = _team_month(make, team_a)
    plan = _plan(db_session, team_a)
    accepted = _version(db_session, plan, 1, m.PLAN_ACCEPTED, world, staff=4)
    draft = _version(db_session, plan, 2, m.PLAN_DRAFT, world, staff=2)
    job = _run(db_session, team_a, draft)

    r = client.get(f"/api/plan-versions/{draft.id}/national-forecast", headers=headers["coordinator"])
    assert r.status_code == 200, r.text
    f = r.json()
    assert (f["draft"]["mean"], f["draft"]["recipients"], f["draft"]["periods"]) == (2.0, 4, 2)
    assert (f["accepted"]["plan_version_id"], f["accepted"]["mean"]) == (accepted.id, 4.0)
    assert f["change"] == -2.0
    # The audit's own figure for the same plan version, to the digit.
    audit = client.get("/api/audit/figures", params={"source": "plan", "plan_version": draft.id},
                       headers=headers["coordinator"]).json()
    assert audit["national_14d"]["mean"] == f["draft"]["mean"]

    client.cookies.set(SESSION_COOKIE, create_access_token(users["coordinator"]))
    client.cookies.set("lang", "sv")
    runs = client.get(f"/teams/{team_a.id}/runs").text
    assert f'<td class="num" data-forecast="{job.id}">2,0 / 4,0</td>' in runs
    page = client.get(f"/runs/{job.id}").text
    box = page[page.index('id="national-forecast"'):]
    assert "Innan du godkänner: det nationella 14-dagarsmåttet" in box
    assert "2,0 i genomsnitt" in box and "4,0 i genomsnitt" in box
    assert "2,0 färre medarbetare per brukare på 14 dagar" in box


def test_a_first_draft_says_there_is_no_accepted_plan_yet(
        client: TestClient, make: Any, team_a: m.Team, users: dict[str, m.User],
        headers: dict[str, dict[str, str]], db_session: Session) -> None:
    world = _team_month(make, team_a)
    draft = _version(db_session, _plan(db_session, team_a), 1, m.PLAN_DRAFT, world, staff=3)
    job = _run(db_session, team_a, draft)
    f = client.get(f"/api/plan-versions/{draft.id}/national-forecast", headers=headers["auditor"]).json()
    assert f["draft"]["mean"] == 3.0 and f["accepted"] is None and f["change"] is None
    client.cookies.set(SESSION_COOKIE, create_access_token(users["coordinator"]))
    page = client.get(f"/runs/{job.id}").text
    assert "ingen godkänd planering än" in page[page.index('id="national-forecast"'):]


def test_a_draft_for_a_new_period_is_weighed_against_the_plan_in_force(
        client: TestClient, make: Any, team_a: m.Team, headers: dict[str, dict[str, str]],
        db_session: Session) -> None:
    world = _team_month(make, team_a)
    in_force = _version(db_session, _plan(db_session, team_a, "p-now"), 1, m.PLAN_ACCEPTED, world, staff=4)
    later = _plan(db_session, team_a, "p-next")
    later.start_date, later.end_date = DAY + dt.timedelta(days=DAYS), DAY + dt.timedelta(days=2 * DAYS - 1)
    draft = m.PlanVersion(plan=later, number=1, status=m.PLAN_DRAFT)
    db_session.add(draft)
    db_session.commit()
    f = client.get(f"/api/plan-versions/{draft.id}/national-forecast", headers=headers["coordinator"]).json()
    assert f["accepted"]["plan_version_id"] == in_force.id and f["accepted"]["mean"] == 4.0
    # No visits in that period yet: nobody measured, said as such, never a mean of zero.
    assert f["draft"]["mean"] is None and f["draft"]["recipients"] == 0 and f["change"] is None


def test_members_may_not_and_another_teams_draft_is_not_found(
        client: TestClient, make: Any, team_a: m.Team, team_b: m.Team, headers: dict[str, dict[str, str]],
        db_session: Session) -> None:
    draft = m.PlanVersion(plan=_plan(db_session, team_b, "p-b"), number=1, status=m.PLAN_DRAFT)
    db_session.add(draft)
    db_session.commit()
    url = f"/api/plan-versions/{draft.id}/national-forecast"
    assert client.get(url, headers=headers["coordinator"]).status_code == 404
    assert client.get(url, headers=headers["member"]).status_code == 403
    assert client.get(url, headers=headers["admin"]).status_code == 200
