"""The preview a coordinator reads before applying a re-plan: moves, carers, new faces, unplaced."""

from __future__ import annotations

from app.replan.diff import diff_plans
from solver.types import Assignment, Plan, Unplaced
from tests.replan.helpers import tiny_plan, tiny_problem


def test_the_diff_names_moved_visits_new_faces_and_unplaced_visits_with_reasons() -> None:
    problem = tiny_problem(cap=3)
    problem.replan_days = (0, 0)
    old = tiny_plan()  # p1 meets c1 and c2; p2 meets c1
    new = Plan(assignments=[
        Assignment("p1-d0-m", ("c4",), 450),  # forced (say c1 is sick): c4 is a new face for p1
        Assignment("p1-d0-l", ("c2",), 700),  # kept
        Assignment("p1-d1-m", ("c1",), 450),  # kept (outside the re-plan day)
    ], unplaced=[Unplaced("p2-d0-l", "no carer free 11:30-12:30")])
    diff = diff_plans(problem, old, new, forced={"p1-d0-m", "p2-d0-l"})
    assert diff.kept == 2
    assert [m.visit for m in diff.moved] == ["p1-d0-m", "p2-d0-l"]
    assert diff.moved_forced == 2 and diff.moved_unforced == 0 and diff.moved_outside_days == 0
    assert [(f.citizen, f.carer, f.month) for f in diff.new_faces] == [("p1", "c4", "2026-12")]
    assert [(u.visit, u.reason, u.was_planned) for u in diff.unplaced] == [
        ("p2-d0-l", "no carer free 11:30-12:30", True)]
    changed = {c.citizen: (c.added, c.removed) for c in diff.carers_changed}
    assert changed == {"p1": (("c4",), ("c1",)), "p2": ((), ("c1",))}
    assert "new face: p1 meets c4" in diff.text()


def test_a_carer_met_earlier_in_the_month_is_no_new_face_and_an_unforced_move_is_counted() -> None:
    problem = tiny_problem(cap=3)
    problem.replan_days = (0, 0)
    problem.met_before = {("p1", (2026, 12)): frozenset({"c4"})}
    old = tiny_plan()
    new = Plan(assignments=[Assignment("p1-d0-m", ("c4",), 460), *old[1:]], unplaced=[])
    diff = diff_plans(problem, old, new, forced=set())
    assert diff.new_faces == []
    assert diff.moved_unforced == 1 and diff.summary()["moved_unforced"] == 1


def test_a_move_outside_the_replan_days_is_counted_apart() -> None:
    problem = tiny_problem()
    problem.replan_days = (0, 0)
    old = tiny_plan()
    new = Plan(assignments=[*old[:2], Assignment("p1-d1-m", ("c1",), 460), old[3]], unplaced=[])
    assert diff_plans(problem, old, new, forced=set()).moved_outside_days == 1
