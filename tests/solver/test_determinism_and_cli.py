"""Same seed and one worker give the same plan; the `homecare plan` command end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from exchange import parse_instance, to_problem
from solver import Progress, SolveParams, solve
from tests.checks import own_verdict_files
from tests.paths import generated_instance

TEAM_S = generated_instance()


def _team_s():
    return to_problem(parse_instance(json.loads(TEAM_S.read_text())))


def test_the_same_seed_with_one_worker_gives_the_same_plan() -> None:
    params = SolveParams(time_limit=60, seed=7, workers=1, max_iterations=40)
    a = solve(_team_s(), params)
    b = solve(_team_s(), params)
    assert sorted(a.assignments, key=lambda x: x.visit) == sorted(b.assignments, key=lambda x: x.visit)
    assert sorted(a.unplaced, key=lambda x: x.visit) == sorted(b.unplaced, key=lambda x: x.visit)


def test_a_stop_asked_for_once_the_search_reports_ends_the_search_there() -> None:
    seen: list[Progress] = []
    steps = 2_000  # far more than the search makes before its first report, half a second in
    plan = solve(_team_s(), SolveParams(time_limit=86_400, max_iterations=steps, on_progress=seen.append,
                                        should_stop=lambda: any(p.phase == "improve" for p in seen)))
    assert seen and seen[-1].phase == "done" and seen[-1].objective is not None
    made = [v for k, v in plan.stats.items() if k.startswith("iterations_")]
    assert made and 0 < max(made) < steps
    assert len(plan.assignments) + len(plan.unplaced) == len(_team_s().visits)


def _cli(args: list[str]):
    from app.cli import app

    return CliRunner().invoke(app, args)


def test_plan_command_writes_a_plan_the_final_check_accepts(tmp_path: Path) -> None:
    out = tmp_path / "plan.json"
    result = _cli(["plan", str(TEAM_S), "-o", str(out), "--time-limit", "8", "--seed", "1"])
    assert result.exit_code == 0, result.output
    assert own_verdict_files(TEAM_S, out)[0] == []
    assert json.loads(out.read_text())["format"] == "homecare-plan/1"


def test_a_team_planning_twice_with_the_same_seed_and_steps_gets_the_same_plan_file(tmp_path: Path) -> None:
    files = [tmp_path / "first.json", tmp_path / "second.json"]
    for out in files:
        result = _cli(["plan", str(TEAM_S), "-o", str(out), "--seed", "3", "--steps", "15"])
        assert result.exit_code == 0, result.output
    assert files[0].read_bytes() == files[1].read_bytes()
    assert json.loads(files[0].read_text())["visits"]


@pytest.mark.parametrize("content, words", [
    ("{not json", "not valid JSON"),
    ('{"format": "homecare-instance/1", "name": "x"}', "not a valid homecare-instance/1 file"),
])
def test_a_bad_instance_exits_2_naming_the_file(tmp_path: Path, content: str, words: str) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(content)
    result = _cli(["plan", str(bad), "-o", str(tmp_path / "out.json")])
    assert result.exit_code == 2
    assert words in result.output and str(bad) in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "out.json").exists()


def test_a_missing_instance_exits_2(tmp_path: Path) -> None:
    result = _cli(["plan", str(tmp_path / "nope.json"), "-o", str(tmp_path / "out.json")])
    assert result.exit_code == 2 and "cannot read" in result.output
