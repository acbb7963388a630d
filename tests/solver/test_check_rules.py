"""The planner's final check knows the optional rules as the verifier does: each carer's own travel
mode, the shift's break, spaced visits, priorities. A plan that breaks one loses the visit to blame,
with the rule named, and what is left passes."""

from __future__ import annotations

import dataclasses

import pytest

from solver import solve
from solver.check import (
    breaks_owed,
    check_assignments,
    drop_violations,
    placed_by_priority,
    travel_minutes,
    unplaced_by_priority,
)
from solver.types import (
    Assignment,
    BreakWindow,
    Carer,
    Dependency,
    Plan,
    Problem,
    Shift,
    TravelSpec,
    Unplaced,
    Visit,
)
from tests.solver.conftest import by_visit, carer, citizen, problem, quick, shared_verify, verify, visit

WALK = {"walk": TravelSpec(speed_kmh=4.5, detour_factor=1.3)}
LUNCH_BREAK = BreakWindow(earliest=660, latest=780, duration=30)


def prioritised(v: Visit, priority: int) -> Visit:
    return dataclasses.replace(v, priority=priority)


def walker(cid: str) -> Carer:
    return dataclasses.replace(carer(cid), travel_mode="walk")


def far_citizen_problem() -> Problem:
    # 0.05 degrees north: about 5.6 km, 25 minutes by car, an hour and a half on foot.
    return problem([walker("walking-wera"), carer("driving-dan")], [citizen("far", north=0.05)],
                   [visit("far-morning", "far", earliest=480, latest=480)], travel_modes=WALK)


def test_a_walking_carer_cannot_make_the_leg_a_car_makes_in_time() -> None:
    p = far_citizen_problem()
    by_foot = [Assignment("far-morning", ("walking-wera",), 480)]
    by_car = [Assignment("far-morning", ("driving-dan",), 480)]
    assert "walking-wera cannot arrive by 480" in check_assignments(p, by_foot)["far-morning"]
    assert check_assignments(p, by_car) == {}
    # Her walk there and back is counted at her own pace.
    assert travel_minutes(p, by_foot) > 3 * travel_minutes(p, by_car)


def test_the_planner_sends_the_driving_carer_to_the_far_citizen() -> None:
    p = far_citizen_problem()
    plan = solve(p, quick())
    assert by_visit(plan)["far-morning"].carers == ("driving-dan",)
    assert verify(p, plan)[0] == []


def full_morning_problem() -> Problem:
    # Three hours back to back at one home across the whole break window (11:00-13:00 start).
    shift = Shift(0, 420, 930, break_window=LUNCH_BREAK)
    visits = [visit("late-morning", "p1", earliest=660, latest=660, duration=60),
              prioritised(visit("cleaning", "p1", earliest=720, latest=720, duration=60, need="cleaning"), 3),
              visit("lunch", "p1", earliest=780, latest=780, duration=60, need="lunch")]
    return problem([carer("anna", shifts=(shift,))], [citizen("p1")], visits)


FULL_MORNING = [Assignment("late-morning", ("anna",), 660), Assignment("cleaning", ("anna",), 720),
                Assignment("lunch", ("anna",), 780)]


def test_a_full_day_without_a_break_loses_the_cleaning_not_the_meals() -> None:
    p = full_morning_problem()
    bad = check_assignments(p, FULL_MORNING)
    assert list(bad) == ["cleaning"]
    assert "no unbroken 30-minute break starting 11:00-13:00" in bad["cleaning"]
    kept, dropped = drop_violations(p, FULL_MORNING)
    assert [a.visit for a in kept] == ["late-morning", "lunch"]
    assert set(dropped) == {"cleaning"}
    assert check_assignments(p, kept) == {}
    assert breaks_owed(p, kept) == 1


def test_a_shift_without_visits_owes_no_break() -> None:
    p = full_morning_problem()
    assert check_assignments(p, []) == {}
    assert breaks_owed(p, []) == 0


def test_the_planner_keeps_a_break_in_a_full_day() -> None:
    p = full_morning_problem()
    plan = solve(p, quick())
    assert verify(p, plan)[0] == []
    assert "lunch" in by_visit(plan) and "late-morning" in by_visit(plan)
    assert "break" in next(u.reason for u in plan.unplaced if u.visit == "cleaning")


def insulin_problem(gap_after_breakfast: int) -> tuple[Problem, list[Assignment]]:
    visits = [visit("breakfast", "p1", earliest=450, latest=540, duration=30),
              visit("insulin", "p1", earliest=480, latest=900, duration=15, need="insulin")]
    p = problem([carer("anna")], [citizen("p1")], visits,
                dependencies=[Dependency("breakfast", "insulin", min_gap=240, max_gap=300)])
    return p, [Assignment("breakfast", ("anna",), 480),
               Assignment("insulin", ("anna",), 510 + gap_after_breakfast)]


def test_insulin_too_soon_after_breakfast_is_refused_with_the_spacing_named() -> None:
    p, plan = insulin_problem(40)
    bad = check_assignments(p, plan)
    assert list(bad) == ["insulin"]
    assert bad["insulin"] == "starts 40 min after breakfast ends, outside the spacing of 240-300 min"


@pytest.mark.parametrize("gap, ok", [(239, False), (240, True), (300, True), (301, False)])
def test_the_spacing_holds_from_its_least_to_its_most_minutes(gap: int, ok: bool) -> None:
    p, plan = insulin_problem(gap)
    assert (check_assignments(p, plan) == {}) is ok


def test_a_spacing_does_not_bind_once_the_first_visit_is_dropped_for_another_rule() -> None:
    p, plan = insulin_problem(40)
    p.citizens[0] = dataclasses.replace(p.citizens[0], avoid=frozenset({"anna"}))
    plan = [plan[0], Assignment("insulin", ("bo",), 550)]
    p.carers.append(carer("bo"))
    kept, dropped = drop_violations(p, plan)
    assert set(dropped) == {"breakfast"} and "avoid list" in dropped["breakfast"]
    assert [a.visit for a in kept] == ["insulin"]


def test_the_planner_spaces_the_insulin_from_breakfast() -> None:
    p, _ = insulin_problem(0)
    plan = solve(p, quick())
    assert verify(p, plan)[0] == []
    got = by_visit(plan)
    if "breakfast" in got and "insulin" in got:
        assert 240 <= got["insulin"].start - (got["breakfast"].start + 30) <= 300
    else:
        assert any("spacing" in u.reason for u in plan.unplaced)


def test_unplaced_and_placed_visits_are_counted_per_priority() -> None:
    p = full_morning_problem()
    p.visits.append(prioritised(visit("shopping", "p1", day=0, need="shopping"), 2))
    plan = Plan(assignments=FULL_MORNING[:1] + FULL_MORNING[2:],
                unplaced=[Unplaced("cleaning", "break"), Unplaced("shopping", "no time")])
    assert unplaced_by_priority(p, plan) == {2: 1, 3: 1}
    assert placed_by_priority(p, plan.assignments) == {1: 2}


@pytest.mark.shared
@pytest.mark.parametrize("case", ["walk", "break", "spacing"])
def test_the_verifier_agrees_with_the_check_before_and_after_the_drops(case: str) -> None:
    if case == "walk":
        p, assignments = far_citizen_problem(), [Assignment("far-morning", ("walking-wera",), 480)]
    elif case == "break":
        p, assignments = full_morning_problem(), list(FULL_MORNING)
    else:
        p, assignments = insulin_problem(40)
    everything = {v.id for v in p.visits}

    def as_plan(kept: list[Assignment]) -> Plan:
        return Plan(kept, [Unplaced(vid, "dropped") for vid in sorted(everything - {a.visit for a in kept})])

    assert shared_verify(p, as_plan(assignments))[0] != []
    kept, _ = drop_violations(p, assignments)
    errors, figures = shared_verify(p, as_plan(kept))
    assert errors == []
    assert figures["breaks_checked"] == breaks_owed(p, kept)


def test_a_re_plan_blames_the_visit_it_may_move_not_the_one_it_must_keep() -> None:
    # Breakfast on day 0 is kept as it was; insulin on day 1 is re-planned: the spacing blames insulin
    # even where the breakfast would be the one to blame in a fresh plan (it is of lower priority).
    visits = [prioritised(visit("breakfast", "p1", day=0, earliest=450, latest=540), 2),
              visit("insulin", "p1", day=1, earliest=420, latest=600, need="insulin")]
    p = problem([carer("anna", days=(0, 1))], [citizen("p1")], visits, days=2,
                dependencies=[Dependency("breakfast", "insulin", min_gap=0, max_gap=1200)])
    plan = [Assignment("breakfast", ("anna",), 480), Assignment("insulin", ("anna",), 540)]
    assert list(check_assignments(p, plan)) == ["breakfast"]
    p.replan_days = (1, 1)
    assert list(check_assignments(p, plan)) == ["insulin"]


def test_visits_kept_as_they_were_stand_when_the_break_has_to_move_back_for_the_last_of_them() -> None:
    # Kept visits are put back one by one in start order; the break first sits after the 11:30 visit,
    # and the 11:45 visit only fits once it moves back to 10:00, between the first two.
    visits = [visit("a", "p1", earliest=540, latest=540, duration=60),
              visit("b", "p1", earliest=630, latest=630, duration=70, need="b"),
              visit("c", "p1", earliest=705, latest=705, duration=55, need="c")]
    shift = Shift(0, 420, 930, break_window=BreakWindow(600, 720, 30))
    kept = [Assignment("a", ("anna",), 540), Assignment("b", ("anna",), 630), Assignment("c", ("anna",), 705)]
    p = problem([carer("anna", shifts=(shift,))], [citizen("p1")], visits, pinned=kept)
    plan = solve(p, quick())
    assert sorted(plan.assignments, key=lambda a: a.start) == kept
    assert verify(p, plan)[0] == []
