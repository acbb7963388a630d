"""What travels between the web process, the workers and the database: the exchange format, compactly.

A part's input is homecare-instance/1 (exchange.problem_to_instance) plus the few things a
Problem holds beyond the format (history met earlier in the month, pinned assignments, the current
plan, the re-plan days); its output is homecare-plan/1 (exchange.plan_to_doc) plus the
planner's figures. Both are plain JSON: no pickles, no ORM objects, readable by any worker version
that reads the format.
"""

from __future__ import annotations

import dataclasses
import json
from collections import defaultdict
from typing import Any

from exchange import (
    parse_instance,
    parse_plan,
    plan_from_doc,
    plan_to_doc,
    problem_to_instance,
    to_problem,
)
from solver.travel import with_legs
from solver.types import Assignment, Plan, Problem, TravelSpec


def dumps(data: Any) -> str:
    """Compact JSON (no spaces): parts of a 300-team job are stored and read many times."""
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


def _assignments_out(items: list[Assignment]) -> list[list[Any]]:
    return [[a.visit, list(a.carers), a.start] for a in items]


def _assignments_in(items: list[list[Any]]) -> list[Assignment]:
    return [Assignment(visit=str(v), carers=tuple(c), start=int(s)) for v, c, s in items]


def problem_to_payload(problem: Problem) -> dict[str, Any]:
    return {
        "instance": problem_to_instance(problem),
        "met_before": [[cid, y, m, sorted(carers)] for (cid, (y, m)), carers in problem.met_before.items()],
        "pinned": _assignments_out(problem.pinned),
        "current": _assignments_out(problem.current),
        "replan_days": list(problem.replan_days) if problem.replan_days is not None else None,
    }


def payload_to_problem(payload: dict[str, Any]) -> Problem:
    problem = to_problem(parse_instance(payload["instance"]))
    problem.met_before = {(cid, (int(y), int(m))): frozenset(carers)
                          for cid, y, m, carers in payload.get("met_before") or []}
    problem.pinned = _assignments_in(payload.get("pinned") or [])
    problem.current = _assignments_in(payload.get("current") or [])
    days = payload.get("replan_days")
    problem.replan_days = (int(days[0]), int(days[1])) if days else None
    return problem


def plan_to_result(plan: Plan, instance_name: str | None) -> dict[str, Any]:
    return {
        "plan": plan_to_doc(plan, instance_name),
        "objective": plan.objective,
        "bound": plan.bound,
        "stats": {k: float(v) for k, v in plan.stats.items()},
    }


def result_to_plan(result: dict[str, Any]) -> Plan:
    plan = plan_from_doc(parse_plan(result["plan"]))
    plan.objective = result.get("objective")
    plan.bound = result.get("bound")
    plan.stats = dict(result.get("stats") or {})
    return plan


def _subset_travel(travel: TravelSpec, keep: set[str]) -> TravelSpec:
    if travel.matrix_points is None or travel.matrix_minutes is None:
        return travel
    idx = [i for i, p in enumerate(travel.matrix_points) if p in keep]
    return dataclasses.replace(
        travel,
        matrix_points=tuple(travel.matrix_points[i] for i in idx),
        matrix_minutes=tuple(tuple(travel.matrix_minutes[i][j] for j in idx) for i in idx),
    )


def split_by_team(problem: Problem) -> list[tuple[str, Problem]]:
    """One sub-problem per team, in team order. Teams share no carers (the foundation's model: a carer
    belongs to one team), so the sub-problems are independent and their plans simply add up."""
    team_of_citizen = {p.id: p.team for p in problem.citizens}
    team_of_carer = {c.id: c.team for c in problem.carers}
    visits_of: dict[str, list[Any]] = defaultdict(list)
    for v in problem.visits:
        visits_of[team_of_citizen.get(v.citizen, "")].append(v)
    visit_team = {v.id: team_of_citizen.get(v.citizen, "") for v in problem.visits}
    out: list[tuple[str, Problem]] = []
    for team in problem.teams:
        citizens = [p for p in problem.citizens if p.team == team.id]
        cids = {p.id for p in citizens}
        out.append((team.id, Problem(
            name=f"{problem.name}/{team.id}",
            start_date=problem.start_date,
            days=problem.days,
            teams=[team],
            carers=[c for c in problem.carers if c.team == team.id],
            citizens=citizens,
            visits=visits_of.get(team.id, []),
            max_carers_per_month=problem.max_carers_per_month,
            travel=_subset_travel(problem.travel, cids | {team.id}),
            met_before={k: v for k, v in problem.met_before.items() if k[0] in cids},
            pinned=[a for a in problem.pinned if visit_team.get(a.visit) == team.id],
            current=[a for a in problem.current if visit_team.get(a.visit) == team.id
                     and all(team_of_carer.get(c) == team.id for c in a.carers)],
            replan_days=problem.replan_days,
        )))
    return out


def merge_plans(plans: list[Plan]) -> Plan:
    """The parts' plans as one plan: teams share no carers, so assignments and figures just add up."""
    merged = Plan(assignments=[], unplaced=[])
    objectives = [p.objective for p in plans]
    bounds = [p.bound for p in plans]
    merged.objective = sum(o for o in objectives if o is not None) if None not in objectives else None
    merged.bound = sum(b for b in bounds if b is not None) if plans and None not in bounds else None
    for p in plans:
        merged.assignments += p.assignments
        merged.unplaced += p.unplaced
        for k, v in p.stats.items():
            if k.endswith("_max"):
                merged.stats[k] = max(merged.stats.get(k, v), v)
            elif k != "elapsed_seconds":
                merged.stats[k] = merged.stats.get(k, 0.0) + v
    return merged


def merge_instances(instances: list[dict[str, Any]], name: str) -> dict[str, Any]:
    """The parts' instances as one homecare-instance/1 document (for the figures of the whole plan)."""
    if not instances:
        raise ValueError("no instance to merge")
    first = instances[0]
    out: dict[str, Any] = {k: first[k] for k in ("format", "start_date", "days", "max_carers_per_month")}
    out["name"] = name
    for key in ("teams", "carers", "citizens", "visits"):
        out[key] = [item for inst in instances for item in inst[key]]
    out["travel"] = _merged_travel(instances, out)
    return out


def _merged_travel(instances: list[dict[str, Any]], merged: dict[str, Any]) -> dict[str, Any]:
    """The parts' travel as one: their matrices joined into one over every place (between places of
    different parts, which no route joins, at the speed), or the speed alone if no part has one."""
    travel = {k: v for k, v in instances[0].get("travel", {}).items() if k != "matrix"}
    matrices = [inst["travel"]["matrix"] for inst in instances if "matrix" in inst.get("travel", {})]
    if not matrices:
        return travel
    known: dict[tuple[str, str], int] = {}
    for m in matrices:
        for a, row in zip(m["points"], m["minutes"], strict=True):
            known.update(((a, b), minutes) for b, minutes in zip(m["points"], row, strict=True))
    points = {x["id"]: (x["lat"], x["lon"]) for key in ("teams", "citizens") for x in merged[key]}
    spec = with_legs(TravelSpec(speed_kmh=float(travel["speed_kmh"]),
                                detour_factor=float(travel["detour_factor"])), points, known)
    assert spec.matrix_points is not None and spec.matrix_minutes is not None  # known is not empty
    travel["matrix"] = {"points": list(spec.matrix_points), "minutes": [list(r) for r in spec.matrix_minutes]}
    return travel
