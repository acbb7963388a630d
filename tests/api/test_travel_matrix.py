"""A team whose travel times come as a matrix (FORMAT.md `travel.matrix`, e.g. from a road-network
service) imports it, plans with those times, and exports the same matrix back."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import json
from typing import Any

import pytest
from sqlalchemy import func, select

from app.jobs.codec import merge_instances, split_by_team
from app.mapping import build_problem, store_plan_version
from exchange import parse_instance, problem_to_instance, to_problem
from models.core import Team, TravelLeg
from solver import solve
from solver.travel import Travel
from solver.types import Problem, SolveParams, TravelSpec
from tests.checks import own_verdict_docs
from tests.jobs.helpers import cut, multi_team
from tests.paths import generated_instance


def _with_matrix(doc: dict[str, Any]) -> dict[str, Any]:
    """The instance with a matrix where every trip takes twice as long as at its speed, plus 5
    minutes: roads that the straight line does not see (a plan timed by speed breaks it)."""
    out = copy.deepcopy(doc)
    points = {x["id"]: (x["lat"], x["lon"]) for key in ("teams", "citizens") for x in out[key]}
    by_speed = Travel(TravelSpec(speed_kmh=doc["travel"]["speed_kmh"],
                                 detour_factor=doc["travel"]["detour_factor"]), points)
    order = sorted(points, reverse=True)  # not the order the file lists the places in
    out["travel"]["matrix"] = {"points": order, "minutes": [
        [0 if a == b else 2 * by_speed.minutes(a, b) + 5 for b in order] for a in order]}
    return out


def _legs(doc: dict[str, Any]) -> dict[tuple[str, str], int]:
    m = doc["travel"]["matrix"]
    return {(a, b): minutes for a, row in zip(m["points"], m["minutes"], strict=True)
            for b, minutes in zip(m["points"], row, strict=True) if a != b}


@pytest.fixture(scope="module")
def small() -> dict[str, Any]:
    """A generated team's first five days with 8 citizens: planned in a few seconds."""
    return cut(json.loads(generated_instance().read_text()), days=5, citizens=8)


def test_a_travel_matrix_is_imported_and_exported_the_same(client, headers, small, db_session):
    doc = _with_matrix(small)
    answer = client.post("/api/import/instance", json=doc, headers=headers["admin"])
    assert answer.status_code == 201, answer.text
    places = 1 + len(doc["citizens"])
    assert answer.json()["created"]["travel_legs"] == places * (places - 1)
    exported = client.get("/api/export/instance", params={"team": "T1"}, headers=headers["admin"])
    assert exported.status_code == 200, exported.text
    assert _legs(exported.json()) == _legs(doc)
    assert exported.json()["travel"]["speed_kmh"] == doc["travel"]["speed_kmh"]


def test_the_plan_of_a_matrix_instance_keeps_to_the_matrix_times(
        client, headers, small, db_session):
    doc = _with_matrix(small)
    assert client.post("/api/import/instance", json=doc, headers=headers["admin"]).status_code == 201
    team = db_session.scalar(select(Team).where(Team.external_id == "T1"))
    start = dt.date.fromisoformat(doc["start_date"])
    end = start + dt.timedelta(days=doc["days"] - 1)
    problem = build_problem(db_session, team_ids=[team.id], start=start, end=end)
    plan = solve(problem, SolveParams(time_limit=60, seed=1, max_iterations=30))
    assert plan.assignments
    version = store_plan_version(db_session, team_ids=[team.id], start=start, end=end, plan=plan)
    db_session.flush()
    exported = client.get(f"/api/plan-versions/{version.id}/export", headers=headers["admin"])
    assert exported.status_code == 200, exported.text
    # Timed by the speed instead, its routes would leave too little time between visits here.
    assert own_verdict_docs(doc, exported.json())[0] == []


def test_a_citizen_added_after_the_import_travels_at_the_municipalitys_speed(
        client, headers, small, db_session, make):
    doc = _with_matrix(small)
    assert client.post("/api/import/instance", json=doc, headers=headers["admin"]).status_code == 201
    team = db_session.scalar(select(Team).where(Team.external_id == "T1"))
    newcomer = make.citizen(team, lat=doc["teams"][0]["lat"] + 0.01, lon=doc["teams"][0]["lon"])
    make.visit(newcomer, date=dt.date.fromisoformat(doc["start_date"]))
    start = dt.date.fromisoformat(doc["start_date"])
    problem = build_problem(db_session, team_ids=[team.id], start=start, end=start)
    travel = Travel.for_problem(problem)
    assert travel.minutes("T1", doc["citizens"][0]["id"]) == _legs(doc)[("T1", doc["citizens"][0]["id"])]
    at_speed = Travel.for_problem(_without_matrix(problem))
    assert travel.minutes("T1", newcomer.external_id) == at_speed.minutes("T1", newcomer.external_id) > 0


def _without_matrix(problem: Problem) -> Problem:
    return dataclasses.replace(problem, travel=dataclasses.replace(
        problem.travel, matrix_points=None, matrix_minutes=None))


def test_importing_the_file_again_without_a_matrix_goes_back_to_the_speed(client, headers, small, db_session):
    answer = client.post("/api/import/instance", json=_with_matrix(small), headers=headers["admin"])
    assert answer.status_code == 201
    assert db_session.scalar(select(func.count()).select_from(TravelLeg)) > 0
    assert client.post("/api/import/instance", json=small, headers=headers["admin"]).status_code == 201
    assert db_session.scalar(select(func.count()).select_from(TravelLeg)) == 0
    exported = client.get("/api/export/instance", params={"team": "T1"}, headers=headers["admin"]).json()
    assert "matrix" not in exported["travel"]


def test_a_matrix_missing_a_place_is_refused_with_its_path_and_stores_nothing(
        client, headers, small, db_session):
    doc = _with_matrix(small)
    m = doc["travel"]["matrix"]
    gone = m["points"].index(doc["citizens"][0]["id"])
    m["points"].pop(gone)
    m["minutes"] = [[x for j, x in enumerate(row) if j != gone]
                    for i, row in enumerate(m["minutes"]) if i != gone]
    answer = client.post("/api/import/instance", json=doc, headers=headers["admin"])
    assert answer.status_code == 422, answer.text
    assert any(e["path"] == "travel.matrix.points" for e in answer.json()["detail"])
    assert db_session.scalar(select(func.count()).select_from(TravelLeg)) == 0


def test_the_figures_of_a_job_split_by_team_keep_each_teams_matrix(small):
    """A job's parts travel by team; the figures of the whole plan are computed on the parts joined
    again, so that join must keep every part's matrix (it once fell back to the speed)."""
    doc = _with_matrix(multi_team(small, 2))
    problem = to_problem(parse_instance(doc))
    parts = [problem_to_instance(p) for _, p in split_by_team(problem)]
    merged = merge_instances(parts, "joined")
    legs = _legs(merged)
    assert all(legs[k] == v for k, v in _legs(doc).items() if k[0][0] == k[1][0])  # same team: A-/B-
