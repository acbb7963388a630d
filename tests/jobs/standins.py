"""Stand-in planners for the job tests only (named by dotted path, so child processes and Celery
workers find them). The product always runs the real planner (`solver.solve:solve`)."""

from __future__ import annotations

import time
from collections.abc import Sequence

from solver.types import Plan, Problem, Progress, SolveParams, Unplaced


def crashing_solve(problem: Problem, params: SolveParams) -> Plan:
    """A planner that reports some progress, then crashes."""
    if params.on_progress is not None:
        params.on_progress(Progress(phase="construct", elapsed=0.1, fraction=0.1, message="building"))
    time.sleep(0.5)
    raise RuntimeError("the planner ran out of memory")


def error_plan_solve(problem: Problem, params: SolveParams) -> Plan:
    """A planner that gives up the way solver.solve does: every visit unplaced, stats["error"] set."""
    plan = Plan(assignments=[], unplaced=[Unplaced(v.id, "the planner failed: boom") for v in problem.visits])
    plan.stats["error"] = 1.0
    return plan


class QueuedOnly:
    """A job runner that takes jobs and never runs them: for tests about what is stored and answered."""

    name = "inprocess"

    def check_available(self) -> None:
        pass

    def submit(self, job_id: int) -> None:
        pass

    def cancel(self, job_id: int, part_ids: Sequence[int]) -> None:
        pass

    def shutdown(self) -> None:
        pass


def priority_solve(problem: Problem, params: SolveParams) -> Plan:
    """A planner that reports the priority (nice value, and on Linux whether it runs in the idle
    scheduling class) of the process it runs in, and plans nothing."""
    import os

    plan = Plan(assignments=[], unplaced=[Unplaced(v.id, "not planned") for v in problem.visits])
    plan.stats["nice"] = float(os.getpriority(os.PRIO_PROCESS, 0))
    if hasattr(os, "SCHED_IDLE"):
        plan.stats["idle_class"] = float(os.sched_getscheduler(0) == os.SCHED_IDLE)
    return plan


def process_and_priority() -> tuple[int, int]:
    """The id and the priority (nice value) of the process this runs in."""
    import os

    return os.getpid(), os.getpriority(os.PRIO_PROCESS, 0)


def weights_solve(problem: Problem, params: SolveParams) -> Plan:
    """A planner that plans nothing and names, in each visit's reason, the weights it was given."""
    said = f"weighed a new face at {params.weights.new_carer}, a minute of travel at {params.weights.travel}"
    return Plan(assignments=[], unplaced=[Unplaced(v.id, said) for v in problem.visits])
