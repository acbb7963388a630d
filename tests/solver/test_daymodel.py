"""The CP-SAT neighbourhood model: each named rule and goal, on a small day."""

from __future__ import annotations

from ortools.sat.python import cp_model

from solver import daymodel
from solver.construct import construct
from solver.index import build_team_index
from solver.planner import team_state
from solver.state import TeamState
from solver.travel import Travel
from solver.types import Problem
from tests.solver.conftest import carer, citizen, placed_by, problem, visit


def state_of(p: Problem, build: bool = True) -> TeamState:
    ix = build_team_index(p, "T", Travel.for_problem(p))
    st, free, _ = team_state(p, ix, {}, {}, {})
    if build:
        construct(st, free)
    return st


def resolve_day(st: TeamState, day: int = 0) -> bool:
    slots = st.ix.slots_of_day[day]
    visits = [v for v, vis in enumerate(st.ix.visits) if vis.day == day]
    return daymodel.solve_day(st, day, slots, visits, seed=1, workers=1, time_limit=2.0)


def test_every_rule_and_goal_is_a_named_function() -> None:
    names = [f.__name__ for f in daymodel.RULES + daymodel.GOALS]
    assert "add_monthly_cap" in names and "add_shift_routes_with_travel" in names
    assert {"distinct_carer_terms", "contact_carer_terms", "steady_start_terms", "travel_terms",
            "workload_fairness_terms", "unplaced_visit_terms", "disturbance_terms"} <= set(names)


def test_the_day_model_places_what_greedy_insertion_left_out() -> None:
    p = problem([carer("anna"), carer("bo")], [citizen("p1"), citizen("p2", east=0.01), citizen("p3")],
                [visit("a", "p1", earliest=450, latest=470, duration=50),
                 visit("b", "p2", earliest=450, latest=560, duration=50),
                 visit("c", "p3", earliest=520, latest=530, duration=50)])
    st = state_of(p, build=False)
    assert resolve_day(st)
    assert set(placed_by(st)) == {"a", "b", "c"}


def test_skills_and_avoid_lists_leave_no_variable_for_a_forbidden_carer() -> None:
    p = problem([carer("anna"), carer("bo", skills=("insulin",))],
                [citizen("p1", avoid=("bo",)), citizen("p2")],
                [visit("a", "p1"), visit("b", "p2", skills=("insulin",))])
    st = state_of(p)
    dm = daymodel.build(st, 0, st.ix.slots_of_day[0], [0, 1])
    anna, bo = 0, 1
    assert (0, bo) not in dm.x and (0, anna) in dm.x
    assert (1, anna) not in dm.x and (1, bo) in dm.x


def test_the_monthly_cap_holds_in_the_day_model() -> None:
    p = problem([carer(c, days=(0, 1)) for c in ("anna", "bo", "cy")], [citizen("p1")],
                [visit("d0", "p1", day=0), visit("d1", "p1", day=1)], days=2, cap=1)
    st = state_of(p)
    day0 = placed_by(st)["d0"]
    assert resolve_day(st, 1)
    assert placed_by(st)["d1"] == day0


def test_routes_leave_room_for_travel_between_homes() -> None:
    p = problem([carer("anna")], [citizen("p1", north=0.0), citizen("p2", north=0.03)],
                [visit("a", "p1", earliest=450, latest=450, duration=30),
                 visit("b", "p2", earliest=485, latest=490, duration=30)])
    st = state_of(p, build=False)
    assert resolve_day(st)
    assert len(placed_by(st)) == 1  # 15 minutes of driving do not fit in the 5-minute gap


def test_a_double_visit_takes_two_carers_in_the_day_model() -> None:
    p = problem([carer("anna"), carer("bo")], [citizen("p1")], [visit("lift", "p1", carers=2)])
    st = state_of(p, build=False)
    assert resolve_day(st)
    assert placed_by(st)["lift"] == ("anna", "bo")


def test_workload_beyond_the_contract_goes_to_the_carer_with_room() -> None:
    p = problem([carer("anna", contracted=600), carer("bo", contracted=2400)], [citizen("p1"), citizen("p2")],
                [visit("a", "p1", duration=120, earliest=450, latest=700),
                 visit("b", "p2", duration=120, earliest=450, latest=700)])
    st = state_of(p)
    dm = daymodel.build(st, 0, st.ix.slots_of_day[0], [0, 1])
    assert daymodel.workload_fairness_terms(dm)  # both carers have a contract figure
    solver = cp_model.CpSolver()
    assert solver.solve(dm.model) == cp_model.OPTIMAL
    anna_minutes = sum(120 * solver.value(dm.x[v, 0]) for v in (0, 1) if (v, 0) in dm.x)
    assert anna_minutes <= 120


def test_disturbance_costs_only_moves_away_from_the_current_carer() -> None:
    p = problem([carer("anna"), carer("bo")], [citizen("p1")], [visit("a", "p1")])
    st = state_of(p)
    st.current[0] = frozenset({0})
    dm = daymodel.build(st, 0, st.ix.slots_of_day[0], [0])
    terms = daymodel.disturbance_terms(dm)
    assert len(terms) == 1 and terms[0][1] is dm.x[0, 1]
