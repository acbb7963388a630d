"""Fixtures for running the planner as a municipality's IT runs it: `cli` runs `homecare ...` in this
process against a database of its own (an SQLite file in a fresh data folder), with a proper
SECRET_KEY, and forgets every cached setting and engine afterwards."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import URL, Engine, create_engine, text
from sqlalchemy.engine import make_url
from typer.testing import CliRunner, Result

from app.db import get_engine, get_sessionmaker, get_writing_sessionmaker, make_engine
from app.settings import get_settings

STRONG_KEY = "a-test-key-that-is-long-enough-for-the-server-0123456789"
PREVIOUS_REVISION = "0005_travel_legs"  # the schema one version back


def forget_settings() -> None:
    if get_engine.cache_info().currsize:
        get_engine().dispose()
    for cached in (get_settings, get_engine, get_sessionmaker, get_writing_sessionmaker):
        cached.cache_clear()


CLI = Callable[..., Result]
Setting = Callable[..., None]


@pytest.fixture
def setting(monkeypatch: pytest.MonkeyPatch) -> Iterator[Setting]:
    """`setting(time_zone="UTC", celery_broker_url=None)`: this test's settings (None: unset), read
    afresh by the next `get_settings()`."""
    def put(**values: str | None) -> None:
        for name, value in values.items():
            if value is None:
                monkeypatch.delenv(name.upper(), raising=False)
            else:
                monkeypatch.setenv(name.upper(), value)
        get_settings.cache_clear()

    yield put
    get_settings.cache_clear()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "homecare.db"


@pytest.fixture
def cli(tmp_path: Path, db_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[CLI]:
    from app.cli import app
    monkeypatch.chdir(tmp_path)  # no .env of the checkout is read
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{db_path}")
    monkeypatch.setenv("SECRET_KEY", STRONG_KEY)
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path / "metrics"))
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    forget_settings()
    runner = CliRunner()

    def run(*args: str, input: str | None = None) -> Result:
        forget_settings()  # each command reads the environment afresh, as a new process would
        return runner.invoke(app, list(args), input=input)

    try:
        yield run
    finally:
        forget_settings()


def sqlite_engine(path: Path) -> Engine:
    return make_engine(f"sqlite:///{path}")


def migrate_to(path: Path, revision: str) -> None:
    """An SQLite database at an older revision, as an earlier version of the planner left it."""
    from alembic import command

    from app.migrate import alembic_config

    engine = sqlite_engine(path)
    try:
        with engine.begin() as conn:
            command.upgrade(alembic_config(connection=conn), revision)
    finally:
        engine.dispose()


def revision_of(path: Path) -> tuple[str, ...]:
    from app.migrate import schema_state

    return schema_state(f"sqlite:///{path}").current


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def postgres_schema(prefix: str) -> Iterator[tuple[URL, str]]:
    """A schema of its own in the test PostgreSQL (TEST_POSTGRES_URL), dropped afterwards; the test
    skips, saying why, where no PostgreSQL answers."""
    url = make_url(os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"))
    schema = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as e:  # noqa: BLE001 - no PostgreSQL here: skip with the reason
        admin.dispose()
        pytest.skip(f"PostgreSQL unreachable at {url.render_as_string()}: {type(e).__name__}")
    try:
        yield url, schema
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
