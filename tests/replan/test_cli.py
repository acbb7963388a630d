"""`homecare replan INSTANCE PLAN CHANGES -o NEW`: what a coordinator at a terminal sees."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli import app
from tests.replan.helpers import run_tool


def _invoke(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["replan", *(str(a) for a in args)])
    return result.exit_code, result.stdout, result.stderr


def test_replan_prints_the_diff_and_writes_a_plan_the_verifier_accepts(
        team_s_path: Path, team_s_plan_path: Path, tmp_path: Path) -> None:
    plan = json.loads(team_s_plan_path.read_text())
    sick = plan["visits"][len(plan["visits"]) // 2]["carers"][0]
    changes = tmp_path / "changes.json"
    changes.write_text(json.dumps({"format": "homecare-changes/1", "replan_days": [6, 6], "changes": [
        {"type": "carer_absent", "carer": sick, "from_day": 6, "to_day": 6}]}))
    out = tmp_path / "new.json"
    code, stdout, stderr = _invoke(team_s_path, team_s_plan_path, changes, "-o", out, "--time-limit", "1")
    assert code == 0, stderr
    assert "re-planned days 6-6" in stdout and "new faces" in stdout and "unplaced" in stdout
    adjusted = run_tool("apply_changes.py", "apply", team_s_path, changes)
    (tmp_path / "adjusted.json").write_text(adjusted.stdout)
    assert run_tool("verify_plan.py", tmp_path / "adjusted.json", out).returncode == 0
    disturb = json.loads(run_tool("apply_changes.py", "disturb", team_s_path, changes,
                                  team_s_plan_path, out).stdout)
    assert disturb["moved_outside_days"] == 0


@pytest.mark.parametrize(("content", "message"), [
    ("{not json", "not valid JSON"),
    (json.dumps({"format": "homecare-changes/1", "changes": [{"type": "carer_absent", "carer": "T1-c99",
                                                             "from_day": 1, "to_day": 1}]}),
     "changes[0].carer: unknown carer 'T1-c99'"),
    (json.dumps({"format": "homecare-changes/1", "changes": [{"type": "citizen_away", "citizen": "T1-p001",
                                                             "from_day": 10, "to_day": 40}]}),
     "changes[0].to_day: day 40 is outside the plan"),
    (json.dumps({"format": "homecare-changes/1", "changes": [{"type": "visit_cancel"}]}),
     "changes[0].visit: Field required"),
])
def test_a_malformed_change_file_exits_2_naming_the_change_and_writes_nothing(
        team_s_path: Path, team_s_plan_path: Path, tmp_path: Path, content: str, message: str) -> None:
    changes = tmp_path / "changes.json"
    changes.write_text(content)
    out = tmp_path / "new.json"
    code, _, stderr = _invoke(team_s_path, team_s_plan_path, changes, "-o", out)
    assert code == 2
    assert message in stderr
    assert "Traceback" not in stderr
    assert not out.exists()


def test_a_missing_change_file_exits_2(team_s_path: Path, team_s_plan_path: Path, tmp_path: Path) -> None:
    code, _, stderr = _invoke(team_s_path, team_s_plan_path, tmp_path / "none.json",
                              "-o", tmp_path / "new.json")
    assert code == 2 and "none.json" in stderr
