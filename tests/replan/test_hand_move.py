"""A coordinator moves a visit by hand: every hard rule is checked, and the answer names the rule broken."""

from __future__ import annotations

import dataclasses

import pytest

from app.replan.hand_move import RULES, avoidable_face, check_move
from solver.types import Assignment, BreakWindow, Dependency, Shift
from tests.replan.helpers import tiny_plan, tiny_problem


@pytest.mark.parametrize(("move", "rule"), [
    (Assignment("p1-d1-m", ("c4",), 450), "monthly_cap"),  # p1 already meets c1 and c2; the cap is 2
    (Assignment("p1-d0-m", ("c3",), 450), "skills"),
    (Assignment("p2-d0-l", ("c3",), 700), "avoid"),
    (Assignment("p1-d0-l", ("c2",), 800), "window"),
    (Assignment("p1-d1-m", ("c2",), 450), "shift"),  # c2 starts at 10:00 on day 1
    (Assignment("p1-d0-l", ("c1",), 700), "travel"),  # c1 is at p2's from 11:40
    (Assignment("p1-d0-l", ("c1", "c2"), 750), "carers"),
    (Assignment("p1-d0-l", ("c9",), 750), "unknown_carer"),
    (Assignment("nope", ("c1",), 750), "unknown_visit"),
])
def test_a_hand_move_that_breaks_a_rule_is_refused_with_the_rule_named(move: Assignment, rule: str) -> None:
    result = check_move(tiny_problem(cap=2), tiny_plan(), move)
    assert not result.ok
    assert rule in result.rules  # p1-d0-m to c3 breaks the cap as well as the skills
    assert set(result.rules) <= set(RULES)


def test_a_hand_move_that_breaks_the_cap_is_refused_and_says_which_citizen_and_month() -> None:
    result = check_move(tiny_problem(cap=2), tiny_plan(), Assignment("p1-d1-m", ("c4",), 450))
    assert result.rules == ["monthly_cap"]
    assert "p1" in result.violations[0].message and "2026-12" in result.violations[0].message


def test_a_hand_move_that_keeps_every_rule_is_accepted() -> None:
    # c1 finishes at p2's at 12:10 and is next door a minute later.
    result = check_move(tiny_problem(cap=2), tiny_plan(), Assignment("p1-d0-l", ("c1",), 750))
    assert result.ok, result.violations


def test_a_pinned_assignment_cannot_be_moved_by_hand_until_unpinned() -> None:
    move = Assignment("p1-d0-l", ("c1",), 750)
    assert check_move(tiny_problem(), tiny_plan(), move, pinned={"p1-d0-l"}).rules == ["pinned"]
    assert check_move(tiny_problem(), tiny_plan(), move, pinned=set()).ok


def test_a_move_that_makes_the_next_visit_unreachable_names_that_visit() -> None:
    # c1 takes p1's lunch at 11:30 (till 12:00) : p2's lunch at 11:40 can no longer be reached.
    result = check_move(tiny_problem(cap=2), tiny_plan(), Assignment("p1-d0-l", ("c1",), 690))
    assert result.rules == ["travel"]
    assert {v.visit for v in result.violations} & {"p1-d0-l", "p2-d0-l"}


def _with(plan: list[Assignment], *moves: Assignment) -> list[Assignment]:
    by_visit = {m.visit: m for m in moves}
    return [by_visit.get(a.visit, a) for a in plan]


def test_a_new_face_is_avoidable_when_a_met_carer_is_free_for_each_of_its_visits() -> None:
    plan = _with(tiny_plan(), Assignment("p1-d1-m", ("c4",), 450))  # c4 stands in for c1 on day 1
    spare = avoidable_face(tiny_problem(cap=3), plan, "p1", (2026, 12), "c4", met={"c1", "c2"})
    assert spare == [Assignment("p1-d1-m", ("c1",), 450)]


def test_a_new_face_is_unavoidable_when_one_of_its_visits_has_no_met_carer_free() -> None:
    # c2 could take p1's lunch on day 0, but starts at 10:00 on day 1: the morning visit keeps c4.
    plan = _with(tiny_plan(), Assignment("p1-d0-l", ("c4",), 700), Assignment("p1-d1-m", ("c4",), 450))
    assert avoidable_face(tiny_problem(cap=3), plan, "p1", (2026, 12), "c4", met={"c2"}) is None


def test_a_hand_move_that_puts_lunch_too_close_to_the_morning_visit_is_refused_as_spacing() -> None:
    problem = tiny_problem(cap=4)
    problem.dependencies.append(Dependency("p1-d0-m", "p1-d0-l", min_gap=180))
    # The morning visit ends at 08:15; lunch at 11:40 is 205 minutes later and may move to 11:45, but the
    # morning visit may not move to 09:00.
    assert check_move(problem, tiny_plan(), Assignment("p1-d0-l", ("c2",), 705)).ok
    result = check_move(problem, tiny_plan(), Assignment("p1-d0-m", ("c1",), 540))
    assert result.rules == ["spacing"]


def test_a_hand_move_that_takes_the_carers_break_is_refused_as_break() -> None:
    problem = tiny_problem(cap=4)
    lunch_break = BreakWindow(earliest=720, latest=760, duration=30)
    problem.carers[1] = dataclasses.replace(problem.carers[1], shifts=(
        Shift(0, 420, 900, break_window=lunch_break), Shift(1, 600, 900)))
    # c2 has p1's lunch 11:40-12:10 and her break after it; p2's lunch at 12:20 too leaves her no
    # 30 minutes starting by 12:40.
    assert check_move(problem, tiny_plan(), Assignment("p1-d0-l", ("c2",), 690)).ok
    result = check_move(problem, tiny_plan(), Assignment("p2-d0-l", ("c2",), 740))
    assert result.rules == ["break"]
