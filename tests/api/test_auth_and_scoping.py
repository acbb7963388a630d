"""Who may read and change what: login, roles, teams, and what an auditor never sees."""

from __future__ import annotations

import pytest

from app.version import __version__
from tests.conftest import PASSWORD

DATA_ENDPOINTS = [
    "/api/teams",
    "/api/carers",
    "/api/shifts",
    "/api/citizens",
    "/api/needs",
    "/api/visits",
    "/api/plans",
    "/api/users",
    "/api/me",
]


@pytest.mark.parametrize("path", DATA_ENDPOINTS)
def test_a_stranger_without_a_token_is_turned_away_with_401(client, path):
    answer = client.get(path)
    assert answer.status_code == 401
    assert answer.headers["www-authenticate"] == "Bearer"


def test_the_api_description_and_the_health_check_need_no_login(client):
    assert client.get("/openapi.json").status_code == 200
    assert client.get("/docs").status_code == 200
    assert client.get("/health").json() == {"status": "ok", "version": __version__}


def test_a_carer_logs_in_with_the_password_and_reads_who_they_are(client, users):
    answer = client.post("/api/auth/token", data={"username": "member-a", "password": PASSWORD})
    assert answer.status_code == 200
    token = answer.json()["access_token"]
    me = client.get("/api/me", headers={"Authorization": f"Bearer {token}"}).json()
    assert me["username"] == "member-a" and me["role"] == "member"


def test_a_wrong_password_or_a_forged_token_gets_401(client, users):
    assert (
        client.post("/api/auth/token", data={"username": "member-a", "password": "nope"}).status_code == 401
    )
    assert client.post("/api/auth/token", data={"username": "ghost", "password": "x"}).status_code == 401
    assert client.get("/api/me", headers={"Authorization": "Bearer not.a.jwt"}).status_code == 401


def test_a_team_member_sees_their_own_team_only(client, headers, team_a, team_b):
    teams = client.get("/api/teams", headers=headers["member"]).json()
    assert [t["external_id"] for t in teams["items"]] == ["TA"]
    assert client.get(f"/api/teams/{team_b.id}", headers=headers["member"]).status_code == 404


def test_another_teams_citizen_carer_and_plan_answer_404_like_a_missing_one(
    client, headers, make, team_b, db_session
):
    citizen = make.citizen(team_b)
    carer = make.carer(team_b)
    need = make.need(citizen)
    visit = make.visit(citizen)
    from app.mapping import store_plan_version
    from solver.types import Assignment, Plan

    make.shift(carer, visit.date)
    version = store_plan_version(
        db_session,
        team_ids=[team_b.id],
        start=visit.date,
        end=visit.date,
        plan=Plan(assignments=[Assignment(visit.external_id, (carer.external_id,), 430)], unplaced=[]),
        created_by=None,
    )
    for path in (
        f"/api/citizens/{citizen.id}",
        f"/api/carers/{carer.id}",
        f"/api/needs/{need.id}",
        f"/api/visits/{visit.id}",
        f"/api/plans/{version.plan_id}",
        f"/api/plan-versions/{version.id}",
    ):
        other = client.get(path, headers=headers["member"])
        missing = client.get(path.rsplit("/", 1)[0] + "/999999", headers=headers["member"])
        assert other.status_code == 404, path
        assert missing.status_code == 404
        assert other.json().keys() == missing.json().keys()
        assert client.get(path, headers=headers["member_b"]).status_code == 200, path
    lists = client.get("/api/citizens", headers=headers["member"]).json()
    assert citizen.external_id not in [c["external_id"] for c in lists["items"]]


def test_an_auditor_never_receives_names_addresses_or_notes(client, headers, make, team_a):
    citizen = make.citizen(team_a, name="Astrid Lindqvist", address="Bergsgatan 4", notes="dog bites")
    carer = make.carer(team_a, name="Karin Berg")
    answers = [
        client.get("/api/citizens", headers=headers["auditor"]),
        client.get(f"/api/citizens/{citizen.id}", headers=headers["auditor"]),
        client.get("/api/carers", headers=headers["auditor"]),
        client.get(f"/api/carers/{carer.id}", headers=headers["auditor"]),
    ]
    for answer in answers:
        assert answer.status_code == 200
        text = answer.text
        for secret in ("Astrid", "Lindqvist", "Bergsgatan", "dog bites", "Karin", '"address"', '"notes"'):
            assert secret not in text
    assert (
        client.get(f"/api/citizens/{citizen.id}", headers=headers["auditor"]).json()["external_id"]
        == citizen.external_id
    )
    # the coordinator of the same team does see them
    assert (
        client.get(f"/api/citizens/{citizen.id}", headers=headers["coordinator"]).json()["name"]
        == "Astrid Lindqvist"
    )


def test_an_auditor_never_receives_a_needs_care_instructions(client, headers, make, team_a):
    citizen = make.citizen(team_a)
    need = make.need(citizen, care_instructions="Ring Astrid's son on 070-123 45 67, key at Bergsgatan 4")
    for answer in (client.get("/api/needs", headers=headers["auditor"]),
                   client.get(f"/api/needs/{need.id}", headers=headers["auditor"])):
        assert answer.status_code == 200, answer.text
        assert "care_instructions" not in answer.text and "070-123" not in answer.text
    assert client.get(f"/api/needs/{need.id}", headers=headers["auditor"]).json()["kind"] == "morning"
    # the team's member, who visits the citizen, reads them
    listed = client.get("/api/needs", headers=headers["member"]).json()["items"]
    assert [n["care_instructions"] for n in listed] == [need.care_instructions]


def test_a_team_member_cannot_change_care_data_but_a_coordinator_can(client, headers, team_a):
    body = {"team_id": team_a.id, "name": "Nils", "skills": ["medication"]}
    assert client.post("/api/carers", json=body, headers=headers["member"]).status_code == 403
    assert client.post("/api/carers", json=body, headers=headers["auditor"]).status_code == 403
    made = client.post("/api/carers", json=body, headers=headers["coordinator"])
    assert made.status_code == 201, made.text


def test_a_coordinator_cannot_create_data_in_a_team_not_theirs(client, headers, team_b):
    answer = client.post(
        "/api/carers", json={"team_id": team_b.id, "name": "X"}, headers=headers["coordinator"]
    )
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["path"] == "team_id"


def test_only_admins_manage_users(client, headers, team_a):
    body = {"username": "newbie", "password": "long-enough-pw", "role": "member", "team_ids": [team_a.id]}
    assert client.post("/api/users", json=body, headers=headers["coordinator"]).status_code == 403
    made = client.post("/api/users", json=body, headers=headers["admin"])
    assert made.status_code == 201 and made.json()["team_ids"] == [team_a.id]
    again = client.post("/api/users", json=body, headers=headers["admin"])
    assert again.status_code == 409
