"""The rules section judges the planner over several timed runs: a target is met only where each run
meets it, and the report says in how many runs it was."""

from __future__ import annotations

from typing import Any

from bench.rules import _judge_runs


def _run_figures(mean: float, placed_must: int = 2_300, wall_s: float = 57.0) -> dict[str, Any]:
    return {"violations": 0, "checker": "verify_plan.py", "by_priority": {"1": {"placed": placed_must}},
            "displaced_must_visits": [], "month_mean": mean, "month_max": 7, "break_violations": 0,
            "breaks_checked": 640, "wall_s": wall_s}


def _target(checks: list[dict[str, Any]], starts: str) -> dict[str, Any]:
    return next(c for c in checks if c["target"].startswith(starts))


def test_one_run_above_the_continuity_line_fails_the_target_and_the_report_says_which() -> None:
    peer = {"by_priority": {"1": {"placed": 2_259}}}
    checks = _judge_runs([_run_figures(4.27), _run_figures(4.33), _run_figures(4.44)], peer, 3.22, None)
    continuity = _target(checks, "continuity mean")
    assert continuity["ok"] is False
    assert continuity["detail"].startswith("2 of 3 runs")
    assert "4.44 / 3.22 = 1.379" in continuity["detail"]
    must = _target(checks, "priority-1 placed")
    assert must["ok"] is True and must["detail"].startswith("3 of 3 runs")


def test_every_run_within_the_line_meets_the_target_and_the_replans_are_judged_once() -> None:
    replans = [{"scenario": "sick1", "days": "12-12", "valid": True},
               {"scenario": "longer", "days": "12-12", "valid": False}]
    checks = _judge_runs([_run_figures(4.20), _run_figures(4.30)], None, 3.22, replans)
    assert _target(checks, "continuity mean")["ok"] is True
    # Without a peer plan there is nothing to hold the must-visits against: neither met nor missed.
    assert _target(checks, "priority-1 placed")["ok"] is None
    replanned = _target(checks, "sick-call")
    assert replanned["ok"] is False and "not: longer 12-12" in replanned["detail"]


def test_a_single_run_reads_as_before() -> None:
    checks = _judge_runs([_run_figures(4.51)], None, 3.22, None)
    continuity = _target(checks, "continuity mean")
    assert continuity["ok"] is False
    assert continuity["detail"] == "4.51 / 3.22 = 1.401"


def test_a_run_over_the_minute_fails_the_time_target_even_where_another_run_has_no_time() -> None:
    no_time: dict[str, Any] = _run_figures(4.20)
    no_time["wall_s"] = None
    checks = _judge_runs([no_time, _run_figures(4.20, wall_s=75.0)], None, 3.22, None)
    timed = _target(checks, "planner within")
    assert timed["ok"] is False
    assert timed["detail"].startswith("0 of 2 runs")
