"""More than one core: teams split over worker processes, spare workers racing other seeds."""

from __future__ import annotations

import dataclasses
import datetime as dt
import time

from solver import SolveParams, solve
from solver.parallel import restrict, team_groups
from solver.types import Carer, Citizen, Problem, Progress, Shift, Team, Visit
from tests.solver.conftest import BASE, by_visit, verify


def two_teams() -> Problem:
    """Teams T and U, two carers and three citizens each, a week of morning and evening visits."""
    carers, citizens, visits = [], [], []
    for t, team in enumerate(("T", "U")):
        for i in range(2):
            shifts = tuple(Shift(d, 420, 1320) for d in range(7))
            carers.append(Carer(f"{team}-c{i}", team, frozenset(), shifts))
        for i in range(3):
            pid = f"{team}-p{i}"
            citizens.append(Citizen(pid, team, BASE[0] + 0.01 * (i + 1), BASE[1] + 0.02 * t))
            for d in range(7):
                visits.append(Visit(f"{pid}-d{d}-m", pid, "morning", d, 450 + 20 * i, 560, 30))
                visits.append(Visit(f"{pid}-d{d}-e", pid, "evening", d, 1080 + 20 * i, 1200, 30))
    return Problem(name="two-teams", start_date=dt.date(2026, 12, 1), days=7,
                   teams=[Team("T", *BASE), Team("U", *BASE)], carers=carers, citizens=citizens,
                   visits=visits, max_carers_per_month=3)


def test_teams_are_dealt_out_by_their_visits() -> None:
    problem = two_teams()
    extra = [dataclasses.replace(v, id=v.id + "x") for v in problem.visits if v.citizen.startswith("T")]
    problem = dataclasses.replace(problem, visits=problem.visits + extra)
    assert team_groups(problem, 2) == [["T"], ["U"]]
    assert team_groups(problem, 1) == [["T", "U"]]
    assert team_groups(problem, 8) == [["T"], ["U"]]  # never more groups than teams


def test_a_teams_part_holds_only_its_own_people_and_visits() -> None:
    problem = two_teams()
    stray = Visit("nobody-d0", "nobody", "morning", 0, 450, 560, 30)
    problem = dataclasses.replace(problem, visits=problem.visits + [stray])
    part = restrict(problem, {"U"})
    assert {c.team for c in part.carers} == {p.team for p in part.citizens} == {"U"}
    assert all(v.citizen.startswith("U-") for v in part.visits)
    assert stray in restrict(problem, {"T"}, strays=True).visits


def test_two_workers_plan_both_teams_and_every_plan_passes_the_verifier() -> None:
    problem = two_teams()
    seen: list[Progress] = []
    plan = solve(problem, SolveParams(time_limit=8, seed=3, workers=2, on_progress=seen.append))

    assert verify(problem, plan)[0] == []
    assert len(plan.assignments) == len(problem.visits)
    assert plan.stats["worker_processes"] == 2
    assert seen and seen[-1].phase == "done" and seen[-1].fraction == 1.0
    team_of = {c.id: c.team for c in problem.carers}
    citizen_team = {p.id: p.team for p in problem.citizens}
    planned = by_visit(plan)
    assert all(team_of[c] == citizen_team[v.citizen] for v in problem.visits for c in planned[v.id].carers)


def test_spare_workers_race_other_seeds_and_the_same_steps_give_the_same_plan() -> None:
    problem = restrict(two_teams(), {"T"})
    params = dict(time_limit=30, seed=5, workers=2, max_iterations=30)
    first = solve(problem, SolveParams(**params))  # type: ignore[arg-type]
    again = solve(problem, SolveParams(**params))  # type: ignore[arg-type]

    assert first.stats["worker_processes"] == 2  # one team, two seeds
    assert first.assignments == again.assignments
    assert verify(problem, first)[0] == []


def test_a_stop_request_reaches_the_worker_processes() -> None:
    problem = two_teams()
    t0 = time.monotonic()
    plan = solve(problem, SolveParams(time_limit=60, seed=1, workers=2,
                                      should_stop=lambda: time.monotonic() - t0 > 3))

    assert time.monotonic() - t0 < 20
    assert verify(problem, plan)[0] == []
