"""The planner's own final check (solver/check.py) as the tests use it: a plan's violations and the
figures the tests look at, from objects or from files. Parity with the team's verifier is tested
separately (tests marked `shared`)."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from exchange import parse_instance, parse_plan, plan_from_doc, to_problem
from solver.check import check_assignments
from solver.travel import Travel
from solver.types import Plan, Problem


def own_verdict(problem: Problem, plan: Plan) -> tuple[list[str], dict[str, Any]]:
    """(violations, figures) of `plan`: every visit exactly once, and solver/check.py's rules."""
    travel = Travel.for_problem(problem)
    violations = [f"{vid}: {msg}" for vid, msg in
                  sorted(check_assignments(problem, plan.assignments, travel).items())]
    ids = [a.visit for a in plan.assignments] + [u.visit for u in plan.unplaced]
    missing = {v.id for v in problem.visits} - set(ids)
    violations += [f"{vid}: neither assigned nor unassigned" for vid in sorted(missing)]
    violations += [f"{vid}: listed twice" for vid in sorted({i for i in ids if ids.count(i) > 1})]
    return violations, _figures(problem, plan, travel)


def own_verdict_docs(instance: dict[str, Any], plan: dict[str, Any]) -> tuple[list[str], dict[str, Any]]:
    """The same for homecare-instance/1 and homecare-plan/1 documents."""
    problem = to_problem(parse_instance(instance))
    return own_verdict(problem, plan_from_doc(parse_plan(plan)))


def own_verdict_files(instance: Path, plan: Path) -> tuple[list[str], dict[str, Any]]:
    return own_verdict_docs(json.loads(instance.read_text(encoding="utf-8")),
                            json.loads(plan.read_text(encoding="utf-8")))


def _figures(problem: Problem, plan: Plan, travel: Travel) -> dict[str, Any]:
    visits = {v.id: v for v in problem.visits}
    team = {c.id: c.team for c in problem.carers}
    met: dict[tuple[str, tuple[int, int]], set[str]] = defaultdict(set)
    routes: dict[tuple[str, int, int], list[tuple[int, str]]] = defaultdict(list)
    shifts = {c.id: c.shifts for c in problem.carers}
    for a in plan.assignments:
        v = visits[a.visit]
        for c in a.carers:
            met[(v.citizen, problem.month_of(v.day))].add(c)
            # A visit outside every shift is a violation already; it joins no route.
            for shift in (s for s in shifts.get(c, ()) if s.day == v.day and s.start <= a.start <= s.end):
                routes[(c, v.day, shift.start)].append((a.start, v.citizen))
                break
    minutes = 0
    for (c, _day, _start), stops in routes.items():
        here = team[c]
        for _t, place in sorted(stops):
            minutes += travel.minutes(here, place)
            here = place
        minutes += travel.minutes(here, team[c])
    counts = [len(s) for s in met.values()]
    return {
        "assigned": len(plan.assignments),
        "unassigned": len(plan.unplaced),
        "distinct_carers_per_citizen_month": {"max": max(counts, default=0),
                                              "mean": round(sum(counts) / len(counts), 2) if counts else 0},
        "travel_minutes": minutes,
    }
