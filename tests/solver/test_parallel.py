"""More than one core: teams split over worker processes, spare workers racing other seeds."""

from __future__ import annotations

import dataclasses
import datetime as dt
import multiprocessing as mp
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from solver import SolveParams, solve
from solver.parallel import restrict, team_groups
from solver.types import Carer, Citizen, Problem, Progress, Shift, Team, Visit
from tests.solver.conftest import BASE, by_visit, verify


def two_teams() -> Problem:
    """Teams T and U, two carers and three citizens each, a week of morning and evening visits."""
    carers, citizens, visits = [], [], []
    for t, team in enumerate(("T", "U")):
        for i in range(2):
            shifts = tuple(Shift(d, 420, 1320) for d in range(7))
            carers.append(Carer(f"{team}-c{i}", team, frozenset(), shifts))
        for i in range(3):
            pid = f"{team}-p{i}"
            citizens.append(Citizen(pid, team, BASE[0] + 0.01 * (i + 1), BASE[1] + 0.02 * t))
            for d in range(7):
                visits.append(Visit(f"{pid}-d{d}-m", pid, "morning", d, 450 + 20 * i, 560, 30))
                visits.append(Visit(f"{pid}-d{d}-e", pid, "evening", d, 1080 + 20 * i, 1200, 30))
    return Problem(name="two-teams", start_date=dt.date(2026, 12, 1), days=7,
                   teams=[Team("T", *BASE), Team("U", *BASE)], carers=carers, citizens=citizens,
                   visits=visits, max_carers_per_month=3)


def test_teams_are_dealt_out_by_their_visits() -> None:
    problem = two_teams()
    extra = [dataclasses.replace(v, id=v.id + "x") for v in problem.visits if v.citizen.startswith("T")]
    problem = dataclasses.replace(problem, visits=problem.visits + extra)
    assert team_groups(problem, 2) == [["T"], ["U"]]
    assert team_groups(problem, 1) == [["T", "U"]]
    assert team_groups(problem, 8) == [["T"], ["U"]]  # never more groups than teams


def test_a_teams_part_holds_only_its_own_people_and_visits() -> None:
    problem = two_teams()
    stray = Visit("nobody-d0", "nobody", "morning", 0, 450, 560, 30)
    problem = dataclasses.replace(problem, visits=problem.visits + [stray])
    part = restrict(problem, {"U"})
    assert {c.team for c in part.carers} == {p.team for p in part.citizens} == {"U"}
    assert all(v.citizen.startswith("U-") for v in part.visits)
    assert stray in restrict(problem, {"T"}, strays=True).visits


def test_two_workers_plan_both_teams_and_every_plan_passes_the_verifier() -> None:
    problem = two_teams()
    seen: list[Progress] = []
    plan = solve(problem, SolveParams(time_limit=8, seed=3, workers=2, on_progress=seen.append))

    assert verify(problem, plan)[0] == []
    assert len(plan.assignments) == len(problem.visits)
    assert plan.stats["worker_processes"] == 2
    assert seen and seen[-1].phase == "done" and seen[-1].fraction == 1.0
    assert plan.bound is not None and plan.objective is not None and 0 < plan.bound <= plan.objective
    assert seen[-1].bound == plan.bound  # both teams' bounds, summed
    # The phase follows the workers: construction until every worker has a first plan, then improvement.
    phases = [p.phase for p in seen]
    assert phases[0] == "construct" and "improve" in phases
    assert "construct" not in phases[phases.index("improve"):]
    team_of = {c.id: c.team for c in problem.carers}
    citizen_team = {p.id: p.team for p in problem.citizens}
    planned = by_visit(plan)
    assert all(team_of[c] == citizen_team[v.citizen] for v in problem.visits for c in planned[v.id].carers)


def test_spare_workers_race_other_seeds_and_the_same_steps_give_the_same_plan() -> None:
    problem = restrict(two_teams(), {"T"})
    params = dict(time_limit=30, seed=5, workers=2, max_iterations=30)
    first = solve(problem, SolveParams(**params))  # type: ignore[arg-type]
    again = solve(problem, SolveParams(**params))  # type: ignore[arg-type]

    assert first.stats["worker_processes"] == 2  # one team, two seeds
    assert first.assignments == again.assignments
    assert verify(problem, first)[0] == []


def test_a_stop_request_reaches_the_worker_processes() -> None:
    problem = two_teams()
    t0 = time.monotonic()
    plan = solve(problem, SolveParams(time_limit=60, seed=1, workers=2,
                                      should_stop=lambda: time.monotonic() - t0 > 3))

    assert time.monotonic() - t0 < 20
    assert verify(problem, plan)[0] == []


def _stat(pid: int | str) -> list[str] | None:
    """/proc/PID/stat after the command name (state first, then ppid), or None if the process is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None


def _running(pid: int) -> bool:
    fields = _stat(pid)
    return fields is not None and fields[0] != "Z"


def _children() -> dict[int, list[int]]:
    """Every running process's children, from Linux's /proc."""
    out: dict[int, list[int]] = {}
    for d in os.listdir("/proc"):
        if d.isdigit() and (fields := _stat(d)) is not None and fields[0] != "Z":
            out.setdefault(int(fields[1]), []).append(int(d))
    return out


@pytest.mark.skipif(not os.path.isdir("/proc") or "forkserver" not in mp.get_all_start_methods(),
                    reason="reads the process tree from Linux's /proc")
def test_when_the_planning_process_is_killed_its_workers_stop_too() -> None:
    """A killed `homecare plan` (kill -9, no stop request) must not leave workers planning for minutes."""
    script = ("from solver import SolveParams, solve\n"
              "from tests.solver.test_parallel import two_teams\n"
              "solve(two_teams(), SolveParams(time_limit=120, seed=1, workers=2,"
              " on_progress=lambda p: print(p.phase, flush=True)))\n")
    root = Path(__file__).resolve().parents[2]
    planner = subprocess.Popen([sys.executable, "-c", script], cwd=root, stdout=subprocess.PIPE, text=True,
                               env={**os.environ, "PYTHONPATH": str(root)})
    try:
        workers: list[int] = []
        until = time.monotonic() + 60
        while len(workers) < 2 and time.monotonic() < until:
            time.sleep(0.2)
            tree = _children()
            # planner -> forkserver -> the workers
            workers = [w for fs in tree.get(planner.pid, []) for w in tree.get(fs, [])]
        assert len(workers) == 2, "the planner did not start its two workers"
        assert planner.stdout is not None and planner.stdout.readline()  # they are planning
    finally:
        planner.kill()
        planner.wait()
    until = time.monotonic() + 15
    while any(_running(w) for w in workers) and time.monotonic() < until:
        time.sleep(0.2)
    left = [w for w in workers if _running(w)]
    for w in left:
        os.kill(w, signal.SIGKILL)
    assert left == [], "worker processes went on planning after their planner was killed"


class _EndsItsWorker(Visit):
    """A visit that ends the process it is sent to (unpickling it calls os._exit(3)): a worker crash."""

    __slots__ = ()

    def __reduce__(self) -> tuple[Any, tuple[int]]:
        return (os._exit, (3,))


def test_a_crashed_worker_leaves_its_teams_visits_unplaced_with_a_reason_and_the_rest_stands() -> None:
    problem = two_teams()
    poison = _EndsItsWorker("U-p0-d0-late", "U-p0", "late", 0, 1300, 1310, 10)
    problem = dataclasses.replace(problem, visits=problem.visits + [poison])

    plan = solve(problem, SolveParams(time_limit=6, seed=1, workers=2))

    placed = by_visit(plan)
    assert {vid for vid in placed} == {v.id for v in problem.visits if v.citizen.startswith("T-")}
    reasons = {u.visit: u.reason for u in plan.unplaced}
    assert set(reasons) == {v.id for v in problem.visits if v.citizen.startswith("U-")}
    assert all("worker process stopped (exit code 3)" in r for r in reasons.values())
