"""Peer (a): OR-Tools routing, day by day per team, minimising travel only (what a central planner does).

Per team and day: one vehicle per carer shift (start and end at the team base, within the shift),
one node per visit (two nodes for a double visit, tied to the same start through the time dimension
and performed together), time windows on the start, service times, skills and avoid lists through
allowed vehicles, and a large penalty for leaving a visit out. Guided local search for a second
per team-day (`seconds`). It knows nothing about continuity or the monthly cap, so it may break the
cap: the bench reports that as a violation rather than hiding it.
"""

from __future__ import annotations

import time
from collections import defaultdict

from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from bench.peers.base import may_serve
from solver.travel import Travel
from solver.types import Assignment, Plan, Problem, Unplaced, Visit

DROP_PENALTY = 100_000  # per visit node: far above any day's travel, so placing comes first


# Guided local search per team-day. One second lands nearest the issue author's measured figures
# (team-m: 2,812 placed, ~14,300 travel min, mean 14.1, max 23); 3 s finds ~4% less travel.
SECONDS_PER_TEAM_DAY = 1.0


def _solve_team_day(problem: Problem, travel: Travel, team: str, day: int, visits: list[Visit],
                    seconds: float, solutions: int | None = None) -> tuple[list[Assignment], list[Unplaced]]:
    citizens = {p.id: p for p in problem.citizens}
    vehicles = [(c, s) for c in problem.carers if c.team == team for s in c.shifts if s.day == day]
    assignments: list[Assignment] = []
    unplaced: list[Unplaced] = []
    # Nodes: 0 is the base; then one node per attending carer of each visit.
    node_visit: list[Visit | None] = [None]
    node_allowed: list[list[int]] = [[]]
    groups: list[tuple[Visit, list[int]]] = []  # a visit and its nodes (two for a double visit)
    for v in visits:
        p = citizens[v.citizen]
        allowed = [k for k, (c, s) in enumerate(vehicles)
                   if may_serve(c, v, p) and s.start <= v.latest
                   and max(v.earliest, s.start) + v.duration <= s.end]
        if len(allowed) < v.carers:
            unplaced.append(Unplaced(v.id, f"fewer than {v.carers} carers with the skills on shift at "
                                           f"{v.earliest // 60:02d}:{v.earliest % 60:02d}-"
                                           f"{v.latest // 60:02d}:{v.latest % 60:02d} on day {day}"))
            continue
        group = []
        for _ in range(v.carers):
            group.append(len(node_visit))
            node_visit.append(v)
            node_allowed.append(allowed)
        groups.append((v, group))
    if not groups:
        return assignments, unplaced
    if not vehicles:
        return assignments, unplaced + [Unplaced(v.id, "no carer on shift") for v, _ in groups]

    place = [team] + [v.citizen for v in node_visit[1:] if v is not None]
    service = [0] + [v.duration for v in node_visit[1:] if v is not None]
    n = len(node_visit)
    manager = pywrapcp.RoutingIndexManager(n, len(vehicles), 0)
    routing = pywrapcp.RoutingModel(manager)

    def drive(i: int, j: int) -> int:
        return travel.minutes(place[manager.IndexToNode(i)], place[manager.IndexToNode(j)])

    def busy(i: int, j: int) -> int:
        a = manager.IndexToNode(i)
        return service[a] + travel.minutes(place[a], place[manager.IndexToNode(j)])

    drive_cb = routing.RegisterTransitCallback(drive)
    busy_cb = routing.RegisterTransitCallback(busy)
    routing.SetArcCostEvaluatorOfAllVehicles(drive_cb)
    routing.AddDimension(busy_cb, 24 * 60, 24 * 60, False, "time")
    time_dim = routing.GetDimensionOrDie("time")
    for k, (_, s) in enumerate(vehicles):
        time_dim.CumulVar(routing.Start(k)).SetRange(s.start, s.end)
        time_dim.CumulVar(routing.End(k)).SetRange(s.start, s.end)
    solver = routing.solver()
    for v, group in groups:
        for node in group:
            idx = manager.NodeToIndex(node)
            time_dim.CumulVar(idx).SetRange(v.earliest, v.latest)
            # SetAllowedVehiclesForIndex's SWIG wrapper rejects Python lists in OR-Tools 9.15
            # (absl::Span); removing the other vehicles from the node's vehicle variable is the same.
            barred = sorted(set(range(len(vehicles))) - set(node_allowed[node]))
            if barred:
                routing.VehicleVar(idx).RemoveValues(barred)
            routing.AddDisjunction([idx], DROP_PENALTY)
        # A double visit: both carers come, and they start together.
        first = manager.NodeToIndex(group[0])
        for node in group[1:]:
            idx = manager.NodeToIndex(node)
            solver.Add(routing.ActiveVar(first) == routing.ActiveVar(idx))
            solver.Add(time_dim.CumulVar(first) == time_dim.CumulVar(idx))
    for k in range(len(vehicles)):
        routing.AddVariableMinimizedByFinalizer(time_dim.CumulVar(routing.Start(k)))
        routing.AddVariableMinimizedByFinalizer(time_dim.CumulVar(routing.End(k)))

    # Cheapest insertion cannot insert one node of a double visit without its twin (their starts are
    # tied), and on some days then leaves every visit out; building paths arc by arc, most constrained
    # first, mostly does not, given time of its own (two seconds at least) to find a first solution.
    strategies = routing_enums_pb2.FirstSolutionStrategy
    for strategy, limit in ((strategies.PARALLEL_CHEAPEST_INSERTION, seconds),
                            (strategies.PATH_MOST_CONSTRAINED_ARC, max(seconds, 2.0)),
                            (strategies.PATH_CHEAPEST_ARC, max(seconds, 2.0))):
        params = pywrapcp.DefaultRoutingSearchParameters()
        params.first_solution_strategy = strategy
        params.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
        if solutions is None:
            params.time_limit.FromMilliseconds(max(100, int(limit * 1000)))
        else:
            # Repeatable on any machine at any load: stop after so many solutions; the time limit
            # only guards against a day that never gets there.
            params.solution_limit = solutions
            params.time_limit.FromSeconds(60)
        solution = routing.SolveWithParameters(params)
        if solution is not None and any(solution.Value(routing.ActiveVar(manager.NodeToIndex(node)))
                                        for _, group in groups for node in group):
            break

    starts: dict[str, int] = {}
    carers_of: dict[str, list[str]] = defaultdict(list)
    if solution is not None:
        for k, (c, _) in enumerate(vehicles):
            idx = routing.Start(k)
            while not routing.IsEnd(idx):
                node = manager.IndexToNode(idx)
                at = node_visit[node]
                if at is not None:
                    starts[at.id] = solution.Value(time_dim.CumulVar(idx))
                    carers_of[at.id].append(c.id)
                idx = solution.Value(routing.NextVar(idx))
    for v, _ in groups:
        if len(carers_of.get(v.id, ())) == v.carers:
            assignments.append(Assignment(v.id, tuple(carers_of[v.id]), starts[v.id]))
        else:
            unplaced.append(Unplaced(v.id, "routing left it out: no carer route could fit it in"
                                     if solution is not None else "routing found no solution for the day"))
    return assignments, unplaced


def plan(problem: Problem, seconds: float | None = None, solutions: int | None = None) -> Plan:
    """Route every team-day independently; `seconds` of guided local search per team-day, or, given
    `solutions`, as many solutions per team-day (the same plan whatever else the machine does)."""
    travel = Travel.for_problem(problem)
    per_day = SECONDS_PER_TEAM_DAY if seconds is None else seconds
    team_of = {p.id: p.team for p in problem.citizens}
    by_team_day: dict[tuple[str, int], list[Visit]] = defaultdict(list)
    for v in problem.visits:
        by_team_day[(team_of[v.citizen], v.day)].append(v)
    out = Plan(assignments=[], unplaced=[])
    t0 = time.perf_counter()
    for (team, day), visits in sorted(by_team_day.items()):
        a, u = _solve_team_day(problem, travel, team, day, visits, per_day, solutions)
        out.assignments += a
        out.unplaced += u
    out.stats["seconds"] = round(time.perf_counter() - t0, 1)
    return out
