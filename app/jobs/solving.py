"""Solving one part: exchange-format payload in, exchange-format result out. No database here.

The solve function is named by a dotted path ("module:function") so that a child process or a
Celery worker on another machine can find it: the setting `jobs_solve_function`, the planner's
`solver.solve:solve` unless a test names a stand-in.
"""

from __future__ import annotations

import contextlib
import importlib
import os
from collections.abc import Callable
from typing import Any

from app.jobs.codec import payload_to_problem, plan_to_result
from app.settings import get_settings
from solver.objective import CONTINUITY_DEFAULT, weights_for
from solver.types import Plan, Problem, Progress, SolveParams

SolveFn = Callable[[Problem, SolveParams], Plan]


class SolveFailed(RuntimeError):
    """The planner gave no usable plan; the message says why (stored on the job)."""


def solve_function_path() -> str:
    return get_settings().jobs_solve_function


def resolve(path: str | None = None) -> SolveFn:
    module, _, name = (path or solve_function_path()).partition(":")
    fn: SolveFn = getattr(importlib.import_module(module), name or "solve")
    return fn


def solve_payload(payload: dict[str, Any], *, time_limit: float, seed: int, solve_fn: SolveFn,
                  on_progress: Callable[[Progress], None] | None = None,
                  should_stop: Callable[[], bool] | None = None, workers: int = 1,
                  steps: int | None = None, continuity: str = CONTINUITY_DEFAULT) -> dict[str, Any]:
    """Solve one part with the goals weighed by `continuity`. Raises SolveFailed when the planner
    reports an error instead of a plan."""
    problem = payload_to_problem(payload)
    params = SolveParams(time_limit=time_limit, seed=seed, workers=workers,
                         on_progress=on_progress, should_stop=should_stop, max_iterations=steps,
                         weights=weights_for(continuity))
    plan = solve_fn(problem, params)
    # The planner never raises for a bad problem: it unplaces everything and flags the error.
    if plan.stats.get("error"):
        reason = plan.unplaced[0].reason if plan.unplaced else "the planner reported an error"
        raise SolveFailed(reason)
    known = {v.id for v in problem.visits}
    covered = {a.visit for a in plan.assignments} | {u.visit for u in plan.unplaced}
    if covered != known:
        raise SolveFailed(f"the planner's plan covers {len(covered & known)} of {len(known)} visits")
    return plan_to_result(plan, problem.name)


def lower_priority(nice: int, *, idle: bool = False) -> None:
    """Run this process (and the processes and threads it starts) `nice` steps below its parent (see
    `jobs_solve_nice`), and with `idle` in Linux's idle scheduling class (see `jobs_solve_idle`); where
    the system has no such thing, as it is."""
    if nice > 0 and hasattr(os, "nice"):
        os.nice(nice)
    if idle and hasattr(os, "sched_setscheduler") and hasattr(os, "SCHED_IDLE"):
        with contextlib.suppress(OSError):  # a container that forbids it: the nice value still holds
            os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
