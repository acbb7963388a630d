"""A client written from /openapi.json meets only what it describes: every 4xx answer an operation can
give is listed with the one error body, errors from every layer have that body's shape, moments carry
their zone on SQLite as on PostgreSQL, and a date is only ever YYYY-MM-DD. (The fuzz in
test_no_server_errors.py checks the same over generated requests; these pin down what it found.)"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from app.api.errors import loc_of
from app.main import app
from models import core as m
from models.jobs import PlanJob

ERROR_BODY = {"$ref": "#/components/schemas/ErrorOut"}


def _operations() -> dict[tuple[str, str], dict]:
    return {(method.upper(), path): op for path, item in app.openapi()["paths"].items()
            for method, op in item.items()}


def test_every_refusal_an_operation_can_give_is_described_with_the_one_error_body():
    operations = _operations()
    for (method, path), op in operations.items():
        refusals = {code: r for code, r in op["responses"].items() if code[0] in "45"}
        for code, answer in refusals.items():
            assert answer["content"]["application/json"]["schema"] == ERROR_BODY, (method, path, code)
        if op.get("security"):
            assert "401" in refusals, (method, path)
    codes = {key: set(op["responses"]) for key, op in operations.items()}
    assert {"401", "403", "409", "422"} <= codes[("POST", "/api/teams")]  # admins only, unique ids
    assert {"401", "404", "422"} <= codes[("GET", "/api/teams/{team_id}")]
    assert "403" not in codes[("GET", "/api/teams/{team_id}")]  # every role reads its own teams
    assert "401" in codes[("POST", "/api/auth/token")]  # a wrong password
    assert {"404", "503"} <= codes[("POST", "/api/plan-jobs")]  # team ids in the body; the job queue
    assert "503" in codes[("POST", "/api/plans/{plan_id}/replans")]  # the planner, while the caller waits
    assert "403" in codes[("GET", "/api/export/instance")]  # auditors export no coordinates
    assert codes[("GET", "/health")] == {"200"}


def test_the_error_body_is_described_once_and_says_where_what_and_which_kind():
    schemas = app.openapi()["components"]["schemas"]
    assert set(schemas["ErrorItem"]["required"]) == {"loc", "msg", "type"}
    assert schemas["ErrorOut"]["required"] == ["detail"]


def test_a_file_error_reads_like_a_validation_error_with_its_json_path_as_location(client, headers):
    answer = client.post("/api/import/instance", headers=headers["admin"],
                         json={"format": "homecare-instance/1", "name": "x", "start_date": "2026-12-01",
                               "days": 7, "teams": [], "carers": [], "citizens": [],
                               "visits": [{"id": "v1"}]})
    assert answer.status_code == 422
    errors = answer.json()["detail"]
    assert errors and all({"loc", "msg", "type", "path"} <= set(e) for e in errors)
    first = next(e for e in errors if e["path"].startswith("visits[0]"))
    assert first["loc"][:2] == ["visits", 0] and first["type"] == "format"


def test_a_services_refusal_reads_like_a_validation_error_too(client, headers, team_a):
    answer = client.post("/api/carers", headers=headers["coordinator"],
                         json={"name": "New", "team_id": 2**31 - 1})
    assert answer.status_code == 422
    assert answer.json()["detail"] == [{"loc": ["team_id"], "path": "team_id", "type": "invalid",
                                        "msg": f"unknown team {2**31 - 1}"}]
    answer = client.post("/api/plan-jobs", headers=headers["coordinator"],
                         json={"team_ids": [2**31 - 1], "start": "2026-12-01", "end": "2026-12-07"})
    assert answer.status_code == 404
    assert answer.json()["detail"] == [{"loc": ["team_ids", "0"], "path": "team_ids.0", "type": "not_found",
                                        "msg": f"team {2**31 - 1} not found"}]


def test_a_dotted_path_becomes_a_location():
    assert loc_of("visits[3].carers[1]") == ["visits", 3, "carers", 1]
    assert loc_of("travel.matrix.points") == ["travel", "matrix", "points"]
    assert loc_of("") == []


def test_a_moment_reads_back_in_utc_with_its_zone_on_either_database(db_session, users):
    stockholm_noon = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    job = PlanJob(team_ids=[1], start_date=dt.date(2026, 12, 1), end_date=dt.date(2026, 12, 7),
                  time_limit=5, created_by_id=users["admin"].id, started_at=stockholm_noon)
    db_session.add(job)
    db_session.flush()
    db_session.expire(job)
    assert job.started_at == stockholm_noon
    assert job.started_at.utcoffset() == dt.timedelta(0)
    assert job.created_at.tzinfo is not None


def test_an_api_answer_sends_moments_with_their_offset(client, headers, team_a, queued_jobs):
    answer = client.post("/api/plan-jobs", headers=headers["coordinator"],
                         json={"team_ids": [team_a.id], "start": "2026-12-01", "end": "2026-12-02",
                               "time_limit": 1})
    assert answer.status_code == 202, answer.text
    created = dt.datetime.fromisoformat(answer.json()["created_at"])
    assert created.utcoffset() == dt.timedelta(0)


@pytest.mark.parametrize("written", ["0", "1733011200", "2026-12-1", "1.12.2026"])
def test_a_date_not_written_yyyy_mm_dd_is_refused_not_read_as_a_day_in_1970(client, headers, written):
    answer = client.get("/api/visits", params={"start": written}, headers=headers["coordinator"])
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["query", "start"]
    error = answer.json()["detail"][0]
    assert (error["type"], error["msg"]) == ("date_format", "a date is written YYYY-MM-DD")
    written_well = client.get("/api/visits", params={"start": "2026-12-01"}, headers=headers["coordinator"])
    assert written_well.status_code == 200


def test_a_carer_whose_first_day_is_a_number_is_refused_and_not_stored(client, headers, team_a, db_session):
    carers = db_session.scalar(select(func.count()).select_from(m.Carer))
    answer = client.post("/api/carers", headers=headers["coordinator"],
                         json={"name": "New", "team_id": team_a.id, "active_from": 0})
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["body", "active_from"]
    assert db_session.scalar(select(func.count()).select_from(m.Carer)) == carers
