"""What the municipality's monitoring sees: `/health` (alive) and `/health/ready` (can work) with the
version, Prometheus metrics for the monitoring system only, log lines that each carry their request's id
and nothing personal, and the pages' moments in the municipality's time zone."""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.db import get_session, make_engine
from app.main import app
from app.ops.logs import RequestIdFilter, logging_config
from app.security import SESSION_COOKIE, create_access_token
from app.settings import get_settings
from app.version import __version__
from models.jobs import JOB_QUEUED, JOB_SUCCEEDED, RUNNER_CELERY, PlanJob, PlanJobPart
from tests.ops.conftest import PREVIOUS_REVISION, Setting, migrate_to

CITIZEN_NAME = "Astrid Lindqvistsson"
CITIZEN_ADDRESS = "Hemliga vägen 7, Sundsvall"
UTC = dt.UTC


def _metric(body: str, name: str, **labels: str) -> float | None:
    """The sample of `name` with exactly these labels (in any order) in a Prometheus text answer."""
    for line in body.splitlines():
        found = re.fullmatch(r"([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)", line)
        if found is None or found.group(1) != name:
            continue
        have = dict(re.findall(r'(\w+)="([^"]*)"', found.group(2) or ""))
        if have == labels:
            return float(found.group(3))
    return None


# --- health -----------------------------------------------------------------------------------------


def test_health_says_alive_with_the_version_and_ready_checks_the_database_and_schema(client) -> None:
    assert client.get("/health").json() == {"status": "ok", "version": __version__}
    ready = client.get("/health/ready")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready", "version": __version__,
                            "checks": {"database": "ok", "schema": "ok"}}


def test_ready_answers_503_naming_the_schema_when_it_is_behind(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    migrate_to(path, PREVIOUS_REVISION)
    engine = make_engine(f"sqlite:///{path}")

    def old_database() -> Iterator[Session]:
        with Session(engine) as session:
            yield session

    app.dependency_overrides[get_session] = old_database
    try:
        with TestClient(app) as c:
            answer = c.get("/health/ready")
    finally:
        app.dependency_overrides.pop(get_session, None)
        engine.dispose()
    assert answer.status_code == 503
    body = answer.json()
    assert body["status"] == "not ready" and body["version"] == __version__
    assert body["checks"]["schema"] == "behind: run `homecare migrate`"
    assert body["detail"] == [{"loc": ["checks", "schema"], "msg": "behind: run `homecare migrate`",
                               "type": "not_ready"}]


def test_ready_with_a_job_queue_but_no_worker_on_it_answers_503(client, setting: Setting) -> None:
    import os

    import redis

    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except Exception as e:  # noqa: BLE001
        pytest.skip(f"Redis unreachable at {url} ({type(e).__name__})")
    setting(celery_broker_url=url, celery_queue_prefix="hc-nobody-listens")
    answer = client.get("/health/ready")
    assert answer.status_code == 503
    checks = answer.json()["checks"]
    assert checks["broker"] == "ok" and checks["workers"].startswith("no worker consumes hc-nobody-listens.")


def test_ready_with_the_broker_down_answers_503_without_naming_its_address(client, setting: Setting) -> None:
    setting(celery_broker_url="redis://:hunter2@127.0.0.1:1/0")
    answer = client.get("/health/ready")
    assert answer.status_code == 503 and answer.json()["checks"]["broker"] == "does not answer"
    assert "hunter2" not in answer.text and "127.0.0.1" not in answer.text


# --- metrics ------------------------------------------------------------------------------------------


def test_metrics_count_a_request_by_its_route_and_are_for_admins_only(client, headers, team_a) -> None:
    route = "/api/teams/{team_id}"
    before = _metric(client.get("/metrics", headers=headers["admin"]).text, "homecare_http_requests_total",
                     method="GET", route=route, status="200") or 0.0

    assert client.get(f"/api/teams/{team_a.id}", headers=headers["coordinator"]).status_code == 200

    body = client.get("/metrics", headers=headers["admin"]).text
    after = _metric(body, "homecare_http_requests_total", method="GET", route=route, status="200")
    assert after == before + 1
    assert _metric(body, "homecare_http_request_duration_seconds_count", method="GET", route=route)
    assert str(team_a.id) not in re.findall(r'route="([^"]*)"', body)  # patterns, never ids
    assert _metric(body, "homecare_build_info", version=__version__) == 1.0
    assert client.get("/metrics").status_code == 403
    assert client.get("/metrics", headers=headers["coordinator"]).status_code == 403


def test_the_monitoring_server_s_address_reads_metrics_without_a_login(db_session, setting: Setting) -> None:
    setting(metrics_allowed_ips='["10.1.2.0/24"]')

    def session() -> Iterator[Session]:
        yield db_session

    app.dependency_overrides[get_session] = session
    try:
        with TestClient(app, client=("10.1.2.3", 40000)) as prometheus, \
                TestClient(app, client=("10.9.9.9", 40000)) as stranger:
            assert prometheus.get("/metrics").status_code == 200
            assert stranger.get("/metrics").status_code == 403
    finally:
        app.dependency_overrides.pop(get_session, None)


def test_metrics_show_plan_jobs_by_state_and_how_long_finished_ones_ran(client, db_session, headers,
                                                                        users, team_a) -> None:
    start = dt.datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    for status, seconds in ((JOB_SUCCEEDED, 90), (JOB_SUCCEEDED, 1000), (JOB_QUEUED, None)):
        job = PlanJob(team_ids=[team_a.id], start_date=dt.date(2026, 12, 1), end_date=dt.date(2026, 12, 7),
                      time_limit=60, status=status, runner=RUNNER_CELERY, created_by_id=users["admin"].id,
                      started_at=start if seconds else None,
                      finished_at=start + dt.timedelta(seconds=seconds) if seconds else None)
        db_session.add(job)
        db_session.flush()
        db_session.add(PlanJobPart(job_id=job.id, seq=0, team_id=team_a.id))
    db_session.flush()

    body = client.get("/metrics", headers=headers["admin"]).text

    assert _metric(body, "homecare_plan_jobs", kind="plan", state="succeeded") == 2
    assert _metric(body, "homecare_plan_jobs", kind="plan", state="queued") == 1
    assert _metric(body, "homecare_plan_jobs", kind="plan", state="failed") == 0
    hist = "homecare_plan_job_duration_seconds"
    assert _metric(body, f"{hist}_bucket", kind="plan", state="succeeded", le="60.0") == 0
    assert _metric(body, f"{hist}_bucket", kind="plan", state="succeeded", le="120.0") == 1
    assert _metric(body, f"{hist}_bucket", kind="plan", state="succeeded", le="1200.0") == 2
    assert _metric(body, f"{hist}_count", kind="plan", state="succeeded") == 2
    assert _metric(body, f"{hist}_sum", kind="plan", state="succeeded") == pytest.approx(1090, abs=0.01)


def test_metrics_show_how_long_a_coordinator_s_re_plan_took(client, headers, db_session, users,
                                                            team_a) -> None:
    from tests.replan.db_helpers import busiest_carer, planned_team

    def seen(body: str) -> tuple[float, float]:
        return (_metric(body, "homecare_replan_duration_seconds_count", outcome="ok") or 0.0,
                _metric(body, "homecare_replan_duration_seconds_sum", outcome="ok") or 0.0)

    planned = planned_team(db_session, users["coordinator"], team=team_a, days=3)
    sick = busiest_carer(planned.problem, day=1)
    pid = planned.plan.id
    assert client.post(f"/api/plans/{pid}/adjustments", headers=headers["coordinator"], json={"changes": [
        {"type": "carer_absent", "carer": sick, "from_day": 1, "to_day": 1}]}).status_code == 201
    count, total = seen(client.get("/metrics", headers=headers["admin"]).text)

    replan = client.post(f"/api/plans/{pid}/replans", headers=headers["coordinator"],
                         json={"from_day": 1, "to_day": 1, "time_limit": 1})

    assert replan.status_code == 201, replan.text
    after_count, after_total = seen(client.get("/metrics", headers=headers["admin"]).text)
    assert after_count == count + 1 and after_total > total
    assert _metric(client.get("/metrics", headers=headers["admin"]).text, "homecare_http_requests_total",
                   method="POST", route="/api/plans/{plan_id}/replans", status="201")


# --- logs -----------------------------------------------------------------------------------------


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    """The root logger writing through the server's own formatter and request-id filter."""
    from pythonjsonlogger.json import JsonFormatter

    conf = logging_config(get_settings())["formatters"]["default"]
    formatter = JsonFormatter(conf["fmt"], rename_fields=conf["rename_fields"], timestamp=conf["timestamp"])
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(formatter)
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield out
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)


def test_every_log_line_of_a_request_carries_its_id_and_nothing_personal(client, headers, team_a,
                                                                         log_lines) -> None:
    body = {"team_id": team_a.id, "external_id": "P-log-1", "name": CITIZEN_NAME, "address": CITIZEN_ADDRESS,
            "lat": 62.39, "lon": 17.3, "notes": "the key is under the mat"}
    made = client.post("/api/citizens", headers=headers["coordinator"], json=body)
    again = client.post("/api/citizens", headers=headers["coordinator"], json=body)  # a conflict
    mine = client.get("/health", headers={"X-Request-ID": "0123456789abcdef0123456789abcdef"})

    assert made.status_code == 201 and again.status_code == 409
    ids = {made.headers["x-request-id"], again.headers["x-request-id"]}
    assert len(ids) == 2 and mine.headers["x-request-id"] == "0123456789abcdef0123456789abcdef"
    lines = [json.loads(line) for line in log_lines.getvalue().splitlines()]
    access = [line for line in lines if line["logger"] == "homecare.access"]
    assert {line["request_id"] for line in access} == ids | {"0123456789abcdef0123456789abcdef"}
    assert {line["route"] for line in access} == {"/api/citizens", "/health"}
    text_logged = log_lines.getvalue()
    for secret in (CITIZEN_NAME, CITIZEN_ADDRESS, "the key is under the mat"):
        assert secret not in text_logged and secret not in again.text


def test_reading_a_citizen_s_pages_logs_their_request_ids_and_never_their_name(
        client, users, headers, team_a, make, log_lines) -> None:
    """The pages and API reads that show a citizen's name, address and notes: every line the server
    logs while answering carries that request's id, and none of them carries anything of hers."""
    from app.security import SESSION_COOKIE, create_access_token

    logging.getLogger("app").setLevel(logging.DEBUG)
    logging.getLogger("homecare").setLevel(logging.DEBUG)
    her = make.citizen(team_a, name=CITIZEN_NAME, address=CITIZEN_ADDRESS, notes="the key is under the mat",
                       how_notes="rings twice")
    make.need(her, care_instructions="Åsa's insulin before breakfast")
    client.cookies.set(SESSION_COOKIE, create_access_token(users["coordinator"]))
    reads = [client.get(f"/teams/{team_a.id}/citizens/{her.id}/record"),
             client.get(f"/teams/{team_a.id}/citizens/{her.id}/edit"),
             client.get(f"/citizens/{her.id}"),
             client.get(f"/teams/{team_a.id}/citizens"),
             client.get(f"/search?q={CITIZEN_NAME.split()[0]}"),
             client.get(f"/api/citizens/{her.id}", headers=headers["coordinator"]),
             client.get(f"/api/citizens/{her.id}/export", headers=headers["admin"])]

    try:
        assert [r.status_code for r in reads] == [200] * len(reads)
        assert all(CITIZEN_NAME in r.text for r in reads)  # each of them showed her
        ids = {r.headers["x-request-id"] for r in reads}
        served = [json.loads(line) for line in log_lines.getvalue().splitlines()]
        served = [line for line in served if line["logger"].startswith(("app", "homecare", "uvicorn"))]
        assert len([line for line in served if line["logger"] == "homecare.access"]) == len(reads)
        assert {line["request_id"] for line in served} == ids
        # (The test's own HTTP client logs the URLs it asked for, the search's query too: that is the
        # browser's side, not the server's.)
        server_side = json.dumps(served, ensure_ascii=False)
        for secret in (CITIZEN_NAME, CITIZEN_NAME.split()[0], CITIZEN_ADDRESS, "under the mat",
                       "rings twice", "insulin"):
            assert secret not in server_side
    finally:
        logging.getLogger("app").setLevel(logging.NOTSET)
        logging.getLogger("homecare").setLevel(logging.NOTSET)


def test_a_database_error_never_carries_the_statement_s_values(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE people (name TEXT NOT NULL UNIQUE)"))
        conn.execute(text("INSERT INTO people VALUES (:n)"), {"n": CITIZEN_NAME})
    with pytest.raises(IntegrityError) as caught, engine.begin() as conn:
        conn.execute(text("INSERT INTO people VALUES (:n)"), {"n": CITIZEN_NAME})
    engine.dispose()
    assert CITIZEN_NAME not in str(caught.value)


# --- the pages --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("zone", "shown"), [(None, "2026-07-01 12:00"), ("UTC", "2026-07-01 10:00"),
                                             ("America/New_York", "2026-07-01 06:00")])
def test_the_plan_runs_page_shows_moments_in_the_municipality_s_time_zone(
        client, db_session, users, team_a, setting: Setting, zone: str | None, shown: str) -> None:
    setting(time_zone=zone)  # None: the default, Europe/Stockholm
    job = PlanJob(team_ids=[team_a.id], start_date=dt.date(2026, 7, 6), end_date=dt.date(2026, 7, 12),
                  time_limit=60, status=JOB_SUCCEEDED, runner=RUNNER_CELERY, created_by_id=users["admin"].id,
                  created_at=dt.datetime(2026, 7, 1, 10, 0, tzinfo=UTC))
    db_session.add(job)
    db_session.flush()
    db_session.add(PlanJobPart(job_id=job.id, seq=0, team_id=team_a.id))
    db_session.flush()
    client.cookies.set(SESSION_COOKIE, create_access_token(users["coordinator"]))
    page = client.get(f"/teams/{team_a.id}/runs")
    assert page.status_code == 200 and f"<td>{shown}</td>" in page.text


@pytest.mark.parametrize(("zone", "shown"), [(None, "2026-07-01 12:00"), ("UTC", "2026-07-01 10:00")])
def test_the_change_record_on_a_citizen_s_page_shows_moments_in_the_municipality_s_time_zone(
        client, db_session, users, team_a, make, setting: Setting, zone: str | None, shown: str) -> None:
    from models.team_data import ENTITY_CITIZEN, ChangeRecord

    setting(time_zone=zone)
    her = make.citizen(team_a)
    db_session.add(ChangeRecord(entity=ENTITY_CITIZEN, entity_id=her.id, action="changed", team_id=team_a.id,
                                citizen_id=her.id, before={"birth_year": 1930}, after={"birth_year": 1931},
                                created_at=dt.datetime(2026, 7, 1, 10, 0, tzinfo=UTC)))
    db_session.flush()
    client.cookies.set(SESSION_COOKIE, create_access_token(users["coordinator"]))
    page = client.get(f"/teams/{team_a.id}/citizens/{her.id}/record")
    assert page.status_code == 200 and f'<td class="when">{shown}</td>' in page.text


def test_every_page_s_footer_shows_the_version(client) -> None:
    assert f"{__version__}</span></footer>" in client.get("/login").text
