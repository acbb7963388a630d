"""A coordinator asks who should take a visit: carers the citizen already knows come first, the contact
carer before others, and nothing is offered that would break a rule or the monthly cap."""

from __future__ import annotations

import random

import pytest

from app.replan.candidates import rank_carers
from app.replan.hand_move import check_move
from solver import types as st
from tests.replan.helpers import tiny_plan, tiny_problem


def test_the_visit_goes_first_to_a_carer_the_citizen_already_knows() -> None:
    """p1's lunch on day 0 is c2's; p1 also meets c1 this month, while c3 or c4 would be new faces."""
    problem = tiny_problem(cap=3)
    ranked = rank_carers(problem, tiny_plan(), "p1-d0-l")
    assert [(c.carers, c.new_faces) for c in ranked] == [(("c1",), ()), (("c3",), ("c3",)),
                                                         (("c4",), ("c4",))]
    assert ranked[0].start >= 731  # after c1's lunch at p2's (700-730) and a minute's walk
    assert ranked[1].faces_month == 2  # c1 and c3: c2 came only for this lunch


def test_a_carer_off_shift_is_not_offered() -> None:
    """c2 starts at 10:00 on day 1, after the morning's window."""
    ranked = rank_carers(tiny_problem(cap=3), tiny_plan(), "p1-d1-m")
    assert [c.carers for c in ranked] == [("c4",)]


def test_the_contact_carer_comes_before_another_known_carer() -> None:
    problem = tiny_problem(cap=3)
    plan = [a for a in tiny_plan() if a.visit != "p1-d1-m"]  # the morning on day 1 is unplaced
    ranked = rank_carers(problem, plan, "p1-d1-m")
    assert ranked[0].carers == ("c1",) and ranked[0].contact
    assert ranked[0].start == 450  # the morning's usual start on day 0


def test_no_suggestion_would_break_the_monthly_cap() -> None:
    """With a cap of 2, p1 already meets c1 and c2: c4 is never offered."""
    problem = tiny_problem(cap=2)
    ranked = rank_carers(problem, tiny_plan(), "p1-d1-m")
    assert all("c4" not in c.carers for c in ranked)
    assert all(c.faces_month <= 2 for c in ranked)


def test_a_carer_without_the_skill_or_on_the_avoid_list_is_never_offered() -> None:
    problem = tiny_problem(cap=3)
    assert all("c3" not in c.carers for c in rank_carers(problem, tiny_plan(), "p1-d0-m"))  # no skill
    assert all("c3" not in c.carers for c in rank_carers(problem, tiny_plan(), "p2-d0-l"))  # avoided


def test_an_unknown_visit_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        rank_carers(tiny_problem(), tiny_plan(), "nope")


def test_every_suggestion_on_a_planned_team_keeps_every_rule(team_s_problem: st.Problem,
                                                            team_s_plan: st.Plan) -> None:
    """On a generated team's plan, for visits drawn at random (planned and unplaced, single and double):
    each suggestion passes the hand-move check, is in time order best first, and moves nothing else."""
    rng = random.Random(7)
    visits = rng.sample(team_s_problem.visits, 25) + [
        v for v in team_s_problem.visits if v.id in {u.visit for u in team_s_plan.unplaced}][:5]
    offered = 0
    for v in visits:
        ranked = rank_carers(team_s_problem, team_s_plan.assignments, v.id)
        assert [c.key() for c in ranked] == sorted(c.key() for c in ranked)
        for c in ranked:
            assert len(c.carers) == v.carers and c.moves == ()
            move = st.Assignment(v.id, tuple(sorted(c.carers)), c.start)
            assert check_move(team_s_problem, team_s_plan.assignments, move).ok
            assert c.faces_month <= team_s_problem.max_carers_per_month
        offered += len(ranked)
    assert offered > 0


def test_the_carers_not_offered_say_what_stopped_each_closest_first() -> None:
    """p1's morning on day 1 is c1's, with a cap of 2: p1 meets c1 and c2 this month. c2 is known but
    starts at 10:00; c4 would be a third face; c3 lacks the medication skill. Nobody is offered, and the
    known carer comes first among those named."""
    from app.replan.candidates import WHY_OFF, WHY_SKILL, near_misses

    problem = tiny_problem(cap=2)
    assert rank_carers(problem, tiny_plan(), "p1-d1-m") == []
    missed = near_misses(problem, tiny_plan(), "p1-d1-m")
    assert [(n.carer, n.why, n.known) for n in missed] == [
        ("c2", WHY_OFF, True), ("c4", "monthly_cap", False), ("c3", WHY_SKILL, False)]
