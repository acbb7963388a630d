"""A team's own continuity setting reaches the planner through the job runners: the in-process runner
and a Celery worker plan each team of a run that chose no setting with the team's own."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select

from app.jobs import codec, execute
from app.jobs.inprocess import InProcessRunner
from app.services import team_settings
from models import core as m
from models.jobs import PlanJobPart
from solver.objective import weights_for
from tests.jobs.conftest import World

START, END = "2026-12-01", "2026-12-07"


def _said(setting: str) -> str:
    w = weights_for(setting)
    return f"weighed a new face at {w.new_carer}, a minute of travel at {w.travel}"


def _choose(world: World, team: str, setting: str) -> None:
    with world.sessions() as s:
        team_settings.set_continuity(s, team=s.get_one(m.Team, world.teams[team]), continuity=setting,
                                     user=None)
        s.commit()


def _reasons_by_team(world: World, version_id: int) -> dict[str, set[str]]:
    with world.sessions() as s:
        rows = s.execute(select(m.Team.external_id, m.UnplacedVisit.reason)
                         .join(m.Visit, m.Visit.id == m.UnplacedVisit.visit_id)
                         .join(m.Citizen, m.Citizen.id == m.Visit.citizen_id)
                         .join(m.Team, m.Team.id == m.Citizen.team_id)
                         .where(m.UnplacedVisit.plan_version_id == version_id)).all()
    out: dict[str, set[str]] = {}
    for team, reason in rows:
        out.setdefault(team, set()).add(reason)
    return out


def test_two_teams_planned_in_one_run_each_get_their_own_setting(world: World, api: Any) -> None:
    _choose(world, "A-T1", "travel")
    _choose(world, "B-T1", "balanced")
    runner = InProcessRunner(sessions=world.sessions, solve_path="tests.jobs.standins:weights_solve",
                             isolation="thread")
    try:
        client = api(runner)
        r = client.post("/api/plan-jobs", json={"team_ids": list(world.teams.values()), "start": START,
                                                "end": END, "time_limit": 5},
                        headers=world.headers["coordinator_all"])
        assert r.status_code == 202, r.text
        assert (r.json()["continuity"], r.json()["continuity_from"]) == ("per-team", "team")
        done, _ = world.wait_for(client, r.json()["id"], lambda j: j["status"] not in (
            "queued", "running", "gathering"), who="coordinator_all")
        assert done["status"] == "succeeded", done
        assert _reasons_by_team(world, done["plan_version_id"]) == {"A-T1": {_said("travel")},
                                                                   "B-T1": {_said("balanced")}}
        with world.sessions() as s:
            inputs = s.get_one(m.PlanVersion, done["plan_version_id"]).inputs
        assert inputs["continuity_from"] == "team"
        assert inputs["continuity_by_team"] == {str(world.teams["A-T1"]): "travel",
                                                str(world.teams["B-T1"]): "balanced"}
    finally:
        runner.shutdown()


def test_a_celery_worker_plans_a_run_without_a_choice_with_the_teams_setting(
        world: World, api: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from app.jobs import tasks
    from tests.jobs.standins import QueuedOnly, weights_solve

    _choose(world, "A-T1", "travel")
    monkeypatch.setattr(tasks, "resolve", lambda path=None: weights_solve)
    client = api(QueuedOnly())
    r = client.post("/api/plan-jobs", json={"team_ids": [world.teams["A-T1"]], "start": START, "end": END,
                                            "time_limit": 5}, headers=world.headers["coordinator"])
    assert r.status_code == 202, r.text
    job_id = r.json()["id"]
    (part_id,) = execute.prepare(world.sessions, job_id)
    assert execute.run_part(world.sessions, part_id, tasks._solve, max_attempts=1) == "gather"
    with world.sessions() as s:
        result = s.get_one(PlanJobPart, part_id).result
    assert result is not None
    assert {u.reason for u in codec.result_to_plan(json.loads(result)).unplaced} == {_said("travel")}
