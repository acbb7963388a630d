"""The database goes away in the middle of the working day (a restart, a network fault): every request
meanwhile answers 503 with Retry-After at once, never a 500 or a hang; once it is back the service
works again by itself within seconds; nothing the planner acknowledged is lost.

PostgreSQL is reached through a proxy the test cuts, so the shared server itself is never stopped."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import URL, create_engine, event
from sqlalchemy.orm import Session

from app.db import get_engine
from app.migrate import upgrade_head
from app.security import SESSION_COOKIE, hash_password
from bench.tcp_proxy import TcpProxy
from models.core import ROLE_ADMIN, User
from tests.ops.conftest import STRONG_KEY, forget_settings, postgres_schema

pytestmark = pytest.mark.postgres
PASSWORD = "tallbarr-kaffe-indalsälven"


@pytest.fixture
def through_proxy(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[TestClient, TcpProxy]]:
    with postgres_schema("outage") as (url, schema):
        yield from _serve_through_proxy(monkeypatch, url, schema)


def _serve_through_proxy(monkeypatch: pytest.MonkeyPatch, url: URL,
                         schema: str) -> Iterator[tuple[TestClient, TcpProxy]]:
    engine = create_engine(url, connect_args={"options": f"-csearch_path={schema}"})
    upgrade_head(engine)
    with Session(engine) as session:
        session.add(User(username="it-admin", password_hash=hash_password(PASSWORD), role=ROLE_ADMIN))
        session.commit()
    engine.dispose()
    proxy = TcpProxy((url.host or "127.0.0.1", url.port or 5432))
    proxy.up()
    proxied = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    monkeypatch.setenv("DATABASE_URL", f"{proxied}?options={quote(f'-csearch_path={schema}')}")
    monkeypatch.setenv("SECRET_KEY", STRONG_KEY)
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    forget_settings()
    from app.main import create_app

    try:
        with TestClient(create_app()) as client:
            yield client, proxy
    finally:
        proxy.down()
        forget_settings()


def test_an_outage_answers_503_with_retry_after_and_the_service_comes_back_by_itself(
        through_proxy: tuple[TestClient, TcpProxy]) -> None:
    client, proxy = through_proxy
    token = client.post("/api/auth/token", data={"username": "it-admin", "password": PASSWORD}).json()
    bearer = {"Authorization": f"Bearer {token['access_token']}"}
    saved = [client.post("/api/teams", headers=bearer, json={"external_id": f"T{i}", "name": f"Team {i}",
                                                             "lat": 62.39, "lon": 17.30})
             for i in range(3)]
    assert [r.status_code for r in saved] == [201, 201, 201]

    proxy.down()
    asked = time.monotonic()
    during = [client.get("/api/teams", headers=bearer),
              client.post("/api/teams", headers=bearer, json={"external_id": "T9", "name": "Lost",
                                                              "lat": 62.39, "lon": 17.30})]
    client.cookies.set(SESSION_COOKIE, token["access_token"])
    page = client.get("/teams")
    assert time.monotonic() - asked < 30  # answered, not hung (the connect timeout is 5 s)
    for answer in [*during, page]:
        assert answer.status_code == 503 and answer.headers["Retry-After"] == "5"
    assert "Försök igen om en stund" in page.text  # Swedish by default
    assert "not reachable" in during[0].json()["detail"]

    proxy.up()
    back = time.monotonic()
    while client.get("/api/teams", headers=bearer).status_code != 200:
        assert time.monotonic() - back < 10, "not recovered within 10 s of the database coming back"
        time.sleep(0.2)
    names = [t["name"] for t in client.get("/api/teams", headers=bearer).json()["items"]]
    assert names == ["Team 0", "Team 1", "Team 2"]  # every acknowledged write is there, the refused one not


@contextmanager
def database_gone(proxy: TcpProxy, *, at_statement: int | None = None,
                  at_commit: bool = False) -> Iterator[None]:
    """The database goes away in the middle of the next request: as its `at_statement`-th statement (the
    first is reading the logged-in user) goes out, or as its transaction commits, after the endpoint
    has answered. It is back when the block ends."""
    engine = get_engine()
    seen = [0]

    def statement(*_args: object, **_kw: object) -> None:
        seen[0] += 1
        if seen[0] == at_statement:
            proxy.down()

    def commit(_conn: object) -> None:
        proxy.down()

    event.listen(engine, "before_cursor_execute", statement)
    if at_commit:
        event.listen(engine, "commit", commit)
    try:
        yield
    finally:
        event.remove(engine, "before_cursor_execute", statement)
        if at_commit:
            event.remove(engine, "commit", commit)
        proxy.up()


def _answers_503(answer: Any, *, page: bool) -> None:  # the test client's response
    assert answer.status_code == 503, answer.text[:300]
    assert answer.headers["Retry-After"] == "5"
    if page:  # a browser gets a page in the user's language, not the API's JSON
        assert answer.headers["content-type"].startswith("text/html")
        assert "Försök igen om en stund" in answer.text
    else:
        assert "not reachable" in answer.json()["detail"]


def _working_again(client: TestClient, bearer: dict[str, str]) -> None:
    back = time.monotonic()
    while client.get("/api/teams", headers=bearer).status_code != 200:
        assert time.monotonic() - back < 10, "not recovered within 10 s of the database coming back"
        time.sleep(0.2)


READS = [  # (address, a page?) : an API read, a page, and a read of a citizen (written to the access log)
    pytest.param("/api/teams", False, id="api-read"),
    pytest.param("/teams", True, id="page"),
    pytest.param("/api/citizens/{citizen}", False, id="logged-api-read"),
    pytest.param("/citizens/{citizen}", True, id="logged-page"),
]


def _team_with_a_citizen(client: TestClient) -> tuple[dict[str, str], int]:
    token = client.post("/api/auth/token", data={"username": "it-admin", "password": PASSWORD}).json()
    bearer = {"Authorization": f"Bearer {token['access_token']}"}
    team = client.post("/api/teams", headers=bearer, json={"external_id": "T1", "name": "Centrum",
                                                           "lat": 62.39, "lon": 17.30}).json()
    citizen = client.post("/api/citizens", headers=bearer, json={
        "team_id": team["id"], "name": "Astrid Lundgren", "lat": 62.39, "lon": 17.31}).json()
    client.cookies.set(SESSION_COOKIE, token["access_token"])
    return bearer, citizen["id"]


@pytest.mark.parametrize(("address", "page"), READS)
def test_a_read_the_database_leaves_halfway_answers_503_never_500(
        through_proxy: tuple[TestClient, TcpProxy], address: str, page: bool) -> None:
    client, proxy = through_proxy
    bearer, citizen = _team_with_a_citizen(client)
    with database_gone(proxy, at_statement=2):
        answer = client.get(address.format(citizen=citizen), headers=None if page else bearer)
    _answers_503(answer, page=page)
    _working_again(client, bearer)
    assert client.get(address.format(citizen=citizen), headers=None if page else bearer).status_code == 200


@pytest.mark.parametrize(("address", "page"), [p for p in READS if "citizen" in str(p.values[0])])
def test_a_logged_read_whose_commit_fails_answers_503_and_leaves_no_log_row(
        through_proxy: tuple[TestClient, TcpProxy], address: str, page: bool) -> None:
    client, proxy = through_proxy
    bearer, citizen = _team_with_a_citizen(client)
    with database_gone(proxy, at_commit=True):
        answer = client.get(address.format(citizen=citizen), headers=None if page else bearer)
    _answers_503(answer, page=page)
    _working_again(client, bearer)
    log = client.get("/api/access-log", headers=bearer, params={"citizen_id": citizen}).json()
    assert log["items"] == []  # the read that was refused is not in the log; the others were not of her
