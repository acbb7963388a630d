"""`homecare plan --continuity`: the team's weighing of faces against travel, from the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from solver import Plan, Problem, SolveParams
from solver.objective import weights_for
from tests.paths import generated_instance


def _cli(args: list[str]) -> Any:
    from app.cli import app

    return CliRunner().invoke(app, args)


@pytest.mark.parametrize("setting", ["fewest", "balanced", "travel", "faces:5"])
def test_the_plan_command_plans_with_the_chosen_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                        setting: str) -> None:
    import app.cli.plan as command

    given: list[SolveParams] = []

    def solve(problem: Problem, params: SolveParams) -> Plan:
        given.append(params)
        return Plan(assignments=[], unplaced=[])

    monkeypatch.setattr(command, "solve", solve)
    out = tmp_path / "plan.json"
    result = _cli(["plan", str(generated_instance()), "-o", str(out), "--steps", "1",
                   "--continuity", setting])
    assert result.exit_code == 0, result.output
    assert [p.weights for p in given] == [weights_for(setting)]
    assert f"continuity {setting}" in result.output and out.exists()


def test_without_a_setting_the_plan_command_plans_for_the_fewest_faces(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import app.cli.plan as command

    given: list[SolveParams] = []

    def solve(problem: Problem, params: SolveParams) -> Plan:
        given.append(params)
        return Plan(assignments=[], unplaced=[])

    monkeypatch.setattr(command, "solve", solve)
    result = _cli(["plan", str(generated_instance()), "-o", str(tmp_path / "p.json"), "--steps", "1"])
    assert result.exit_code == 0, result.output
    assert [p.weights for p in given] == [weights_for("fewest")]


def test_an_unknown_setting_exits_2_naming_the_option_and_the_known_ones(tmp_path: Path) -> None:
    out = tmp_path / "plan.json"
    result = _cli(["plan", str(generated_instance()), "-o", str(out), "--continuity", "fastest"])
    assert result.exit_code == 2
    assert "--continuity" in result.output and "fewest, balanced, travel" in result.output
    assert "Traceback" not in result.output and not out.exists()
