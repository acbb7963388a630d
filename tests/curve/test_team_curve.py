"""A team's own curve of continuity against driving time, drawn from the runs it has made, said in
plain words: what one more carer per citizen a month saves in driving, or that the runs cannot say."""

from __future__ import annotations

import datetime as dt

from app.services.curve import NO_SAVING, SAVES, TOO_CLOSE, TOO_FEW, RunFigures, curve_from_runs

DEC = (dt.date(2026, 12, 7), dt.date(2027, 1, 3))  # four weeks
JAN = (dt.date(2027, 1, 4), dt.date(2027, 1, 31))


def _run(job_id: int, setting: str, faces: float, travel_minutes: float | None,
         period: tuple[dt.date, dt.date] = DEC) -> RunFigures:
    return RunFigures(job_id=job_id, setting=setting, start=period[0], end=period[1],
                      figures={"distinct_carers_month_mean": faces, "distinct_carers_month_max": faces + 2,
                               "travel_minutes": travel_minutes, "contact_share": 0.5,
                               "start_spread_minutes": 10.0})


def test_a_team_with_runs_of_fewest_and_least_travel_learns_what_a_carer_more_saves_in_driving() -> None:
    # Four weeks: 42 hours of driving a week with 3 carers per citizen, 35 with 5: 3.5 hours per carer.
    curve = curve_from_runs([_run(1, "fewest", 3.0, 42 * 60 * 4), _run(2, "travel", 5.0, 35 * 60 * 4)])
    assert curve.verdict == SAVES and curve.hours_per_face == 3.5
    assert [(p.setting, p.faces_mean, p.driving_hours_week) for p in curve.points] == [
        ("fewest", 3.0, 42.0), ("travel", 5.0, 35.0)]
    assert (curve.start, curve.end) == DEC and curve.missing == ["balanced"]


def test_three_settings_give_the_slope_of_the_line_through_them() -> None:
    curve = curve_from_runs([_run(1, "fewest", 3.0, 42 * 60 * 4), _run(2, "balanced", 4.0, 40 * 60 * 4),
                             _run(3, "travel", 5.0, 34 * 60 * 4)])
    assert curve.verdict == SAVES and curve.hours_per_face == 4.0 and curve.missing == []


def test_runs_of_the_same_setting_are_averaged() -> None:
    curve = curve_from_runs([_run(1, "fewest", 3.0, 40 * 60 * 4), _run(2, "fewest", 3.2, 44 * 60 * 4),
                             _run(3, "travel", 5.1, 35 * 60 * 4)])
    fewest = curve.points[0]
    assert (fewest.runs, fewest.faces_mean, fewest.driving_hours_week) == (2, 3.1, 42.0)
    assert fewest.job_ids == (1, 2)


def test_one_setting_alone_is_not_enough_to_say_anything() -> None:
    curve = curve_from_runs([_run(1, "fewest", 3.0, 10_000), _run(2, "fewest", 3.1, 10_100)])
    assert curve.verdict == TOO_FEW and curve.hours_per_face is None
    assert curve.missing == ["balanced", "travel"]


def test_runs_of_different_periods_are_never_compared() -> None:
    curve = curve_from_runs([_run(1, "fewest", 3.0, 10_000, DEC), _run(2, "travel", 5.0, 8_000, JAN)])
    assert curve.verdict == TOO_FEW and len(curve.points) == 1
    assert (curve.start, curve.end) == JAN  # the latest period, for a sweep to fill in


def test_the_period_with_the_most_settings_is_the_one_compared() -> None:
    curve = curve_from_runs([_run(1, "fewest", 3.0, 10_000, DEC), _run(2, "travel", 5.0, 8_000, DEC),
                             _run(3, "fewest", 3.0, 12_000, JAN)])
    assert (curve.start, curve.end) == DEC and curve.verdict == SAVES


def test_when_more_faces_saved_no_driving_the_team_is_told_so() -> None:
    curve = curve_from_runs([_run(1, "fewest", 3.0, 8_000), _run(2, "travel", 5.0, 8_400)])
    assert curve.verdict == NO_SAVING and curve.hours_per_face is None


def test_settings_that_gave_the_same_faces_cannot_price_a_face() -> None:
    curve = curve_from_runs([_run(1, "fewest", 3.0, 10_000), _run(2, "travel", 3.05, 8_000)])
    assert curve.verdict == TOO_CLOSE and curve.hours_per_face is None


def test_a_run_without_figures_is_left_out_and_a_team_without_runs_sweeps_every_setting() -> None:
    curve = curve_from_runs([_run(1, "fewest", 3.0, None)])
    assert curve.points == [] and curve.start is None and curve.verdict == TOO_FEW
    assert curve.missing == ["fewest", "balanced", "travel"]
