"""Where a new citizen fits, on several instances: the bench's fit row (bench/coordinator_help.py) without
the rest of its section, for comparing the fit across seeds and families.

Each instance is planned by `solve(max_iterations=150, seed=0)` (kept in --plans, so a second run, or
another build of the fit, starts from the same plan), the bench's new citizen (a morning, a lunch and an
evening visit every day) is fitted with `fit_citizen`'s defaults, and the plan with the proposal applied
goes to the verifier. One JSON line per instance: placed, carers in the month, the bound, other visits
moved (and of those, given to another carer), new faces for other citizens, CPU seconds of the fit.

Usage: PYTHONPATH=. python scripts/fit_families.py team-m team-m-2 rural-m-1 double-m-1 [--plans DIR]
(generated names are FAMILY-SIZE-SEED, `homecare generate`'s instances).
"""

from __future__ import annotations

import argparse
import json
import pickle
import tempfile
from pathlib import Path
from typing import Any

from bench.common import load_problem
from bench.coordinator_help import fit_new_citizen, with_new_citizen
from solver import SolveParams, solve
from solver.types import Plan


def _plan(name: str, plans: Path) -> Plan:
    path = plans / f"{name}.pkl"
    if path.exists():
        plan: Plan = pickle.loads(path.read_bytes())
        return plan
    plan = solve(load_problem(name), SolveParams(time_limit=24 * 3600.0, seed=0, max_iterations=150))
    path.write_bytes(pickle.dumps(plan))
    return plan


def measure(name: str, plans: Path, work: Path) -> dict[str, Any]:
    newcomer = with_new_citizen(load_problem(name))
    fit, shown = fit_new_citizen(newcomer, _plan(name, plans), work, f"{name}-fit")
    return {"instance": name, "bound": shown["faces_bound"], "placed": shown["placed"],
            "carers": shown["faces_month_max"], "core": list(fit.core), "moves": shown["moves"],
            "moves_other_carer": shown["moves_other_carer"], "new_faces_others": shown["new_faces_others"],
            "added_travel": shown["added_travel"], "cpu_s": round(shown["cpu_s"], 2),
            "verifier": shown["verifier"]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("instances", nargs="+")
    ap.add_argument("--plans", type=Path, default=Path(tempfile.gettempdir()) / "fit-families-plans")
    args = ap.parse_args()
    args.plans.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="fit-families-"))
    for name in args.instances:
        print(json.dumps(measure(name, args.plans, work)), flush=True)


if __name__ == "__main__":
    main()
