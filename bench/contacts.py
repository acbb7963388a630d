"""Section `contacts`: what proposing contact carers (solver/contacts.py) does to a fresh plan.

Per instance and seed, our planner plans twice with the same number of search steps (one worker, so the
two differ only by the contacts): with today's contact carers, and with the proposed ones (an instance
file with the contacts replaced). Each plan is checked by the verifier against its own instance. Beside
them: the reach of today's and of the proposed contacts (visits the contact carer is eligible for) and
the reach bound, the most any choice of contacts could reach, which no plan's contact share passes
while it places every visit: a target above it is out of reach with this roster.

    python -m bench --sections contacts --instances team-m,district-l --runs 3
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from typing import Any

from tqdm import tqdm

from bench.common import instance_path, load_problem, md_table, run_in_child, verify, write_plan

TITLE = "Contact-carer proposals"
STEPS = {"team-s": 320, "team-m": 300, "district-l": 120, "municipality-xl": 60}
QUICK_STEPS = 40
TARGET_SHARE = {"team-m": 0.6}


def solve_with(instance: str, plan_path: str, seed: int, steps: int) -> dict[str, Any]:
    """Child: plan `instance` (a name or an instance file) with `steps` search steps per team."""
    from solver import SolveParams, solve

    problem = load_problem(instance)
    plan = solve(problem, SolveParams(time_limit=24 * 3600.0, seed=seed, max_iterations=steps))
    write_plan(plan, problem, plan_path)
    return {}


def _with_contacts(instance: str, contacts: dict[str, str], path: Any) -> str:
    doc = json.loads(instance_path(instance).read_text(encoding="utf-8"))
    for p in doc["citizens"]:
        if p["id"] in contacts:
            p["contact"] = contacts[p["id"]]
    path.write_text(json.dumps(doc), encoding="utf-8")
    return str(path)


def _figures(instance: str, plan_path: str) -> dict[str, Any]:
    verdict = verify(instance, plan_path)
    f = verdict.figures
    month = f.get("distinct_carers_per_citizen_month", {})
    return {"valid": verdict.valid, "unplaced": f.get("unassigned"), "share": f.get("contact_carer_share"),
            "faces_mean": month.get("mean"), "faces_max": month.get("max"), "travel": f.get("travel_minutes")}


def run(args: argparse.Namespace) -> tuple[dict[str, Any], str]:
    from solver.contacts import propose_contacts, reach_bound

    runs = 1 if args.quick else (getattr(args, "runs", None) or 3)
    out_dir = args.results_dir / "contacts"
    out_dir.mkdir(parents=True, exist_ok=True)
    result: dict[str, Any] = {}
    parts = []
    with tqdm(total=len(args.instances) * runs * 2, desc="contacts", unit="plan") as bar:
        for instance in args.instances:
            problem = load_problem(instance)
            t0 = time.perf_counter()
            proposal = propose_contacts(problem, time_limit=60.0)
            propose_s = round(time.perf_counter() - t0, 1)
            bound = reach_bound(problem)
            proposed_file = _with_contacts(instance, proposal.contacts(),
                                           out_dir / f"{instance}-proposed.json")
            steps = QUICK_STEPS if args.quick else STEPS.get(instance, 100)
            rows = []
            for seed in range(runs):
                for label, source in (("today", instance), ("proposed", proposed_file)):
                    plan_path = out_dir / f"{instance}-seed{seed}-{label}.json"
                    child = run_in_child(solve_with, source, str(plan_path), seed, steps)
                    row: dict[str, Any] = {"seed": seed, "contacts": label, "wall_s": round(child.wall_s, 1)}
                    if child.ok:
                        row.update(_figures(source, str(plan_path)))
                    else:
                        row["error"] = child.error[-2000:]
                    rows.append(row)
                    bar.update()
            mean = {label: {k: statistics.mean(float(r[k]) for r in rows if r["contacts"] == label
                                               and r.get(k) is not None) for k in ("share", "faces_mean")}
                    for label in ("today", "proposed")}
            faces_ok = all(
                (p.get("faces_max") or 0) <= (t.get("faces_max") or 0)
                and (p.get("faces_mean") or 0) <= (t.get("faces_mean") or 0) + 0.1
                for t, p in zip(rows[0::2], rows[1::2], strict=True))
            target = TARGET_SHARE.get(instance)
            result[instance] = {"steps": steps, "runs": rows, "reach_now": proposal.share_now,
                                "reach_proposed": proposal.share_proposed, "reach_bound": bound,
                                "changed": sum(p.changes for p in proposal.proposals),
                                "citizens": len(proposal.proposals), "propose_s": propose_s,
                                "optimal": proposal.optimal, "mean": mean, "faces_not_worse": faces_ok}
            how = "optimal" if proposal.optimal else "time limit"
            lines = [f"### {instance} ({steps} steps per team, one worker)", "",
                     f"- Proposal: {result[instance]['changed']} of {len(proposal.proposals)} citizens get "
                     f"another contact carer ({propose_s} s, {how}).",
                     f"- Reach (visits the contact carer is eligible for): today {proposal.share_now}, "
                     f"proposed {proposal.share_proposed}, the most any contacts could reach {bound}.",
                     f"- Contact share of a fresh plan: today {mean['today']['share']:.3f}, with the "
                     f"proposal {mean['proposed']['share']:.3f} (mean of {runs} seeds).",
                     f"- Distinct carers per citizen-month not worse with the proposal: "
                     f"{'PASS' if faces_ok else 'FAIL'}."]
            if target is not None:
                status = "PASS" if mean["proposed"]["share"] >= target else "FAIL"
                lines.append(f"- Target share {target}: {status}" + (
                    f"; out of reach: no choice of contacts reaches more than {bound} of the visits "
                    "(a contact carer makes only visits they are eligible for)" if bound < target else ""))
            table = [[r["seed"], r["contacts"], r.get("valid"), r.get("unplaced"), r.get("share"),
                      r.get("faces_mean"), r.get("faces_max"), r.get("travel"), r["wall_s"]] for r in rows]
            parts.append("\n".join(lines) + "\n\n" + md_table(
                ["seed", "contacts", "valid", "unplaced", "contact share", "faces mean", "faces max",
                 "travel min", "wall s"], table))
    return result, "\n\n".join(parts)
