"""Each hard rule of the verifier, on a small hand-made problem, through `solve`."""

from __future__ import annotations

from solver import Assignment, Shift, solve
from solver.types import Plan, Unplaced
from tests.solver.conftest import by_visit, carer, citizen, problem, quick, reason_of, verify, visit


def test_a_visit_needing_insulin_goes_to_the_carer_who_has_the_skill() -> None:
    p = problem([carer("anna"), carer("bo", skills=("insulin",))], [citizen("p1")],
                [visit("v1", "p1", skills=("insulin",))])
    plan = solve(p, quick())
    assert by_visit(plan)["v1"].carers == ("bo",)
    assert verify(p, plan)[0] == []


def test_without_anyone_skilled_the_visit_is_unplaced_with_the_missing_skill_named() -> None:
    p = problem([carer("anna")], [citizen("p1")], [visit("v1", "p1", skills=("insulin",))])
    plan = solve(p, quick())
    assert plan.assignments == []
    assert "insulin" in reason_of(plan, "v1")


def test_a_carer_on_the_avoid_list_never_visits() -> None:
    p = problem([carer("anna"), carer("bo")], [citizen("p1", contact="anna", avoid=("anna",))],
                [visit("v1", "p1")])
    plan = solve(p, quick())
    assert by_visit(plan)["v1"].carers == ("bo",)


def test_when_every_free_carer_is_avoided_the_reason_says_so() -> None:
    p = problem([carer("anna")], [citizen("p1", avoid=("anna",))], [visit("v1", "p1")])
    plan = solve(p, quick())
    assert "avoid list" in reason_of(plan, "v1")


def test_starts_stay_inside_the_time_window() -> None:
    p = problem([carer("anna")], [citizen("p1")],
                [visit("v1", "p1", earliest=600, latest=610), visit("v2", "p1", earliest=700, latest=700,
                                                                      need="lunch")])
    plan = solve(p, quick())
    got = by_visit(plan)
    assert 600 <= got["v1"].start <= 610 and got["v2"].start == 700


def test_visits_fit_inside_shifts_including_split_shifts() -> None:
    split = (Shift(0, 420, 600), Shift(0, 960, 1200))
    p = problem([carer("anna", shifts=split)], [citizen("p1")],
                [visit("am", "p1", earliest=450, latest=540), visit("pm", "p1", earliest=600, latest=1100,
                                                                     need="evening", duration=60),
                 visit("gap", "p1", earliest=700, latest=800, need="lunch")])
    plan = solve(p, quick())
    got = by_visit(plan)
    assert "am" in got and "pm" in got and got["pm"].start >= 960 + 5
    assert "gap" not in got  # 11:40-13:50 falls between the two shifts
    assert verify(p, plan)[0] == []


def test_travel_from_base_and_between_homes_is_respected() -> None:
    # Two homes 0.05 degrees (about 25 travel minutes) apart, windows that leave no room for the trip.
    p = problem([carer("anna")], [citizen("near", north=0.0), citizen("far", north=0.05)],
                [visit("v1", "near", earliest=480, latest=480), visit("v2", "far", earliest=515, latest=515)])
    plan = solve(p, quick())
    assert len(plan.assignments) == 1 and len(plan.unplaced) == 1
    assert verify(p, plan)[0] == []


def test_every_shift_ends_back_at_base_in_time() -> None:
    p = problem([carer("anna", start=420, end=520)], [citizen("far", north=0.05)],
                [visit("v1", "far", earliest=420, latest=500, duration=60)])
    plan = solve(p, quick())
    assert plan.assignments == []  # 25 min out, 60 min there, 25 min back: 08:30 is too late for 08:40


def test_a_double_visit_gets_two_carers_who_start_together() -> None:
    p = problem([carer("anna"), carer("bo"), carer("cy")], [citizen("p1"), citizen("p2", east=0.02)],
                [visit("lift", "p1", carers=2, earliest=480, latest=540, duration=45),
                 visit("v2", "p2", earliest=470, latest=600)])
    plan = solve(p, quick())
    got = by_visit(plan)
    assert len(set(got["lift"].carers)) == 2
    assert verify(p, plan)[0] == []


def test_the_monthly_cap_counts_carers_met_earlier_in_the_month() -> None:
    # p1 already met two carers this month; with a cap of 2 only those two may come.
    carers = [carer(c, days=(0, 1, 2)) for c in ("anna", "bo", "cy", "dan")]
    p = problem(carers, [citizen("p1")], [visit(f"v{d}", "p1", day=d) for d in range(3)], days=3, cap=2,
                met_before={("p1", (2026, 12)): frozenset({"cy", "dan"})})
    plan = solve(p, quick())
    assert {c for a in plan.assignments for c in a.carers} <= {"cy", "dan"}
    assert len(plan.assignments) == 3


def test_when_the_cap_is_reached_and_no_met_carer_is_free_the_reason_names_the_cap() -> None:
    p = problem([carer("anna"), carer("bo", days=(1,))], [citizen("p1")], [visit("v1", "p1")], cap=1,
                met_before={("p1", (2026, 12)): frozenset({"bo"})})
    plan = solve(p, quick())
    assert "cap" in reason_of(plan, "v1") and "December" in reason_of(plan, "v1")


def test_pinned_assignments_never_move() -> None:
    p = problem([carer("anna"), carer("bo")], [citizen("p1", contact="anna")], [visit("v1", "p1")],
                pinned=[Assignment("v1", ("bo",), 555)])
    plan = solve(p, quick())
    assert by_visit(plan)["v1"] == Assignment("v1", ("bo",), 555)


def test_an_impossible_pinned_assignment_is_unplaced_with_a_reason_not_shipped() -> None:
    p = problem([carer("anna", skills=())], [citizen("p1")], [visit("v1", "p1", skills=("insulin",))],
                pinned=[Assignment("v1", ("anna",), 500)])
    plan = solve(p, quick())
    assert plan.assignments == [] and "kept assignment" in reason_of(plan, "v1")


def test_the_final_check_finds_a_visit_left_out_or_listed_twice_and_a_broken_rule() -> None:
    from solver.check import check_plan

    p = problem([carer("anna")], [citizen("p1")], [visit("v1", "p1"), visit("v2", "p1", earliest=700,
                                                                             latest=720)])
    good = Plan(assignments=[Assignment("v1", ("anna",), 500)], unplaced=[Unplaced("v2", "no time")])
    assert check_plan(p, good) == []
    twice = Plan(assignments=[Assignment("v1", ("anna",), 500)], unplaced=[Unplaced("v1", "x")])
    assert check_plan(p, twice) == ["v2: neither assigned nor unplaced", "v1: listed 2 times"]
    late = Plan(assignments=[Assignment("v1", ("anna",), 650)], unplaced=[Unplaced("v2", "no time")])
    assert check_plan(p, late) == ["v1: start 650 outside its window"]
