"""Section `planner`: our planner and the peers on the same instances, every plan checked by the verifier.

For each instance: the lower bound (bench.peers.bound), the upper bound on the contact-carer share
(bench.peers.contact_bound), then our planner (`solver.solve`) and each peer
(bench.peers.PEERS), each in its own child process (wall time and peak memory are that planner's
alone). Every plan is written to <results>/plans/<instance>-<planner>.json and checked with
../shared/tools/verify_plan.py; a rejected plan shows as INVALID in the table with its figures.
Our planner's ratios to the bound and the peers are then held against the issue's targets, its
contact share against the upper bound for a valid plan placing as many visits as ours (a share no plan
can exceed is the measure of the contact carers proposed, not of the planner).

Our planner runs once per seed (RUNS, or --runs): a timed run of team-m varies by about 0.1 faces
and a few minutes of start spread from seed to seed, so one run cannot tell a target met from one
missed by noise. Each run is judged on its own; a target counts as met only when every run meets it,
and the table says in how many runs it was met.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

from tqdm import tqdm

from bench.common import (
    KNOWN_INSTANCES,
    OURS,
    OWN_CHECK_NAME,
    VERIFIER_NAME,
    ChildRun,
    Verdict,
    fmt,
    generated_name,
    generated_spec,
    instance_source,
    load_problem,
    load_spread,
    md_table,
    met_in_every_run,
    plan_file,
    run_in_child,
    run_name,
    verify,
    write_plan,
)
from bench.peers import PEERS
from bench.peers.contact_bound import share_bound_at

TITLE = "Planner and peers"

# Runs (seeds 0, 1, ...) of our planner per instance; --runs overrides, --quick runs once.
RUNS = {"team-s": 3, "team-m": 3, "district-l": 3, "municipality-xl": 1}
# Our planner's time limit per instance (seconds); --quick multiplies it by QUICK_FACTOR.
TIME_LIMITS = {"team-s": 20.0, "team-m": 60.0, "district-l": 300.0, "municipality-xl": 1200.0}
QUICK_FACTOR = 0.25
QUICK_ROUTING_SECONDS = 0.3  # routing peer's search per team-day under --quick

# The targets for our planner. `placed_vs`: whose placed count ours must reach ("best peer":
# the most any peer places with a plan that holds every rule but perhaps the cap; "routing").
# The contact share is held against the contact upper bound (`contact_vs_bound` of it), as the planner
# cannot go above the share today's contact carers allow.
QUALITY = {"mean_vs_bound": 1.25, "max_carers": 8, "travel_vs_routing": 1.20, "spread_min": 15.0,
           "contact_vs_bound": 0.9}
TARGETS: dict[str, dict[str, Any]] = {
    "team-s": {"time_s": 20, "placed_vs": "best peer", **QUALITY, "informal": True},
    "team-m": {"time_s": 60, "placed_vs": "best peer", **QUALITY},
    "district-l": {"time_s": 300, "placed_vs": "routing", **QUALITY},
    "municipality-xl": {"time_s": 1200, "memory_gib": 8.0, "valid_only": True},
}

# What the author measured for the peers (placed, mean, max, travel); shown beside ours so a
# drift in a peer is visible. None: not given.
SANITY: dict[str, dict[str, tuple[int | None, float | None, int | None, int | None]]] = {
    "team-s": {"routing": (690, 9.95, 15, 4768), "careful": (675, 5.3, None, 7672)},
    "team-m": {"routing": (2812, 14.6, 23, 14600), "careful": (2758, 5.0, 9, 26000)},
}
SANITY_BOUND = {"team-s": 3.65, "team-m": 3.2}
SIZE_REFERENCE = {"s": "team-s", "m": "team-m", "l": "district-l", "xl": "municipality-xl"}


def reference(instance: str) -> str:
    """The reference instance whose time limit, runs and targets apply: a generated instance takes
    those of the reference instance of its size."""
    spec = generated_spec(instance)
    return SIZE_REFERENCE[spec[1]] if spec is not None else instance


def target_for(instance: str) -> dict[str, Any] | None:
    """The issue's targets; informal on another family's instance (`rural-m-2`). A reference name keeps
    them, also where a generated team of its size stands in for the team's file (the results say so)."""
    target = TARGETS.get(reference(instance))
    if target is not None and generated_name(instance) is not None:
        return {**target, "informal": True}
    return target



# ---------------------------------------------------------------- child-process entry points

def our_solve() -> Any:
    """`from solver import solve`, or None while it does not exist yet.

    Until solver/__init__.py re-exports it, that import yields the submodule solver.solve; then the
    function of the same name inside it is the planner.
    """
    try:
        from solver import solve  # type: ignore[attr-defined]
    except ImportError:
        return None
    found: Any = getattr(solve, "solve", None) if isinstance(solve, ModuleType) else solve
    return found if callable(found) else None


def solve_ours(instance: str, plan_path: str, time_limit: float, seed: int = 0) -> dict[str, Any]:
    """Child: run solver.solve with the bench's parameters and write the plan."""
    from solver.types import SolveParams

    solve = our_solve()
    if solve is None:
        raise RuntimeError("solver.solve is not available")
    problem = load_problem(instance)
    t0 = time.perf_counter()
    plan = solve(problem, SolveParams(time_limit=time_limit, seed=seed, workers=2))
    solve_s = time.perf_counter() - t0
    write_plan(plan, problem, plan_path)
    return {"solve_s": round(solve_s, 2), "stats": dict(plan.stats)}


def solve_peer(peer: str, instance: str, plan_path: str, quick: bool) -> dict[str, Any]:
    """Child: run one peer (bench.peers.PEERS[peer]) and write its plan."""
    module, func = PEERS[peer].split(":")
    planner = getattr(importlib.import_module(module), func)
    problem = load_problem(instance)
    t0 = time.perf_counter()
    quick_routing = quick and peer == "routing"
    plan = planner(problem, seconds=QUICK_ROUTING_SECONDS) if quick_routing else planner(problem)
    solve_s = time.perf_counter() - t0
    write_plan(plan, problem, plan_path)
    return {"solve_s": round(solve_s, 2), "stats": dict(plan.stats)}


def compute_bound(instance: str) -> dict[str, Any]:
    from bench.peers.bound import bound

    return bound(load_problem(instance)).to_dict()


def compute_contact_bound(instance: str) -> dict[str, Any]:
    from bench.peers.contact_bound import contact_share_bound

    return contact_share_bound(load_problem(instance)).to_dict()


def ours_available() -> bool:
    return our_solve() is not None


# ---------------------------------------------------------------- running

def _watch(desc: str, expected_s: float | None, call: Any, *call_args: Any, timeout: float) -> ChildRun:
    """Run a child with an inner progress bar that ticks once a second (the child reports nothing)."""
    with tqdm(total=round(expected_s) if expected_s else None, desc=desc, unit="s", leave=False,
              bar_format="{desc}: {n_fmt}s{postfix}" if not expected_s else None) as bar:
        started = time.perf_counter()

        def tick(elapsed: float) -> None:
            bar.n = min(round(elapsed), bar.total) if bar.total else round(elapsed)
            bar.refresh()

        run = run_in_child(call, *call_args, timeout=timeout, tick=tick)
        tick(time.perf_counter() - started)
    return run


def _row(name: str, run: ChildRun | None, verdict: Verdict | None, note: str = "") -> dict[str, Any]:
    row: dict[str, Any] = {"planner": name, "ran": bool(run and run.ok), "note": note}
    if run is not None:
        row["wall_s"] = run.result.get("solve_s", round(run.wall_s, 2)) if run.ok else round(run.wall_s, 2)
        # The planner's worker processes (solver/parallel.py) count too: their peaks add to the child's.
        workers_mib = run.result.get("stats", {}).get("workers_peak_rss_mib", 0.0) if run.ok else 0.0
        row["peak_rss_mib"] = round(run.peak_rss_mib + workers_mib, 1)
        if not run.ok:
            row["note"] = (note + " " + run.error.strip().splitlines()[-1] if run.error else note).strip()
            row["error"] = run.error[-3000:]
        else:
            row["stats"] = run.result.get("stats", {})
            if row["stats"].get("error"):
                row["note"] = (note + " planner reported an error (see the plan's unplaced reasons)").strip()
    if verdict is not None:
        row["verdict"] = verdict.to_dict()
        row["status"] = verdict.status()
        f = verdict.figures
        month = f.get("distinct_carers_per_citizen_month", {})
        d14 = f.get("distinct_carers_per_citizen_14d", {})
        row.update({
            "visits": f.get("visits"), "placed": f.get("assigned"), "unplaced": f.get("unassigned"),
            "month_mean": month.get("mean"), "month_median": month.get("median"),
            "month_p90": month.get("p90"), "month_max": month.get("max"),
            "d14_mean": d14.get("mean"), "d14_max": d14.get("max"),
            "contact_share": f.get("contact_carer_share"), "travel_min": f.get("travel_minutes"),
            "start_sd_min": f.get("start_time_sd_minutes"),
        })
    else:
        row["status"] = "not run" if run is None else "FAILED"
    return row


def is_ours(name: str) -> bool:
    return name == OURS or name.startswith(f"{OURS} seed ")


def our_runs(rows: Mapping[str, dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for name, r in rows.items() if is_ours(name)]


def _ratios(ours: Mapping[str, Any], routing: Mapping[str, Any], best_peer: Mapping[str, Any] | None,
            bound_mean: float | None) -> dict[str, Any]:
    if not ours.get("placed"):
        # A plan that places nothing has no continuity or travel to speak of: no ratios.
        return {"mean_vs_bound": None, "travel_vs_routing": None,
                "placed_minus_best_peer": ours["placed"] - best_peer["placed"]
                if ours.get("placed") is not None and best_peer else None}
    return {
        "mean_vs_bound": round(ours["month_mean"] / bound_mean, 3)
        if ours.get("month_mean") is not None and bound_mean else None,
        "travel_vs_routing": round(ours["travel_min"] / routing["travel_min"], 3)
        if ours.get("travel_min") is not None and routing.get("travel_min") else None,
        "placed_minus_best_peer": ours["placed"] - best_peer["placed"]
        if ours.get("placed") is not None and best_peer else None,
    }


def _run_checks(target: Mapping[str, Any], ours: Mapping[str, Any], ratios: Mapping[str, Any],
                ref: Mapping[str, Any] | None, contact_bound: Mapping[str, Any] | None,
                ) -> list[tuple[str, bool | None]]:
    """One run of ours against the targets: (target, met or None for no figure)."""
    checks: list[tuple[str, bool | None]] = []
    checks.append(("valid plan (cap held)", bool(ours["verdict"]["valid"])))
    checks.append((f"within {target['time_s']} s", ours.get("wall_s", 1e9) <= target["time_s"]))
    if "memory_gib" in target:
        checks.append((f"peak memory <= {target['memory_gib']} GiB",
                       ours.get("peak_rss_mib", 1e12) <= target["memory_gib"] * 1024))
    if target.get("valid_only"):
        return checks
    checks.append((f"placed >= {target['placed_vs']}",
                   None if not ref or ref.get("placed") is None else ours["placed"] >= ref["placed"]))
    checks.append((f"mean <= {target['mean_vs_bound']} x bound",
                   None if ratios["mean_vs_bound"] is None
                   else ratios["mean_vs_bound"] <= target["mean_vs_bound"]))
    placed_any = bool(ours.get("placed"))
    checks.append((f"max <= {target['max_carers']}",
                   ours["month_max"] <= target["max_carers"] if placed_any else None))
    checks.append((f"travel <= {target['travel_vs_routing']} x routing",
                   None if ratios["travel_vs_routing"] is None
                   else ratios["travel_vs_routing"] <= target["travel_vs_routing"]))
    checks.append((f"start spread <= {target['spread_min']} min",
                   ours["start_sd_min"] <= target["spread_min"] if placed_any else None))
    ceiling = share_bound_at(contact_bound, ours.get("placed")) if contact_bound else None
    checks.append((f"contact share >= {target['contact_vs_bound']} x contact bound",
                   None if ceiling is None or not placed_any
                   else (ours["contact_share"] or 0) >= target["contact_vs_bound"] * ceiling))
    return checks


def _judge(instance: str, rows: dict[str, dict[str, Any]], bound_mean: float | None,
           contact_bound: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Our ratios and each target's pass/fail for one instance, over every run of ours.

    `contact_bound` (ContactBound.to_dict()): our contact share is held against its upper bound for a
    plan placing as many visits as ours. With several runs a target is met only when each run meets it;
    ratios are the runs' means.
    """
    runs = our_runs(rows) or [{}]
    routing = rows.get("routing", {})
    usable = [r for name, r in rows.items() if not is_ours(name) and r.get("verdict")
              and (r["verdict"]["valid"] or r["verdict"]["status"].startswith("INVALID (cap"))]
    best_peer = max(usable, key=lambda r: r.get("placed") or 0, default=None)
    by_run = [_ratios(r, routing, best_peer, bound_mean) for r in runs]
    ratios: dict[str, Any] = {}
    for key in ("mean_vs_bound", "travel_vs_routing", "placed_minus_best_peer"):
        values = [r[key] for r in by_run]
        if any(v is None for v in values):
            ratios[key] = None
        elif key == "placed_minus_best_peer":
            ratios[key] = min(values)  # the worst run: placing is the first goal
        else:
            ratios[key] = round(sum(values) / len(values), 3)
    ratios["best_peer"] = best_peer["planner"] if best_peer else None
    if len(runs) > 1:
        ratios["by_run"] = by_run
    target = target_for(instance)
    listed: list[dict[str, Any]] = []
    failed: list[str] = []
    unknown: list[str] = []
    per_run: list[list[tuple[str, bool | None]]] = []
    if target:
        ref = best_peer if target.get("placed_vs") == "best peer" else routing
        per_run = [_run_checks(target, r, q, ref, contact_bound)
                   for r, q in zip(runs, by_run, strict=True) if r.get("verdict")]
        if len(per_run) < len(runs):
            name = "every run produced a plan" if per_run else "our planner ran and produced a plan"
            listed.append({"target": name, "ok": False})
            failed.append(name)
    for i, (name, _) in enumerate(per_run[0] if per_run else []):
        oks = [checks[i][1] for checks in per_run]
        ok = met_in_every_run(oks)
        entry: dict[str, Any] = {"target": name, "ok": ok}
        if len(per_run) > 1:
            entry |= {"runs_met": oks.count(True), "runs": len(oks)}
        label = name + (f" (met in {oks.count(True)} of {len(oks)} runs)" if len(per_run) > 1 and ok is False
                        else "")
        listed.append(entry)
        if ok is False:
            failed.append(label)
        elif ok is None:
            unknown.append(name)
    verdict = "—" if not listed else ("PASS" if not failed and not unknown else
                                      "FAIL: " + "; ".join(failed + [f"{u} (no figure)" for u in unknown]))
    if target and target.get("informal") and listed:
        verdict += " (informal: team-m's targets)"
    return {"ratios": ratios, "checks": listed, "verdict": verdict}


def _bound_figures(result: dict[str, Any], key: str, label: str, fn: Callable[[str], Any], instance: str,
                   timeout: float, outer: tqdm) -> dict[str, Any] | None:
    """Run one bound in its own watched process; store its figures (or error) under result[key]."""
    outer.set_postfix_str(label)
    run = _watch(label, None, fn, instance, timeout=timeout)
    figures: dict[str, Any] | None = run.result if run.ok else None
    result[key] = figures or {"error": run.error[-2000:]}
    if figures is not None:
        figures["wall_s"] = round(run.wall_s, 2)
        figures["peak_rss_mib"] = round(run.peak_rss_mib, 1)
    outer.update()
    return figures


def runs_for(instance: str, args: argparse.Namespace) -> int:
    if getattr(args, "quick", False):
        return 1
    return getattr(args, "runs", None) or RUNS.get(reference(instance), 1)


def run_instance(instance: str, args: argparse.Namespace, outer: tqdm) -> dict[str, Any]:
    plans_dir = Path(args.results_dir) / "plans"
    quick = bool(getattr(args, "quick", False))
    limit = TIME_LIMITS.get(reference(instance), 60.0) * (QUICK_FACTOR if quick else 1.0)
    result: dict[str, Any] = {"time_limit_s": limit, "source": instance_source(instance)}

    bound = _bound_figures(result, "bound", f"{instance} bound", compute_bound, instance, 4 * 3600, outer)
    contact_bound = _bound_figures(result, "contact_bound", f"{instance} contact upper bound",
                                   compute_contact_bound, instance, 3600, outer)

    rows: dict[str, dict[str, Any]] = {}
    ours: list[tuple[str, int | None]] = [(run_name(s), s) for s in range(runs_for(instance, args))]
    for name, seed in [*ours, *((peer, None) for peer in PEERS)]:
        outer.set_postfix_str(f"{instance}: {name}")
        plan_path = plan_file(plans_dir, instance, name)
        plan_path.unlink(missing_ok=True)  # never verify a stale plan from an earlier run
        if seed is not None and not ours_available():
            rows[name] = _row(name, None, None, note="solver.solve not available yet")
            outer.update()
            continue
        if seed is not None:
            run = _watch(f"{instance} {name}", limit, solve_ours, instance, str(plan_path), limit, seed,
                         timeout=limit * 1.5 + 300)
        else:
            run = _watch(f"{instance} {name}", None, solve_peer, name, instance, str(plan_path), quick,
                         timeout=4 * 3600)
        verdict = verify(instance, plan_path) if run.ok and plan_path.exists() else None
        rows[name] = _row(name, run, verdict)
        if verdict is not None:
            rows[name]["load_sd_pp"] = load_spread(load_problem(instance), plan_path)
        outer.update()
    result["planners"] = rows
    result.update(_judge(instance, rows, bound["mean"] if bound else None, contact_bound))
    return result


def _markdown(results: dict[str, Any]) -> str:
    parts = []
    checkers = {r["verdict"].get("checker", VERIFIER_NAME) for res in results.values()
                for r in res["planners"].values() if r.get("verdict")}
    # Without ../shared the planner's own check judges (and the audit counts the figures as the verifier).
    checker = " and ".join(sorted(checkers)) if checkers else VERIFIER_NAME
    if OWN_CHECK_NAME in checkers:
        checker += " with the audit's figures, counted as verify_plan.py counts them"
    headers = ["planner", "verifier", "placed", "mean", "median", "p90", "max", "14d mean", "14d max",
               "contact", "travel min", "start sd min", "load sd pp", "wall s", "peak MiB"]
    summary = []
    for instance, res in results.items():
        rows = []
        for r in res["planners"].values():
            placed = f"{r['placed']:,}/{r['visits']:,}" if r.get("placed") is not None else None
            rows.append([r["planner"], r["status"] + (f" — {r['note']}" if r.get("note") else ""), placed,
                         r.get("month_mean"), r.get("month_median"), r.get("month_p90"), r.get("month_max"),
                         r.get("d14_mean"), r.get("d14_max"), r.get("contact_share"), r.get("travel_min"),
                         r.get("start_sd_min"), r.get("load_sd_pp"), r.get("wall_s"), r.get("peak_rss_mib")])
        runs = [r for r in our_runs(res["planners"]) if r.get("verdict")]
        if len(runs) > 1:
            rows.insert(len(our_runs(res["planners"])), _mean_row(runs))
        b = res.get("bound", {})
        rows.append(["lower bound", "—" if "mean" in b else f"failed: {b.get('error', '')[-80:]}", None,
                     b.get("mean"), None, None, b.get("max"), None, None, None, None, None, None,
                     b.get("wall_s"), b.get("peak_rss_mib")])
        cb = res.get("contact_bound")
        if cb is not None:  # absent from results stored before it existed
            status = (f"— (eligible: {fmt(cb['eligible_share'])})" if "share" in cb
                      else f"failed: {cb.get('error', '')[-80:]}")
            rows.append(["contact upper bound", status, None, None, None, None, None, None, None,
                         cb.get("share"), None, None, None, cb.get("wall_s"), cb.get("peak_rss_mib")])
        heading = f"### {instance} (our time limit {res['time_limit_s']:g} s, run {res.get('finished', '?')})"
        source = f"Instance: {res['source']}.\n\n" if "source" in res else ""
        parts.append(heading + "\n\n" + source + md_table(headers, rows))
        ra = res["ratios"]
        summary.append([instance, _with_range(ra, "mean_vs_bound"), _with_range(ra, "travel_vs_routing"),
                        None if ra["placed_minus_best_peer"] is None
                        else f"{ra['placed_minus_best_peer']:+d} vs {ra['best_peer']}", res["verdict"]])
    sanity = []
    for instance, res in results.items():
        if str(res.get("source", "")).startswith("generated"):
            continue  # the issue measured its figures on the team's reference files
        for peer, (s_placed, s_mean, s_max, s_travel) in SANITY.get(instance, {}).items():
            r = res["planners"].get(peer, {})
            sanity.append([instance, peer, f"{fmt(r.get('placed'))} ({fmt(s_placed)})",
                           f"{fmt(r.get('month_mean'))} ({fmt(s_mean)})",
                           f"{fmt(r.get('month_max'))} ({fmt(s_max)})",
                           f"{fmt(r.get('travel_min'))} ({fmt(s_travel)})"])
        if instance in SANITY_BOUND:
            sanity.append([instance, "lower bound", "", f"{fmt(res.get('bound', {}).get('mean'))} "
                           f"({fmt(SANITY_BOUND[instance])})", "", ""])
    if sanity:
        parts.append("### Peers against the issue's measured figures (in brackets)\n\n" + md_table(
            ["instance", "peer", "placed", "mean", "max", "travel min"], sanity))
    parts.append("### Our planner against the targets\n\n" + md_table(
        ["instance", "our mean / bound", "our travel / routing", "our placed vs best peer (worst run)",
         "targets"],
        summary))
    parts.append("ours seed N: our planner again with seed N (ours: seed 0); mean of N runs: their "
                 "figures averaged. Targets are judged on each run and count as met only when every run "
                 "meets them; ratios are the runs' means (lowest-highest run in brackets). "
                 "mean/median/p90/max: distinct carers per citizen-month; 14d: per citizen per 14 days; "
                 "contact: share of visits with the contact carer (contact upper bound: no valid plan "
                 "placing every visit goes above it; eligible: the share of visits whose contact carer has "
                 "the skills and a shift for them); start sd: mean standard deviation of a need's start "
                 "time; wall: the planner's own solve time; peak: the child process's max RSS, plus "
                 "the max RSS of each of our planner's worker processes (they run side by side). All "
                 f"figures from {checker}; INVALID plans keep their figures.")
    return "\n\n".join(parts)


MEAN_OF = ("month_mean", "month_median", "month_p90", "month_max", "d14_mean", "d14_max", "contact_share",
           "travel_min", "start_sd_min", "load_sd_pp", "wall_s", "peak_rss_mib")


def _mean_row(runs: list[dict[str, Any]]) -> list[Any]:
    """Our runs' figures averaged, in the table's columns (placed as the mean count)."""
    def mean(key: str) -> float | int | None:
        values = [r.get(key) for r in runs]
        if any(v is None for v in values):
            return None
        average = sum(values) / len(values)  # type: ignore[arg-type]
        return round(average) if key == "travel_min" else round(average, 2)
    placed = mean("placed")
    digits = 0 if placed is not None and placed == int(placed) else 1
    return [f"{OURS}, mean of {len(runs)} runs", "—",
            f"{placed:,.{digits}f}/{runs[0]['visits']:,}" if placed is not None else None,
            *(mean(key) for key in MEAN_OF)]


def _with_range(ratios: Mapping[str, Any], key: str) -> str | float | None:
    """A ratio, and with several runs the lowest and highest run beside it."""
    runs = [r[key] for r in ratios.get("by_run", []) if r.get(key) is not None]
    if len(runs) < 2 or ratios.get(key) is None:
        return ratios.get(key)
    return f"{ratios[key]:.3f} ({min(runs):.3f}-{max(runs):.3f})"


def _earlier(args: argparse.Namespace) -> dict[str, Any]:
    """This section's per-instance results from the last runs (results.json), same --quick mode."""
    try:
        stored = json.loads((Path(args.results_dir) / "results.json").read_text(encoding="utf-8"))
        section = stored["sections"]["planner"]
        result = section["result"]
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    if bool(result.get("quick")) != bool(args.quick):
        return {}
    earlier = dict(result.get("instances", {}))
    for name, res in earlier.items():
        res.setdefault("finished", section.get("finished", "?"))
        if "planners" in res:  # judged again: the checks may have changed since
            res.update(_judge(name, res["planners"], (res.get("bound") or {}).get("mean"),
                              res.get("contact_bound")))
    return earlier


def run(args: argparse.Namespace) -> tuple[dict[str, Any], str]:
    """Run the chosen instances; instances run earlier (and not now) keep their stored results,
    so `--instances district-l` refreshes one table without losing the others."""
    results = _earlier(args)
    total = sum(2 + runs_for(instance, args) + len(PEERS) for instance in args.instances)
    with tqdm(total=total, desc="planner", unit="run") as outer:
        for instance in args.instances:
            results[instance] = run_instance(instance, args, outer)
            results[instance]["finished"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    order = {name: i for i, name in enumerate(KNOWN_INSTANCES)}
    results = dict(sorted(results.items(), key=lambda kv: (order.get(kv[0], len(order)), kv[0])))
    out = {"instances": results, "ours_available": ours_available(), "quick": bool(args.quick)}
    return out, _markdown(results)
