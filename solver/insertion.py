"""Cheapest insertion: where a visit goes in at least cost, the step every other step repairs with.

A visit's price in a route is the extra travel plus what the carer costs the citizen's continuity
(a new face in the month, not the contact carer) plus how far the start strays from the need's
usual time. The monthly cap is never crossed: only carers it allows are tried (TeamState.faces_allowed).
"""

from __future__ import annotations

from dataclasses import dataclass

from solver.routes import Option
from solver.state import TeamState


@dataclass(slots=True)
class Insertion:
    cost: float
    opts: list[Option]
    start: int | None  # fixed start (double visits), else None: the window stays flexible
    lo: int
    hi: int


def _clamp(want: int | None, lo: int, hi: int) -> int:
    return lo if want is None else max(lo, min(want, hi))


def best_insertion(st: TeamState, v: int, lo: int, hi: int, banned: frozenset[int] = frozenset()
                   ) -> Insertion | None:
    ix = st.ix
    vis = ix.visits[v]
    ci, mi = ix.v_cit[v], ix.v_month[v]
    want = st.aim(v)
    per_carer: list[tuple[int, float, list[Option]]] = []
    for c in ix.eligible[v]:
        if c in banned:
            continue
        if not st.face_allowed(v, c):
            continue
        opts: list[Option] = []
        for k in ix.slots_of_carer_day.get((c, vis.day), ()):
            opts.extend(st.options(v, k, lo, hi))
        if opts:
            per_carer.append((c, st.carer_cost(v, c), opts))
    best: Insertion | None = None
    if vis.carers == 1:
        for _c, cc, opts in per_carer:
            for o in opts:
                s = _clamp(want, o.lo, o.hi)
                cost = o.dtravel + cc + st.time_cost(v, s)
                if best is None or cost < best.cost:
                    best = Insertion(cost, [o], None, o.lo, o.hi)
        return best
    for i in range(len(per_carer)):
        c1, cc1, opts1 = per_carer[i]
        for j in range(i + 1, len(per_carer)):
            c2, cc2, opts2 = per_carer[j]
            if not st.faces_allowed(ci, mi, (c1, c2)):
                continue
            for o1 in opts1:
                for o2 in opts2:
                    a, b = max(o1.lo, o2.lo), min(o1.hi, o2.hi)
                    if a > b:
                        continue
                    s = _clamp(want, a, b)
                    cost = o1.dtravel + o2.dtravel + cc1 + cc2 + st.time_cost(v, s)
                    if best is None or cost < best.cost:
                        best = Insertion(cost, [o1, o2], s, s, s)
    return best


def place(st: TeamState, v: int, banned: frozenset[int] = frozenset()) -> bool:
    """Insert v at its cheapest place: first near the need's usual time, then anywhere in its window."""
    lo, hi = st.preferred_window(v)
    ins = best_insertion(st, v, lo, hi, banned)
    vis = st.ix.visits[v]
    if (lo, hi) != (vis.earliest, vis.latest):
        wide = best_insertion(st, v, vis.earliest, vis.latest, banned)
        # The wide window only wins when the narrow one fails or costs much more.
        if wide is not None and (ins is None or wide.cost + 150 < ins.cost):
            ins = wide
    if ins is None:
        return False
    st.insert(v, ins.opts, ins.start, ins.lo, ins.hi)
    return True


def insertion_order(st: TeamState, visits: list[int]) -> list[int]:
    """The most important first (priority 1 must, 3 may wait); then the hardest: double visits, few
    possible carers, narrow windows; then by time of day."""
    ix = st.ix

    def key(v: int) -> tuple[int, int, int, int, int, str]:
        vis = ix.visits[v]
        return (vis.priority, -vis.carers, min(len(ix.eligible[v]), 6), vis.earliest,
                vis.latest - vis.earliest, vis.id)

    return sorted(visits, key=key)
