"""Room in a plan as it stands for a few visits it does not hold yet (a new citizen's): a re-plan whose
steps all aim at those visits.

The plan (`Problem.current`) goes in as a re-plan's does (solver/planner.py `team_state`: assignments
outside `replan_days` and pinned ones fixed, the others kept at their minute with their carer where they
still fit, the move budget counted), and the new visits are placed by a core team (construct.py
`place_with_core_team`). Then each new visit still without a place is handed room (`_eject_chain`): it
goes into the route of a carer who may take it, the route's own visits starting a little earlier or
later inside their windows, or one or two visits in its way handed on to carers their citizens already
meet this month, the cheapest of those tries kept; failing all of them, along a chain of two such
carers. Then, for a set number of steps, one visit still without a place is taken in turn,
the visits around its time in the routes of the carers who could take it are freed, it goes in first
and they are placed again, elsewhere or at another minute of their windows (neighbourhoods.py
`free_around_unplaced`; every other round the freed visits try other carers first), and for those
still left, while time lasts, the shifts of a carer who could take one and of its nearest neighbours
that day are re-solved exactly (daymodel.py `solve_day`). Any change is kept only if the plan's cost
falls (a visit moves only where that places a new one, never beyond the move budget) and it costs
nobody else a visit or a new face. Last, each new need aims at the time of day where its starts vary
least, where that moves no other visit from its minute. The result passes the final check (check.py)
like every plan the planner writes.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection

from solver.check import drop_violations
from solver.construct import least_spread_time, place_with_core_team, spread_at
from solver.daymodel import solve_day
from solver.index import build_team_index
from solver.insertion import place
from solver.neighbourhoods import free_around_unplaced, neighbourhood_slots
from solver.planner import _assignments, team_state
from solver.reasons import unplaced_reason
from solver.scope import Scope
from solver.state import TeamState
from solver.travel import Travel
from solver.types import Assignment, Plan, Problem, Unplaced

CP_SHIFTS = 5  # most shifts one exact re-solve takes together
CP_WORK = 0.1  # CP-SAT's deterministic time per exact re-solve
EJECT_MARGIN = 45  # minutes either side of a new visit's window whose visits may step aside for it
STEADY_TRIES = 8  # times of day tried for each of the new citizen's needs, steadiest first
EJECT_TRIES = 400  # most handings-on one new visit tries (counted, so the same proposal on any machine)


def _exactly(sc: Scope, v: int) -> bool:
    """The shifts of one carer who could take v that day and of its nearest neighbours, re-solved by
    CP-SAT with v among their visits (moved visits priced by the model's disturbance terms)."""
    st, ix = sc.st, sc.st.ix
    day = ix.visits[v].day
    cands = [k for k in ix.slots_of_day.get(day, []) if ix.slots[k].carer in ix.eligible[v]]
    if not cands:
        return False
    k0 = cands[sc.rng.randrange(len(cands))]
    slots = neighbourhood_slots(sc, day, k0, sc.rng.randint(3, CP_SHIFTS))
    carers = {ix.slots[k].carer for k in slots}
    visits = sorted({u for k in slots for u in st.routes[k]}
                    | {u for u in sc.unplaced() if ix.visits[u].day == day and carers & set(ix.eligible[u])})
    return solve_day(st, day, slots, visits, sc.rng.randrange(1 << 30), 1, CP_WORK, exact_repeat=True)


def _eject_chain(sc: Scope, v: int, wanted: set[int], budget: list[int]) -> bool:
    """New visit v goes into the route of a carer who may take it, the route's other visits starting a
    little earlier or later inside their windows, or with one or two visits in its way handed on to
    carers their citizens already meet this month (or kept by the same carer at another minute). Only
    when none of those fits, a visit in its way with no such carer free may make room by handing on one
    visit of that carer in the same way (a chain of two). Every try of a tier is weighed as the room
    loop weighs a step (the plan's cost falls, nobody else loses a visit or meets a new carer) and the
    cheapest is kept: a route letting v in by moving two starts loses to handing one visit on to a
    carer its citizen knows when that moves fewer. `budget` counts the tries left."""
    st, ix = sc.st, sc.st.ix
    vis = ix.visits[v]
    if vis.carers != 1:
        return False
    everyone = frozenset(range(len(ix.carers)))
    slots = [k for k in ix.slots_of_day.get(vis.day, []) if ix.slots[k].carer in ix.eligible[v]]

    def known(u: int) -> frozenset[int]:
        return frozenset(sc.faces_before.get((ix.v_cit[u], ix.v_month[u]), ()))

    def in_way(k: int, u: int, skip: Collection[int]) -> list[int]:
        uv = ix.visits[u]
        a, b = uv.earliest - EJECT_MARGIN, uv.latest + uv.duration + EJECT_MARGIN
        mid = (a + b) // 2
        out = [w for w in st.routes[k] if w not in wanted and w not in skip and sc.movable(w)
               and st.hi[w] + st.dur[w] >= a and st.lo[w] <= b]
        return sorted(out, key=lambda w: (abs(st.lo[w] + st.dur[w] // 2 - mid), w))

    def hand_on(u: int) -> bool:
        if place(st, u, everyone - known(u)):
            return True
        # No room as the routes stand: the carers it knows may start their own visits a little
        # earlier or later to let it in.
        for k2 in ix.slots_of_day.get(ix.visits[u].day, []):
            if ix.slots[k2].carer in known(u) and ix.slots[k2].carer in ix.eligible[u]:
                st.loosen(k2)
        return place(st, u, everyone - known(u))

    def into(k: int, out: list[int]) -> Callable[[], bool]:
        """v into route k, the visits `out` handed on."""
        def attempt() -> bool:
            for u in out:
                st.remove(u)
            st.loosen(k)
            return place(st, v, everyone - {ix.slots[k].carer}) and all(hand_on(u) for u in out)
        return attempt

    def chained(k: int, u: int, k2: int, w: int) -> Callable[[], bool]:
        """v into route k, u from there into route k2, w from there handed on."""
        def attempt() -> bool:
            st.remove(u)
            st.remove(w)
            st.loosen(k)
            st.loosen(k2)
            return (place(st, v, everyone - {ix.slots[k].carer})
                    and place(st, u, everyone - {ix.slots[k2].carer}) and hand_on(w))
        return attempt

    def tiers() -> list[list[Callable[[], bool]]]:
        alone = [into(k, []) for k in slots]
        handed, chains = [], []
        for k in slots:
            blockers = in_way(k, v, ())
            handed += [into(k, [u]) for u in blockers]
            handed += [into(k, blockers[i:i + 2]) for i in range(len(blockers) - 1)]
            for u in blockers:
                for k2 in ix.slots_of_day.get(ix.visits[u].day, []):
                    if k2 != k and ix.slots[k2].carer in known(u) and ix.slots[k2].carer in ix.eligible[u]:
                        chains += [chained(k, u, k2, w) for w in in_way(k2, u, (u,))[:3]]
        return [alone + handed, chains]  # one tier: the fewest moves win, whichever kind they are

    def weigh(attempt: Callable[[], bool]) -> float | None:
        st.begin()
        d = st.delta() if attempt() and not _harms_others(sc, wanted) else None
        st.rollback()
        return d if d is not None and d < -1e-9 else None

    for tier in tiers():
        best: tuple[float, int] | None = None
        for i, attempt in enumerate(tier):
            if budget[0] <= 0:
                break
            budget[0] -= 1
            d = weigh(attempt)
            if d is not None and (best is None or d < best[0]):
                best = (d, i)
        if best is not None:
            # Made again as weighed (every try starts from the same plan), and weighed again before it
            # is kept: a change that harms someone never stays.
            st.begin()
            if tier[best[1]]() and st.delta() < -1e-9 and not _harms_others(sc, wanted):
                st.commit()
                return True
            st.rollback()
    return False


def _steady_new(st: TeamState, wanted: set[int]) -> None:
    """Each of the new citizen's needs aims at one time of day, where its placed visits' starts vary
    least inside what their routes allow (construct.least_spread_time, else the next steadiest of a few
    times); a need keeps the starts it had if every such aim would move another citizen's visit from its
    minute."""
    ix = st.ix
    intervals: dict[int, list[tuple[int, int]]] = {}
    for k in sorted({k for v in wanted for k in st.slots_of[v]}):
        tm = st.times(k)
        if tm is None:
            continue
        for i, v in enumerate(st.routes[k]):
            if v in wanted:
                intervals.setdefault(ix.v_need[v], []).append((tm[0][i], tm[1][i]))
    for n, ivs in sorted(intervals.items()):
        moved, before = st.count_moved(), st.target[n]
        best = least_spread_time(ivs)
        ends = sorted({x for iv in ivs for x in iv} - {best})
        steadiest = [t for _v, t in sorted((spread_at(ivs, t), t) for t in ends)]
        for t in [best, *steadiest[:STEADY_TRIES - 1]]:
            st.target[n] = t
            st.forget_times()
            if st.count_moved() <= moved:
                break
        else:
            st.target[n] = before
            st.forget_times()


def _harms_others(sc: Scope, wanted: set[int]) -> bool:
    """The open change leaves a visit the plan held without a place, or gives another citizen a carer
    it does not meet yet: making room never costs anyone else a visit or a new face."""
    st, ix = sc.st, sc.st.ix
    assert st.journal is not None
    for v in st.journal.visits:
        if v not in wanted and st.current[v] is not None and not st.slots_of[v]:
            return True
    mine = {ix.v_cit[v] for v in wanted}
    for ci, mi in st.journal.met:
        if ci not in mine and any(c not in sc.faces_before.get((ci, mi), ()) for c in st.met[ci][mi]):
            return True
    return False


def make_room(problem: Problem, visits: Collection[str], *, steps: int, exact_steps: int = 0,
              seconds: float = 10.0, seed: int = 0) -> Plan:
    """A plan of `problem` holding `problem.current` with as many of `visits` (not in it) as room can be
    made for in `steps` steps, then `exact_steps` exact re-solves while `seconds` last (see the module
    docstring). One team's problem."""
    travel = Travel.for_problem(problem)
    teams = sorted({c.team for c in problem.citizens})
    if len(teams) != 1:
        raise ValueError(f"make_room plans one team at a time, not {teams}")
    lo, hi = problem.replan_days if problem.replan_days is not None else (0, problem.days - 1)
    day_of = {v.id: v.day for v in problem.visits}
    fixed: dict[str, Assignment] = {}
    movable: dict[str, Assignment] = {}
    for a in problem.current:
        if a.visit in day_of:
            (movable if lo <= day_of[a.visit] <= hi else fixed)[a.visit] = a
    for a in problem.pinned:
        if a.visit in day_of:
            fixed[a.visit] = a
            movable.pop(a.visit, None)
    ix = build_team_index(problem, teams[0], travel)
    st, free, refused = team_state(problem, ix, fixed, movable, {})
    wanted = {ix.visit_pos[x] for x in visits if x in ix.visit_pos}
    place_with_core_team(st, [v for v in free if v in wanted])
    sc = Scope(st, seed)
    sc.exact_repeat = True
    st.recount_moved()
    for v in sorted(v for v in sc.unplaced() if v in wanted):
        _eject_chain(sc, v, wanted, [EJECT_TRIES])
    t0 = time.monotonic()
    for it in range(steps + exact_steps):
        todo = [v for v in sc.unplaced() if v in wanted]
        if not todo or (it >= steps and time.monotonic() - t0 > seconds):
            break
        v = todo[it % len(todo)]
        st.begin()
        if it < steps:
            changed = free_around_unplaced(sc, spare_first=(it // len(todo)) % 2 == 0, visit=v)
        else:
            changed = _exactly(sc, v)
        if changed and st.delta() < -1e-9 and not _harms_others(sc, wanted):
            st.commit()
        else:
            st.rollback()
    _steady_new(st, wanted)
    assignments, dropped = drop_violations(problem, _assignments(st), travel)
    placed = {a.visit for a in assignments}
    reasons = {ix.visits[v].id: why for v, why in refused.items()}
    unplaced = [Unplaced(x.id, dropped.get(x.id) or reasons.get(x.id)
                         or unplaced_reason(st, ix.visit_pos[x.id]))
                for x in problem.visits if x.id not in placed]
    return Plan(assignments=assignments, unplaced=unplaced, objective=st.total_cost())
