"""Daily adjustments and re-planning, without a database: apply changes, re-plan, diff, hand moves.

`replan()` is the one path the CLI, the API service and the benchmark share: apply a change set to the
problem, hand the solver the current plan and the re-plan days (the solver keeps what it can and moves
what it must), then diff the result against the plan before and guard what the solver promised.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from app.replan.changes import apply_changes, forced_visits
from app.replan.diff import PlanDiff, diff_plans
from exchange.changes import ChangeSet
from solver import types as st
from solver.check import check_assignments


class ReplanFailed(RuntimeError):
    """The re-plan did not give a plan that may replace the current one (the current plan stays)."""


@dataclass(slots=True)
class ReplanResult:
    adjusted: st.Problem
    plan: st.Plan
    diff: PlanDiff
    forced: set[str]
    seconds: float
    released_pins: list[str] = field(default_factory=list)  # pins the changes made impossible


def _solve(problem: st.Problem, params: st.SolveParams) -> st.Plan:
    from solver.solve import solve  # imported late: heavy (OR-Tools)

    plan: st.Plan = solve(problem, params)
    if plan.stats.get("error"):
        reason = plan.unplaced[0].reason if plan.unplaced else "unknown error"
        raise ReplanFailed(reason)
    return plan


def replan(problem: st.Problem, current: Iterable[st.Assignment], changes: ChangeSet, *,
           params: st.SolveParams | None = None, pinned: Iterable[st.Assignment] = (),
           stale: Iterable[str] = ()) -> ReplanResult:
    """Re-plan `problem` (the instance before the changes) whose plan is `current` after `changes`.

    `stale`: visits whose current assignment a change already stored made wrong (a need edited, a carer
    ended); they are planned afresh like the ones `changes` touch.

    Raises ReplanFailed when the solver fails or breaks a promise (moves something outside the re-plan
    days or a pinned assignment, or returns an infeasible plan); nothing is half-done, there is no state.
    """
    t0 = time.perf_counter()
    current = list(current)
    base = dataclasses.replace(problem, current=current, pinned=list(pinned))
    adjusted = apply_changes(base, changes)
    forced = forced_visits(problem, adjusted, changes, current) | set(stale)
    # A pin whose carer is no longer on shift can no longer hold; it is released (and reported).
    released = sorted(a.visit for a in adjusted.pinned if a.visit in forced)
    if released:
        adjusted.pinned = [a for a in adjusted.pinned if a.visit not in released]
    # A visit the changes touched moves at no disturbance cost (the reference counts it as forced), so the
    # planner must not keep it at the expense of an untouched one: it is planned afresh, after every
    # untouched visit is back in its place. Were it kept as "current", pushing an untouched neighbour
    # a few minutes would look cheaper than giving the touched visit to another carer who met the citizen.
    adjusted.current = [a for a in adjusted.current if a.visit not in forced]
    try:
        plan = _solve(adjusted, params or st.SolveParams(time_limit=5.0))
    except ReplanFailed:
        raise
    except Exception as e:  # the planner's failure must not take the current plan with it
        raise ReplanFailed(f"the planner failed: {e}") from e
    _guard(adjusted, current, plan)
    diff = diff_plans(adjusted, current, plan, forced=forced)
    return ReplanResult(adjusted=adjusted, plan=plan, diff=diff, forced=forced,
                        seconds=time.perf_counter() - t0, released_pins=released)


def _same(a: st.Assignment, b: st.Assignment | None) -> bool:
    return b is not None and a.start == b.start and sorted(a.carers) == sorted(b.carers)


def _guard(adjusted: st.Problem, current: list[st.Assignment], plan: st.Plan) -> None:
    """What the re-plan promised: nothing outside the days changed, pins held, every visit once, feasible."""
    lo, hi = adjusted.replan_days or (0, adjusted.days - 1)
    day_of = {v.id: v.day for v in adjusted.visits}
    old = {a.visit: a for a in current}
    new = {a.visit: a for a in plan.assignments}
    outside = []
    for vid, d in day_of.items():
        if lo <= d <= hi:
            continue
        if (vid in old and not _same(old[vid], new.get(vid))) or (vid not in old and vid in new):
            outside.append(vid)
    if outside:
        raise ReplanFailed(f"the planner changed {len(outside)} visits outside days {lo}-{hi}, "
                           f"e.g. {sorted(outside)[:3]}")
    moved_pins = [p.visit for p in adjusted.pinned if not _same(p, new.get(p.visit))]
    if moved_pins:
        raise ReplanFailed(f"the planner moved pinned assignments {moved_pins[:3]}")
    named = set(new) | {u.visit for u in plan.unplaced}
    if len(new) + len(plan.unplaced) != len(day_of) or named != set(day_of):
        raise ReplanFailed("the planner's plan does not name every visit exactly once")
    bad = check_assignments(adjusted, plan.assignments)
    if bad:
        vid, msg = sorted(bad.items())[0]
        raise ReplanFailed(f"the planner's plan breaks a hard rule: {vid}: {msg} ({len(bad)} visits)")
