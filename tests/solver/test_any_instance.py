"""Any instance file, however a hand or a script has edited it: a plan the planner's final check (and,
where ../shared exists, the team's verifier) accepts,
or an error that names where the file is wrong. Never an exception out of the planner.

The edits are drawn by hypothesis over a small valid instance: a field removed, a value of the
wrong type, a number out of range, an id of something else, a row duplicated. Most make the file
invalid (the parser must say where); the rest are odd but valid (a visit longer than its shift, a
cap of one, a carer with no shifts) and must be planned.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as hs

from exchange import ExchangeError, parse_instance, plan_to_doc, problem_to_instance, to_problem
from solver import Shift, solve
from tests.checks import own_verdict_docs
from tests.solver.conftest import carer, citizen, problem, quick, shared_verifier, visit


def _instance() -> dict[str, Any]:
    carers = [carer("anna", skills=("medication",), shifts=(Shift(0, 420, 930), Shift(1, 420, 600),
                                                            Shift(1, 960, 1200))),
              carer("bo", shifts=(Shift(0, 840, 1320), Shift(1, 420, 930))),
              carer("cia", skills=("medication",), days=(0, 1))]
    citizens = [citizen("p1", contact="anna"), citizen("p2", north=-0.01, avoid=("bo",)),
                citizen("p3", east=0.02, contact="cia")]
    visits = [visit("p1-morning-0", "p1", day=0, skills=("medication",)),
              visit("p1-morning-1", "p1", day=1),
              visit("p1-evening-0", "p1", day=0, earliest=1080, latest=1140, need="evening"),
              visit("p2-shower-0", "p2", day=0, earliest=600, latest=720, duration=45, carers=2,
                    need="shower"),
              visit("p2-morning-1", "p2", day=1),
              visit("p3-morning-0", "p3", day=0, earliest=450, latest=540),
              visit("p3-morning-1", "p3", day=1, earliest=450, latest=540)]
    return problem_to_instance(problem(carers, citizens, visits, days=2, cap=2))


BASE = json.loads(json.dumps(_instance()))
IDS = ["anna", "bo", "cia", "p1", "p2", "T", "nobody", "p1-morning-0"]
ODD_VALUES = hs.one_of(
    hs.none(), hs.booleans(), hs.integers(-2, 1500),
    hs.sampled_from([10**9, -(10**9), 0.5, float("nan"), float("inf")]),
    hs.sampled_from(IDS), hs.text(max_size=3), hs.just([]), hs.just({}),
    hs.lists(hs.sampled_from(["medication", "anna", "x"]), max_size=3))

# A value of the same kind, often still valid: the odd-but-valid files the planner must plan.
ALIKE: dict[type, hs.SearchStrategy[Any]] = {
    int: hs.integers(0, 1440), float: hs.floats(62.0, 63.0), str: hs.sampled_from(IDS),
    list: hs.lists(hs.sampled_from(["medication", "anna", "bo"]), max_size=3)}


def _paths(node: Any, at: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    out = [at] if at else []
    children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, child in children:
        out += _paths(child, (*at, key))
    return out


@hs.composite
def edited_instances(draw: hs.DrawFn) -> dict[str, Any]:
    doc = copy.deepcopy(BASE)
    for _ in range(draw(hs.integers(1, 3))):
        path = draw(hs.sampled_from(_paths(doc)))
        parent: Any = doc
        for step in path[:-1]:
            parent = parent[step]
        key: Any = path[-1]
        how = draw(hs.sampled_from(["alike", "alike", "alike", "odd", "remove", "duplicate"]))
        if how == "remove":
            del parent[key]
        elif how == "duplicate" and isinstance(parent, list):
            parent.append(copy.deepcopy(parent[key]))
        elif how == "alike" and type(parent[key]) in ALIKE:
            parent[key] = draw(ALIKE[type(parent[key])])
        else:
            parent[key] = draw(ODD_VALUES)
    return doc


def _planned_or_refused(doc: dict[str, Any]) -> dict[str, Any] | None:
    """The plan document of an edited instance, or None when the parser refused it saying where."""
    try:
        parsed = parse_instance(json.loads(json.dumps(doc)))
    except ExchangeError as e:
        assert e.errors and all(err["path"] and err["msg"] for err in e.errors)
        event("refused")
        return None
    event("planned")
    return plan_to_doc(solve(to_problem(parsed), quick(iterations=5)), parsed.name)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edited_instances())
def test_an_edited_instance_is_planned_and_verified_or_refused_saying_where(doc: dict[str, Any]) -> None:
    plan = _planned_or_refused(doc)
    if plan is not None:
        violations, figures = own_verdict_docs(json.loads(json.dumps(doc)), plan)
        assert violations == []
        assert figures["assigned"] + figures["unassigned"] == len(doc["visits"])


@pytest.mark.shared
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edited_instances())
def test_the_shared_verifier_accepts_the_plan_of_an_edited_instance(doc: dict[str, Any]) -> None:
    plan = _planned_or_refused(doc)
    if plan is not None:
        violations, figures = shared_verifier().verify(doc, plan)
        assert violations == []
        assert figures["assigned"] + figures["unassigned"] == len(doc["visits"])
