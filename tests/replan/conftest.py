"""A full plan of a generated team (size s), made once per test session, to re-plan against."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from exchange import parse_instance, plan_to_doc, to_problem
from solver import types as st
from tests.paths import generated_instance


@pytest.fixture(scope="session")
def team_s_path() -> Path:
    return generated_instance()


@pytest.fixture(scope="session")
def team_s_problem(team_s_path: Path) -> st.Problem:
    return to_problem(parse_instance(json.loads(team_s_path.read_text())))


@pytest.fixture(scope="session")
def team_s_plan(team_s_problem: st.Problem) -> st.Plan:
    from solver.solve import solve

    return solve(team_s_problem, st.SolveParams(time_limit=3.0, seed=0))


@pytest.fixture(scope="session")
def team_s_plan_path(team_s_problem: st.Problem, team_s_plan: st.Plan,
                     tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("replan") / "team-s-plan.json"
    doc: dict[str, Any] = plan_to_doc(team_s_plan, team_s_problem.name)
    path.write_text(json.dumps(doc))
    return path
