"""Exchanges between carers: a citizen's visits handed from one carer to others, making room for them.

Freeing visits and re-placing them finds nothing when the routes that should take them are full;
room is made instead: the routes of the carers the citizen already meets get their visits' whole
windows back, then a visit in the way is handed on to a carer its own citizen already meets (a
chain of up to HAND_ON_DEPTH such hand-ons, nobody meeting a new face), and failing that the visit
goes to a carer the citizen already meets in exchange for a visit of that carer's at the same time
of day, which the first carer takes. The search's steps for rarely seen carers, crowded citizens
and far-off citizens, and the descents that sweep them, all move visits this way; two carers
trade citizens across town (`swap_citizens`) by two such hand-backs.
"""

from __future__ import annotations

from solver.insertion import place
from solver.scope import Scope

# Hand-ons in one chain at most, each making room for the one before it (`hand_on`).
HAND_ON_DEPTH = 3


def hand_back(sc: Scope, ci: int, mi: int, t: int, to: int | None = None) -> bool:
    """Move citizen ci's visits in month mi away from carer t to carers it already meets (or to
    carer `to`)."""
    st, ix = sc.st, sc.st.ix
    attended = [v for v in sc.visits_of_cm[(ci, mi)] if sc.movable(v)
                and any(ix.slots[k].carer == t for k in st.slots_of[v])]
    vs = [v for v in attended if ix.visits[v].carers == 1]
    if not attended:
        return False
    # A double visit is placed afresh without t: the insertion picks the pair (its two carers
    # start together, so there is no one-for-one exchange to make).
    for v in attended:
        if ix.visits[v].carers > 1:
            st.remove(v)
            place(st, v, frozenset({t})) or place(st, v)
    for v in vs:
        others = [c for c in ([to] if to is not None else sorted(st.met[ci][mi]))
                  if c != t and c in ix.eligible[v]]
        sc.rng.shuffle(others)
        st.remove(v)
        if not to_one_of(sc, v, t, others):
            place(st, v, only(sc, t)) or place(st, v)
    return True


def swap_citizens(sc: Scope, ci: int, a: int, cj: int, b: int, mi: int) -> bool:
    """Carers a and b trade citizens for month mi: ci's visits with a go to b, and cj's with b go
    to a, by the same exchanges as `hand_back`. Each citizen keeps as many carers where the whole
    month moves; the caller weighs the change (both routes shorter, no face more)."""
    return hand_back(sc, ci, mi, a, to=b) and hand_back(sc, cj, mi, b, to=a)


def to_one_of(sc: Scope, v: int, t: int, others: list[int]) -> bool:
    """Visit v (just taken from carer t) goes to the first of `others` with room: as their routes
    stand, then with their visits' whole windows, then in place of a visit of theirs handed on to a
    carer its own citizen already meets (`hand_on`), or else in exchange for a visit of theirs at the
    same time of day that t takes; False if none can."""
    st, ix = sc.st, sc.st.ix
    if any(place(st, v, only(sc, c)) for c in others):
        return True
    day = ix.visits[v].day
    for c in others:
        for k in ix.slots_of_carer_day.get((c, day), ()):
            st.loosen(k)
    if any(place(st, v, only(sc, c)) for c in others):
        return True
    if any(hand_on(sc, v, c, HAND_ON_DEPTH) for c in others):
        return True
    return any(exchange(sc, v, t, c) for c in others)


def exchange(sc: Scope, v: int, t: int, c: int) -> bool:
    """Visit v (just taken from carer t) goes to carer c in exchange for a visit of c's at the same
    time of day, which t takes; False if no such exchange fits."""
    st, ix = sc.st, sc.st.ix
    for k in ix.slots_of_carer_day.get((c, ix.visits[v].day), ()):
        for u in list(st.routes[k]):
            if not exchangeable(sc, u, v, t):
                continue
            st.remove(u)
            if place(st, v, only(sc, c)):
                if place(st, u, only(sc, t)):
                    return True
                st.remove(v)
            place(st, u, only(sc, c))  # back where it was: its old place is free again
    return False


# The ways a visit can go to its citizen's contact carer, each weighed on its own (`to_contact`).
CONTACT_WAYS = ("room", "hand on", "exchange")


def to_contact(sc: Scope, v: int, way: str) -> bool:
    """Citizen's visit v, attended by another carer, goes to the citizen's contact carer, one of
    CONTACT_WAYS: "room" into the contact's routes as they stand or with their whole windows, "hand
    on" in place of a visit of the contact's handed on to a carer its own citizen already meets
    (`hand_on`), "exchange" for a visit of the contact's at that time of day, which v's carer takes
    (`exchange`). False (the caller undoes the change) if the contact cannot take it that way; the
    caller weighs the whole change."""
    st, ix = sc.st, sc.st.ix
    k = ix.contact[ix.v_cit[v]]
    carers = [ix.slots[s].carer for s in st.slots_of[v]]
    if k < 0 or len(carers) != 1 or k == carers[0] or k not in ix.eligible[v] or not sc.movable(v):
        return False
    st.remove(v)
    if way == "room":
        if place(st, v, only(sc, k)):
            return True
        for s in ix.slots_of_carer_day.get((k, ix.visits[v].day), ()):
            st.loosen(s)
        return place(st, v, only(sc, k))
    if way == "hand on":
        return hand_on(sc, v, k, HAND_ON_DEPTH)
    return exchange(sc, v, carers[0], k)


def hand_on(sc: Scope, v: int, c: int, depth: int) -> bool:
    """Visit v goes to carer c in place of a visit of c's at that time of day, which goes to a carer
    its own citizen already meets this month, itself handing on a visit in its way the same way, up
    to `depth` hand-ons: room made without a new face for anyone. The first chain that fits is
    taken (the caller weighs the whole change)."""
    st, ix = sc.st, sc.st.ix
    if depth <= 0:
        return False
    for k in ix.slots_of_carer_day.get((c, ix.visits[v].day), ()):
        for u in in_the_way(sc, k, v):
            cu, mu = ix.v_cit[u], ix.v_month[u]
            known = [x for x in sorted(st.met[cu][mu]) if x != c and x in ix.eligible[u]]
            if not known:
                continue
            st.remove(u)
            if place(st, v, only(sc, c)):
                if (any(place(st, u, only(sc, x)) for x in known)
                        or any(hand_on(sc, u, x, depth - 1) for x in known)):
                    return True
                st.remove(v)
            if not place(st, u, only(sc, c)):
                return False  # u found no place back with c: the caller undoes the whole change
    return False


def in_the_way(sc: Scope, k: int, v: int) -> list[int]:
    """The visits of route k that could make room for v: single, movable, overlapping v's window."""
    st, ix = sc.st, sc.st.ix
    b = ix.visits[v]
    return [u for u in list(st.routes[k]) if u != v and sc.movable(u) and ix.visits[u].carers == 1
            and st.lo[u] <= b.latest + b.duration and b.earliest <= st.hi[u] + ix.visits[u].duration]


def only(sc: Scope, c: int) -> frozenset[int]:
    """The carers to ban so that only carer c may take a visit."""
    return sc.st.all_but(c)


def exchangeable(sc: Scope, u: int, v: int, t: int) -> bool:
    """Whether carer t could take u in exchange for v: same time of day, allowed, a single visit."""
    st, ix = sc.st, sc.st.ix
    a, b = ix.visits[u], ix.visits[v]
    return (u != v and sc.movable(u) and a.carers == 1 and t in ix.eligible[u]
            and st.face_allowed(u, t) and a.earliest <= b.latest + b.duration
            and b.earliest <= a.latest + a.duration)


def yielding_visits(sc: Scope, v: int) -> list[int]:
    """The placed visits of lower priority that could give up their place to visit v: same day,
    movable, attended by a carer who may take v; the least important first (3 before 2), then those
    nearest v's window."""
    st, ix = sc.st, sc.st.ix
    vis = ix.visits[v]
    elig = set(ix.eligible[v])
    out = []
    for u in sc.visits_of_day.get(vis.day, []):
        a = ix.visits[u]
        if a.priority <= vis.priority or not st.slots_of[u] or not sc.movable(u):
            continue
        if not any(ix.slots[k].carer in elig for k in st.slots_of[u]):
            continue
        apart = max(0, st.lo[u] - (vis.latest + vis.duration), vis.earliest - (st.hi[u] + a.duration))
        out.append((-a.priority, apart, u))
    return [u for _, _, u in sorted(out)]


def take_place_of(sc: Scope, v: int, u: int) -> bool:
    """Unplaced visit v takes the place of the less important visit u, which goes elsewhere if it
    can; False (nothing kept: the caller rolls back) if v still finds no place."""
    st = sc.st
    st.remove(u)
    if not place(st, v):
        return False
    place(st, u)
    return True
