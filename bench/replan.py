"""Re-planning after daily adjustments (issue 5): five seeded scenarios on team-m after a full plan.

For each scenario (app/replan/scenarios.py: sick1, sick3, hospital, longer, substitute), re-plan one day
and a week, and report: wall time, forced moves, unforced moves (both as the reference `apply_changes.py
disturb` counts them), moves outside the re-plan days, new faces and how many of them already-met carers
could have spared the citizen (by coming to every visit the new face attends), unplaced visits, whether
the verifier accepts the plan on the adjusted instance, and the largest number of carers a citizen meets
in the month.

Targets: day <= 5 s, week <= 30 s; valid; nothing outside the days moves; unforced <= forced; no avoidable
new face; cap kept. A section of `python -m bench` (bench/sections.py: team-m, or team-s with --quick), or
on its own: `python -m bench.replan [--instance team-m] [--seed 0] [--plan FULL_PLAN.json]`.

Without ../shared the adjusted instance is the project's (app.replan.changes, tested to be the
reference's where ../shared exists), moves are counted by the re-plan's own diff, and plans are checked
by the planner's own check; the results say so.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.common import SHARED, instance_path, instance_source, load_instance, md_table, verify, write_plan

TITLE = "Re-planning after daily adjustments (issue 5)"
DAY_LIMIT_S = 5.0
WEEK_LIMIT_S = 30.0
# Planner time limits, leaving room for applying, checking and diffing inside the targets above.
DAY_SOLVE_S = 3.0
WEEK_SOLVE_S = 20.0
FULL_PLAN_S = 60.0


APPLY_TOOL = SHARED / "tools" / "apply_changes.py"


def _disturb(instance: Path, changes: Path, old: Path, new: Path) -> dict[str, int]:
    proc = subprocess.run([sys.executable, str(SHARED / "tools" / "apply_changes.py"), "disturb",
                           str(instance), str(changes), str(old), str(new)],
                          capture_output=True, text=True, check=True, timeout=600)
    data: dict[str, int] = json.loads(proc.stdout)
    return data


def _apply(instance: Path, changes: Path, out: Path) -> Path:
    if not APPLY_TOOL.is_file():
        from app.replan.changes import apply_to_instance

        adjusted = apply_to_instance(json.loads(instance.read_text(encoding="utf-8")),
                                     json.loads(changes.read_text(encoding="utf-8")))
        out.write_text(json.dumps(adjusted), encoding="utf-8")
        return out
    proc = subprocess.run([sys.executable, str(SHARED / "tools" / "apply_changes.py"), "apply",
                           str(instance), str(changes)],
                          capture_output=True, text=True, check=True, timeout=600)
    out.write_text(proc.stdout)
    return out


def _avoidable_new_faces(result: Any, old_assignments: list[Any]) -> int:
    """New faces the citizen need not have met: carers it already met this month could have come to every
    visit the new face attends (app.replan.hand_move.avoidable_face)."""
    from app.replan.hand_move import avoidable_face

    adjusted = result.adjusted
    visit = {v.id: v for v in adjusted.visits}
    met: dict[tuple[str, tuple[int, int]], set[str]] = defaultdict(set)
    for a in old_assignments:
        v = visit.get(a.visit)
        if v is not None:
            met[(v.citizen, adjusted.month_of(v.day))].update(a.carers)
    n = 0
    for face in result.diff.new_faces:
        month = adjusted.month_of(face.day)
        if avoidable_face(adjusted, result.plan.assignments, face.citizen, month, face.carer,
                          met=met[(face.citizen, month)]) is not None:
            n += 1
    return n


def run_scenarios(instance: str = "team-m", *, seed: int = 0, workdir: Path | None = None,
                  full_plan: Path | None = None, day_solve_s: float = DAY_SOLVE_S,
                  week_solve_s: float = WEEK_SOLVE_S, full_plan_s: float = FULL_PLAN_S,
                  scenarios: Sequence[str] | None = None) -> dict[str, Any]:
    """Run every scenario (or those named) for a day and a week; returns rows of figures (JSON-ready)."""
    from app.replan import ReplanFailed, replan
    from app.replan.scenarios import SCENARIOS, make_scenario, scenario_day
    from exchange import parse_instance, parse_plan, plan_from_doc, to_problem
    from exchange.changes import parse_changes
    from solver.solve import solve
    from solver.types import SolveParams

    work = workdir or Path(tempfile.mkdtemp(prefix="bench-replan-"))
    work.mkdir(parents=True, exist_ok=True)
    inst_path = instance_path(instance)
    inst = load_instance(instance)
    problem = to_problem(parse_instance(inst))
    t0 = time.perf_counter()
    if full_plan is None:
        plan = solve(problem, SolveParams(time_limit=full_plan_s, seed=seed))
        full_plan = write_plan(plan, problem, work / "full-plan.json")
    else:
        plan = plan_from_doc(parse_plan(json.loads(full_plan.read_text())))
    full_s = time.perf_counter() - t0
    full_verdict = verify(inst_path, full_plan)
    plan_doc = json.loads(full_plan.read_text())
    day = scenario_day(inst, seed)
    rows: list[dict[str, Any]] = []
    for name in scenarios or SCENARIOS:
        for span, limit, solve_s in ((1, DAY_LIMIT_S, day_solve_s), (7, WEEK_LIMIT_S, week_solve_s)):
            tag = f"{name}-{'day' if span == 1 else 'week'}"
            doc = make_scenario(name, inst, day=day, span=span, seed=seed, plan=plan_doc)
            changes_path = work / f"{tag}.changes.json"
            changes_path.write_text(json.dumps(doc))
            lo, hi = doc["replan_days"]
            row: dict[str, Any] = {"scenario": name, "days": f"{lo}-{hi}", "limit_s": limit}
            t = time.perf_counter()
            try:
                result = replan(problem, plan.assignments, parse_changes(doc, problem),
                                params=SolveParams(time_limit=solve_s, seed=seed))
            except ReplanFailed as e:
                row.update(seconds=round(time.perf_counter() - t, 2), error=str(e))
                rows.append(row)
                continue
            row["seconds"] = round(time.perf_counter() - t, 2)
            new_path = write_plan(result.plan, result.adjusted, work / f"{tag}.plan.json")
            adjusted_path = _apply(inst_path, changes_path, work / f"{tag}.instance.json")
            verdict = verify(adjusted_path, new_path)
            disturb = (_disturb(inst_path, changes_path, full_plan, new_path) if APPLY_TOOL.is_file() else
                       {"forced": result.diff.forced, "moved_unforced": result.diff.moved_unforced,
                        "moved_outside_days": result.diff.moved_outside_days})
            newly_unplaced = sum(u.was_planned for u in result.diff.unplaced)
            row.update(
                forced=disturb["forced"], moved_forced=result.diff.moved_forced,
                unforced=disturb["moved_unforced"], outside=disturb["moved_outside_days"],
                new_faces=len(result.diff.new_faces),
                avoidable_new_faces=_avoidable_new_faces(result, plan.assignments),
                unplaced=len(result.plan.unplaced), newly_unplaced=newly_unplaced,
                valid=verdict.valid,
                cap_max=verdict.figures.get("distinct_carers_per_citizen_month", {}).get("max"),
                within_time=row["seconds"] <= limit,
                unforced_le_forced=disturb["moved_unforced"] <= disturb["forced"],
            )
            rows.append(row)
    return {"instance": problem.name, "seed": seed, "day": day, "cap": problem.max_carers_per_month,
            "full_plan_s": round(full_s, 1),
            "full_plan_valid": full_verdict.valid,
            "full_plan_unplaced": full_verdict.figures.get("unassigned"), "rows": rows, "workdir": str(work),
            "source": instance_source(instance), "checker": full_verdict.checker,
            "counted_by": "apply_changes.py" if APPLY_TOOL.is_file() else "the re-plan's own diff"}


HEADERS = ["scenario", "days", "time s", "limit s", "forced", "moved (forced)", "unforced", "outside days",
           "new faces", "avoidable", "unplaced (new)", "valid", "max carers/month"]


def markdown(res: dict[str, Any]) -> str:
    table = []
    for r in res["rows"]:
        if "error" in r:
            table.append([r["scenario"], r["days"], r["seconds"], r["limit_s"], f"FAILED: {r['error']}"]
                         + [""] * (len(HEADERS) - 5))
            continue
        table.append([r["scenario"], r["days"], r["seconds"], r["limit_s"], r["forced"], r["moved_forced"],
                      r["unforced"], r["outside"], r["new_faces"], r["avoidable_new_faces"],
                      f"{r['unplaced']} ({r['newly_unplaced']})", r["valid"], r["cap_max"]])
    head = (f"Re-planning on {res['instance']} (seed {res['seed']}, scenarios on day {res['day']}), after a "
            f"full plan of {res['full_plan_s']} s (valid: {res['full_plan_valid']}, "
            f"unplaced {res['full_plan_unplaced']}).")
    if "source" in res:
        head += (f" Instance: {res['source']}; plans checked by {res['checker']}; moves counted by "
                 f"{res['counted_by']}.")
    head += "\n\n"
    return head + md_table(HEADERS, table)


def targets(res: dict[str, Any]) -> list[str]:
    """One PASS/FAIL line per target, over every scenario."""
    rows = [r for r in res["rows"] if "error" not in r]
    failed = [f"{r['scenario']} {r['days']}" for r in res["rows"] if "error" in r]

    def line(ok: bool, text: str, bad: list[str]) -> str:
        return f"- {'PASS' if ok else 'FAIL'}: {text}" + ("" if ok else f" (not met: {', '.join(bad)})")

    def check(text: str, pred: Any) -> str:
        bad = [f"{r['scenario']} {r['days']}" for r in rows if not pred(r)] + failed
        return line(not bad, text, bad)

    return [
        check("one-day re-plan <= 5 s, a week <= 30 s", lambda r: r["within_time"]),
        check("every re-plan passes the verifier on the adjusted instance", lambda r: r["valid"]),
        check("nothing outside replan_days moves", lambda r: r["outside"] == 0),
        check("moves nothing forced <= forced moves", lambda r: r["unforced_le_forced"]),
        check("no new face where an already-met carer could have come",
              lambda r: r["avoidable_new_faces"] == 0),
        check(f"the monthly cap holds (max carers per citizen-month <= {res.get('cap', 12)})",
              lambda r: r["cap_max"] is not None and r["cap_max"] <= res.get("cap", 12)),
    ]


def run(args: argparse.Namespace) -> tuple[dict[str, Any], str]:
    """The harness's entry (bench/sections.py): team-m (team-s and short limits with --quick)."""
    quick = bool(getattr(args, "quick", False))
    instance = "team-s" if quick else "team-m"
    results_dir = Path(getattr(args, "results_dir", Path(__file__).resolve().parent / "results"))
    kwargs: dict[str, Any] = {"day_solve_s": 1.0, "week_solve_s": 3.0, "full_plan_s": 10.0} if quick else {}
    res = run_scenarios(instance, seed=0, workdir=results_dir / "replan", **kwargs)
    res["targets"] = targets(res)
    return res, markdown(res) + "\n\n" + "\n".join(res["targets"])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--instance", default="team-m")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--plan", type=Path, help="a full plan to start from (else one is made)")
    ap.add_argument("--workdir", type=Path)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    res = run_scenarios(args.instance, seed=args.seed, workdir=args.workdir, full_plan=args.plan)
    res["targets"] = targets(res)
    print(json.dumps(res, indent=1) if args.json else markdown(res) + "\n\n" + "\n".join(res["targets"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
