"""`homecare worker` told plainly what it needs, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.ops.conftest import migrate_to

PROJECT = Path(__file__).resolve().parents[2]


def _worker(env_extra: dict[str, str]) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CELERY_")}
    env.update(env_extra, PYTHONPATH=str(PROJECT))
    return subprocess.run([sys.executable, "-c", "from app.cli import main; main()", "worker"],
                          cwd=PROJECT, env=env, capture_output=True, text=True, timeout=60, check=False)


def test_a_worker_without_a_broker_says_so_and_exits_2() -> None:
    r = _worker({})
    assert r.returncode == 2 and "CELERY_BROKER_URL is not set" in r.stderr and "Traceback" not in r.stderr


def test_a_worker_whose_broker_is_down_says_where_it_looked(tmp_path: Path) -> None:
    # A current schema, so that the broker is what the worker finds wrong (it checks the schema first).
    migrate_to(tmp_path / "homecare.db", "head")
    r = _worker({"CELERY_BROKER_URL": "redis://127.0.0.1:1/0", "DATABASE_URL": f"sqlite:///{tmp_path}/homecare.db"})
    assert r.returncode == 2 and "redis://127.0.0.1:1/0" in r.stderr and "cannot be reached" in r.stderr
    assert "Traceback" not in r.stderr
