"""Applying a day's adjustments gives exactly the reference's adjusted instance, and bad change files are
refused naming the change."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from app.replan.changes import apply_changes, apply_to_instance, forced_visits, replan_range
from app.replan.scenarios import SCENARIOS, make_scenario, scenario_day
from exchange import ExchangeError, parse_instance, problem_to_instance, to_problem
from exchange.changes import parse_changes
from tests.paths import generated_instance
from tests.replan.helpers import reference_apply, tiny_plan, tiny_problem

TEAM_S = generated_instance()


def _normalised(doc: dict[str, Any]) -> dict[str, Any]:
    return problem_to_instance(to_problem(parse_instance(doc)))


@pytest.fixture(scope="module")
def team_s() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(TEAM_S.read_text())
    return data


def every_change_type(inst: dict[str, Any]) -> dict[str, Any]:
    """One change of each type, in the order FORMAT.md lists them, on real ids of the instance."""
    day = 3
    visits = sorted((v for v in inst["visits"] if v["day"] == day), key=lambda v: v["id"])
    carers = sorted(c["id"] for c in inst["carers"])
    away = next(v["citizen"] for v in visits[::-1] if v["citizen"] != visits[0]["citizen"])
    return {"format": "homecare-changes/1", "replan_days": [day, day + 4], "changes": [
        {"type": "carer_absent", "carer": carers[0], "from_day": day, "to_day": day + 1},
        {"type": "shift_set", "carer": carers[1], "day": day, "shifts": [{"start": 420, "end": 720},
                                                                           {"start": 960, "end": 1200}]},
        {"type": "carer_add", "carer": {"id": "T1-sub1", "team": inst["teams"][0]["id"], "skills": [],
                                        "shifts": [{"day": day, "start": 420, "end": 930}]}},
        {"type": "visit_duration", "visit": visits[0]["id"], "duration": visits[0]["duration"] + 15},
        {"type": "visit_window", "visit": visits[1]["id"], "earliest": visits[1]["earliest"],
         "latest": visits[1]["earliest"] + 30},
        {"type": "visit_cancel", "visit": visits[2]["id"]},
        {"type": "citizen_away", "citizen": away, "from_day": day, "to_day": day + 4, "reason": "hospital"},
        {"type": "visit_add", "visit": {"id": "extra-1", "citizen": visits[0]["citizen"], "need": "extra",
                                        "day": day, "earliest": 840, "latest": 900, "duration": 30}},
    ]}


@pytest.mark.shared
def test_every_change_type_gives_the_reference_adjusted_instance(team_s: dict[str, Any],
                                                                  tmp_path: Path) -> None:
    changes = every_change_type(team_s)
    path = tmp_path / "changes.json"
    path.write_text(json.dumps(changes))
    ours = apply_to_instance(team_s, changes)
    reference = _normalised(reference_apply(TEAM_S, path))
    assert ours == reference
    # and the changes did something: a carer added, visits gone, one added
    assert len(ours["carers"]) == len(team_s["carers"]) + 1
    assert "extra-1" in {v["id"] for v in ours["visits"]}


@pytest.mark.shared
@pytest.mark.parametrize("scenario", SCENARIOS)
def test_every_benchmark_scenario_gives_the_reference_adjusted_instance(
        scenario: str, team_s: dict[str, Any], tmp_path: Path) -> None:
    changes = make_scenario(scenario, team_s, day=scenario_day(team_s, 3), span=7, seed=3)
    path = tmp_path / "changes.json"
    path.write_text(json.dumps(changes))
    assert apply_to_instance(team_s, changes) == _normalised(reference_apply(TEAM_S, path))


def test_scenario_files_are_the_same_for_the_same_seed_and_differ_for_another(team_s: dict[str, Any]) -> None:
    a = make_scenario("sick3", team_s, day=5, seed=1)
    assert a == make_scenario("sick3", team_s, day=5, seed=1)
    others = [make_scenario("sick3", team_s, day=5, seed=s) for s in range(2, 6)]
    assert any(o != a for o in others)


BAD_CHANGES = [
    ({"type": "carer_absent", "carer": "T1-c99", "from_day": 1, "to_day": 1},
     "changes[1].carer: unknown carer 'T1-c99'"),
    ({"type": "visit_cancel", "visit": "nope"}, "changes[1].visit: unknown visit 'nope'"),
    ({"type": "carer_absent", "carer": "c1", "from_day": 1, "to_day": 9},
     "changes[1].to_day: day 9 is outside the plan (days 0-1)"),
    ({"type": "citizen_away", "citizen": "p9", "from_day": 0, "to_day": 1},
     "changes[1].citizen: unknown citizen 'p9'"),
    ({"type": "carer_add", "carer": {"id": "s1", "team": "T2"}}, "changes[1].carer.team: unknown team 'T2'"),
    ({"type": "carer_add", "carer": {"id": "c1", "team": "T1"}},
     "changes[1].carer.id: carer 'c1' already exists"),
    ({"type": "carer_absnt", "carer": "c1"}, "changes[1]: unknown change type 'carer_absnt'"),
    ({"type": "carer_absent", "carer": "c1", "form_day": 1, "to_day": 1}, "changes[1].form_day"),
    ({"type": "visit_window", "visit": "p1-d0-m", "earliest": 600, "latest": 500}, "changes[1]"),
    # cancelled by changes[0], so unknown to changes[1] (the reference applies in order)
    ({"type": "visit_duration", "visit": "p2-d0-l", "duration": 40},
     "changes[1].visit: unknown visit 'p2-d0-l'"),
]


@pytest.mark.parametrize(("change", "message"), BAD_CHANGES, ids=[m for _, m in BAD_CHANGES])
def test_a_bad_change_is_refused_naming_the_change(change: dict[str, Any], message: str) -> None:
    doc = {"format": "homecare-changes/1",
           "changes": [{"type": "visit_cancel", "visit": "p2-d0-l"}, change]}
    with pytest.raises(ExchangeError) as err:
        parse_changes(doc, tiny_problem())
    assert message in str(err.value)


def test_a_substitute_for_a_team_the_coordinator_does_not_hold_is_refused() -> None:
    doc = {"format": "homecare-changes/1",
           "changes": [{"type": "carer_add", "carer": {"id": "s1", "team": "T1"}}]}
    with pytest.raises(ExchangeError, match=r"changes\[0\].carer.team: team 'T1' is not one of your teams"):
        parse_changes(doc, tiny_problem(), teams_allowed=["T7"])
    assert parse_changes(doc, tiny_problem(), teams_allowed=["T1"]).changes


def test_a_sick_day_outside_the_replan_days_is_refused_because_the_plan_could_not_follow() -> None:
    doc = {"format": "homecare-changes/1", "replan_days": [0, 0],
           "changes": [{"type": "carer_absent", "carer": "c1", "from_day": 0, "to_day": 1}]}
    with pytest.raises(ExchangeError, match=r"changes\[0\]: day 1 is outside replan_days \[0, 0\]"):
        parse_changes(doc, tiny_problem())


@pytest.mark.parametrize("data", [None, [], {"changes": []}, {"format": "homecare-changes/2", "changes": []},
                                  {"format": "homecare-changes/1", "changes": [{"carer": "c1"}]},
                                  {"format": "homecare-changes/1", "replan_days": [3, 1], "changes": []}])
def test_a_malformed_change_file_is_refused(data: Any) -> None:
    with pytest.raises(ExchangeError):
        parse_changes(data, tiny_problem())


def test_a_sick_carer_forces_exactly_the_visits_planned_for_them_that_day() -> None:
    problem = tiny_problem()
    problem.current = tiny_plan()
    cs = parse_changes({"format": "homecare-changes/1", "changes": [
        {"type": "carer_absent", "carer": "c1", "from_day": 0, "to_day": 0}]}, problem)
    adjusted = apply_changes(problem, cs)
    assert forced_visits(problem, adjusted, cs, problem.current) == {"p1-d0-m", "p2-d0-l"}
    assert adjusted.replan_days == (0, 0) == replan_range(cs, problem)
    assert [s.day for s in next(c for c in adjusted.carers if c.id == "c1").shifts] == [1]


def test_cancelled_and_away_visits_leave_the_current_plan_and_the_pins() -> None:
    problem = tiny_problem()
    problem.current = tiny_plan()
    problem.pinned = [tiny_plan()[2]]
    cs = parse_changes({"format": "homecare-changes/1", "changes": [
        {"type": "citizen_away", "citizen": "p1", "from_day": 1, "to_day": 1},
        {"type": "visit_cancel", "visit": "p2-d0-l"}]}, problem)
    adjusted = apply_changes(problem, cs)
    assert {a.visit for a in adjusted.current} == {"p1-d0-m", "p1-d0-l"}
    assert adjusted.pinned == []
