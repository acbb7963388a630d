"""Bad input gets a clear 4xx, never a 500: every endpoint, fuzzed from the API's own description.

Schemathesis generates requests for every operation in /openapi.json (valid ones and ones that break
the schema: wrong types, huge numbers, odd text) and sends them, with a real login, to the app on a
database holding the demo municipality. The one property checked is the standard's: no answer is a
server error. What it found when it was added: ids beyond the database's integer (a 500 on every
`/{id}` path, on SQLite and PostgreSQL), a cap of 2**31 and a NUL character in text (PostgreSQL).
The regression tests below pin each of those down by hand.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis import checks
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.api.jobs import get_job_runner
from app.demo import seed_demo
from app.main import app
from models import core as m
from models.exchange import MAX_INT
from tests.conftest import auth_headers

pytestmark = pytest.mark.slow

SCHEMA = schemathesis.openapi.from_asgi("/openapi.json", app)


class _NoSolves:
    """Plan jobs are queued and never run: the fuzz is about answers, not about planning."""

    name = "inprocess"

    def check_available(self) -> None:
        pass

    def submit(self, job_id: int) -> None:
        pass

    def cancel(self, job_id: int, task_ids: list[str]) -> None:
        pass

    def shutdown(self) -> None:
        pass


@pytest.fixture
def no_solves() -> Iterator[None]:
    app.dependency_overrides[get_job_runner] = _NoSolves
    try:
        yield
    finally:
        app.dependency_overrides.pop(get_job_runner, None)


@pytest.fixture(params=["admin", "coordinator"])
def demo_login(request: pytest.FixtureRequest, client: TestClient, db_session: Session,
               no_solves: None) -> dict[str, str]:
    """The demo municipality, and the bearer header of its admin or of a coordinator of two teams."""
    seed_demo(db_session)
    db_session.commit()
    user = db_session.scalar(select(m.User).where(m.User.username == request.param))
    assert user is not None
    return auth_headers(user)


@SCHEMA.parametrize()
@settings(max_examples=10, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))
def test_whatever_a_logged_in_user_sends_the_api_answers_without_a_server_error(
        case: Any, demo_login: dict[str, str]) -> None:
    case.headers = {**(case.headers or {}), **demo_login}
    case.call_and_validate(checks=[checks.not_a_server_error])


# --- what the fuzz found, pinned down ---------------------------------------------------------


def test_an_id_beyond_the_databases_integers_is_a_422_at_the_parameter_that_carries_it(client, headers):
    too_big = MAX_INT + 1
    answer = client.get(f"/api/teams/{too_big}", headers=headers["admin"])
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["path", "team_id"]

    answer = client.get("/api/visits", params={"team_id": 2**63}, headers=headers["admin"])
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["query", "team_id", 0]

    answer = client.post("/api/plan-jobs", headers=headers["coordinator"],
                         json={"team_ids": [too_big], "start": "2026-12-01", "end": "2026-12-07"})
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["body", "team_ids", 0]

    # The largest id the database holds is still just "not found".
    assert client.get(f"/api/teams/{MAX_INT}", headers=headers["admin"]).status_code == 404


def test_a_monthly_cap_beyond_the_databases_integers_is_refused_and_no_team_is_stored(
        client, headers, db_session):
    teams_before = db_session.scalar(select(func.count()).select_from(m.Team))
    answer = client.post("/api/teams", headers=headers["admin"],
                         json={"external_id": "T-norr", "name": "Norr", "lat": 62.4, "lon": 17.3,
                               "max_carers_per_month": MAX_INT + 1})
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["body", "max_carers_per_month"]
    assert db_session.scalar(select(func.count()).select_from(m.Team)) == teams_before


def test_text_postgresql_cannot_store_is_a_422_and_nothing_is_stored(client, headers, db_session, backend):
    if backend != "postgres":
        pytest.skip("SQLite stores a NUL character; PostgreSQL refuses it in text")
    teams_before = db_session.scalar(select(func.count()).select_from(m.Team))
    answer = client.post("/api/teams", headers=headers["admin"],
                         json={"external_id": "T-norr", "name": "Norr\u0000", "lat": 62.4, "lon": 17.3})
    assert answer.status_code == 422
    assert "cannot store" in answer.json()["detail"]
    assert db_session.scalar(select(func.count()).select_from(m.Team)) == teams_before

    login = client.post("/api/auth/token", data={"username": "admin\u0000", "password": "x"})
    assert login.status_code == 422


def test_every_api_endpoint_turns_a_request_without_a_token_away_with_401(client, users):
    """Every operation that declares the bearer login refuses a caller without one, before any work."""
    operations = [(method, path) for path, item in app.openapi()["paths"].items()
                  for method, op in item.items() if op.get("security")]
    assert len(operations) > 70  # the whole API, not a sample
    refused = {}
    for method, path in operations:
        url = path.replace("{", "").replace("}", "")  # any id will do: auth comes first
        url = "/".join("1" if part.endswith("_id") else part for part in url.split("/"))
        refused[(method, path)] = client.request(method.upper(), url, json={}).status_code
    assert {op: code for op, code in refused.items() if code != 401} == {}


# --- the last admin ---------------------------------------------------------------------------


def test_the_last_active_admin_can_be_neither_deleted_nor_demoted_nor_deactivated(client, users, headers):
    admin = users["admin"]
    for answer in (
        client.delete(f"/api/users/{admin.id}", headers=headers["admin"]),
        client.patch(f"/api/users/{admin.id}", json={"role": "coordinator"}, headers=headers["admin"]),
        client.patch(f"/api/users/{admin.id}", json={"is_active": False}, headers=headers["admin"]),
    ):
        assert answer.status_code == 409
        assert "last active admin" in answer.text
    assert client.get("/api/me", headers=headers["admin"]).json()["role"] == "admin"


def test_with_a_second_admin_the_first_can_step_down(client, users, headers, make):
    second = make.user(m.ROLE_ADMIN, [], username="admin-two")
    first = users["admin"]
    answer = client.patch(f"/api/users/{first.id}", json={"role": "coordinator"}, headers=headers["admin"])
    assert answer.status_code == 200 and answer.json()["role"] == "coordinator"
    # Now the second is the last one.
    answer = client.delete(f"/api/users/{second.id}", headers=auth_headers(second))
    assert answer.status_code == 409
