"""Small hand-made problems and the planner's own final check for the planner's tests; the team's
shared verifier for the tests that compare with it (marked `shared`)."""

from __future__ import annotations

import datetime as dt
import importlib.util
import sys
from types import ModuleType
from typing import Any

from exchange import plan_to_doc, problem_to_instance
from solver.state import TeamState
from solver.types import Carer, Citizen, Plan, Problem, Shift, SolveParams, Team, Visit
from tests.checks import own_verdict
from tests.paths import VERIFIER

# A team base and homes a few minutes apart (about 0.01 degrees of latitude = 1.1 km = 5 min at 18 km/h).
BASE = (62.390, 17.300)


def _load_verifier() -> ModuleType:
    spec = importlib.util.spec_from_file_location("verify_plan", VERIFIER)
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules["verify_plan"] = mod
    spec.loader.exec_module(mod)
    return mod


def shared_verifier() -> ModuleType:
    """../shared/tools/verify_plan.py as a module (only for tests marked `shared`)."""
    return sys.modules.get("verify_plan") or _load_verifier()


def shared_verify(problem: Problem, plan: Plan) -> tuple[list[str], dict[str, Any]]:
    """The team's verifier on a plan; (violations, figures)."""
    result: tuple[list[str], dict[str, Any]] = shared_verifier().verify(problem_to_instance(problem),
                                                                          plan_to_doc(plan, problem.name))
    return result


def verify(problem: Problem, plan: Plan) -> tuple[list[str], dict[str, Any]]:
    """The planner's final check on a plan; (violations, figures)."""
    return own_verdict(problem, plan)


def carer(cid: str, *, skills: tuple[str, ...] = (), days: tuple[int, ...] = (0,), start: int = 420,
          end: int = 930, shifts: tuple[Shift, ...] | None = None, contracted: int | None = None) -> Carer:
    return Carer(id=cid, team="T", skills=frozenset(skills),
                 shifts=shifts if shifts is not None else tuple(Shift(d, start, end) for d in days),
                 contracted_minutes_per_week=contracted)


def citizen(pid: str, *, north: float = 0.01, east: float = 0.0, contact: str | None = None,
            avoid: tuple[str, ...] = ()) -> Citizen:
    return Citizen(id=pid, team="T", lat=BASE[0] + north, lon=BASE[1] + east, contact=contact,
                   avoid=frozenset(avoid))


def visit(vid: str, pid: str, *, day: int = 0, earliest: int = 480, latest: int = 600, duration: int = 30,
          need: str = "morning", carers: int = 1, skills: tuple[str, ...] = ()) -> Visit:
    return Visit(id=vid, citizen=pid, need=need, day=day, earliest=earliest, latest=latest,
                 duration=duration, carers=carers, skills=frozenset(skills))


def problem(carers: list[Carer], citizens: list[Citizen], visits: list[Visit], *, days: int = 1,
            cap: int = 12, **kw: Any) -> Problem:
    return Problem(name="hand-made", start_date=dt.date(2026, 12, 1), days=days,
                   teams=[Team("T", *BASE)], carers=carers, citizens=citizens, visits=visits,
                   max_carers_per_month=cap, **kw)


def quick(seed: int = 0, seconds: float = 2.0, iterations: int | None = 60) -> SolveParams:
    return SolveParams(time_limit=seconds, seed=seed, workers=1, max_iterations=iterations)


def placed_by(st: TeamState) -> dict[str, tuple[str, ...]]:
    """A team state's placed visits and who attends them, by id."""
    ix = st.ix
    return {ix.visits[v].id: tuple(sorted(ix.carers[ix.slots[k].carer].id for k in st.slots_of[v]))
            for v in range(len(ix.visits)) if st.slots_of[v]}


def by_visit(plan: Plan) -> dict[str, Any]:
    return {a.visit: a for a in plan.assignments}


def reason_of(plan: Plan, vid: str) -> str:
    return next(u.reason for u in plan.unplaced if u.visit == vid)
