"""The team's day, re-planned: the stories of issue 5 on a generated team, checked with the planner's own
check; where ../shared exists, the team's reference tools count the same (tests marked `shared`)."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from app.replan import ReplanFailed, replan
from app.replan.changes import apply_to_instance
from app.replan.hand_move import avoidable_face
from app.replan.scenarios import make_scenario
from exchange import plan_to_doc, problem_to_instance
from exchange.changes import parse_changes
from solver import types as st
from tests.checks import own_verdict_docs
from tests.replan.helpers import disturbance, run_tool

PARAMS = st.SolveParams(time_limit=2.0, seed=0)


def _run(problem: st.Problem, plan: st.Plan, changes: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    """Re-plan, then check the new plan against the adjusted instance with the planner's final check and
    count, from the two plans themselves, what moved outside the re-plan days."""
    result = replan(problem, plan.assignments, parse_changes(changes, problem), params=PARAMS)
    adjusted = apply_to_instance(problem_to_instance(problem), changes)
    violations, figures = own_verdict_docs(adjusted, plan_to_doc(result.plan, problem.name))
    assert violations == []
    return result, {"figures": figures,
                    **disturbance(problem, changes, plan.assignments, result.plan.assignments)}


def _reference_counts(problem: st.Problem, plan: st.Plan, changes: dict[str, Any], new: st.Plan,
                      tmp: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """The team's reference tools on a re-plan: (verifier figures, `disturb` counts)."""
    (tmp / "team.json").write_text(json.dumps(problem_to_instance(problem)))
    (tmp / "changes.json").write_text(json.dumps(changes))
    (tmp / "new.json").write_text(json.dumps(plan_to_doc(new, problem.name)))
    (tmp / "old.json").write_text(json.dumps(plan_to_doc(plan, problem.name)))
    adjusted = run_tool("apply_changes.py", "apply", tmp / "team.json", tmp / "changes.json")
    (tmp / "adjusted.json").write_text(adjusted.stdout)
    verdict = run_tool("verify_plan.py", tmp / "adjusted.json", tmp / "new.json", "--json")
    assert verdict.returncode == 0, verdict.stdout[-2000:]
    disturb = run_tool("apply_changes.py", "disturb", tmp / "team.json",
                       tmp / "changes.json", tmp / "old.json", tmp / "new.json")
    assert disturb.returncode == 0, disturb.stderr
    return json.loads(verdict.stdout.splitlines()[-1]), json.loads(disturb.stdout)


def _sick_day(problem: st.Problem, plan: st.Plan, day: int, n: int = 1) -> dict[str, Any]:
    """The n carers with the most visits that day call in sick."""
    day_of = {v.id: v.day for v in problem.visits}
    load: dict[str, int] = defaultdict(int)
    for a in plan.assignments:
        if day_of[a.visit] == day:
            for c in a.carers:
                load[c] += 1
    sick = sorted(load, key=lambda c: (-load[c], c))[:n]
    return {"format": "homecare-changes/1", "replan_days": [day, day],
            "changes": [{"type": "carer_absent", "carer": c, "from_day": day, "to_day": day} for c in sick]}


def test_a_sick_call_replans_the_day_and_every_citizen_still_meets_at_most_12_carers_this_month(
        team_s_problem: st.Problem, team_s_plan: st.Plan) -> None:
    changes = _sick_day(team_s_problem, team_s_plan, day=4)
    result, out = _run(team_s_problem, team_s_plan, changes)
    assert out["figures"]["distinct_carers_per_citizen_month"]["max"] <= team_s_problem.max_carers_per_month
    assert out["forced"] > 0  # the sick carer had visits that day
    sick = changes["changes"][0]["carer"]
    day_of = {v.id: v.day for v in result.adjusted.visits}
    assert all(sick not in a.carers for a in result.plan.assignments if day_of[a.visit] == 4)


def _sick3(problem: st.Problem, plan: st.Plan) -> dict[str, Any]:
    return make_scenario("sick3", problem_to_instance(problem), day=6, span=3, seed=2,
                         plan=plan_to_doc(plan, problem.name))


def test_nothing_outside_the_replan_days_moves(team_s_problem: st.Problem, team_s_plan: st.Plan) -> None:
    changes = _sick3(team_s_problem, team_s_plan)
    result, out = _run(team_s_problem, team_s_plan, changes)
    assert out["moved_outside_days"] == 0 == result.diff.moved_outside_days
    assert out["forced"] == result.diff.forced > 0


@pytest.mark.shared
def test_the_reference_tools_count_the_replan_as_the_planner_does(
        team_s_problem: st.Problem, team_s_plan: st.Plan, tmp_path: Path) -> None:
    changes = _sick3(team_s_problem, team_s_plan)
    result, out = _run(team_s_problem, team_s_plan, changes)
    figures, disturb = _reference_counts(team_s_problem, team_s_plan, changes, result.plan, tmp_path)
    assert disturb["moved_outside_days"] == 0 == result.diff.moved_outside_days
    assert disturb["kept"] == result.diff.kept and disturb["moved_unforced"] == result.diff.moved_unforced
    assert disturb["forced"] == out["forced"]
    assert figures["assigned"] == out["figures"]["assigned"]
    assert figures["travel_minutes"] == out["figures"]["travel_minutes"]


def test_a_citizen_in_hospital_loses_those_days_visits_and_keeps_the_rest(
        team_s_problem: st.Problem, team_s_plan: st.Plan) -> None:
    who = team_s_problem.citizens[0].id
    changes = {"format": "homecare-changes/1", "replan_days": [3, 7], "changes": [
        {"type": "citizen_away", "citizen": who, "from_day": 3, "to_day": 7, "reason": "hospital"}]}
    result, out = _run(team_s_problem, team_s_plan, changes)
    day_of = {v.id: (v.citizen, v.day) for v in team_s_problem.visits}
    away = [a for a in result.plan.assignments if day_of[a.visit][0] == who and 3 <= day_of[a.visit][1] <= 7]
    assert not away
    back = [a.visit for a in team_s_plan.assignments if day_of[a.visit][0] == who and day_of[a.visit][1] > 7]
    kept = {a.visit: a for a in result.plan.assignments}
    assert back and all(kept[v] == next(a for a in team_s_plan.assignments if a.visit == v) for v in back)
    assert result.diff.removed == out["forced"] > 0


def test_no_citizen_gets_a_new_face_when_an_already_met_carer_could_have_come(
        team_s_problem: st.Problem, team_s_plan: st.Plan) -> None:
    changes = _sick_day(team_s_problem, team_s_plan, day=5, n=3)
    result, _ = _run(team_s_problem, team_s_plan, changes)
    met: dict[str, set[str]] = defaultdict(set)
    citizen_of = {v.id: v.citizen for v in team_s_problem.visits}
    for a in team_s_plan.assignments:
        met[citizen_of[a.visit]].update(a.carers)
    assert result.diff.new_faces, "three sick carers should bring someone a new face"
    for face in result.diff.new_faces:
        month = result.adjusted.month_of(face.day)
        spare = avoidable_face(result.adjusted, result.plan.assignments, face.citizen, month, face.carer,
                               met=met[face.citizen])
        assert spare is None, f"{face.citizen} met {face.carer}, but already-met carers could come: {spare}"


def test_a_pinned_visit_never_moves_in_a_replan(team_s_problem: st.Problem, team_s_plan: st.Plan) -> None:
    changes = _sick_day(team_s_problem, team_s_plan, day=4, n=2)
    sick = {c["carer"] for c in changes["changes"]}
    day_of = {v.id: v.day for v in team_s_problem.visits}
    pins = [a for a in team_s_plan.assignments if day_of[a.visit] == 4 and not sick & set(a.carers)][:5]
    result = replan(team_s_problem, team_s_plan.assignments, parse_changes(changes, team_s_problem),
                    params=PARAMS, pinned=pins)
    new = {a.visit: a for a in result.plan.assignments}
    assert pins and all(new[p.visit] == p for p in pins)


def test_a_failed_replan_raises_and_changes_nothing(team_s_problem: st.Problem, team_s_plan: st.Plan,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib

    planner = importlib.import_module("solver.solve")  # the module (the package re-exports the function)

    def broken(problem: st.Problem, params: st.SolveParams) -> st.Plan:
        raise RuntimeError("out of memory")

    monkeypatch.setattr(planner, "solve", broken)
    before = list(team_s_plan.assignments)
    changes = parse_changes(_sick_day(team_s_problem, team_s_plan, day=4), team_s_problem)
    with pytest.raises(ReplanFailed, match="out of memory"):
        replan(team_s_problem, team_s_plan.assignments, changes, params=PARAMS)
    assert team_s_plan.assignments == before
