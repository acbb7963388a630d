"""Stories of a coordinator planning teams with background solve jobs, no broker (the embedded runner)."""

from __future__ import annotations

import datetime as dt
import os
import time
from typing import Any, cast

import pytest
from sqlalchemy import select

from app.jobs import codec
from app.jobs.execute import Claim, Relay
from app.jobs.inprocess import InProcessRunner, _Child
from app.mapping import accept_plan_version, plan_to_solver
from app.settings import Settings, get_settings
from exchange import plan_to_doc
from models import core as m
from models.jobs import PlanJob
from solver.parallel import restrict
from solver.types import Progress
from tests.jobs.conftest import World
from tests.jobs.helpers import violations
from tests.solver.test_parallel import two_teams

START = "2026-12-01"
END = "2026-12-07"


@pytest.fixture
def runner(world: World) -> Any:
    r = InProcessRunner(sessions=world.sessions)
    yield r
    r.shutdown()


def _body(world: World, teams: list[str], **kw: Any) -> dict[str, Any]:
    return {"team_ids": [world.teams[t] for t in teams], "start": START, "end": END, "time_limit": 3,
            "seed": 1, **kw}


def _version_doc(world: World, version_id: int) -> dict[str, Any]:
    with world.sessions() as s:
        version = s.get_one(m.PlanVersion, version_id)
        return plan_to_doc(plan_to_solver(s, version=version), world.instance["name"])


def _assignments(world: World, version_id: int) -> list[tuple[int, int, tuple[int, ...]]]:
    with world.sessions() as s:
        rows = s.scalars(select(m.Assignment).where(m.Assignment.plan_version_id == version_id)).all()
        return sorted((a.visit_id, a.start, tuple(sorted(c.id for c in a.carers))) for a in rows)


def test_a_coordinator_plans_two_teams_in_the_background_and_gets_a_verified_draft(
        world: World, api: Any, runner: InProcessRunner) -> None:
    client = api(runner)
    t0 = time.monotonic()
    r = client.post("/api/plan-jobs", json=_body(world, ["A-T1", "B-T1"]),
                    headers=world.headers["coordinator_all"])
    answered = time.monotonic() - t0
    assert r.status_code == 202, r.text
    job = r.json()
    assert job["status"] in ("queued", "running") and answered < 2.0  # answers at once, solves later
    assert job["runner"] == "inprocess" and len(job["parts"]) == 2

    # The web server stays responsive while the planner works in its child process.
    slowest = 0.0
    for _ in range(5):
        t1 = time.monotonic()
        assert client.get("/health").status_code == 200
        slowest = max(slowest, time.monotonic() - t1)
        time.sleep(0.1)
    assert slowest < 0.5

    done, seen = world.wait_for(client, job["id"], lambda j: j["status"] not in ("queued", "running",
                                                                                 "gathering"),
                                who="coordinator_all")
    assert done["status"] == "succeeded", done
    running = [j for j in seen if j["status"] == "running"]
    assert any(j["progress"]["fraction"] > 0 for j in running), "progress was reported while running"
    assert any(j["progress"]["phase"] in ("construct", "improve") for j in running)
    assert done["progress"]["fraction"] == 1.0 and done["progress"]["objective"] is not None

    figures = done["figures"]
    n_visits = len(world.instance["visits"])
    assert figures["placed"] + figures["unplaced"] == n_visits and figures["placed"] > 0.8 * n_visits
    assert 1 <= figures["distinct_carers_month_mean"] <= figures["distinct_carers_month_max"] <= 12
    assert figures["travel_minutes"] > 0 and 0 <= figures["contact_share"] <= 1
    assert figures["start_spread_minutes"] >= 0

    with world.sessions() as s:
        version = s.get_one(m.PlanVersion, done["plan_version_id"])
        assert version.status == m.PLAN_DRAFT and version.inputs["job_id"] == job["id"]
        assert version.stats["placed"] == figures["placed"]
    plan = _version_doc(world, done["plan_version_id"])
    assert violations(world.instance, plan) == []


def test_a_team_planning_twice_with_the_same_seed_and_steps_gets_the_same_draft(
        world: World, api: Any, runner: InProcessRunner) -> None:
    """A set number of search steps, not the clock, ends each search: the plan does not depend on how
    busy the machine was (the time limit is only a cap)."""
    client = api(runner)
    who = world.headers["coordinator"]
    drafts = []
    for _ in range(2):
        job = client.post("/api/plan-jobs", json=_body(world, ["A-T1"], time_limit=120, steps=40),
                          headers=who)
        assert job.status_code == 202, job.text
        assert job.json()["steps"] == 40
        done, _ = world.wait_for(client, job.json()["id"], lambda j: j["status"] not in (
            "queued", "running", "gathering"))
        assert done["status"] == "succeeded", done
        drafts.append(_assignments(world, done["plan_version_id"]))
    assert drafts[0] and drafts[0] == drafts[1]


def test_a_cancelled_job_stops_and_leaves_the_accepted_plan_as_it_was(
        world: World, api: Any, runner: InProcessRunner) -> None:
    client = api(runner)
    who = world.headers["coordinator"]
    first = client.post("/api/plan-jobs", json=_body(world, ["A-T1"], time_limit=2), headers=who).json()
    first, _ = world.wait_for(client, first["id"], lambda j: j["status"] == "succeeded")
    with world.sessions() as s:
        accept_plan_version(s, version=s.get_one(m.PlanVersion, first["plan_version_id"]), user=None)
        s.commit()
    before = _assignments(world, first["plan_version_id"])
    versions = world.versions()

    second = client.post("/api/plan-jobs", json=_body(world, ["A-T1"], time_limit=120, seed=7),
                         headers=who).json()
    world.wait_for(client, second["id"], lambda j: j["status"] == "running" and j["progress"]["fraction"] > 0)
    t0 = time.monotonic()
    r = client.post(f"/api/plan-jobs/{second['id']}/cancel", headers=who)
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    runner.wait(second["id"], timeout=30)
    assert time.monotonic() - t0 < 10, "the planner stopped soon after the cancel"

    final = client.get(f"/api/plan-jobs/{second['id']}", headers=who).json()
    assert final["status"] == "cancelled" and final["plan_version_id"] is None
    assert all(p["status"] == "cancelled" for p in final["parts"])
    assert world.versions() == versions  # no draft half-written or written at all
    with world.sessions() as s:
        assert s.get_one(m.PlanVersion, first["plan_version_id"]).status == m.PLAN_ACCEPTED
    assert _assignments(world, first["plan_version_id"]) == before
    # Cancelling again is a conflict, not an error.
    assert client.post(f"/api/plan-jobs/{second['id']}/cancel", headers=who).status_code == 409


@pytest.mark.parametrize("standin", ["crashing_solve", "error_plan_solve"])
def test_a_failing_planner_fails_the_job_with_its_reason_and_writes_nothing(
        world: World, api: Any, standin: str) -> None:
    runner = InProcessRunner(sessions=world.sessions, solve_path=f"tests.jobs.standins:{standin}")
    try:
        client = api(runner)
        versions = world.versions()
        job = client.post("/api/plan-jobs", json=_body(world, ["A-T1"]), headers=world.headers["coordinator"])
        assert job.status_code == 202
        done, _ = world.wait_for(client, job.json()["id"], lambda j: j["status"] in ("failed", "succeeded"))
    finally:
        runner.shutdown()
    assert done["status"] == "failed"
    assert ("ran out of memory" if standin == "crashing_solve" else "boom") in done["error"]
    assert "A-T1" in done["error"]  # says which team's part failed
    assert done["plan_version_id"] is None and world.versions() == versions


def test_another_teams_job_answers_404_as_a_missing_one(world: World, api: Any,
                                                        runner: InProcessRunner) -> None:
    client = api(runner)
    h = world.headers
    job = client.post("/api/plan-jobs", json=_body(world, ["A-T1"], time_limit=60), headers=h["coordinator"])
    assert job.status_code == 202
    job_id = job.json()["id"]
    try:
        assert client.get(f"/api/plan-jobs/{job_id}", headers=h["member"]).status_code == 200
        missing = client.get("/api/plan-jobs/999999", headers=h["member_b"])
        other = client.get(f"/api/plan-jobs/{job_id}", headers=h["member_b"])
        assert other.status_code == missing.status_code == 404
        assert client.post(f"/api/plan-jobs/{job_id}/cancel", headers=h["coordinator_b"]).status_code == 404
        assert [j["id"] for j in client.get("/api/plan-jobs", headers=h["member_b"]).json()] == []
        assert job_id in [j["id"] for j in client.get("/api/plan-jobs", headers=h["member"]).json()]
        # Planning another team's days: 404 too; a member may read but not plan.
        assert client.post("/api/plan-jobs", json=_body(world, ["B-T1"]),
                           headers=h["coordinator"]).status_code == 404
        member_try = client.post("/api/plan-jobs", json=_body(world, ["A-T1"]), headers=h["member"])
        assert member_try.status_code == 403
        assert client.post(f"/api/plan-jobs/{job_id}/cancel", headers=h["member"]).status_code == 403
        # The same team twice at once: a conflict that names the running job.
        again = client.post("/api/plan-jobs", json=_body(world, ["A-T1"]), headers=h["coordinator"])
        assert again.status_code == 409 and str(job_id) in again.text
    finally:
        assert client.post(f"/api/plan-jobs/{job_id}/cancel", headers=h["coordinator"]).status_code == 200
        runner.wait(job_id, timeout=30)


def test_bad_job_requests_say_what_is_wrong_and_where(world: World, api: Any,
                                                      runner: InProcessRunner) -> None:
    client = api(runner)
    who = world.headers["coordinator"]
    r = client.post("/api/plan-jobs", json=_body(world, ["A-T1"], end="2026-11-30"), headers=who)
    assert r.status_code == 422 and "end" in r.text
    r = client.post("/api/plan-jobs", json=_body(world, ["A-T1"], time_limit=0), headers=who)
    assert r.status_code == 422 and "time_limit" in r.text
    r = client.post("/api/plan-jobs", json={**_body(world, ["A-T1"]), "team_ids": []}, headers=who)
    assert r.status_code == 422 and "team_ids" in r.text
    r = client.post("/api/plan-jobs", json=_body(world, ["A-T1"], steps=0), headers=who)
    assert r.status_code == 422 and "steps" in r.text
    assert client.get("/api/plan-jobs").status_code == 401
    with world.sessions() as s:
        assert s.scalars(select(PlanJob)).all() == []


def test_with_the_broker_down_a_new_job_answers_503_and_the_app_works_on(world: World, api: Any) -> None:
    from app.jobs.celery_app import make_celery
    from app.jobs.celery_runner import CeleryRunner

    client = api(CeleryRunner(make_celery("redis://127.0.0.1:1/0")))
    r = client.post("/api/plan-jobs", json=_body(world, ["A-T1"]), headers=world.headers["coordinator"])
    assert r.status_code == 503
    assert "cannot be reached" in r.json()["detail"] and "no job was started" in r.json()["detail"]
    assert client.get("/health").status_code == 200
    assert client.get("/api/plan-jobs", headers=world.headers["coordinator"]).json() == []



def _job_of_a_server_that_stopped(world: World) -> int:
    """A running in-process job whose server process (on this host) is gone."""
    import socket
    import subprocess

    from app.services import jobs as service

    gone = subprocess.Popen(["true"])
    gone.wait()
    with world.sessions() as s:
        job = service.start_plan_job(s, user=s.merge(world.users["coordinator"]),
                                     team_ids=[world.teams["A-T1"]], start=dt.date(2026, 12, 1),
                                     end=dt.date(2026, 12, 7), time_limit=5, runner="inprocess")
        job.status, job.owner = "running", f"{socket.gethostname()}:{gone.pid}"
        s.commit()
        return job.id


def test_a_job_whose_server_stopped_is_shown_failed_and_the_plan_untouched(
        world: World, api: Any, runner: InProcessRunner) -> None:
    job_id = _job_of_a_server_that_stopped(world)
    client = api(runner)
    shown = client.get(f"/api/plan-jobs/{job_id}", headers=world.headers["member"]).json()
    assert shown["status"] == "failed" and "server stopped" in shown["error"]
    assert shown["plan_version_id"] is None and world.versions() == 0
    # A new job for the team is accepted again (the dead one no longer blocks it).
    assert client.post("/api/plan-jobs", json=_body(world, ["A-T1"], time_limit=1),
                       headers=world.headers["coordinator"]).status_code == 202
    runner.wait(job_id + 1, timeout=30)


def test_a_team_whose_last_job_died_with_its_server_can_be_planned_again_at_once(
        world: World, api: Any, runner: InProcessRunner) -> None:
    job_id = _job_of_a_server_that_stopped(world)
    client = api(runner)
    # Nobody has looked at the dead job; starting the next run is what finds it.
    r = client.post("/api/plan-jobs", json=_body(world, ["A-T1"], time_limit=1),
                    headers=world.headers["coordinator"])
    assert r.status_code == 202, r.text
    runner.wait(r.json()["id"], timeout=30)
    with world.sessions() as s:
        dead = s.get_one(PlanJob, job_id)
        assert dead.status == "failed" and "server stopped" in (dead.error or "")


class _Recorder:
    """What a job's relay sees of the planner: its progress, and never a stop request."""

    def __init__(self) -> None:
        self.seen: list[Progress] = []

    def on_progress(self, p: Progress) -> None:
        self.seen.append(p)

    def should_stop(self) -> bool:
        return False


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one core: the planner starts no worker processes")
def test_a_teams_planner_in_the_job_process_races_a_second_seed_on_the_spare_core() -> None:
    """The job's child is not a daemon, so the planner in it may start worker processes of its own."""
    problem = restrict(two_teams(), {"T"})
    claim = Claim(part_id=1, job_id=1, attempt=1, payload=codec.problem_to_payload(problem), time_limit=4,
                  seed=1, team="T")
    child = _Child("solver.solve:solve", workers=2)
    recorder = _Recorder()
    try:
        result = child.solve(claim, cast(Relay, recorder))
    finally:
        child.close()
    assert result["stats"]["worker_processes"] == 2  # one team, two seeds
    assert any("2 worker processes" in p.message for p in recorder.seen)
    plan = codec.result_to_plan(result)
    assert len(plan.assignments) == len(problem.visits) and not plan.unplaced
    assert not child.proc.is_alive()


@pytest.mark.skipif(not hasattr(os, "getpriority"), reason="no process priorities on this system")
def test_a_plan_job_solves_below_the_web_servers_priority_so_the_pages_come_first() -> None:
    problem = restrict(two_teams(), {"T"})
    claim = Claim(part_id=1, job_id=1, attempt=1, payload=codec.problem_to_payload(problem), time_limit=1,
                  seed=1, team="T")
    child = _Child("tests.jobs.standins:priority_solve", workers=1, nice=get_settings().jobs_solve_nice,
                   idle=get_settings().jobs_solve_idle)
    try:
        result = child.solve(claim, cast(Relay, _Recorder()))
    finally:
        child.close()
    server = os.getpriority(os.PRIO_PROCESS, 0)
    assert Settings.model_fields["jobs_solve_nice"].default == 10  # lower by default, not only when set
    assert result["stats"]["nice"] == min(19, server + get_settings().jobs_solve_nice)
    if hasattr(os, "SCHED_IDLE"):
        # Linux: a page request waking up never waits behind the plan job.
        assert Settings.model_fields["jobs_solve_idle"].default is True
        assert result["stats"]["idle_class"] == 1.0
