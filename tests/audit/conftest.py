"""Shared material for the audit tests: small plans of the shared instances and a CLI runner."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session

SHARED = Path("/work/shared")
INSTANCES = SHARED / "instances"
VERIFIER = SHARED / "tools" / "verify_plan.py"


def load_instance(name: str) -> dict[str, Any]:
    return json.loads((INSTANCES / f"{name}.json").read_text(encoding="utf-8"))


def verifier_figures(instance: Path, plan: Path) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, str(VERIFIER), str(instance), str(plan), "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    """`homecare ...` exactly as a user runs it (the package's entry point)."""
    return subprocess.run(
        [sys.executable, "-c", "from app.cli import main; main()", *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).resolve().parents[2],
    )


@pytest.fixture(scope="session")
def greedy_plans(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path]]:
    """name -> (instance path, plan path) for a feasible greedy plan of team-s and team-m."""
    from bench.audit import greedy_plan

    out = {}
    d = tmp_path_factory.mktemp("plans")
    for name in ("team-s", "team-m"):
        plan = greedy_plan(load_instance(name))
        path = d / f"{name}-greedy.json"
        path.write_text(json.dumps(plan), encoding="utf-8")
        out[name] = (INSTANCES / f"{name}.json", path)
    return out


def _sqlite_real_savepoints(engine: Engine) -> None:
    """pysqlite's legacy transaction mode emits no BEGIN, so the test session's first SAVEPOINT opens the
    transaction and its RELEASE commits it: data leaked from test to test. SQLAlchemy's documented recipe
    (autocommit driver, BEGIN on begin) makes the outer transaction real. Applied once per engine."""
    if engine.dialect.name != "sqlite" or getattr(engine, "_audit_savepoints", False):
        return

    @event.listens_for(engine, "connect")
    def _autocommit_driver(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN")

    engine.dispose()  # pooled connections were made before the hook
    engine._audit_savepoints = True  # type: ignore[attr-defined]


@pytest.fixture
def db_session(db_engine: Engine) -> Iterator[Session]:
    """The shared fixture's rolled-back session, with real savepoints on SQLite (see above)."""
    _sqlite_real_savepoints(db_engine)
    connection = db_engine.connect()
    outer = connection.begin()
    session = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    try:
        yield session
    finally:
        session.close()
        if outer.is_active:
            outer.rollback()
        connection.close()

