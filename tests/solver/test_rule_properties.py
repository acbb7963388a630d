"""Instances with the optional rules (walking and cycling carers, breaks, spaced visits, priorities):
every plan the planner writes passes its own final check, and the team's verifier agrees, visit for
visit and figure for figure (unplaced per priority, breaks checked, travel by each carer's mode)."""

from __future__ import annotations

import copy
import dataclasses
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hs

from exchange import parse_instance, to_problem
from exchange.generator import generate
from solver import solve
from solver.check import breaks_owed, travel_minutes, unplaced_by_priority
from solver.types import BreakWindow, Dependency, Problem, Shift, TravelSpec
from tests.solver.conftest import carer, citizen, problem, quick, shared_verify, verify, visit

MODES = {"walk": TravelSpec(speed_kmh=4.5), "bike": TravelSpec(speed_kmh=14.0)}


@hs.composite
def problems_with_rules(draw: hs.DrawFn) -> Problem:
    days = draw(hs.integers(1, 2))
    carers = []
    for i in range(draw(hs.integers(1, 3))):
        shifts = []
        for d in range(days):
            kind = draw(hs.sampled_from(("day", "evening", "off")))
            pause = draw(hs.sampled_from((None, 30, 45)))
            if kind == "day":
                shifts.append(Shift(d, 420, 930, BreakWindow(600, 720, pause) if pause else None))
            elif kind == "evening":
                shifts.append(Shift(d, 840, 1320, BreakWindow(1020, 1140, pause) if pause else None))
        mode = draw(hs.sampled_from((None, "walk", "bike")))
        carers.append(dataclasses.replace(carer(f"c{i}", shifts=tuple(shifts)), travel_mode=mode))
    citizens = [citizen(f"p{i}", north=draw(hs.floats(-0.02, 0.02)), east=draw(hs.floats(-0.03, 0.03)))
                for i in range(draw(hs.integers(1, 3)))]
    visits = []
    for i in range(draw(hs.integers(1, 10))):
        earliest = draw(hs.integers(420, 1200))
        visits.append(dataclasses.replace(
            visit(f"v{i}", draw(hs.sampled_from(citizens)).id, day=draw(hs.integers(0, days - 1)),
                  earliest=earliest, latest=earliest + draw(hs.sampled_from((0, 60, 180))),
                  duration=draw(hs.sampled_from((15, 30, 60))), carers=draw(hs.sampled_from((1, 1, 2)))),
            priority=draw(hs.integers(1, 3))))
    dependencies = []
    for _ in range(draw(hs.integers(0, 3))):
        first, then = draw(hs.sampled_from(visits)).id, draw(hs.sampled_from(visits)).id
        if first != then:
            dependencies.append(Dependency(first, then, min_gap=draw(hs.sampled_from((0, 60, 180))),
                                           max_gap=draw(hs.sampled_from((None, 240, 600)))))
    return problem(carers, citizens, visits, days=days, travel_modes=MODES, dependencies=dependencies)


FAST = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(problems_with_rules())
def test_every_plan_keeps_the_rules_by_the_planners_own_check(p: Problem) -> None:
    plan = solve(p, quick(iterations=20))
    errors, figures = verify(p, plan)
    assert errors == []
    assert figures["assigned"] + figures["unassigned"] == len(p.visits)


@pytest.mark.shared
@FAST
@given(problems_with_rules())
def test_the_shared_verifier_accepts_every_plan_with_the_rules_and_counts_alike(p: Problem) -> None:
    plan = solve(p, quick(iterations=20))
    errors, figures = shared_verify(p, plan)
    assert errors == []
    assert figures["travel_minutes"] == travel_minutes(p, plan.assignments)
    assert figures["breaks_checked"] == breaks_owed(p, plan.assignments)
    assert figures["unassigned_by_priority"] == {str(k): n for k, n in unplaced_by_priority(p, plan).items()}


def small_rules_instance(seed: int, days: int = 2, citizens: int = 8) -> dict[str, Any]:
    """The first days and citizens of the generator's one-team instance with the rules."""
    doc = copy.deepcopy(generate("team-rules", "s", seed))
    doc["days"] = days
    keep = {p["id"] for p in doc["citizens"][:citizens]}
    doc["citizens"] = [p for p in doc["citizens"] if p["id"] in keep]
    doc["visits"] = [v for v in doc["visits"] if v["day"] < days and v["citizen"] in keep]
    kept = {v["id"] for v in doc["visits"]}
    doc["dependencies"] = [d for d in doc["dependencies"] if d["first"] in kept and d["then"] in kept]
    for c in doc["carers"]:
        c["shifts"] = [s for s in c["shifts"] if s["day"] < days]
    return doc


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_plans_of_generated_instances_with_the_rules_pass_the_check(seed: int) -> None:
    p = to_problem(parse_instance(small_rules_instance(seed)))
    assert p.dependencies and p.travel_modes and any(s.break_window for c in p.carers for s in c.shifts)
    plan = solve(p, quick(seed=seed, iterations=30))
    assert verify(p, plan)[0] == []


@pytest.mark.shared
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_shared_verifier_accepts_plans_of_generated_instances_with_the_rules(seed: int) -> None:
    p = to_problem(parse_instance(small_rules_instance(seed)))
    plan = solve(p, quick(seed=seed, iterations=30))
    errors, figures = shared_verify(p, plan)
    assert errors == []
    assert figures["breaks_checked"] == breaks_owed(p, plan.assignments) > 0
