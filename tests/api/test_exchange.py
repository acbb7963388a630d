"""Import and export in the exchange format: the same data comes back, a broken file stores nothing."""

from __future__ import annotations

import copy
import json
import uuid
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from sqlalchemy import delete, func, select

from exchange import parse_instance
from models.core import (
    ROLE_ADMIN,
    ROLE_COORDINATOR,
    Carer,
    Citizen,
    InstanceImport,
    Plan,
    PlanVersion,
    Shift,
    Team,
    TravelLeg,
    Visit,
    citizen_avoid_carers,
)
from tests.checks import own_verdict_files
from tests.conftest import auth_headers
from tests.paths import generated_instance
from tests.solver.test_any_instance import edited_instances


@pytest.fixture(scope="module")
def team_s() -> dict:
    return json.loads(generated_instance().read_text())


def _as_sets(doc: dict) -> dict:
    def freeze(x):
        if isinstance(x, dict):
            return tuple(sorted((k, freeze(v)) for k, v in x.items()))
        if isinstance(x, list):
            return tuple(sorted((freeze(v) for v in x), key=repr))
        return x

    out = {k: doc[k] for k in ("format", "name", "start_date", "days", "max_carers_per_month")}
    out["travel"] = freeze(doc["travel"])
    for key in ("teams", "carers", "citizens", "visits"):
        rows = []
        for row in doc[key]:
            row = dict(row)
            row.setdefault("avoid", []) if key == "citizens" else None
            rows.append(freeze(row))
        out[key] = set(rows)
    return out


def test_exporting_what_was_imported_gives_the_same_instance_back(client, headers, team_s):
    answer = client.post("/api/import/instance", json=team_s, headers=headers["admin"])
    assert answer.status_code == 201, answer.text
    assert answer.json()["created"]["visits"] == len(team_s["visits"])
    exported = client.get("/api/export/instance", params={"team": "T1"}, headers=headers["admin"])
    assert exported.status_code == 200, exported.text
    assert _as_sets(exported.json()) == _as_sets(team_s)


def test_importing_the_same_file_twice_changes_nothing(client, headers, team_s, db_session):
    assert client.post("/api/import/instance", json=team_s, headers=headers["admin"]).status_code == 201
    counts = [
        db_session.scalar(select(func.count()).select_from(m)) for m in (Team, Carer, Shift, Citizen, Visit)
    ]
    again = client.post("/api/import/instance", json=team_s, headers=headers["admin"])
    assert again.status_code == 201
    assert again.json()["created"]["visits"] == 0
    assert again.json()["updated"]["visits"] == len(team_s["visits"])
    assert [
        db_session.scalar(select(func.count()).select_from(m)) for m in (Team, Carer, Shift, Citizen, Visit)
    ] == counts


@pytest.mark.parametrize(
    ("breakage", "path"),
    [
        (lambda d: d["visits"][500].__setitem__("carers", 3), "visits[500].carers"),
        (lambda d: d["visits"][17].__setitem__("citizen", "T1-p999"), "visits[17].citizen"),
        (lambda d: d["carers"][2]["shifts"][0].__setitem__("end", 100), "carers[2].shifts[0]"),
        (lambda d: d["visits"][3].__setitem__("id", d["visits"][4]["id"]), "visits[3].id"),
        (lambda d: d["visits"][9].__setitem__("earliest", "early"), "visits[9].earliest"),
        (lambda d: d["visits"][690].update(earliest=1400, latest=1430, duration=90), "visits[690]"),
        # An id becomes a new carer's or citizen's name: no control character gets in that way either.
        (lambda d: d["citizens"][5].__setitem__("id", "T1-p\u0000"), "citizens[5].id"),
    ],
)
def test_a_file_with_one_broken_row_stores_nothing_and_says_where(
    client, headers, team_s, db_session, breakage, path
):
    broken = copy.deepcopy(team_s)
    breakage(broken)
    before = db_session.scalar(select(func.count()).select_from(Visit))
    answer = client.post("/api/import/instance", json=broken, headers=headers["admin"])
    assert answer.status_code == 422, answer.text
    assert any(e["path"].startswith(path) for e in answer.json()["detail"]), answer.json()
    assert db_session.scalar(select(func.count()).select_from(Visit)) == before
    assert db_session.scalar(select(Team).where(Team.external_id == "T1")) is None


def test_an_import_that_fails_late_leaves_no_trace(client, headers, team_s, db_session, make, team_b):
    # The visit id exists already for another citizen: detected after teams/carers were written.
    other = make.citizen(team_b)
    make.visit(other, external_id=team_s["visits"][-1]["id"])
    answer = client.post("/api/import/instance", json=team_s, headers=headers["admin"])
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["path"] == f"visits[{len(team_s['visits']) - 1}].citizen"
    assert db_session.scalar(select(Team).where(Team.external_id == "T1")) is None
    assert db_session.scalar(select(func.count()).select_from(Carer)) == 0


def test_a_plan_round_trips_and_passes_the_planners_final_check(client, headers, team_s, tmp_path):
    assert client.post("/api/import/instance", json=team_s, headers=headers["admin"]).status_code == 201
    visits = team_s["visits"]
    # a trivially feasible plan: one visit at the end of its window, by a carer with time to get there
    # and back, and every other visit with a reason
    plan: dict[str, Any] = {
        "format": "homecare-plan/1",
        "instance": team_s["name"],
        "visits": [],
        "unassigned": [{"id": v["id"], "reason": "not planned yet"} for v in visits],
    }
    first = visits[0]
    carer = next(
        c
        for c in team_s["carers"]
        if any(s["day"] == first["day"] and s["start"] + 30 <= first["latest"]
               and first["latest"] + first["duration"] + 30 <= s["end"] for s in c["shifts"])
        and set(first["skills"]) <= set(c["skills"])
    )
    if first["carers"] == 1:
        plan["unassigned"] = plan["unassigned"][1:]
        plan["visits"] = [{"id": first["id"], "carers": [carer["id"]], "start": first["latest"]}]
    stored = client.post("/api/import/plan", json=plan, headers=headers["admin"])
    assert stored.status_code == 201, stored.text
    exported = client.get(f"/api/plan-versions/{stored.json()['id']}/export", headers=headers["admin"]).json()
    assert exported["instance"] == team_s["name"]
    assert {v["id"] for v in exported["visits"]} == {v["id"] for v in plan["visits"]}
    assert len(exported["visits"]) + len(exported["unassigned"]) == len(visits)
    inst = client.get("/api/export/instance", params={"team": "T1"}, headers=headers["admin"]).json()
    (tmp_path / "i.json").write_text(json.dumps(inst))
    (tmp_path / "p.json").write_text(json.dumps(exported))
    assert own_verdict_files(tmp_path / "i.json", tmp_path / "p.json")[0] == []


def test_a_plan_naming_an_unknown_visit_is_refused_with_its_path(client, headers, team_s):
    client.post("/api/import/instance", json=team_s, headers=headers["admin"])
    plan: dict[str, Any] = {
        "format": "homecare-plan/1",
        "instance": team_s["name"],
        "visits": [{"id": "nope", "carers": ["T1-c01"], "start": 500}],
        "unassigned": [],
    }
    answer = client.post("/api/import/plan", json=plan, headers=headers["admin"])
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["path"] == "visits[0].id"


def _one_day_of_team_a(name: str) -> dict[str, Any]:
    return {"format": "homecare-instance/1", "name": name, "start_date": "2026-12-14", "days": 1,
            "teams": [{"id": "TA", "lat": 62.39, "lon": 17.30}], "carers": [], "citizens": [], "visits": []}


def test_a_coordinator_cannot_start_a_plan_for_another_team_by_naming_its_import(
        client, headers, make, team_a, team_b, db_session):
    imported = client.post("/api/import/instance", json=_one_day_of_team_a("probe-centrum-inst"),
                           headers=headers["coordinator"])
    assert imported.status_code == 201, imported.text
    team_b_coordinator = auth_headers(make.user(ROLE_COORDINATOR, [team_b], username="coord-b"))
    plan = {"format": "homecare-plan/1", "instance": "probe-centrum-inst", "visits": []}

    answer = client.post("/api/import/plan", json=plan, headers=team_b_coordinator)

    assert answer.status_code == 422, answer.text
    assert answer.json()["detail"][0]["loc"] == ["instance"]
    assert "unknown instance 'probe-centrum-inst'" in answer.json()["detail"][0]["msg"]
    assert db_session.scalar(select(func.count()).select_from(Plan)) == 0
    assert db_session.scalar(select(func.count()).select_from(PlanVersion)) == 0
    # Team A's own coordinator plans on it as before.
    own = client.post("/api/import/plan", json=plan, headers=headers["coordinator"])
    assert own.status_code == 201, own.text


def test_a_coordinators_instance_file_cannot_change_the_municipalitys_travel_settings(
        client, headers, team_a, db_session):
    coordinator = headers["coordinator"]
    before = client.get("/api/municipality", headers=coordinator).json()
    modes_before = client.get("/api/municipality/travel-modes", headers=coordinator).json()
    walk = next(m for m in modes_before if m["name"] == "walk")
    slow = {**_one_day_of_team_a("slow-travel"), "travel": {
        "speed_kmh": 1.0, "detour_factor": 5.0,
        "modes": {"walk": {"speed_kmh": 0.5, "detour_factor": walk["detour_factor"]},
                  "skates": {"speed_kmh": 9.0, "detour_factor": 1.3}}}}

    answer = client.post("/api/import/instance", json=slow, headers=coordinator)

    assert answer.status_code == 403, answer.text
    assert {tuple(e["loc"]) for e in answer.json()["detail"]} == {
        ("travel", "speed_kmh"), ("travel", "detour_factor"), ("travel", "modes", "walk", "speed_kmh"),
        ("travel", "modes", "skates")}
    assert all("only an admin" in e["msg"] for e in answer.json()["detail"])
    assert client.get("/api/municipality", headers=coordinator).json() == before
    assert client.get("/api/municipality/travel-modes", headers=coordinator).json() == modes_before
    assert db_session.scalar(select(func.count()).select_from(InstanceImport)) == 0
    # A file repeating the municipality's own travel is the team's to import; an admin's may change it.
    same = {**_one_day_of_team_a("same-travel"), "travel": {
        "speed_kmh": before["travel_speed_kmh"], "detour_factor": before["travel_detour_factor"],
        "modes": {"walk": {"speed_kmh": walk["speed_kmh"], "detour_factor": walk["detour_factor"]}}}}
    assert client.post("/api/import/instance", json=same, headers=coordinator).status_code == 201
    assert client.post("/api/import/instance", json=slow, headers=headers["admin"]).status_code == 201
    after = client.get("/api/municipality", headers=coordinator).json()
    assert (after["travel_speed_kmh"], after["travel_detour_factor"]) == (1.0, 5.0)


def two_days_with_a_carer_on_the_first() -> dict[str, Any]:
    visit = {"citizen": "TA-p1", "need": "morning", "earliest": 420, "latest": 540, "duration": 30,
             "carers": 1, "skills": []}
    return {**_one_day_of_team_a("two-days"), "days": 2,
            "carers": [{"id": "TA-c1", "team": "TA", "skills": [],
                        "shifts": [{"day": 0, "start": 420, "end": 930}]}],
            "citizens": [{"id": "TA-p1", "team": "TA", "lat": 62.40, "lon": 17.31}],
            "visits": [{**visit, "id": "TA-p1-d0", "day": 0}, {**visit, "id": "TA-p1-d1", "day": 1}]}


def test_a_plan_file_breaking_the_planners_rules_is_refused_naming_each_rule_and_visit(
        client, headers, team_a, db_session):
    instance = two_days_with_a_carer_on_the_first()
    imported = client.post("/api/import/instance", json=instance, headers=headers["coordinator"])
    assert imported.status_code == 201, imported.text
    plan = {"format": "homecare-plan/1", "instance": instance["name"], "visits": [
        {"id": "TA-p1-d0", "carers": ["TA-c1"], "start": 1439},  # far outside its 07:00-09:00 window
        {"id": "TA-p1-d1", "carers": ["TA-c1"], "start": 480}]}  # a day the carer has no shift

    answer = client.post("/api/import/plan", json=plan, headers=headers["coordinator"])

    assert answer.status_code == 422, answer.text
    assert [(e["rule"], e["visit"], e["loc"]) for e in answer.json()["detail"]] == [
        ("window", "TA-p1-d0", ["visits", 0, "start"]), ("shift", "TA-p1-d1", ["visits", 1, "carers"])]
    assert db_session.scalar(select(func.count()).select_from(PlanVersion)) == 0
    # The same visits where the rules allow them make a draft.
    plan["visits"] = [{"id": "TA-p1-d0", "carers": ["TA-c1"], "start": 480}]
    plan["unassigned"] = [{"id": "TA-p1-d1", "reason": "no carer on shift"}]
    stored = client.post("/api/import/plan", json=plan, headers=headers["coordinator"])
    assert stored.status_code == 201, stored.text


# --- any edited instance, through the API -----------------------------------------------------

IMPORTED_TABLES = (Visit, Shift, Citizen, Carer, Team)


def _stored(db_session) -> list[int]:
    return [db_session.scalar(select(func.count()).select_from(m)) for m in (*IMPORTED_TABLES, TravelLeg)]


def _forget_the_import(db_session) -> None:
    """Each drawn file meets an empty municipality, as a first import would."""
    db_session.execute(delete(citizen_avoid_carers))
    db_session.execute(delete(TravelLeg))
    db_session.execute(delete(InstanceImport))
    for model in IMPORTED_TABLES:
        db_session.execute(delete(model))
    db_session.commit()


@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
@given(doc=edited_instances())
def test_any_edited_instance_is_imported_whole_or_refused_saying_where_with_nothing_stored(
        client, make, db_session, doc):
    """The planner's property (tests/solver/test_any_instance.py) through the database: a file a hand
    or a script has edited is stored whole and exports back, or answers 422 naming the place, with
    nothing stored. Never a 500."""
    admin = auth_headers(make.user(ROLE_ADMIN, [], username=f"admin-{uuid.uuid4().hex[:6]}"))
    before = _stored(db_session)
    # As Python writes it: NaN and Infinity included, which a strict JSON client would not send.
    answer = client.post("/api/import/instance", content=json.dumps(doc),
                         headers={**admin, "Content-Type": "application/json"})
    try:
        if answer.status_code == 422:
            event("refused")
            assert answer.json()["detail"] and all(e["path"] and e["msg"] for e in answer.json()["detail"])
            assert _stored(db_session) == before
            return
        assert answer.status_code == 201, answer.text
        event("imported")
        parsed = parse_instance(doc)
        exported = client.get("/api/export/instance", params={"team": [t.id for t in parsed.teams]},
                              headers=admin)
        assert exported.status_code == 200, exported.text
        back = parse_instance(exported.json())
        assert {v.id for v in back.visits} == {v.id for v in parsed.visits}
        assert {c.id: (sorted(set(c.skills)), sorted(c.shifts, key=repr)) for c in back.carers} == \
            {c.id: (sorted(set(c.skills)), sorted(c.shifts, key=repr)) for c in parsed.carers}
        assert {p.id: (p.contact, set(p.avoid)) for p in back.citizens} == \
            {p.id: (p.contact, set(p.avoid)) for p in parsed.citizens}
    finally:
        _forget_the_import(db_session)
