"""The goal catalogue (solver/objective.py): each goal prices what it is about, and only that."""

from __future__ import annotations

from solver import objective
from solver.objective import WEIGHTS, Weights


def test_a_visit_left_out_costs_more_than_any_face_a_citizen_could_meet() -> None:
    assert objective.unplaced(2) == 2 * objective.unplaced(1)
    assert objective.unplaced(1) > objective.faces(12)


def test_each_face_costs_more_the_more_faces_a_citizen_already_meets() -> None:
    steps = [objective.new_face(met) for met in range(12)]
    assert steps == sorted(steps) and steps[0] == WEIGHTS.new_carer
    assert objective.faces(0) == 0
    assert objective.faces(3) == 3 * objective.new_face(0)
    # Past the target maximum a face costs more than a whole day of another citizen's visits.
    assert objective.new_face(WEIGHTS.beyond_from) > 40 * objective.contact(False)


def test_only_a_visit_by_someone_other_than_the_contact_carer_costs() -> None:
    assert objective.contact(True) == 0
    assert objective.contact(False) == WEIGHTS.not_contact > 0


def test_a_start_costs_by_its_minutes_off_the_usual_time_at_its_needs_weight() -> None:
    assert objective.steady_time(0, 0.25) == 0
    assert objective.steady_time(20, 0.25) == 5
    assert objective.steady_time(20, 0.75) == 3 * objective.steady_time(20, 0.25)


def test_a_weekly_need_weighs_a_minute_more_than_a_daily_one_but_at_most_rare_time_max_times() -> None:
    daily, weekly, once = 0, 1, 2
    v_need = [daily] * 28 + [weekly] * 4 + [once]
    weights = objective.time_weights(v_need, 3)
    assert weights[daily] == WEIGHTS.time
    assert weights[daily] < weights[weekly] <= weights[once] == WEIGHTS.rare_time_max * WEIGHTS.time


def test_travel_costs_its_minutes() -> None:
    assert objective.travel(0) == 0
    assert objective.travel(37) == 37 * WEIGHTS.travel


def test_fair_load_costs_the_minutes_beyond_a_shifts_share_of_the_work() -> None:
    assert objective.fair_load(300, 360) == 0
    assert objective.fair_load(420, 360) == 60 * WEIGHTS.fair


def test_a_shifts_share_is_the_contracted_day_or_else_the_teams_average_fill() -> None:
    assert objective.contracted_share(38 * 60) == 456  # 38 hours a week, five days
    assert objective.day_share(38 * 60, 200.0) == 456
    load = objective.team_load(visit_minutes=3_000, shift_minutes=6_000)
    assert load == 0.5
    assert objective.day_share(None, load * 480) == 240
    assert objective.team_load(10, 0) == 0.0


def test_a_replan_pays_for_another_carer_and_for_a_moved_minute_separately() -> None:
    assert objective.disturbance(False, False) == 0
    assert objective.disturbance(True, False) == WEIGHTS.disturb
    assert objective.disturbance(False, True) == WEIGHTS.disturb_start
    assert objective.disturbance(True, True) == WEIGHTS.disturb + WEIGHTS.disturb_start


def test_moving_untouched_visits_costs_only_beyond_the_budget_and_more_than_leaving_one_out() -> None:
    assert objective.over_budget(5, None) == 0  # a fresh plan has no budget
    assert objective.over_budget(3, 3) == 0
    assert objective.over_budget(4, 3) > objective.unplaced(1)


def test_other_weights_change_what_a_goal_costs() -> None:
    heavy = Weights(not_contact=100, travel=2)
    assert objective.contact(False, heavy) == 100
    assert objective.travel(10, heavy) == 20
