"""The search's neighbourhoods: each step frees part of a team's plan and re-places it.

- `free_around_unplaced`: the visits overlapping an unplaced visit's window on its day, so the
  unplaced one can go first (half the time the freed visits that other carers could do go to them
  first, so the carers with the skill keep their time for it);
- `free_citizen_month`: all of one citizen's visits in a month, re-placed by picking a small core
  team of carers who can take most of them (continuity);
- `free_rare_carer`: the few visits a citizen gets from a carer seen only once or twice that month,
  re-placed with that carer banned;
- `swap_out_rare_carer`: the same visits exchanged with a visit at the same time of day in the route
  of a carer the citizen already meets (solver/exchanges.py: where re-placing finds that route full);
- `thin_crowded_citizen`: the citizen meeting most carers (Weights.many_from or more) loses the
  carer it sees least, by the same exchanges;
- `hand_over_far_citizen`: a carer who drives out of its way for a citizen (picked by the detour)
  hands that citizen's month to one of the carers whose routes pass closest to its home, by the
  same exchanges (travel: who serves whom, chosen with the map in view);
- `free_nearby_routes`: the routes of a few carers who work near each other on one day (travel);
- `reroute_day`: one whole day re-routed by OR-Tools routing (solver/dayrouting.py);
- `resequence_routes`: a few carers' shifts on one day, re-solved exactly with CP-SAT
  (solver/daymodel.py);
- `hand_back_new_face` (re-plans only): a carer the re-plan made new to a citizen hands its visits
  back to carers the citizen already meets;
- `make_way_for_must`: an unplaced visit that must be made (priority 1) takes the place of one that
  may wait (priority 3, then 2) on its day, which goes elsewhere if it can.

Each returns whether it changed anything; the search (solver/search.py) prices the change and
keeps or undoes it.
"""

from __future__ import annotations

from solver.construct import place_with_core_team
from solver.daymodel import solve_day
from solver.dayrouting import day_routes, route_day
from solver.exchanges import hand_back, take_place_of, yielding_visits
from solver.index import BASE
from solver.insertion import insertion_order, place
from solver.scope import Scope


def free_around_unplaced(sc: Scope, spare_first: bool | None = None, visit: int | None = None) -> bool:
    """An unplaced visit (`visit`, else one drawn) goes in first after the visits around its time are
    freed. With
    `spare_first` (by default half the time), a freed visit that other carers could do goes to
    them first: the carers who can take the unplaced one (a skill, an evening peak) keep their
    time for what only they can do. Without it, a freed visit's citizen pulls it back to the
    carer it already meets, which may fill the very gap the next freed visit needed."""
    st, ix = sc.st, sc.st.ix
    if visit is None:
        todo = sc.unplaced()
        if not todo:
            return False
        v = todo[sc.rng.randrange(len(todo))]
    else:
        v = visit
    vis = ix.visits[v]
    margin = sc.rng.choice((30, 60, 120))
    lo, hi = vis.earliest - margin, vis.latest + vis.duration + margin
    elig = set(ix.eligible[v])
    freed = []
    for k in ix.slots_of_day.get(vis.day, []):
        if ix.slots[k].carer not in elig:
            continue
        for u in st.routes[k]:
            if sc.movable(u) and u not in freed and st.hi[u] + st.dur[u] >= lo and st.lo[u] <= hi:
                freed.append(u)
    sc.rng.shuffle(freed)
    freed = freed[:30]
    for u in freed:
        st.remove(u)
    others = [u for u in sc.unplaced() if ix.visits[u].day == vis.day and u != v]
    order = [v] + insertion_order(st, sorted(set(freed) | set(others)))
    if spare_first is None:
        spare_first = sc.rng.random() < 0.5
    spare = frozenset(elig) if spare_first else frozenset()
    for u in order:
        elsewhere = bool(spare) and u != v and bool(set(ix.eligible[u]) - spare)
        if not (elsewhere and place(st, u, spare)):
            place(st, u)
    return True


def free_citizen_month(sc: Scope) -> bool:
    st = sc.st
    # Citizens with many faces are picked more often.
    weights = [st.distinct(ci, mi) ** 2 for ci, mi in sc.cms]
    ci, mi = sc.rng.choices(sc.cms, weights=weights)[0] if sum(weights) else sc.cms[0]
    vs = [v for v in sc.visits_of_cm[(ci, mi)] if sc.movable(v) and st.slots_of[v]]
    if not vs:
        return False
    for v in vs:
        st.remove(v)
    place_with_core_team(sc.st, vs, sc.rng.random() * 30)
    return True


def free_rare_carer(sc: Scope) -> bool:
    st, ix = sc.st, sc.st.ix
    cands = []
    for ci, mi in sc.cms:
        m = st.met[ci][mi]
        for c, n in sorted(m.items()):
            if n <= 3 and len(m) > 1:
                cands.append((ci, mi, c))
    if not cands:
        return False
    ci, mi, c = cands[sc.rng.randrange(len(cands))]
    vs = [v for v in sc.visits_of_cm[(ci, mi)] if sc.movable(v)
          and any(ix.slots[k].carer == c for k in st.slots_of[v])]
    if not vs:
        return False
    for v in vs:
        st.remove(v)
    for v in insertion_order(st, vs):
        if not place(st, v, frozenset((c,))):
            place(st, v)
    return True


def swap_out_rare_carer(sc: Scope) -> bool:
    """A carer seen only a few times by a citizen hands those visits to a carer the citizen
    already meets, taking in exchange a visit at the same time of day from that carer's route
    (an exchange makes room where freeing and re-placing finds the routes full)."""
    st = sc.st
    cands = [(ci, mi, c) for ci, mi in sc.cms for c, n in sorted(st.met[ci][mi].items())
             if n <= 3 and len(st.met[ci][mi]) > 1]
    if not cands:
        return False
    return hand_back(sc, *cands[sc.rng.randrange(len(cands))])


def hand_back_new_face(sc: Scope) -> bool:
    """(Re-plans) a carer the re-plan made new to a citizen hands its visits to carers the citizen
    already meets, if their routes have room."""
    cands = sc.new_faces()
    if not cands:
        return False
    return hand_back(sc, *cands[sc.rng.randrange(len(cands))])


def thin_crowded_citizen(sc: Scope) -> bool:
    """The citizen who meets most carers this month loses the carer it sees least, by the same
    exchanges (the maximum is a target of its own, not only the mean)."""
    st = sc.st
    if sc.replanning:
        return False  # a re-plan moves what the changes force, not other citizens' visits
    most = max(st.distinct(ci, mi) for ci, mi in sc.cms)
    if most < st.weights.many_from:
        return False
    crowded = [(ci, mi) for ci, mi in sc.cms if st.distinct(ci, mi) == most and st.met[ci][mi]]
    if not crowded:
        return False
    ci, mi = crowded[sc.rng.randrange(len(crowded))]
    t = min(sorted(st.met[ci][mi]), key=lambda c: st.met[ci][mi][c])
    return hand_back(sc, ci, mi, t)


def hand_over_far_citizen(sc: Scope) -> bool:
    """A carer who drives out of its way for one citizen hands that citizen's visits this month
    to a carer whose routes pass close by, by the same exchanges as the rare carers': who serves
    whom chosen with the map in view (the extra travel is there, not in the order of a route).
    Not a re-plan's step (its weight is 0 there): a re-plan moves only what the changes force."""
    detour = detours(sc)
    far = sorted(key for key, d in detour.items() if d > 0)
    if not far:
        return False
    ci, mi, t = sc.rng.choices(far, weights=[detour[key] for key in far])[0]
    choices = closest_carers(sc, ci, mi, t)
    if not choices:
        return False
    return hand_back(sc, ci, mi, t, to=choices[sc.rng.randrange(len(choices))])


def detours(sc: Scope) -> dict[tuple[int, int, int], int]:
    """(citizen, month, carer) -> the minutes that carer's routes go out of their way for that
    citizen's single visits this month (each visit's leg in and out, less the leg it replaces)."""
    st, ix = sc.st, sc.st.ix
    tt, loc = ix.tt, ix.v_loc
    detour: dict[tuple[int, int, int], int] = {}
    for k, seq in enumerate(st.routes):
        if not seq:
            continue
        c = ix.slots[k].carer
        here = [BASE] + [loc[v] for v in seq] + [BASE]
        for i, v in enumerate(seq):
            if ix.visits[v].carers > 1 or not sc.movable(v):
                continue
            a, x, b = here[i], here[i + 1], here[i + 2]
            key = (ix.v_cit[v], ix.v_month[v], c)
            detour[key] = detour.get(key, 0) + tt[a][x] + tt[x][b] - tt[a][b]
    return detour


def single_visits_with(sc: Scope, ci: int, mi: int, c: int) -> list[int]:
    """Citizen ci's single visits in month mi that carer c attends."""
    st, ix = sc.st, sc.st.ix
    return [v for v in sc.visits_of_cm[(ci, mi)] if ix.visits[v].carers == 1
            and any(ix.slots[k].carer == c for k in st.slots_of[v])]


def passes_by(sc: Scope, c: int, vs: list[int]) -> float:
    """How far carer c's routes on the days of visits `vs` (one citizen's) pass from that citizen's
    home, nearest visit, averaged over the days; infinite unless c works each of those days and may
    take each visit (else the citizen would keep a carer for the rest: one more face)."""
    st, ix = sc.st, sc.st.ix
    tt, loc = ix.tt, ix.v_loc
    if not vs:
        return float("inf")
    x = loc[vs[0]]  # the citizen's home
    near = []
    for v in vs:
        day = ix.visits[v].day
        route = [u for k in ix.slots_of_carer_day.get((c, day), ()) for u in st.routes[k]]
        if not route or c not in ix.eligible[v]:
            return float("inf")
        near.append(min(tt[x][loc[u]] for u in route))
    return sum(near) / len(near)


def closest_carers(sc: Scope, ci: int, mi: int, t: int, how_many: int = 3) -> list[int]:
    """The carers (not t) whose routes pass closest to citizen ci's home on the days t serves it."""
    vs = single_visits_with(sc, ci, mi, t)
    closest = sorted((passes_by(sc, c, vs), c) for c in range(len(sc.st.ix.carers)) if c != t)
    return [c for d, c in closest[:how_many] if d < float("inf")]


def free_nearby_routes(sc: Scope) -> bool:
    st, ix = sc.st, sc.st.ix
    day = sc.days[sc.rng.randrange(len(sc.days))]
    busy = [k for k in ix.slots_of_day.get(day, []) if st.routes[k]]
    if not busy:
        return False
    k0 = busy[sc.rng.randrange(len(busy))]
    locs0 = {ix.v_loc[v] for v in st.routes[k0]}

    def closeness(k: int) -> int:
        return min(ix.tt[a][ix.v_loc[v]] for a in locs0 for v in st.routes[k])

    others = sorted((k for k in busy if k != k0), key=lambda k: (closeness(k), k))
    chosen = [k0] + others[: sc.rng.randint(1, 3)]
    freed = sorted({v for k in chosen for v in st.routes[k] if sc.movable(v)})
    freed += [v for v in sc.unplaced() if ix.visits[v].day == day and v not in freed]
    for v in freed:
        if st.slots_of[v]:
            st.remove(v)
    order = insertion_order(st, freed)
    if sc.rng.random() < 0.5:
        sc.rng.shuffle(order)
        order.sort(key=lambda v: -ix.visits[v].carers)
    for v in order:
        place(st, v)
    return True


def reroute_day(sc: Scope) -> bool:
    """One whole day re-routed by OR-Tools routing, every other day fixed (continuity and
    usual times priced against the rest of the month), starting from the day's routes."""
    st = sc.st
    day = sc.days[sc.rng.randrange(len(sc.days))]
    # Guided local search makes the most of its time from the routes as they stand. Afresh: when
    # a visit of the day is left out (a new cheapest insertion is a way to find it room), and
    # in a step-counted search, whose greedy descent would stop close to the routes.
    left_out = any(not st.slots_of[v] for v in sc.visits_of_day[day] if not st.fixed[v])
    return route_again(sc, day, sc.route_time, afresh=sc.exact_repeat or left_out,
                       exact_repeat=sc.exact_repeat)


def route_again(sc: Scope, day: int, seconds: float, *, afresh: bool, exact_repeat: bool = False,
                solutions: int | None = None) -> bool:
    """Day `day`'s movable visits re-routed by OR-Tools routing (solver/dayrouting.py `route_day`),
    from the day's routes or afresh, what routing leaves placed by cheapest insertion; False (nothing
    changed) where a visit of the day is fixed, as routing plans empty shifts only."""
    st, ix = sc.st, sc.st.ix
    slots = ix.slots_of_day.get(day, [])
    if any(st.fixed[v] for k in slots for v in st.routes[k]):
        return False
    visits = [v for v in sc.visits_of_day[day] if not st.fixed[v]]
    before = None if afresh else day_routes(st, slots)
    for v in visits:
        if st.slots_of[v]:
            st.remove(v)
    left = route_day(st, day, visits, seconds, exact_repeat=exact_repeat, steady_times=True,
                     start_from=before, solutions=solutions)
    for v in insertion_order(st, left):
        place(st, v)
    return True


def neighbourhood_slots(sc: Scope, day: int, k0: int, size: int) -> list[int]:
    """k0 and the shifts that day whose routes pass closest to k0's, plus double-visit partners."""
    st, ix = sc.st, sc.st.ix
    busy = [k for k in ix.slots_of_day.get(day, []) if k != k0]
    locs0 = {ix.v_loc[v] for v in st.routes[k0]} or {0}

    def closeness(k: int) -> int:
        if not st.routes[k]:
            return 10_000
        return min(ix.tt[a][ix.v_loc[v]] for a in locs0 for v in st.routes[k])

    chosen = [k0] + sorted(busy, key=lambda k: (closeness(k), k))[: size - 1]
    more = True
    while more:
        more = False
        for k in list(chosen):
            for v in st.routes[k]:
                for k2 in st.slots_of[v]:
                    if k2 not in chosen:
                        chosen.append(k2)
                        more = True
    return chosen


def resequence_routes(sc: Scope) -> bool:
    """A few carers' shifts on one day, re-solved exactly with CP-SAT (solver/daymodel.py)."""
    st, ix = sc.st, sc.st.ix
    todo = sc.unplaced()
    if todo and sc.rng.random() < 0.5:
        v = todo[sc.rng.randrange(len(todo))]
        day = ix.visits[v].day
        cands = [k for k in ix.slots_of_day.get(day, []) if ix.slots[k].carer in ix.eligible[v]]
    else:
        day = sc.days[sc.rng.randrange(len(sc.days))]
        cands = [k for k in ix.slots_of_day.get(day, []) if st.routes[k]]
    if not cands:
        return False
    k0 = cands[sc.rng.randrange(len(cands))]
    slots = neighbourhood_slots(sc, day, k0, sc.rng.randint(3, sc.cp_size))
    carers = {ix.slots[k].carer for k in slots}
    visits = sorted({v for k in slots for v in st.routes[k]}
                    | {v for v in sc.unplaced() if ix.visits[v].day == day
                       and carers & set(ix.eligible[v])})
    if not visits:
        return False
    return solve_day(st, day, slots, visits, sc.rng.randrange(1 << 30), sc.workers, sc.cp_time,
                     exact_repeat=sc.exact_repeat)


def make_way_for_must(sc: Scope) -> bool:
    """An unplaced visit of priority 1 takes the place of a placed one of priority 3 or 2 (one of the
    few least important near its time), which is placed elsewhere if it can be."""
    ix = sc.st.ix
    musts = [v for v in sc.unplaced() if ix.visits[v].priority == 1]
    if not musts:
        return False
    v = musts[sc.rng.randrange(len(musts))]
    cands = yielding_visits(sc, v)[:4]
    if not cands:
        return False
    return take_place_of(sc, v, cands[sc.rng.randrange(len(cands))])
