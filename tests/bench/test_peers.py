"""The peers the bench compares our planner with, on a generated team: their plans must stand up to the
verifier (or, without ../shared, the planner's own check)."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path

import pytest

from bench.common import Verdict, load_instance, load_problem, verify, write_plan
from bench.peers import careful, nearest, routing
from bench.peers.base import shifts_by_day
from bench.peers.bound import bound, citizen_month_min
from bench.peers.contact_bound import contact_share_bound
from exchange import problem_to_instance
from solver.types import Assignment, Carer, Citizen, Plan, Problem, Shift, Team, TravelSpec, Visit
from tests.paths import generated_instance

TEAM_S = generated_instance()  # one urban team, two weeks: 700 visits, 90 of them for two carers


@pytest.fixture(scope="module")
def team_s() -> Problem:
    return load_problem(TEAM_S)


@pytest.fixture(scope="module")
def plans(team_s: Problem, tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Verdict]]:
    out = {}
    folder = tmp_path_factory.mktemp("plans")
    # Routing stops at its first solution per team-day: the same plan however busy the machine (a time
    # limit placed 464 to 690 of 700 by load); the bench runs it with a second per team-day.
    for name, make in (("nearest", nearest.plan), ("careful", careful.plan),
                       ("routing", lambda p: routing.plan(p, solutions=1))):
        path = write_plan(make(team_s), team_s, folder / f"team-s-{name}.json")
        out[name] = (path, verify(TEAM_S, path))
    return out


@pytest.mark.parametrize("peer", ["nearest", "careful"])
def test_greedy_peer_plans_team_s_and_the_verifier_accepts_it(plans, team_s: Problem, peer) -> None:
    _, verdict = plans[peer]
    assert verdict.valid, verdict.violations[:5]
    assert verdict.figures["assigned"] > 0.85 * len(team_s.visits)  # both place most visits (678 and 682)
    assert verdict.figures["distinct_carers_per_citizen_month"]["max"] <= 12  # the cap holds


def test_careful_rule_meets_fewer_carers_than_nearest_but_drives_more(plans) -> None:
    care, near = plans["careful"][1].figures, plans["nearest"][1].figures
    month = "distinct_carers_per_citizen_month"
    assert care[month]["mean"] < near[month]["mean"]
    assert care["contact_carer_share"] > near["contact_carer_share"]
    assert care["travel_minutes"] > near["travel_minutes"]


def test_routing_plan_keeps_every_rule_but_the_monthly_cap(plans, team_s: Problem, tmp_path: Path) -> None:
    path, verdict = plans["routing"]
    # Travel-only routing knows no cap: a breach is reported (INVALID), every other rule holds.
    assert verdict.valid or verdict.only_cap_broken, verdict.violations[:5]
    if not verdict.valid:
        assert verdict.status().startswith("INVALID (cap")
    lifted = copy.deepcopy(load_instance(TEAM_S))
    lifted["max_carers_per_month"] = 10_000
    lifted_path = tmp_path / "team-s-no-cap.json"
    lifted_path.write_text(json.dumps(lifted))
    assert verify(lifted_path, path).valid
    # Routing places nearly everything (652 of 700 at its first solutions).
    assert verdict.figures["assigned"] >= 0.9 * len(team_s.visits)


def test_double_visits_get_two_distinct_carers_starting_together(plans) -> None:
    doubles = {v["id"] for v in load_instance(TEAM_S)["visits"] if v["carers"] == 2}
    for name, (path, _) in plans.items():
        placed = [a for a in json.loads(path.read_text())["visits"] if a["id"] in doubles]
        assert placed, name
        assert all(len(set(a["carers"])) == 2 for a in placed), name


def test_bound_is_never_above_what_any_peer_reaches(team_s: Problem, plans) -> None:
    b = bound(team_s, time_limit_per_model=5.0)
    assert 2.5 <= b.mean <= 3.25  # 2.75 on this team (3.65 on the team's reference team-s)
    for name, (_, verdict) in plans.items():
        assert b.mean <= verdict.figures["distinct_carers_per_citizen_month"]["mean"], name


def _toy(visits: list[Visit], carers: list[Carer]) -> int:
    citizen = Citizen(id="p", team="T", lat=0.0, lon=0.0)
    value, optimal = citizen_month_min(citizen, visits, carers, shifts_by_day(carers), time_limit=5.0)
    assert optimal
    return value


def test_bound_counts_two_carers_for_a_double_visit_and_one_for_visits_apart() -> None:
    carers = [Carer(id=f"c{i}", team="T", shifts=(Shift(0, 420, 930), Shift(1, 420, 930))) for i in range(3)]
    apart = [Visit(id="a", citizen="p", need="m", day=0, earliest=480, latest=480, duration=30),
             Visit(id="b", citizen="p", need="l", day=0, earliest=720, latest=720, duration=30)]
    assert _toy(apart, carers) == 1
    double = [Visit(id="d", citizen="p", need="m", day=1, earliest=480, latest=500, duration=30, carers=2)]
    assert _toy(apart + double, carers) == 2


def test_bound_needs_two_carers_when_visits_overlap_or_shifts_differ() -> None:
    early = Carer(id="early", team="T", shifts=(Shift(0, 420, 930),))
    late = Carer(id="late", team="T", shifts=(Shift(0, 840, 1320),))
    overlapping = [Visit(id="a", citizen="p", need="m", day=0, earliest=480, latest=480, duration=60),
                   Visit(id="b", citizen="p", need="x", day=0, earliest=500, latest=510, duration=30)]
    assert _toy(overlapping, [early, Carer(id="e2", team="T", shifts=(Shift(0, 420, 930),))]) == 2
    morning_and_evening = [
        Visit(id="m", citizen="p", need="m", day=0, earliest=480, latest=540, duration=30),
        Visit(id="e", citizen="p", need="e", day=0, earliest=1200, latest=1230, duration=30)]
    assert _toy(morning_and_evening, [early, late]) == 2


# ---------------------------------------------------------------- the contact-share upper bound

KM_NORTH, KM_EAST = 1 / 111.2, 1 / (111.2 * 0.466)  # degrees per km near Sundsvall (62.4 N)


def _place(north_km: float, east_km: float) -> tuple[float, float]:
    return 62.39 + north_km * KM_NORTH, 17.30 + east_km * KM_EAST


def _contact_toy(citizens: dict[str, tuple[float, float]], visits: list[Visit], carers: int = 3) -> Problem:
    """One team based at (0, 0) km, carers c1..cN on 07:00-15:30, every citizen's contact is c1."""
    return Problem(
        name="contact-toy", start_date=dt.date(2026, 12, 1), days=1,
        teams=[Team(id="T", lat=62.39, lon=17.30)],
        carers=[Carer(id=f"c{i}", team="T", shifts=(Shift(0, 420, 930),)) for i in range(1, carers + 1)],
        citizens=[Citizen(id=pid, team="T", lat=lat, lon=lon, contact="c1")
                  for pid, (lat, lon) in citizens.items()],
        visits=visits)


def test_contact_bound_equals_the_best_plan_when_the_contact_carer_cannot_be_in_two_places(
        tmp_path: Path) -> None:
    # c1 is the contact of both citizens; the double visit at 08:00 and p2's visit at 08:20 overlap,
    # so c1 can attend at most two of the three visits, and a plan reaching that exists.
    problem = _contact_toy({"p1": _place(0.5, 0), "p2": _place(0, 0.5)}, [
        Visit(id="a", citizen="p1", need="morning", day=0, earliest=480, latest=480, duration=60, carers=2),
        Visit(id="b", citizen="p2", need="morning", day=0, earliest=500, latest=510, duration=30),
        Visit(id="c", citizen="p1", need="lunch", day=0, earliest=720, latest=720, duration=30)])
    b = contact_share_bound(problem)
    assert (b.attendable, b.eligible, b.contact_visits) == (2, 3, 3)
    assert (b.share, b.eligible_share) == (0.667, 1.0)
    assert b.proven_optimal == b.carer_days == 1

    best = Plan(assignments=[Assignment("a", ("c1", "c2"), 480), Assignment("b", ("c3",), 500),
                             Assignment("c", ("c1",), 720)], unplaced=[])
    instance = tmp_path / "contact-toy.json"
    instance.write_text(json.dumps(problem_to_instance(problem)))
    verdict = verify(instance, write_plan(best, problem, tmp_path / "best.json"))
    assert verdict.valid, verdict.violations
    assert verdict.figures["contact_carer_share"] == b.share  # the double visit counts once, as a hit


def test_contact_bound_leaves_room_to_drive_from_the_base_and_between_citizens() -> None:
    # The base is 3 km from p1 (13 min) and p2 is 2 km past p1 (9 min): the 07:05 visit cannot be
    # reached from a 07:00 shift start, and after p1's 08:00-08:30 visit p2's 08:35 start is too soon.
    problem = _contact_toy({"p1": _place(3, 0), "p2": _place(3, 2)}, [
        Visit(id="early", citizen="p1", need="wake", day=0, earliest=425, latest=430, duration=20),
        Visit(id="a", citizen="p1", need="morning", day=0, earliest=480, latest=480, duration=30),
        Visit(id="b", citizen="p2", need="morning", day=0, earliest=515, latest=515, duration=30)])
    b = contact_share_bound(problem)
    assert b.eligible == 3  # skills and shift hours alone would allow all three
    assert b.attendable == 1  # but c1 can only make one of them, as any route shows
    assert b.share_at(2) == 0.5 and b.share_at(0) is None  # a plan placing fewer visits: smaller denominator


def test_contact_bound_on_team_s_is_never_below_a_peer_plan_nor_above_the_eligible_share(
        team_s: Problem, plans) -> None:
    b = contact_share_bound(team_s)
    assert b.proven_optimal == b.carer_days > 0
    assert 0 < b.share <= b.eligible_share <= 1
    for name, (_, verdict) in plans.items():
        figures = verdict.figures
        # The verifier divides by the visits placed; the bound for that many placed visits holds.
        assert figures["contact_carer_share"] <= b.share_at(figures["assigned"]), name
        assert round(figures["contact_carer_share"] * figures["assigned"]) <= b.attendable, name


def _ours_and_routing(contact_share: float, travel: int) -> dict[str, dict[str, object]]:
    """Our plan of team-m placing every visit within the other targets, and the routing peer's."""
    ours = {"planner": "ours", "placed": 2812, "month_mean": 3.9, "month_max": 7, "travel_min": travel,
            "start_sd_min": 10.0, "contact_share": contact_share, "wall_s": 50.0, "peak_rss_mib": 100.0,
            "verdict": {"valid": True, "status": "valid"}}
    routing = ours | {"planner": "routing", "travel_min": 14600, "contact_share": 0.03}
    return {"ours": ours, "routing": routing}


def test_targets_table_holds_the_contact_share_against_nine_tenths_of_its_upper_bound() -> None:
    from bench.planner import _judge

    # 1108 of 2812 visits at most: 0.394, of which 0.9 is 0.355; a share of 0.36 meets it.
    low = {"attendable": 1108, "contact_visits": 2812, "other_visits": 0}
    judged = _judge("team-m", _ours_and_routing(0.36, 15000), 3.2, low)
    assert judged["verdict"] == "PASS"
    assert {"target": "contact share >= 0.9 x contact bound", "ok": True} in judged["checks"]
    high = low | {"attendable": 1300}  # 0.462, of which 0.9 is 0.416: the same plan misses it
    assert _judge("team-m", _ours_and_routing(0.36, 15000), 3.2, high)["verdict"] == \
        "FAIL: contact share >= 0.9 x contact bound"


def test_targets_table_allows_a_fifth_more_travel_than_the_routing_peer() -> None:
    from bench.planner import _judge

    bound = {"attendable": 1108, "contact_visits": 2812, "other_visits": 0}
    assert _judge("team-m", _ours_and_routing(0.38, 17500), 3.2, bound)["verdict"] == "PASS"  # 1.199
    assert _judge("team-m", _ours_and_routing(0.38, 17600), 3.2, bound)["verdict"] == \
        "FAIL: travel <= 1.2 x routing"  # 1.205


def test_bound_with_reach_needs_a_second_carer_when_the_walking_one_cannot_get_there_in_time(
        tmp_path: Path) -> None:
    # p lives 3 km from the base: 52 minutes on foot, 13 by car. The walking carer's 07:00 shift cannot
    # reach the 07:15-07:30 morning visit; the driving carer's 15:00 shift ends before the lunch visit.
    # Without travel one walking carer covers both; with the way out and back it takes both carers.
    walker = Carer(id="walker", team="T", travel_mode="walk", shifts=(Shift(0, 420, 930),))
    driver = Carer(id="driver", team="T", shifts=(Shift(0, 420, 660),))
    problem = Problem(
        name="reach-toy", start_date=dt.date(2026, 12, 1), days=1, teams=[Team(id="T", lat=62.39, lon=17.30)],
        travel_modes={"walk": TravelSpec(speed_kmh=4.5)}, carers=[walker, driver],
        citizens=[Citizen(id="p", team="T", lat=_place(3, 0)[0], lon=_place(3, 0)[1])],
        visits=[Visit(id="m", citizen="p", need="morning", day=0, earliest=435, latest=450, duration=30),
                Visit(id="l", citizen="p", need="lunch", day=0, earliest=690, latest=720, duration=30)])
    assert bound(problem).mean == 1  # the walker alone, travel relaxed
    assert bound(problem, reach=True).mean == 2
    # ... and a plan with the two carers stands up to the verifier: the bound is reached.
    plan = Plan(assignments=[Assignment("m", ("driver",), 450), Assignment("l", ("walker",), 690)],
                unplaced=[])
    instance = tmp_path / "reach-toy.json"
    instance.write_text(json.dumps(problem_to_instance(problem)))
    verdict = verify(instance, write_plan(plan, problem, tmp_path / "plan.json"))
    assert verdict.valid, verdict.violations
    assert verdict.figures["distinct_carers_per_citizen_month"]["mean"] == 2
