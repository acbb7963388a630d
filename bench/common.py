"""Helpers every bench section shares: instances, plans, the verifier, child processes, tables.

Sections (bench/sections.py) should use these rather than their own copies, so that every
figure in RESULTS.md comes from the same verifier run and the same way of measuring time and memory.

- ``instance_path(name)`` / ``load_instance(name)`` / ``load_problem(name)``: an instance by its short
  name (``team-s``, ``team-m``, ``district-l``, ``municipality-xl``), by a generated name
  (``FAMILY-SIZE-SEED``, e.g. ``rural-m-2``: `homecare generate`'s instance) or by a path, as the raw JSON
  dict or as a solver ``Problem`` (through exchange, the one mapping of the format). Without ../shared the
  short names stand for generated urban teams of the same size (``instance_source`` says which).
- ``write_plan(plan, problem, path)``: a solver ``Plan`` written as homecare-plan/1.
- ``verify(instance, plan_path)``: runs ../shared/tools/verify_plan.py in a subprocess and returns a
  ``Verdict`` (valid?, the verifier's figures, its violation lines, how many are monthly-cap breaches).
  Without ../shared, the planner's own final check and the audit's figures (counted as the verifier
  counts them) stand in; ``Verdict.checker`` says which judged.
- ``run_in_child(target, *args)``: runs ``target(*args)`` in a fresh interpreter (spawn) and returns a
  ``ChildRun`` with the result, wall time and the child's own peak memory (ru_maxrss), so one planner's
  memory never counts against another's and a crash never takes the harness down.
- ``md_table(headers, rows)``: a Markdown table; ``fmt(x)``: a figure for a table cell.
- ``load_spread(problem, plan_path)``: the fair-load figure of a plan file (how evenly carers are loaded).
"""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import re
import resource
import statistics
import subprocess
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from solver.types import Plan, Problem

SHARED = Path(os.environ.get("HOMECARE_SHARED") or Path(__file__).resolve().parents[2] / "shared")
INSTANCES_DIR = SHARED / "instances"
VERIFIER = SHARED / "tools" / "verify_plan.py"
BENCH_DIR = Path(__file__).resolve().parent
RESULTS_DIR = BENCH_DIR / "results"
KNOWN_INSTANCES = ("team-s", "team-m", "district-l", "municipality-xl")
# Without ../shared, each reference instance is stood in for by a generated one of the same size.
STAND_INS = {"team-s": ("team", "s", 1), "team-m": ("team", "m", 1), "district-l": ("team", "l", 1),
             "municipality-xl": ("team", "xl", 1), "team-m-rules": ("team-rules", "m", 1)}
GENERATED_DIR = RESULTS_DIR / "generated"
VERIFIER_NAME = "verify_plan.py"
OWN_CHECK_NAME = "the planner's own check (solver/check.py)"


# ---------------------------------------------------------------- instances and plans

def generated_name(name: str | Path) -> tuple[str, str, int] | None:
    """(family, size, seed) of a generated instance's name (`rural-m-2`), or None."""
    from exchange.generator import ALL_FAMILIES, SIZES

    m = re.fullmatch(rf"({'|'.join(map(re.escape, ALL_FAMILIES))})-({'|'.join(SIZES)})-(\d+)", str(name))
    return (m.group(1), m.group(2), int(m.group(3))) if m else None


def generated_spec(name: str | Path) -> tuple[str, str, int] | None:
    """(family, size, seed) of the generated instance `name` stands for (a generated name, or without
    ../shared a reference name), or None."""
    text = str(name)
    if text in STAND_INS and not (INSTANCES_DIR / f"{text}.json").exists():
        return STAND_INS[text]
    return generated_name(text)


def instance_source(name: str | Path) -> str:
    """Where an instance comes from, for the results: a file, ../shared, or the generator's command."""
    spec = generated_spec(name)
    if spec is not None:
        return f"generated: homecare generate --family {spec[0]} --size {spec[1]} --seed {spec[2]}"
    p = Path(name)
    return f"file {p}" if p.suffix == ".json" and p.exists() else f"../shared/instances/{name}.json"


def instance_path(name: str | Path) -> Path:
    """`team-m` -> ../shared/instances/team-m.json (without ../shared: a generated team of that size);
    `rural-m-2` -> that generated instance (written once under results/generated); a path to an
    existing file is returned as is."""
    p = Path(name)
    if p.suffix == ".json" and p.exists():
        return p
    spec = generated_spec(name)
    if spec is None:
        return INSTANCES_DIR / f"{name}.json"
    path = GENERATED_DIR / f"{name}.json"
    if not path.exists():
        from exchange.generator import generate

        GENERATED_DIR.mkdir(parents=True, exist_ok=True)
        part = path.with_suffix(".part")
        part.write_text(json.dumps(generate(*spec)), encoding="utf-8")
        part.replace(path)  # never a half-written instance for a parallel run to read
    return path


def load_instance(name: str | Path) -> dict[str, Any]:
    """The instance as its raw homecare-instance/1 JSON dict."""
    with open(instance_path(name), encoding="utf-8") as f:
        data: dict[str, Any] = json.load(f)
    return data


def load_problem(name: str | Path) -> Problem:
    """The instance as a solver Problem, parsed strictly by exchange."""
    from exchange import parse_instance, to_problem

    return to_problem(parse_instance(load_instance(name)))


def plan_doc(plan: Plan, problem: Problem) -> dict[str, Any]:
    from exchange import plan_to_doc

    return plan_to_doc(plan, problem.name)


def write_plan(plan: Plan, problem: Problem, path: str | Path) -> Path:
    """Write a solver Plan as homecare-plan/1 (creating the folder); returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(plan_doc(plan, problem), f)
    return path


# ---------------------------------------------------------------- the verifier

CAP_MARK = "distinct carers in"  # the verifier's wording for a monthly-cap breach


@dataclass
class Verdict:
    """What verify_plan.py said about one plan. `valid` is its exit status 0; figures are its --json."""

    valid: bool
    exit_code: int
    figures: dict[str, Any] = field(default_factory=dict)
    violations: list[str] = field(default_factory=list)  # the VIOLATION lines (the verifier lists <= 50)
    cap_breaches: int = 0  # how many of those lines are monthly-cap breaches
    error: str = ""  # stderr when the verifier could not read its input (exit 2)
    checker: str = VERIFIER_NAME  # who judged: the shared verifier or, without it, the planner's own check

    @property
    def only_cap_broken(self) -> bool:
        """Invalid only because of the monthly cap (every other rule held)."""
        return not self.valid and self.exit_code == 1 and self.cap_breaches == len(self.violations)

    def status(self) -> str:
        """A table cell: valid, INVALID (n cap breaches) or INVALID (n violations)."""
        if self.valid:
            return "valid"
        if self.exit_code != 1:
            return "INVALID (unreadable)"
        n = int(self.figures.get("violations", len(self.violations)))
        if self.only_cap_broken:
            return f"INVALID (cap broken for {n} citizen-months)"
        return f"INVALID ({n} violations)"

    def to_dict(self) -> dict[str, Any]:
        return {"valid": self.valid, "exit_code": self.exit_code, "status": self.status(),
                "figures": self.figures, "violations": self.violations[:20],
                "cap_breaches": self.cap_breaches, "error": self.error, "checker": self.checker}


def verify(instance: str | Path, plan_path: str | Path, timeout: float = 1800) -> Verdict:
    """Check a plan file with the independent verifier (a subprocess, as any outsider would run it), or
    without ../shared with the planner's own check."""
    if not VERIFIER.is_file():
        return own_verify(instance, plan_path)
    cmd = [sys.executable, str(VERIFIER), str(instance_path(instance)), str(plan_path), "--json"]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    lines = proc.stdout.strip().splitlines()
    figures: dict[str, Any] = {}
    if proc.returncode in (0, 1) and lines:
        try:
            figures = json.loads(lines[-1])
        except json.JSONDecodeError:
            figures = {}
    violations = [ln.removeprefix("VIOLATION ").strip() for ln in lines if ln.startswith("VIOLATION")]
    return Verdict(
        valid=proc.returncode == 0,
        exit_code=proc.returncode,
        figures=figures,
        violations=violations,
        cap_breaches=sum(CAP_MARK in v and "(cap" in v for v in violations),
        error=proc.stderr.strip()[-2000:],
    )


def load_spread(problem: Problem, plan_path: str | Path) -> float | None:
    """How unevenly a plan loads its carers: per team, the standard deviation over its carers of
    planned visit minutes relative to contracted minutes (the contract's weekly minutes over the
    plan's days; without a contract figure, the carer's shift minutes), in percentage points, then
    averaged over teams. None when no team has two carers with time."""
    doc = json.loads(Path(plan_path).read_text(encoding="utf-8"))
    duration = {v.id: v.duration for v in problem.visits}
    planned: dict[str, int] = {}
    for a in doc.get("visits", []):
        for c in a["carers"]:
            planned[c] = planned.get(c, 0) + duration[a["id"]]
    ratios: dict[str, list[float]] = {}
    for c in problem.carers:
        weekly = c.contracted_minutes_per_week
        hours = weekly * problem.days / 7 if weekly is not None else sum(s.end - s.start for s in c.shifts)
        if hours > 0:
            ratios.setdefault(c.team, []).append(100 * planned.get(c.id, 0) / hours)
    spreads = [statistics.pstdev(r) for r in ratios.values() if len(r) > 1]
    return round(statistics.mean(spreads), 2) if spreads else None


def own_verify(instance: str | Path, plan_path: str | Path) -> Verdict:
    """The planner's final check on a plan file, with the verifier's figures as the audit counts them
    (app/audit, tested to the digit against the verifier where ../shared exists)."""
    from app.audit.files import audit_plan_files
    from exchange import ExchangeError, parse_instance, parse_plan, plan_from_doc, to_problem
    from solver.check import CAP_WORDS, breaks_owed, check_plan, travel_minutes, unplaced_by_priority

    try:
        inst = load_instance(instance)
        doc = json.loads(Path(plan_path).read_text(encoding="utf-8"))
        problem = to_problem(parse_instance(inst))
        plan = plan_from_doc(parse_plan(doc))
    except (OSError, ValueError, ExchangeError) as e:
        return Verdict(valid=False, exit_code=2, error=str(e)[-2000:], checker=OWN_CHECK_NAME)
    violations = check_plan(problem, plan)
    audit = audit_plan_files(inst, doc)["figures"]
    kept = ("distinct_carers_per_citizen_month", "distinct_carers_per_citizen_14d", "contact_carer_share",
            "start_time_sd_minutes")
    figures = {key: audit[key] for key in kept if key in audit}
    figures.update(visits=len(problem.visits), assigned=len(plan.assignments), unassigned=len(plan.unplaced),
                   travel_minutes=travel_minutes(problem, plan.assignments), violations=len(violations),
                   unassigned_by_priority={str(k): n for k, n in unplaced_by_priority(problem, plan).items()},
                   breaks_checked=breaks_owed(problem, plan.assignments))
    return Verdict(valid=not violations, exit_code=1 if violations else 0, figures=figures,
                   violations=violations[:50], cap_breaches=sum(CAP_WORDS in v for v in violations[:50]),
                   checker=OWN_CHECK_NAME)


# ---------------------------------------------------------------- child processes

@dataclass
class ChildRun:
    """One call run in a child process. `result` is whatever the target returned (picklable)."""

    ok: bool
    result: Any = None
    error: str = ""  # the child's traceback, or why it died
    wall_s: float = 0.0  # wall time of the call inside the child (not counting interpreter start-up)
    peak_rss_mib: float = 0.0  # the child's own peak resident memory (ru_maxrss)


def _child_main(conn: Any, target: Callable[..., Any], args: tuple[Any, ...]) -> None:
    t0 = time.perf_counter()
    try:
        result = target(*args)
        ok, err = True, ""
    except BaseException:  # report anything, including SystemExit, to the parent
        result, ok, err = None, False, traceback.format_exc()
    wall = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB -> MiB
    conn.send((ok, result, err, wall, peak))
    conn.close()


def run_in_child(target: Callable[..., Any], *args: Any, timeout: float | None = None,
                 tick: Callable[[float], None] | None = None) -> ChildRun:
    """Run `target(*args)` in a fresh spawned interpreter; measure its wall time and peak memory.

    `target` must be a module-level function (spawn imports it by name) and its result picklable.
    Returns ok=False with the traceback if it raised, died, or ran past `timeout` seconds (killed).
    `tick(elapsed_seconds)` is called about once a second while waiting (for a progress bar).
    """
    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child_main, args=(child, target, args))
    t0 = time.perf_counter()
    proc.start()
    child.close()
    try:
        deadline = None if timeout is None else t0 + timeout
        ready = False
        while not ready:
            wait = 1.0 if deadline is None else max(0.0, min(1.0, deadline - time.perf_counter()))
            ready = parent.poll(wait)
            if tick is not None:
                tick(time.perf_counter() - t0)
            late = deadline is not None and time.perf_counter() >= deadline
            if not ready and (late or not proc.is_alive()):
                ready = parent.poll(0)
                break
        if ready:
            ok, result, err, wall, peak = parent.recv()
            proc.join()
            return ChildRun(ok=ok, result=result, error=err, wall_s=wall, peak_rss_mib=peak)
        if proc.is_alive():
            return ChildRun(ok=False, error=f"timed out after {timeout} s", wall_s=time.perf_counter() - t0)
        return ChildRun(ok=False, error=f"child died (exit code {proc.exitcode})",
                        wall_s=time.perf_counter() - t0)
    except EOFError:
        proc.join()
        return ChildRun(ok=False, error=f"child died (exit code {proc.exitcode})",
                        wall_s=time.perf_counter() - t0)
    finally:
        if proc.is_alive():
            proc.kill()
            proc.join()
        parent.close()


# ---------------------------------------------------------------- tables

OURS = "ours"  # our planner's row in a section's table


def run_name(seed: int) -> str:
    """Our planner's row name for one seed: seed 0 keeps the plain name (and plan file) it always had."""
    return OURS if seed == 0 else f"{OURS} seed {seed}"


def plan_file(plans_dir: Path, instance: str, name: str) -> Path:
    """Where a row's plan is written: team-m-ours.json, team-m-ours-seed-1.json, team-m-routing.json."""
    return plans_dir / f"{instance}-{name.replace(' ', '-')}.json"


def met_in_every_run(oks: Sequence[bool | None]) -> bool | None:
    """A target over several runs of ours: missed where any run missed it, unknown where any run has
    no figure, else met."""
    return False if False in oks else (None if None in oks else True)


def fmt(x: Any, digits: int = 2) -> str:
    """A table cell: None -> '—', floats rounded, ints with thousands separators."""
    if x is None:
        return "—"
    if isinstance(x, bool):
        return "yes" if x else "no"
    if isinstance(x, int):
        return f"{x:,}"
    if isinstance(x, float):
        return f"{x:,.{digits}f}"
    return str(x)


def md_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A GitHub-flavoured Markdown table; cells go through fmt()."""
    out = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    for r in rows:
        out.append("| " + " | ".join(fmt(c).replace("|", "/") for c in r) + " |")
    return "\n".join(out)
