"""A citizen's contact carer: always one of the citizen's own team who has not left."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi.testclient import TestClient

from models import core as m
from tests.conftest import Make
from tests.team_data.conftest import Week

Headers = dict[str, dict[str, str]]


def _where(r: Any) -> list[str]:  # the test client's response
    return [str(e["path"]) for e in r.json()["detail"]]


def _changes(client: TestClient, headers: Headers, citizen_id: int) -> list[dict[str, object]]:
    r = client.get(f"/api/citizens/{citizen_id}/changes", headers=headers["admin"])
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


def _leave_today(client: TestClient, headers: Headers, carer: m.Carer) -> None:
    r = client.post(f"/api/carers/{carer.id}/end", headers=headers["coordinator"],
                    json={"from_date": str(dt.date.today()), "reason": "quit"})
    assert r.status_code == 200, r.text


def test_a_carer_of_another_team_cannot_become_a_citizens_contact_carer(
        client: TestClient, headers: Headers, week: Week, make: Make, team_b: m.Team) -> None:
    stranger = make.carer(team_b, name="Sara")
    new = client.post("/api/citizens", headers=headers["admin"], json={
        "team_id": week.team.id, "name": "Elsa", "lat": 62.39, "lon": 17.30, "contact_carer_id": stranger.id})
    assert new.status_code == 422 and _where(new) == ["contact_carer_id"], new.text
    assert "not a carer of the citizen's team" in new.text
    before = _changes(client, headers, week.citizen.id)
    edit = client.patch(f"/api/citizens/{week.citizen.id}", headers=headers["admin"],
                        json={"contact_carer_id": stranger.id})
    assert edit.status_code == 422 and _where(edit) == ["contact_carer_id"], edit.text
    assert _changes(client, headers, week.citizen.id) == before
    listed = client.get("/api/citizens", headers=headers["admin"], params={"team_id": week.team.id}).json()
    assert [c["name"] for c in listed["items"]] == ["Greta"]


def test_a_carer_who_has_left_cannot_become_a_contact_carer_by_hand_or_by_accepting_a_proposal(
        client: TestClient, headers: Headers, week: Week) -> None:
    _leave_today(client, headers, week.bo)
    edit = client.patch(f"/api/citizens/{week.citizen.id}", headers=headers["coordinator"],
                        json={"contact_carer_id": week.bo.id})
    assert edit.status_code == 422 and _where(edit) == ["contact_carer_id"], edit.text
    assert "has left" in edit.text
    new = client.post("/api/citizens", headers=headers["coordinator"], json={
        "team_id": week.team.id, "name": "Elsa", "lat": 62.39, "lon": 17.30, "contact_carer_id": week.bo.id})
    assert new.status_code == 422 and _where(new) == ["contact_carer_id"], new.text
    accepted = client.post(f"/api/teams/{week.team.id}/contact-proposals/accept",
                           headers=headers["coordinator"],
                           json={"choices": [{"citizen_id": week.citizen.id, "carer_id": week.bo.id}]})
    assert accepted.status_code == 422 and _where(accepted) == ["choices[0].carer_id"], accepted.text
    kept = client.get(f"/api/citizens/{week.citizen.id}", headers=headers["coordinator"]).json()
    assert kept["contact_carer_id"] is None
    # Anna still works here: she may be the contact.
    ok = client.patch(f"/api/citizens/{week.citizen.id}", headers=headers["coordinator"],
                      json={"contact_carer_id": week.anna.id})
    assert ok.status_code == 200 and ok.json()["contact_carer_id"] == week.anna.id, ok.text


def test_a_citizen_moving_to_another_team_leaves_the_old_teams_contact_carer_behind(
        client: TestClient, headers: Headers, week: Week, make: Make, team_b: m.Team) -> None:
    client.patch(f"/api/citizens/{week.citizen.id}", headers=headers["coordinator"],
                 json={"contact_carer_id": week.anna.id})
    moved = client.patch(f"/api/citizens/{week.citizen.id}", headers=headers["admin"],
                         json={"team_id": team_b.id})
    assert moved.status_code == 200, moved.text
    assert moved.json()["team_id"] == team_b.id and moved.json()["contact_carer_id"] is None
    change = _changes(client, headers, week.citizen.id)[0]
    assert change["before"] == {"team_id": week.team.id, "contact_carer_id": week.anna.id}
    assert change["after"] == {"team_id": team_b.id, "contact_carer_id": None}

    # Moving back naming a contact of the new team keeps that contact; one of the team left is refused.
    sara = make.carer(team_b, name="Sara")
    wrong = client.patch(f"/api/citizens/{week.citizen.id}", headers=headers["admin"],
                         json={"team_id": week.team.id, "contact_carer_id": sara.id})
    assert wrong.status_code == 422 and _where(wrong) == ["contact_carer_id"], wrong.text
    back = client.patch(f"/api/citizens/{week.citizen.id}", headers=headers["admin"],
                        json={"team_id": week.team.id, "contact_carer_id": week.bo.id})
    assert back.status_code == 200 and back.json()["contact_carer_id"] == week.bo.id, back.text
