"""A day's routes from OR-Tools' vehicle-routing library, continuity priced per carer.

Cheapest insertion alone leaves routes that zig-zag, and the continuity goal would then copy them
day after day. So each day of the constructive start is routed by OR-Tools routing (guided local
search, a short time limit), with every carer's arc costs raised for citizens who would meet a new
face or not their contact carer (objective.py), and the monthly cap kept by allowing only the carers
it allows (rules.cap_allows through TeamState.faces_allowed). CP-SAT (solver/daymodel.py) and the
neighbourhood search improve from there.

The search's `reroute_day` re-routes one whole day with the same model. It starts the guided local
search from the day's routes as they stand (`DayRoutes`) rather than from a fresh cheapest insertion:
the short time a call gets then goes into improving a good plan, not into rebuilding one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from solver import objective
from solver.index import BASE, TeamIndex
from solver.insertion import best_insertion
from solver.routes import Option
from solver.state import TeamState

PENALTY_UNPLACED = 10_000_000  # a must-visit left out; priority 2 or 3 in proportion (objective.unplaced)
# A step-counted run's routing stops at its first local optimum or its count of solutions; these
# wall-clock limits are only safety nets, far beyond what a day takes even on a heavily loaded machine,
# where a day's few seconds of CPU can stretch to a minute of wall time (docs/experiments.md).
EXACT_SECONDS = 3600
LNS_SECONDS_EXACT = 60  # routing's inner searches (start times with usual times and breaks, insertions)


def penalty(st: TeamState, v: int) -> int:
    """What routing charges for leaving visit v out, by its priority."""
    w = st.weights
    return PENALTY_UNPLACED * objective.unplaced(1, w, st.ix.visits[v].priority) // objective.unplaced(1, w)
# Routing costs are integers: a minute off a daily need's usual time costs 1.
COST_SCALE = round(1 / objective.WEIGHTS.time)


@dataclass(slots=True)
class DayRoutes:
    """A day's routes as they stood before they were freed: where routing's search starts from."""

    routes: dict[int, list[int]]  # shift slot -> its visits in order
    double_starts: dict[int, int]  # double visit -> the minute its two carers start together


def mode_matrix(ix: TeamIndex, tt: list[list[int]]) -> np.ndarray:
    """Travel matrix `tt` of team `ix` (one per travel mode) as a numpy array, made once per team."""
    hit = ix.arrays.get(id(tt))
    if hit is None or hit[0] is not tt:
        hit = ix.arrays[id(tt)] = (tt, np.array(tt, dtype=np.int64))
    arr: np.ndarray = hit[1]
    return arr


def day_routes(st: TeamState, slots: list[int]) -> DayRoutes:
    """The current routes of `slots`, to be passed to route_day once their visits are freed."""
    ix = st.ix
    routes = {k: list(st.routes[k]) for k in slots if st.routes[k]}
    doubles = {v: st.lo[v] for r in routes.values() for v in r if ix.visits[v].carers > 1}
    return DayRoutes(routes, doubles)


def route_day(st: TeamState, day: int, visits: list[int], seconds: float, exact_repeat: bool = False,
              steady_times: bool = False, start_from: DayRoutes | None = None,
              core: dict[tuple[int, int], int] | None = None,
              solutions: int | None = None) -> list[int]:
    """Route `visits` (all free, all on `day`) over the day's empty shifts; returns those left out.

    Guided local search runs until its time limit, so its result depends on machine speed; with
    `exact_repeat` it stops at the first local optimum instead (same routes every run), and with
    `solutions` after that many solutions (also the same routes every run, a longer search). With
    `start_from` it starts from those routes (double visits keep their carers and minute). With
    `core` (citizen, month) -> carer, a single visit of such a citizen-month goes to that carer only.
    """
    ix = st.ix
    slots = [k for k in ix.slots_of_day.get(day, []) if not st.routes[k]]
    if not slots or not visits:
        return list(visits)
    nodes: list[int] = []  # node (from 1) -> visit; a double visit has two nodes
    for v in visits:
        nodes += [v] * ix.visits[v].carers
    n = len(nodes) + 1
    manager = pywrapcp.RoutingIndexManager(n, len(slots), 0)
    routing = pywrapcp.RoutingModel(manager)
    loc = np.array([BASE] + [ix.v_loc[v] for v in nodes])
    dur = [0] + [ix.visits[v].duration for v in nodes]

    # Time: service then travel at each carer's own minutes (walking, cycling, driving); waiting allowed.
    # The day's matrices are cut from each travel mode's matrix (built once per team) with numpy: in
    # Python, a day's n x n lists per carer cost about as much as routing's own search.
    time_cb: dict[int, int] = {}  # id of a travel matrix -> its transit callback
    base_travel: dict[int, np.ndarray] = {}
    for k in slots:
        tt = ix.slots[k].tt
        if id(tt) not in time_cb:
            legs = mode_matrix(ix, tt)[np.ix_(loc, loc)]
            time_cb[id(tt)] = routing.RegisterTransitMatrix((legs + np.array(dur)[:, None]).tolist())
            base_travel[id(tt)] = legs * st.weights.travel
    routing.AddDimensionWithVehicleTransits([time_cb[id(ix.slots[k].tt)] for k in slots],
                                            24 * 60, 24 * 60, False, "time")
    tdim = routing.GetDimensionOrDie("time")

    # Costs per carer: travel plus what a new face / not-the-contact costs the citizen.
    for vi, k in enumerate(slots):
        c = ix.slots[k].carer
        extra = np.array([0] + [int(st.carer_cost(v, c)) for v in nodes])
        mat = COST_SCALE * (base_travel[id(ix.slots[k].tt)] + extra[None, :])
        routing.SetArcCostEvaluatorOfVehicle(routing.RegisterTransitMatrix(mat.astype(np.int64).tolist()), vi)
        sl = ix.slots[k]
        tdim.CumulVar(routing.Start(vi)).SetRange(sl.start, sl.end)
        tdim.CumulVar(routing.End(vi)).SetRange(sl.start, sl.end)
    # Breaks: routing keeps each shift's break off its visits (it may put it in a leg, where the
    # state wants it before the leg: make_room below settles the few routes that differ).
    visit_minutes = [0 if routing.IsEnd(i) else dur[manager.IndexToNode(i)] for i in range(routing.Size())]
    for vi, k in enumerate(slots):
        pause = ix.slots[k].pause
        if pause is not None:
            brk = routing.solver().FixedDurationIntervalVar(pause.earliest, pause.latest, pause.duration,
                                                            False, f"break {k}")
            tdim.SetBreakIntervalsOfVehicle([brk], vi, visit_minutes)

    # Double visits: their two carers and common start are chosen first (cheapest insertion),
    # and routing only fits each half into that carer's route at that minute. Routing's own
    # search handles "same minute, two vehicles" side constraints poorly (no first solution).
    vehicle_of = {k: vi for vi, k in enumerate(slots)}
    pair: dict[int, tuple[list[int], int]] = {}
    if start_from is not None:
        for k, route in start_from.routes.items():
            for v in route:
                if v in start_from.double_starts and k in vehicle_of:
                    pair.setdefault(v, ([], start_from.double_starts[v]))[0].append(vehicle_of[k])
        pair = {v: p for v, p in pair.items() if len(p[0]) == ix.visits[v].carers}
    held: list[int] = []
    for v in visits:
        if ix.visits[v].carers > 1 and v not in pair:
            vis = ix.visits[v]
            ins = best_insertion(st, v, vis.earliest, vis.latest)
            if ins is not None and all(o.slot in vehicle_of for o in ins.opts) and ins.start is not None:
                pair[v] = ([vehicle_of[o.slot] for o in ins.opts], ins.start)
                # Held in its routes while the day's next double visit looks for its pair: two
                # double visits must not get the same carers at overlapping minutes.
                st.insert(v, ins.opts, ins.start, ins.start, ins.start)
                held.append(v)
    for v in held:
        st.remove(v)
    half: dict[int, int] = {}
    for i, v in enumerate(nodes, start=1):
        idx = manager.NodeToIndex(i)
        vis = ix.visits[v]
        if vis.carers > 1:
            if v not in pair:
                routing.AddDisjunction([idx], penalty(st, v))
                routing.ActiveVar(idx).SetValue(0)
                continue
            vehicles, start = pair[v]
            h = half.get(v, 0)
            half[v] = h + 1
            routing.VehicleVar(idx).SetValues([-1, vehicles[h]])
            tdim.CumulVar(idx).SetRange(start, start)
            routing.AddDisjunction([idx], penalty(st, v))
            continue
        tdim.CumulVar(idx).SetRange(vis.earliest, vis.latest)
        n = ix.v_need[v]
        want = st.target[n]
        if want is not None and steady_times:
            # Steady times: a minute away from the usual time costs the need's weight (arc costs are
            # scaled). Only when re-routing: as the first routes' soft bounds they cost travel, and
            # schedule_route aims each start at the usual time anyway.
            w = round(objective.steady_time(1, st.w_time[n]) * COST_SCALE)
            tdim.SetCumulVarSoftUpperBound(idx, max(vis.earliest, want), w)
            tdim.SetCumulVarSoftLowerBound(idx, min(vis.latest, max(0, want)), w)
        # The cap: once it is reached only faces already met may come. (Routing may still add
        # several new faces in one day; the final check drops what would break the cap.)
        only_carer = core.get((ix.v_cit[v], ix.v_month[v])) if core else None
        if only_carer is not None and not st.face_allowed(v, only_carer):
            only_carer = None  # another carer took the month's place: the core carer binds nobody now
        allowed = [vi for vi, k in enumerate(slots)
                   if ix.slots[k].carer in ix.eligible[v] and st.face_allowed(v, ix.slots[k].carer)
                   and only_carer in (None, ix.slots[k].carer)]
        if not allowed:
            routing.AddDisjunction([idx], penalty(st, v))
            routing.ActiveVar(idx).SetValue(0)
            continue
        routing.VehicleVar(idx).SetValues([-1, *allowed])
        routing.AddDisjunction([idx], penalty(st, v))

    params = search_parameters(seconds, exact_repeat, solutions)
    solution = None
    if start_from is not None:
        routes = _node_routes(start_from, slots, nodes, pair)
        if routes is not None:
            routing.CloseModelWithParameters(params)
            first = routing.solver().Assignment()
            # RoutesToAssignment only sets the successors; ReadAssignmentFromRoutes would spend
            # the whole time limit checking them.
            if routing.RoutesToAssignment([[manager.NodeToIndex(i) for i in r] for r in routes],
                                          True, True, first):
                solution = routing.SolveFromAssignmentWithParameters(first, params)
    if solution is None:  # no start given, or routing could not use it: from scratch
        solution = routing.SolveWithParameters(params)
    if solution is None:
        return list(visits)
    placed: dict[int, list[tuple[int, int, int]]] = {}
    for vi, k in enumerate(slots):
        idx = routing.Start(vi)
        pos = 0
        idx = solution.Value(routing.NextVar(idx))
        while not routing.IsEnd(idx):
            v = nodes[manager.IndexToNode(idx) - 1]
            s = solution.Min(tdim.CumulVar(idx))
            placed.setdefault(v, []).append((k, pos, s))
            pos += 1
            idx = solution.Value(routing.NextVar(idx))
    left = []
    for v in visits:
        got = placed.get(v, [])
        if len(got) != ix.visits[v].carers or len({s for _, _, s in got}) != 1:
            left.append(v)
            continue
    # Insert route by route in order so positions stay right.
    for k in slots:
        seq = sorted((pos, v, s) for v, got in placed.items() if v not in left
                     for kk, pos, s in got if kk == k)
        for pos, v, s in seq:
            vis = ix.visits[v]
            if vis.carers > 1:
                st.insert(v, [Option(k, len(st.routes[k]), s, s, 0)], s, s, s)
            else:
                lo, hi = st.preferred_window(v)
                lo, hi = min(lo, s), max(hi, s)
                st.insert(v, [Option(k, len(st.routes[k]), s, s, 0)], None, lo, hi)
            del pos
    # The cap: routing may have brought several new faces in one day; the least used go back to
    # greedy insertion (which only tries faces the cap allows).
    placed_now = [v for v in visits if st.slots_of[v]]
    for ci, mi in sorted({(ix.v_cit[v], ix.v_month[v]) for v in placed_now}):
        while not st.cap_kept(ci, mi):
            mine = [v for v in placed_now if ix.v_cit[v] == ci and ix.v_month[v] == mi and st.slots_of[v]]
            counts: dict[int, int] = {}
            for v in mine:
                for k in st.slots_of[v]:
                    counts[ix.slots[k].carer] = counts.get(ix.slots[k].carer, 0) + 1
            if not counts:
                break
            worst = min(counts, key=lambda c: (st.met[ci][mi].get(c, 0), c))
            for v in mine:
                if any(ix.slots[k].carer == worst for k in st.slots_of[v]):
                    st.remove(v)
                    left.append(v)
    # Routing knows no breaks: a route without room for its break (or otherwise infeasible to the
    # state) gives back the fewest visits that make room; they go back to greedy insertion.
    left += make_room(st, slots)
    return sorted(set(left))


def search_parameters(seconds: float, exact_repeat: bool, solutions: int | None = None) -> Any:
    """Routing's search: guided local search for `seconds`; with `solutions` guided local search that
    so many solutions end; with `exact_repeat` alone a greedy descent to its first local optimum. Where
    a count ends the search no wall clock cuts it (routing's own limits then are only safety nets)."""
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PARALLEL_CHEAPEST_INSERTION
    if solutions is not None or exact_repeat:
        params.local_search_metaheuristic = (
            routing_enums_pb2.LocalSearchMetaheuristic.GREEDY_DESCENT if solutions is None
            else routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH)
        if solutions is not None:
            params.solution_limit = solutions
        params.time_limit.FromSeconds(EXACT_SECONDS)
        # Routing's inner searches stop at lns_time_limit, 0.1 s of wall time by default: on a loaded
        # machine they would stop at different points from run to run.
        params.lns_time_limit.FromSeconds(LNS_SECONDS_EXACT)
    else:
        params.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
        params.time_limit.FromMilliseconds(max(50, int(seconds * 1000)))
    return params


def make_room(st: TeamState, slots: list[int]) -> list[int]:
    """Unplace visits from the routes of `slots` that the state finds infeasible (no room for the
    break, mostly) until each is feasible (TeamState.make_feasible); returns the visits taken out."""
    return [v for k in slots for v in st.make_feasible(k)]


def _node_routes(start_from: DayRoutes, slots: list[int], nodes: list[int],
                 pair: dict[int, tuple[list[int], int]]) -> list[list[int]] | None:
    """start_from's routes as routing nodes per vehicle (a double visit's h-th node rides with its
    h-th carer); None when a route holds a visit that is not among the nodes."""
    node_of: dict[tuple[int, int], int] = {}  # (visit, vehicle or -1 for a single visit) -> node
    halves: dict[int, int] = {}
    for i, v in enumerate(nodes, start=1):
        vehicle = -1
        if v in pair:
            h = halves.get(v, 0)
            halves[v] = h + 1
            vehicle = pair[v][0][h]
        node_of[(v, vehicle)] = i
    routes = []
    for vi, k in enumerate(slots):
        route = []
        for v in start_from.routes.get(k, []):
            node = node_of.get((v, vi), node_of.get((v, -1)))
            if node is None:
                return None
            route.append(node)
        routes.append(route)
    return routes
