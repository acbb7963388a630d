"""Two coordinators, other teams, members and auditors, and every kind of bad input the team might type."""

from __future__ import annotations

import pytest

from tests.team_data.conftest import MON, day


def _loc(r):
    """Where each error points, without the "body" FastAPI's own validation puts first."""
    return [tuple(str(p) for p in e["loc"] if p != "body") for e in r.json()["detail"]]


def test_the_second_of_two_coordinators_saving_the_same_citizen_gets_a_conflict(client, headers, week):
    read = client.get(f"/api/citizens/{week.citizen.id}", headers=headers["coordinator"]).json()
    first = client.patch(f"/api/citizens/{week.citizen.id}", headers=headers["coordinator"],
                         json={"notes": "ring twice", "version": read["version"]})
    assert first.status_code == 200 and first.json()["version"] == read["version"] + 1
    second = client.patch(f"/api/citizens/{week.citizen.id}", headers=headers["admin"],
                          json={"notes": "key under the mat", "version": read["version"]})
    assert second.status_code == 409 and _loc(second) == [("version",)]
    kept = client.get(f"/api/citizens/{week.citizen.id}", headers=headers["member"]).json()
    assert kept["notes"] == "ring twice"


def test_a_stale_need_change_and_a_stale_carer_end_are_conflicts(client, headers, week):
    client.post(f"/api/needs/{week.need.id}/change", headers=headers["coordinator"],
                json={"from_date": str(day(3)), "duration": 50})
    stale = client.post(f"/api/needs/{week.need.id}/change", headers=headers["coordinator"],
                        json={"from_date": str(day(1)), "duration": 40, "version": 1})
    assert stale.status_code == 409
    client.patch(f"/api/carers/{week.anna.id}", headers=headers["coordinator"], json={"skills": ["insulin"]})
    stale = client.post(f"/api/carers/{week.anna.id}/end", headers=headers["coordinator"],
                        json={"from_date": str(day(3)), "version": 1})
    assert stale.status_code == 409


def test_members_read_but_cannot_change_auditors_never_see_another_team_gets_404(client, headers, week):
    cid = week.citizen.id
    assert client.get(f"/api/citizens/{cid}/changes", headers=headers["member"]).status_code == 200
    assert client.get(f"/api/carers/{week.anna.id}/roster", headers=headers["member"]).status_code == 200
    assert client.post(f"/api/citizens/{cid}/end", headers=headers["member"],
                       json={"from_date": str(day(3)), "reason": "moved"}).status_code == 403
    assert client.put(f"/api/carers/{week.anna.id}/roster", headers=headers["member"],
                      json={"from_date": str(MON), "weeks": 1, "shifts": []}).status_code == 403
    assert client.get(f"/api/citizens/{cid}/changes", headers=headers["auditor"]).status_code == 403
    needs = f"/api/plans/{week.plan.id}/replan-needs"
    assert client.get(needs, headers=headers["auditor"]).status_code == 403
    assert client.get(f"/api/citizens/{cid}/changes", headers=headers["member_b"]).status_code == 404
    assert client.get(f"/api/carers/{week.anna.id}/changes", headers=headers["member_b"]).status_code == 404
    assert client.get(needs, headers=headers["member_b"]).status_code == 404


@pytest.mark.parametrize(("path", "body", "where"), [
    ("citizen", {"contact_carer_id": "ANNA", "avoid_carer_ids": ["ANNA"]}, ("contact_carer_id",)),
    ("citizen", {"avoid_reasons": {"BO": "argued"}}, ("avoid_reasons", "BO")),
    ("citizen", {"lat": 95}, ("lat",)),
    ("need", {"earliest": 600, "latest": 540}, ()),
    ("need", {"duration": 0}, ("duration",)),
    ("need", {"every_weeks": 7}, ("every_weeks",)),
    ("need", {"priority": 0}, ("priority",)),
    ("need_new", {"valid_to": "2030-01-01"}, ()),
    ("end", {"reason": "holiday"}, ("reason",)),
])
def test_bad_input_is_refused_naming_the_field_and_nothing_is_written(client, headers, week, path, body,
                                                                       where, db_session):
    ids = {"ANNA": week.anna.id, "BO": week.bo.id}

    def sub(v):
        if isinstance(v, list):
            return [ids.get(x, x) for x in v]
        if isinstance(v, dict):
            return {str(ids.get(k, k)): x for k, x in v.items()}
        return ids.get(v, v)

    body = {k: sub(v) for k, v in body.items()}
    where = tuple(str(ids.get(p, p)) for p in where)
    coordinator = headers["coordinator"]
    before = client.get(f"/api/citizens/{week.citizen.id}/changes", headers=coordinator).json()
    if path == "citizen":
        r = client.patch(f"/api/citizens/{week.citizen.id}", headers=coordinator, json=body)
    elif path == "need":
        r = client.post(f"/api/needs/{week.need.id}/change", headers=coordinator,
                        json={"from_date": str(day(2)), **body})
    elif path == "need_new":
        r = client.post("/api/needs", headers=coordinator, json={
            "citizen_id": week.citizen.id, "kind": "lunch", "weekdays": [0], "earliest": 690, "latest": 720,
            "duration": 30, "valid_from": str(MON), **body})
    else:
        r = client.post(f"/api/citizens/{week.citizen.id}/end", headers=coordinator,
                        json={"from_date": str(day(2)), **body})
    assert r.status_code == 422, r.text
    assert where in _loc(r), r.text
    assert client.get(f"/api/citizens/{week.citizen.id}/changes", headers=coordinator).json() == before


def test_overlapping_shifts_in_a_roster_are_refused_at_the_second_shift(client, headers, week):
    r = client.put(f"/api/carers/{week.anna.id}/roster", headers=headers["coordinator"], json={
        "from_date": str(MON), "weeks": 1, "shifts": [
            {"weekday": 0, "start": 420, "end": 720}, {"weekday": 0, "start": 700, "end": 900}]})
    assert r.status_code == 422 and _loc(r) == [("shifts", "1", "start")]
