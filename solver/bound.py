"""A lower bound on a team's objective, reported with the progress so a planner sees the gap.

Cheap and valid rather than tight (the bench's CP-SAT bound per citizen-month, bench/peers/bound.py,
is the tight one for faces). Per citizen-month, once it has visits that can be placed, the plan pays
either an unplaced visit (objective.unplaced) or all of these, each at least:

- faces: the carers already met (history and pinned visits), the carers one visit needs together, and
  the days with visits divided by the most of those days one eligible carer can cover;
- not the contact carer: every visit the contact carer is not eligible for;
- travel: every day, each carer attending the citizen arrives at its home from another place, which
  takes at least the shortest trip there (arrivals only, so no trip is counted twice).

Visits no carer can be given (too few eligible carers) always cost objective.unplaced. Time, fairness and
re-planning costs are never negative, so leaving them out keeps the bound valid.
"""

from __future__ import annotations

from solver import objective
from solver.state import TeamState


def team_bound(st: TeamState) -> float:
    """A lower bound on `st.total_cost()` for any plan that keeps st's fixed visits; call it before the
    free visits are placed (the faces already met are then exactly history and pinned visits)."""
    ix, w = st.ix, st.weights
    n_locations = len(ix.tt)
    # The fastest way in, whoever travels (a travel mode may be faster than the car).
    shortest_in = [min((tt[p][loc] for tt in [ix.tt, *ix.carer_tt] for p in range(n_locations) if p != loc),
                       default=0) for loc in range(n_locations)]
    total = 0.0
    placeable: dict[tuple[int, int], list[int]] = {}
    for v, vis in enumerate(ix.visits):
        if st.fixed[v]:
            continue
        if len(ix.eligible[v]) < vis.carers:
            total += objective.unplaced(1, w, vis.priority)
        else:
            placeable.setdefault((ix.v_cit[v], ix.v_month[v]), []).append(v)
    for ci in range(len(ix.citizens)):
        for mi in range(len(ix.months)):
            met = set(st.met[ci][mi]) | st.met_before[ci][mi]
            vs = placeable.get((ci, mi), [])
            faces = max(len(met), _cover(st, vs))
            lb = float(objective.faces(faces, w))
            if vs:
                contact = ix.contact[ci]
                if contact >= 0:
                    lb += objective.contact(False, w) * sum(1 for v in vs if contact not in ix.eligible[v])
                arrivals: dict[int, int] = {}
                for v in vs:
                    d = ix.visits[v].day
                    arrivals[d] = max(arrivals.get(d, 0), ix.visits[v].carers)
                loc = 1 + ci
                lb += objective.travel(shortest_in[loc], w) * sum(arrivals.values())
                least = max(ix.visits[v].priority for v in vs)  # the visit cheapest to leave out
                lb = min(lb, objective.faces(len(met), w) + objective.unplaced(1, w, least))
            total += lb
    return total


def _cover(st: TeamState, vs: list[int]) -> int:
    """Fewest carers who could attend every visit in vs: each carer covers at most the days it is
    eligible on, and one visit may need two together."""
    if not vs:
        return 0
    ix = st.ix
    days = {ix.visits[v].day for v in vs}
    covered: dict[int, set[int]] = {}
    for v in vs:
        for c in ix.eligible[v]:
            covered.setdefault(c, set()).add(ix.visits[v].day)
    most = max(len(ds) for ds in covered.values())
    return max(-(-len(days) // most), max(ix.visits[v].carers for v in vs))

