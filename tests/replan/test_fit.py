"""A coordinator asks where a new citizen fits: a small core team of carers, each visit's start, the other
visits that move to make room (each keeping every rule), and plainly what does not fit and why."""

from __future__ import annotations

import dataclasses
import random

from app.replan.candidates import WHY_OFF
from app.replan.fit import faces_bound, fit_citizen
from solver import types as st
from solver.check import check_assignments
from tests.replan.helpers import tiny_plan, tiny_problem


def _with_new_citizen(problem: st.Problem, needs: tuple[tuple[str, int, int], ...], days: range,
                      who: str = "p3") -> st.Problem:
    first = problem.citizens[0]
    problem.citizens.append(st.Citizen(who, first.team, first.lat + 0.0005, first.lon + 0.0005))
    for d in days:
        for need, lo, hi in needs:
            problem.visits.append(st.Visit(f"{who}-d{d:02d}-{need}", who, need, d, lo, hi, 30))
    return problem


def _applied(plan: list[st.Assignment], fit_assignments: list[st.Assignment]) -> list[st.Assignment]:
    after = {a.visit: a for a in plan}
    after.update({a.visit: a for a in fit_assignments})
    return list(after.values())


def test_a_new_citizen_fits_with_a_small_core_team_and_says_what_does_not_fit() -> None:
    """A new citizen next door with a morning and an evening need on both days: the mornings go to one
    carer the plan can spare, and the evening, after every shift ends, does not fit, saying why."""
    problem = _with_new_citizen(tiny_problem(cap=3), (("morning", 480, 600), ("evening", 1200, 1260)),
                                range(2))
    fit = fit_citizen(problem, tiny_plan(), "p3")
    placed = {v.visit: v for v in fit.visits if v.carers}
    assert set(placed) == {"p3-d00-morning", "p3-d01-morning"}
    assert len(fit.core_team) == 1 and fit.core_team[0][1] == 2  # both mornings, one face
    evening = next(v for v in fit.visits if v.visit == "p3-d00-evening")
    assert evening.carers == () and evening.why_not and all(n.why == WHY_OFF for n in evening.why_not)
    assert check_assignments(problem, _applied(tiny_plan(), fit.assignments())) == {}


def test_room_is_made_for_the_new_citizen_by_moving_another_visit_within_its_window() -> None:
    """One carer works on day 0, 07:00-08:30, and holds p1's morning at 07:01 (window 07:00-07:50). The
    new citizen's visit must start 07:01-07:10: it fits only if p1's morning moves later, which the
    fit proposes and shows."""
    problem = st.Problem(
        name="room", start_date=tiny_problem().start_date, days=1, max_carers_per_month=3,
        teams=[st.Team("T1", 62.39, 17.30)],
        carers=[st.Carer("c1", "T1", frozenset(), (st.Shift(0, 420, 510),))],
        citizens=[st.Citizen("p1", "T1", 62.3901, 17.3001)],
        visits=[st.Visit("p1-m", "p1", "morning", 0, 420, 470, 25)])
    plan = [st.Assignment("p1-m", ("c1",), 421)]
    problem = _with_new_citizen(problem, (("morning", 421, 430),), range(1))
    fit = fit_citizen(problem, plan, "p3")
    assert fit.placed == 1 and fit.faces == 1
    assert [(m.visit, m.old_carers, m.new_carers) for m in fit.moves] == [("p1-m", ("c1",), ("c1",))]
    assert (fit.moves[0].new_start or 0) > (fit.moves[0].old_start or 0)
    assert check_assignments(problem, _applied(plan, fit.assignments())) == {}


def test_the_bound_counts_the_fewest_carers_whose_shifts_and_skills_could_cover_the_visits() -> None:
    """Mornings 08:00-10:00 on both days: c1 works both days, so one carer could make them all; with c1
    on day 0 only, c2 off and c3, c4 on day 1 only, two are needed."""
    problem = _with_new_citizen(tiny_problem(cap=3), (("morning", 480, 600),), range(2))
    assert faces_bound(problem, "p3") == 1
    day_of_work = {"c1": {0}, "c2": set(), "c3": {1}, "c4": {1}}
    split = dataclasses.replace(problem, carers=[
        dataclasses.replace(c, shifts=tuple(s for s in c.shifts if s.day in day_of_work[c.id]))
        for c in problem.carers])
    assert faces_bound(split, "p3") == 2


def test_a_fit_on_a_planned_team_keeps_every_rule_and_never_costs_another_citizen_a_face(
        team_s_problem: st.Problem, team_s_plan: st.Plan) -> None:
    """A citizen with a morning, a lunch and an evening visit every day joins a planned team: whatever is
    proposed keeps every rule and the cap, moves nobody's visit out of the plan, gives no other citizen a
    carer they do not meet yet, and the citizen meets no more carers than the fit's core and helpers."""
    problem = dataclasses.replace(team_s_problem, citizens=list(team_s_problem.citizens),
                                  visits=list(team_s_problem.visits))
    rng = random.Random(3)
    needs = (("morning", 420, 540), ("lunch", 690, 780), ("evening", 1020, 1140))
    problem = _with_new_citizen(problem, needs, range(problem.days), who=f"new-{rng.randrange(100)}")
    who = problem.citizens[-1].id
    fit = fit_citizen(problem, team_s_plan.assignments, who, steps=30, exact_steps=4)
    after = _applied(team_s_plan.assignments, fit.assignments())
    assert check_assignments(problem, after) == {}
    assert fit.placed > 0 and fit.bound >= 1
    day_of = {v.id: v for v in problem.visits}
    before_faces: dict[str, set[str]] = {}
    for a in team_s_plan.assignments:
        before_faces.setdefault(day_of[a.visit].citizen, set()).update(a.carers)
    after_faces: dict[str, set[str]] = {}
    for a in after:
        after_faces.setdefault(day_of[a.visit].citizen, set()).update(a.carers)
    for m in fit.moves:
        assert m.citizen != who and set(m.new_carers) <= before_faces[m.citizen]
    assert {a.visit for a in team_s_plan.assignments} <= {a.visit for a in after}
    assert all(after_faces[p] <= before_faces[p] for p in before_faces)


def _handing_on(p1_meets_c2: bool) -> tuple[st.Problem, list[st.Assignment]]:
    """c1 works 07:00-07:40 and holds p1's morning; c2 works all morning. The new citizen p3 will not
    have c2 and needs c1 at 07:01-07:10, so p1's morning must leave c1's short shift."""
    problem = st.Problem(
        name="hand-on", start_date=tiny_problem().start_date, days=1, max_carers_per_month=3,
        teams=[st.Team("T1", 62.39, 17.30)],
        carers=[st.Carer("c1", "T1", frozenset(), (st.Shift(0, 420, 460),)),
                st.Carer("c2", "T1", frozenset(), (st.Shift(0, 420, 800),))],
        citizens=[st.Citizen("p1", "T1", 62.3901, 17.3001)],
        visits=[st.Visit("p1-m", "p1", "morning", 0, 420, 470, 25)]
        + ([st.Visit("p1-l", "p1", "lunch", 0, 690, 760, 25)] if p1_meets_c2 else []))
    plan = [st.Assignment("p1-m", ("c1",), 421)]
    if p1_meets_c2:
        plan.append(st.Assignment("p1-l", ("c2",), 700))
    problem = _with_new_citizen(problem, (("morning", 421, 430),), range(1))
    problem.citizens[-1] = dataclasses.replace(problem.citizens[-1], avoid=frozenset({"c2"}))
    return problem, plan


def test_a_visit_in_the_way_goes_to_a_carer_its_citizen_already_meets() -> None:
    """p1 meets c2 at lunch: its morning goes to c2, and the new citizen gets c1 in the morning."""
    problem, plan = _handing_on(p1_meets_c2=True)
    fit = fit_citizen(problem, plan, "p3")
    assert fit.placed == 1 and fit.core_team == [("c1", 1)]
    assert [(m.visit, m.old_carers, m.new_carers) for m in fit.moves] == [("p1-m", ("c1",), ("c2",))]
    assert check_assignments(problem, _applied(plan, fit.assignments())) == {}


def test_a_visit_in_the_way_never_goes_to_a_carer_its_citizen_does_not_meet() -> None:
    """p1 meets c1 alone: handing its morning to c2 would give p1 a new face, so the new citizen's
    morning does not fit and p1 keeps its carer."""
    problem, plan = _handing_on(p1_meets_c2=False)
    fit = fit_citizen(problem, plan, "p3")
    assert fit.placed == 0 and fit.moves == []
    assert fit.visits[0].why_not


def test_room_is_made_along_a_chain_of_carers_each_citizen_already_meets() -> None:
    """c1 and c2 work 07:00-07:40, each holding one morning; c3 works all morning, c1 again at noon. The
    new citizen p3 will have neither c2 nor c3 and needs c1 at 07:01-07:10 and at noon. p1 (on c1) has
    met c2 this month but not c3, p2 (on c2) has met c3: p1's morning goes to c2 and p2's to c3, nobody
    meets a new face, and no more visits move than the new citizen's."""
    problem = st.Problem(
        name="chain", start_date=tiny_problem().start_date, days=1, max_carers_per_month=3,
        teams=[st.Team("T1", 62.39, 17.30)],
        carers=[st.Carer("c1", "T1", frozenset(), (st.Shift(0, 420, 460), st.Shift(0, 680, 800))),
                st.Carer("c2", "T1", frozenset(), (st.Shift(0, 420, 460),)),
                st.Carer("c3", "T1", frozenset(), (st.Shift(0, 420, 800),))],
        citizens=[st.Citizen("p1", "T1", 62.3901, 17.3001), st.Citizen("p2", "T1", 62.3902, 17.3002)],
        visits=[st.Visit("p1-m", "p1", "morning", 0, 420, 470, 25),
                st.Visit("p2-m", "p2", "morning", 0, 420, 470, 25)])
    month = problem.month_of(0)
    problem.met_before = {("p1", month): frozenset({"c2"}), ("p2", month): frozenset({"c3"})}
    plan = [st.Assignment("p1-m", ("c1",), 421), st.Assignment("p2-m", ("c2",), 421)]
    problem = _with_new_citizen(problem, (("morning", 421, 430), ("lunch", 700, 720)), range(1))
    problem.citizens[-1] = dataclasses.replace(problem.citizens[-1], avoid=frozenset({"c2", "c3"}))
    fit = fit_citizen(problem, plan, "p3")
    assert fit.placed == 2 and fit.core_team == [("c1", 2)]
    assert sorted((m.visit, m.new_carers) for m in fit.moves) == [("p1-m", ("c2",)), ("p2-m", ("c3",))]
    assert check_assignments(problem, _applied(plan, fit.assignments())) == {}


def test_each_need_is_proposed_at_one_time_of_day_where_nobody_else_moves() -> None:
    """c1 works every evening from 16:00; on day 0 it sees p1 at 16:40-17:10. The new citizen's evening
    visit could start at 17:00 on days 1 and 2 but only after p1 on day 0: all three are proposed at one
    time, and p1 keeps its minute."""
    problem = st.Problem(
        name="steady", start_date=tiny_problem().start_date, days=3, max_carers_per_month=3,
        teams=[st.Team("T1", 62.39, 17.30)],
        carers=[st.Carer("c1", "T1", frozenset(), tuple(st.Shift(d, 960, 1200) for d in range(3)))],
        citizens=[st.Citizen("p1", "T1", 62.3950, 17.3100)],
        visits=[st.Visit("p1-e", "p1", "evening", 0, 1000, 1010, 30)])
    plan = [st.Assignment("p1-e", ("c1",), 1000)]
    problem = _with_new_citizen(problem, (("evening", 1020, 1140),), range(3))
    fit = fit_citizen(problem, plan, "p3")
    assert fit.placed == 3 and fit.moves == []
    assert len({v.start for v in fit.visits}) == 1
    assert check_assignments(problem, _applied(plan, fit.assignments())) == {}
