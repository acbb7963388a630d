"""Section `fair_load`: what weighing fair load in the search does to a plan.

Our planner runs step-counted (the same plan on any machine, so two settings differ only by the
setting) with the search's fair-load goal off (`Weights(fair=0)`) and on (the default weights), per
seed, one worker. Each plan is checked by the verifier; the table shows its figures beside the
fair-load figure (`common.load_spread`: the standard deviation of carers' planned minutes relative
to their contracted or rostered minutes, in percentage points), and per instance the mean change
with the seeds' own spread beside it, so a change can be told from noise.

    python -m bench --sections fair_load --instances team-s,team-m --runs 3
"""

from __future__ import annotations

import argparse
import statistics
from typing import Any

from tqdm import tqdm

from bench.common import load_problem, load_spread, md_table, run_in_child, verify, write_plan

TITLE = "Fair load in the search"
STEPS = {"team-s": 320, "team-m": 300, "district-l": 120, "municipality-xl": 60}
QUICK_STEPS = 40
SETTINGS = ("off", "on")
FIGURES = ("unplaced", "month_mean", "month_max", "contact_share", "travel_min", "start_sd_min", "load_sd_pp")


def solve_with(instance: str, plan_path: str, seed: int, steps: int, fair_on: bool) -> dict[str, Any]:
    """Child: plan `instance` with `steps` search steps per team, fair load off or on."""
    from solver import SolveParams, solve
    from solver.objective import WEIGHTS, Weights

    problem = load_problem(instance)
    weights = WEIGHTS if fair_on else Weights(fair=0.0)
    params = SolveParams(time_limit=24 * 3600.0, seed=seed, max_iterations=steps, weights=weights)
    plan = solve(problem, params)
    write_plan(plan, problem, plan_path)
    return {"stats": dict(plan.stats)}


def _figures(instance: str, plan_path: str) -> dict[str, Any]:
    f = verify(instance, plan_path).figures
    month = f.get("distinct_carers_per_citizen_month", {})
    return {"unplaced": f.get("unassigned"), "month_mean": month.get("mean"), "month_max": month.get("max"),
            "contact_share": f.get("contact_carer_share"), "travel_min": f.get("travel_minutes"),
            "start_sd_min": f.get("start_time_sd_minutes"),
            "load_sd_pp": load_spread(load_problem(instance), plan_path)}


def run(args: argparse.Namespace) -> tuple[dict[str, Any], str]:
    runs = 1 if args.quick else (getattr(args, "runs", None) or 3)
    out_dir = args.results_dir / "fair_load"
    result: dict[str, Any] = {}
    parts = []
    with tqdm(total=len(args.instances) * runs * len(SETTINGS), desc="fair_load", unit="run") as bar:
        for instance in args.instances:
            steps = QUICK_STEPS if args.quick else STEPS.get(instance, 100)
            rows: list[dict[str, Any]] = []
            for seed in range(runs):
                for setting in SETTINGS:
                    plan_path = out_dir / f"{instance}-seed{seed}-{setting}.json"
                    plan_path.parent.mkdir(parents=True, exist_ok=True)
                    child = run_in_child(solve_with, instance, str(plan_path), seed, steps, setting == "on")
                    row: dict[str, Any] = {"seed": seed, "fair_load": setting,
                                           "wall_s": round(child.wall_s, 1)}
                    if child.ok:
                        row.update(_figures(instance, str(plan_path)))
                    else:
                        row["error"] = child.error[-2000:]
                    rows.append(row)
                    bar.update()
            result[instance] = {"steps": steps, "runs": rows, "change": _change(rows)}
            table = [[r["seed"], r["fair_load"], *(r.get(k) for k in FIGURES), r["wall_s"]] for r in rows]
            change = result[instance]["change"]
            summary = (("mean change", "on - off", "mean"), ("seeds' spread", "sd of off", "noise"))
            for label, what, key in summary:
                table.append([label, what, *(change.get(k, {}).get(key) for k in FIGURES), None])
            parts.append(f"### {instance} ({steps} steps per team, one worker)\n\n" + md_table(
                ["seed", "fair load", "unplaced", "faces mean", "faces max", "contact", "travel min",
                 "start sd min", "load sd pp", "wall s"], table))
    return result, "\n\n".join(parts)


def _change(rows: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    """Per figure, the mean of (on - off) over seeds, and the seeds' spread with fair load off."""
    out: dict[str, dict[str, float]] = {}
    by_seed: dict[int, dict[str, dict[str, Any]]] = {}
    for r in rows:
        by_seed.setdefault(r["seed"], {})[r["fair_load"]] = r
    for key in FIGURES:
        pairs: list[tuple[float, float]] = []
        for s in by_seed.values():
            a, b = s.get("off", {}).get(key), s.get("on", {}).get(key)
            if a is not None and b is not None:
                pairs.append((float(a), float(b)))
        if not pairs:
            continue
        offs = [a for a, _ in pairs]
        out[key] = {"mean": round(statistics.mean(b - a for a, b in pairs), 3),
                    "noise": round(statistics.pstdev(offs), 3) if len(offs) > 1 else 0.0}
    return out
