"""A lower bound on the mean number of distinct carers per citizen-month (peer (d), not a planner).

For each citizen-month, the fewest carers who could cover all of its visits, as a small CP-SAT model:
each visit needs `carers` distinct eligible carers (skills, avoid list); a carer can take a visit only
inside one of their shifts that day (some start in the window with the whole visit inside the shift);
one carer's visits of a day may not overlap in time. Everything else is relaxed (travel between
homes, other citizens, the carers' other work, breaks, the monthly cap, a double visit's common
start), so the optimum is never above what any feasible plan reaches for that citizen-month. When a
model does not finish in its time limit, CP-SAT's proven bound (rounded up) is used, which is still a
valid lower bound.

With `reach=True` (travel modes make it matter: a walking carer needs long to get anywhere) a shift
holds a visit only with room for the way out from the carer's base and back: a start no earlier than
shift start + out, an end no later than shift end - back, where out and back are the carer's own
travel minutes (its travel mode's) between its team's base and the citizen's home, taken from
`contact_bound.travel_metric` (they obey the triangle inequality). This stays a lower bound: the
verifier (FORMAT.md, feasibility 4) has every route of a shift leave the base at or after the shift's
start, reach each visit through the legs before it at the carer's own minutes, and be back by the
shift's end; the legs from the base to a visit, through any other homes, sum to at least the direct
minutes (the triangle inequality), and service and waiting only add, so no valid plan has a carer
start a visit earlier than shift start + out or end it later than shift end - back. The bound only
drops carer-shift pairs no valid plan can use; every other part of the model is as above. Two
carers with the same skills and shifts but another base or travel mode are then no longer of one
profile, so the profiles (pool and symmetry breaking) include both.

Visits no carer could ever take are left out (no plan can place them). A plan that leaves placeable
visits unplaced may go below the bound for that citizen; the bench compares placed counts too.
"""

from __future__ import annotations

import math
import statistics
import time
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import combinations, permutations

from ortools.sat.python import cp_model

from bench.peers.base import may_serve, shifts_by_day, solve_bound_model
from bench.peers.contact_bound import travel_metric
from solver.types import Carer, Citizen, MonthKey, Problem, Shift, Visit


@dataclass
class Bound:
    """Per citizen-month minimum carers, and their mean (the figure compared with plans)."""

    per_citizen_month: dict[str, int] = field(default_factory=dict)  # "citizen|yyyy-mm" -> min carers
    mean: float = 0.0
    max: int = 0
    proven_optimal: int = 0  # citizen-months solved to optimality
    relaxed: int = 0  # citizen-months where only the bound (not the optimum) was reached
    seconds: float = 0.0

    def to_dict(self) -> dict[str, object]:
        return {"mean": self.mean, "max": self.max, "citizen_months": len(self.per_citizen_month),
                "proven_optimal": self.proven_optimal, "relaxed": self.relaxed, "seconds": self.seconds}


def _windows(visit: Visit, shifts: list[Shift], out_back: tuple[int, int] = (0, 0)) -> list[tuple[int, int]]:
    """Start ranges [lo, hi] for one carer, one per shift of the day that can hold the whole visit and
    the way from the base (`out_back`[0] minutes) and back to it ([1])."""
    out = []
    for s in shifts:
        lo = max(visit.earliest, s.start + out_back[0])
        hi = min(visit.latest, s.end - visit.duration - out_back[1])
        if lo <= hi:
            out.append((lo, hi))
    return out


def _one_carer_can_do(visits: list[Visit], ranges: dict[str, list[tuple[int, int]]]) -> bool:
    """Can one carer do all these visits of one day, one after another, each in a usable shift?

    Tries every order with earliest starts. A visit usable in several shifts gets the hull of its
    ranges (a relaxation: it can only say "yes" more often, which keeps the bound valid).
    """
    hull = {v.id: (min(r[0] for r in ranges[v.id]), max(r[1] for r in ranges[v.id])) for v in visits}
    for order in permutations(visits):
        t = -1
        for v in order:
            lo, hi = hull[v.id]
            start = max(t, lo)
            if start > hi:
                break
            t = start + v.duration
        else:
            return True
    return False


def citizen_month_min(citizen: Citizen, visits: list[Visit], carers: list[Carer],
                      shifts: dict[tuple[str, int], list[Shift]],
                      time_limit: float = 10.0,
                      out_back: dict[str, tuple[int, int]] | None = None) -> tuple[int, bool]:
    """The fewest carers for these visits of one citizen in one month; (value, proven optimal).

    A Boolean model: take[v, c] for each eligible carer, use[c]; each visit gets exactly `carers`
    takers; for each carer and day, no set of visits one carer cannot do in sequence (minimal such
    sets, found by trying the orders; a citizen has a handful of visits a day). Carers of the same
    profile are interchangeable, so they are used in list order (symmetry breaking).
    """
    model = cp_model.CpModel()
    use: dict[str, cp_model.IntVar] = {}
    take: dict[tuple[str, str], cp_model.IntVar] = {}
    day_visits: dict[tuple[str, int], list[Visit]] = defaultdict(list)
    ranges: dict[tuple[str, str], list[tuple[int, int]]] = {}
    for v in visits:
        takers = []
        for c in carers:
            if not may_serve(c, v, citizen):
                continue
            r = _windows(v, shifts.get((c.id, v.day), []), (out_back or {}).get(c.id, (0, 0)))
            if not r:
                continue
            if c.id not in use:
                use[c.id] = model.new_bool_var(f"use_{c.id}")
            x = model.new_bool_var(f"take_{v.id}_{c.id}")
            model.add_implication(x, use[c.id])
            take[(v.id, c.id)] = x
            ranges[(v.id, c.id)] = r
            day_visits[(c.id, v.day)].append(v)
            takers.append(x)
        model.add(sum(takers) == v.carers)
    for (cid, _day), vs in day_visits.items():
        if len(vs) < 2:
            continue
        rs = {v.id: ranges[(v.id, cid)] for v in vs}
        infeasible: list[frozenset[str]] = []
        for size in range(2, len(vs) + 1):
            for subset in combinations(vs, size):
                ids = frozenset(v.id for v in subset)
                if any(bad <= ids for bad in infeasible):
                    continue  # already excluded by a smaller set
                if not _one_carer_can_do(list(subset), rs):
                    infeasible.append(ids)
                    model.add_bool_or([take[(vid, cid)].negated() for vid in ids])
    # Symmetry: among carers of one profile (same skills, same shifts), use them in order.
    by_profile: dict[tuple[object, ...], list[str]] = defaultdict(list)
    for c in carers:
        if c.id in use:
            by_profile[(c.skills, tuple(sorted(c.shifts, key=lambda s: (s.day, s.start))),
                        (out_back or {}).get(c.id, (0, 0)))].append(c.id)
    for same in by_profile.values():
        for a, b in zip(same, same[1:], strict=False):
            model.add_implication(use[b], use[a])
    model.minimize(sum(use.values()))
    solver, status = solve_bound_model(model, time_limit)
    if status == cp_model.OPTIMAL:
        return round(solver.objective_value), True
    at_least = max((v.carers for v in visits), default=0)
    if status in (cp_model.FEASIBLE, cp_model.UNKNOWN):
        # Unfinished: CP-SAT's proven bound (rounded up) is still a valid lower bound.
        return max(at_least, math.ceil(solver.best_objective_bound - 1e-6)), False
    # Infeasible (the relaxed rules cannot cover every visit): the plain count, never over the truth.
    return at_least, False


def _pool(carers: list[Carer], citizen: Citizen, visits: list[Visit],
          out_back: dict[str, tuple[int, int]] | None = None) -> list[Carer]:
    """Every carer may serve in the relaxation, whatever their team (the format does not forbid it).

    Carers with the same skills, the same shifts and (with `out_back`) the same way out and back are
    interchangeable for one citizen, so only as many of each such profile are kept as the citizen's
    busiest day has carer slots: in any solution
    the profile's work can be relabelled day by day onto that many carers, never using more. This
    keeps municipality-xl's models small (56 profiles among 641 carers) without losing validity.
    """
    per_day: dict[int, int] = defaultdict(int)
    for v in visits:
        per_day[v.day] += v.carers
    keep = max(per_day.values(), default=0)
    seen: dict[tuple[object, ...], int] = defaultdict(int)
    pool = []
    # Own team first, so the kept representatives are the carers a planner would really send.
    for c in sorted(carers, key=lambda c: (c.team != citizen.team, c.id)):
        if c.id in citizen.avoid:
            continue
        profile = (c.skills, tuple(sorted((s.day, s.start, s.end) for s in c.shifts)),
                   (out_back or {}).get(c.id, (0, 0)))
        if seen[profile] < keep:
            seen[profile] += 1
            pool.append(c)
    return pool


def bound(problem: Problem, time_limit_per_model: float = 10.0, budget: float = 900.0,
          reach: bool = False) -> Bound:
    """The bound for every citizen-month. `budget` (seconds) caps the whole run: when time runs
    short, each remaining model gets its share (at least half a second) and, if unfinished,
    contributes its proven bound instead of its optimum, which keeps the result valid. With `reach`,
    each carer-shift needs room for the way out and back at the carer's own travel minutes (above)."""
    t0 = time.perf_counter()
    shifts = shifts_by_day(problem.carers)
    metrics = ({mode: travel_metric(problem, mode) for mode in [None, *sorted(problem.travel_modes)]}
               if reach else {})
    citizens = {p.id: p for p in problem.citizens}
    groups: dict[tuple[str, MonthKey], list[Visit]] = defaultdict(list)
    for v in problem.visits:
        groups[(v.citizen, problem.month_of(v.day))].append(v)
    out = Bound()
    for n, ((pid, month), visits) in enumerate(sorted(groups.items())):
        p = citizens[pid]
        share = (budget - (time.perf_counter() - t0)) / (len(groups) - n)
        limit = max(0.5, min(time_limit_per_model, share))
        out_back = ({c.id: (metrics[c.travel_mode](c.team, pid), metrics[c.travel_mode](pid, c.team))
                     for c in problem.carers} if reach else {})
        pool = _pool(problem.carers, p, visits, out_back)
        placeable = [v for v in visits
                     if sum(1 for c in pool if may_serve(c, v, p)
                            and _windows(v, shifts.get((c.id, v.day), []), out_back.get(c.id, (0, 0))))
                     >= v.carers]
        if not placeable:
            continue
        value, optimal = citizen_month_min(p, placeable, pool, shifts, limit, out_back)
        out.per_citizen_month[f"{pid}|{month[0]}-{month[1]:02d}"] = value
        out.proven_optimal += optimal
        out.relaxed += not optimal
    values = list(out.per_citizen_month.values())
    out.mean = round(statistics.fmean(values), 3) if values else 0.0
    out.max = max(values, default=0)
    out.seconds = round(time.perf_counter() - t0, 1)
    return out
