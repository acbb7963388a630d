"""Section `continuity_curve`: the price of continuity, from the fewest faces to the least travel.

Our planner runs step-counted (the same plan on any machine, so settings differ only by the setting),
one worker, once per continuity setting (solver/objective.py `weights_for`) and seed. Each plan is
checked by the verifier; the table shows, per setting, the faces per citizen and month (mean and
most), the contact share, the start spread and the travel, and a line says whether the curve is
monotone: allowing more faces never costs more travel (within the seeds' spread).

Beside the curve stand what the planner section measures against (bench/planner.py, the same child
entry points): the lower bound on faces, the upper bound on the contact share and the travel-only
routing peer. Each setting's ratios to them are printed and held against the issue's targets for the
fewest-faces setting (mean <= 1.25 x bound, max <= 8, spread <= 15 min, contact >= 0.9 x the contact
bound, travel <= 1.20 x routing) and for the least-travel one (the cap kept, placed >= routing, travel
<= 1.05 x routing). The fewest-faces setting's placed count is held against the routing peer's only: the
issue asks for the best peer's, which the planner section measures (the other peers do not run here).
Step-counted runs are shorter than the planner section's timed ones, so these ratios show the shape of
the curve, not the timed planner's standing.

    python -m bench --sections continuity_curve --instances team-m,district-l --runs 3
"""

from __future__ import annotations

import argparse
import statistics
from pathlib import Path
from typing import Any

from tqdm import tqdm

from bench.common import fmt, load_problem, md_table, run_in_child, verify, write_plan
from bench.peers.contact_bound import share_bound_at
from bench.planner import compute_bound, compute_contact_bound, solve_peer

TITLE = "The continuity curve"
STEPS = {"team-s": 320, "team-m": 300, "district-l": 120, "municipality-xl": 60}
QUICK_STEPS = 40
SETTINGS = ("fewest", "faces:5", "balanced", "travel")
FIGURES = ("unplaced", "month_mean", "month_max", "contact_share", "start_sd_min", "travel_min")
ROUTING = "routing"  # the travel-only peer the travel ratios are taken against
# The targets, per setting: the default (fewest faces) and the least-travel setting.
DEFAULT_TARGETS = {"mean_vs_bound": 1.25, "max_carers": 8, "spread_min": 15.0, "contact_vs_bound": 0.9,
                   "travel_vs_routing": 1.20}
TRAVEL_TARGETS = {"travel_vs_routing": 1.05}


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
    return {"valid": report.valid, "cap_breaches": report.cap_breaches, "placed": f.get("assigned"),
            "unplaced": f.get("unassigned"), "month_mean": month.get("mean"), "month_max": month.get("max"),
            "contact_share": f.get("contact_carer_share"), "start_sd_min": f.get("start_time_sd_minutes"),
            "travel_min": f.get("travel_minutes")}


def _curve(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per setting, each figure's mean over the seeds (and travel's spread over them)."""
    out = []
    for setting in SETTINGS:
        mine = [r for r in rows if r["setting"] == setting and "error" not in r]
        point: dict[str, Any] = {"setting": setting, "runs": len(mine)}
        for key in ("placed", *FIGURES):
            values = [float(r[key]) for r in mine if r.get(key) is not None]
            point[key] = round(statistics.mean(values), 3) if values else None
        travel = [float(r["travel_min"]) for r in mine if r.get("travel_min") is not None]
        point["travel_sd"] = round(statistics.pstdev(travel), 1) if len(travel) > 1 else 0.0
        out.append(point)
    return out


def _ratio(a: Any, b: Any) -> float | None:
    return round(float(a) / float(b), 3) if a is not None and b else None


def with_ratios(curve: list[dict[str, Any]], *, bound: dict[str, Any] | None,
                contact_bound: dict[str, Any] | None, routing: dict[str, Any] | None) -> None:
    """Each point's faces against the lower bound, contact share against the contact upper bound (for a
    plan placing as many visits) and travel against the routing peer's, in place."""
    for p in curve:
        p["mean_vs_bound"] = _ratio(p["month_mean"], (bound or {}).get("mean"))
        placed = round(p["placed"]) if p.get("placed") is not None else None
        known = contact_bound is not None and "error" not in contact_bound
        top = share_bound_at(contact_bound, placed) if known and contact_bound else None
        p["contact_bound"] = top
        p["contact_vs_bound"] = _ratio(p["contact_share"], top)
        p["travel_vs_routing"] = _ratio(p["travel_min"], (routing or {}).get("travel_min"))


def target_checks(point: dict[str, Any], routing: dict[str, Any] | None,
                  rows: list[dict[str, Any]]) -> list[tuple[str, bool | None]]:
    """The issue's targets for this point's setting (none for the settings between): (target, met or
    None for no figure). The mean and spread are judged on the seeds' means; the most carers a citizen
    meets, validity and the cap on every run of the setting (a most is not averaged away)."""
    every = [r for r in rows if r["setting"] == point["setting"]]
    mine = [r for r in every if "error" not in r]
    routing_placed = (routing or {}).get("placed")
    placed_ok = (None if routing_placed is None or point.get("placed") is None
                 else all((r.get("placed") or 0) >= routing_placed for r in mine))
    # Every run planned, and every plan valid with the cap kept.
    kept = bool(every) and len(mine) == len(every) and all(r.get("valid") and not r.get("cap_breaches")
                                                          for r in mine)

    def at_most(key: str, limit: float) -> bool | None:
        return None if point.get(key) is None else point[key] <= limit

    most = [r["month_max"] for r in mine if r.get("month_max") is not None]

    if point["setting"] == "fewest":
        t = DEFAULT_TARGETS
        contact = point.get("contact_vs_bound")
        return [("valid plans, cap kept", kept), ("placed >= routing", placed_ok),
                (f"mean <= {t['mean_vs_bound']} x bound", at_most("mean_vs_bound", t["mean_vs_bound"])),
                (f"max <= {t['max_carers']}", max(most) <= t["max_carers"] if most else None),
                (f"start spread <= {t['spread_min']:g} min", at_most("start_sd_min", t["spread_min"])),
                (f"contact >= {t['contact_vs_bound']} x contact bound",
                 None if contact is None else contact >= t["contact_vs_bound"]),
                (f"travel <= {t['travel_vs_routing']} x routing",
                 at_most("travel_vs_routing", t["travel_vs_routing"]))]
    if point["setting"] == "travel":
        limit = TRAVEL_TARGETS["travel_vs_routing"]
        return [("valid plans, cap kept", kept), ("placed >= routing", placed_ok),
                (f"travel <= {limit} x routing", at_most("travel_vs_routing", limit))]
    return []


def _verdict(checks: list[tuple[str, bool | None]]) -> str:
    """PASS only when every target has its figure and meets it, as in the planner section."""
    missed = [name for name, ok in checks if ok is False]
    unknown = [f"{name} (no figure)" for name, ok in checks if ok is None]
    return "PASS" if not missed and not unknown else "FAIL: " + "; ".join(missed + unknown)


def _reference(instance: str, out_dir: Path, bar: tqdm, quick: bool) -> dict[str, Any]:
    """The lower bound, the contact upper bound and the routing peer's verified figures for `instance`,
    each from its own child process (an error is kept in place of the figures)."""
    ref: dict[str, Any] = {}
    for key, fn in (("bound", compute_bound), ("contact_bound", compute_contact_bound)):
        bar.set_postfix_str(f"{instance} {key}")
        child = run_in_child(fn, instance, timeout=4 * 3600)
        ref[key] = child.result if child.ok else {"error": child.error[-2000:]}
    bar.set_postfix_str(f"{instance} routing peer")
    plan_path = out_dir / f"{instance}-{ROUTING}.json"
    plan_path.parent.mkdir(parents=True, exist_ok=True)
    child = run_in_child(solve_peer, ROUTING, instance, str(plan_path), quick, timeout=4 * 3600)
    ref[ROUTING] = ({**_figures(instance, str(plan_path)), "wall_s": round(child.wall_s, 1)} if child.ok
                    else {"error": child.error[-2000:]})
    return ref


def monotone(curve: list[dict[str, Any]]) -> bool | None:
    """Allowing more faces never costs more travel, beyond the seeds' spread (None: fewer than two
    settings planned, no curve to judge)."""
    points = sorted((p for p in curve if p["month_mean"] is not None and p["travel_min"] is not None),
                    key=lambda p: p["month_mean"])
    if len(points) < 2:
        return None
    return all(b["travel_min"] <= a["travel_min"] + max(a["travel_sd"], b["travel_sd"])
               for a, b in zip(points, points[1:], strict=False))


def judge(entry: dict[str, Any]) -> dict[str, Any]:
    """One instance's curve from its runs, beside its reference figures: ratios, monotony and the
    issue's targets (in place, and returned). Results of separate runs, merged, are judged alike."""
    rows, ref = entry["runs"], entry["reference"]
    curve = _curve(rows)
    routing = ref[ROUTING] if "error" not in ref[ROUTING] else None
    bound = ref["bound"] if "error" not in ref["bound"] else None
    with_ratios(curve, bound=bound, contact_bound=ref["contact_bound"], routing=routing)
    entry.update(curve=curve, monotone=monotone(curve),
                 targets={p["setting"]: _verdict(c) for p in curve if (c := target_checks(p, routing, rows))})
    return entry


def instance_markdown(instance: str, entry: dict[str, Any]) -> str:
    """The judged curve of one instance (`judge`) as RESULTS.md shows it."""
    rows, ref, curve, ok = entry["runs"], entry["reference"], entry["curve"], entry["monotone"]
    routing = ref[ROUTING] if "error" not in ref[ROUTING] else {}
    bound = ref["bound"] if "error" not in ref["bound"] else {}
    table = [[p["setting"], p["runs"], p.get("unplaced"), p.get("month_mean"), p.get("mean_vs_bound"),
              p.get("month_max"), p.get("contact_share"), p.get("contact_vs_bound"),
              p.get("start_sd_min"), p.get("travel_min"), p["travel_sd"], p.get("travel_vs_routing")]
             for p in curve]
    table.append([f"{ROUTING} peer", 1, routing.get("unplaced"), routing.get("month_mean"),
                  _ratio(routing.get("month_mean"), bound.get("mean")), routing.get("month_max"),
                  routing.get("contact_share"), None, routing.get("start_sd_min"), routing.get("travel_min"),
                  None, 1.0 if routing else None])
    cb = ref["contact_bound"]
    top = share_bound_at(cb, routing.get("placed")) if "error" not in cb else None
    table.append(["bound", None, None, bound.get("mean"), 1.0 if bound else None, None, top,
                  1.0 if top is not None else None, None, None, None, None])
    seeds = len({r["seed"] for r in rows})
    missing = [k for k in ("bound", "contact_bound", ROUTING) if "error" in ref[k]]
    all_valid = all(r.get("valid") and not r.get("cap_breaches") for r in rows)
    return (f"### {instance} ({entry['steps']} steps per team, one worker, {seeds} seed(s))\n\n"
            + md_table(["setting", "runs", "unplaced", "faces mean", "/ bound", "faces max", "contact",
                        "/ contact bound", "start sd min", "travel min", "travel sd", "/ routing"], table)
            + (f"\n\nNot measured (failed): {', '.join(missing)}" if missing else "")
            + "\n\nMore faces never cost more travel (within the seeds' spread): "
              f"{'no figure' if ok is None else 'PASS' if ok else 'FAIL'}; every run planned, every plan "
              f"valid, the cap kept: {'PASS' if all_valid else 'FAIL'}"
            + "".join(f"\n\n- {setting} setting, the issue's targets: {verdict}"
                      for setting, verdict in entry["targets"].items())
            + f"\n\nRouting peer: {fmt(routing.get('placed'))} placed, {fmt(routing.get('travel_min'))} "
              f"travel min, valid: {routing.get('valid')} (cap breaches {fmt(routing.get('cap_breaches'))}); "
              "the / columns are ratios to the bound, the contact bound for as many visits placed, and the "
              "routing peer's travel.")


def run(args: argparse.Namespace) -> tuple[dict[str, Any], str]:
    runs = 1 if args.quick else (getattr(args, "runs", None) or 3)
    out_dir = args.results_dir / "continuity_curve"
    result: dict[str, Any] = {}
    with tqdm(total=len(args.instances) * runs * len(SETTINGS), desc="continuity_curve", unit="run") as bar:
        for instance in args.instances:
            steps = QUICK_STEPS if args.quick else STEPS.get(instance, 100)
            ref = _reference(instance, out_dir, bar, bool(args.quick))
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
            result[instance] = judge({"steps": steps, "runs": rows, "reference": ref})
    return result, "\n\n".join(instance_markdown(i, e) for i, e in result.items())
