"""`homecare replan INSTANCE.json PLAN.json CHANGES.json -o NEW_PLAN.json`: the day's adjustments, re-planned.

Reads a homecare-changes/1 file, re-plans its `replan_days` (or the days the changes touch) with as little
disruption as possible, prints what changed (moves, new faces, unplaced) and writes a plan of the adjusted
instance. Bad input (a malformed file, an unknown carer or visit, a day outside the plan) is reported on
stderr naming the change, with exit status 2, and nothing is written.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

app = typer.Typer()  # its commands are registered in app/cli/__init__.py


def _fail(message: str, code: int = 2) -> typer.Exit:
    typer.echo(f"homecare replan: {message}", err=True)
    return typer.Exit(code)


def _read_json(path: Path, what: str) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise _fail(f"{what} {path}: {e.strerror or e}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise _fail(f"{what} {path}: not valid JSON ({e})") from None


@app.command()
def replan(
    instance: Annotated[Path, typer.Argument(help="homecare-instance/1 file the plan was made for")],
    plan: Annotated[Path, typer.Argument(help="the current plan (homecare-plan/1)")],
    changes: Annotated[Path, typer.Argument(help="the day's adjustments (homecare-changes/1)")],
    output: Annotated[Path, typer.Option("-o", "--output", help="where to write the new plan")],
    time_limit: Annotated[float, typer.Option(help="seconds for the planner")] = 5.0,
    seed: Annotated[int, typer.Option(help="planner seed (same seed, same plan)")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="print the diff as JSON")] = False,
) -> None:
    """Re-plan after the day's adjustments, changing as little as possible; print the diff."""
    from app.replan import ReplanFailed
    from app.replan import replan as run_replan
    from exchange import (
        ExchangeError,
        parse_instance,
        parse_plan,
        plan_from_doc,
        plan_to_doc,
        to_problem,
    )
    from exchange.changes import parse_changes
    from solver.types import SolveParams

    inst_data = _read_json(instance, "instance")
    plan_data = _read_json(plan, "plan")
    changes_data = _read_json(changes, "changes")
    try:
        inst_doc = parse_instance(inst_data)
    except ExchangeError as e:
        raise _fail(f"instance {instance}: {e}") from None
    try:
        current = plan_from_doc(parse_plan(plan_data, inst_doc))
    except ExchangeError as e:
        raise _fail(f"plan {plan}: {e}") from None
    problem = to_problem(inst_doc)
    try:
        change_set = parse_changes(changes_data, problem)
    except ExchangeError as e:
        raise _fail(f"changes {changes}: {e}") from None

    try:
        result = run_replan(problem, current.assignments, change_set,
                            params=SolveParams(time_limit=time_limit, seed=seed))
    except ReplanFailed as e:
        raise _fail(f"re-plan failed, nothing written: {e}", code=1) from None

    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(plan_to_doc(result.plan, problem.name)), encoding="utf-8")
    lo, hi = result.adjusted.replan_days or (0, problem.days - 1)
    if as_json:
        typer.echo(json.dumps({"replan_days": [lo, hi], "seconds": round(result.seconds, 2),
                               "released_pins": result.released_pins, **result.diff.to_dict()}))
    else:
        typer.echo(f"re-planned days {lo}-{hi} in {result.seconds:.1f} s; wrote {output}")
        typer.echo(result.diff.text())
    sys.stdout.flush()
