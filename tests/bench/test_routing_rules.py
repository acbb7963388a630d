"""The bench's routing peer knows the optional rules, so that the bench compares like with like: each
carer's travel mode, break windows, priorities, spaced visits of a day."""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from pathlib import Path

import pytest

from bench.peers import routing
from solver.check import breaks_owed, check_assignments
from solver.types import BreakWindow, Dependency, Plan, Problem, Shift, TravelSpec
from tests.paths import generated_instance
from tests.solver.conftest import carer, citizen, problem, visit

WALK = {"walk": TravelSpec(speed_kmh=4.5, detour_factor=1.3)}


def routed(p: Problem) -> Plan:
    return routing.plan(p, solutions=1)


def placed(plan: Plan) -> dict[str, tuple[str, ...]]:
    return {a.visit: a.carers for a in plan.assignments}


def test_routing_sends_the_driving_carer_not_the_walking_one_to_the_far_citizen() -> None:
    p = problem([dataclasses.replace(carer("walking-wera"), travel_mode="walk"), carer("driving-dan")],
                [citizen("far", north=0.05)], [visit("far-morning", "far", earliest=480, latest=480)],
                travel_modes=WALK)
    plan = routed(p)
    assert placed(plan) == {"far-morning": ("driving-dan",)}
    assert check_assignments(p, plan.assignments) == {}


def test_routing_keeps_the_carers_break_in_a_busy_day() -> None:
    shift = Shift(0, 420, 930, break_window=BreakWindow(660, 720, 30))
    visits = [visit(f"v{i}", "p1", earliest=420 + 60 * i, latest=480 + 60 * i, duration=45, need=f"n{i}")
              for i in range(6)]
    p = problem([carer("anna", shifts=(shift,))], [citizen("p1")], visits)
    plan = routed(p)
    assert len(plan.assignments) >= 5
    assert check_assignments(p, plan.assignments) == {}
    assert breaks_owed(p, plan.assignments) == 1


def test_routing_leaves_the_cleaning_out_before_the_morning_visit() -> None:
    morning = visit("morning", "p1", earliest=480, latest=490, duration=60)
    cleaning = dataclasses.replace(visit("cleaning", "p1", earliest=480, latest=490, duration=60,
                                         need="cleaning"), priority=3)
    p = problem([carer("anna", start=420, end=600)], [citizen("p1")], [cleaning, morning])
    plan = routed(p)
    assert placed(plan) == {"morning": ("anna",)}
    assert [u.visit for u in plan.unplaced] == ["cleaning"]


def test_routing_spaces_the_lunch_from_the_morning_visit() -> None:
    visits = [visit("morning", "p1", earliest=420, latest=540, duration=30),
              visit("lunch", "p1", earliest=600, latest=840, duration=30, need="lunch")]
    p = problem([carer("anna")], [citizen("p1")], visits,
                dependencies=[Dependency("morning", "lunch", min_gap=240, max_gap=300)])
    plan = routed(p)
    starts = {a.visit: a.start for a in plan.assignments}
    assert set(starts) == {"morning", "lunch"}
    assert 240 <= starts["lunch"] - (starts["morning"] + 30) <= 300


def test_the_rules_section_counts_a_must_visit_left_out_for_a_cleaning_it_could_have_replaced() -> None:
    from bench.rules import displaced_must_visits, placed_by_priority

    morning = visit("morning", "p1", earliest=480, latest=490, duration=60)
    cleaning = dataclasses.replace(visit("cleaning", "p1", earliest=480, latest=490, duration=60,
                                         need="cleaning"), priority=3)
    p = problem([carer("anna", start=420, end=600)], [citizen("p1")], [cleaning, morning])
    wrong = {"visits": [{"id": "cleaning", "carers": ["anna"], "start": 480}],
             "unassigned": [{"id": "morning", "reason": "full"}]}
    right = {"visits": [{"id": "morning", "carers": ["anna"], "start": 480}],
             "unassigned": [{"id": "cleaning", "reason": "full"}]}
    assert displaced_must_visits(p, wrong) == ["morning (instead of cleaning)"]
    assert displaced_must_visits(p, right) == []
    assert placed_by_priority(p, right) == {"1": {"visits": 1, "placed": 1, "unplaced": 0},
                                            "3": {"visits": 1, "placed": 0, "unplaced": 1}}


def test_without_shared_the_own_check_reports_unplaced_per_priority_and_breaks(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from bench import common

    monkeypatch.setattr(common, "VERIFIER", tmp_path / "no-verifier.py")
    instance = generated_instance("team-rules", "s", 1)
    doc = json.loads(instance.read_text())
    empty = {"format": "homecare-plan/1", "instance": doc["name"], "visits": [],
             "unassigned": [{"id": v["id"], "reason": "not planned"} for v in doc["visits"]]}
    (tmp_path / "empty.json").write_text(json.dumps(empty))
    verdict = common.verify(instance, tmp_path / "empty.json")
    assert verdict.valid and verdict.checker == common.OWN_CHECK_NAME
    priorities = Counter(str(v.get("priority", 1)) for v in doc["visits"])
    assert verdict.figures["unassigned_by_priority"] == dict(sorted(priorities.items()))
    assert verdict.figures["breaks_checked"] == 0
