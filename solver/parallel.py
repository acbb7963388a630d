"""More than one core: teams are split over worker processes, or seeds race on the same teams.

Teams share no carers, so a problem's teams are independent sub-problems (PLANNER-NOTES.md): with
`workers` > 1 they are dealt out to worker processes, balanced by visits, and each process plans its
teams with the one-process planner (solver/planner.py) and the whole time limit. When there are
fewer teams than workers, the spare workers plan the same teams with other seeds and the best plan
of each group wins (a portfolio, as CP-SAT runs inside). Progress and the stop request cross the
process boundary through one queue and one event. With one worker nothing here runs, and a seed
gives the same plan as ever.
"""

from __future__ import annotations

import dataclasses
import multiprocessing as mp
import os
import queue
import resource
import time
from collections.abc import Callable
from multiprocessing.context import ForkServerContext, SpawnContext
from typing import Any

from solver.objective import Weights
from solver.planner import plan_teams
from solver.types import Plan, Problem, Progress, SolveParams, failed_plan

SEED_STRIDE = 7919  # replicas of one group search with seeds this far apart
MERGE_SECONDS = 0.5  # kept back from the time limit for starting the processes and merging their plans
POLL_SECONDS = 0.2
EXIT_GRACE_SECONDS = 2.0


def usable_workers(params: SolveParams) -> int:
    """Processes worth starting: no more than asked, than cores, and none inside a daemon process
    (a Celery prefork child may not have children)."""
    if params.workers <= 1 or mp.current_process().daemon:
        return 1
    return max(1, min(params.workers, os.cpu_count() or 1))


def team_groups(problem: Problem, n: int) -> list[list[str]]:
    """The problem's teams in at most n groups of about equal visits (largest team first)."""
    team_of = {p.id: p.team for p in problem.citizens}
    size: dict[str, int] = {}
    for v in problem.visits:
        t = team_of.get(v.citizen)
        if t is not None:
            size[t] = size.get(t, 0) + 1
    groups: list[list[str]] = [[] for _ in range(min(n, len(size)))]
    load = [0] * len(groups)
    for t in sorted(size, key=lambda t: (-size[t], t)):
        i = load.index(min(load))
        groups[i].append(t)
        load[i] += size[t]
    return [sorted(g) for g in groups]


def restrict(problem: Problem, teams: set[str], *, strays: bool = False) -> Problem:
    """The part of `problem` that concerns `teams` (with `strays`, also visits of unknown citizens,
    so that exactly one part reports them)."""
    citizens = [p for p in problem.citizens if p.team in teams]
    ids = {p.id for p in citizens}
    known = {p.id for p in problem.citizens}
    visits = [v for v in problem.visits if v.citizen in ids or (strays and v.citizen not in known)]
    vids = {v.id for v in visits}
    return dataclasses.replace(
        problem, teams=[t for t in problem.teams if t.id in teams],
        carers=[c for c in problem.carers if c.team in teams], citizens=citizens, visits=visits,
        met_before={k: cs for k, cs in problem.met_before.items() if k[0] in ids},
        pinned=[a for a in problem.pinned if a.visit in vids],
        current=[a for a in problem.current if a.visit in vids])


def _worker(idx: int, problem: Problem, seed: int, deadline: float, max_iterations: int | None,
            weights: Weights, out: Any, stop: Any) -> None:
    """One worker process: plan `problem` until the wall-clock `deadline`, then send the plan."""
    parent = mp.parent_process()

    def orphaned() -> bool:
        # The planning process was killed, not stopped (no stop event came): nobody will read the
        # plan, and a worker left alone would plan on to its deadline, up to twenty minutes.
        return parent is not None and not parent.is_alive()

    def progress(p: Progress) -> None:
        out.put(("progress", idx, p.objective, p.fraction, p.phase, p.bound))

    params = SolveParams(time_limit=max(0.1, deadline - time.time()), seed=seed, workers=1,
                         on_progress=progress, should_stop=lambda: stop.is_set() or orphaned(),
                         max_iterations=max_iterations, weights=weights)
    plan = plan_teams(problem, params)
    if orphaned():
        return
    plan.stats["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB
    out.put(("plan", idx, plan))


@dataclasses.dataclass(slots=True)
class _Job:
    group: int
    problem: Problem
    seed: int
    process: Any = None
    plan: Plan | None = None
    objective: float | None = None
    fraction: float = 0.0
    phase: str = "construct"
    bound: float | None = None
    exited_at: float = 0.0


def solve_in_processes(problem: Problem, params: SolveParams, workers: int,
                       report: Callable[[str, float | None, float, str, float | None], None],
                       stop: Callable[[], bool]) -> Plan:
    """Plan with `workers` processes (see the module's docstring); never raises for a worker's failure."""
    t0 = time.monotonic()
    groups = team_groups(problem, workers)
    if not groups:
        groups = [[]]
    replicas = max(1, workers // len(groups))
    jobs = [_Job(g, restrict(problem, set(teams), strays=g == 0), params.seed + SEED_STRIDE * r)
            for g, teams in enumerate(groups) for r in range(replicas)]
    ctx = _context()
    out = ctx.Queue()
    stop_event = ctx.Event()
    deadline = time.time() + max(0.1, params.time_limit - MERGE_SECONDS)
    for i, job in enumerate(jobs):
        job.process = ctx.Process(target=_worker, daemon=True, name=f"planner-{i}",
                                  args=(i, job.problem, job.seed, deadline, params.max_iterations,
                                        params.weights, out, stop_event))
        job.process.start()
    report("construct", None, 0.0, f"{len(jobs)} worker processes for {len(groups)} group(s) of teams", None)
    pending = set(range(len(jobs)))
    try:
        while pending:
            if stop():
                stop_event.set()
            try:
                msg = out.get(timeout=POLL_SECONDS)
            except queue.Empty:
                for i in list(pending):
                    code = jobs[i].process.exitcode
                    if code is None:
                        continue
                    # A worker that sent its plan has exited too: give the message time to arrive.
                    jobs[i].exited_at = jobs[i].exited_at or time.monotonic()
                    if time.monotonic() - jobs[i].exited_at > EXIT_GRACE_SECONDS:
                        why = f"its worker process stopped (exit code {code})"
                        jobs[i].plan = failed_plan(jobs[i].problem, why)
                        pending.discard(i)
                continue
            kind, i = msg[0], msg[1]
            if kind == "progress":
                jobs[i].objective, jobs[i].fraction, jobs[i].phase = msg[2], msg[3], msg[4]
                jobs[i].bound = msg[5] if msg[5] is not None else jobs[i].bound
                objective = _sum_per_group(jobs, lambda j: j.objective, min)
                bound = _sum_per_group(jobs, lambda j: j.bound, max)
                # The phase of the slowest worker: "improve" only once every worker has a first plan.
                phase = "construct" if any(j.phase == "construct" for j in jobs) else "improve"
                report(phase, objective, sum(j.fraction for j in jobs) / len(jobs),
                       f"{len(jobs)} worker processes", bound)
            else:
                jobs[i].plan = msg[2]
                pending.discard(i)
    finally:
        stop_event.set()
        for job in jobs:
            job.process.join(timeout=5)
            if job.process.is_alive():
                job.process.kill()
    plans = [_pick([j for j in jobs if j.group == g]) for g in range(len(groups))]
    merged = _merge(plans)
    merged.stats["elapsed_seconds"] = round(time.monotonic() - t0, 2)
    merged.stats["worker_processes"] = float(len(jobs))
    # The workers run side by side: together they hold at most the sum of their peaks.
    merged.stats["workers_peak_rss_mib"] = round(sum(j.plan.stats.get("peak_rss_mib", 0.0)
                                                     for j in jobs if j.plan is not None), 1)
    return merged


def _context() -> ForkServerContext | SpawnContext:
    """Fresh processes, not forks of a process that may run threads (a web server's solve jobs)."""
    if "forkserver" in mp.get_all_start_methods():
        ctx = mp.get_context("forkserver")
        ctx.set_forkserver_preload(["solver.planner"])  # each worker starts with the planner imported
        return ctx
    return mp.get_context("spawn")


def _sum_per_group(jobs: list[_Job], value: Callable[[_Job], float | None],
                   best: Callable[[list[float]], float]) -> float | None:
    """The sum over groups of each group's best value (min for objectives, max for bounds); None
    until every group has one."""
    total = 0.0
    for g in sorted({j.group for j in jobs}):
        vals = [x for j in jobs if j.group == g and (x := value(j)) is not None]
        if not vals:
            return None
        total += best(vals)
    return total


def _pick(replicas: list[_Job]) -> Plan:
    """The group's best plan: no error first, then the lowest objective, then the first replica."""
    def key(j: _Job) -> tuple[bool, float]:
        p = j.plan
        assert p is not None
        return (bool(p.stats.get("error")), p.objective if p.objective is not None else float("inf"))
    return min(replicas, key=key).plan  # type: ignore[return-value]


def _merge(plans: list[Plan]) -> Plan:
    out = Plan(assignments=[a for p in plans for a in p.assignments],
               unplaced=[u for p in plans for u in p.unplaced],
               objective=sum(p.objective or 0.0 for p in plans),
               bound=None if any(p.bound is None for p in plans) else sum(p.bound or 0.0 for p in plans))
    for p in plans:
        for k, v in p.stats.items():
            if k == "distinct_carers_max":
                out.stats[k] = max(out.stats.get(k, 0.0), v)
            elif k not in ("elapsed_seconds", "peak_rss_mib"):
                out.stats[k] = out.stats.get(k, 0.0) + v
    return out
