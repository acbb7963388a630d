"""The neighbourhood search's steps, each on a plan where it alone can make the change."""

from __future__ import annotations

import time
from functools import partial

import pytest
from ortools.constraint_solver import routing_enums_pb2

from solver import Assignment, descents, exchanges, neighbourhoods
from solver.dayrouting import route_day, search_parameters
from solver.exchanges import hand_back
from solver.handover import faces_elsewhere, hand_over_day, route_cost
from solver.index import build_team_index
from solver.insertion import place
from solver.objective import WEIGHTS
from solver.objective import new_face as face_cost
from solver.planner import team_state
from solver.scope import Scope
from solver.state import TeamState
from solver.travel import Travel
from solver.types import Problem
from tests.solver.conftest import carer, citizen, placed_by, problem, visit


def left_by_team(p: Problem, fixed: dict[str, Assignment]) -> tuple[TeamState, list[int]]:
    """The team's plan loaded as the team left it, every visit free to move again; and the visits it
    left out (none refused: every given assignment holds)."""
    ix = build_team_index(p, "T", Travel.for_problem(p))
    st, free, refused = team_state(p, ix, fixed, {}, {})
    assert not refused
    st.fixed = [False] * len(ix.visits)
    return st, free


def _crossed_plan() -> Scope:
    """Two neighbours, two carers, two days; on day 1 each citizen got the other's carer.

    Every visit is tied to 08:00-08:10 and lasts an hour, so no carer has room for a second
    visit then: freeing one visit finds its usual carer busy, only an exchange helps.
    """
    carers = [carer(c, days=(0, 1)) for c in ("anna", "bo")]
    citizens = [citizen("p1"), citizen("p2", north=0.011)]
    visits = [visit(f"{p}-d{d}", p, day=d, earliest=480, latest=490, duration=60)
              for p in ("p1", "p2") for d in (0, 1)]
    p = problem(carers, citizens, visits, days=2)
    given = {"p1-d0": "anna", "p2-d0": "bo", "p1-d1": "bo", "p2-d1": "anna"}
    fixed = {vid: Assignment(vid, (c,), 480) for vid, c in given.items()}
    st, free = left_by_team(p, fixed)
    assert not free
    return Scope(st, seed=0)


def test_a_carer_seen_once_swaps_the_visit_with_the_citizens_usual_carer() -> None:
    search = _crossed_plan()
    st = search.st
    assert [st.distinct(ci, 0) for ci in range(2)] == [2, 2]
    st.begin()
    assert neighbourhoods.swap_out_rare_carer(search)
    assert st.delta() < 0
    st.commit()
    # Each citizen now meets one carer all month, and both routes are still feasible.
    assert [st.distinct(ci, 0) for ci in range(2)] == [1, 1]
    assert all(st.times(k) is not None for k in range(len(st.ix.slots)))


def test_a_sweep_offers_every_rarely_seen_carer_back_and_keeps_only_what_helps() -> None:
    search = _crossed_plan()
    st = search.st
    before = st.total_cost()
    assert descents.sweep_rare_carers(search) < 0
    assert st.journal is None  # every step either kept or undone
    assert [st.distinct(ci, 0) for ci in range(2)] == [1, 1]
    assert st.total_cost() < before
    assert descents.sweep_rare_carers(search) == 0  # nothing left to gain: the sweep changes nothing more


def _carers_on_different_days_plan() -> Scope:
    """p1 meets anna on Monday and cy on Tuesday; neither works the other's day, so neither can
    take the other's visit."""
    p = problem([carer("anna", days=(0,)), carer("cy", days=(1,))], [citizen("p1")],
                [visit(f"p1-d{d}", "p1", day=d) for d in (0, 1)], days=2)
    given = {"p1-d0": "anna", "p1-d1": "cy"}
    st, free = left_by_team(p, {vid: Assignment(vid, (c,), 480) for vid, c in given.items()})
    assert not free
    return Scope(st, seed=0)


def test_a_hand_back_that_failed_is_tried_again_only_once_its_routes_have_changed(
        monkeypatch: pytest.MonkeyPatch) -> None:
    search = _carers_on_different_days_plan()
    st, ix = search.st, search.st.ix
    tried: list[str] = []
    real = descents.hand_back

    def counted(sc: Scope, ci: int, mi: int, t: int) -> bool:
        tried.append(ix.carers[t].id)
        return real(sc, ci, mi, t)

    monkeypatch.setattr(descents, "hand_back", counted)
    assert descents.sweep_rare_carers(search) == 0
    assert sorted(tried) == ["anna", "cy"]  # each offered back once; neither could go
    tried.clear()
    assert descents.sweep_rare_carers(search) == 0
    assert tried == []  # the routes stand as they were: nothing to try again
    tuesday = ix.visit_pos["p1-d1"]
    st.begin()
    st.remove(tuesday)
    st.rollback()
    assert descents.sweep_rare_carers(search) == 0
    assert tried == []  # a change undone is no change
    st.begin()
    st.remove(tuesday)
    assert place(st, tuesday)
    st.commit()
    assert descents.sweep_rare_carers(search) == 0
    assert tried == ["cy"]  # cy's Tuesday changed, anna's Monday did not


def _usual_carer_busy_plan() -> Scope:
    """p1 meets anna on day 0 and cy once, on day 1, when anna is with p2; p2 otherwise meets bo,
    who is free on day 1. Every visit is tied to 08:00-08:10 and lasts an hour, and only anna and bo
    may lift p2: cy cannot take p2's visit in exchange."""
    lifters = [carer(c, days=(0, 1), skills=("lift",)) for c in ("anna", "bo")]
    carers = [*lifters, carer("cy", days=(0, 1))]
    citizens = [citizen("p1"), citizen("p2", north=0.011)]
    visits = [visit(f"p1-d{d}", "p1", day=d, earliest=480, latest=490, duration=60) for d in (0, 1)]
    visits += [visit(f"p2-d{d}", "p2", day=d, earliest=480, latest=490, duration=60, skills=("lift",))
               for d in (0, 1)]
    p = problem(carers, citizens, visits, days=2)
    given = {"p1-d0": "anna", "p1-d1": "cy", "p2-d0": "bo", "p2-d1": "anna"}
    st, free = left_by_team(p, {vid: Assignment(vid, (c,), 480) for vid, c in given.items()})
    assert not free
    return Scope(st, seed=0)


def test_a_rare_carer_s_visit_goes_to_the_usual_carer_whose_visit_in_the_way_goes_to_one_its_citizen_knows(
) -> None:
    search = _usual_carer_busy_plan()
    st, ix = search.st, search.st.ix
    assert [st.distinct(ci, 0) for ci in range(2)] == [2, 2]
    st.begin()
    assert hand_back(search, ix.citizen_pos["p1"], 0, ix.carer_pos["cy"])
    assert st.delta() < 0
    st.commit()
    assert placed_by(st) == {"p1-d0": ("anna",), "p1-d1": ("anna",), "p2-d0": ("bo",), "p2-d1": ("bo",)}
    assert all(st.times(k) is not None for k in range(len(ix.slots)))


def test_without_handing_on_the_rare_carer_stays(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(exchanges, "HAND_ON_DEPTH", 0)
    search = _usual_carer_busy_plan()
    st, ix = search.st, search.st.ix
    st.begin()
    changed = hand_back(search, ix.citizen_pos["p1"], 0, ix.carer_pos["cy"])
    assert not changed or st.delta() >= 0  # anna is busy and cy may not lift p2: no way without the chain
    st.rollback()


def test_a_double_visit_hands_a_rarely_seen_carer_back_too() -> None:
    carers = [carer(c, days=(0, 1)) for c in ("anna", "bo", "cy")]
    visits = [visit(f"p1-d{d}", "p1", day=d, carers=2) for d in (0, 1)]
    p = problem(carers, [citizen("p1")], visits, days=2)
    given = {"p1-d0": ("anna", "bo"), "p1-d1": ("anna", "cy")}
    fixed = {vid: Assignment(vid, cs, 480) for vid, cs in given.items()}
    st, free = left_by_team(p, fixed)
    assert not free
    ix = st.ix
    search = Scope(st, seed=0)
    assert st.distinct(0, 0) == 3

    st.begin()
    assert hand_back(search, 0, 0, ix.carer_pos["cy"])
    assert st.delta() < 0
    st.commit()
    assert st.distinct(0, 0) == 2
    assert all(st.times(k) is not None for k in range(len(ix.slots)))


def test_handing_over_both_routes_of_a_double_visit_keeps_its_two_carers_apart() -> None:
    carers = [carer(c) for c in ("anna", "bo", "cy")]
    p = problem(carers, [citizen("p1")], [visit("p1-d0", "p1", carers=2)])
    fixed = {"p1-d0": Assignment("p1-d0", ("anna", "bo"), 480)}
    ix = build_team_index(p, "T", Travel.for_problem(p))
    st, _, _ = team_state(p, ix, fixed, {}, {})
    anna, bo, cy = (ix.slots_of_carer_day[(ix.carer_pos[c], 0)][0] for c in ("anna", "bo", "cy"))

    st.hand_over_routes({anna: bo, bo: cy})  # bo takes anna's route, cy takes bo's

    assert sorted(st.slots_of[0]) == sorted([bo, cy])
    assert st.routes[bo] == [0] and st.routes[cy] == [0] and st.routes[anna] == []
    st.remove(0)  # the slots agree with the routes, so the visit comes out cleanly
    assert all(not r for r in st.routes)


def test_freeing_the_rare_visit_alone_cannot_remove_the_face() -> None:
    search = _crossed_plan()
    st = search.st
    st.begin()
    neighbourhoods.free_rare_carer(search)
    assert st.delta() >= 0  # the usual carer is busy then: the visit goes back where it was
    st.rollback()


def test_a_face_costs_more_as_a_citizen_meets_more_carers() -> None:
    w = WEIGHTS
    assert face_cost(0) == w.new_carer
    assert face_cost(w.crowd_from) == w.new_carer + w.crowd
    assert face_cost(w.many_from) == w.new_carer + w.crowd + w.many
    assert face_cost(w.many_from) > 5 * face_cost(0)  # the maximum is guarded, not only the mean


def test_a_day_s_routes_go_to_the_carers_their_citizens_already_meet() -> None:
    search = _crossed_plan()
    st = search.st
    travel_before = sum(st.route_travel(k) for k in range(len(st.ix.slots)))
    st.begin()
    assert hand_over_day(st, 1)  # day 1's two routes change hands: each citizen keeps one carer
    assert st.delta() < 0
    st.commit()
    assert [st.distinct(ci, 0) for ci in range(2)] == [1, 1]
    assert sum(st.route_travel(k) for k in range(len(st.ix.slots))) == travel_before


def test_handing_over_routes_never_passes_the_monthly_cap() -> None:
    search = _crossed_plan()
    st = search.st
    day1 = [k for k in st.ix.slots_of_day[1] if st.routes[k]]
    elsewhere, routes_of = faces_elsewhere(st, day1)
    k_bo = next(k for k in day1 if st.ix.carers[st.ix.slots[k].carer].id == "bo")
    seq = st.routes[k_bo]  # p1's visit on day 1; p1 meets anna on day 0
    bo = st.ix.slots[k_bo].carer
    assert route_cost(st, seq, bo, elsewhere, routes_of) is not None  # cap 12: a second face is fine
    st.cap = 1
    assert route_cost(st, seq, bo, elsewhere, routes_of) is None  # cap 1: bo would be one too many


def test_the_citizen_meeting_most_carers_loses_the_one_it_sees_least() -> None:
    # p1 meets eight carers: anna on day 0 (twice) and one stand-in a day after that, though
    # anna works every day and has room. The maximum is what the step goes after.
    days = tuple(range(WEIGHTS.many_from + 1))
    carers = [carer("anna", days=days)] + [carer(f"s{d}", days=(d,)) for d in days[1:]]
    visits = [visit("p1-d0-lunch", "p1", day=0, earliest=720, latest=740, need="lunch")]
    visits += [visit(f"p1-d{d}", "p1", day=d) for d in days]
    p = problem(carers, [citizen("p1")], visits, days=len(days))
    given = {"p1-d0-lunch": "anna", "p1-d0": "anna"} | {f"p1-d{d}": f"s{d}" for d in days[1:]}
    fixed = {vid: Assignment(vid, (c,), 720 if "lunch" in vid else 480) for vid, c in given.items()}
    st, free = left_by_team(p, fixed)
    assert not free and st.distinct(0, 0) == WEIGHTS.many_from + 1
    search = Scope(st, seed=0)
    st.begin()
    assert neighbourhoods.thin_crowded_citizen(search)
    assert st.delta() < 0
    st.commit()
    assert st.distinct(0, 0) == WEIGHTS.many_from


def test_a_day_routed_afresh_gives_two_double_visits_at_the_same_hour_four_different_carers() -> None:
    """Two citizens need two carers each at 08:00 for an hour; four carers work. Routing takes each
    double visit's pair as given, so the pairs must be chosen apart (they were once both Anna and Bo,
    and one visit was left out)."""
    carers = [carer(c) for c in ("anna", "bo", "cy", "dan")]
    citizens = [citizen("p1"), citizen("p2", north=0.012)]
    visits = [visit(f"{p}-v", p, earliest=480, latest=485, duration=60, carers=2) for p in ("p1", "p2")]
    p = problem(carers, citizens, visits)
    ix = build_team_index(p, "T", Travel.for_problem(p))
    st, free, refused = team_state(p, ix, {}, {}, {})
    assert sorted(free) == [0, 1] and not refused

    left = route_day(st, 0, free, 0.2, exact_repeat=True)

    assert left == []
    pairs = [{ix.slots[k].carer for k in st.slots_of[v]} for v in free]
    assert all(len(pair) == 2 for pair in pairs) and not pairs[0] & pairs[1]
    assert all(st.times(k) is not None for k in range(len(ix.slots)))


def _evening_with_one_medication_carer() -> Scope:
    """18:00-20:10, three carers, two hours of work each. Only anna gives medication; p2's visit
    could go to anna or bo, p3's to anna or cy (p3 will not have bo), and cy is busy all evening
    with a visit the team pinned. Anna has p2 and p3; p1's medication visit is left out."""
    carers = [carer("anna", skills=("medication",), start=1080, end=1210),
              carer("bo", start=1080, end=1210), carer("cy", start=1080, end=1210)]
    citizens = [citizen("p1"), citizen("p2", contact="anna", avoid=("cy",)), citizen("p3", avoid=("bo",)),
                citizen("p4")]
    visits = [visit("p1-med", "p1", earliest=1085, latest=1145, duration=60, skills=("medication",)),
              visit("p2-eve", "p2", earliest=1085, latest=1145, duration=60),
              visit("p3-eve", "p3", earliest=1085, latest=1145, duration=60),
              visit("p4-long", "p4", earliest=1085, latest=1085, duration=120)]
    p = problem(carers, citizens, visits)
    given = {"p2-eve": ("anna", 1085), "p3-eve": ("anna", 1145), "p4-long": ("cy", 1085)}
    fixed = {vid: Assignment(vid, (c,), s) for vid, (c, s) in given.items()}
    st, free = left_by_team(p, fixed)
    assert free == [st.ix.visit_pos["p1-med"]]
    st.fixed = [vis.id == "p4-long" for vis in st.ix.visits]
    return Scope(st, seed=0)


def test_an_unplaced_medication_visit_gets_the_medication_carers_time_when_others_can_take_the_rest() -> None:
    search = _evening_with_one_medication_carer()
    st = search.st
    assert placed_by(st) == {"p2-eve": ("anna",), "p3-eve": ("anna",), "p4-long": ("cy",)}

    # Re-placing what was freed by cost alone: p2 goes back to anna (its contact, no extra trip), so
    # p3 finds anna full and is left out instead of p1. Nothing gained.
    st.begin()
    assert neighbourhoods.free_around_unplaced(search, spare_first=False)
    assert st.delta() > -1
    assert len(placed_by(st)) == 3
    st.rollback()

    # p2 goes to bo first, as only anna can give p1 its medication: every visit is placed.
    st.begin()
    assert neighbourhoods.free_around_unplaced(search, spare_first=True)
    assert st.delta() < 0
    st.commit()
    assert placed_by(st) == {"p1-med": ("anna",), "p2-eve": ("bo",), "p3-eve": ("anna",), "p4-long": ("cy",)}
    assert all(st.times(k) is not None for k in range(len(st.ix.slots)))


def test_a_carer_who_drives_across_town_for_one_citizen_hands_her_to_the_carer_passing_her_door() -> None:
    """Anna's round is in the west but she also drives east to x every day; Bo's round is next door
    to x. Handing x to Bo for the month saves the drive and costs x no extra face."""
    carers = [carer(c, days=(0, 1)) for c in ("anna", "bo")]
    homes = {"w1": (0.0, -0.1), "w2": (0.012, -0.1), "e1": (0.0, 0.1), "e2": (0.012, 0.1), "x": (0.006, 0.1)}
    citizens = [citizen(pid, north=n, east=e) for pid, (n, e) in homes.items()]
    visits = [visit(f"{pid}-d{d}", pid, day=d, earliest=480, latest=800) for pid in homes for d in (0, 1)]
    p = problem(carers, citizens, visits, days=2)
    rounds = {"anna": [("w1", 480), ("w2", 530), ("x", 640)], "bo": [("e1", 480), ("e2", 530)]}
    fixed = {f"{pid}-d{d}": Assignment(f"{pid}-d{d}", (c,), start)
             for c, stops in rounds.items() for pid, start in stops for d in (0, 1)}
    st, free = left_by_team(p, fixed)
    assert not free
    ix = st.ix
    search = Scope(st, seed=0)
    travel_before = sum(st.route_travel(k) for k in range(len(ix.slots)))

    step = partial(neighbourhoods.hand_over_far_citizen, search)
    gain = sum(descents.keep_if_better(st, step) for _ in range(10))

    assert gain < 0
    assert {vid: cs for vid, cs in placed_by(st).items() if vid.startswith("x-")} == \
        {"x-d0": ("bo",), "x-d1": ("bo",)}
    assert st.distinct(ix.citizen_pos["x"], 0) == 1  # Bo instead of Anna: no new face for x
    assert sum(st.route_travel(k) for k in range(len(ix.slots))) < travel_before
    assert all(st.times(k) is not None for k in range(len(ix.slots)))


def test_two_carers_who_each_drive_across_town_trade_citizens_and_nobody_meets_more_carers() -> None:
    """Anna's round is in the west but she drives east to x at 11:00; Bo's round is in the east but he
    drives west to y at 11:00. Neither has room for a second visit at 11:00, so neither can simply
    hand over: they trade x and y for the month, both drive less, and x and y each still meet one
    carer."""
    carers = [carer(c, days=(0, 1), start=420, end=800) for c in ("anna", "bo")]
    homes = {"w1": (0.0, -0.02), "w2": (0.004, -0.02), "y": (0.002, -0.02),
             "e1": (0.0, 0.02), "e2": (0.004, 0.02), "x": (0.002, 0.02)}
    citizens = [citizen(pid, north=n, east=e) for pid, (n, e) in homes.items()]
    hours = {"w1": 480, "e1": 480, "w2": 570, "e2": 570, "x": 660, "y": 660}
    visits = [visit(f"{pid}-d{d}", pid, day=d, earliest=hours[pid], latest=hours[pid] + 10, duration=60)
              for pid in homes for d in (0, 1)]
    p = problem(carers, citizens, visits, days=2)
    rounds = {"anna": ("w1", "w2", "x"), "bo": ("e1", "e2", "y")}
    fixed = {f"{pid}-d{d}": Assignment(f"{pid}-d{d}", (c,), hours[pid])
             for c, stops in rounds.items() for pid in stops for d in (0, 1)}
    st, free = left_by_team(p, fixed)
    assert not free
    ix = st.ix

    def drive(c: str) -> int:
        return sum(st.route_travel(k) for k in st.slots_of_carer[ix.carer_pos[c]])

    before = {c: drive(c) for c in rounds}
    assert descents.swap_far_citizens(Scope(st, seed=0)) < 0
    assert st.journal is None  # every change kept or undone whole
    assert {vid: cs for vid, cs in placed_by(st).items() if vid[0] in "xy"} == \
        {"x-d0": ("bo",), "x-d1": ("bo",), "y-d0": ("anna",), "y-d1": ("anna",)}
    assert all(drive(c) < before[c] for c in rounds)
    assert all(st.distinct(ci, 0) == 1 for ci in range(len(ix.citizens)))
    assert all(st.times(k) is not None for k in range(len(ix.slots)))


def _weekly_cleaning_astray(*, anna_busy_at_ten: bool) -> tuple[Scope, int]:
    """p1's weekly cleaning is at 10:00 with anna on three Tuesdays and at 13:00 on the fourth; p2's
    daily morning visit (bo, 08:00) makes the cleaning a need with few visits. With `anna_busy_at_ten`,
    anna spends that fourth morning at p3's, whom only she may visit; bo and cy, both new to p1, are free."""
    carers = [carer(c, days=tuple(range(28))) for c in ("anna", "bo", "cy")]
    citizens = [citizen("p1"), citizen("p2", north=0.011), citizen("p3", north=0.012, avoid=("bo", "cy"))]
    visits = [visit(f"p1-d{d}", "p1", day=d, need="cleaning", earliest=540, latest=900, duration=60)
              for d in (0, 7, 14, 21)]
    visits += [visit(f"p2-d{d}", "p2", day=d, earliest=480, latest=480) for d in range(28)]
    given = {f"p1-d{d}": ("anna", 600) for d in (0, 7, 14)} | {"p1-d21": ("anna", 780)}
    given |= {f"p2-d{d}": ("bo", 480) for d in range(28)}
    if anna_busy_at_ten:
        visits.append(visit("p3-d21", "p3", day=21, earliest=570, latest=570, duration=180))
        given["p3-d21"] = ("anna", 570)
    p = problem(carers, citizens, visits, days=28)
    st, free = left_by_team(p, {vid: Assignment(vid, (c,), s) for vid, (c, s) in given.items()})
    assert not free
    if anna_busy_at_ten:
        st.fixed[st.ix.visit_pos["p3-d21"]] = True  # p3's visit is hers alone that morning
    return Scope(st, seed=0), st.ix.visit_pos["p1-d21"]


def _start_of(st: TeamState, v: int) -> int:
    (k,) = st.slots_of[v]
    return dict(zip(st.routes[k], st.schedule_route(k), strict=True))[v]


def test_a_weekly_cleaning_that_strayed_to_the_afternoon_comes_back_to_its_usual_morning_hour() -> None:
    search, v = _weekly_cleaning_astray(anna_busy_at_ten=False)
    st = search.st
    assert st.target[st.ix.v_need[v]] == 600 and _start_of(st, v) == 780

    assert descents.steady_stray_starts(search) < 0

    assert _start_of(st, v) == 600
    assert st.distinct(st.ix.citizen_pos["p1"], 0) == 1  # still anna alone
    assert st.w_time == [WEIGHTS.time] * st.ix.n_needs  # the search's weights are back


def test_steadying_a_start_never_brings_the_citizen_a_new_face() -> None:
    # At 10:00 only bo and cy are free, each a new face for p1 (a face costs less than the three hours
    # off): the cleaning stays with anna, only as early as her morning at p3's allows.
    search, v = _weekly_cleaning_astray(anna_busy_at_ten=True)
    st = search.st
    before = placed_by(st)

    descents.steady_stray_starts(search)

    assert placed_by(st) == before
    assert 750 < _start_of(st, v) <= 780  # p3's visit ends at 12:30
    assert st.distinct(st.ix.citizen_pos["p1"], 0) == 1


def test_a_day_re_routed_starts_from_its_routes_so_a_double_visit_keeps_its_pair_of_carers() -> None:
    """p1 needs two carers at 08:00 and the team gave cy and dan; anna and bo see p2 and p3 later.
    Re-routing the day starts from the routes as they stand, so the double visit keeps cy and dan
    at 08:00 (routed afresh, its pair would be chosen again, and anna and bo come first in the list)
    and every visit is placed again in routes that hold."""
    carers = [carer(c) for c in ("anna", "bo", "cy", "dan")]
    citizens = [citizen("p1"), citizen("p2", north=0.012), citizen("p3", north=0.014)]
    visits = [visit("p1-v", "p1", earliest=480, latest=480, duration=60, carers=2),
              visit("p2-v", "p2", earliest=600, latest=660), visit("p3-v", "p3", earliest=600, latest=660)]
    p = problem(carers, citizens, visits)
    fixed = {"p1-v": Assignment("p1-v", ("cy", "dan"), 480), "p2-v": Assignment("p2-v", ("anna",), 600),
             "p3-v": Assignment("p3-v", ("bo",), 620)}
    st, free = left_by_team(p, fixed)
    assert not free
    search = Scope(st, seed=0)
    search.route_time = 0.1
    st.begin()

    assert neighbourhoods.reroute_day(search)

    ix = st.ix
    double = ix.visit_pos["p1-v"]
    assert {ix.carers[ix.slots[k].carer].id for k in st.slots_of[double]} == {"cy", "dan"}
    assert st.lo[double] == 480
    assert all(st.slots_of[v] for v in range(len(ix.visits)))
    assert all(st.times(k) is not None for k in range(len(ix.slots)))


def test_a_first_plan_with_no_time_left_for_routing_is_built_by_insertion_alone(monkeypatch) -> None:
    """The first routes keep to their share of the time limit: once it is spent, the days left are
    built by cheapest insertion, and every visit that fits is still placed."""
    from solver import construct as construct_module

    carers = [carer(c, days=(0, 1)) for c in ("anna", "bo")]
    citizens = [citizen("p1"), citizen("p2", north=0.011)]
    visits = [visit(f"{p}-d{d}", p, day=d) for p in ("p1", "p2") for d in (0, 1)]
    st, free = left_by_team(problem(carers, citizens, visits, days=2), {})
    routed: list[int] = []

    def route(st: TeamState, day: int, todo: list[int], seconds: float, **kw: object) -> list[int]:
        routed.append(day)
        return route_day(st, day, todo, seconds)

    monkeypatch.setattr(construct_module, "route_day", route)
    assert construct_module.construct(st, free, 1.0, deadline=time.monotonic()) == []
    assert routed == []
    assert len(placed_by(st)) == 4


def test_out_of_time_the_final_descents_leave_the_plan_as_the_search_left_it() -> None:
    """Out of time, the final descents change nothing more; with time, the polish hands the crossed
    routes back (each citizen then meets one carer)."""
    search = _crossed_plan()
    st = search.st
    search.deadline = time.monotonic()
    assert descents.sweep_rare_carers(search) == 0
    assert descents.polish(search) == 0
    assert [st.distinct(ci, 0) for ci in range(2)] == [2, 2]
    search.deadline = time.monotonic() + 60
    assert descents.polish(search) + descents.sweep_rare_carers(search) < 0
    assert [st.distinct(ci, 0) for ci in range(2)] == [1, 1]


def test_a_step_counted_day_routing_stops_at_its_first_local_optimum_not_at_a_clock() -> None:
    """On a machine shared by many, a day's descent took a minute of wall time for seconds of CPU: a
    clock that cuts it (routing's time limit, or the 0.1 s its inner searches get by default) would
    make the same seed give another plan. Step-counted runs leave both far out of reach."""
    exact = search_parameters(0.3, exact_repeat=True)
    assert exact.local_search_metaheuristic == routing_enums_pb2.LocalSearchMetaheuristic.GREEDY_DESCENT
    assert exact.time_limit.seconds >= 3600
    assert exact.lns_time_limit.seconds >= 60
    timed = search_parameters(0.3, exact_repeat=False)
    assert timed.local_search_metaheuristic == routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    assert timed.time_limit.ToMilliseconds() == 300



def _crossed_rounds() -> Scope:
    """Anna works the west, Bo the east, both days. On day 0 each drives its own side; on day 1
    the team crossed them: Anna drives w1 then e1, Bo w2 then e2, each across town and back.
    So every citizen but w1 and e2 already meets both carers this month; Cy, free on day 1, is
    new to everyone."""
    carers = [carer(c, days=(0, 1)) for c in ("anna", "bo")] + [carer("cy", days=(1,))]
    homes = {"w1": (0.0, -0.1), "w2": (0.012, -0.1), "e1": (0.0, 0.1), "e2": (0.012, 0.1)}
    citizens = [citizen(pid, north=n, east=e) for pid, (n, e) in homes.items()]
    visits = [visit(f"{pid}-d{d}", pid, day=d, earliest=480, latest=800) for pid in homes for d in (0, 1)]
    p = problem(carers, citizens, visits, days=2)
    rounds = {("anna", 0): ["w1", "w2"], ("bo", 0): ["e1", "e2"],
              ("anna", 1): ["w1", "e1"], ("bo", 1): ["w2", "e2"]}
    fixed = {f"{pid}-d{d}": Assignment(f"{pid}-d{d}", (c,), 480 + 120 * i)
             for (c, d), stops in rounds.items() for i, pid in enumerate(stops)}
    st, free = left_by_team(p, fixed)
    assert not free
    return Scope(st, seed=0)


def test_a_carer_given_up_for_one_the_citizen_never_met_is_a_new_face() -> None:
    """w2 meets Anna on day 0 and Bo on day 1. Its day-1 visit handed to Cy leaves it two carers
    that month, as before, but Cy is new to it: a re-route that did so would not be kept."""
    search = _crossed_rounds()
    st, ix = search.st, search.st.ix
    w2, cy = ix.visit_pos["w2-d1"], ix.carer_pos["cy"]
    st.begin()
    st.remove(w2)
    assert place(st, w2, frozenset(range(len(ix.carers))) - {cy})
    assert len(st.met[ix.v_cit[w2]][0]) == 2

    assert not descents.no_new_face(st)
    st.rollback()


def _double_morning_astray(*, bo_busy_at_eight: bool) -> tuple[Scope, int]:
    """p1's morning needs anna and bo together; it is held at 08:00 on three days, and the search left
    the fourth (window 07:00-09:00) at 07:10. With `bo_busy_at_eight`, bo is due at p2's at 08:00 that
    day for an hour (hers alone)."""
    carers = [carer(c, days=(0, 1, 2, 3)) for c in ("anna", "bo")]
    citizens = [citizen("p1"), citizen("p2", north=0.012)]
    visits = [visit(f"p1-d{d}", "p1", day=d, earliest=480, latest=480, carers=2) for d in (0, 1, 2)]
    visits.append(visit("p1-d3", "p1", day=3, earliest=420, latest=540, carers=2))
    given = {f"p1-d{d}": Assignment(f"p1-d{d}", ("anna", "bo"), 480) for d in (0, 1, 2)}
    given["p1-d3"] = Assignment("p1-d3", ("anna", "bo"), 430)
    if bo_busy_at_eight:
        visits.append(visit("p2-d3", "p2", day=3, need="care", earliest=480, latest=480, duration=60))
        given["p2-d3"] = Assignment("p2-d3", ("bo",), 480)
    p = problem(carers, citizens, visits, days=4)
    st, free = left_by_team(p, given)
    assert not free
    if bo_busy_at_eight:
        st.fixed[st.ix.visit_pos["p2-d3"]] = True
    return Scope(st, seed=0), st.ix.visit_pos["p1-d3"]


def test_a_double_visit_left_an_hour_early_comes_back_to_the_minute_of_its_other_days() -> None:
    search, v = _double_morning_astray(bo_busy_at_eight=False)
    st = search.st
    before = placed_by(st)

    assert descents.steady_double_visits(search) < 0

    assert st.lo[v] == st.hi[v] == 480
    assert placed_by(st) == before  # the same two carers, only the minute moved
    assert all(st.times(k) is not None for k in st.slots_of[v])


def test_a_double_visit_moves_only_as_far_as_both_carers_routes_allow() -> None:
    # bo must be at p2's at 08:00: the double visit (30 minutes) can start no later than the ride allows.
    search, v = _double_morning_astray(bo_busy_at_eight=True)
    st = search.st

    descents.steady_double_visits(search)

    assert 430 < st.lo[v] < 450
    assert _start_of(st, st.ix.visit_pos["p2-d3"]) == 480
    assert all(st.times(k) is not None for k in range(len(st.ix.slots)) if st.routes[k])


def test_after_new_year_a_citizen_gets_a_carer_she_met_in_december_rather_than_a_stranger() -> None:
    """Faces are counted per month, so on 1 January cy (who came on 31 December) and bo are both new
    faces for p1, at the same price and the same distance; bo comes first in the team. Insertion
    spares a carer met in the plan's other month part of a new face's price: cy comes again."""
    carers = [carer(c, days=(30, 31)) for c in ("bo", "cy")]
    visits = [visit(f"p1-d{d}", "p1", day=d) for d in (30, 31)]
    p = problem(carers, [citizen("p1")], visits, days=32)
    st, free = left_by_team(p, {"p1-d30": Assignment("p1-d30", ("cy",), 480)})
    (v,) = free
    assert st.ix.v_month[v] != st.ix.v_month[st.ix.visit_pos["p1-d30"]]

    assert place(st, v)

    assert placed_by(st)["p1-d31"] == ("cy",)


def _contact_carer_with_a_neighbour(*, neighbour_meets_bo: bool) -> Scope:
    """p1's contact carer is anna; p2 has none. Every visit is tied to 08:00-08:10 and lasts an hour,
    so a carer makes one visit a morning. p1 meets anna on day 0 and bo on day 1, when anna is with
    p2; p2 meets anna on day 1 and, on day 0, bo (or anna, if not `neighbour_meets_bo`; cy then
    takes p1's first visit)."""
    carers = [carer(c, days=(0, 1)) for c in ("anna", "bo", "cy")]
    citizens = [citizen("p1", contact="anna"), citizen("p2", north=0.011)]
    visits = [visit(f"{p}-d{d}", p, day=d, earliest=480, latest=490, duration=60)
              for p in ("p1", "p2") for d in (0, 1)]
    p = problem(carers, citizens, visits, days=2)
    given = ({"p1-d0": "anna", "p2-d0": "bo"} if neighbour_meets_bo else {"p1-d0": "cy", "p2-d0": "anna"})
    given |= {"p1-d1": "bo", "p2-d1": "anna"}
    st, free = left_by_team(p, {vid: Assignment(vid, (c,), 480) for vid, c in given.items()})
    assert not free
    return Scope(st, seed=0)


def test_a_visit_goes_to_the_contact_carer_when_the_visit_in_her_way_goes_to_a_carer_its_citizen_meets(
) -> None:
    search = _contact_carer_with_a_neighbour(neighbour_meets_bo=True)
    st = search.st
    faces = [st.distinct(ci, 0) for ci in range(2)]
    before = st.total_cost()
    assert descents.sweep_to_contact(search) < 0
    assert st.journal is None  # every change kept or undone
    # anna makes both of p1's visits; p2's day-1 visit went to bo, whom p2 meets on day 0 anyway.
    assert placed_by(st) == {"p1-d0": ("anna",), "p1-d1": ("anna",), "p2-d0": ("bo",), "p2-d1": ("bo",)}
    assert [st.distinct(ci, 0) for ci in range(2)] <= faces
    assert st.total_cost() < before
    assert all(st.times(k) is not None for k in range(len(st.ix.slots)))


def test_the_contact_carer_is_not_bought_with_a_new_face_for_another_citizen() -> None:
    # Room for anna on day 1 would send p2's visit to bo or cy, both strangers to p2: p1 sees anna
    # once more, but p2 meets a new carer, and faces rank above the contact carer.
    search = _contact_carer_with_a_neighbour(neighbour_meets_bo=False)
    st = search.st
    given = placed_by(st)
    assert descents.sweep_to_contact(search) == 0
    assert placed_by(st) == given


def test_the_contact_carer_takes_the_place_of_the_carer_a_citizen_meets_all_month() -> None:
    # p1 (contact anna) meets bo both mornings while anna is with p2: one visit moved alone would
    # bring p1 a second carer, the two together only trade bo for anna, and p2 trades anna for bo.
    carers = [carer(c, days=(0, 1)) for c in ("anna", "bo")]
    citizens = [citizen("p1", contact="anna"), citizen("p2", north=0.011)]
    visits = [visit(f"{p}-d{d}", p, day=d, earliest=480, latest=490, duration=60)
              for p in ("p1", "p2") for d in (0, 1)]
    p = problem(carers, citizens, visits, days=2)
    given = {"p1-d0": "bo", "p1-d1": "bo", "p2-d0": "anna", "p2-d1": "anna"}
    st, _ = left_by_team(p, {vid: Assignment(vid, (c,), 480) for vid, c in given.items()})
    search = Scope(st, seed=0)
    assert descents.sweep_to_contact(search) < 0
    assert placed_by(st) == {"p1-d0": ("anna",), "p1-d1": ("anna",), "p2-d0": ("bo",), "p2-d1": ("bo",)}
    assert [st.distinct(ci, 0) for ci in range(2)] == [1, 1]
