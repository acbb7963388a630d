"""Strict consistency: with a cap of one carer a month, a citizen's whole month goes to one carer, so
which carer takes which citizen is decided for the month, not by the first day that citizen is seen."""

from __future__ import annotations

import datetime as dt

from exchange import parse_instance, to_problem
from exchange.generator import generate
from solver import Assignment, SolveParams, solve
from solver.index import build_team_index
from solver.monthsearch import place_months_whole
from solver.planner import team_state
from solver.travel import Travel
from solver.types import Carer, Citizen, Problem, Shift, Team, Visit
from tests.checks import own_verdict
from tests.solver.conftest import carer, citizen, problem, visit

BASE = (62.39, 17.30)


def _near_each_other_far_from_base() -> Problem:
    """Anna and Bo live next door to each other, a kilometre from the base; Cecilia on the way. Xena
    works all three days; Yusuf on day 0 has time for one visit only, is off on day 1 and works day 2.
    Every visit is 50 minutes, starting 07:00-08:00; a shift holds two of them."""
    team = Team("T1", *BASE)
    carers = [
        Carer("X", "T1", shifts=(Shift(0, 420, 540), Shift(1, 420, 540), Shift(2, 420, 540))),
        Carer("Y", "T1", shifts=(Shift(0, 420, 485), Shift(2, 420, 540))),
    ]
    citizens = [Citizen("anna", "T1", BASE[0] + 0.009, BASE[1]),
                Citizen("bo", "T1", BASE[0] + 0.0095, BASE[1]),
                Citizen("cecilia", "T1", BASE[0] + 0.005, BASE[1])]
    days = {"anna": (0, 2), "bo": (0, 2), "cecilia": (1, 2)}
    visits = [Visit(f"{p}-d{d}", p, "care", d, 420, 480, 50) for p, ds in days.items() for d in ds]
    return Problem("strict-story", dt.date(2026, 12, 1), 3, [team], carers, citizens, visits,
                   max_carers_per_month=1)


def test_with_a_cap_of_one_a_citizen_whose_carer_would_be_full_goes_whole_to_a_carer_with_room() -> None:
    # Day by day, day 0 would send Anna and Bo to Xena (one drive out for two homes next door) and
    # day 1 Cecilia too (only Xena works): on day 2 Xena would owe three visits and hold two. The
    # first plan looks at the month: one of Anna and Bo goes to Yusuf for all of it.
    problem = _near_each_other_far_from_base()
    plan = solve(problem, SolveParams(time_limit=600, seed=0, workers=1, max_iterations=0))
    violations, figures = own_verdict(problem, plan)
    assert violations == [] and plan.unplaced == []
    assert figures["distinct_carers_per_citizen_month"]["max"] == 1
    carer_of = {a.visit.split("-")[0]: a.carers for a in plan.assignments}
    assert carer_of["cecilia"] == ("X",) and {carer_of["anna"], carer_of["bo"]} == {("X",), ("Y",)}


def test_a_strict_team_with_a_cap_of_one_gets_every_visit_placed_one_carer_each() -> None:
    problem = to_problem(parse_instance(generate("strict-cap1", "s", 1)))
    plan = solve(problem, SolveParams(time_limit=600, seed=0, workers=1, max_iterations=10))
    violations, figures = own_verdict(problem, plan)
    assert violations == [] and figures["unassigned"] == 0
    assert figures["distinct_carers_per_citizen_month"]["max"] == 1


def _two_citizens_one_carer_short_on_tuesday() -> Problem:
    """Anna and Bo live next door to the base. On Monday only Xena works, long enough for both (Anna at
    07:00, Bo at 09:00); on Tuesday Xena's shift holds one visit and Yusuf works all morning. Both want
    Tuesday's visit at 07:00-07:10, 50 minutes."""
    team = Team("T1", *BASE)
    carers = [Carer("X", "T1", shifts=(Shift(0, 420, 660), Shift(1, 420, 490))),
              Carer("Y", "T1", shifts=(Shift(1, 420, 720),))]
    citizens = [Citizen("anna", "T1", BASE[0] + 0.002, BASE[1]),
                Citizen("bo", "T1", BASE[0] + 0.0025, BASE[1])]
    visits = [Visit("anna-mon", "anna", "care", 0, 420, 430, 50),
              Visit("bo-mon", "bo", "care", 0, 540, 550, 50),
              Visit("anna-tue", "anna", "care", 1, 420, 430, 50),
              Visit("bo-tue", "bo", "care", 1, 420, 430, 50)]
    return Problem("strict-tuesday", dt.date(2026, 12, 7), 2, [team], carers, citizens, visits,
                   max_carers_per_month=1)


def test_with_a_cap_of_one_a_citizen_whose_carer_is_full_on_tuesday_is_told_which_carer_and_day() -> None:
    # Monday gives both citizens Xena for December; on Tuesday she has room for one of them, and
    # Yusuf, free all morning, may not come to a citizen who already has her this month.
    problem = _two_citizens_one_carer_short_on_tuesday()
    plan = solve(problem, SolveParams(time_limit=600, seed=0, workers=1, max_iterations=10))
    violations, _ = own_verdict(problem, plan)
    assert violations == [] and len(plan.unplaced) == 1
    left = plan.unplaced[0]
    assert left.visit in ("anna-tue", "bo-tue")
    who = left.visit.split("-")[0]
    assert left.reason == (f"the 1-carer cap for {who} in December 2026 is reached: its carer this month: "
                           "X has no room 07:00-08:00 on day 1, and no other carer may come")


def test_a_month_the_first_routes_left_partly_out_moves_whole_to_a_carer_with_room_every_day() -> None:
    # Xena, Yusuf and Zack each have room for one hour-long visit a day, both days. Bo got Yusuf on
    # day 0, but on day 1 Yusuf has Cecilia and no room for Bo, and with a cap of one nobody else may
    # come. Zack is free both days: Bo's whole month goes to him.
    carers = [carer(c, days=(0, 1), start=420, end=560) for c in ("X", "Y", "Z")]
    citizens = [citizen("anna"), citizen("bo", north=0.011), citizen("cecilia", north=0.012)]
    visits = [visit(f"{p}-d{d}", p, day=d, earliest=480, latest=490, duration=60)
              for p, days in (("anna", (0, 1)), ("bo", (0, 1)), ("cecilia", (1,))) for d in days]
    p = problem(carers, citizens, visits, days=2, cap=1)
    given = {"anna-d0": "X", "anna-d1": "X", "bo-d0": "Y", "cecilia-d1": "Y"}
    ix = build_team_index(p, "T", Travel.for_problem(p))
    st, _, _ = team_state(p, ix, {vid: Assignment(vid, (c,), 480) for vid, c in given.items()}, {}, {})
    st.fixed = [False] * len(ix.visits)
    bo_d1 = [i for i, v in enumerate(ix.visits) if v.id == "bo-d1"][0]
    assert not st.slots_of[bo_d1]

    assert place_months_whole(st) == 1
    carer_of = {ix.visits[v].id: ix.carers[ix.slots[k].carer].id
                for v in range(len(ix.visits)) for k in st.slots_of[v]}
    assert carer_of == {"anna-d0": "X", "anna-d1": "X", "bo-d0": "Z", "bo-d1": "Z", "cecilia-d1": "Y"}
