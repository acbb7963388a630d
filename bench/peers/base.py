"""What the peers share: who may serve a visit, shifts by carer and day, and a greedy day-route state.

The greedy peers (nearest, careful) build each carer-shift's route by appending visits in start order,
so a route is just "where the carer is and when they are free"; this module keeps that bookkeeping
and the monthly-cap count in one place so the two peers differ only in whom they prefer.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from ortools.sat.python import cp_model

from solver.travel import Travel
from solver.types import Assignment, Carer, CarerId, Citizen, MonthKey, Plan, Problem, Shift, Unplaced, Visit


def solve_bound_model(model: cp_model.CpModel, time_limit: float) -> tuple[cp_model.CpSolver, Any]:
    """Solve one small bound model the same way every time (one worker, seed 0): (solver, status)."""
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = 0
    return solver, solver.solve(model)


def may_serve(carer: Carer, visit: Visit, citizen: Citizen) -> bool:
    """Skills and avoid list: the rules that do not depend on time."""
    return visit.skills <= carer.skills and carer.id not in citizen.avoid


def shifts_by_day(carers: Iterable[Carer]) -> dict[tuple[CarerId, int], list[Shift]]:
    out: dict[tuple[CarerId, int], list[Shift]] = defaultdict(list)
    for c in carers:
        for s in c.shifts:
            out[(c.id, s.day)].append(s)
    for v in out.values():
        v.sort(key=lambda s: s.start)
    return out


def visit_order(visits: Iterable[Visit]) -> list[Visit]:
    """Start order: day, then earliest start, then latest start; double visits first on ties."""
    return sorted(visits, key=lambda v: (v.day, v.earliest, v.latest, -v.carers, v.id))


@dataclass(slots=True)
class Option:
    """One carer-shift that can take a visit now: when they could start and what it costs."""

    carer: CarerId
    shift: int  # index into that carer's shifts of the day
    arrival: int  # earliest time they can be at the citizen's door
    leg: int  # travel minutes from where they are now


class GreedyState:
    """Append-only routes per carer-shift plus who met whom per calendar month (for the cap)."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.travel = Travel.for_problem(problem)
        self.carers = {c.id: c for c in problem.carers}
        self.citizens = {p.id: p for p in problem.citizens}
        self.shifts = shifts_by_day(problem.carers)
        # (carer, day, shift index) -> (free from, where)
        self.pos: dict[tuple[CarerId, int, int], tuple[int, str]] = {}
        self.met: dict[tuple[str, MonthKey], set[CarerId]] = defaultdict(set)
        self.met_count: dict[tuple[str, CarerId], int] = defaultdict(int)
        for (pid, month), cs in problem.met_before.items():
            self.met[(pid, month)] |= set(cs)
        self.assignments: list[Assignment] = []
        self.unplaced: list[Unplaced] = []
        self.team_carers: dict[str, list[Carer]] = defaultdict(list)
        for c in problem.carers:
            self.team_carers[c.team].append(c)

    def options(self, visit: Visit) -> list[Option]:
        """Every carer-shift of the citizen's team free to take the visit (ignoring the cap)."""
        p = self.citizens[visit.citizen]
        out: list[Option] = []
        for c in self.team_carers[p.team]:
            if not may_serve(c, visit, p):
                continue
            for i, s in enumerate(self.shifts.get((c.id, visit.day), ())):
                free, here = self.pos.get((c.id, visit.day, i), (s.start, c.team))
                leg = self.travel.minutes(here, p.id)
                arrival = free + leg
                start = max(arrival, visit.earliest)
                back = self.travel.minutes(p.id, c.team)
                if start <= visit.latest and start + visit.duration + back <= s.end:
                    out.append(Option(c.id, i, arrival, leg))
                    break  # one shift per carer is enough: shifts of a day do not overlap
        return out

    def fits_together(self, visit: Visit, chosen: list[Option]) -> int | None:
        """The common start for these carers, or None when they cannot all start within window and shift."""
        start = max([visit.earliest] + [o.arrival for o in chosen])
        if start > visit.latest:
            return None
        p = self.citizens[visit.citizen]
        for o in chosen:
            s = self.shifts[(o.carer, visit.day)][o.shift]
            if start + visit.duration + self.travel.minutes(p.id, self.carers[o.carer].team) > s.end:
                return None
        return start

    def cap_allows(self, visit: Visit, carers: list[CarerId]) -> bool:
        key = (visit.citizen, self.problem.month_of(visit.day))
        return len(self.met[key] | set(carers)) <= self.problem.max_carers_per_month

    def has_met(self, visit: Visit, carer: CarerId) -> bool:
        return carer in self.met[(visit.citizen, self.problem.month_of(visit.day))]

    def place(self, visit: Visit, chosen: list[Option], start: int) -> None:
        for o in chosen:
            self.pos[(o.carer, visit.day, o.shift)] = (start + visit.duration, visit.citizen)
            self.met[(visit.citizen, self.problem.month_of(visit.day))].add(o.carer)
            self.met_count[(visit.citizen, o.carer)] += 1
        self.assignments.append(Assignment(visit.id, tuple(o.carer for o in chosen), start))

    def leave(self, visit: Visit, options: list[Option]) -> None:
        if not options:
            why = f"no carer{' with ' + ', '.join(sorted(visit.skills)) if visit.skills else ''} free " \
                  f"{visit.earliest // 60:02d}:{visit.earliest % 60:02d}-{visit.latest // 60:02d}:" \
                  f"{visit.latest % 60:02d} on day {visit.day}"
        elif len(options) < visit.carers:
            why = f"needs {visit.carers} carers, only {len(options)} free in the window"
        else:
            why = "no free carers that keep the monthly cap and can start together"
        self.unplaced.append(Unplaced(visit.id, why))

    def plan(self) -> Plan:
        return Plan(assignments=self.assignments, unplaced=self.unplaced)


Chooser = Callable[["GreedyState", Visit, list["Option"]], "tuple[list[Option], int] | None"]


def greedy_plan(problem: Problem, choose: Chooser) -> Plan:
    """Visits in start order, each given to what `choose` picks among the feasible options, or left."""
    state = GreedyState(problem)
    for visit in visit_order(problem.visits):
        options = state.options(visit)
        pick = choose(state, visit, options)
        if pick is None:
            state.leave(visit, options)
        else:
            state.place(visit, *pick)
    return state.plan()
