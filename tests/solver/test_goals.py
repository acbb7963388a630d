"""Each goal, on a small problem where it alone decides between two otherwise equal plans."""

from __future__ import annotations

import statistics

from solver import Assignment, objective, solve
from solver.construct import least_spread_time
from solver.index import build_team_index
from solver.insertion import place
from solver.objective import WEIGHTS, Weights, time_weights
from solver.planner import team_state
from solver.travel import Travel
from solver.types import Shift
from tests.solver.conftest import by_visit, carer, citizen, problem, quick, verify, visit


def test_a_citizen_keeps_the_same_carer_across_the_days() -> None:
    carers = [carer(c, days=(0, 1, 2, 3)) for c in ("anna", "bo", "cy")]
    p = problem(carers, [citizen("p1")], [visit(f"v{d}", "p1", day=d) for d in range(4)], days=4)
    plan = solve(p, quick())
    assert len({a.carers for a in plan.assignments}) == 1
    assert verify(p, plan)[1]["distinct_carers_per_citizen_month"]["max"] == 1


def test_the_contact_carer_is_preferred_when_free() -> None:
    p = problem([carer("anna"), carer("bo"), carer("cy")], [citizen("p1", contact="bo")], [visit("v1", "p1")])
    plan = solve(p, quick())
    assert by_visit(plan)["v1"].carers == ("bo",)


def test_the_contact_carer_drives_out_to_her_although_a_carer_next_door_would_drive_less() -> None:
    # bo is already at p2's door, next to p1, at 08:00; anna, p1's contact, would drive 8 minutes out
    # and 8 back. Goal (3) comes before goal (5): a few minutes of travel do not outweigh the contact.
    homes = [citizen("p1", north=0.016, contact="anna"), citizen("p2", north=0.016)]
    visits = [visit("v1", "p1", earliest=510, latest=600), visit("v2", "p2", earliest=480, latest=480)]
    p = problem([carer("anna"), carer("bo")], homes, visits, pinned=[Assignment("v2", ("bo",), 480)])
    plan = solve(p, quick())
    assert by_visit(plan)["v1"].carers == ("anna",)
    assert verify(p, plan)[1]["travel_minutes"] == 32  # anna's 16 on top of bo's 16: the price paid


def test_the_same_need_starts_at_a_steady_time_across_days() -> None:
    carers = [carer("anna", days=tuple(range(5)))]
    visits = [visit(f"v{d}", "p1", day=d, earliest=450, latest=690) for d in range(5)]
    p = problem(carers, [citizen("p1")], visits, days=5)
    plan = solve(p, quick())
    starts = [a.start for a in plan.assignments]
    assert len(starts) == 5 and statistics.pstdev(starts) <= 5


def test_a_minute_off_the_usual_time_weighs_more_for_a_need_with_few_visits() -> None:
    # Daily, twice a week, weekly over four weeks: one stray start of the weekly need moves its
    # spread as much as several stray starts move the daily one's.
    v_need = [0] * 28 + [1] * 8 + [2] * 4
    w = WEIGHTS.time
    assert time_weights(v_need, 3) == [w, 2 * w, 3 * w]


def test_the_final_aim_puts_a_need_where_its_starts_vary_least() -> None:
    # Where the routes let each visit start: two held at 08:00, one free 08:00-11:40, one held at 11:40.
    intervals = [(480, 480), (480, 480), (480, 700), (700, 700)]

    def spread(t: int) -> float:
        return statistics.pstdev([min(hi, max(lo, t)) for lo, hi in intervals])

    t = least_spread_time(intervals)
    assert t == 553  # the free one meets the mean of the others
    assert all(spread(t) <= spread(x) + 1e-9 for x in range(400, 800))
    assert spread(t) < spread(480)  # 480, the median of the ends, minimises minutes off, not spread


def test_neighbours_share_one_carer_rather_than_two_carers_driving() -> None:
    p = problem([carer("anna"), carer("bo")], [citizen("p1", north=0.02), citizen("p2", north=0.021)],
                [visit("v1", "p1", earliest=480, latest=600), visit("v2", "p2", earliest=480, latest=600)])
    plan = solve(p, quick())
    assert len({a.carers for a in plan.assignments}) == 1
    assert verify(p, plan)[1]["travel_minutes"] <= 22


def test_every_placeable_visit_is_placed_before_anything_else() -> None:
    # Only bo can take both; anna is p1's contact but taking v1 would leave v2 unplaced.
    p = problem([carer("anna", end=540), carer("bo")], [citizen("p1", contact="anna"), citizen("p2")],
                [visit("v1", "p1", earliest=450, latest=460, duration=60),
                 visit("v2", "p2", earliest=440, latest=520, duration=60)])
    plan = solve(p, quick())
    assert len(plan.assignments) == 2


def test_a_replan_keeps_current_assignments_that_still_work() -> None:
    carers = [carer(c, days=(0, 1)) for c in ("anna", "bo")]
    visits = [visit(f"v{d}", "p1", day=d) for d in range(2)]
    current = [Assignment("v0", ("bo",), 500), Assignment("v1", ("bo",), 500)]
    p = problem(carers, [citizen("p1", contact="anna")], visits, days=2, current=current, replan_days=(1, 1))
    plan = solve(p, quick())
    assert by_visit(plan)["v0"] == current[0]  # outside the re-planned days: kept exactly
    assert by_visit(plan)["v1"].carers == ("bo",)  # inside: not moved to the contact without need


def test_a_replan_moves_a_visit_to_a_carer_already_met_when_its_carer_is_gone() -> None:
    carers = [carer("anna", days=(0,)), carer("bo", days=(0, 1)), carer("cy", days=(0, 1))]
    visits = [visit("v0", "p1", day=0), visit("w0", "p1", day=0, need="lunch", earliest=700, latest=760),
              visit("v1", "p1", day=1)]
    current = [Assignment("v0", ("anna",), 500), Assignment("w0", ("cy",), 700),
               Assignment("v1", ("anna",), 500)]
    p = problem(carers, [citizen("p1")], visits, days=2, current=current, replan_days=(1, 1))
    plan = solve(p, quick())
    assert by_visit(plan)["v1"].carers == ("cy",)


def test_the_search_prices_a_shift_loaded_beyond_its_share_of_the_teams_work() -> None:
    # anna does all four hours of the day's visits, bo none: the team's visits fill its shifts to
    # 0.235 on average, two hours of each, so anna works 120 minutes beyond her share.
    visits = [visit(f"v{i}", "p1", earliest=420, latest=900, duration=60, need=f"n{i}") for i in range(4)]
    p = problem([carer("anna"), carer("bo")], [citizen("p1")], visits)
    starts = (480, 540, 600, 660)
    fixed = {v.id: Assignment(v.id, ("anna",), s) for v, s in zip(visits, starts, strict=True)}
    ix = build_team_index(p, "T", Travel.for_problem(p))
    fair, _, _ = team_state(p, ix, fixed, {}, {})
    blind, _, _ = team_state(p, ix, fixed, {}, {}, Weights(fair=0.0))
    anna, bo = (ix.slots_of_carer_day[(ix.carer_pos[c], 0)][0] for c in ("anna", "bo"))

    assert fair.share[anna] == fair.share[bo] == 120
    assert fair.carer_load(ix.carer_pos["anna"]) == 240
    assert fair.total_cost() - blind.total_cost() == objective.fair_load(240, 120) > 0


def test_a_search_step_that_evens_the_load_gains_what_the_whole_plan_gains() -> None:
    visits = [visit(f"v{i}", "p1", earliest=420, latest=900, duration=60, need=f"n{i}") for i in range(4)]
    p = problem([carer("anna"), carer("bo")], [citizen("p1")], visits)
    fixed = {v.id: Assignment(v.id, ("anna",), s) for v, s in zip(visits, (480, 540, 600, 660), strict=True)}
    ix = build_team_index(p, "T", Travel.for_problem(p))
    st, _, _ = team_state(p, ix, fixed, {}, {})
    before = st.total_cost()

    st.begin()
    v = ix.visit_pos["v3"]
    st.remove(v)
    assert place(st, v, frozenset({ix.carer_pos["anna"]}))  # bo takes it
    change = st.delta()
    st.commit()

    assert st.carer_load(ix.carer_pos["bo"]) == 60
    assert abs(change - (st.total_cost() - before)) < 1e-9


def test_a_contracted_carer_with_a_split_shift_has_one_days_contract_for_both_parts() -> None:
    split = (Shift(0, 420, 660), Shift(0, 960, 1200))
    p = problem([carer("anna", shifts=split, contracted=2_000), carer("bo")], [citizen("p1")],
                [visit("v1", "p1")])
    ix = build_team_index(p, "T", Travel.for_problem(p))
    st, _, _ = team_state(p, ix, {}, {}, {})
    assert st.carer_share[ix.carer_pos["anna"]] == objective.contracted_share(2_000) == 400
