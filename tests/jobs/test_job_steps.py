"""The steps a job goes through, one by one: what two processes racing on one job can and cannot do."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest

from app.jobs import codec, execute
from app.jobs.progress import aggregate
from app.jobs.solving import resolve, solve_payload
from app.services import jobs as service
from models.jobs import PlanJob, PlanJobPart
from solver.types import Progress
from tests.jobs.conftest import World
from tests.jobs.helpers import cut, team_s

START, END = dt.date(2026, 12, 1), dt.date(2026, 12, 7)


def _job(world: World, teams: list[str], **kw: Any) -> int:
    with world.sessions() as s:
        user = s.merge(world.users["coordinator_all"])
        job = service.start_plan_job(s, user=user, team_ids=[world.teams[t] for t in teams], start=START,
                                     end=END, time_limit=2, seed=0, runner="inprocess", **kw)
        s.commit()
        return job.id


def _solve(c: execute.Claim) -> dict[str, Any]:
    return solve_payload(c.payload, time_limit=c.time_limit, seed=c.seed, solve_fn=resolve())


def _status(world: World, job_id: int) -> tuple[str, list[str], int | None]:
    with world.sessions() as s:
        job = s.get_one(PlanJob, job_id)
        return job.status, [p.status for p in job.parts], job.plan_version_id


def test_the_last_part_to_finish_gathers_and_only_once(any_world: World) -> None:
    world = any_world
    job_id = _job(world, ["A-T1", "B-T1"], part_time_limit=1)
    parts = execute.prepare(world.sessions, job_id)
    assert len(parts) == 2 and execute.prepare(world.sessions, job_id) == parts  # idempotent
    claims = [c for p in parts if (c := execute.claim(world.sessions, p, max_attempts=3)) is not None]
    assert len(claims) == 2
    results = [_solve(c) for c in claims]
    assert execute.complete(world.sessions, claims[0], results[0]) is False  # another part still running
    assert execute.complete(world.sessions, claims[1], results[1]) is True  # the last one wins
    assert execute.complete(world.sessions, claims[1], results[1]) is False  # a duplicate does not
    assert execute.gather(world.sessions, job_id) is True
    assert execute.gather(world.sessions, job_id) is False  # a redelivered gather writes nothing more
    status, part_statuses, version = _status(world, job_id)
    assert status == "succeeded" and part_statuses == ["succeeded"] * 2 and version is not None
    assert world.versions() == 1


def test_a_result_arriving_after_the_cancel_is_discarded(any_world: World) -> None:
    world = any_world
    job_id = _job(world, ["A-T1"], part_time_limit=1)
    (part_id,) = execute.prepare(world.sessions, job_id)
    c = execute.claim(world.sessions, part_id, max_attempts=3)
    assert c is not None
    result = _solve(c)
    with world.sessions() as s:
        service.cancel_job(s, user=s.merge(world.users["coordinator_all"]), job_id=job_id)
        s.commit()
    assert execute.complete(world.sessions, c, result) is False
    assert _status(world, job_id)[0] == "cancelled" and world.versions() == 0


def test_a_cancel_during_the_gather_rolls_the_plan_version_back(any_world: World) -> None:
    world = any_world
    if world.url.startswith("sqlite"):
        pytest.skip("SQLite runs one writer at a time: a cancel waits for the gather's commit (then 409)")
    job_id = _job(world, ["A-T1"], part_time_limit=1)
    (part_id,) = execute.prepare(world.sessions, job_id)
    c = execute.claim(world.sessions, part_id, max_attempts=3)
    assert c is not None and execute.complete(world.sessions, c, _solve(c)) is True

    def cancel_then_store(session: Any, **kw: Any) -> Any:
        with world.sessions() as other:  # the coordinator's cancel lands while the gather works
            other.query(PlanJob).filter_by(id=job_id).update({"status": "cancelled"})
            other.commit()
        return execute.default_store(session, **kw)

    # The version is written, then the final conditional UPDATE finds "cancelled": all rolled back.
    assert execute.gather(world.sessions, job_id, store=cancel_then_store) is False
    assert world.versions() == 0 and _status(world, job_id)[0] == "cancelled"


def test_a_part_whose_worker_died_too_often_fails_the_job_clearly(any_world: World) -> None:
    world = any_world
    job_id = _job(world, ["A-T1"])
    (part_id,) = execute.prepare(world.sessions, job_id)
    for _ in range(2):  # two workers took it and died (never completed)
        assert execute.claim(world.sessions, part_id, max_attempts=2) is not None
    assert execute.claim(world.sessions, part_id, max_attempts=2) is None
    with world.sessions() as s:
        job = s.get_one(PlanJob, job_id)
        assert job.status == "failed" and "started 2 times" in (job.error or "")
        assert s.get_one(PlanJobPart, part_id).status == "failed"


def test_progress_is_weighted_by_team_size_and_sums_objectives_only_when_all_report() -> None:
    def part(status: str, size: int, fraction: float, objective: float | None, phase: str) -> Any:
        return SimpleNamespace(status=status, size=size, fraction=fraction, objective=objective, bound=None,
                               phase=phase, elapsed=1.0)

    p = aggregate([part("succeeded", 300, 1.0, 10.0, "done"), part("running", 100, 0.5, None, "construct")])
    assert p.fraction == pytest.approx((300 + 50) / 400)
    assert p.objective is None and p.phase == "construct" and p.parts == {"running": 1, "succeeded": 1}
    p = aggregate([part("succeeded", 300, 1.0, 10.0, "done"), part("running", 100, 0.5, 5.0, "improve")])
    assert p.objective == 15.0 and p.phase == "improve"


def test_splitting_by_team_and_merging_back_keeps_every_visit_and_carer() -> None:
    from exchange import parse_instance, to_problem
    from tests.jobs.helpers import multi_team

    problem = to_problem(parse_instance(multi_team(cut(team_s(), days=3), 3)))
    subs = codec.split_by_team(problem)
    assert [t for t, _ in subs] == ["A-T1", "B-T1", "C-T1"]
    assert sum(len(p.visits) for _, p in subs) == len(problem.visits)
    assert all({c.team for c in p.carers} == {t} for t, p in subs)
    back = codec.payload_to_problem(codec.problem_to_payload(subs[1][1]))
    assert back.visits == subs[1][1].visits and back.carers == subs[1][1].carers
    _ = Progress
