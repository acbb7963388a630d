"""Section `coordinator_help`: the coordinator's daily helpers, timed and judged on a planned team.

- Who could take a visit (app/replan/candidates.rank_carers): seconds per ranked list for visits drawn
  at random from the plan (planned and unplaced), and how often the first suggestion adds no new face
  when some suggestion does not.
- Sick calls (app/replan/scenarios.py `sick1` and `sick3`, seeds SICK_SEEDS): the visits a sick carer
  leaves, each offered in turn; where a carer the citizen already meets could come, the first suggestion
  is applied. Counted: how often the first suggestion is such a known carer, and, from the verifier's own
  figures on the adjusted instance, that the plan with them applied is valid and its distinct carers per
  citizen-month (mean) no higher than with those visits left open (so no suggestion added a face).
- Where a new citizen fits (app/replan/fit.fit_citizen): a citizen next to the team's first citizen with a
  morning, a lunch and an evening visit every day of the plan; seconds, visits placed, distinct carers in
  the month against the bound (the fewest carers whose shifts, skills and avoid list could cover every
  one of those visits: no plan does with fewer faces), the other visits moved to make room, new faces the
  moves gave other citizens, and the verifier's verdict on the plan with the proposal applied. Beside it,
  the period planned afresh with the new citizen in it (what the page's one-click re-plan starts from).

The plan is our planner's, step-counted (the same plan on any machine).

    python -m bench --sections coordinator_help --instances team-m district-l
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from tqdm import tqdm

from bench.common import load_instance, load_problem, md_table, plan_doc, verify, write_plan

TITLE = "The coordinator's helpers: who could take a visit, sick calls, where a new citizen fits"
STEPS = {"team-s": 200, "team-m": 150, "district-l": 60}
QUICK_STEPS = 30
DRAWN = 20
SICK_SEEDS = (0, 1, 2)
TARGETS = {"rank_s": 1.0, "fit_s": 10.0, "fit_faces": 4}


def with_new_citizen(problem: Any) -> Any:
    """`problem` with the bench's new citizen: a morning, a lunch and an evening visit every day."""
    from solver import types as st

    first = problem.citizens[0]
    citizen = st.Citizen("bench-new", first.team, first.lat + 0.001, first.lon + 0.001)
    problem.citizens.append(citizen)
    for d in range(problem.days):
        for need, lo, hi in (("morning", 420, 540), ("lunch", 690, 780), ("evening", 1020, 1140)):
            problem.visits.append(st.Visit(f"bench-new-d{d:02d}-{need}", citizen.id, need, d, lo, hi, 30))
    return problem


def _verified(problem: Any, assignments: list[Any], work: Path, tag: str) -> Any:
    """The verifier's verdict on `assignments` as a plan of `problem` (both written to `work`)."""
    from exchange import problem_to_instance
    from solver.types import Plan, Unplaced

    inst = work / f"{tag}.instance.json"
    inst.write_text(json.dumps(problem_to_instance(problem)))
    placed = {a.visit for a in assignments}
    unplaced = [Unplaced(v.id, "left open") for v in problem.visits if v.id not in placed]
    plan = write_plan(Plan(assignments=assignments, unplaced=unplaced), problem, work / f"{tag}.plan.json")
    return verify(inst, plan)


def fit_new_citizen(newcomer: Any, plan: Any, work: Path, tag: str) -> tuple[Any, dict[str, Any]]:
    """`newcomer` (`with_new_citizen`) fitted into `plan` with `fit_citizen`'s defaults, and what the fit row
    shows of it: seconds and CPU seconds, visits placed, the new citizen's carers in the month against the
    bound, other visits moved (and of those, given to another carer), new faces the moves gave other
    citizens, and the verifier's verdict on the plan with the proposal applied."""
    from app.replan.fit import fit_citizen

    t0, c0 = time.perf_counter(), time.process_time()
    fit = fit_citizen(newcomer, plan.assignments, "bench-new")
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    fitted = {a.visit: a for a in plan.assignments}
    fitted.update({a.visit: a for a in fit.assignments()})
    verdict = _verified(newcomer, list(fitted.values()), work, tag)
    visit = {v.id: v for v in newcomer.visits}
    met: dict[tuple[str, Any], set[str]] = {}
    for a in plan.assignments:
        v = visit[a.visit]
        met.setdefault((v.citizen, newcomer.month_of(v.day)), set()).update(a.carers)
    months: dict[Any, set[str]] = {}
    for placed in fit.visits:
        if placed.carers:
            months.setdefault(newcomer.month_of(visit[placed.visit].day), set()).update(placed.carers)
    return fit, {
        "s": seconds, "cpu_s": cpu, "placed": f"{fit.placed}/{len(fit.visits)}",
        "faces_month_max": max((len(x) for x in months.values()), default=0), "faces_bound": fit.bound,
        "moves": len(fit.moves),
        "moves_other_carer": sum(1 for mv in fit.moves if mv.new_carers != mv.old_carers),
        "new_faces_others": sum(1 for mv in fit.moves for c in mv.new_carers
                                if c not in met.get((mv.citizen, newcomer.month_of(mv.day)), set())),
        "added_travel": fit.added_travel, "verifier": verdict.status()}


def sick_calls(instance: str, problem: Any, plan: Any, work: Path) -> dict[str, Any]:
    """The sick-call scenarios on the plan: first suggestions against known carers, judged by the verifier."""
    from app.replan.candidates import rank_carers
    from app.replan.changes import apply_changes
    from app.replan.scenarios import make_scenario, scenario_day
    from exchange.changes import parse_changes
    from solver.types import Assignment

    inst = load_instance(instance)
    doc_of_plan = plan_doc(plan, problem)
    day_of = {v.id: v.day for v in problem.visits}
    out: dict[str, Any] = {"visits": 0, "known_possible": 0, "first_known": 0, "checked": 0, "valid": 0,
                           "no_added_face": 0, "cases": []}
    for seed in SICK_SEEDS:
        day = scenario_day(inst, seed)
        for name in ("sick1", "sick3"):
            doc = make_scenario(name, inst, day=day, span=1, seed=seed, plan=doc_of_plan)
            adjusted = apply_changes(problem, parse_changes(doc, problem))
            sick = {c["carer"] for c in doc["changes"] if c["type"] == "carer_absent"}
            left = sorted((a for a in plan.assignments if day_of[a.visit] == day and set(a.carers) & sick),
                          key=lambda a: (a.start, a.visit))
            open_plan = [a for a in plan.assignments if a not in left]
            applied = list(open_plan)
            known = first = 0
            for a in left:
                ranked = rank_carers(adjusted, applied, a.visit, limit=10)
                if any(not c.new_faces for c in ranked):
                    known += 1
                    first += not ranked[0].new_faces
                    applied.append(Assignment(a.visit, tuple(sorted(ranked[0].carers)), ranked[0].start))
            tag = f"{instance}-{name}-s{seed}"
            before = _verified(adjusted, open_plan, work, f"{tag}-open")
            after = _verified(adjusted, applied, work, f"{tag}-first")
            mean = "distinct_carers_per_citizen_month"
            kept = (before.figures.get(mean, {}).get("mean") is not None
                    and after.figures[mean]["mean"] <= before.figures[mean]["mean"])
            out["visits"] += len(left)
            out["known_possible"] += known
            out["first_known"] += first
            out["checked"] += 1
            out["valid"] += after.valid
            out["no_added_face"] += kept
            out["cases"].append({
                "scenario": name, "seed": seed, "day": day, "left": len(left), "known": known,
                "first_known": first, "valid": after.valid,
                "faces_mean_open": before.figures.get(mean, {}).get("mean"),
                "faces_mean_applied": after.figures.get(mean, {}).get("mean")})
    return out


def run(args: argparse.Namespace) -> tuple[dict[str, Any], str]:
    from app.replan.candidates import rank_carers
    from solver import SolveParams, solve

    result: dict[str, Any] = {}
    rows = []
    work = Path(tempfile.mkdtemp(prefix="bench-coordinator-help-"))
    for instance in tqdm(args.instances, desc="coordinator_help", unit="instance"):
        problem = load_problem(instance)
        steps = QUICK_STEPS if args.quick else STEPS.get(instance, 60)
        plan = solve(problem, SolveParams(time_limit=24 * 3600.0, seed=0, max_iterations=steps))
        rng = random.Random(0)
        drawn = rng.sample(problem.visits, min(DRAWN, len(problem.visits)))
        seconds, first_known, some_known = [], 0, 0
        for v in drawn:
            t0 = time.perf_counter()
            ranked = rank_carers(problem, plan.assignments, v.id)
            seconds.append(time.perf_counter() - t0)
            if any(not c.new_faces for c in ranked):
                some_known += 1
                first_known += not ranked[0].new_faces
        sick = sick_calls(instance, problem, plan, work)
        newcomer = with_new_citizen(load_problem(instance))
        fit, shown = fit_new_citizen(newcomer, plan, work, f"{instance}-fit")
        day_of = {v.id: v.day for v in newcomer.visits}
        # The other way: plan the period afresh with the new citizen in it.
        fresh = solve(newcomer, SolveParams(time_limit=24 * 3600.0, seed=0, max_iterations=steps))
        fresh_months: dict[Any, set[str]] = {}
        for a in fresh.assignments:
            if a.visit.startswith("bench-new-"):
                fresh_months.setdefault(newcomer.month_of(day_of[a.visit]), set()).update(a.carers)
        fresh_faces = max((len(x) for x in fresh_months.values()), default=0)
        fresh_placed = sum(a.visit.startswith("bench-new-") for a in fresh.assignments)
        row = {"instance": instance, "steps": steps, "rank_median_s": round(statistics.median(seconds), 3),
               "rank_max_s": round(max(seconds), 3), "first_no_new_face": f"{first_known}/{some_known}",
               "sick_first_known": f"{sick['first_known']}/{sick['known_possible']}",
               "sick_verified": f"{sick['no_added_face']}/{sick['checked']}",
               "sick_valid": f"{sick['valid']}/{sick['checked']}", "sick_cases": sick["cases"],
               "fit_s": round(shown["s"], 2), "fit_cpu_s": round(shown["cpu_s"], 2),
               "fit_placed": shown["placed"], "fit_faces_month_max": shown["faces_month_max"],
               "faces_bound": shown["faces_bound"], "fit_moves": shown["moves"],
               "fit_moves_other_carer": shown["moves_other_carer"],
               "fit_new_faces_others": shown["new_faces_others"], "fit_added_travel": shown["added_travel"],
               "fit_verifier": shown["verifier"], "replanned_placed": f"{fresh_placed}/{len(fit.visits)}",
               "replanned_faces_month_max": fresh_faces}
        result[instance] = row
        rows.append(row)
    keys = ("instance", "steps", "rank_median_s", "rank_max_s", "first_no_new_face", "sick_first_known",
            "sick_verified", "fit_s", "fit_cpu_s", "fit_placed", "fit_faces_month_max", "faces_bound",
            "fit_moves",
            "fit_new_faces_others", "fit_verifier", "replanned_placed", "replanned_faces_month_max")
    table = [[r[k] for k in keys] for r in rows]
    lines = []
    for r in rows:
        known, possible = (int(x) for x in r["sick_first_known"].split("/"))
        verified, checked = (int(x) for x in r["sick_verified"].split("/"))
        lines.append(f"- {r['instance']}: ranked list max {r['rank_max_s']} s (target {TARGETS['rank_s']} s: "
                     f"{'PASS' if r['rank_max_s'] <= TARGETS['rank_s'] else 'FAIL'}); sick calls: the first "
                     f"suggestion is a known carer in {known} of {possible} visits where one could come "
                     f"({'PASS' if known == possible else 'FAIL'}), verifier: valid {r['sick_valid']}, no "
                     f"face added {verified} of {checked} scenarios "
                     f"({'PASS' if verified == checked else 'FAIL'}); new citizen {r['fit_s']} s (target "
                     f"{TARGETS['fit_s']} s: {'PASS' if r['fit_s'] <= TARGETS['fit_s'] else 'FAIL'}), placed "
                     f"{r['fit_placed']}, {r['fit_faces_month_max']} carers in a month (target "
                     f"{TARGETS['fit_faces']} where the bound, {r['faces_bound']}, allows: "
                     f"{_faces_verdict(r['fit_faces_month_max'], r['faces_bound'])}), {r['fit_moves']} other "
                     f"visits moved ({r['fit_moves_other_carer']} to another carer), "
                     f"{r['fit_new_faces_others']} new faces for others, verifier "
                     f"{r['fit_verifier']}.")
    return result, md_table(["instance", "plan steps", "rank median s", "rank max s",
                             "first suggestion no new face", "sick: first is known",
                             "sick: verifier no face added",
                             "fit s", "fit CPU s", "fit placed", "fit faces (month max)", "faces bound",
                             "fit moves",
                             "fit new faces for others", "fit verifier", "re-planned placed",
                             "re-planned faces"], table) + "\n\n" + "\n".join(lines)


def _faces_verdict(faces: int, bound: int) -> str:
    if bound > TARGETS["fit_faces"]:
        return f"out of reach: {bound} carers at least"
    return "PASS" if faces <= TARGETS["fit_faces"] else "FAIL"
