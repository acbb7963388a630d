"""`homecare replan INSTANCE PLAN CHANGES -o NEW`: what a coordinator at a terminal sees."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli import app
from app.replan.changes import apply_to_instance
from exchange import parse_instance, parse_plan, plan_from_doc, to_problem
from tests.checks import own_verdict_files
from tests.replan.helpers import disturbance


def _invoke(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["replan", *(str(a) for a in args)])
    return result.exit_code, result.stdout, result.stderr


def test_replan_prints_the_diff_and_writes_a_plan_the_final_check_accepts(
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
    instance, change_doc = json.loads(team_s_path.read_text()), json.loads(changes.read_text())
    (tmp_path / "adjusted.json").write_text(json.dumps(apply_to_instance(instance, change_doc)))
    assert own_verdict_files(tmp_path / "adjusted.json", out)[0] == []
    old, new = (plan_from_doc(parse_plan(json.loads(p.read_text()))).assignments
                for p in (team_s_plan_path, out))
    assert disturbance(to_problem(parse_instance(instance)), change_doc, old, new)["moved_outside_days"] == 0


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
