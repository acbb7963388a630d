"""`homecare plan INSTANCE.json -o PLAN.json`: plan an instance file, write a plan file.

Reads homecare-instance/1, solves with solver.solve, writes homecare-plan/1 (FORMAT.md).
A tqdm bar on stderr shows elapsed time against the limit (or, with --steps, the share of the work
done), the best objective so far and a lower bound. `--steps N` stops each team's search after N steps
instead of at the time limit, so a seed gives the same plan on any machine (solver/README.md).
`--continuity` weighs faces against travel: fewest (the default), balanced, travel, or faces:N.
Bad input: one clear line on stderr naming the file, exit status 2, no traceback.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from tqdm import tqdm

from exchange import ExchangeError, parse_instance, plan_to_doc, to_problem
from solver import SolveParams, solve
from solver.objective import CONTINUITY_DEFAULT, UnknownContinuity, weights_for
from solver.types import Progress

app = typer.Typer()  # its commands are registered in app/cli/__init__.py
DEFAULT_TIME_LIMIT = 60.0
STEPS_TIME_CAP = 24 * 3600.0  # --steps without --time-limit: only a guard


def _fail(message: str) -> None:
    typer.echo(f"homecare plan: {message}", err=True)
    raise typer.Exit(code=2)


@app.command()
def plan(
    instance: Annotated[Path, typer.Argument(help="Instance file (homecare-instance/1).")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Plan file to write (homecare-plan/1).")],
    time_limit: Annotated[float | None, typer.Option(
        "--time-limit", min=0.1,
        help=f"Seconds to search (default {DEFAULT_TIME_LIMIT:.0f}; with --steps, none unless given).")] = (
        None),
    seed: Annotated[int, typer.Option(
        "--seed", help="Random seed; with --steps, the same seed gives the same plan.")] = 0,
    workers: Annotated[int, typer.Option(
        "--workers", min=1,
        help="Cores to use: teams split over processes, spare ones race other seeds.")] = 1,
    steps: Annotated[int | None, typer.Option(
        "--steps", min=1,
        help="Search steps per team instead of searching to the time limit: with the same seed, the "
             "same plan on any machine.")] = None,
    continuity: Annotated[str, typer.Option(
        "--continuity",
        help="How faces weigh against travel: fewest (fewest carers per citizen), balanced, travel (least "
             "travel that keeps the monthly cap), or a face budget faces:N.")] = CONTINUITY_DEFAULT,
) -> None:
    """Plan every visit of INSTANCE with few faces, steady times and low travel."""
    try:
        weights = weights_for(continuity)
    except UnknownContinuity as e:
        _fail(f"--continuity: {e}")
    if time_limit is None:
        # A clock that stops a step-counted run early would make its plan depend on the machine.
        time_limit = DEFAULT_TIME_LIMIT if steps is None else STEPS_TIME_CAP
    try:
        data = json.loads(instance.read_text(encoding="utf-8"))
    except OSError as e:
        _fail(f"cannot read {instance}: {e.strerror or e}")
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        _fail(f"{instance} is not valid JSON: {e}")
    try:
        doc = parse_instance(data)
    except ExchangeError as e:
        _fail(f"{instance} is not a valid homecare-instance/1 file: {e}")
    problem = to_problem(doc)

    # A timed run moves the bar with the clock; a step-counted one with the planner's share of its work.
    by_steps = steps is not None
    bar = tqdm(total=100 if by_steps else round(time_limit, 1), file=sys.stderr, desc="planning",
               bar_format="{desc}: {percentage:3.0f}%|{bar}| " + ("{elapsed}{postfix}" if by_steps
                                                                 else "{n:.0f}/{total:.0f}s {postfix}"))

    def on_progress(p: Progress) -> None:
        bar.n = round(100 * p.fraction) if by_steps else min(bar.total, round(p.elapsed, 1))
        if p.objective is not None:
            bound = f", bound {p.bound:,.0f}" if p.bound is not None else ""
            bar.set_postfix_str(f"best {p.objective:,.0f}{bound} ({p.phase})", refresh=False)
        bar.refresh()

    try:
        result = solve(problem, SolveParams(time_limit=time_limit, seed=seed, workers=workers,
                                            on_progress=on_progress, max_iterations=steps,
                                            weights=weights))
    finally:
        bar.close()
    try:
        output.write_text(json.dumps(plan_to_doc(result, doc.name), indent=1) + "\n", encoding="utf-8")
    except OSError as e:
        _fail(f"cannot write {output}: {e.strerror or e}")
    typer.echo(f"{len(result.assignments)} visits placed, {len(result.unplaced)} not, continuity "
               f"{continuity}; plan written to {output}", err=True)
