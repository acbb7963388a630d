"""The hard-rule catalogue (solver/rules.py): each rule on the cases at its edge."""

from __future__ import annotations

from solver import rules


def test_a_carer_needs_every_skill_of_the_visit() -> None:
    assert rules.skills_allow({"insulin", "lift"}, {"insulin"})
    assert rules.skills_allow(set(), set())
    assert not rules.skills_allow({"lift"}, {"insulin", "lift"})


def test_a_carer_on_the_avoid_list_may_not_come() -> None:
    assert rules.avoid_allows({"bo"}, "anna")
    assert not rules.avoid_allows({"bo"}, "bo")


def test_a_start_must_lie_inside_the_window_ends_included() -> None:
    assert rules.window_allows(480, 540, 480) and rules.window_allows(480, 540, 540)
    assert not rules.window_allows(480, 540, 479) and not rules.window_allows(480, 540, 541)


def test_a_visit_gets_as_many_distinct_carers_as_it_needs() -> None:
    assert rules.attendance_ok(2, ("anna", "bo"))
    assert not rules.attendance_ok(2, ("anna", "anna"))
    assert not rules.attendance_ok(1, ("anna", "bo"))


def test_a_carer_must_arrive_and_be_back_at_base_in_time() -> None:
    assert rules.arrives_in_time(480, 10, 490) and not rules.arrives_in_time(480, 11, 490)
    assert rules.back_in_time(900, 30, 930) and not rules.back_in_time(901, 30, 930)


def test_the_monthly_cap_allows_up_to_its_number_of_faces_and_no_more() -> None:
    assert rules.cap_allows(8, 8) and not rules.cap_allows(9, 8)
    assert rules.cap_room(5, 8) == 3
    assert rules.cap_room(8, 8) == 0
    assert rules.cap_room(10, 8) == 0  # history may already pass the cap: then no new face at all
