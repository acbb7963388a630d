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


def test_a_break_starts_in_its_window_in_the_first_idle_span_with_room_for_it() -> None:
    # Idle from 10:00 to 10:20 (too short for 30 minutes), then from 11:00 to 13:00.
    gaps = [(600, 620), (660, 780)]
    assert rules.break_start(gaps, 600, 720, 30) == 660
    assert rules.break_start(gaps, 680, 720, 30) == 680  # not before the window opens
    assert rules.break_start(gaps, 600, 640, 30) is None  # the long span opens after the window closes
    assert rules.break_start([(600, 629)], 600, 720, 30) is None  # 29 idle minutes hold no 30-minute break


def test_spaced_visits_start_within_their_gap_of_each_other() -> None:
    # Breakfast ends at 08:30 (day 0); the insulin starts 4 to 6 hours later.
    assert rules.spacing_allows(510, 510 + 240, 240, 360)
    assert rules.spacing_allows(510, 510 + 360, 240, 360)
    assert not rules.spacing_allows(510, 510 + 239, 240, 360)
    assert not rules.spacing_allows(510, 510 + 361, 240, 360)
    assert rules.spacing_allows(510, 1440 + 480, 240, None)  # no upper bound: any later start
    assert not rules.spacing_allows(510, 500, 0, None)  # never before the first has ended
