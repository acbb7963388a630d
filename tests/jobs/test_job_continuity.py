"""A team chooses how continuity weighs against travel for a plan run; the planner gets that weighing
and the draft remembers it."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from app.jobs import codec
from app.jobs.execute import Claim
from app.jobs.inprocess import InProcessRunner
from models import core as m
from models.jobs import PlanJob
from solver.objective import weights_for
from tests.jobs.conftest import World
from tests.jobs.helpers import cut, team_s

START, END = "2026-12-01", "2026-12-07"


def _told(reasons: list[str], setting: str) -> bool:
    w = weights_for(setting)
    return bool(reasons) and all(r == f"weighed a new face at {w.new_carer}, a minute of travel at {w.travel}"
                                 for r in reasons)


def _reasons(world: World, version_id: int) -> list[str]:
    with world.sessions() as s:
        return list(s.scalars(select(m.UnplacedVisit.reason)
                              .where(m.UnplacedVisit.plan_version_id == version_id)))


@pytest.mark.parametrize("isolation", ["thread", "process"])
def test_a_coordinator_plans_for_least_travel_and_the_draft_remembers_the_choice(
        world: World, api: Any, isolation: str) -> None:
    runner = InProcessRunner(sessions=world.sessions, solve_path="tests.jobs.standins:weights_solve",
                             isolation=isolation)
    try:
        client = api(runner)
        r = client.post("/api/plan-jobs", json={"team_ids": [world.teams["A-T1"]], "start": START, "end": END,
                                                "time_limit": 5, "continuity": "travel"},
                        headers=world.headers["coordinator"])
        assert r.status_code == 202, r.text
        assert r.json()["continuity"] == "travel"
        done, _ = world.wait_for(client, r.json()["id"], lambda j: j["status"] not in (
            "queued", "running", "gathering"))
        assert done["status"] == "succeeded", done
        assert done["continuity"] == "travel"
        assert _told(_reasons(world, done["plan_version_id"]), "travel")
        with world.sessions() as s:
            assert s.get_one(m.PlanVersion, done["plan_version_id"]).inputs["continuity"] == "travel"
    finally:
        runner.shutdown()


def test_a_run_without_a_choice_plans_for_the_fewest_faces(world: World, api: Any) -> None:
    runner = InProcessRunner(sessions=world.sessions, solve_path="tests.jobs.standins:weights_solve",
                             isolation="thread")
    try:
        client = api(runner)
        r = client.post("/api/plan-jobs", json={"team_ids": [world.teams["A-T1"]], "start": START, "end": END,
                                                "time_limit": 5}, headers=world.headers["coordinator"])
        assert r.status_code == 202, r.text
        done, _ = world.wait_for(client, r.json()["id"], lambda j: j["status"] not in (
            "queued", "running", "gathering"))
        assert done["status"] == "succeeded" and done["continuity"] == "fewest"
        assert _told(_reasons(world, done["plan_version_id"]), "fewest")
    finally:
        runner.shutdown()


@pytest.mark.parametrize("bad", ["fastest", "faces:0", ""])
def test_an_unknown_continuity_setting_answers_422_naming_the_field_and_starts_nothing(
        world: World, api: Any, bad: str) -> None:
    runner = InProcessRunner(sessions=world.sessions, isolation="thread")
    try:
        client = api(runner)
        r = client.post("/api/plan-jobs", json={"team_ids": [world.teams["A-T1"]], "start": START, "end": END,
                                                "continuity": bad}, headers=world.headers["coordinator"])
        assert r.status_code == 422 and "continuity" in r.text and "fewest, balanced, travel" in r.text
        with world.sessions() as s:
            assert s.scalars(select(PlanJob)).all() == []
    finally:
        runner.shutdown()


def test_a_celery_worker_solves_a_part_with_the_jobs_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    from app.jobs import tasks
    from exchange import parse_instance, to_problem
    from tests.jobs.standins import weights_solve

    monkeypatch.setattr(tasks, "resolve", lambda path=None: weights_solve)
    problem = to_problem(parse_instance(cut(team_s(), days=1)))
    claim = Claim(part_id=1, job_id=1, attempt=1, payload=codec.problem_to_payload(problem), time_limit=1,
                  seed=0, team="A-T1", continuity="balanced")

    class Quiet:
        def on_progress(self, p: Any) -> None:
            pass

        def should_stop(self) -> bool:
            return False

    result = tasks._solve(claim, Quiet())  # type: ignore[arg-type]
    assert _told([u.reason for u in codec.result_to_plan(result).unplaced], "balanced")
