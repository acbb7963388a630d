"""Who should take a visit, through the API: an unplaced or planned visit gets its ranked carers, the first
one applied as a hand move adds no new face where a known carer could come, and the answer is the
team's only. Runs on SQLite and PostgreSQL (the `backend` fixture)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import core as m
from models.security import AccessLogEntry
from tests.replan.db_helpers import Planned, planned_team

Headers = dict[str, dict[str, str]]


@pytest.fixture
def planned(db_session: Session, users: dict[str, m.User], team_a: m.Team) -> Planned:
    return planned_team(db_session, users["coordinator"], team=team_a, days=3)


def _visit_row(session: Session, visit: str) -> m.Visit:
    row = session.scalar(select(m.Visit).where(m.Visit.external_id == visit))
    assert row is not None
    return row


def _distinct(assignments: list[Any], problem_visits: dict[str, Any], citizen: str) -> set[str]:
    return {c for a in assignments if problem_visits[a.visit].citizen == citizen for c in a.carers}


def test_a_planned_visit_is_offered_to_known_carers_first_and_the_first_applies_in_one_move(
        client: TestClient, headers: Headers, planned: Planned, db_session: Session) -> None:
    problem = planned.problem
    visits = {v.id: v for v in problem.visits}
    a = next(a for a in problem.current if visits[a.visit].carers == 1)
    citizen = visits[a.visit].citizen
    before = _distinct(problem.current, visits, citizen)
    row = _visit_row(db_session, a.visit)

    r = client.get(f"/api/visits/{row.id}/candidates", headers=headers["member"])
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["plan_id"] == planned.plan.id and body["assigned"] == list(a.carers)
    offered = body["candidates"]
    assert offered, "someone else on the team can take a visit of a 3-day plan"
    first = offered[0]
    # A known carer, when any could come, ranks before every new face.
    assert not first["new_faces"] or all(c["new_faces"] for c in offered)
    assert all(c["distinct_carers_month"] <= c["cap"] for c in offered)
    assert all(c["other_visits_moved"] == [] for c in offered)
    assert first["carer_names"] and first["carers"] != list(a.carers)

    r = client.post(f"/api/plans/{planned.plan.id}/moves", headers=headers["member"],
                    json={"visit": a.visit, "carers": first["carers"], "start": first["start"]})
    assert r.status_code == 200, r.text
    version = db_session.get(m.PlanVersion, planned.version.id)
    assert version is not None
    moved = next(x for x in version.assignments if x.visit.external_id == a.visit)
    assert sorted(c.external_id for c in moved.carers) == sorted(first["carers"])
    after = {c.external_id for x in version.assignments if x.visit.citizen.external_id == citizen
             for c in x.carers}
    assert len(after) <= len(before) + len(first["new_faces"])


def test_the_answer_is_logged_as_a_read_of_the_citizen(client: TestClient, headers: Headers,
                                                      planned: Planned, db_session: Session) -> None:
    row = _visit_row(db_session, planned.problem.visits[0].id)
    count = (select(func.count()).select_from(AccessLogEntry)
             .where(AccessLogEntry.citizen_id == row.citizen_id))
    n = db_session.scalar(count)
    assert client.get(f"/api/visits/{row.id}/candidates", headers=headers["coordinator"]).status_code == 200
    assert db_session.scalar(count) == (n or 0) + 1


def test_another_teams_visit_is_not_found_and_an_auditor_is_refused(client: TestClient, headers: Headers,
                                                                    planned: Planned,
                                                                    db_session: Session) -> None:
    row = _visit_row(db_session, planned.problem.visits[0].id)
    assert client.get(f"/api/visits/{row.id}/candidates", headers=headers["member_b"]).status_code == 404
    assert client.get(f"/api/visits/{row.id}/candidates", headers=headers["auditor"]).status_code == 403


def test_a_visit_no_accepted_plan_covers_answers_409_in_words(client: TestClient, headers: Headers,
                                                             planned: Planned, db_session: Session) -> None:
    version = db_session.get(m.PlanVersion, planned.version.id)
    assert version is not None
    version.status = m.PLAN_SUPERSEDED
    db_session.flush()
    row = _visit_row(db_session, planned.problem.visits[0].id)
    r = client.get(f"/api/visits/{row.id}/candidates", headers=headers["coordinator"])
    assert r.status_code == 409 and "no accepted plan covers" in r.text


def test_an_extra_visit_not_saved_yet_gets_its_carers_and_nothing_is_stored(
        client: TestClient, headers: Headers, planned: Planned, db_session: Session) -> None:
    """A relative asks for an extra visit on day 1 at lunch: who could come, before anything is saved."""
    citizen = planned.problem.citizens[0].id
    extra = {"id": f"{citizen}-extra-1", "citizen": citizen, "need": "extra", "day": 1, "earliest": 660,
             "latest": 840, "duration": 30}
    visits_before = db_session.scalar(select(func.count()).select_from(m.Visit))
    r = client.post(f"/api/plans/{planned.plan.id}/candidates", headers=headers["coordinator"],
                    json={"visit": extra})
    assert r.status_code == 200, r.text
    offered = r.json()["candidates"]
    assert offered and all(660 <= c["start"] <= 840 for c in offered)
    assert all(c["distinct_carers_month"] <= c["cap"] for c in offered)
    assert db_session.scalar(select(func.count()).select_from(m.Visit)) == visits_before


@pytest.mark.parametrize(("change", "path"), [
    ({"day": 9}, "visit.day"),  # the plan holds days 0-2
    ({"citizen": "nobody"}, "visit.citizen"),
    ({"latest": 600}, "body.visit"),  # the window ends before it starts
])
def test_an_extra_visit_the_plan_cannot_hold_is_refused_naming_the_field(
        client: TestClient, headers: Headers, planned: Planned, change: dict[str, Any], path: str) -> None:
    extra = {"id": "extra-1", "citizen": planned.problem.citizens[0].id, "need": "extra", "day": 1,
             "earliest": 660, "latest": 840, "duration": 30, **change}
    r = client.post(f"/api/plans/{planned.plan.id}/candidates", headers=headers["coordinator"],
                    json={"visit": extra})
    assert r.status_code == 422, r.text
    where = [str(e.get("path") or ".".join(map(str, e["loc"]))) for e in r.json()["detail"]]
    assert any(w.startswith(path) for w in where), r.json()
