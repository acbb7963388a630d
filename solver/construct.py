"""The first plan, day by day, and where each need's usual time is set.

Each day is routed by OR-Tools routing with continuity priced per carer (solver/dayrouting.py);
cheapest insertion (solver/insertion.py) places what routing leaves out. The first start of a need
becomes the usual time later days aim for; once routes stand, usual times move to where the routes
can keep them best (`retarget_usual_times`, `aim_for_least_spread`). `place_with_core_team` gives
one citizen's month to as few carers as possible, for the search's citizen step.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from solver import objective
from solver.dayrouting import route_day
from solver.insertion import insertion_order, place
from solver.state import FAMILIAR, TeamState

MIN_ROUTE_SECONDS = 0.05  # a day's routing search shorter than this is not worth building its model


def set_usual_times(st: TeamState, day_slots: list[int]) -> None:
    """The first time a need is planned, its start becomes the usual time later days aim for."""
    ix = st.ix
    for k in day_slots:
        if not st.routes[k]:
            continue
        for v, s in zip(st.routes[k], st.schedule_route(k), strict=True):
            n = ix.v_need[v]
            if st.target[n] is None:
                st.target[n] = s


def construct(st: TeamState, free: list[int], route_seconds: float = 0.0,
              should_stop: Callable[[], bool] | None = None, exact_repeat: bool = False,
              deadline: float | None = None, core: dict[tuple[int, int], int] | None = None) -> list[int]:
    """Place the free visits day by day; returns those that found no place.

    With `route_seconds`, each day is first routed by OR-Tools routing (solver/dayrouting.py), at
    most that long, and only what it leaves out goes through cheapest insertion. With `deadline`
    (time.monotonic()), the days share what is left until then, less what a day costs beside
    routing's search (building the model, placing its routes): the first plan keeps to its share of
    the time limit however slow the machine. A day routed within MIN_ROUTE_SECONDS would gain
    nothing, so it is built by cheapest insertion alone. With `core` (citizen, month) -> carer
    (solver/monthsearch.py), routing gives such a citizen's visits to that carer only, and cheapest
    insertion tries that carer first.
    """
    ix = st.ix
    by_day: dict[int, list[int]] = {}
    for v in free:
        by_day.setdefault(ix.visits[v].day, []).append(v)
    failed: list[int] = []
    days = sorted(by_day)
    overhead, routed = 0.0, 0  # seconds the routed days took beyond their search, summed; how many
    for i, day in enumerate(days):
        todo = by_day[day]
        seconds = route_seconds
        if deadline is not None and not exact_repeat:
            share = (deadline - time.monotonic()) / (len(days) - i)
            seconds = min(seconds, share - overhead / max(1, routed))
        elif deadline is not None and time.monotonic() >= deadline:
            seconds = 0.0  # a step-counted run: the clock only caps it
        if seconds >= MIN_ROUTE_SECONDS and not (should_stop and should_stop()):
            t0 = time.monotonic()
            todo = route_day(st, day, todo, seconds, exact_repeat=exact_repeat, core=core)
            overhead += max(0.0, time.monotonic() - t0 - seconds)
            routed += 1
        for v in insertion_order(st, todo):
            mine = core.get((ix.v_cit[v], ix.v_month[v])) if core else None
            if mine is not None and not st.face_allowed(v, mine):
                mine = None
            if not ((mine is not None and place(st, v, st.all_but(mine))) or place(st, v)):
                failed.append(v)
        set_usual_times(st, ix.slots_of_day.get(day, []))
    return failed


def place_with_core_team(st: TeamState, vs: list[int], jitter: float = 0.0) -> list[int]:
    """Give one citizen's visits to as few carers as possible: the carer who can take most first.

    This is the "core team" of PLANNER-NOTES: a carer already met, or the contact carer, is
    preferred; the extra travel of each visit in the carer's route breaks ties. Returns the
    visits that found no place.
    """
    ix = st.ix
    singles = sorted((v for v in vs if ix.visits[v].carers == 1), key=lambda v: (ix.visits[v].day, v))
    doubles = [v for v in vs if ix.visits[v].carers > 1]
    remaining = list(singles)
    while remaining:
        best_c, best_score, best_vs = -1, -math.inf, []
        v0 = remaining[0]
        contact = ix.contact[ix.v_cit[v0]]
        for c in sorted({c for v in remaining for c in ix.eligible[v]}):
            met = st.is_met(v0, c)
            if not st.face_allowed(v0, c):
                continue
            took, cost = [], 0.0
            for v in remaining:
                if c not in ix.eligible[v]:
                    continue
                lo, hi = st.preferred_window(v)
                best_dt = None
                for k in ix.slots_of_carer_day.get((c, ix.visits[v].day), ()):
                    for o in st.options(v, k, lo, hi):
                        if best_dt is None or o.dtravel < best_dt:
                            best_dt = o.dtravel
                if best_dt is not None:
                    took.append(v)
                    cost += best_dt
            if not took:
                continue
            # The contact carer's visits earn what the objective charges for a visit by anyone else,
            # and a carer already met what a new face would cost.
            score = (len(took) * (60 + jitter) - cost
                     + (objective.contact(False, st.weights) * len(took) if c == contact else 0)
                     + (objective.new_face(0, st.weights) if met else 0)
                     + (FAMILIAR * objective.new_face(0, st.weights)
                        if not met and st.met_next_door(ix.v_cit[v0], ix.v_month[v0], c) else 0))
            if score > best_score:
                best_c, best_score, best_vs = c, score, took
        if best_c < 0:
            break
        banned = st.all_but(best_c)
        placed = [v for v in best_vs if place(st, v, banned)]
        remaining = [v for v in remaining if not st.slots_of[v]]
        if not placed:
            break
    failed = [v for v in remaining if not place(st, v)]
    failed += [v for v in insertion_order(st, doubles) if not place(st, v)]
    return failed


def retarget_usual_times(st: TeamState) -> None:
    """Choose each need's usual time where its visits can most easily start, given the routes.

    Each visit may start anywhere in [earliest, latest] of its route position (forward and
    backward passes); the time minimising the summed distance to those intervals is a median
    of their ends. Routes do not change; only where `schedule_route` aims does.
    """
    for n, ivs in _start_intervals(st).items():
        xs = sorted(x for iv in ivs for x in iv)
        st.target[n] = xs[(len(xs) - 1) // 2]


def aim_for_least_spread(st: TeamState) -> None:
    """The final aims: each need's usual time where its starts vary least, as steadiness is
    judged (the standard deviation of a need's starts), given the routes. Routes do not change.
    The median of retarget_usual_times minimises the minutes off instead, as the search prices them."""
    for n, ivs in _start_intervals(st).items():
        st.target[n] = least_spread_time(ivs)


def least_spread_time(intervals: list[tuple[int, int]]) -> int:
    """The time T at which starts aimed at T, each clamped into its [lo, hi], vary least.

    Between two consecutive interval ends the variance is a parabola in T, least where T meets
    the mean of the starts that do not follow it; so those means and the ends are the candidates.
    """
    ends = sorted({x for iv in intervals for x in iv})
    cands = set(ends)
    for a, b in zip(ends, ends[1:], strict=False):
        held = [lo if lo > a else hi for lo, hi in intervals if lo > a or hi < b]
        if held:
            cands.add(min(b, max(a, round(sum(held) / len(held)))))
    return min(sorted(cands), key=lambda t: spread_at(intervals, t))


def spread_at(intervals: list[tuple[int, int]], t: int) -> float:
    """How much starts aimed at t, each clamped into its [lo, hi], vary (n times their variance)."""
    return _variance([min(hi, max(lo, t)) for lo, hi in intervals])


def _variance(xs: list[int]) -> float:
    # n times the variance; statistics.pvariance is exact (fractions) and 7 x slower here
    m = sum(xs) / len(xs)
    return sum((x - m) ** 2 for x in xs)


def _start_intervals(st: TeamState) -> dict[int, list[tuple[int, int]]]:
    """Per need, the [earliest, latest] start each of its visits' route positions allows."""
    ix = st.ix
    out: dict[int, list[tuple[int, int]]] = {}
    for k in range(len(ix.slots)):
        tm = st.times(k) if st.routes[k] else None
        if tm is None:
            continue
        est, lst = tm
        for i, v in enumerate(st.routes[k]):
            out.setdefault(ix.v_need[v], []).append((est[i], lst[i]))
    return out
