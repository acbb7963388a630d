"""The lower bound reported with the progress: never above a plan's cost, and exact where it can be."""

from __future__ import annotations

import dataclasses

from hypothesis import given

from solver import solve
from solver.objective import WEIGHTS
from solver.travel import Travel
from solver.types import Problem, Progress
from tests.solver.conftest import carer, citizen, problem, quick, visit
from tests.solver.test_properties import FAST, small_problems

W_NEW_CARER, W_NOT_CONTACT, W_UNPLACED = WEIGHTS.new_carer, WEIGHTS.not_contact, WEIGHTS.unplaced


@FAST
@given(small_problems())
def test_the_bound_never_exceeds_the_cost_of_the_plan_found(p: Problem) -> None:
    seen: list[Progress] = []
    plan = solve(p, dataclasses.replace(quick(iterations=20), on_progress=seen.append))
    assert plan.bound is not None and plan.objective is not None
    assert plan.bound <= plan.objective + 1e-6
    assert seen[-1].bound == plan.bound  # the progress reports it too


def test_one_carer_one_citizen_the_bound_is_the_plans_cost() -> None:
    """Anna is the only carer: the citizen meets one face, and each day she drives there and back."""
    p = problem([carer("anna", days=(0, 1))], [citizen("p1", contact="anna")],
                [visit(f"p1-d{d}", "p1", day=d, earliest=480, latest=480) for d in (0, 1)], days=2)
    plan = solve(p, quick())
    there = Travel.for_problem(p).minutes("T", "p1")
    assert there > 0
    # Faces and the trips there are in the bound; the trips home are not (arrivals only).
    assert plan.bound == W_NEW_CARER + 2 * there
    assert plan.objective == W_NEW_CARER + 4 * there


def test_a_contact_carer_who_cannot_come_and_a_visit_nobody_can_take_count_in_the_bound() -> None:
    p = problem([carer("anna"), carer("bo", skills=("insulin",))],
                [citizen("p1", contact="anna")],
                [visit("insulin", "p1", skills=("insulin",)), visit("hoist", "p1", skills=("hoist",))])
    plan = solve(p, quick())
    there = Travel.for_problem(p).minutes("T", "p1")
    assert [u.visit for u in plan.unplaced] == ["hoist"]
    assert plan.bound == W_UNPLACED + W_NEW_CARER + W_NOT_CONTACT + there
