"""Needs become visits; a change from a date on leaves history alone; the solver gets the right view."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.mapping import accept_plan_version, build_problem, store_plan_version
from models.core import PLAN_ACCEPTED, PLAN_SUPERSEDED, Carer, PlanVersion, Team, Visit
from solver.types import Assignment, Plan, Unplaced
from tests.conftest import Make

MON = dt.date(2026, 11, 30)  # a Monday


def _visits(session, citizen):
    return list(session.scalars(select(Visit).where(Visit.citizen_id == citizen.id).order_by(Visit.date)))


def test_a_week_of_needs_becomes_visits_once_however_often_it_is_generated(
    client, headers, make, team_a, db_session
):
    citizen = make.citizen(team_a)
    make.need(citizen, kind="morning", weekdays=[0, 1, 2, 3, 4, 5, 6], valid_from=MON)
    make.need(
        citizen, kind="shower", weekdays=[2], earliest=600, latest=720, duration=45, carers=2, valid_from=MON
    )
    body = {"start": str(MON), "end": str(MON + dt.timedelta(days=6)), "today": str(MON)}
    first = client.post("/api/visits/generate", json=body, headers=headers["coordinator"])
    assert first.status_code == 200, first.text
    assert first.json() == {"created": 8, "updated": 0, "cancelled": 0, "unchanged": 0}
    second = client.post("/api/visits/generate", json=body, headers=headers["coordinator"]).json()
    assert second == {"created": 0, "updated": 0, "cancelled": 0, "unchanged": 8}
    shower = [v for v in _visits(db_session, citizen) if v.kind == "shower"]
    assert len(shower) == 1 and shower[0].date.weekday() == 2 and shower[0].carers == 2


def test_a_need_changed_from_a_date_on_keeps_the_past_and_moves_the_future(
    client, headers, make, team_a, db_session
):
    citizen = make.citizen(team_a)
    need = make.need(
        citizen,
        kind="lunch",
        weekdays=[0, 1, 2, 3, 4, 5, 6],
        earliest=660,
        latest=720,
        duration=30,
        valid_from=MON,
    )
    gen = {"start": str(MON), "end": str(MON + dt.timedelta(days=6)), "today": str(MON)}
    client.post("/api/visits/generate", json=gen, headers=headers["coordinator"])
    change = client.post(
        f"/api/needs/{need.id}/change",
        json={
            "from_date": str(MON + dt.timedelta(days=3)),
            "earliest": 690,
            "latest": 750,
            "weekdays": [0, 1, 2, 3, 4],
        },
        headers=headers["coordinator"],
    )
    assert change.status_code == 201, change.text
    assert change.json()["replaces_id"] == need.id
    old = client.get(f"/api/needs/{need.id}", headers=headers["coordinator"]).json()
    assert old["valid_to"] == str(MON + dt.timedelta(days=2)) and old["earliest"] == 660
    # The change regenerated the visits from Thursday on; generating again changes nothing
    r = client.post(
        "/api/visits/generate",
        json={**gen, "today": str(MON + dt.timedelta(days=2))},
        headers=headers["coordinator"],
    ).json()
    assert r == {"created": 0, "updated": 0, "cancelled": 0, "unchanged": 5}
    visits = {v.date.weekday(): v for v in _visits(db_session, citizen)}
    assert visits[0].earliest == 660 and visits[3].earliest == 690 and visits[4].latest == 750
    assert visits[5].status == "cancelled" and visits[6].status == "cancelled"
    assert len(_visits(db_session, citizen)) == 7


def test_a_pinned_visit_does_not_follow_a_changed_need(make, team_a, db_session):
    from app.services.visits import generate_visits

    citizen = make.citizen(team_a)
    carer = make.carer(team_a)
    need = make.need(citizen, weekdays=[0, 1, 2, 3, 4, 5, 6], valid_from=MON)
    generate_visits(db_session, start=MON, end=MON + dt.timedelta(days=1), team_ids=[team_a.id], today=MON)
    first = _visits(db_session, citizen)[0]
    store_plan_version(
        db_session,
        team_ids=[team_a.id],
        start=MON,
        end=MON + dt.timedelta(days=1),
        plan=Plan([Assignment(first.external_id, (carer.external_id,), 430)], []),
        created_by=None,
        pinned={first.external_id},
    )
    need.earliest, need.latest = 480, 540
    r = generate_visits(
        db_session, start=MON, end=MON + dt.timedelta(days=1), team_ids=[team_a.id], today=MON
    )
    assert (r.updated, r.unchanged) == (1, 1)
    db_session.refresh(first)
    assert first.earliest == 420


def test_the_solver_sees_days_shifts_pins_and_who_the_citizen_met_earlier_in_the_month(
    make, team_a, db_session
):
    c1 = make.carer(team_a, skills=["medication"])
    c2 = make.carer(team_a)
    citizen = make.citizen(team_a, contact_carer_id=c1.id)
    citizen.avoid_carers = [c2]
    early = make.visit(citizen, date=dt.date(2026, 12, 2))
    later = make.visit(citizen, date=dt.date(2026, 12, 10), skills=["medication"])
    make.shift(c1, dt.date(2026, 12, 10), 420, 690)
    make.shift(c1, dt.date(2026, 12, 10), 960, 1200)
    make.shift(c1, dt.date(2026, 12, 20), 420, 690)  # outside the range
    v1 = store_plan_version(
        db_session,
        team_ids=[team_a.id],
        start=dt.date(2026, 12, 1),
        end=dt.date(2026, 12, 7),
        created_by=None,
        plan=Plan([Assignment(early.external_id, (c1.external_id,), 430)], []),
    )
    accept_plan_version(db_session, version=v1, user=None)
    v2 = store_plan_version(
        db_session,
        team_ids=[team_a.id],
        start=dt.date(2026, 12, 8),
        end=dt.date(2026, 12, 14),
        created_by=None,
        pinned={later.external_id},
        plan=Plan([Assignment(later.external_id, (c1.external_id,), 440)], []),
    )
    accept_plan_version(db_session, version=v2, user=None)

    problem = build_problem(
        db_session, team_ids=[team_a.id], start=dt.date(2026, 12, 8), end=dt.date(2026, 12, 14)
    )
    assert problem.days == 7 and problem.max_carers_per_month == 12
    assert [v.id for v in problem.visits] == [later.external_id] and problem.visits[0].day == 2
    carer = next(c for c in problem.carers if c.id == c1.external_id)
    assert [(s.day, s.start, s.end) for s in carer.shifts] == [(2, 420, 690), (2, 960, 1200)]
    p = problem.citizens[0]
    assert p.contact == c1.external_id and p.avoid == frozenset({c2.external_id})
    assert problem.met_before == {(citizen.external_id, (2026, 12)): frozenset({c1.external_id})}
    assert [a.visit for a in problem.pinned] == [later.external_id]
    assert [(a.visit, a.start) for a in problem.current] == [(later.external_id, 440)]


def test_accepting_a_new_version_supersedes_the_old_one(make, team_a, db_session):
    citizen = make.citizen(team_a)
    carer = make.carer(team_a)
    visit = make.visit(citizen)
    args = {"team_ids": [team_a.id], "start": visit.date, "end": visit.date, "created_by": None}
    v1 = store_plan_version(
        db_session, plan=Plan([Assignment(visit.external_id, (carer.external_id,), 430)], []), **args
    )
    v2 = store_plan_version(
        db_session,
        plan=Plan([], [Unplaced(visit.external_id, "no carer free")]),
        inputs={"seed": 1, "day": dt.date(2026, 12, 1)},
        **args,
    )
    assert (v1.plan_id, v1.number, v2.number) == (v2.plan_id, 1, 2)
    assert v2.inputs == {"seed": 1, "day": "2026-12-01"}
    accept_plan_version(db_session, version=v1, user=None)
    accept_plan_version(db_session, version=v2, user=None)
    assert (v1.status, v2.status) == (PLAN_SUPERSEDED, PLAN_ACCEPTED)


def _planned_visit(make: Make, session: Session, team: Team, *,
                   accept: bool = True) -> tuple[Visit, Carer, Carer, PlanVersion]:
    """A morning visit (07:00-08:30) given to the first of two carers who both work 07:00-15:30."""
    citizen = make.citizen(team)
    c1, c2 = make.carer(team), make.carer(team)
    visit = make.visit(citizen, earliest=420, latest=510)
    for c in (c1, c2):
        make.shift(c, visit.date)
    version = store_plan_version(
        session,
        team_ids=[team.id],
        start=visit.date,
        end=visit.date,
        created_by=None,
        plan=Plan([Assignment(visit.external_id, (c1.external_id,), 430)], []),
    )
    if accept:
        accept_plan_version(session, version=version, user=None)
    return visit, c1, c2, version


def test_a_team_member_pins_and_moves_an_assignment_of_their_team(client, headers, make, team_a, db_session):
    _visit, _c1, c2, version = _planned_visit(make, db_session, team_a)
    listed = client.get(f"/api/plan-versions/{version.id}/assignments", headers=headers["member"]).json()
    aid = listed["items"][0]["id"]
    moved = client.patch(
        f"/api/assignments/{aid}",
        json={"start": 480, "carer_ids": [c2.id], "pinned": True},
        headers=headers["member"],
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["carer_ids"] == [c2.id] and moved.json()["pinned"] is True
    outside = client.patch(f"/api/assignments/{aid}", json={"start": 600, "pinned": False},
                           headers=headers["member"])
    assert outside.status_code == 422 and outside.json()["detail"][0]["path"] == "start"
    assert client.get(f"/api/assignments/{aid}", headers=headers["member"]).json()["pinned"] is True
    assert (
        client.patch(
            f"/api/assignments/{aid}", json={"pinned": False}, headers=headers["member_b"]
        ).status_code
        == 404
    )
    assert (
        client.patch(
            f"/api/assignments/{aid}", json={"pinned": False}, headers=headers["auditor"]
        ).status_code
        == 403
    )


def test_a_move_by_patch_keeps_the_hand_move_rules_and_the_plans_revision(
    client: TestClient, headers: dict[str, dict[str, str]], make: Make, team_a: Team, db_session: Session
) -> None:
    visit, c1, c2, version = _planned_visit(make, db_session, team_a)
    late = make.carer(team_a)
    make.shift(late, visit.date, 600, 900)
    aid = version.assignments[0].id
    url, member = f"/api/assignments/{aid}", headers["member"]
    head = f"/api/plans/{version.plan_id}/head"
    revision = client.get(head, headers=member).json()["revision"]
    # a carer whose shift starts later: the check says so, and so does the change
    body = {"visit": visit.external_id, "carers": [late.external_id], "start": 430}
    check = client.post(f"/api/plans/{version.plan_id}/moves/check", json=body, headers=member).json()
    assert check["rules"] == ["shift"]
    refused = client.patch(url, json={"carer_ids": [late.id], "start": 430}, headers=member)
    assert refused.status_code == 422
    assert [(e["rule"], e["path"]) for e in refused.json()["detail"]] == [("shift", "carer_ids")]
    # nor can a carer who has left take it
    left = client.post(f"/api/carers/{c2.id}/end", json={"from_date": str(visit.date)},
                       headers=headers["coordinator"])
    assert left.status_code == 200, left.text
    refused = client.patch(url, json={"carer_ids": [c2.id]}, headers=member)
    assert refused.status_code == 422 and refused.json()["detail"][0]["path"] == "carer_ids"
    kept = client.get(url, headers=member).json()
    assert (kept["carer_ids"], kept["start"], kept["pinned"]) == ([c1.id], 430, False)
    assert client.get(head, headers=member).json()["revision"] == revision
    # a move within the rules is a hand move: pinned, logged, and the head goes up
    moved = client.patch(url, json={"start": 460}, headers=member)
    assert moved.status_code == 200, moved.text
    assert (moved.json()["start"], moved.json()["pinned"]) == (460, True)
    assert client.get(head, headers=member).json()["revision"] == revision + 1
    unpinned = client.patch(url, json={"pinned": False}, headers=member)
    assert unpinned.status_code == 200 and unpinned.json()["pinned"] is False
    assert client.get(head, headers=member).json()["revision"] == revision + 2
    log = client.get(f"/api/plans/{version.plan_id}/adjustments", headers=member).json()
    assert [(x["kind"], x["change"].get("before")) for x in log] == [
        ("hand_move", {"carers": [c1.external_id], "start": 430}), ("unpin", None)]


def test_an_assignment_of_a_draft_is_not_changed_by_hand(
    client: TestClient, headers: dict[str, dict[str, str]], make: Make, team_a: Team, db_session: Session
) -> None:
    _visit, _c1, c2, version = _planned_visit(make, db_session, team_a, accept=False)
    aid = version.assignments[0].id
    r = client.patch(f"/api/assignments/{aid}", json={"carer_ids": [c2.id]}, headers=headers["member"])
    assert r.status_code == 409
    assert client.get(f"/api/assignments/{aid}", headers=headers["member"]).json()["carer_ids"] != [c2.id]
