"""The planner's own final check (solver/check.py) as the tests use it: a plan's violations and the
figures the tests look at, from objects or from files. Parity with the team's verifier is tested
separately (tests marked `shared`)."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from exchange import parse_instance, parse_plan, plan_from_doc, to_problem
from solver.check import check_plan, travel_minutes
from solver.travel import Travel
from solver.types import Plan, Problem


def own_verdict(problem: Problem, plan: Plan) -> tuple[list[str], dict[str, Any]]:
    """(violations, figures) of `plan`: every visit exactly once, and solver/check.py's rules."""
    travel = Travel.for_problem(problem)
    visits = {v.id: v for v in problem.visits}
    met: dict[tuple[str, tuple[int, int]], set[str]] = defaultdict(set)
    for a in plan.assignments:
        v = visits[a.visit]
        met[(v.citizen, problem.month_of(v.day))].update(a.carers)
    counts = [len(s) for s in met.values()]
    return check_plan(problem, plan, travel), {
        "assigned": len(plan.assignments),
        "unassigned": len(plan.unplaced),
        "distinct_carers_per_citizen_month": {"max": max(counts, default=0),
                                              "mean": round(sum(counts) / len(counts), 2) if counts else 0},
        "travel_minutes": travel_minutes(problem, plan.assignments, travel),
    }


def own_verdict_docs(instance: dict[str, Any], plan: dict[str, Any]) -> tuple[list[str], dict[str, Any]]:
    """The same for homecare-instance/1 and homecare-plan/1 documents."""
    problem = to_problem(parse_instance(instance))
    return own_verdict(problem, plan_from_doc(parse_plan(plan)))


def own_verdict_files(instance: Path, plan: Path) -> tuple[list[str], dict[str, Any]]:
    return own_verdict_docs(json.loads(instance.read_text(encoding="utf-8")),
                            json.loads(plan.read_text(encoding="utf-8")))
