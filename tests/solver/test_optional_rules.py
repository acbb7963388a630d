"""The optional rules, one small story each: carers who walk, shift breaks, spaced visits, and what
may wait when not everything fits. Every plan also passes the team's verifier."""

from __future__ import annotations

import dataclasses
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as hs

from exchange import parse_instance, to_problem
from exchange.generator import generate
from solver import exchanges, rules, solve
from solver.descents import sweep_musts
from solver.index import BASE, build_team_index
from solver.insertion import place
from solver.objective import WEIGHTS, faces, unplaced
from solver.routes import route_timing
from solver.scope import Scope
from solver.state import TeamState
from solver.travel import Travel
from solver.types import Assignment, BreakWindow, Dependency, Plan, Problem, Shift, SolveParams, TravelSpec
from tests.checks import own_verdict
from tests.solver.conftest import by_visit, carer, citizen, problem, quick, shared_verify, visit

WALK = {"walk": TravelSpec(speed_kmh=4.5, detour_factor=1.3)}


def _breaks(p: Problem, plan: Plan, cid: str, day: int = 0) -> list[int]:
    """Where carer cid's break can start on `day`, read off the plan as the verifier reads it: the
    idle spans between visits, travel taken just before the next one."""
    c = next(c for c in p.carers if c.id == cid)
    shift = next(s for s in c.shifts if s.day == day)
    assert shift.break_window is not None
    b = shift.break_window
    homes = {v.id: v for v in p.visits}
    legs = Travel(p.travel_of(c), {**{t.id: (t.lat, t.lon) for t in p.teams},
                                   **{q.id: (q.lat, q.lon) for q in p.citizens}})
    mine = sorted((a.start, homes[a.visit]) for a in plan.assignments if cid in a.carers)
    t, here, starts = shift.start, c.team, []
    for s, v in mine + [(shift.end, None)]:
        there = c.team if v is None else v.citizen
        leave = s - legs.minutes(here, there)
        start = max(t, b.earliest)
        if start <= min(leave - b.duration, b.latest):
            starts.append(start)
        if v is not None:
            t, here = s + v.duration, v.citizen
    return starts


@pytest.mark.shared
def test_a_walking_carer_is_not_sent_to_the_far_citizen_when_a_driving_carer_is_free() -> None:
    walker = dataclasses.replace(carer("walker"), travel_mode="walk")
    p = problem([walker, carer("driver")],
                [citizen("near", north=0.002), citizen("far", north=0.03)],
                [visit("near-am", "near", earliest=480, latest=490),
                 visit("far-am", "far", earliest=480, latest=490)],
                travel_modes=WALK)
    plan = solve(p, quick())
    got = by_visit(plan)
    assert got["far-am"].carers == ("driver",)
    assert got["near-am"].carers == ("walker",)
    violations, figures = shared_verify(p, plan)
    assert violations == []
    # The walker's own minutes: about 3 km on foot is far more than the 15 minutes by car.
    assert figures["travel_minutes"] < 60


@pytest.mark.shared
def test_a_break_is_kept_in_a_full_morning() -> None:
    lunch = BreakWindow(earliest=600, latest=720, duration=30)
    anna = carer("anna", shifts=(Shift(0, 420, 930, lunch),))
    homes = [citizen(f"p{i}", north=0.002 * (i + 1)) for i in range(6)]
    visits = [visit(f"v{i}", f"p{i}", earliest=430, latest=700, duration=45, need=f"morning{i}")
              for i in range(6)]
    p = problem([anna], homes, visits)
    plan = solve(p, quick())
    assert len(plan.assignments) == 6
    assert _breaks(p, plan, "anna")
    violations, figures = shared_verify(p, plan)
    assert violations == [] and figures["breaks_checked"] == 1


@pytest.mark.shared
def test_when_the_morning_is_too_full_a_visit_waits_rather_than_the_break() -> None:
    lunch = BreakWindow(earliest=600, latest=720, duration=30)
    anna = carer("anna", shifts=(Shift(0, 420, 930, lunch),))
    homes = [citizen(f"p{i}", north=0.002 * (i + 1)) for i in range(8)]
    visits = [visit(f"v{i}", f"p{i}", earliest=430, latest=700, duration=45, need=f"morning{i}")
              for i in range(8)]
    p = problem([anna], homes, visits)
    plan = solve(p, quick())
    assert len(plan.unplaced) > 0 and len(plan.assignments) >= 6
    assert _breaks(p, plan, "anna")
    assert shared_verify(p, plan)[0] == []


@pytest.mark.shared
def test_the_insulin_is_spaced_from_breakfast() -> None:
    spaced = Dependency("breakfast", "insulin", min_gap=180, max_gap=330)
    p = problem([carer("anna")], [citizen("p1")],
                [visit("breakfast", "p1", earliest=420, latest=540, duration=30),
                 visit("insulin", "p1", earliest=600, latest=780, duration=15, need="insulin")],
                dependencies=[spaced])
    plan = solve(p, quick())
    got = by_visit(plan)
    gap = got["insulin"].start - (got["breakfast"].start + 30)
    assert 180 <= gap <= 330
    assert shared_verify(p, plan)[0] == []


def test_a_pinned_breakfast_sets_when_the_insulin_may_come() -> None:
    spaced = Dependency("breakfast", "insulin", min_gap=180, max_gap=330)
    p = problem([carer("anna")], [citizen("p1")],
                [visit("breakfast", "p1", earliest=420, latest=540, duration=30),
                 visit("insulin", "p1", earliest=600, latest=780, duration=15, need="insulin")],
                dependencies=[spaced], pinned=[Assignment("breakfast", ("anna",), 530)])
    plan = solve(p, quick())
    assert by_visit(plan)["insulin"].start >= 530 + 30 + 180


def test_cleaning_is_dropped_before_the_morning_visit() -> None:
    # One carer, two visits at the same minutes: only one fits.
    cleaning = dataclasses.replace(visit("cleaning", "p1", earliest=480, latest=490, duration=60,
                                         need="cleaning"), priority=3)
    p = problem([carer("anna")], [citizen("p1"), citizen("p2", north=0.02)],
                [cleaning, visit("morning", "p2", earliest=480, latest=490, duration=60)])
    plan = solve(p, quick())
    assert [a.visit for a in plan.assignments] == ["morning"]
    assert [u.visit for u in plan.unplaced] == ["cleaning"]


def test_a_must_visit_takes_the_place_of_one_that_may_wait() -> None:
    # The cleaning got the only carer first; the sweep gives the morning visit its place.
    cleaning = dataclasses.replace(visit("cleaning", "p1", earliest=480, latest=490, duration=60,
                                         need="cleaning"), priority=3)
    p = problem([carer("anna")], [citizen("p1"), citizen("p2", north=0.02)],
                [cleaning, visit("morning", "p2", earliest=480, latest=490, duration=60)])
    ix = build_team_index(p, "T", Travel.for_problem(p))
    st = TeamState(ix, p.max_carers_per_month, [[set() for _ in ix.months] for _ in ix.citizens])
    assert place(st, ix.visit_pos["cleaning"]) and not place(st, ix.visit_pos["morning"])
    assert sweep_musts(Scope(st, 0)) < 0
    assert st.slots_of[ix.visit_pos["morning"]] and not st.slots_of[ix.visit_pos["cleaning"]]


def test_what_may_wait_is_left_out_first_and_still_placed_before_any_lower_goal() -> None:
    assert unplaced(1, WEIGHTS, 1) > unplaced(1, WEIGHTS, 2) > unplaced(1, WEIGHTS, 3)
    # A visit that may wait still outweighs a face beyond the target maximum.
    assert unplaced(1, WEIGHTS, 3) > faces(10) - faces(9)


@pytest.mark.shared
def test_a_replan_after_a_sick_call_keeps_breaks_and_spacing() -> None:
    lunch = BreakWindow(earliest=600, latest=720, duration=30)
    shifts = tuple(Shift(d, 420, 930, lunch) for d in (0, 1))
    homes = [citizen(f"p{i}", north=0.003 * (i + 1), east=0.002 * (i % 3)) for i in range(5)]
    visits = []
    spaced = []
    for d in (0, 1):
        for i in range(5):
            visits += [visit(f"p{i}-d{d}-am", f"p{i}", day=d, earliest=420, latest=560, duration=40),
                       visit(f"p{i}-d{d}-lunch", f"p{i}", day=d, earliest=690, latest=780, duration=20,
                             need="lunch")]
            spaced.append(Dependency(f"p{i}-d{d}-am", f"p{i}-d{d}-lunch", min_gap=180, max_gap=330))
    bikes = {"bike": TravelSpec(speed_kmh=14.0, detour_factor=1.3)}
    team = [carer("anna", shifts=shifts), dataclasses.replace(carer("bo", shifts=shifts), travel_mode="bike"),
            carer("cem", shifts=shifts)]
    p = problem(team, homes, visits, days=2, dependencies=spaced, travel_modes=bikes)
    plan = solve(p, quick(iterations=30))
    assert shared_verify(p, plan)[0] == []
    # Bo calls in sick on day 1: his shift is gone and the day is planned again.
    sick = [dataclasses.replace(team[1], shifts=shifts[:1])]
    again = dataclasses.replace(p, carers=[team[0], *sick, team[2]], current=plan.assignments,
                                replan_days=(1, 1))
    replanned = solve(again, quick(iterations=30))
    violations, figures = shared_verify(again, replanned)
    assert violations == [] and figures["breaks_checked"] >= 3
    # Day 0 stays as it was.
    day0 = {a for a in plan.assignments if "-d0-" in a.visit}
    assert day0 <= set(replanned.assignments)


@pytest.mark.shared
def test_pinned_visits_around_a_break_are_kept_whole() -> None:
    # The break fits only between the first two visits; the route is rebuilt in start order, when the
    # third visit comes the break must move back to that gap.
    lunch = BreakWindow(earliest=600, latest=720, duration=30)
    anna = carer("anna", shifts=(Shift(0, 420, 930, lunch),))
    homes = [citizen("p1", north=0.002), citizen("p2", north=0.003), citizen("p3", north=0.004)]
    visits = [visit("a", "p1", earliest=560, latest=560, duration=40),
              visit("b", "p2", earliest=640, latest=640, duration=30, need="b"),
              visit("c", "p3", earliest=681, latest=681, duration=45, need="c")]
    pins = [Assignment("a", ("anna",), 560), Assignment("b", ("anna",), 640), Assignment("c", ("anna",), 681)]
    p = problem([anna], homes, visits, pinned=pins)
    plan = solve(p, quick())
    assert sorted(plan.assignments, key=lambda a: a.start) == pins
    assert shared_verify(p, plan)[0] == []


@hs.composite
def one_shift_with_a_break(draw: hs.DrawFn) -> Problem:
    pause = BreakWindow(draw(hs.integers(540, 660)), draw(hs.integers(660, 760)),
                        draw(hs.sampled_from((15, 30, 45))))
    mode = draw(hs.sampled_from((None, "walk")))
    anna = dataclasses.replace(carer("anna", shifts=(Shift(0, 420, 930, pause),)), travel_mode=mode)
    homes = [citizen(f"p{i}", north=draw(hs.floats(-0.01, 0.01)), east=draw(hs.floats(-0.01, 0.01)))
             for i in range(4)]
    visits = []
    for i in range(draw(hs.integers(1, 8))):
        earliest = draw(hs.integers(420, 800))
        visits.append(visit(f"v{i}", f"p{draw(hs.integers(0, 3))}", earliest=earliest,
                            latest=earliest + draw(hs.sampled_from((0, 20, 90, 240))),
                            duration=draw(hs.sampled_from((15, 30, 60))), need=f"n{i}"))
    return problem([anna], homes, visits, travel_modes=WALK)


@given(one_shift_with_a_break(), hs.randoms(use_true_random=False))
@settings(max_examples=60, deadline=None)
def test_the_insertion_test_never_accepts_a_route_without_its_break(p: Problem, rnd: random.Random) -> None:
    ix = build_team_index(p, "T", Travel.for_problem(p))
    st = TeamState(ix, p.max_carers_per_month, [[set() for _ in ix.months] for _ in ix.citizens])
    for v in range(len(ix.visits)):
        opts = st.options(v, 0, ix.visits[v].earliest, ix.visits[v].latest)
        if not opts:
            continue
        o = rnd.choice(opts)
        start = rnd.randint(o.lo, o.hi)  # any minute of an option must do
        st.insert(v, [o], start, start, start)
        assert st.times(0) is not None
        # As the verifier reads it: the idle spans, travel just before the next visit.
        tt, loc, sl = ix.slots[0].tt, ix.v_loc, ix.slots[0]
        starts = st.schedule_route(0)
        gaps, t, here = [], sl.start, BASE
        for u, s in zip(st.routes[0], starts, strict=True):
            assert t + tt[here][loc[u]] <= s
            gaps.append((t, s - tt[here][loc[u]]))
            t, here = s + st.dur[u], loc[u]
        assert t + tt[here][BASE] <= sl.end
        gaps.append((t, sl.end - tt[here][BASE]))
        assert sl.pause is not None
        assert rules.break_start(gaps, sl.pause.earliest, sl.pause.latest, sl.pause.duration) is not None



@given(one_shift_with_a_break(), hs.randoms(use_true_random=False))
@settings(max_examples=60, deadline=None)
def test_the_insertion_test_finds_every_minute_where_a_visit_and_the_break_both_fit(
        p: Problem, rnd: random.Random) -> None:
    """A route is built up visit by visit; at each step, every minute of every position is tried by
    building the route with the visit fixed there: it fits (hours, travel, break) exactly where the
    insertion test offers that minute."""
    ix = build_team_index(p, "T", Travel.for_problem(p))
    st = TeamState(ix, p.max_carers_per_month, [[set() for _ in ix.months] for _ in ix.citizens])
    for v in range(len(ix.visits)):
        vis = ix.visits[v]
        offered = {(o.pos, s) for o in st.options(v, 0, vis.earliest, vis.latest)
                   for s in range(o.lo, o.hi + 1)}
        seq = st.routes[0]
        for pos in range(len(seq) + 1):
            for s in range(vis.earliest, vis.latest + 1):
                st.lo[v] = st.hi[v] = s
                fits = route_timing(ix.slots[0], seq[:pos] + [v] + seq[pos:], ix.v_loc, st.lo, st.hi, st.dur)
                assert (fits is not None) == ((pos, s) in offered), (pos, s)
        st.lo[v], st.hi[v] = vis.earliest, vis.latest
        if offered:
            pos, s = rnd.choice(sorted(offered))
            o = next(o for o in st.options(v, 0, s, s) if o.pos == pos)
            st.insert(v, [o], s, s, s)


def test_only_one_carer_is_allowed_however_often_it_is_asked() -> None:
    anna, bert, cleo = carer("anna"), carer("bert"), carer("cleo")
    p = problem([anna, bert, cleo], [citizen("p0")], [visit("v0", "p0")])
    ix = build_team_index(p, "T", Travel.for_problem(p))
    st = TeamState(ix, p.max_carers_per_month, [[set() for _ in ix.months] for _ in ix.citizens])
    for c in (1, 0, 1, 2, 0):
        assert st.all_but(c) == frozenset(range(3)) - {c}
        assert st.all_but(c) is st.all_but(c)

def test_cleanings_leave_the_hours_of_a_morning_visit_that_found_no_place() -> None:
    # Anna's morning: a must-visit at 07:05, then two short cleanings; the second morning visit (an
    # hour from 08:10-08:20) fits only if both cleanings go later, which neither does on its own.
    cleaning1 = dataclasses.replace(visit("clean1", "p2", earliest=490, latest=900, duration=30,
                                          need="cleaning"), priority=3)
    cleaning2 = dataclasses.replace(visit("clean2", "p3", earliest=520, latest=900, duration=30,
                                          need="cleaning"), priority=3)
    p = problem([carer("anna")], [citizen("p1"), citizen("p2"), citizen("p3"), citizen("p4")],
                [visit("first", "p1", earliest=420, latest=430, duration=60), cleaning1, cleaning2,
                 visit("second", "p4", earliest=490, latest=500, duration=60, need="second")])
    ix = build_team_index(p, "T", Travel.for_problem(p))
    st = TeamState(ix, p.max_carers_per_month, [[set() for _ in ix.months] for _ in ix.citizens])
    for vid, start in (("first", 425), ("clean1", 490), ("clean2", 525)):
        v = ix.visit_pos[vid]
        st.insert(v, st.options(v, 0, start, start)[:1], start, start, start)
        assert st.slots_of[v]
    second = ix.visit_pos["second"]
    assert not place(st, second)
    sweep_musts(Scope(st, 0))
    assert st.slots_of[second]
    assert all(st.slots_of[ix.visit_pos[c]] for c in ("clean1", "clean2"))  # both later in the day


def _faces_and_placed(plan: Plan, p: Problem) -> tuple[float, int]:
    """Mean distinct carers per citizen-month, and the visits placed."""
    day_of = {v.id: v for v in p.visits}
    met: dict[tuple[str, tuple[int, int]], set[str]] = {}
    for a in plan.assignments:
        v = day_of[a.visit]
        met.setdefault((v.citizen, p.month_of(v.day)), set()).update(a.carers)
    return sum(map(len, met.values())) / len(met), len(plan.assignments)


def test_with_walkers_and_breaks_the_rarely_seen_carers_hand_their_visits_on(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A town team with the rules (walkers, breaks, spaced visits): the usual carers' mornings are
    full, so the rarely seen carers' visits go to them only if a visit in their way is handed on to a
    carer its own citizen already meets. The first plan and its final descents, no search steps."""
    p = to_problem(parse_instance(generate("team-rules", "s", 1)))
    params = SolveParams(time_limit=600, seed=0, workers=1, max_iterations=0)
    handed_on = solve(p, params)
    monkeypatch.setattr(exchanges, "HAND_ON_DEPTH", 0)
    exchanged_only = solve(p, params)
    faces_on, placed_on = _faces_and_placed(handed_on, p)
    faces_only, placed_only = _faces_and_placed(exchanged_only, p)
    assert faces_on < faces_only
    assert placed_on >= placed_only
    assert own_verdict(p, handed_on)[0] == []
