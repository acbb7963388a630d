"""Section `continuity_curve`: the price of continuity, from the fewest faces to the least travel.

Our planner runs step-counted (the same plan on any machine, so settings differ only by the setting),
one worker, once per continuity setting (solver/objective.py `weights_for`) and seed. Each plan is
checked by the verifier; the table shows, per setting, the faces per citizen and month (mean and
most), the contact share, the start spread and the travel, and a line says whether the curve is
monotone: allowing more faces never costs more travel (within the seeds' spread).

    python -m bench --sections continuity_curve --instances team-m,district-l --runs 3
"""

from __future__ import annotations

import argparse
import statistics
from typing import Any

from tqdm import tqdm

from bench.common import load_problem, md_table, run_in_child, verify, write_plan

TITLE = "The continuity curve"
STEPS = {"team-s": 320, "team-m": 300, "district-l": 120, "municipality-xl": 60}
QUICK_STEPS = 40
SETTINGS = ("fewest", "faces:5", "balanced", "travel")
FIGURES = ("unplaced", "month_mean", "month_max", "contact_share", "start_sd_min", "travel_min")


def solve_with(instance: str, plan_path: str, seed: int, steps: int, setting: str) -> dict[str, Any]:
    """Child: plan `instance` with `steps` search steps per team and the continuity `setting`."""
    from solver import SolveParams, solve
    from solver.objective import weights_for

    problem = load_problem(instance)
    params = SolveParams(time_limit=24 * 3600.0, seed=seed, max_iterations=steps,
                         weights=weights_for(setting))
    plan = solve(problem, params)
    write_plan(plan, problem, plan_path)
    return {"stats": dict(plan.stats)}


def _figures(instance: str, plan_path: str) -> dict[str, Any]:
    report = verify(instance, plan_path)
    f = report.figures
    month = f.get("distinct_carers_per_citizen_month", {})
    return {"valid": report.valid, "cap_breaches": report.cap_breaches,
            "unplaced": f.get("unassigned"), "month_mean": month.get("mean"), "month_max": month.get("max"),
            "contact_share": f.get("contact_carer_share"), "start_sd_min": f.get("start_time_sd_minutes"),
            "travel_min": f.get("travel_minutes")}


def _curve(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per setting, each figure's mean over the seeds (and travel's spread over them)."""
    out = []
    for setting in SETTINGS:
        mine = [r for r in rows if r["setting"] == setting and "error" not in r]
        point: dict[str, Any] = {"setting": setting, "runs": len(mine)}
        for key in FIGURES:
            values = [float(r[key]) for r in mine if r.get(key) is not None]
            point[key] = round(statistics.mean(values), 3) if values else None
        travel = [float(r["travel_min"]) for r in mine if r.get("travel_min") is not None]
        point["travel_sd"] = round(statistics.pstdev(travel), 1) if len(travel) > 1 else 0.0
        out.append(point)
    return out


def monotone(curve: list[dict[str, Any]]) -> bool:
    """Allowing more faces never costs more travel, beyond the seeds' spread."""
    points = sorted((p for p in curve if p["month_mean"] is not None and p["travel_min"] is not None),
                    key=lambda p: p["month_mean"])
    return all(b["travel_min"] <= a["travel_min"] + max(a["travel_sd"], b["travel_sd"])
               for a, b in zip(points, points[1:], strict=False))


def run(args: argparse.Namespace) -> tuple[dict[str, Any], str]:
    runs = 1 if args.quick else (getattr(args, "runs", None) or 3)
    out_dir = args.results_dir / "continuity_curve"
    result: dict[str, Any] = {}
    parts = []
    with tqdm(total=len(args.instances) * runs * len(SETTINGS), desc="continuity_curve", unit="run") as bar:
        for instance in args.instances:
            steps = QUICK_STEPS if args.quick else STEPS.get(instance, 100)
            rows: list[dict[str, Any]] = []
            for seed in range(runs):
                for setting in SETTINGS:
                    plan_path = out_dir / f"{instance}-seed{seed}-{setting.replace(':', '')}.json"
                    plan_path.parent.mkdir(parents=True, exist_ok=True)
                    child = run_in_child(solve_with, instance, str(plan_path), seed, steps, setting)
                    row: dict[str, Any] = {"seed": seed, "setting": setting, "wall_s": round(child.wall_s, 1)}
                    if child.ok:
                        row.update(_figures(instance, str(plan_path)))
                    else:
                        row["error"] = child.error[-2000:]
                    rows.append(row)
                    bar.update()
            curve = _curve(rows)
            ok = monotone(curve)
            result[instance] = {"steps": steps, "runs": rows, "curve": curve, "monotone": ok}
            table = [[p["setting"], p["runs"], *(p.get(k) for k in FIGURES), p["travel_sd"]] for p in curve]
            heading = f"### {instance} ({steps} steps per team, one worker, {runs} seed(s))\n\n"
            parts.append(heading + md_table(
                ["setting", "runs", "unplaced", "faces mean", "faces max", "contact", "start sd min",
                 "travel min", "travel sd"], table)
                + f"\n\nMore faces never cost more travel (within the seeds' spread): "
                  f"{'PASS' if ok else 'FAIL'}; every plan valid, the cap kept: "
                  f"{'PASS' if all(r.get('valid') and not r.get('cap_breaches') for r in rows) else 'FAIL'}")
    return result, "\n\n".join(parts)
