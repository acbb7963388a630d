"""The descents that end the search (and, for rare carers, punctuate it): each tries one change
after another in a fixed order and keeps what makes the plan better.

- `polish`: every day's routes handed to the carers with the same hours who serve their citizens
  best, an exact assignment problem per day (solver/handover.py);
- `sweep_rare_carers`: every carer a citizen sees rarely hands those visits back to carers the
  citizen already meets (the exchange the random steps would draw only now and then);
- `sweep_new_faces` (re-plans): every carer the re-plan made new to a citizen, in turn, likewise;
- `swap_far_citizens` (fresh plans, where no re-route of every day follows): a carer who drives out of
  its way for a citizen hands her month to a carer passing her home, or the two carers trade citizens
  (solver/exchanges.py, `swap_citizens`), kept where the routes drive less and nobody meets more
  carers;
- `sweep_to_contact` (fresh plans): the visits a citizen's contact carer could attend but another
  carer does go to the contact carer, room made as the exchanges make it (solver/exchanges.py), where
  no citizen meets more carers for it;
- `sweep_musts`: every unplaced visit of priority 1 tries the place of each placed visit of priority 3,
  then 2, of its day that a carer who may take it attends; where none makes way alone, the visits of
  priority 3 in its hours move out of them (`clear_the_hours`) and it tries again;
- `reroute_every_day` (where the weights ask for it: the least-travel setting): every day re-routed
  by OR-Tools routing from its routes, on the time the search leaves;
- `steady_stray_starts` (fresh plans, last): starts far from their need's usual time tried again,
  with needs weighed as their spread is judged (a rare need more) and no new face for anyone;
- `steady_double_visits` (fresh plans, last): each double visit's minute moved, within what both its
  carers' routes allow, to the time where its need's starts vary least.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial

from solver import objective, rules
from solver.construct import least_spread_time
from solver.exchanges import (
    CONTACT_WAYS,
    hand_back,
    swap_citizens,
    take_place_of,
    to_contact,
    to_one_of,
    yielding_visits,
)
from solver.handover import hand_over_day
from solver.insertion import best_insertion, place
from solver.neighbourhoods import closest_carers, detours, passes_by, route_again, single_visits_with
from solver.scope import Scope
from solver.state import TeamState

# Carers a citizen sees at most SWEEP_VISITS times in a month are swept, for up to SWEEP_ROUNDS
# rounds while a round gains.
SWEEP_VISITS = 10
SWEEP_ROUNDS = 5
STRAY = 30  # minutes from the usual time from which the final steadying descent tries a start
STEADY_ROUNDS = 3  # ... while a round gains (one moved start can make room for another)
# The final re-route of a day: at most this many seconds of guided local search, or this many
# solutions in a step-counted run (enough for team-m's drive to come within 1.05 x the routing
# peer's, docs/experiments.md); a timed run gives the re-routes REROUTE_SHARE of what is left of its
# budget, shared over the days, and the steadying after them the rest.
REROUTE_SECONDS = 0.3
REROUTE_SOLUTIONS = 50
REROUTE_SHARE = 0.5
# Carers trading citizens across town: the (citizen, month, carer) with the longest detours, at most
# SWAP_FAR of them a round, are offered to the carers passing closest, then traded for one of the
# SWAP_PARTNERS citizens of such a carer nearest the first carer's routes; SWAP_ROUNDS rounds at most.
SWAP_FAR = 200
SWAP_PARTNERS = 2
SWAP_ROUNDS = 2
SWAP_SHARE = 0.3  # of what a timed run's final descents have left: the steadying after it keeps the rest
CLEAR_COST = 150  # what moving a visit that may wait out of a must-visit's hours may cost at most


def keep_if_better(st: TeamState, step: Callable[[], bool]) -> float:
    """Make one change; keep it only if the plan got better. Returns the change (0 if undone)."""
    st.begin()
    d = st.delta() if step() else 0.0
    if d < -1e-9:
        st.commit()
        return d
    st.rollback()
    return 0.0


def polish(sc: Scope) -> float:
    """Every day's routes handed over once more, kept where it helps; returns the change."""
    return sum(keep_if_better(sc.st, partial(hand_over_day, sc.st, day)) for day in sc.days
               if not sc.out_of_time())


def sweep_rare_carers(sc: Scope) -> float:
    """Every carer a citizen sees at most SWEEP_VISITS times in a month, in turn, hands those visits
    back to carers the citizen already meets (swap_out_rare_carer's step, tried on each one rather
    than at random); kept where the plan gets better, for up to SWEEP_ROUNDS rounds while any
    round gains. A hand-back that failed is not tried again while the routes it was tried on, those
    of the citizen's carers on the days the rare carer comes, stand as they were. Returns the change."""
    st, total = sc.st, 0.0
    for _ in range(SWEEP_ROUNDS):
        cands = [(ci, mi, c) for ci, mi in sc.cms for c, n in sorted(st.met[ci][mi].items())
                 if n <= SWEEP_VISITS and len(st.met[ci][mi]) > 1]
        gain = 0.0
        for key in cands:
            ci, mi, c = key
            if c not in st.met[ci][mi] or sc.out_of_time():
                continue
            if failed_as_it_stands(sc, key):
                continue
            change = keep_if_better(st, partial(hand_back, sc, ci, mi, c))
            if change == 0.0:
                sc.failed_hand_backs[key] = (st.tick, _faces_seen(st, ci, mi))
            gain += change
        total += gain
        if gain > -1e-9:
            break
    return total


def failed_as_it_stands(sc: Scope, key: tuple[int, int, int]) -> bool:
    """Whether handing carer t's visits of citizen ci's month back failed before, and the routes that
    hand-back works on have not changed since: those of the carers ci meets (and t's) on the days t
    comes, with ci meeting the same carers as often."""
    seen = sc.failed_hand_backs.get(key)
    if seen is None:
        return False
    st, ix = sc.st, sc.st.ix
    ci, mi, t = key
    tick, met = seen
    if _faces_seen(st, ci, mi) != met:
        return False
    days = {ix.visits[v].day for v in sc.visits_of_cm[(ci, mi)]
            if any(ix.slots[k].carer == t for k in st.slots_of[v])}
    return st.unchanged_since(tick, (k for d in days for c in st.met[ci][mi]
                                     for k in ix.slots_of_carer_day.get((c, d), ())))


def _faces_seen(st: TeamState, ci: int, mi: int) -> tuple[tuple[int, int], ...]:
    """The carers citizen ci meets in month mi and how often, as a value to compare later."""
    return tuple(sorted(st.met[ci][mi].items()))


def swap_far_citizens(sc: Scope) -> float:
    """Carers trade citizens across town: a carer who drives out of its way for a citizen hands her
    month to a carer whose routes pass her home, or takes in her place a citizen of that carer's
    (`swap_citizens`). Kept where the plan gets better, the routes drive less and no citizen meets
    more carers. Up to SWAP_ROUNDS rounds while a round gains, in a timed run on SWAP_SHARE of the
time the final descents have left. Returns the change."""
    st, total = sc.st, 0.0
    now = time.monotonic()
    end = now + SWAP_SHARE * (sc.deadline - now)
    for _ in range(SWAP_ROUNDS):
        gain = 0.0
        detour = detours(sc)
        for ci, mi, a in sorted(detour, key=lambda key: (-detour[key], key))[:SWAP_FAR]:
            if time.monotonic() >= end:
                break
            if a not in st.met[ci][mi]:
                continue  # an earlier trade took it away already
            gain += trade_far_citizen(sc, ci, mi, a)
        total += gain
        if gain > -1e-9:
            break
    return total


def trade_far_citizen(sc: Scope, ci: int, mi: int, a: int) -> float:
    """Citizen ci's month with carer a handed to one of the carers passing closest to ci's home, or
    traded for a citizen of that carer's: the first change `keep_if_shorter` keeps."""
    st = sc.st
    for b in closest_carers(sc, ci, mi, a):
        d = keep_if_shorter(st, partial(hand_back, sc, ci, mi, a, to=b))
        if d:
            return d
        near = sorted((passes_by(sc, a, single_visits_with(sc, cj, mj, b)), cj)
                      for cj, mj in sc.cms if mj == mi and cj != ci and b in st.met[cj][mj])
        for far, cj in near[:SWAP_PARTNERS]:
            if far == float("inf"):
                break
            d = keep_if_shorter(st, partial(swap_citizens, sc, ci, a, cj, b, mi))
            if d:
                return d
    return 0.0


def keep_if_shorter(st: TeamState, step: Callable[[], bool]) -> float:
    """Make one change; keep it only where the plan gets better, the routes it touched get shorter
    and no citizen meets more carers. Returns the change (0 if undone)."""
    return keep_if_better(st, lambda: step() and less_drive(st) and no_more_faces(st))


def less_drive(st: TeamState) -> bool:
    """Whether the open change shortened the routes it touched (travel minutes, each carer's own)."""
    assert st.journal is not None
    return sum(st.route_travel(k) - st.seq_travel(seq, k) for k, (seq, _) in st.journal.routes.items()) < 0


def no_more_faces(st: TeamState) -> bool:
    """Whether the open change left every citizen-month with no more carers than before it (one
    carer given up for another keeps the count)."""
    assert st.journal is not None
    return all(st.distinct(ci, mi) <= len(set(old) | st.met_before[ci][mi])
               for (ci, mi), (old, _) in st.journal.met.items())


def sweep_to_contact(sc: Scope) -> float:
    """The citizens' contact carers take the visits they may attend from other carers, kept where the
    plan gets better and no citizen meets more carers for it: first every carer's visits of a
    citizen-month at once (`hand_back` to the contact: the carer's face goes where the contact takes
    them all), then each movable single visit in turn (`to_contact`, each of CONTACT_WAYS); for up
    to SWEEP_ROUNDS rounds while a round gains (a visit handed on makes room for another). The
    random steps move a citizen's visits as a whole or a carer's at a time; one visit handed over
    against another of the contact's, to a carer its own citizen meets, is a change they draw only
    by chance. Returns the change."""
    total = 0.0
    for _ in range(SWEEP_ROUNDS):
        gain = sum(_to_contact_round(sc, ci, mi) for ci, mi in sc.cms
                   if sc.st.ix.contact[ci] >= 0 and not sc.out_of_time())
        total += gain
        if gain > -1e-9:
            break
    return total


def _to_contact_round(sc: Scope, ci: int, mi: int) -> float:
    """One round of `sweep_to_contact` over citizen ci's month mi; returns the change."""
    st, k, total = sc.st, sc.st.ix.contact[ci], 0.0
    vs = sc.visits_of_cm[(ci, mi)]
    for c in sorted(st.met[ci][mi]):
        if c != k and c in st.met[ci][mi] and any(_may_go_to_contact(sc, v, k, c) for v in vs):
            total += keep_if_better(st, partial(without_more_faces, st, partial(hand_back, sc, ci, mi, c, k)))
    for v in vs:
        if sc.out_of_time():
            break
        if _may_go_to_contact(sc, v, k):
            for way in CONTACT_WAYS:
                d = keep_if_better(st, partial(without_more_faces, st, partial(to_contact, sc, v, way)))
                total += d
                if d < 0:
                    break
    return total


def without_more_faces(st: TeamState, step: Callable[[], bool]) -> bool:
    """Make the change; True if it was made and no citizen meets more carers in a month for it (the
    contact carer may take the place of a carer given up): contact visits rank below faces, and
    their weight alone would let a visit or two by the contact buy a face."""
    return step() and no_more_faces(st)


def _may_go_to_contact(sc: Scope, v: int, k: int, by: int | None = None) -> bool:
    """Whether v is a movable single visit that contact carer k may attend, attended by another
    carer (by `by`, if given)."""
    st, ix = sc.st, sc.st.ix
    if len(st.slots_of[v]) != 1 or not sc.movable(v) or k not in ix.eligible[v]:
        return False
    carer = ix.slots[st.slots_of[v][0]].carer
    return carer != k and (by is None or carer == by)


def sweep_new_faces(sc: Scope) -> float:
    """(Re-plans) the promise that no citizen meets a new face where a carer it already met could
    come: every carer the re-plan made new to a citizen, in turn, hands its visits back to carers
    the citizen already meets (hand_back_new_face's step, tried on each rather than at random: a
    one-day re-plan makes too few steps to draw them all). Kept where the face is gone with no
    visit left out, no other new face and no move beyond the budget, even if a start moves or
    travel grows: the moved start's price would otherwise outweigh the face. Returns the change
    in cost."""
    st = sc.st

    def faces() -> int:
        return sum(st.distinct(a, b) for a, b in sc.cms)

    total = 0.0
    for ci, mi, c in sc.new_faces():
        if sc.out_of_time():
            break
        if c not in st.met[ci][mi]:
            continue  # an earlier hand-back took it away already
        unplaced, before, moved = len(sc.unplaced()), faces(), st.moved
        st.begin()
        changed = hand_back(sc, ci, mi, c)
        d = st.delta() if changed else 0.0
        kept = (changed and c not in st.met[ci][mi] and len(sc.unplaced()) <= unplaced
                and faces() < before
                and st.over_budget_cost(st.moved_after_delta()) <= st.over_budget_cost(moved))
        if kept:
            st.commit()
            total += d
        else:
            st.rollback()
    return total


def reroute_every_day(sc: Scope) -> float:
    """Every day, in turn, re-routed by OR-Tools routing from its routes as they stand, within the
    cap (routing admits a new face only where the cap allows it), kept where the plan gets better.
    Returns the change."""
    st, total = sc.st, 0.0
    days = [d for d in sc.days if any(st.routes[k] for k in st.ix.slots_of_day.get(d, []))]
    now = time.monotonic()
    end = now + REROUTE_SHARE * (sc.deadline - now)
    for i, day in enumerate(days):
        left = end - time.monotonic()
        if left <= 0:
            break
        seconds = min(REROUTE_SECONDS, left / (len(days) - i))
        total += keep_if_better(st, partial(reroute_from_routes, sc, day, seconds))
    return total


def reroute_from_routes(sc: Scope, day: int, seconds: float) -> bool:
    """Day `day` re-routed by guided local search from its routes (reroute_every_day)."""
    st, ix = sc.st, sc.st.ix
    months = {(ix.v_cit[v], ix.v_month[v]) for v in sc.visits_of_day[day] if not st.fixed[v]}
    met = {cm: st.distinct(*cm) for cm in months}
    if not route_again(sc, day, seconds, afresh=False,
                       solutions=REROUTE_SOLUTIONS if sc.exact_repeat else None):
        return False
    # Routing admits each new face within the cap, but may admit several for one citizen in a day:
    # a day that takes a citizen past the cap is not kept (the final check would drop its visits).
    return all(rules.cap_allows(st.distinct(*cm), st.cap) or st.distinct(*cm) <= met[cm] for cm in months)


def steady_stray_starts(sc: Scope) -> float:
    """Starts far from their need's usual time move nearer, with carers the citizens already
    meet, where the plan gets better with needs weighed as the spread is judged (time_weights:
    one stray start of a weekly need counts as much as several of a daily one). No citizen
    meets a new face for it. Returns the change at those weights.

    Every need's stray starts are tried, a daily need's too: the search's random steps come to a
    given start only now and then, so a start an hour off its usual time can stay there although a
    known carer has room for it at the usual time. Only at the end: weighed so during the search,
    the rare needs' visits would lose the freedom that continuity is built with."""
    st, ix = sc.st, sc.st.ix
    usual = st.w_time
    st.w_time = objective.time_weights(ix.v_need, ix.n_needs, st.weights)
    total = 0.0
    moved = [0, 0]  # by re-placing, by exchange
    try:
        for _ in range(STEADY_ROUNDS):
            gain = 0.0
            for v in stray_starts(sc):
                if sc.out_of_time():
                    break
                d = keep_if_better(sc.st, partial(steady_within, sc, v))
                moved[0] += d < 0
                if not d:
                    d = keep_if_better(sc.st, partial(steady_by_exchange, sc, v))
                    moved[1] += d < 0
                gain += d
            total += gain
            if not gain:
                break
    finally:
        st.w_time = usual
    st.search_log["steadied"] = {"re-placed": moved[0], "exchanged": moved[1]}
    return total


def no_new_face(st: TeamState) -> bool:
    """Whether the open change left every citizen-month with no more carers than before it, each one
    met before it (in the plan or earlier that month): a carer given up for one the citizen never met
    keeps the count but is a new face."""
    assert st.journal is not None
    return all(len(st.met[ci][mi]) <= len(old)
               and all(c in old or c in st.met_before[ci][mi] for c in st.met[ci][mi])
               for (ci, mi), (old, _) in st.journal.met.items())


def stray_starts(sc: Scope) -> list[int]:
    """Movable single visits whose start is STRAY minutes or more from their need's usual time,
    farthest first."""
    st, ix = sc.st, sc.st.ix
    out: list[tuple[int, int]] = []
    for k in range(len(ix.slots)):
        if not st.routes[k]:
            continue
        for v, s in zip(st.routes[k], st.schedule_route(k), strict=True):
            n = ix.v_need[v]
            t = st.target[n]
            if (t is not None and abs(s - t) >= STRAY
                    and ix.visits[v].carers == 1 and sc.movable(v)):
                out.append((-abs(s - t), v))
    return [v for _, v in sorted(out)]


def steady_within(sc: Scope, v: int) -> bool:
    """v placed afresh with a carer its citizen already meets (its own too, at a better minute)."""
    st, ix = sc.st, sc.st.ix
    met = set(st.met[ix.v_cit[v]][ix.v_month[v]])
    st.remove(v)
    others = frozenset(c for c in range(len(ix.carers)) if c not in met)
    return place(st, v, others) and no_new_face(sc.st)


def steady_by_exchange(sc: Scope, v: int) -> bool:
    """v goes to another carer its citizen meets, in exchange for a visit at the same time of day."""
    st, ix = sc.st, sc.st.ix
    t = ix.slots[st.slots_of[v][0]].carer
    others = [c for c in sorted(st.met[ix.v_cit[v]][ix.v_month[v]]) if c != t and c in ix.eligible[v]]
    st.remove(v)
    return to_one_of(sc, v, t, others) and no_new_face(sc.st)


def sweep_musts(sc: Scope) -> float:
    """Every unplaced visit of priority 1, in turn, takes the place of a placed visit of priority 3
    (then 2) of its day that a carer who may take it attends, where the plan gets better (the one
    put aside then goes elsewhere if it can); the first that works is kept. Returns the change."""
    st, ix, total = sc.st, sc.st.ix, 0.0
    for v in [v for v in sc.unplaced() if ix.visits[v].priority == 1]:
        if sc.out_of_time():
            break
        for clear in (False, True):
            if clear:
                # None could make way alone: the ones that may wait leave v's hours, then try again.
                total += clear_the_hours(sc, v)
            for u in yielding_visits(sc, v):
                if st.slots_of[v]:
                    break
                if st.slots_of[u]:
                    total += keep_if_better(st, partial(take_place_of, sc, v, u))
            if st.slots_of[v]:
                break
    return total


def clear_the_hours(sc: Scope, v: int) -> float:
    """Unplaced must-visit v could not take any place. A visit of priority 3 that a carer able to serve
    v starts inside v's window leaves those hours where it can at a cost of at most
    CLEAR_COST: a cleaning is not seen to stand in a must-visit's way, and the carer's time there is
    free for a later step. Returns the change."""
    st, ix = sc.st, sc.st.ix
    vis = ix.visits[v]
    lo, hi = ix.asked.get(v, (vis.earliest, vis.latest))
    total, cleared = 0.0, False
    for u in yielding_visits(sc, v):
        a = ix.visits[u]
        if a.priority < 3 or a.carers != 1 or not st.slots_of[u]:
            continue
        k = st.slots_of[u][0]
        starts = dict(zip(st.routes[k], st.schedule_route(k), strict=True))
        if not lo <= starts[u] <= hi or ix.slots[k].carer not in ix.eligible[v]:
            continue
        st.begin()
        st.remove(u)
        found = [ins for w_lo, w_hi in ((a.earliest, lo - 1), (hi + 1, a.latest)) if w_lo <= w_hi
                 for ins in [best_insertion(st, u, w_lo, w_hi)] if ins is not None]
        if found:
            ins = min(found, key=lambda i: i.cost)
            st.insert(u, ins.opts, ins.start, ins.lo, ins.hi)
        d = st.delta()
        if found and d <= CLEAR_COST:
            st.commit()
            total += d
            cleared = True
        else:
            st.rollback()
    if cleared:
        place(st, v)  # the hours it needed may now be free (priced by the search's final cost)
    return total


def steady_double_visits(sc: Scope) -> float:
    """Double visits' starts drawn together: each need of double visits aims at the time where its
    starts, each within what both its carers' routes allow, vary least; then each of its visits, the
    farthest first, moves there (or as near as both routes allow), kept where the plan gets better.

    A double visit is placed at one minute (its two carers start together) and keeps it: the routes'
    own timing and the final aims (construct.aim_for_least_spread) move only single visits. Returns
    the change."""
    st, ix = sc.st, sc.st.ix
    by_need: dict[int, list[int]] = {}
    for v, ks in enumerate(st.slots_of):
        if len(ks) > 1 and ix.visits[v].carers > 1 and sc.movable(v):
            by_need.setdefault(ix.v_need[v], []).append(v)
    total, moved = 0.0, 0
    for n, vs in sorted(by_need.items()):
        windows = [w for v in vs if (w := double_window(st, v)) is not None]
        if sc.out_of_time() or len(windows) < 2:
            continue
        aim = st.target[n] = least_spread_time(windows)
        for v in sorted(vs, key=lambda v: (-abs(st.lo[v] - aim), v)):
            d = keep_if_better(st, partial(retime_double, st, v))
            total, moved = total + d, moved + (d < 0)
    st.search_log["steadied_doubles"] = moved
    return total


def double_window(st: TeamState, v: int) -> tuple[int, int] | None:
    """The starts double visit v could take with both its routes as they are (None: none)."""
    vis = st.ix.visits[v]
    held = st.lo[v], st.hi[v]
    st.lo[v], st.hi[v] = vis.earliest, vis.latest
    lo, hi = vis.earliest, vis.latest
    for k in st.slots_of[v]:
        st.forget_times(k)
        tm = st.times(k)
        if tm is None:
            lo, hi = 1, 0
            break
        i = st.routes[k].index(v)
        lo, hi = max(lo, tm[0][i]), min(hi, tm[1][i])
    st.lo[v], st.hi[v] = held
    for k in st.slots_of[v]:
        st.forget_times(k)
    return (lo, hi) if lo <= hi else None


def retime_double(st: TeamState, v: int) -> bool:
    """Double visit v to its need's usual time, or as near as both its routes allow."""
    window, target = double_window(st, v), st.target[st.ix.v_need[v]]
    if window is None or target is None:
        return False
    start = max(window[0], min(target, window[1]))
    if start == st.lo[v]:
        return False
    st.set_start(v, start)
    return all(st.times(k) is not None for k in st.slots_of[v])
