"""The neighbourhood search's steps, each on a plan where it alone can make the change."""

from __future__ import annotations

from solver import Assignment
from solver.index import build_team_index
from solver.lns import Search
from solver.solve import _team_state
from solver.state import CROWD_FROM, MANY_FROM, W_CROWD, W_MANY, W_NEW_CARER, face_cost
from solver.travel import Travel
from tests.solver.conftest import carer, citizen, problem, visit


def _crossed_plan() -> Search:
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
    ix = build_team_index(p, "T", Travel.for_problem(p))
    st, free, refused = _team_state(p, ix, fixed, {}, {})
    assert not free and not refused
    st.fixed = [False] * len(ix.visits)  # placed as the team left it, free to move
    return Search(st, seed=0)


def test_a_carer_seen_once_swaps_the_visit_with_the_citizens_usual_carer() -> None:
    search = _crossed_plan()
    st = search.st
    assert [st.distinct(ci, 0) for ci in range(2)] == [2, 2]
    st.begin()
    assert search.swap_out_rare_carer()
    assert st.delta() < 0
    st.commit()
    # Each citizen now meets one carer all month, and both routes are still feasible.
    assert [st.distinct(ci, 0) for ci in range(2)] == [1, 1]
    assert all(st.times(k) is not None for k in range(len(st.ix.slots)))


def test_freeing_the_rare_visit_alone_cannot_remove_the_face() -> None:
    search = _crossed_plan()
    st = search.st
    st.begin()
    search.free_rare_carer()
    assert st.delta() >= 0  # the usual carer is busy then: the visit goes back where it was
    st.rollback()


def test_a_face_costs_more_as_a_citizen_meets_more_carers() -> None:
    assert face_cost(0) == W_NEW_CARER
    assert face_cost(CROWD_FROM) == W_NEW_CARER + W_CROWD
    assert face_cost(MANY_FROM) == W_NEW_CARER + W_CROWD + W_MANY
    assert face_cost(MANY_FROM) > 5 * face_cost(0)  # the maximum is guarded, not only the mean
