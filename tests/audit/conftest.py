"""Material for the audit tests: greedy plans of generated teams, a CLI runner, and the team's shared
verifier for the tests that compare with it (marked `shared`)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.paths import VERIFIER, generated_instance


def load_instance(size: str) -> dict[str, Any]:
    """The generated urban team(s) of `size` (s: one team, 2 weeks; m: 4 weeks; l: four teams)."""
    data: dict[str, Any] = json.loads(generated_instance("team", size).read_text(encoding="utf-8"))
    return data


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
    """size -> (instance path, plan path) for a feasible greedy plan of the generated team of size s and m."""
    from bench.audit import greedy_plan

    out = {}
    d = tmp_path_factory.mktemp("plans")
    for size in ("s", "m"):
        plan = greedy_plan(load_instance(size))
        path = d / f"team-{size}-greedy.json"
        path.write_text(json.dumps(plan), encoding="utf-8")
        out[size] = (generated_instance("team", size), path)
    return out

