"""A team chooses its own continuity setting: its coordinator sets it once, everyone in the team reads
it, every change is recorded, and the team's plan runs use it whenever a run does not choose one."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.jobs.execute import part_continuity
from models import core as m
from models.jobs import PlanJob
from models.team_data import ChangeRecord

RUN = {"start": "2026-12-01", "end": "2026-12-07", "time_limit": 5}


def test_a_team_that_never_chose_plans_for_the_fewest_faces(
        client: TestClient, headers: dict[str, dict[str, str]], team_a: m.Team) -> None:
    r = client.get(f"/api/teams/{team_a.id}/settings", headers=headers["member"])
    assert r.status_code == 200, r.text
    assert r.json() | {"updated_at": None} == {"team_id": team_a.id, "continuity": "fewest", "chosen": False,
                                               "version": 0, "updated_at": None}


def test_a_team_that_sets_least_travel_as_its_default_gets_plans_run_with_it(
        client: TestClient, headers: dict[str, dict[str, str]], team_a: m.Team, db_session: Session,
        queued_jobs: None) -> None:
    r = client.put(f"/api/teams/{team_a.id}/settings", json={"continuity": "travel", "version": 0},
                   headers=headers["coordinator"])
    assert r.status_code == 200, r.text
    assert r.json()["continuity"] == "travel" and r.json()["chosen"] and r.json()["version"] == 1
    assert client.get(f"/api/teams/{team_a.id}/settings", headers=headers["member"]).json()["continuity"] \
        == "travel"

    r = client.post("/api/plan-jobs", json={"team_ids": [team_a.id], **RUN}, headers=headers["coordinator"])
    assert r.status_code == 202, r.text
    assert (r.json()["continuity"], r.json()["continuity_from"]) == ("travel", "team")
    job = db_session.get_one(PlanJob, r.json()["id"])
    assert part_continuity(job.params, team_a.id) == "travel"  # what the part's planner is given


def test_a_run_that_chooses_keeps_its_own_choice_over_the_teams(
        client: TestClient, headers: dict[str, dict[str, str]], team_a: m.Team, db_session: Session,
        queued_jobs: None) -> None:
    client.put(f"/api/teams/{team_a.id}/settings", json={"continuity": "travel"},
               headers=headers["coordinator"])
    r = client.post("/api/plan-jobs", json={"team_ids": [team_a.id], **RUN, "continuity": "balanced"},
                    headers=headers["coordinator"])
    assert r.status_code == 202, r.text
    assert (r.json()["continuity"], r.json()["continuity_from"]) == ("balanced", "run")
    assert part_continuity(db_session.get_one(PlanJob, r.json()["id"]).params, team_a.id) == "balanced"


def test_each_change_of_the_teams_setting_is_recorded_with_who_and_what(
        client: TestClient, headers: dict[str, dict[str, str]], team_a: m.Team) -> None:
    for setting in ("balanced", "faces:5", "faces:5"):  # the same again changes nothing
        assert client.put(f"/api/teams/{team_a.id}/settings", json={"continuity": setting},
                          headers=headers["coordinator"]).status_code == 200
    r = client.get(f"/api/teams/{team_a.id}/settings/changes", headers=headers["member"])
    assert r.status_code == 200, r.text
    assert [(c["before"], c["after"], c["created_by"], c["entity"]) for c in r.json()] == [
        ({"continuity": "balanced"}, {"continuity": "faces:5"}, "coord-a", "team"),
        ({"continuity": "fewest"}, {"continuity": "balanced"}, "coord-a", "team"),
    ]


def test_an_unknown_setting_answers_422_naming_the_field_and_stores_nothing(
        client: TestClient, headers: dict[str, dict[str, str]], team_a: m.Team, db_session: Session) -> None:
    for bad in ("fastest", "faces:0", "faces:99"):
        r = client.put(f"/api/teams/{team_a.id}/settings", json={"continuity": bad},
                       headers=headers["coordinator"])
        assert r.status_code == 422, r.text
        assert r.json()["detail"][0]["loc"][-1] == "continuity"
        assert "fewest, balanced, travel" in r.json()["detail"][0]["msg"]
    r = client.put(f"/api/teams/{team_a.id}/settings", json={"continuity": "x" * 21},
                   headers=headers["coordinator"])
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "continuity"]
    assert client.get(f"/api/teams/{team_a.id}/settings", headers=headers["member"]).json()["chosen"] is False
    assert db_session.scalars(select(ChangeRecord).where(ChangeRecord.entity == "team")).all() == []


def test_only_the_teams_coordinators_change_it_and_another_team_is_not_found(
        client: TestClient, headers: dict[str, dict[str, str]], team_a: m.Team, team_b: m.Team) -> None:
    body = {"continuity": "travel"}
    a, b = f"/api/teams/{team_a.id}/settings", f"/api/teams/{team_b.id}/settings"
    assert client.put(a, json=body, headers=headers["member"]).status_code == 403
    assert client.put(a, json=body).status_code == 401
    assert client.put(b, json=body, headers=headers["coordinator"]).status_code == 404
    assert client.get(b, headers=headers["coordinator"]).status_code == 404
    assert client.put(b, json=body, headers=headers["admin"]).status_code == 200


def test_a_save_from_an_older_read_gets_a_conflict_not_a_silent_overwrite(
        client: TestClient, headers: dict[str, dict[str, str]], team_a: m.Team) -> None:
    read = client.get(f"/api/teams/{team_a.id}/settings", headers=headers["coordinator"]).json()
    first = client.put(f"/api/teams/{team_a.id}/settings", json={"continuity": "travel",
                                                                "version": read["version"]},
                       headers=headers["coordinator"])
    assert first.status_code == 200
    second = client.put(f"/api/teams/{team_a.id}/settings", json={"continuity": "balanced",
                                                                 "version": read["version"]},
                        headers=headers["admin"])
    assert second.status_code == 409, second.text
    assert client.get(f"/api/teams/{team_a.id}/settings", headers=headers["member"]).json()["continuity"] \
        == "travel"
