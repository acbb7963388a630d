"""Stories of a municipality planning many teams on Celery workers over Redis (issue 8).

Real worker processes (`homecare worker`, started here with subprocess), a real Redis
(TEST_REDIS_URL, default redis://127.0.0.1:6379/15) and a file database all processes share.
Every run uses its own queue prefix, so runs on one Redis never take each other's messages.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from app.mapping import accept_plan_version, build_problem, plan_to_solver, store_plan_version
from app.settings import get_settings
from exchange import plan_to_doc
from models import core as m
from models.jobs import PlanJob, PlanJobPart
from solver.types import Plan, Unplaced
from tests.jobs.conftest import World, make_world
from tests.jobs.helpers import cut, multi_team, team_s, violations

pytestmark = [pytest.mark.celery, pytest.mark.slow]

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
PROJECT = Path(__file__).resolve().parents[2]
START, END = dt.date(2026, 12, 1), dt.date(2026, 12, 7)


def _redis_or_skip() -> None:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except Exception as e:  # noqa: BLE001
        pytest.skip(f"Redis unreachable at {REDIS_URL} ({type(e).__name__}: {e}); start it (.ci/run does)")


class Workers:
    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env, self.logs = env, logs
        self.procs: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, name: str, *extra: str) -> None:
        log = open(self.logs / f"{name}.log", "wb")  # noqa: SIM115 - kept open for the process's life
        self.procs[name] = subprocess.Popen(
            [sys.executable, "-c", "from app.cli import main; main()", "worker", "--concurrency", "1",
             "--name", f"{name}@{self.env['CELERY_QUEUE_PREFIX']}", "--loglevel", "info", *extra],
            cwd=PROJECT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def wait_ready(self, app: Any, timeout: float = 60) -> None:
        names = {f"{n}@{self.env['CELERY_QUEUE_PREFIX']}" for n in self.procs}
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            answered = {k for r in app.control.ping(destination=sorted(names), timeout=1.0) for k in r}
            if names <= answered:
                return
            for n, p in self.procs.items():
                assert p.poll() is None, f"worker {n} exited: {self.log(n)}"
        raise AssertionError(f"workers not ready: {[self.log(n) for n in self.procs]}")

    def log(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text(errors="replace")[-3000:]

    def stop(self) -> None:
        for p in self.procs.values():
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM)
        for p in self.procs.values():
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)  # our own process group only
                p.wait(10)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory, _migrated_template: Path) -> Iterator[dict[str, Any]]:
    """Three teams in a shared file database, two workers, and an API client using the Celery runner."""
    _redis_or_skip()
    tmp = tmp_path_factory.mktemp("celery")
    world = make_world(tmp, _migrated_template, multi_team(cut(team_s(), days=7, citizens=10), 3))
    prefix = f"hc-test-{uuid.uuid4().hex[:8]}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CELERY_", "JOBS_"))}
    env.update(DATABASE_URL=world.url, CELERY_BROKER_URL=REDIS_URL, CELERY_QUEUE_PREFIX=prefix,
               CELERY_VISIBILITY_TIMEOUT="25", JOBS_MAX_ATTEMPTS="3", PYTHONPATH=str(PROJECT))
    saved = {k: os.environ.get(k) for k in ("CELERY_BROKER_URL", "CELERY_QUEUE_PREFIX")}
    os.environ.update(CELERY_BROKER_URL=REDIS_URL, CELERY_QUEUE_PREFIX=prefix)
    get_settings.cache_clear()
    workers = Workers(env, tmp)
    from app.jobs.celery_app import make_celery
    from app.jobs.celery_runner import CeleryRunner

    celery = make_celery(REDIS_URL)
    try:
        workers.start("w1")
        workers.start("w2")
        workers.wait_ready(celery)
        yield {"world": world, "workers": workers, "runner": CeleryRunner(celery), "celery": celery,
               "tmp": tmp}
    finally:
        workers.stop()
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        get_settings.cache_clear()


@pytest.fixture
def client(cluster: dict[str, Any]) -> Iterator[Any]:
    from fastapi.testclient import TestClient

    from app.db import get_session
    from app.jobs.factory import get_job_runner
    from app.main import app

    world: World = cluster["world"]

    def _session() -> Iterator[Any]:
        with world.sessions() as s:
            yield s
            s.commit()

    app.dependency_overrides[get_session] = _session
    app.dependency_overrides[get_job_runner] = lambda: cluster["runner"]
    try:
        with TestClient(app) as c:
            yield c
    finally:
        app.dependency_overrides.pop(get_session, None)
        app.dependency_overrides.pop(get_job_runner, None)


def _start(client: Any, world: World, teams: list[str], **kw: Any) -> dict[str, Any]:
    body = {"team_ids": [world.teams[t] for t in teams], "start": str(START), "end": str(END),
            "time_limit": 30, "seed": 3, **kw}
    r = client.post("/api/plan-jobs", json=body, headers=world.headers["coordinator_all"])
    assert r.status_code == 202, r.text
    job: dict[str, Any] = r.json()
    assert job["runner"] == "celery"
    return job


def _finished(j: dict[str, Any]) -> bool:
    return j["status"] in ("succeeded", "failed", "cancelled")


def _accepted_baseline(world: World, team: str) -> tuple[int, list[Any]]:
    """An accepted plan for the team (every visit unplaced: enough to see whether it is touched)."""
    with world.sessions() as s:
        tid = world.teams[team]
        problem = build_problem(s, team_ids=[tid], start=START, end=END)
        plan = Plan(assignments=[], unplaced=[Unplaced(v.id, "baseline") for v in problem.visits])
        version = store_plan_version(s, team_ids=[tid], start=START, end=END, plan=plan)
        accept_plan_version(s, version=version, user=None)
        s.commit()
        return version.id, _snapshot(s, version.id)


def _snapshot(s: Any, version_id: int) -> list[Any]:
    v = s.get_one(m.PlanVersion, version_id)
    s.refresh(v)
    return [v.status, v.number, sorted((u.visit_id, u.reason) for u in v.unplaced),
            sorted((a.visit_id, a.start) for a in v.assignments)]


def test_a_municipality_plan_fans_out_over_two_workers_and_is_as_valid_as_one_process(
        cluster: dict[str, Any], client: Any) -> None:
    world: World = cluster["world"]
    job = _start(client, world, ["A-T1", "B-T1", "C-T1"], part_time_limit=3)
    done, seen = world.wait_for(client, job["id"], _finished, timeout=90, who="coordinator_all")
    assert done["status"] == "succeeded", (done, cluster["workers"].log("w1"), cluster["workers"].log("w2"))
    running = [j for j in seen if j["status"] == "running"]
    assert any(0 < j["progress"]["fraction"] < 1 for j in running), "aggregated progress was shown"
    assert all(sum(j["progress"]["parts"].values()) == 3 for j in running)
    with world.sessions() as s:
        pids = {p.pid for p in s.scalars(select(PlanJobPart).where(PlanJobPart.job_id == job["id"]))}
        assert len(pids) >= 2, "the teams were solved by more than one worker process"
        version = s.get_one(m.PlanVersion, done["plan_version_id"])
        assert version.status == m.PLAN_DRAFT
        fanned = plan_to_doc(plan_to_solver(s, version=version), world.instance["name"])
        # One process, the same problem, the same planner and budget per team: the reference.
        from solver.solve import solve
        from solver.types import SolveParams

        problem = build_problem(s, team_ids=list(world.teams.values()), start=START, end=END)
    single = plan_to_doc(solve(problem, SolveParams(time_limit=9, seed=3)), world.instance["name"])
    for plan in (fanned, single):
        assert violations(world.instance, plan) == []
        assert len(plan["visits"]) + len(plan["unassigned"]) == len(world.instance["visits"])
    assert len(fanned["visits"]) >= 0.95 * len(single["visits"])
    assert done["figures"]["placed"] == len(fanned["visits"])


def test_a_worker_killed_mid_part_ends_in_a_finished_job_and_the_accepted_plan_is_untouched(
        cluster: dict[str, Any], client: Any) -> None:
    world: World = cluster["world"]
    baseline_id, before = _accepted_baseline(world, "A-T1")
    job = _start(client, world, ["A-T1", "B-T1"], part_time_limit=4)
    world.wait_for(client, job["id"], lambda j: _finished(j) or any(
        p["status"] == "running" and p["fraction"] > 0 for p in j["parts"]), who="coordinator_all")
    with world.sessions() as s:
        victim = s.scalars(select(PlanJobPart).where(PlanJobPart.job_id == job["id"],
                                                     PlanJobPart.status == "running")).first()
        assert victim is not None and victim.pid is not None
        victim_id, victim_pid = victim.id, victim.pid
    os.kill(victim_pid, signal.SIGKILL)  # the process solving the part, by its own pid
    done, _ = world.wait_for(client, job["id"], _finished, timeout=90, who="coordinator_all")
    # One death costs one of three tries: the part is run again (by a fresh process) and the job ends.
    assert done["status"] == "succeeded", done
    with world.sessions() as s:
        part = s.get_one(PlanJobPart, victim_id)
        assert part.attempts == 2 and part.pid != victim_pid
        assert s.get_one(m.PlanVersion, done["plan_version_id"]).status == m.PLAN_DRAFT
        assert _snapshot(s, baseline_id) == before  # the accepted plan is exactly as it was


def test_a_whole_worker_machine_lost_mid_part_hands_the_part_to_another_worker(
        cluster: dict[str, Any], client: Any) -> None:
    """The worker process itself dies (no parent left to requeue): Redis hands the unacknowledged
    part to another worker after the visibility timeout (25 s here)."""
    from app.jobs.celery_app import solve_queue

    world: World = cluster["world"]
    workers: Workers = cluster["workers"]
    celery = cluster["celery"]
    prefix = workers.env["CELERY_QUEUE_PREFIX"]
    others = [f"w1@{prefix}", f"w2@{prefix}"]
    workers.start("solo", "--pool", "solo")
    workers.wait_ready(celery)
    celery.control.cancel_consumer(solve_queue(), destination=others, reply=True)  # only "solo" solves
    try:
        job = _start(client, world, ["C-T1"], part_time_limit=5)
        world.wait_for(client, job["id"], lambda j: j["parts"][0]["status"] == "running" or _finished(j),
                       who="coordinator_all")
        solo = workers.procs["solo"]
        with world.sessions() as s:
            part = s.scalars(select(PlanJobPart).where(PlanJobPart.job_id == job["id"])).one()
            assert part.pid == solo.pid
        os.kill(solo.pid, signal.SIGKILL)  # the whole worker, by its own pid
        solo.wait(10)
    finally:
        celery.control.add_consumer(solve_queue(), destination=others, reply=True)
    done, _ = world.wait_for(client, job["id"], _finished, timeout=60, who="coordinator_all")
    assert done["status"] == "succeeded", done
    assert done["parts"][0]["attempts"] == 2


def test_cancel_stops_every_part_on_every_worker_and_writes_nothing(
        cluster: dict[str, Any], client: Any) -> None:
    world: World = cluster["world"]
    versions = world.versions()
    job = _start(client, world, ["A-T1", "B-T1", "C-T1"], part_time_limit=120)
    world.wait_for(client, job["id"], lambda j: j["progress"]["parts"].get("running", 0) >= 2,
                   timeout=60, who="coordinator_all")
    t0 = time.monotonic()
    r = client.post(f"/api/plan-jobs/{job['id']}/cancel", headers=world.headers["coordinator_all"])
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    assert all(p["status"] == "cancelled" for p in r.json()["parts"])
    # Both workers are free again at once: a new two-team job of 2-second parts is done long before
    # the cancelled 120-second parts could have been.
    nxt = _start(client, world, ["A-T1", "B-T1"], part_time_limit=2)
    done, _ = world.wait_for(client, nxt["id"], _finished, timeout=60, who="coordinator_all")
    assert done["status"] == "succeeded" and time.monotonic() - t0 < 45
    with world.sessions() as s:
        assert s.get_one(PlanJob, job["id"]).status == "cancelled"
        assert s.get_one(PlanJob, job["id"]).plan_version_id is None
    assert world.versions() == versions + 1  # only the new job's draft


def test_ready_sees_the_broker_and_workers_on_both_queues(cluster: dict[str, Any], client: Any) -> None:
    answer = client.get("/health/ready")
    assert answer.status_code == 200, answer.text
    assert answer.json()["checks"] == {"database": "ok", "schema": "ok", "broker": "ok", "workers": "ok"}


def test_a_worker_s_log_lines_about_a_job_carry_the_id_of_the_request_that_started_it(
        cluster: dict[str, Any], client: Any) -> None:
    world: World = cluster["world"]
    request_id = "5eed0123456789abcdef0123456789ab"
    body = {"team_ids": [world.teams["A-T1"]], "start": str(START), "end": str(END), "time_limit": 30,
            "part_time_limit": 1, "seed": 3}
    started = client.post("/api/plan-jobs", json=body,
                          headers={**world.headers["coordinator_all"], "X-Request-ID": request_id})
    assert started.status_code == 202, started.text
    done, _seen = world.wait_for(client, started.json()["id"], _finished, timeout=90, who="coordinator_all")
    assert done["status"] == "succeeded"
    lines = [json.loads(line) for name in ("w1", "w2")
             for line in (cluster["tmp"] / f"{name}.log").read_text(errors="replace").splitlines()
             if line.startswith("{")]
    gathered = [line for line in lines
                if "gathered" in line["message"] and f"job {done['id']} " in line["message"]]
    assert [line["request_id"] for line in gathered] == [request_id]
