"""Our planner, step-counted, on each generated family against the issue's targets for the default setting.

    PYTHONPATH=. python scripts/families_table.py                      # every family, size m, seeds 1,2
    PYTHONPATH=. python scripts/families_table.py --families double,rural --seeds 1 --steps 300
    PYTHONPATH=. python scripts/families_table.py --reference-only     # the bounds and peers alone
    PYTHONPATH=. python scripts/families_table.py --label mine --plans /tmp/fam-mine  # a build

Per instance (`F-SIZE-SEED`, exchange/generator.py): the lower bound on faces (bench/peers/bound.py), the
contact upper bound (bench/peers/contact_bound.py) and every peer (bench/peers), each plan checked by the
verifier; these are cached as JSON in --cache (the peers are time-limited, so a cached figure is the one
every build is held against). Then our planner with `--steps` search steps per team, one worker and the
seed (the same plan on any machine whatever the load), its figures cached under --label. The table holds
each run against the issue's targets for the fewest-faces setting (bench/planner.py QUALITY): placed at
least the best peer's (a peer plan holding every rule but perhaps the cap), mean faces <= 1.25 x the
bound, max <= 8, start spread <= 15 min, contact >= 0.9 x the contact bound for as many placed, travel
<= 1.20 x the routing peer's.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from pathlib import Path
from typing import Any

from tqdm import tqdm

from bench.common import load_problem, md_table, verify, write_plan
from bench.peers import PEERS
from bench.peers.contact_bound import share_bound_at
from bench.planner import QUALITY, compute_bound, compute_contact_bound
from exchange.generator import FAMILIES

ROUTING = "routing"


def _figures(instance: str, plan_path: Path) -> dict[str, Any]:
    report = verify(instance, plan_path)
    f = report.figures
    month = f.get("distinct_carers_per_citizen_month", {})
    return {"valid": report.valid, "cap_only": report.only_cap_broken, "cap_breaches": report.cap_breaches,
            "placed": f.get("assigned"), "visits": f.get("visits"), "month_mean": month.get("mean"),
            "month_max": month.get("max"), "contact_share": f.get("contact_carer_share"),
            "start_sd_min": f.get("start_time_sd_minutes"), "travel_min": f.get("travel_minutes")}


def _cached(path: Path, make: Any) -> dict[str, Any]:
    if path.exists():
        return dict(json.loads(path.read_text(encoding="utf-8")))
    value = make()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, indent=1), encoding="utf-8")
    return dict(value)


def reference(instance: str, cache: Path, peer_seconds: float) -> dict[str, Any]:
    """The bound, the contact bound and each peer's verified figures for `instance` (cached)."""
    ref: dict[str, Any] = {
        "bound": _cached(cache / f"{instance}-bound.json", lambda: compute_bound(instance)),
        "contact_bound": _cached(cache / f"{instance}-contact-bound.json",
                                 lambda: compute_contact_bound(instance)),
    }
    for peer, target in PEERS.items():
        def run_peer(peer: str = peer, target: str = target) -> dict[str, Any]:
            module, func = target.split(":")
            planner = getattr(importlib.import_module(module), func)
            problem = load_problem(instance)
            plan = planner(problem, seconds=peer_seconds) if peer == ROUTING else planner(problem)
            plan_path = cache / f"{instance}-{peer}.json"
            write_plan(plan, problem, plan_path)
            return _figures(instance, plan_path)
        ref[peer] = _cached(cache / f"{instance}-{peer}-figures.json", run_peer)
    return ref


def ours(instance: str, seed: int, steps: int, plans: Path, label: str, setting: str) -> dict[str, Any]:
    """Our planner's verified figures, step-counted (cached per label, setting, steps and seed)."""
    from solver import SolveParams, solve
    from solver.objective import weights_for

    def run() -> dict[str, Any]:
        problem = load_problem(instance)
        plan = solve(problem, SolveParams(time_limit=86400.0, seed=seed, max_iterations=steps,
                                          weights=weights_for(setting)))
        plan_path = plans / f"{instance}-{setting}-{steps}-{label}.json"
        write_plan(plan, problem, plan_path)
        return _figures(instance, plan_path)

    return _cached(plans / f"{instance}-{setting}-{steps}-{label}-figures.json", run)


def _ratio(a: Any, b: Any) -> float | None:
    return round(float(a) / float(b), 3) if a is not None and b else None


def judge(mine: dict[str, Any], ref: dict[str, Any]) -> dict[str, Any]:
    """Ratios and the targets met (True / False / None for no figure) for one run of ours."""
    held = {p: ref[p] for p in PEERS if ref[p].get("valid") or ref[p].get("cap_only")}
    best = max(held, key=lambda p: held[p]["placed"] or 0) if held else None
    top = share_bound_at(ref["contact_bound"], mine.get("placed"))
    r: dict[str, Any] = {"best_peer": best, "best_placed": held[best]["placed"] if best else None,
         "mean_vs_bound": _ratio(mine.get("month_mean"), ref["bound"].get("mean")),
         "contact_vs_bound": _ratio(mine.get("contact_share"), top),
         "travel_vs_routing": _ratio(mine.get("travel_min"), ref[ROUTING].get("travel_min"))}
    # Under load the routing peer may place far fewer visits than ours: travel per placed visit then
    # says more than the totals (shown beside the target's ratio, not judged).
    per_visit = [x["travel_min"] / x["placed"] if x.get("travel_min") and x.get("placed") else None
                 for x in (mine, ref[ROUTING])]
    r["travel_per_visit_vs_routing"] = _ratio(*per_visit)

    def at_most(v: Any, limit: float) -> bool | None:
        return None if v is None else v <= limit

    r["met"] = {
        "valid": bool(mine.get("valid")),
        "placed": None if best is None else (mine.get("placed") or 0) >= (r["best_placed"] or 0),
        "mean": at_most(r["mean_vs_bound"], QUALITY["mean_vs_bound"]),
        "max": at_most(mine.get("month_max"), QUALITY["max_carers"]),
        "spread": at_most(mine.get("start_sd_min"), QUALITY["spread_min"]),
        "contact": None if r["contact_vs_bound"] is None
        else float(r["contact_vs_bound"]) >= QUALITY["contact_vs_bound"],
        "travel": at_most(r["travel_vs_routing"], QUALITY["travel_vs_routing"]),
    }
    return r


def _mark(value: Any, ok: bool | None) -> str:
    text = "—" if value is None else f"{value:,}" if isinstance(value, int) else f"{value:g}"
    return text if ok is None or ok else f"**{text}**"


def table(rows: list[tuple[str, int, dict[str, Any], dict[str, Any]]]) -> str:
    """Markdown: one line per run; a missed target in bold."""
    out = []
    for instance, seed, mine, ref in rows:
        j = judge(mine, ref)
        m = j["met"]
        routing = ref[ROUTING]
        out.append([instance, seed,
                    _mark(mine.get("placed"), m["placed"]) + f" / {j['best_placed']:,} ({j['best_peer']})"
                    if j["best_placed"] is not None else mine.get("placed"),
                    routing.get("placed"),
                    mine.get("month_mean"), ref["bound"].get("mean"), _mark(j["mean_vs_bound"], m["mean"]),
                    _mark(mine.get("month_max"), m["max"]), _mark(mine.get("start_sd_min"), m["spread"]),
                    _mark(j["contact_vs_bound"], m["contact"]),
                    mine.get("travel_min"), routing.get("travel_min"),
                    _mark(j["travel_vs_routing"], m["travel"]), j["travel_per_visit_vs_routing"],
                    "valid" if m["valid"] else "INVALID",
                    sum(1 for ok in m.values() if ok) if all(ok is not None for ok in m.values()) else "?"])
    headers = ["instance", "seed", "placed / best peer", "routing placed", "faces", "bound", "/ bound",
               "max", "spread", "contact / bound", "travel", "routing travel", "/ routing",
               "per visit / routing's", "verifier", "targets met (of 7)"]
    return md_table(headers, out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--families", default=",".join(FAMILIES))
    ap.add_argument("--size", default="m")
    ap.add_argument("--seeds", default="1,2")
    ap.add_argument("--steps", type=int, default=300, help="search steps per team (default 300)")
    ap.add_argument("--setting", default="fewest", help="continuity setting (objective.weights_for)")
    ap.add_argument("--peer-seconds", type=float, default=2.0,
                    help="routing peer's search per team-day, seconds (default 2: generous under load)")
    ap.add_argument("--cache", type=Path, default=Path("/tmp/families-peer"),
                    help="bounds' and peers' figures and plans (default /tmp/families-peer)")
    ap.add_argument("--plans", type=Path, default=Path("/tmp/families-ours"), help="our plans and figures")
    ap.add_argument("--label", default="main", help="names this build's cached figures (default main)")
    ap.add_argument("--reference-only", action="store_true", help="the bounds and peers only")
    ap.add_argument("--ours-only", action="store_true",
                    help="our planner only (no table; the bounds and peers may run meanwhile elsewhere)")
    args = ap.parse_args(argv)
    instances = [(f"{f}-{args.size}-{s}", s) for f in args.families.split(",") for s in
                 (int(x) for x in args.seeds.split(","))]
    rows = []
    with tqdm(total=len(instances) * (1 if args.reference_only else 2), desc="families", unit="step") as bar:
        for instance, seed in instances:
            bar.set_postfix_str(f"{instance} bounds and peers")
            ref = {} if args.ours_only else reference(instance, args.cache, args.peer_seconds)
            bar.update()
            if args.reference_only:
                continue
            bar.set_postfix_str(f"{instance} ours")
            mine = ours(instance, seed, args.steps, args.plans, args.label, args.setting)
            bar.update()
            rows.append((instance, seed, mine, ref))
    if rows and not args.ours_only:
        print(table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
