"""The bench's fair-load figure: how unevenly a plan loads the team's carers."""

from __future__ import annotations

import json
from pathlib import Path

from bench.common import load_spread
from tests.solver.conftest import carer, citizen, problem, visit


def _plan(tmp_path: Path, carers_of: dict[str, tuple[str, ...]]) -> Path:
    path = tmp_path / "plan.json"
    doc = {"format": "homecare-plan/1", "instance": "hand-made",
           "visits": [{"id": v, "carers": list(cs), "start": 480} for v, cs in carers_of.items()]}
    path.write_text(json.dumps(doc))
    return path


def test_two_carers_with_the_same_hours_and_the_same_work_are_loaded_evenly(tmp_path: Path) -> None:
    p = problem([carer("anna"), carer("bo")], [citizen("p1")],
                [visit("v1", "p1", duration=60), visit("v2", "p1", duration=60, need="n2")])
    assert load_spread(p, _plan(tmp_path, {"v1": ("anna",), "v2": ("bo",)})) == 0


def test_one_carer_doing_all_the_work_spreads_the_load_by_half_her_share(tmp_path: Path) -> None:
    p = problem([carer("anna", start=420, end=900), carer("bo", start=420, end=900)], [citizen("p1")],
                [visit("v1", "p1", duration=120), visit("v2", "p1", duration=120, need="n2")])
    # anna 240 of 480 minutes (50 %), bo none: the standard deviation is 25 percentage points.
    assert load_spread(p, _plan(tmp_path, {"v1": ("anna",), "v2": ("anna",)})) == 25


def test_a_contracted_carer_is_measured_against_the_contract(tmp_path: Path) -> None:
    # 2,100 minutes a week over a one-day plan is 300 minutes: 150 planned is half, as bo's 240 of 480.
    p = problem([carer("anna", contracted=2_100), carer("bo", start=420, end=900)], [citizen("p1")],
                [visit("v1", "p1", duration=150), visit("v2", "p1", duration=240, need="n2")])
    assert load_spread(p, _plan(tmp_path, {"v1": ("anna",), "v2": ("bo",)})) == 0
