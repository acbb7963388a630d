"""Large-neighbourhood search over one team's plan.

Each step draws a neighbourhood (solver/neighbourhoods.py) by its weight, frees part of the plan,
re-places it, and keeps the change if the plan got better (or only slightly worse, early on, to
leave local optima); a step that gains is drawn more often, one that fails less. Every
SWEEP_EVERY steps, and at the end, the descents (solver/descents.py) sweep what the random steps
leave behind. The plan is priced by TeamState, which prices each goal through solver/objective.py.

Randomness comes only from the scope's `random.Random(seed)`, and choices never depend on wall
time, so with the same seed the same sequence of steps is made; the wall clock only decides when
to stop (set `SolveParams.max_iterations` for a plan that is identical on any machine).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from solver.construct import aim_for_least_spread, retarget_usual_times
from solver.descents import (
    polish,
    reroute_every_day,
    steady_double_visits,
    steady_stray_starts,
    swap_far_citizens,
    sweep_musts,
    sweep_new_faces,
    sweep_rare_carers,
    sweep_to_contact,
)
from solver.neighbourhoods import (
    free_around_unplaced,
    free_citizen_month,
    free_nearby_routes,
    free_rare_carer,
    hand_back_new_face,
    hand_over_far_citizen,
    make_way_for_must,
    reroute_day,
    resequence_routes,
    swap_out_rare_carer,
    thin_crowded_citizen,
)
from solver.scope import Scope
from solver.state import TeamState

Step = Callable[[Scope], bool]
# The steps that call OR-Tools (a day re-routed by routing, a few shifts re-solved by CP-SAT) cost
# 0.3-0.6 s each against a few milliseconds for the others, so they are drawn rarely: at four times
# these weights they took about 60 % of a timed team-m-rules search's CPU for under 1 % of its gains,
# time the steps that place must-visits and thin the faces then lacked (docs/experiments.md).
REROUTE_WEIGHT = 0.125
RESEQUENCE_WEIGHT = 0.075
# Least weight a step falls to when it fails (its starting weight, if lower: a rare step stays rare).
FLOOR = 0.2
FAR_WEIGHT = 2.0  # hand_over_far_citizen's starting weight among the steps
# Of a timed search's budget, kept for the final descents (on team-m-rules they take about a tenth of
# a minute's search); the must-visit sweep goes first, the steadying last, each stops at the budget.
FINISH_SHARE = 0.15
RETARGET_AT = (300, 1500, 5000)  # steps after which usual times follow the routes
SWEEP_EVERY = 50  # steps between two sweeps over the rarely seen carers
Snapshot = tuple[list[list[int]], list[int], list[int], list[list[int]], list[list[dict[int, int]]]]


def steps(sc: Scope) -> list[tuple[Step, float]]:
    """Every step of the search with its starting weight. A re-plan moves what the changes force:
    it hands new faces back and sends no far-off citizen to another carer."""
    return [
        (free_around_unplaced, 4.0),
        (free_citizen_month, 3.0),
        (free_rare_carer, 2.0),
        (free_nearby_routes, 3.0),
        (resequence_routes, RESEQUENCE_WEIGHT),
        (reroute_day, REROUTE_WEIGHT),
        (swap_out_rare_carer, 2.0),
        (thin_crowded_citizen, 1.0),
        (hand_back_new_face, 4.0 if sc.replanning else 0.0),
        (hand_over_far_citizen, 0.0 if sc.replanning else FAR_WEIGHT),
        # Last, and weighed 0 where every visit must be made: such a team draws the other steps
        # in the same sequence as a planner without this step would.
        (make_way_for_must, 3.0 if any(v.priority > 1 for v in sc.st.ix.visits) else 0.0),
    ]


def snapshot(st: TeamState) -> Snapshot:
    return ([list(r) for r in st.routes], list(st.lo), list(st.hi), [list(s) for s in st.slots_of],
            [[dict(m) for m in row] for row in st.met])


def restore(st: TeamState, snap: Snapshot) -> None:
    routes, lo, hi, slots_of, met = snap
    st.routes = [list(r) for r in routes]
    st.lo, st.hi = list(lo), list(hi)
    st.slots_of = [list(s) for s in slots_of]
    st.met = [[dict(m) for m in row] for row in met]
    st.forget_times()
    st.recount_moved()


def _guarded(sc: Scope, finish: Callable[[Scope], float]) -> float | None:
    """Run a descent; on failure undo its open change, log it and return None (the plan stands:
    every earlier change was kept or undone whole)."""
    st = sc.st
    try:
        return finish(sc)
    except Exception as e:  # noqa: BLE001 - as for a search step: keep the plan found so far
        if st.journal is not None:
            st.rollback()
        st.search_log["error"] = f"{finish.__name__}: {type(e).__name__}: {e}"
        return None


def improve_team(st: TeamState, budget: float, seed: int, stop: Callable[[], bool],
                 progress: Callable[[float, float], None], max_iterations: int | None = None,
                 workers: int = 1, retarget: bool = False) -> float:
    """Spend `budget` seconds (or `max_iterations` steps) improving st; returns its cost."""
    t0 = time.monotonic()
    sc = Scope(st, seed)
    if not sc.days:
        progress(st.total_cost(), 1.0)
        return st.total_cost()
    sc.workers = workers
    sc.exact_repeat = max_iterations is not None
    sc.deadline = t0 + budget * (1 - FINISH_SHARE)  # the sweeps every SWEEP_EVERY steps too
    rng = sc.rng
    st.recount_moved()  # the first plan was built outside the journal
    current = st.total_cost()
    best, best_snap = current, snapshot(st)
    moves = [step for step, _ in steps(sc)]
    weights = [weight for _, weight in steps(sc)]
    floors = [min(FLOOR, w) for w in weights]
    it = 0
    last_report = 0.0
    tried = [0] * len(moves)
    gained = [0.0] * len(moves)
    while True:
        elapsed = time.monotonic() - t0
        if max_iterations is not None and it >= max_iterations:
            break
        if elapsed >= budget * (1 - FINISH_SHARE):
            break  # the final descents run inside the budget too
        if stop():
            break
        it += 1
        if retarget and it in RETARGET_AT:
            # Usual times follow the routes as they improve (deterministic: by step count).
            retarget_usual_times(st)
            sc.failed_hand_backs.clear()  # a hand-back is priced against the usual times
            current = st.total_cost()
            if current < best - 1e-9 or it == RETARGET_AT[0]:
                best, best_snap = current, snapshot(st)
        if it % SWEEP_EVERY == 0:
            # A descent over every rare carer now and then: the random steps leave some behind.
            gain = _guarded(sc, sweep_rare_carers)
            if gain is None:
                break
            current += gain
            if current < best - 1e-9:
                best, best_snap = current, snapshot(st)
        i = rng.choices(range(len(moves)), weights=weights)[0]
        st.begin()
        try:
            changed = moves[i](sc)
            d = st.delta() if changed else 0.0
        except Exception as e:  # noqa: BLE001 - a failed step must not cost the plan found so far
            st.rollback()
            st.search_log["error"] = f"{moves[i].__name__}: {type(e).__name__}: {e}"
            break
        if not changed:
            st.rollback()
            weights[i] = max(floors[i], weights[i] * 0.9)
            continue
        tried[i] += 1
        temperature = 20.0 * (0.998 ** it)
        if d < -1e-9 or (d < temperature * rng.random()):
            st.commit()
            current += d
            gained[i] += d
            if d < -1e-9:
                weights[i] = min(10.0, weights[i] * 1.05)
            if current < best - 1e-9:
                best, best_snap = current, snapshot(st)
        else:
            st.rollback()
            weights[i] = max(floors[i], weights[i] * 0.995)
        if elapsed - last_report > 0.5:
            last_report = elapsed
            # A step-counted run's share of its work is its share of the steps, not of the clock.
            done = it / max_iterations if max_iterations else elapsed / budget if budget > 0 else 1.0
            progress(best, min(1.0, done))
    if current > best + 1e-9:
        restore(st, best_snap)
    sc.deadline = t0 + budget
    _guarded(sc, sweep_musts)  # no must-visit left out where one that may wait could make way
    # Routes a search step swapped between carers for nothing go back (a re-plan's disturbance);
    # then one more descent over the rarely seen carers.
    if _guarded(sc, polish) is not None:
        _guarded(sc, sweep_rare_carers)
    if not sc.replanning and not st.weights.reroute_at_end:
        # Carers trade citizens across town: the same faces, less drive. Where every day is re-routed
        # next (faces priced lightly), that re-route does better from the routes as the search left them.
        _guarded(sc, swap_far_citizens)
    if not sc.replanning:
        _guarded(sc, sweep_to_contact)
    if st.weights.reroute_at_end and not sc.replanning:
        _guarded(sc, reroute_every_day)
    if sc.replanning:
        # The coordinator is promised no new face where a known carer could come: this sweep is
        # not cut by the clock (it tries each new face once, a handful in a re-plan of a day).
        sc.deadline = math.inf
        _guarded(sc, sweep_new_faces)
    if retarget:
        retarget_usual_times(st)  # routes are final: aim each need where its visits fit best
        _guarded(sc, steady_stray_starts)
        _guarded(sc, steady_double_visits)
        aim_for_least_spread(st)
    st.search_log.update({"iterations": it, "tried": tried, "gained": [round(g) for g in gained]})
    progress(best, 1.0)
    return st.total_cost()
