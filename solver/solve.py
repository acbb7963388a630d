"""`solve(problem, params) -> Plan`: the planner's one entry point.

With one worker the teams are planned in this process (solver/planner.py); with more, teams are
split over worker processes, or seeds race on the same teams (solver/parallel.py), each process
running the same one-process planner.
"""

from __future__ import annotations

from solver.parallel import solve_in_processes, usable_workers
from solver.planner import Clock, plan_teams
from solver.types import Plan, Problem, SolveParams, failed_plan


def solve(problem: Problem, params: SolveParams | None = None) -> Plan:
    """Plan every visit that can be placed; never raises for a bad problem (it explains instead)."""
    params = params or SolveParams()
    clock = Clock(params)
    workers = usable_workers(params)
    if workers <= 1:
        return plan_teams(problem, params, clock)
    try:
        plan = solve_in_processes(problem, params, workers, clock.report, clock.stop)
    except Exception as e:  # noqa: BLE001 - a plan with reasons beats a traceback in a web request
        return failed_plan(problem, f"{type(e).__name__}: {e}")
    clock.report("done", plan.objective, 1.0,
                 f"{len(plan.assignments)} visits placed, {len(plan.unplaced)} not")
    return plan
