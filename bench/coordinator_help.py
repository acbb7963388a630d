"""Section `coordinator_help`: the coordinator's daily helpers, timed and judged on a planned team.

- Who could take a visit (app/replan/candidates.rank_carers): seconds per ranked list for visits drawn
  at random from the plan (planned and unplaced), and how often the first suggestion adds no new face
  when some suggestion does not.
- Where a new citizen fits (fit_citizen): a citizen next to the team's first citizen with a morning, a
  lunch and an evening visit every day of the plan; seconds, visits placed, distinct carers in the month.
  Each fitted plan is checked with the planner's own check (every rule and the cap). Beside it, the
  fewest carers whose shifts, skills and avoid list could cover every one of those visits (a set cover,
  other visits ignored): no plan does with fewer faces; the fit moves no other visit, so it may need more.
  And the other way the page offers: the period planned afresh with the new citizen in it.

The plan is our planner's, step-counted (the same plan on any machine).

    python -m bench --sections coordinator_help --instances team-m
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from typing import Any

from tqdm import tqdm

from bench.common import load_problem, md_table

TITLE = "The coordinator's helpers: who could take a visit, where a new citizen fits"
STEPS = {"team-s": 200, "team-m": 150, "district-l": 60}
QUICK_STEPS = 30
DRAWN = 20
TARGETS = {"rank_s": 1.0, "fit_s": 10.0, "fit_faces": 4}


def _new_citizen(problem: Any) -> Any:
    from solver import types as st

    first = problem.citizens[0]
    citizen = st.Citizen("bench-new", first.team, first.lat + 0.001, first.lon + 0.001)
    problem.citizens.append(citizen)
    for d in range(problem.days):
        for need, lo, hi in (("morning", 420, 540), ("lunch", 690, 780), ("evening", 1020, 1140)):
            problem.visits.append(st.Visit(f"bench-new-d{d:02d}-{need}", citizen.id, need, d, lo, hi, 30))
    return problem


def faces_bound(problem: Any, citizen: str) -> int:
    """The fewest carers who could make every one of the citizen's visits by their shifts, skills and
    avoid list alone (other visits ignored): no plan placing them all meets fewer faces in a month of
    the period. A set cover, solved exactly by CP-SAT."""
    from ortools.sat.python import cp_model

    from solver.contacts import _eligible

    p = next(x for x in problem.citizens if x.id == citizen)
    visits = [v for v in problem.visits if v.citizen == citizen]
    carers = [c for c in problem.carers if c.team == p.team]
    model = cp_model.CpModel()
    use = {c.id: model.new_bool_var(c.id) for c in carers}
    for v in visits:
        able = [use[c.id] for c in carers if _eligible(c, v, p.avoid)]
        if able:
            model.add_bool_or(able)
    model.minimize(cp_model.LinearExpr.sum(list(use.values())))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = 30
    solver.solve(model)
    return int(solver.best_objective_bound + 0.999)


def run(args: argparse.Namespace) -> tuple[dict[str, Any], str]:
    from app.replan.candidates import fit_citizen, rank_carers
    from solver import SolveParams, solve
    from solver.check import check_assignments
    from solver.types import Assignment

    result: dict[str, Any] = {}
    rows = []
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
        newcomer = _new_citizen(load_problem(instance))
        t0 = time.perf_counter()
        fit = fit_citizen(newcomer, plan.assignments, "bench-new")
        fit_s = time.perf_counter() - t0
        fitted = plan.assignments + [Assignment(v.visit, tuple(sorted(v.carers)), v.start or 0)
                                     for v in fit.visits if v.carers]
        broken = check_assignments(newcomer, fitted)
        months: dict[tuple[int, int], set[str]] = {}
        day_of = {v.id: v.day for v in newcomer.visits}
        for placed in fit.visits:
            if placed.carers:
                months.setdefault(newcomer.month_of(day_of[placed.visit]), set()).update(placed.carers)
        faces = max((len(s) for s in months.values()), default=0)
        bound = faces_bound(newcomer, "bench-new")
        # The other way: plan the period afresh with the new citizen in it (the page's "Plan the period").
        fresh = solve(newcomer, SolveParams(time_limit=24 * 3600.0, seed=0, max_iterations=steps))
        fresh_months: dict[tuple[int, int], set[str]] = {}
        for a in fresh.assignments:
            if a.visit.startswith("bench-new-"):
                fresh_months.setdefault(newcomer.month_of(day_of[a.visit]), set()).update(a.carers)
        fresh_faces = max((len(x) for x in fresh_months.values()), default=0)
        fresh_placed = sum(a.visit.startswith("bench-new-") for a in fresh.assignments)
        row = {"instance": instance, "steps": steps, "rank_median_s": round(statistics.median(seconds), 3),
               "rank_max_s": round(max(seconds), 3), "first_no_new_face": f"{first_known}/{some_known}",
               "fit_s": round(fit_s, 2), "fit_placed": f"{fit.placed}/{len(fit.visits)}",
               "fit_faces_month_max": faces, "faces_bound": bound, "fit_rules_broken": len(broken),
               "replanned_placed": f"{fresh_placed}/{len(fit.visits)}",
               "replanned_faces_month_max": fresh_faces}
        result[instance] = row
        rows.append(row)
    keys = ("instance", "steps", "rank_median_s", "rank_max_s", "first_no_new_face", "fit_s", "fit_placed",
            "fit_faces_month_max", "faces_bound", "fit_rules_broken", "replanned_placed",
            "replanned_faces_month_max")
    table = [[r[k] for k in keys] for r in rows]
    lines = []
    for r in rows:
        lines.append(f"- {r['instance']}: ranked list max {r['rank_max_s']} s (target {TARGETS['rank_s']} s: "
                     f"{'PASS' if r['rank_max_s'] <= TARGETS['rank_s'] else 'FAIL'}); new citizen "
                     f"{r['fit_s']} s (target {TARGETS['fit_s']} s: "
                     f"{'PASS' if r['fit_s'] <= TARGETS['fit_s'] else 'FAIL'}) with at most "
                     f"{r['fit_faces_month_max']} carers in a month (target {TARGETS['fit_faces']} where the "
                     f"bound, {r['faces_bound']}, allows: "
                     f"{_faces_verdict(r['fit_faces_month_max'], r['faces_bound'])}), "
                     f"rules broken {r['fit_rules_broken']}.")
    return result, md_table(["instance", "plan steps", "rank median s", "rank max s",
                             "first suggestion no new face", "fit s", "fit placed", "fit faces (month max)",
                             "faces bound", "fit rules broken", "re-planned placed", "re-planned faces"],
                    table) + "\n\n" + "\n".join(lines)


def _faces_verdict(faces: int, bound: int) -> str:
    if bound > TARGETS["fit_faces"]:
        return f"out of reach: {bound} carers at least"
    return "PASS" if faces <= TARGETS["fit_faces"] else "FAIL"
