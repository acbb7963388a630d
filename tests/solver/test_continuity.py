"""The continuity setting a team chooses: from the fewest faces to the least travel that keeps the cap."""

from __future__ import annotations

import dataclasses
import functools

import pytest

from exchange import parse_instance, to_problem
from exchange.generator import generate
from solver import Plan, Problem, SolveParams, objective, solve
from solver.objective import CONTINUITY_SETTINGS, WEIGHTS, UnknownContinuity, weights_for
from tests.checks import own_verdict

SEEDS = (1, 2)


@functools.cache
def _problem(seed: int) -> Problem:
    return to_problem(parse_instance(generate("team", "s", seed)))


@functools.cache
def _plan(seed: int, setting: str, cap: int | None = None) -> Plan:
    problem = _problem(seed)
    if cap is not None:
        problem = dataclasses.replace(problem, max_carers_per_month=cap)
    return solve(problem, SolveParams(time_limit=600, seed=0, workers=1, max_iterations=40,
                                      weights=weights_for(setting)))


def test_fewest_faces_is_the_planners_own_order_of_goals() -> None:
    assert weights_for("fewest") == WEIGHTS


def test_each_step_towards_travel_makes_a_face_cheaper_and_driving_cost_the_same() -> None:
    steps = [weights_for(s) for s in CONTINUITY_SETTINGS]
    for more, less in zip(steps, steps[1:], strict=False):
        assert less.travel == more.travel
        assert objective.faces(6, less) < objective.faces(6, more)
        assert objective.contact(False, less) < objective.contact(False, more)
        assert less.time <= more.time
        # Placing visits still comes first in every setting.
        assert less.unplaced == more.unplaced


def test_least_travel_never_trades_driving_for_even_loads() -> None:
    # A carer working two hours past its share of the day costs something at fewest faces, nothing
    # where the team asked for the least driving that keeps the cap.
    assert objective.fair_load(480, 360, weights_for("travel")) == 0 < objective.fair_load(480, 360)


def test_a_face_budget_drives_little_within_it_and_pays_dearly_beyond_it() -> None:
    budget = weights_for("faces:4")
    travel = weights_for("travel")
    assert objective.faces(4, budget) == objective.faces(4, travel)
    assert objective.new_face(4, budget) >= WEIGHTS.many


@pytest.mark.parametrize("bad", ["", "fastest", "faces:", "faces:0", "faces:x", "faces:99", "Fewest"])
def test_an_unknown_setting_is_refused_naming_the_known_ones(bad: str) -> None:
    with pytest.raises(UnknownContinuity, match="fewest, balanced, travel"):
        weights_for(bad)


@pytest.mark.parametrize("seed", SEEDS)
def test_least_travel_drives_no_more_and_fewest_faces_meets_no_more_carers(seed: int) -> None:
    problem = _problem(seed)
    (fewest_bad, fewest), (travel_bad, least) = (own_verdict(problem, _plan(seed, s))
                                                 for s in ("fewest", "travel"))
    assert fewest_bad == [] and travel_bad == []
    assert least["unassigned"] <= fewest["unassigned"]
    assert least["travel_minutes"] <= fewest["travel_minutes"]
    assert (fewest["distinct_carers_per_citizen_month"]["mean"]
            <= least["distinct_carers_per_citizen_month"]["mean"])


def test_least_travel_routes_every_day_once_more_at_the_end_and_drives_less_for_it() -> None:
    problem = _problem(2)
    without = solve(problem, SolveParams(time_limit=600, seed=0, workers=1, max_iterations=40,
                                         weights=dataclasses.replace(weights_for("travel"),
                                                                     reroute_at_end=False)))
    (bad, rerouted), (_, kept) = own_verdict(problem, _plan(2, "travel")), own_verdict(problem, without)
    assert bad == []
    assert rerouted["unassigned"] <= kept["unassigned"]
    assert rerouted["travel_minutes"] < kept["travel_minutes"]
    assert rerouted["distinct_carers_per_citizen_month"]["max"] <= problem.max_carers_per_month


@pytest.mark.parametrize("seed", SEEDS)
def test_least_travel_never_breaks_a_tight_monthly_cap(seed: int) -> None:
    cap = 5  # below what "travel" meets when the cap is loose, so the cap has to bind
    tight = dataclasses.replace(_problem(seed), max_carers_per_month=cap)
    violations, figures = own_verdict(tight, _plan(seed, "travel", cap))
    assert violations == []
    assert figures["distinct_carers_per_citizen_month"]["max"] <= cap
