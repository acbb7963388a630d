"""The optional rules travel through the app's import and export: a walking carer, a lunch break, the
insulin spaced from breakfast, cleaning that may wait come back out as they went in, and reach the
planner's problem."""

from __future__ import annotations

import copy
import datetime as dt
import json
import subprocess
import sys
from typing import Any

import pytest
from sqlalchemy import func, select

from app.mapping import build_problem
from models.core import Carer, Team, TravelMode, VisitDependency
from tests.paths import INSTANCES, VERIFIER


def small_rules_instance() -> dict[str, Any]:
    """Two carers (one walks, one cycles with her own matrix), one citizen, a morning with breakfast and
    the insulin four to six hours after it, cleaning that may wait; the walking carer's shift has a break."""
    places = ["R1", "R1-p1"]
    return {
        "format": "homecare-instance/1", "name": "rules-small", "start_date": "2026-03-02", "days": 2,
        "max_carers_per_month": 12,
        "travel": {"speed_kmh": 30.0, "detour_factor": 1.3,
                   "modes": {"walk": {"speed_kmh": 5.0, "detour_factor": 1.2},
                             "cycle": {"speed_kmh": 15.0, "detour_factor": 1.3,
                                       "matrix": {"points": places, "minutes": [[0, 9], [11, 0]]}}}},
        "teams": [{"id": "R1", "lat": 62.39, "lon": 17.30}],
        "carers": [
            {"id": "R1-c1", "team": "R1", "skills": ["medication"], "travel_mode": "walk",
             "shifts": [{"day": 0, "start": 420, "end": 930,
                         "break": {"earliest": 660, "latest": 780, "duration": 30}},
                        {"day": 1, "start": 420, "end": 720}]},
            {"id": "R1-c2", "team": "R1", "skills": [], "travel_mode": "cycle",
             "shifts": [{"day": 0, "start": 480, "end": 960}]},
            {"id": "R1-c3", "team": "R1", "skills": ["medication"],
             "shifts": [{"day": 1, "start": 420, "end": 930}]},
        ],
        "citizens": [{"id": "R1-p1", "team": "R1", "lat": 62.40, "lon": 17.31, "avoid": []}],
        "visits": [
            {"id": "R1-p1-d00-morning", "citizen": "R1-p1", "need": "morning", "day": 0, "earliest": 450,
             "latest": 540, "duration": 30, "carers": 1, "skills": []},
            {"id": "R1-p1-d00-insulin", "citizen": "R1-p1", "need": "insulin", "day": 0, "earliest": 720,
             "latest": 840, "duration": 15, "carers": 1, "skills": ["medication"]},
            {"id": "R1-p1-d01-cleaning", "citizen": "R1-p1", "need": "cleaning", "day": 1, "earliest": 540,
             "latest": 780, "duration": 60, "carers": 1, "skills": [], "priority": 3},
            {"id": "R1-p1-d01-shower", "citizen": "R1-p1", "need": "shower", "day": 1, "earliest": 540,
             "latest": 780, "duration": 45, "carers": 1, "skills": [], "priority": 2},
        ],
        "dependencies": [{"first": "R1-p1-d00-morning", "then": "R1-p1-d00-insulin",
                          "min_gap": 240, "max_gap": 360}],
    }


def comparable(doc: dict[str, Any]) -> dict[str, Any]:
    """The instance with its lists as sets (their order carries no meaning) and defaults spelt out."""
    def freeze(x: Any) -> Any:
        if isinstance(x, dict):
            return tuple(sorted((k, freeze(v)) for k, v in x.items()))
        if isinstance(x, list):
            return tuple(sorted((freeze(v) for v in x), key=repr))
        return x

    out = {k: doc[k] for k in ("format", "name", "start_date", "days", "max_carers_per_month")}
    out["travel"] = freeze(doc["travel"])
    for key in ("teams", "carers", "citizens", "visits", "dependencies"):
        rows = []
        for row in doc.get(key, []):
            row = dict(row)
            if key == "citizens":
                row.setdefault("avoid", [])
            if key == "visits":
                row.setdefault("priority", 1)
            if key == "dependencies":
                row.setdefault("min_gap", 0)
            rows.append(freeze(row))
        out[key] = set(rows)
    return out


def test_a_walking_carer_a_break_spaced_insulin_and_cleaning_that_may_wait_come_back_out(client, headers):
    instance = small_rules_instance()
    answer = client.post("/api/import/instance", json=instance, headers=headers["admin"])
    assert answer.status_code == 201, answer.text
    assert answer.json()["created"]["dependencies"] == 1
    exported = client.get("/api/export/instance", params={"team": "R1"}, headers=headers["admin"])
    assert exported.status_code == 200, exported.text
    assert comparable(exported.json()) == comparable(instance)


def test_the_imported_rules_reach_the_planners_problem(client, headers, db_session):
    assert client.post("/api/import/instance", json=small_rules_instance(),
                       headers=headers["admin"]).status_code == 201
    team = db_session.scalar(select(Team).where(Team.external_id == "R1"))
    problem = build_problem(db_session, team_ids=[team.id], start=dt.date(2026, 3, 2),
                            end=dt.date(2026, 3, 3))
    carers = {c.id: c for c in problem.carers}
    walker = carers["R1-c1"]
    assert problem.travel_of(walker).speed_kmh == 5.0
    assert problem.travel_of(carers["R1-c3"]) is problem.travel  # no mode: by car
    assert walker.shifts[0].break_window is not None and walker.shifts[0].break_window.duration == 30
    assert walker.shifts[1].break_window is None
    cycle = problem.travel_of(carers["R1-c2"])
    assert cycle.matrix_points is not None and cycle.matrix_minutes is not None
    at = {p: i for i, p in enumerate(cycle.matrix_points)}
    assert cycle.matrix_minutes[at["R1"]][at["R1-p1"]] == 9
    assert {v.id: v.priority for v in problem.visits}["R1-p1-d01-cleaning"] == 3
    assert [(d.first, d.then, d.min_gap, d.max_gap) for d in problem.dependencies] == [
        ("R1-p1-d00-morning", "R1-p1-d00-insulin", 240, 360)]


def test_importing_again_without_the_spacing_drops_it_and_keeps_one_row_per_mode(client, headers, db_session):
    instance = small_rules_instance()
    assert client.post("/api/import/instance", json=instance, headers=headers["admin"]).status_code == 201
    modes = db_session.scalar(select(func.count()).select_from(TravelMode))
    again = copy.deepcopy(instance)
    again["dependencies"] = []
    again["carers"][0].pop("travel_mode")
    assert client.post("/api/import/instance", json=again, headers=headers["admin"]).status_code == 201
    db_session.expire_all()
    assert db_session.scalar(select(func.count()).select_from(VisitDependency)) == 0
    assert db_session.scalar(select(func.count()).select_from(TravelMode)) == modes
    assert db_session.scalar(select(Carer.travel_mode).where(Carer.external_id == "R1-c1")) is None


@pytest.mark.parametrize(("edit", "path"), [
    (lambda d: d["carers"][1].update(travel_mode="skates"), "carers[1].travel_mode"),
    (lambda d: d["dependencies"][0].update(then="R1-p1-d00-nothing"), "dependencies[0].then"),
    (lambda d: d["carers"][0]["shifts"][1].update(
        {"break": {"earliest": 700, "latest": 710, "duration": 30}}), "carers[0].shifts[1]"),
])
def test_a_broken_rule_in_the_file_is_named_and_nothing_is_stored(client, headers, db_session, edit, path):
    instance = small_rules_instance()
    edit(instance)
    answer = client.post("/api/import/instance", json=instance, headers=headers["admin"])
    assert answer.status_code == 422, answer.text
    assert path in answer.text
    assert db_session.scalar(select(Team.id).where(Team.external_id == "R1")) is None


def test_a_break_whose_latest_start_runs_past_the_shift_is_kept_as_the_latest_that_fits(client, headers):
    instance = small_rules_instance()
    instance["carers"][0]["shifts"][1]["break"] = {"earliest": 660, "latest": 700, "duration": 30}
    assert client.post("/api/import/instance", json=instance, headers=headers["admin"]).status_code == 201
    exported = client.get("/api/export/instance", params={"team": "R1"}, headers=headers["admin"]).json()
    walker = next(c for c in exported["carers"] if c["id"] == "R1-c1")
    assert walker["shifts"][1]["break"] == {"earliest": 660, "latest": 690, "duration": 30}


@pytest.mark.shared
def test_team_m_rules_goes_in_and_comes_back_out_the_same(client, headers):
    instance = json.loads((INSTANCES / "team-m-rules.json").read_text())
    answer = client.post("/api/import/instance", json=instance, headers=headers["admin"])
    assert answer.status_code == 201, answer.text
    teams = sorted({t["id"] for t in instance["teams"]})
    exported = client.get("/api/export/instance", params=[("team", t) for t in teams],
                          headers=headers["admin"])
    assert exported.status_code == 200, exported.text
    assert comparable(exported.json()) == comparable(instance)


def _planned_and_exported(client, headers, db_session) -> tuple[dict[str, Any], dict[str, Any]]:
    """What a plan run does: the stored data as the planner's problem, solved, stored as a draft; then the
    instance and the plan as the app exports them."""
    from app.mapping import store_plan_version
    from solver.solve import solve
    from solver.types import SolveParams

    assert client.post("/api/import/instance", json=small_rules_instance(),
                       headers=headers["admin"]).status_code == 201
    team = db_session.scalar(select(Team).where(Team.external_id == "R1"))
    start, end = dt.date(2026, 3, 2), dt.date(2026, 3, 3)
    problem = build_problem(db_session, team_ids=[team.id], start=start, end=end)
    plan = solve(problem, SolveParams(time_limit=20, max_iterations=50, workers=1, seed=0))
    version = store_plan_version(db_session, team_ids=[team.id], start=start, end=end, plan=plan)
    db_session.commit()
    instance = client.get("/api/export/instance", params={"team": "R1"}, headers=headers["admin"]).json()
    exported = client.get(f"/api/plan-versions/{version.id}/export", headers=headers["admin"])
    assert exported.status_code == 200, exported.text
    return instance, exported.json()


def test_a_plan_made_from_the_stored_rules_keeps_them_and_passes_the_planners_check(
        client, headers, db_session):
    from tests.checks import own_verdict_docs

    instance, plan = _planned_and_exported(client, headers, db_session)
    violations, _figures = own_verdict_docs(instance, plan)
    assert violations == []
    placed = {v["id"] for v in plan["visits"]}
    assert "R1-p1-d00-morning" in placed and "R1-p1-d00-insulin" in placed  # spaced, both placed


@pytest.mark.shared
def test_a_plan_made_from_the_stored_rules_passes_the_teams_verifier(client, headers, db_session, tmp_path):
    instance, plan = _planned_and_exported(client, headers, db_session)
    (tmp_path / "instance.json").write_text(json.dumps(instance))
    (tmp_path / "plan.json").write_text(json.dumps(plan))
    verdict = subprocess.run([sys.executable, str(VERIFIER), str(tmp_path / "instance.json"),
                              str(tmp_path / "plan.json")], capture_output=True, text=True, timeout=120)
    assert verdict.returncode == 0, verdict.stdout + verdict.stderr
