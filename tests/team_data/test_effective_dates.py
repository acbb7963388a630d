"""A coordinator changes the team's data from a date: what came before stays, the visits from the date
follow, and the accepted plan's assignments that no longer fit are listed as needing a re-plan."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from models import core as m
from models.performed import PerformedVisit
from tests.team_data.conftest import MON, day


def _replan_needs(client, week, headers):
    r = client.get(f"/api/plans/{week.plan.id}/replan-needs", headers=headers)
    assert r.status_code == 200, r.text
    return r.json()


def test_a_need_changed_from_thursday_moves_thursday_on_and_lists_those_assignments_for_a_replan(
        client, headers, week, db_session):
    coordinator = headers["coordinator"]
    r = client.post(f"/api/needs/{week.need.id}/change", headers=coordinator, json={
        "from_date": str(day(3)), "earliest": 600, "latest": 660, "version": week.need.version})
    assert r.status_code == 201, r.text

    visits = week.visits(db_session)
    assert [visits[day(i)].earliest for i in range(7)] == [420, 420, 420, 600, 600, 600, 600]
    listed = _replan_needs(client, week, coordinator)
    assert sorted(n["date"] for n in listed) == [str(day(i)) for i in range(3, 7)]
    assert all("morning changed from" in n["reason"] and n["change_entity"] == "need" for n in listed)
    # the assignments are still in the plan in force, not deleted
    assert db_session.scalar(select(m.Assignment).where(
        m.Assignment.visit_id == visits[day(3)].id, m.Assignment.plan_version_id == week.version.id))

    changes = client.get(f"/api/citizens/{week.citizen.id}/changes", headers=headers["member"]).json()
    assert changes[0]["action"] == "changed" and changes[0]["created_by"] == "coord-a"
    assert changes[0]["before"] == {"earliest": 420, "latest": 510}
    assert changes[0]["after"] == {"earliest": 600, "latest": 660}
    assert changes[0]["effective_from"] == str(day(3))


def test_regenerating_again_changes_nothing_and_adds_no_second_listing(client, headers, week, db_session):
    coordinator = headers["coordinator"]
    client.post(f"/api/needs/{week.need.id}/change", headers=coordinator,
                json={"from_date": str(day(3)), "duration": 60})
    before = {d: (v.id, v.duration, v.status) for d, v in week.visits(db_session).items()}
    r = client.post("/api/visits/generate", headers=coordinator,
                    json={"start": str(MON), "end": str(day(6)), "today": str(MON)})
    assert r.json()["created"] == r.json()["updated"] == r.json()["cancelled"] == 0
    assert {d: (v.id, v.duration, v.status) for d, v in week.visits(db_session).items()} == before
    assert len(_replan_needs(client, week, coordinator)) == 4


def test_pinned_and_performed_visits_do_not_follow_a_changed_need(client, headers, week, db_session):
    visits = week.visits(db_session)
    friday = db_session.scalar(select(m.Assignment).where(m.Assignment.visit_id == visits[day(4)].id))
    friday.pinned = True
    db_session.add(PerformedVisit(citizen_id=week.citizen.id, carer_id=week.anna.id,
                                  start=dt.datetime.combine(day(5), dt.time(7)),
                                  end=dt.datetime.combine(day(5), dt.time(7, 45)),
                                  visit_id=visits[day(5)].id))
    db_session.flush()
    r = client.post(f"/api/needs/{week.need.id}/change", headers=headers["coordinator"],
                    json={"from_date": str(day(3)), "earliest": 600, "latest": 660})
    assert r.status_code == 201, r.text
    visits = week.visits(db_session)
    assert [visits[day(i)].earliest for i in range(3, 7)] == [600, 420, 420, 600]


def test_a_need_dropping_the_weekend_cancels_those_visits_and_lists_them(client, headers, week, db_session):
    r = client.post(f"/api/needs/{week.need.id}/change", headers=headers["coordinator"],
                    json={"from_date": str(day(2)), "weekdays": [0, 1, 2, 3, 4]})
    assert r.status_code == 201, r.text
    visits = week.visits(db_session)
    assert visits[day(5)].status == visits[day(6)].status == "cancelled"
    assert visits[day(2)].status == "planned"
    listed = _replan_needs(client, week, headers["coordinator"])
    assert {n["date"] for n in listed} == {str(day(5)), str(day(6))}


def test_a_carer_ended_from_wednesday_loses_shifts_from_then_and_their_visits_are_listed(
        client, headers, week, db_session):
    r = client.post(f"/api/carers/{week.anna.id}/end", headers=headers["coordinator"],
                    json={"from_date": str(day(2)), "reason": "moved away", "version": week.anna.version})
    assert r.status_code == 200, r.text
    assert r.json()["active_to"] == str(day(1))
    shifts = db_session.scalars(select(m.Shift.date).where(m.Shift.carer_id == week.anna.id)).all()
    assert sorted(shifts) == [day(0), day(1)]
    listed = _replan_needs(client, week, headers["coordinator"])
    assert sorted(n["date"] for n in listed) == [str(day(i)) for i in range(2, 7)]
    assert all(n["reason"] == f"the carer ends from {day(2)}" for n in listed)
    changes = client.get(f"/api/carers/{week.anna.id}/changes", headers=headers["coordinator"]).json()
    assert changes[0]["action"] == "ended" and changes[0]["after"]["end_reason"] == "moved away"


def test_a_carer_who_has_left_gets_no_shift_after_their_last_day(client, headers, week, db_session):
    coordinator = headers["coordinator"]
    ended = client.post(f"/api/carers/{week.anna.id}/end", headers=coordinator,
                        json={"from_date": str(day(2)), "reason": "moved away"})
    assert ended.status_code == 200, ended.text

    added = client.post(f"/api/carers/{week.anna.id}/shifts", headers=coordinator,
                        json={"date": str(day(4)), "start": 420, "end": 930})
    first = db_session.scalar(select(m.Shift).where(m.Shift.carer_id == week.anna.id, m.Shift.date == day(0)))
    moved = client.patch(f"/api/shifts/{first.id}", headers=coordinator, json={"date": str(day(5))})

    for refused in (added, moved):
        assert refused.status_code == 422, refused.text
        assert refused.json()["detail"][0]["loc"][-1] == "date"
        assert "does not work here" in refused.json()["detail"][0]["msg"]
    db_session.expire_all()
    shifts = db_session.scalars(select(m.Shift.date).where(m.Shift.carer_id == week.anna.id)).all()
    assert sorted(shifts) == [day(0), day(1)]
    # Her last day still takes an evening shift.
    evening = client.post(f"/api/carers/{week.anna.id}/shifts", headers=coordinator,
                          json={"date": str(day(1)), "start": 1000, "end": 1200})
    assert evening.status_code == 201, evening.text


def test_a_citizen_who_moves_away_has_no_visits_from_that_date(client, headers, week, db_session):
    r = client.post(f"/api/citizens/{week.citizen.id}/end", headers=headers["coordinator"],
                    json={"from_date": str(day(4)), "reason": "nursing_home"})
    assert r.status_code == 200, r.text
    assert r.json()["ended_from"] == str(day(4)) and r.json()["end_reason"] == "nursing_home"
    visits = week.visits(db_session)
    assert [visits[day(i)].status for i in range(7)] == ["planned"] * 4 + ["cancelled"] * 3
    assert len(_replan_needs(client, week, headers["coordinator"])) == 3
    # a need cannot start after the care ended
    r = client.post("/api/needs", headers=headers["coordinator"], json={
        "citizen_id": week.citizen.id, "kind": "lunch", "weekdays": [0], "earliest": 690, "latest": 720,
        "duration": 30, "valid_from": str(day(7))})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "valid_from"


def test_a_replan_over_the_listed_days_plans_them_afresh_and_clears_the_list(client, headers, week):
    coordinator = headers["coordinator"]
    client.post(f"/api/carers/{week.anna.id}/end", headers=coordinator, json={"from_date": str(day(5))})
    assert len(_replan_needs(client, week, coordinator)) == 2
    preview = client.post(f"/api/plans/{week.plan.id}/replans", headers=coordinator,
                          json={"from_day": 5, "to_day": 6, "time_limit": 2})
    assert preview.status_code == 201, preview.text
    applied = client.post(f"/api/plans/{week.plan.id}/replans/{preview.json()['id']}/apply",
                          headers=coordinator)
    assert applied.status_code == 200, applied.text
    assert _replan_needs(client, week, coordinator) == []
    rows = client.get(f"/api/plan-versions/{applied.json()['id']}/assignments", headers=coordinator).json()
    weekend = [a for a in rows["items"] if a["visit_id"] in {
        v["id"] for v in client.get("/api/visits", headers=coordinator,
                                    params={"start": str(day(5)), "end": str(day(6))}).json()["items"]}]
    assert len(weekend) == 2 and all(week.anna.id not in a["carer_ids"] for a in weekend)
