"""Hand each of a day's routes to the carer who serves its citizens best.

Carers with the same shift hours can drive each other's routes (a route's travel is then the new
carer's, on foot, by bike or by car, and priced so by the search). Which carer drives which route is
then a linear assignment problem for the day, exact given the other days: a route costs what its
carer adds to its citizens' faces this month (carers they meet on other days are free), its visits
not made by the contact carer, and, in a re-plan, its visits moved away from their current carer.
The search ends with it (solver/descents.py `polish`): a re-plan gives back routes that a search
step swapped between carers for nothing, and a fresh plan loses faces the greedy steps left behind.
"""

from __future__ import annotations

from ortools.graph.python import linear_sum_assignment

from solver import objective, rules
from solver.state import TeamState

SCALE = 10  # the assignment solver wants integer costs
MetKey = tuple[int, int]  # (citizen, month)


def fits(st: TeamState, seq: list[int], k: int) -> bool:
    """Whether route `seq`, with its visits' start windows, fits shift k's hours, carer, travel mode
    and break."""
    carer = st.ix.slots[k].carer
    return all(carer in st.ix.eligible[v] for v in seq) and st.fits_in(seq, k)


def route_cost(st: TeamState, seq: list[int], carer: int, elsewhere: dict[MetKey, set[int]],
               routes_of: dict[MetKey, int]) -> float | None:
    """What giving route `seq` to `carer` costs in faces, contact and disturbance; None if a
    citizen could then pass the monthly cap."""
    ix, w = st.ix, st.weights
    cost = 0.0
    seen: set[MetKey] = set()
    for v in seq:
        key = (ix.v_cit[v], ix.v_month[v])
        if key not in seen and carer not in elsewhere[key]:
            # Every route of the day with this citizen might bring a new face: stay under the cap.
            if not rules.cap_allows(len(elsewhere[key]) + routes_of[key], st.cap):
                return None
            cost += objective.new_face(len(elsewhere[key]), w)
        seen.add(key)
        cc = ix.contact[key[0]]
        if cc >= 0:
            # A double visit's other carer shares what its contact carer's absence costs.
            cost += objective.contact(cc == carer, w) / ix.visits[v].carers
        cur = st.current[v]
        if cur is not None:
            cost += objective.disturbance(carer not in cur, False, w)
    return cost


def faces_elsewhere(st: TeamState, routes: list[int]) -> tuple[dict[MetKey, set[int]], dict[MetKey, int]]:
    """Carers each citizen meets apart from these routes, and in how many of them it appears."""
    ix = st.ix
    counts: dict[MetKey, dict[int, int]] = {}
    routes_of: dict[MetKey, int] = {}
    for k in routes:
        for key in {(ix.v_cit[v], ix.v_month[v]) for v in st.routes[k]}:
            routes_of[key] = routes_of.get(key, 0) + 1
        for v in st.routes[k]:
            key = (ix.v_cit[v], ix.v_month[v])
            m = counts.setdefault(key, dict(st.met[key[0]][key[1]]))
            m[ix.slots[k].carer] -= 1
    elsewhere = {key: {c for c, n in m.items() if n > 0} | st.met_before[key[0]][key[1]]
                 for key, m in counts.items()}
    return elsewhere, routes_of


def hand_over_day(st: TeamState, day: int) -> bool:
    """Re-assign the day's routes to its shifts at least cost; True if any route changed hands."""
    ix = st.ix
    slots = ix.slots_of_day.get(day, [])
    routes = [k for k in slots if st.routes[k]]
    if len(slots) < 2 or not routes:
        return False
    pinned = {k for k in routes if any(st.fixed[v] for v in st.routes[k])}
    elsewhere, routes_of = faces_elsewhere(st, routes)
    lsa = linear_sum_assignment.SimpleLinearSumAssignment()
    right = {k: i for i, k in enumerate(slots)}
    left = routes + [k for k in slots if not st.routes[k]]  # empty shifts make the problem square
    for i, k in enumerate(left):
        seq = st.routes[k]
        for k2 in slots:
            if not seq:
                if k2 not in pinned:
                    lsa.add_arc_with_cost(i, right[k2], 0)
            elif k in pinned or k2 in pinned:
                if k2 == k:
                    lsa.add_arc_with_cost(i, right[k2], 0)
            elif k2 == k or fits(st, seq, k2):
                c = route_cost(st, seq, ix.slots[k2].carer, elsewhere, routes_of)
                if c is not None:
                    c += objective.travel(st.seq_travel(seq, k2), st.weights)
                if c is not None or k2 == k:
                    lsa.add_arc_with_cost(i, right[k2], round(SCALE * (c if c is not None else 1e6)))
    if lsa.solve() != lsa.OPTIMAL:
        return False
    moves = {k: slots[lsa.right_mate(i)] for i, k in enumerate(left[: len(routes)])
             if slots[lsa.right_mate(i)] != k}
    if not moves:
        return False
    # Split shifts: one carer may get two routes of the day, but a double visit needs two carers.
    for k in moves:
        for v in st.routes[k]:
            carers = {ix.slots[moves.get(x, x)].carer for x in st.slots_of[v]}
            if len(carers) < ix.visits[v].carers:
                return False
    st.hand_over_routes(moves)
    return True
