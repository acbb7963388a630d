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
import time
from pathlib import Path
from typing import Any

from app.replan.fit import fit_citizen
from bench.common import load_problem
from bench.coordinator_help import _new_citizen, _verified
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
    plan = _plan(name, plans)
    problem = _new_citizen(load_problem(name))
    c0 = time.process_time()
    fit = fit_citizen(problem, plan.assignments, "bench-new")
    cpu = time.process_time() - c0
    applied = {a.visit: a for a in plan.assignments}
    applied.update({a.visit: a for a in fit.assignments()})
    visit = {v.id: v for v in problem.visits}
    met: dict[tuple[str, Any], set[str]] = {}
    for a in plan.assignments:
        v = visit[a.visit]
        met.setdefault((v.citizen, problem.month_of(v.day)), set()).update(a.carers)
    months: dict[Any, set[str]] = {}
    for x in fit.visits:
        if x.carers:
            months.setdefault(problem.month_of(visit[x.visit].day), set()).update(x.carers)
    return {
        "instance": name, "bound": fit.bound, "placed": f"{fit.placed}/{len(fit.visits)}",
        "carers": max((len(x) for x in months.values()), default=0), "core": list(fit.core),
        "moves": len(fit.moves),
        "moves_other_carer": sum(1 for m in fit.moves if m.new_carers != m.old_carers),
        "new_faces_others": sum(1 for m in fit.moves for c in m.new_carers
                                if c not in met.get((m.citizen, problem.month_of(m.day)), set())),
        "added_travel": fit.added_travel, "cpu_s": round(cpu, 2),
        "verifier": _verified(problem, list(applied.values()), work, f"{name}-fit").status()}


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
