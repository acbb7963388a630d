"""Shared material for the audit tests: small plans of the shared instances and a CLI runner."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.paths import SHARED  # noqa: E402

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

