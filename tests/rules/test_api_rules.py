"""A coordinator keeps the rules in the team's data through the API: who walks or cycles, a shift's lunch
break, what may wait, the insulin spaced from breakfast; a wrong one answers 422 naming the field, and
the planner's problem carries them."""

from __future__ import annotations

import datetime as dt

import pytest

from app.mapping import build_problem

DAY = dt.date(2026, 12, 7)  # a Monday


def test_a_carer_who_walks_is_kept_and_an_unknown_mode_is_named(client, headers, team_a):
    h = headers["coordinator"]
    modes = client.get("/api/municipality/travel-modes", headers=h).json()
    assert {"walk", "bike"} <= {m["name"] for m in modes}
    made = client.post("/api/carers", json={"team_id": team_a.id, "name": "Anna", "travel_mode": "walk"},
                       headers=h)
    assert made.status_code == 201, made.text
    assert made.json()["travel_mode"] == "walk"
    skates = client.patch(f"/api/carers/{made.json()['id']}", json={"travel_mode": "skates"}, headers=h)
    assert skates.status_code == 422
    assert "travel_mode" in skates.text and "skates" in skates.text
    by_car = client.patch(f"/api/carers/{made.json()['id']}", json={"travel_mode": None}, headers=h)
    assert by_car.status_code == 200 and by_car.json()["travel_mode"] is None


def test_an_admin_sets_a_modes_speed_and_a_coordinator_may_not(client, headers):
    body = {"speed_kmh": 16.0, "detour_factor": 1.25}
    assert client.put("/api/municipality/travel-modes/bike", json=body,
                      headers=headers["coordinator"]).status_code == 403
    set_ = client.put("/api/municipality/travel-modes/bike", json=body, headers=headers["admin"])
    assert set_.status_code == 200 and set_.json()["speed_kmh"] == 16.0


@pytest.mark.parametrize(("brk", "field"), [
    ({"break_earliest": 600, "break_latest": 620, "break_minutes": 200}, "break_minutes"),  # too long
    ({"break_earliest": 400, "break_latest": 460, "break_minutes": 30}, "break_earliest"),  # too early
    ({"break_earliest": 560, "break_latest": 590, "break_minutes": 30}, "break_latest"),  # ends after it
    ({"break_earliest": 500, "break_minutes": 30}, "break_latest"),  # half a window
])
def test_a_break_that_does_not_fit_its_shift_is_refused_naming_the_field(client, headers, make, team_a,
                                                                          brk, field):
    carer = make.carer(team_a)
    shift = {"date": str(DAY), "start": 420, "end": 600, **brk}
    answer = client.post(f"/api/carers/{carer.id}/shifts", json=shift, headers=headers["coordinator"])
    assert answer.status_code == 422, answer.text
    assert field in answer.text


def test_a_shift_keeps_its_lunch_break_and_the_planner_sees_it(client, headers, make, team_a, db_session):
    carer = make.carer(team_a)
    h = headers["coordinator"]
    made = client.post(f"/api/carers/{carer.id}/shifts", json={
        "date": str(DAY), "start": 420, "end": 930, "break_earliest": 660, "break_latest": 780,
        "break_minutes": 30}, headers=h)
    assert made.status_code == 201, made.text
    assert made.json()["break_minutes"] == 30
    record = client.get(f"/api/carers/{carer.id}/changes", headers=h).json()
    added = record[0] if isinstance(record, list) else record["items"][0]
    assert added["after"] == {"date": str(DAY), "start": 420, "end": 930, "break_earliest": 660,
                              "break_latest": 780, "break_minutes": 30}
    shorter = client.patch(f"/api/shifts/{made.json()['id']}", json={"end": 700}, headers=h)
    assert shorter.status_code == 422 and "break_latest" in shorter.text
    problem = build_problem(db_session, team_ids=[team_a.id], start=DAY, end=DAY)
    shift = next(c for c in problem.carers if c.id == carer.external_id).shifts[0]
    assert shift.break_window is not None
    window = shift.break_window
    assert (window.earliest, window.latest, window.duration) == (660, 780, 30)


def test_an_extra_shift_in_the_roster_carries_its_break(client, headers, make, team_a, db_session):
    carer = make.carer(team_a)
    answer = client.post(f"/api/carers/{carer.id}/roster/exceptions", json={
        "date": str(DAY), "kind": "extra", "start": 420, "end": 900, "break_earliest": 660,
        "break_latest": 720, "break_minutes": 30}, headers=headers["coordinator"])
    assert answer.status_code == 201, answer.text
    problem = build_problem(db_session, team_ids=[team_a.id], start=DAY, end=DAY)
    shift = next(c for c in problem.carers if c.id == carer.external_id).shifts[0]
    assert shift.break_window is not None and shift.break_window.duration == 30
    too_long = client.post(f"/api/carers/{carer.id}/roster/exceptions", json={
        "date": str(DAY + dt.timedelta(days=1)), "kind": "extra", "start": 420, "end": 450,
        "break_earliest": 420, "break_latest": 420, "break_minutes": 60}, headers=headers["coordinator"])
    assert too_long.status_code == 422 and "break_minutes" in too_long.text


def _need(client, h, citizen_id: int, kind: str, **kw):
    body = {"citizen_id": citizen_id, "kind": kind, "weekdays": [0, 1, 2, 3, 4, 5, 6], "earliest": 420,
            "latest": 540, "duration": 30, "valid_from": str(DAY), **kw}
    return client.post("/api/needs", json=body, headers=h)


def test_the_insulin_is_spaced_from_breakfast_and_cleaning_may_wait(client, headers, make, team_a,
                                                                    db_session):
    h = headers["coordinator"]
    citizen = make.citizen(team_a)
    breakfast = _need(client, h, citizen.id, "breakfast", priority=1)
    assert breakfast.status_code == 201, breakfast.text
    insulin = _need(client, h, citizen.id, "insulin", earliest=660, latest=780, duration=15,
                    spaced_from_id=breakfast.json()["id"], min_gap=240, max_gap=360)
    assert insulin.status_code == 201, insulin.text
    assert (insulin.json()["spaced_from_id"], insulin.json()["min_gap"]) == (breakfast.json()["id"], 240)
    cleaning = _need(client, h, citizen.id, "cleaning", weekdays=[0], duration=60, priority=3)
    assert cleaning.status_code == 201, cleaning.text
    two_days = {"start": str(DAY), "end": str(DAY + dt.timedelta(days=1)), "team_ids": [team_a.id],
                "today": str(DAY)}
    generated = client.post("/api/visits/generate", json=two_days, headers=h)
    assert generated.status_code == 200, generated.text
    problem = build_problem(db_session, team_ids=[team_a.id], start=DAY, end=DAY + dt.timedelta(days=1))
    by_kind = {(v.need, v.day): v for v in problem.visits}
    assert by_kind[("cleaning", 0)].priority == 3 and by_kind[("breakfast", 0)].priority == 1
    assert sorted((d.first, d.then, d.min_gap, d.max_gap) for d in problem.dependencies) == sorted(
        (by_kind[("breakfast", day)].id, by_kind[("insulin", day)].id, 240, 360) for day in (0, 1))
    # The insulin changed from tomorrow on (a new version of the need) stays spaced from breakfast.
    changed = client.post(f"/api/needs/{insulin.json()['id']}/change", json={
        "from_date": str(DAY + dt.timedelta(days=1)), "duration": 20}, headers=h)
    assert changed.status_code == 201, changed.text
    assert changed.json()["spaced_from_id"] == breakfast.json()["id"]


def test_a_spacing_from_an_unknown_need_or_from_itself_is_refused_naming_the_field(client, headers, make,
                                                                                   team_a, team_b):
    h = headers["coordinator"]
    citizen = make.citizen(team_a)
    other_citizen = make.citizen(team_a)
    elsewhere = _need(client, h, other_citizen.id, "breakfast")
    unknown = _need(client, h, citizen.id, "insulin", spaced_from_id=elsewhere.json()["id"], min_gap=60)
    assert unknown.status_code == 422 and "spaced_from_id" in unknown.text
    missing = _need(client, h, citizen.id, "insulin", spaced_from_id=999_999, min_gap=60)
    assert missing.status_code == 422 and "spaced_from_id" in missing.text
    insulin = _need(client, h, citizen.id, "insulin")
    itself = client.patch(f"/api/needs/{insulin.json()['id']}",
                          json={"spaced_from_id": insulin.json()["id"], "min_gap": 60}, headers=h)
    assert itself.status_code == 422 and "spaced_from_id" in itself.text
    crossed = _need(client, h, citizen.id, "lunch", spaced_from_id=insulin.json()["id"], min_gap=120,
                    max_gap=60)
    assert crossed.status_code == 422 and "max_gap" in crossed.text


def test_a_one_off_visit_keeps_its_priority(client, headers, make, team_a):
    citizen = make.citizen(team_a)
    made = client.post("/api/visits", json={"citizen_id": citizen.id, "kind": "shopping", "date": str(DAY),
                                            "earliest": 600, "latest": 720, "duration": 45, "priority": 3},
                       headers=headers["coordinator"])
    assert made.status_code == 201, made.text
    assert made.json()["priority"] == 3
    wrong = client.patch(f"/api/visits/{made.json()['id']}", json={"priority": 4},
                         headers=headers["coordinator"])
    assert wrong.status_code == 422 and "priority" in wrong.text
