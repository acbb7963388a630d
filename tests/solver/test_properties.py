"""Properties on small generated instances: every plan passes the planner's final check, and the team's
shared verifier agrees with that check."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hs

from solver import Assignment, Shift, solve
from solver.types import Problem
from tests.solver.conftest import carer, citizen, problem, quick, shared_verify, verify, visit

SKILLS = ("medication", "palliative")


@hs.composite
def small_problems(draw: hs.DrawFn) -> Problem:
    days = draw(hs.integers(1, 3))
    n_carers = draw(hs.integers(1, 4))
    carers = []
    for i in range(n_carers):
        shifts = []
        for d in range(days):
            kind = draw(hs.sampled_from(("day", "evening", "split", "off")))
            if kind == "day":
                shifts.append(Shift(d, 420, 930))
            elif kind == "evening":
                shifts.append(Shift(d, 840, 1320))
            elif kind == "split":
                shifts += [Shift(d, 420, 600), Shift(d, 960, 1200)]
        skills = tuple(s for s in SKILLS if draw(hs.booleans()))
        carers.append(carer(f"c{i}", skills=skills, shifts=tuple(shifts)))
    names = [c.id for c in carers]
    citizens = []
    for i in range(draw(hs.integers(1, 4))):
        citizens.append(citizen(f"p{i}", north=draw(hs.floats(-0.03, 0.03)),
                                east=draw(hs.floats(-0.05, 0.05)),
                                contact=draw(hs.sampled_from([None, *names])),
                                avoid=tuple(n for n in names if draw(hs.integers(0, 5)) == 0)))
    visits = []
    for i in range(draw(hs.integers(1, 10))):
        p = draw(hs.sampled_from(citizens)).id
        earliest = draw(hs.integers(420, 1200))
        visits.append(visit(f"v{i}", p, day=draw(hs.integers(0, days - 1)), earliest=earliest,
                            latest=earliest + draw(hs.sampled_from((0, 30, 120))),
                            duration=draw(hs.sampled_from((15, 30, 60))),
                            need=draw(hs.sampled_from(("morning", "evening"))),
                            carers=draw(hs.sampled_from((1, 1, 1, 2))),
                            skills=tuple(s for s in SKILLS if draw(hs.integers(0, 3)) == 0)))
    cap = draw(hs.integers(1, 3))
    met_before = {}
    if draw(hs.booleans()):
        earlier = draw(hs.sets(hs.sampled_from(names), max_size=2))
        met_before[(citizens[0].id, (2026, 12))] = frozenset(earlier)
    pinned = []
    if draw(hs.booleans()):
        v = visits[0]
        pinned.append(Assignment(v.id, tuple(names[: v.carers]), v.earliest))
    return problem(carers, citizens, visits, days=days, cap=cap, met_before=met_before, pinned=pinned)


FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(small_problems())
def test_every_plan_passes_the_planners_final_check(p: Problem) -> None:
    plan = solve(p, quick(iterations=20))
    errors, figures = verify(p, plan)
    assert errors == []
    assert figures["assigned"] + figures["unassigned"] == len(p.visits)


@pytest.mark.shared
@FAST
@given(small_problems())
def test_the_shared_verifier_accepts_every_plan_and_counts_as_the_planners_check(p: Problem) -> None:
    plan = solve(p, quick(iterations=20))
    errors, figures = shared_verify(p, plan)
    assert errors == []
    own = verify(p, plan)[1]
    assert (figures["assigned"], figures["unassigned"], figures["travel_minutes"]) == \
        (own["assigned"], own["unassigned"], own["travel_minutes"])
    if plan.assignments:
        month = "distinct_carers_per_citizen_month"
        assert figures[month]["max"] == own[month]["max"]


@FAST
@given(small_problems())
def test_every_unplaced_visit_carries_a_reason_and_none_is_dropped(p: Problem) -> None:
    plan = solve(p, quick(iterations=20))
    ids = sorted([a.visit for a in plan.assignments] + [u.visit for u in plan.unplaced])
    assert ids == sorted(v.id for v in p.visits)
    assert all(u.reason.strip() for u in plan.unplaced)


@FAST
@given(small_problems())
def test_the_cap_holds_counting_carers_met_before(p: Problem) -> None:
    plan = solve(p, quick(iterations=20))
    cit = {v.id: v.citizen for v in p.visits}
    met: dict[str, set[str]] = {}
    for a in plan.assignments:
        met.setdefault(cit[a.visit], set()).update(a.carers)
    for pid, carers in met.items():
        before = p.met_before.get((pid, (2026, 12)), frozenset())
        assert len(carers | before) <= p.max_carers_per_month or not (carers - before)


@FAST
@given(small_problems())
def test_pinned_assignments_are_kept_or_explained(p: Problem) -> None:
    plan = solve(p, quick(iterations=20))
    got = {a.visit: a for a in plan.assignments}
    for pin in p.pinned:
        if pin.visit in got:
            assert got[pin.visit] == pin
        else:
            assert any(u.visit == pin.visit and u.reason for u in plan.unplaced)
