"""Shared fixtures for every test folder (owned by issue 3; colleagues: add small, additive edits).

Databases
- `db_engine` (session scope, parametrised): one engine per backend, schema made by the Alembic
  migrations (never `create_all`), once per test session.
    * "sqlite": a file in a temporary folder, foreign keys on.
    * "postgres" (marked `postgres`): TEST_POSTGRES_URL (default
      postgresql+psycopg://postgres@127.0.0.1:5432/test), in a schema of its own per test session
      (so several developers can run the suite at once); dropped at the end. Skipped, with the
      reason, when the server is unreachable.
  A test that uses `db_session` (or anything built on it) therefore runs once per backend:
  `test_x[sqlite]` and `test_x[postgres]`.
- `db_session`: a Session inside an outer transaction that is rolled back after the test (the
  SQLAlchemy 2 "join an external transaction" recipe: `connection.begin()`, then
  `Session(bind=connection, join_transaction_mode="create_savepoint")`), so `session.commit()` in
  code under test only releases a savepoint and nothing outlives the test.
- `backend`: "sqlite" or "postgres", the backend of the current test.

API
- `client`: a fastapi TestClient on `app.main.app` whose `get_session` dependency yields
  `db_session` (committing/rolling back like the real one). Data created through `db_session` is
  visible to the client and vice versa.
- `team_a`, `team_b`: two teams (Team rows). `users`: {"admin", "coordinator", "member", "auditor",
  "member_b"} -> User; all but admin and member_b belong to team A, member_b to team B.
  Password of every test user: `PASSWORD`.
- `headers`: the same keys -> {"Authorization": "Bearer <jwt>"} for the client.
- `make`: a small factory (`make.carer(team)`, `make.citizen(team)`, `make.need(citizen)`,
  `make.visit(citizen)`, `make.user(role, teams)`), each flushing and returning the ORM row.
- `auth(user)`: bearer headers for any user.
- `queued_jobs`: plan jobs started through the app are stored and never run (tests about what is
  stored and answered, not about planning).

Files: instances come from the project's generator (tests/paths.py `generated_instance`). Tests marked
`shared` compare with the team's tools in ../shared and skip, saying why, where it is absent.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from app.db import get_session, make_engine
from app.migrate import upgrade_head
from app.security import create_access_token, hash_password
from models import core as m
from tests.paths import SHARED_MISSING, SHARED_PRESENT

PASSWORD = "correct-horse-battery"

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


# The API fuzz seeds the demo municipality for every case: each role meets one backend (the admin on
# SQLite, the coordinator on PostgreSQL), so both roles and both databases are fuzzed in half the time.
FUZZ_PAIRS_LEFT_OUT = ("[admin-postgres]", "[coordinator-sqlite]")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    left_out = [item for item in items if "test_no_server_errors.py::test_whatever" in item.nodeid
                and item.nodeid.endswith(FUZZ_PAIRS_LEFT_OUT)]
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        gone = set(left_out)
        items[:] = [item for item in items if item not in gone]
    for item in items:
        # `make test` runs the suite in two processes (pytest-xdist, --dist loadgroup). Tests that
        # start Celery workers share one Redis queue, so they run in one process, one after another;
        # the tests on the served demo site share that site, which one process builds once.
        if item.get_closest_marker("celery"):
            item.add_marker(pytest.mark.xdist_group("celery"))
        elif {"site", "server"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.xdist_group("demo-site"))
    if SHARED_PRESENT:
        return
    skip = pytest.mark.skip(reason=SHARED_MISSING)
    for item in items:
        if item.get_closest_marker("shared"):
            item.add_marker(skip)


def _postgres_url() -> str:
    return os.environ.get("TEST_POSTGRES_URL", DEFAULT_PG_URL)


def _sqlite_engine(tmp: Path) -> Engine:
    engine = make_engine(f"sqlite:///{tmp / 'test.db'}")
    upgrade_head(engine)
    return engine


def _postgres_engine() -> Iterator[Engine]:
    url = _postgres_url()
    try:
        probe = make_engine(url)
        with probe.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # unreachable server: skip with the reason, never fail
        pytest.skip(f"PostgreSQL unreachable at {url}: {type(exc).__name__}: {str(exc)[:200]}")
    schema = f"t_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with probe.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    probe.dispose()
    from sqlalchemy import create_engine

    engine = create_engine(url, connect_args={"options": f"-csearch_path={schema}"})
    try:
        upgrade_head(engine)
        yield engine
    finally:
        engine.dispose()
        cleanup = make_engine(url)
        with cleanup.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        cleanup.dispose()


@pytest.fixture(scope="session")
def _engine_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    cache: dict[str, Any] = {"tmp": tmp_path_factory.mktemp("db"), "engines": {}, "gens": []}
    yield cache
    for engine in cache["engines"].values():
        engine.dispose()
    for gen in cache["gens"]:
        with contextlib.suppress(StopIteration):
            next(gen)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def db_engine(backend: str, _engine_cache: dict[str, Any]) -> Engine:
    """The migrated engine of this test's backend (made once per test session)."""
    engines: dict[str, Engine] = _engine_cache["engines"]
    if backend in _engine_cache.get("skip", {}):
        pytest.skip(_engine_cache["skip"][backend])
    if backend not in engines:
        if backend == "sqlite":
            engines[backend] = _sqlite_engine(_engine_cache["tmp"])
        else:
            gen = _postgres_engine()
            try:
                engines[backend] = next(gen)
            except pytest.skip.Exception as exc:
                _engine_cache.setdefault("skip", {})[backend] = str(exc)
                raise
            _engine_cache["gens"].append(gen)
    return engines[backend]


@pytest.fixture
def db_session(db_engine: Engine) -> Iterator[Session]:
    """A session whose work is rolled back after the test, whatever the code under test commits."""
    connection = db_engine.connect()
    outer = connection.begin()
    session = Session(bind=connection, join_transaction_mode="create_savepoint",
                      expire_on_commit=False)
    try:
        yield session
    finally:
        session.close()
        if outer.is_active:
            outer.rollback()
        connection.close()


@pytest.fixture
def client(db_session: Session) -> Iterator[TestClient]:
    from app.main import app

    def _session() -> Iterator[Session]:
        # What the test set up so far becomes "stored" (inside the outer transaction), so a request
        # that fails rolls back only its own work, as against a real database.
        db_session.commit()
        try:
            yield db_session
            db_session.commit()
        except BaseException:
            db_session.rollback()
            raise

    app.dependency_overrides[get_session] = _session
    try:
        with TestClient(app) as c:
            yield c
    finally:
        app.dependency_overrides.pop(get_session, None)


# --- data factories --------------------------------------------------------------------------

_HASH_CACHE: dict[str, str] = {}


def _password_hash() -> str:
    # argon2 is slow on purpose; one hash serves every test user.
    if PASSWORD not in _HASH_CACHE:
        _HASH_CACHE[PASSWORD] = hash_password(PASSWORD)
    return _HASH_CACHE[PASSWORD]


class Make:
    """Creates rows with sensible defaults; every call flushes and returns the row."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._n = itertools.count(1)

    def _id(self, prefix: str) -> str:
        return f"{prefix}-{next(self._n)}-{uuid.uuid4().hex[:4]}"

    def _add(self, obj: Any) -> Any:
        self.session.add(obj)
        self.session.flush()
        return obj

    def team(self, name: str | None = None, **kw: Any) -> m.Team:
        ext = kw.pop("external_id", None) or self._id("T")
        return self._add(m.Team(external_id=ext, name=name or ext, lat=kw.pop("lat", 62.39),
                                lon=kw.pop("lon", 17.30), **kw))

    def user(self, role: str, teams: list[m.Team] | None = None, username: str | None = None,
             **kw: Any) -> m.User:
        return self._add(m.User(username=username or self._id(role), password_hash=_password_hash(),
                                role=role, teams=list(teams or []), full_name=kw.pop("full_name", None),
                                **kw))

    def carer(self, team: m.Team, **kw: Any) -> m.Carer:
        ext = kw.pop("external_id", None) or self._id(f"{team.external_id}-c")
        return self._add(m.Carer(external_id=ext, team_id=team.id, name=kw.pop("name", f"Carer {ext}"),
                                 skills=kw.pop("skills", []), **kw))

    def shift(self, carer: m.Carer, date: dt.date, start: int = 420, end: int = 930) -> m.Shift:
        return self._add(m.Shift(carer_id=carer.id, date=date, start=start, end=end))

    def citizen(self, team: m.Team, **kw: Any) -> m.Citizen:
        ext = kw.pop("external_id", None) or self._id(f"{team.external_id}-p")
        return self._add(m.Citizen(external_id=ext, team_id=team.id, name=kw.pop("name", f"Citizen {ext}"),
                                   address=kw.pop("address", "Storgatan 1, Sundsvall"),
                                   lat=kw.pop("lat", 62.40), lon=kw.pop("lon", 17.31),
                                   notes=kw.pop("notes", "key in the blue box"), **kw))

    def need(self, citizen: m.Citizen, **kw: Any) -> m.Need:
        ext = kw.pop("external_id", None) or self._id(f"{citizen.external_id}-n")
        return self._add(m.Need(external_id=ext, citizen_id=citizen.id, kind=kw.pop("kind", "morning"),
                                weekdays=kw.pop("weekdays", [0, 1, 2, 3, 4, 5, 6]),
                                earliest=kw.pop("earliest", 420), latest=kw.pop("latest", 510),
                                duration=kw.pop("duration", 45), carers=kw.pop("carers", 1),
                                skills=kw.pop("skills", []),
                                valid_from=kw.pop("valid_from", dt.date(2026, 12, 1)), **kw))

    def visit(self, citizen: m.Citizen, **kw: Any) -> m.Visit:
        ext = kw.pop("external_id", None) or self._id(f"{citizen.external_id}-v")
        return self._add(m.Visit(external_id=ext, citizen_id=citizen.id, kind=kw.pop("kind", "morning"),
                                 date=kw.pop("date", dt.date(2026, 12, 1)), earliest=kw.pop("earliest", 420),
                                 latest=kw.pop("latest", 510), duration=kw.pop("duration", 45),
                                 carers=kw.pop("carers", 1), skills=kw.pop("skills", []), **kw))


@pytest.fixture
def make(db_session: Session) -> Make:
    return Make(db_session)


@pytest.fixture
def team_a(make: Make) -> m.Team:
    return make.team("Team A", external_id="TA")


@pytest.fixture
def team_b(make: Make) -> m.Team:
    return make.team("Team B", external_id="TB", lat=62.41, lon=17.28)


@pytest.fixture
def users(make: Make, team_a: m.Team, team_b: m.Team) -> dict[str, m.User]:
    return {
        "admin": make.user(m.ROLE_ADMIN, [], username="admin-test"),
        "coordinator": make.user(m.ROLE_COORDINATOR, [team_a], username="coord-a"),
        "member": make.user(m.ROLE_MEMBER, [team_a], username="member-a"),
        "auditor": make.user(m.ROLE_AUDITOR, [team_a], username="auditor-a"),
        "member_b": make.user(m.ROLE_MEMBER, [team_b], username="member-b"),
    }


def auth_headers(user: m.User) -> dict[str, str]:
    return {"Authorization": f"Bearer {create_access_token(user)}"}


@pytest.fixture
def auth() -> Any:
    return auth_headers


@pytest.fixture
def headers(users: dict[str, m.User]) -> dict[str, dict[str, str]]:
    return {role: auth_headers(user) for role, user in users.items()}


@pytest.fixture
def queued_jobs() -> Iterator[None]:
    from app.jobs.factory import get_job_runner
    from app.main import app
    from tests.jobs.standins import QueuedOnly

    app.dependency_overrides[get_job_runner] = QueuedOnly
    try:
        yield
    finally:
        app.dependency_overrides.pop(get_job_runner, None)
