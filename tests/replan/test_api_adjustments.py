"""The team's day through the API: record adjustments, re-plan, read the diff, apply or discard, pin, move.

Runs on SQLite and PostgreSQL (the `backend` fixture)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import core as m
from models.adjustments import Adjustment
from tests.replan.db_helpers import START, Planned, busiest_carer, planned_team

Headers = dict[str, dict[str, str]]


@pytest.fixture
def planned(db_session: Session, users: dict[str, m.User], team_a: m.Team) -> Planned:
    return planned_team(db_session, users["coordinator"], team=team_a, days=3)


def _post(client: TestClient, url: str, headers: dict[str, str], body: Any = None) -> Any:
    return client.post(url, json=body, headers=headers)


def _versions(session: Session, plan_id: int) -> list[m.PlanVersion]:
    return list(session.scalars(select(m.PlanVersion).where(m.PlanVersion.plan_id == plan_id)
                                .order_by(m.PlanVersion.number)))


def test_a_sick_call_is_recorded_replanned_and_applied_as_one_new_version(
        client: TestClient, headers: Headers, planned: Planned, db_session: Session) -> None:
    pid = planned.plan.id
    sick = busiest_carer(planned.problem, day=1)
    r = _post(client, f"/api/plans/{pid}/adjustments", headers["coordinator"], {"changes": [
        {"type": "carer_absent", "carer": sick, "from_day": 1, "to_day": 1,
         "reason": "called in sick 06:40"}]})
    assert r.status_code == 201, r.text
    logged = r.json()[0]
    assert logged["status"] == "pending" and logged["reason"] == "called in sick 06:40"
    assert logged["date_from"] == logged["date_to"] == str(START.replace(day=2))

    r = _post(client, f"/api/plans/{pid}/replans", headers["coordinator"],
              {"from_day": 1, "to_day": 1, "time_limit": 1})
    assert r.status_code == 201, r.text
    preview = r.json()
    summary = preview["diff"]["summary"]
    assert summary["forced"] > 0 and summary["moved_outside_days"] == 0
    assert preview["adjustment_ids"] == [logged["id"]]
    assert len(_versions(db_session, pid)) == 1  # a preview changes nothing

    r = _post(client, f"/api/plans/{pid}/replans/{preview['id']}/apply", headers["coordinator"],
              {"base_version_id": planned.version.id})
    assert r.status_code == 200, r.text
    assert r.json()["number"] == planned.version.number + 1 and r.json()["status"] == "accepted"
    versions = _versions(db_session, pid)
    assert [v.status for v in versions] == ["superseded", "accepted"]
    new = versions[-1]
    day1 = START.replace(day=2)
    assert not [a for a in new.assignments
                if a.visit.date == day1 and sick in {c.external_id for c in a.carers}]
    carer = db_session.scalar(select(m.Carer).where(m.Carer.external_id == sick))
    assert carer is not None and day1 not in {s.date for s in carer.shifts}  # the rows follow now
    log = client.get(f"/api/plans/{pid}/adjustments", headers=headers["coordinator"]).json()
    assert log[0]["status"] == "applied" and log[0]["version_id"] == new.id
    assert log[0]["created_by_id"] is not None and log[0]["created_at"]


def test_a_change_naming_an_unknown_carer_is_refused_naming_it_and_nothing_is_recorded(
        client: TestClient, headers: Headers, planned: Planned, db_session: Session) -> None:
    pid = planned.plan.id
    known = planned.problem.carers[0].id
    r = _post(client, f"/api/plans/{pid}/adjustments", headers["coordinator"], {"changes": [
        {"type": "carer_absent", "carer": known, "from_day": 0, "to_day": 0},
        {"type": "carer_absent", "carer": "T1-c99", "from_day": 0, "to_day": 0}]})
    assert r.status_code == 422
    assert {"loc": ["changes", 1, "carer"], "path": "changes[1].carer", "msg": "unknown carer 'T1-c99'",
            "type": "format"} in r.json()["detail"]
    assert db_session.scalar(select(func.count()).select_from(Adjustment)
                             .where(Adjustment.plan_id == pid)) == 0


@pytest.mark.parametrize(("change", "path", "msg"), [
    ({"type": "citizen_away", "citizen": "P", "from_day": 1, "to_day": 9}, "changes[0].to_day",
     "day 9 is outside the plan (days 0-2)"),
    ({"type": "visit_cancel", "visit": "nope"}, "changes[0].visit", "unknown visit 'nope'"),
    ({"type": "carer_add", "carer": {"id": "sub-1", "team": "TB"}}, "changes[0].carer.team",
     "team 'TB' is not one of your teams"),
    ({"type": "carer_sick", "carer": "x"}, "changes[0]", "unknown change type 'carer_sick'"),
])
def test_bad_changes_answer_422_with_the_change_named(client: TestClient, headers: Headers, planned: Planned,
                                                      change: dict[str, Any], path: str, msg: str) -> None:
    if change.get("citizen") == "P":
        change = {**change, "citizen": planned.problem.citizens[0].id}
    r = _post(client, f"/api/plans/{planned.plan.id}/adjustments", headers["coordinator"],
              {"changes": [change]})
    assert r.status_code == 422
    assert any(e["path"] == path and msg in e["msg"] for e in r.json()["detail"]), r.json()


def test_a_discarded_replan_leaves_the_plan_as_it_was(client: TestClient, headers: Headers, planned: Planned,
                                                      db_session: Session) -> None:
    pid = planned.plan.id
    visit = planned.problem.visits[0]
    _post(client, f"/api/plans/{pid}/adjustments", headers["coordinator"], {"changes": [
        {"type": "visit_duration", "visit": visit.id, "duration": visit.duration + 20}]})
    preview = _post(client, f"/api/plans/{pid}/replans", headers["coordinator"],
                    {"from_day": 0, "to_day": 0, "time_limit": 1}).json()
    r = _post(client, f"/api/plans/{pid}/replans/{preview['id']}/discard", headers["coordinator"])
    assert r.status_code == 200 and r.json()["status"] == "discarded"
    assert len(_versions(db_session, pid)) == 1
    row = db_session.scalar(select(m.Visit).where(m.Visit.external_id == visit.id))
    assert row is not None and row.duration == visit.duration
    r = _post(client, f"/api/plans/{pid}/replans/{preview['id']}/apply", headers["coordinator"])
    assert r.status_code == 409


def test_two_coordinators_apply_against_the_same_version_and_the_second_gets_409(
        client: TestClient, headers: Headers, planned: Planned, db_session: Session) -> None:
    pid = planned.plan.id
    first = _post(client, f"/api/plans/{pid}/replans", headers["coordinator"],
                  {"from_day": 0, "to_day": 0, "time_limit": 0.5}).json()
    second = _post(client, f"/api/plans/{pid}/replans", headers["admin"],
                   {"from_day": 1, "to_day": 1, "time_limit": 0.5}).json()
    r = _post(client, f"/api/plans/{pid}/replans/{first['id']}/apply", headers["coordinator"])
    assert r.status_code == 200
    r = _post(client, f"/api/plans/{pid}/replans/{second['id']}/apply", headers["admin"])
    assert r.status_code == 409 and "changed" in r.text
    assert [v.status for v in _versions(db_session, pid)] == ["superseded", "accepted"]


def test_a_hand_move_that_breaks_the_cap_is_refused_with_the_rule_named(
        client: TestClient, headers: Headers, planned: Planned, db_session: Session, make: Any) -> None:
    pid = planned.plan.id
    team = db_session.get_one(m.Team, planned.team.id)
    citizen_of = {v.id: v.citizen for v in planned.problem.visits}
    day_of = {v.id: v.day for v in planned.problem.visits}
    met: dict[str, set[str]] = {}
    visits_with: dict[tuple[str, str], int] = {}
    for a in planned.problem.current:
        met.setdefault(citizen_of[a.visit], set()).update(a.carers)
        for c in a.carers:
            visits_with[(citizen_of[a.visit], c)] = visits_with.get((citizen_of[a.visit], c), 0) + 1
    # a one-carer visit whose carer also comes on other visits: moving it adds a face, removes none
    a = next(a for a in planned.problem.current
             if len(a.carers) == 1 and visits_with[(citizen_of[a.visit], a.carers[0])] > 1)
    # The cap is the number of carers this citizen already meets: one more face breaks it.
    team.max_carers_per_month = len(met[citizen_of[a.visit]])
    db_session.flush()
    # A free carer with every skill and the whole day: nothing but the cap stands in the way.
    free = make.carer(team, skills=sorted({s for c in planned.problem.carers for s in c.skills}))
    make.shift(free, START + dt.timedelta(days=day_of[a.visit]), 0, 1440)
    body = {"visit": a.visit, "carers": [free.external_id], "start": a.start}
    r = _post(client, f"/api/plans/{pid}/moves", headers["coordinator"], body)
    assert r.status_code == 422
    assert {e["rule"] for e in r.json()["detail"]} == {"monthly_cap"}
    check = _post(client, f"/api/plans/{pid}/moves/check", headers["coordinator"], body).json()
    assert check["ok"] is False and check["rules"] == ["monthly_cap"]
    # with room under the cap the same move is made, pinned and logged
    team.max_carers_per_month = 12
    db_session.flush()
    r = _post(client, f"/api/plans/{pid}/moves", headers["coordinator"], {**body, "reason": "Eva asked"})
    assert r.status_code == 200, r.text
    assert r.json()["kind"] == "hand_move" and r.json()["change"]["before"]["carers"] == list(a.carers)
    moved = client.get(f"/api/plans/{pid}/head", headers=headers["coordinator"]).json()
    assert moved["revision"] >= 2


def test_a_pinned_assignment_stays_through_a_replan_and_a_hand_move_is_logged(
        client: TestClient, headers: Headers, planned: Planned, db_session: Session) -> None:
    pid = planned.plan.id
    day_of = {v.id: v.day for v in planned.problem.visits}
    a = next(a for a in planned.problem.current if day_of[a.visit] == 0)
    r = _post(client, f"/api/plans/{pid}/pins", headers["member"],
              {"visit": a.visit, "reason": "Anna knows him"})
    assert r.status_code == 200 and r.json()["kind"] == "pin"
    preview = _post(client, f"/api/plans/{pid}/replans", headers["coordinator"],
                    {"from_day": 0, "to_day": 0, "time_limit": 0.5}).json()
    full = client.get(f"/api/plans/{pid}/replans/{preview['id']}?plan=true",
                      headers=headers["coordinator"]).json()
    kept = next(x for x in full["plan"]["visits"] if x["id"] == a.visit)
    assert (sorted(kept["carers"]), kept["start"]) == (sorted(a.carers), a.start)
    # moving the pinned one by hand is refused until unpinned
    r = _post(client, f"/api/plans/{pid}/moves", headers["coordinator"],
              {"visit": a.visit, "carers": list(a.carers), "start": a.start})
    assert r.status_code == 422 and r.json()["detail"][0]["rule"] == "pinned"
    # applied, the new version keeps the pin
    r = _post(client, f"/api/plans/{pid}/replans/{preview['id']}/apply", headers["coordinator"])
    assert r.status_code == 200
    new = db_session.get_one(m.PlanVersion, r.json()["id"])
    assert [x.pinned for x in new.assignments if x.visit.external_id == a.visit] == [True]
    # an unpin made after a preview makes that preview stale: applying it would undo the unpin's intent
    later = _post(client, f"/api/plans/{pid}/replans", headers["coordinator"],
                  {"from_day": 0, "to_day": 0, "time_limit": 0.5}).json()
    assert _post(client, f"/api/plans/{pid}/pins", headers["member"],
                 {"visit": a.visit, "pinned": False}).status_code == 200
    r = _post(client, f"/api/plans/{pid}/replans/{later['id']}/apply", headers["coordinator"])
    assert r.status_code == 409
    log = client.get(f"/api/plans/{pid}/adjustments", headers=headers["member"]).json()
    assert [x["kind"] for x in log] == ["pin", "unpin"] and log[0]["reason"] == "Anna knows him"


def test_a_coordinator_pins_on_a_fresh_plan_with_the_revision_its_head_reports(
        client: TestClient, headers: Headers, planned: Planned) -> None:
    pid = planned.plan.id
    visits = [a.visit for a in planned.problem.current[:2]]
    head = client.get(f"/api/plans/{pid}/head", headers=headers["coordinator"]).json()
    r = _post(client, f"/api/plans/{pid}/pins", headers["coordinator"],
              {"visit": visits[0], "base_revision": head["revision"]})
    assert r.status_code == 200, r.text
    after = client.get(f"/api/plans/{pid}/head", headers=headers["coordinator"]).json()
    assert after["revision"] == head["revision"] + 1
    # a write made from the first read, after the pin, is stale
    r = _post(client, f"/api/plans/{pid}/pins", headers["coordinator"],
              {"visit": visits[1], "base_revision": head["revision"]})
    assert r.status_code == 409 and f"now {after['revision']}" in r.json()["detail"]
    assert _post(client, f"/api/plans/{pid}/pins", headers["coordinator"],
                 {"visit": visits[1], "base_revision": after["revision"]}).status_code == 200


def test_a_member_cannot_replan_and_another_teams_plan_is_not_found(
        client: TestClient, headers: Headers, planned: Planned) -> None:
    pid = planned.plan.id
    assert _post(client, f"/api/plans/{pid}/replans", headers["member"],
                 {"from_day": 0, "to_day": 0}).status_code == 403
    assert client.get(f"/api/plans/{pid}/adjustments", headers=headers["member_b"]).status_code == 404
    assert client.get(f"/api/plans/{pid}/adjustments", headers=headers["auditor"]).status_code == 403


def test_a_need_changed_from_a_day_on_becomes_one_logged_change_per_visit(
        client: TestClient, headers: Headers, planned: Planned) -> None:
    pid = planned.plan.id
    v = planned.problem.visits[0]
    later = [w for w in planned.problem.visits if w.citizen == v.citizen and w.need == v.need and w.day >= 1]
    r = _post(client, f"/api/plans/{pid}/adjustments", headers["coordinator"], {"changes": [
        {"type": "need_change", "citizen": v.citizen, "need": v.need, "from_day": 1,
         "duration": v.duration + 15, "reason": "needs help to shower now"}]})
    assert r.status_code == 201, r.text
    logged = r.json()
    assert sorted(x["change"]["visit"] for x in logged) == sorted(w.id for w in later)
    assert {x["kind"] for x in logged} == {"visit_duration"}
    assert {x["reason"] for x in logged} == {"needs help to shower now"}
    pending = client.get(f"/api/plans/{pid}/adjustments/pending.json", headers=headers["coordinator"]).json()
    assert pending["format"] == "homecare-changes/1" and len(pending["changes"]) == len(later)


def test_a_replan_takes_the_pending_changes_of_its_days_and_refuses_one_reaching_past_them(
        client: TestClient, headers: Headers, planned: Planned) -> None:
    pid = planned.plan.id
    carers = [c.id for c in planned.problem.carers]
    day2 = next(v for v in planned.problem.visits if v.day == 2)
    logged = _post(client, f"/api/plans/{pid}/adjustments", headers["coordinator"], {"changes": [
        {"type": "visit_cancel", "visit": day2.id},  # day 2: waits for a re-plan of day 2
        {"type": "carer_absent", "carer": carers[0], "from_day": 0, "to_day": 1},  # days 0-1
    ]}).json()
    r = _post(client, f"/api/plans/{pid}/replans", headers["coordinator"], {"from_day": 0, "to_day": 0})
    assert r.status_code == 422
    assert f"adjustment {logged[1]['id']}" in r.text and "widen" in r.text
    r = _post(client, f"/api/plans/{pid}/replans", headers["coordinator"],
              {"from_day": 0, "to_day": 1, "time_limit": 0.5})
    assert r.status_code == 201 and r.json()["adjustment_ids"] == [logged[1]["id"]]
    r = _post(client, f"/api/plans/{pid}/replans", headers["coordinator"], {"from_day": 0, "to_day": 7})
    assert r.status_code == 422 and "outside the plan" in r.text
    # a withdrawn change is logged as such and no longer waits
    r = _post(client, f"/api/plans/{pid}/adjustments/{logged[0]['id']}/withdraw", headers["coordinator"])
    assert r.status_code == 200 and r.json()["status"] == "withdrawn"
    assert _post(client, f"/api/plans/{pid}/adjustments/{logged[0]['id']}/withdraw",
                 headers["coordinator"]).status_code == 409
