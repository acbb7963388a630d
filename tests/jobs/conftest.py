"""Fixtures for the solve-job tests: a real file database (jobs run in other threads and processes,
so the rolled-back `db_session` of tests/conftest.py cannot be shared with them), loaded with a
small instance cut from a generated team, users of two teams, and an API client whose runner is chosen
per test."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from app.db import get_session, make_engine
from app.jobs.db import worker_sessions
from app.migrate import upgrade_head
from app.security import create_access_token
from models import core as m
from tests.jobs.helpers import cut, load_instance, multi_team, team_s


@pytest.fixture(scope="session")
def _migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("jobs-template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade_head(engine)
    engine.dispose()
    return path


@dataclass
class World:
    url: str
    engine: Engine
    sessions: sessionmaker[Session]
    instance: dict[str, Any]
    teams: dict[str, int]  # external id -> teams.id
    users: dict[str, m.User]
    headers: dict[str, dict[str, str]] = field(default_factory=dict)

    def versions(self) -> int:
        with self.sessions() as s:
            return int(s.scalar(select(func.count()).select_from(m.PlanVersion)) or 0)

    def wait_for(self, client: TestClient, job_id: int, until: Callable[[dict[str, Any]], bool],
                 timeout: float = 60.0, who: str = "coordinator",
                 ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """Poll the job until `until(job)`; returns the job and every answer seen on the way."""
        seen = []
        deadline = time.monotonic() + timeout
        while True:
            r = client.get(f"/api/plan-jobs/{job_id}", headers=self.headers[who])
            assert r.status_code == 200, r.text
            seen.append(r.json())
            if until(seen[-1]):
                return seen[-1], seen
            if time.monotonic() > deadline:
                raise AssertionError(f"job {job_id} never reached the state; last: {seen[-1]}")
            time.sleep(0.2)


def make_world(tmp_path: Path, template: Path, instance: dict[str, Any],
               sessions: sessionmaker[Session] | None = None) -> World:
    if sessions is None:
        path = tmp_path / "jobs.db"
        shutil.copy(template, path)
        url = f"sqlite:///{path}"
        sessions = worker_sessions(url)  # WAL and a long busy timeout: several processes use the file
    engine = sessions.kw["bind"]
    url = str(engine.url)
    with sessions() as s:
        teams = load_instance(s, instance)
        ids = {ext: t.id for ext, t in teams.items()}
        first, *rest = list(teams.values())
        second = rest[0] if rest else None
        users = {
            "admin": m.User(username="admin", password_hash="x", role=m.ROLE_ADMIN),
            "coordinator": m.User(username="coord-a", password_hash="x", role=m.ROLE_COORDINATOR,
                                  teams=[first]),
            "member": m.User(username="member-a", password_hash="x", role=m.ROLE_MEMBER, teams=[first]),
            "coordinator_all": m.User(username="coord-all", password_hash="x", role=m.ROLE_COORDINATOR,
                                      teams=list(teams.values())),
        }
        if second is not None:
            users["coordinator_b"] = m.User(username="coord-b", password_hash="x", role=m.ROLE_COORDINATOR,
                                            teams=[second])
            users["member_b"] = m.User(username="member-b", password_hash="x", role=m.ROLE_MEMBER,
                                       teams=[second])
        s.add_all(users.values())
        s.commit()
        headers = {k: {"Authorization": f"Bearer {create_access_token(u)}"} for k, u in users.items()}
    return World(url=url, engine=engine, sessions=sessions, instance=instance, teams=ids, users=users,
                 headers=headers)


@pytest.fixture
def two_teams() -> dict[str, Any]:
    """Two teams, each a generated team's first week with 10 citizens (about 180 visits a team)."""
    return multi_team(cut(team_s(), days=7, citizens=10), 2)


@pytest.fixture
def world(tmp_path: Path, _migrated_template: Path, two_teams: dict[str, Any]) -> World:
    return make_world(tmp_path, _migrated_template, two_teams)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_world(request: pytest.FixtureRequest, tmp_path: Path, _migrated_template: Path,
              two_teams: dict[str, Any]) -> Iterator[World]:
    """The same world on SQLite and on PostgreSQL (TEST_POSTGRES_URL, a schema of its own; skipped
    with the reason when unreachable): where concurrent writers really race."""
    if request.param == "sqlite":
        yield make_world(tmp_path, _migrated_template, two_teams)
        return
    import os
    import uuid

    from sqlalchemy import create_engine, text

    url = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    try:
        probe = make_engine(url)
        with probe.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as e:  # noqa: BLE001
        pytest.skip(f"PostgreSQL unreachable at {url}: {type(e).__name__}")
    schema = f"t_jobs_{uuid.uuid4().hex[:8]}"
    with probe.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = create_engine(url, connect_args={"options": f"-csearch_path={schema}"})
    try:
        upgrade_head(engine)
        world = make_world(tmp_path, _migrated_template, two_teams,
                           sessions=sessionmaker(bind=engine, expire_on_commit=False))
        yield world
    finally:
        engine.dispose()
        with probe.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        probe.dispose()


@pytest.fixture
def api(world: World) -> Iterator[Callable[[Any], TestClient]]:
    """`api(runner)`: a TestClient on the real app, on this world's database, with `runner` for jobs."""
    from app.db import transactional_session
    from app.jobs.factory import get_job_runner
    from app.main import app

    def _session() -> Iterator[Session]:
        yield from transactional_session(world.sessions)

    clients: list[TestClient] = []

    def make(runner: Any) -> TestClient:
        app.dependency_overrides[get_session] = _session
        app.dependency_overrides[get_job_runner] = lambda: runner
        c = TestClient(app)
        c.__enter__()
        clients.append(c)
        return c

    try:
        yield make
    finally:
        for c in clients:
            c.__exit__(None, None, None)
        app.dependency_overrides.pop(get_session, None)
        app.dependency_overrides.pop(get_job_runner, None)
