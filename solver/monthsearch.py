"""Which carer takes which citizen's month, decided before the first routes where the monthly cap binds.

With a cap of a few carers a month, the first routed day chooses each citizen's carer for the whole
month (later days may only send a carer the citizen already met), without the later days' visits in
view: a carer full on day 9 took on day 0 a citizen it should have left to another. Nor can the
search undo it visit by visit, as every state between would break the cap. So for a binding cap a
local search over whole months first gives each citizen-month one core carer:

- a carer's day is judged exactly: the most minutes of its visits that one route through its shift
  can hold, windows and travel at the carer's own mode kept (`day_route`, a dynamic programme over
  the day's few visits), and the travel of that route;
- a plan of months costs the minutes no route holds (`UNHELD`, many times a travel minute) plus the
  routes' travel;
- moves: a citizen's month to another carer, or two citizens' months exchanged between their
  carers, drawn from the seed and kept by simulated annealing (the best plan of months seen wins).

Day routing then sends each visit only to its core carer (solver/dayrouting.py, `core`), and what
routing leaves goes through cheapest insertion, the cap deciding as always.
"""

from __future__ import annotations

import functools
import math
import random
import time
from collections.abc import Callable, Sequence

from solver import rules
from solver.index import BASE
from solver.state import TeamState

CitizenMonth = tuple[int, int]
# A monthly cap this low binds: a fresh plan first decides which carer takes which citizen's month,
# as the day-by-day construction and the search's single-visit moves cannot.
BINDING_CAP = 3
UNHELD = 100  # per minute of visits no route of the carer's day can hold
MAX_DAY_VISITS = 10  # a carer-day with more visits is judged by its first MAX_DAY_VISITS by start
# Simulated annealing: this many moves per citizen-month, the temperature falling from HOT to COLD
# (cost units: at first even half an hour of visits no route holds is taken now and then, as a way
# through to a better spread of the months; at the end only a minute of travel).
STEPS_PER_MONTH = 5000
HOT = 3000.0
COLD = 1.0
CLOCK_EVERY = 500  # moves between two looks at the clock in a timed run
# Judged carer-days kept for reuse (a move and its undoing meet the same ones); the least recently
# used go first, so a month search on a large team holds a bounded memory.
CACHE_DAYS = 200_000


class MonthPlan:
    """Citizen-months and the carer each has, with every carer-day's cost at hand.

    A carer-day's visits are kept as a bit set (bit v for visit v): a cheap key for the bounded cache
    of judged carer-days, and each carer-day's present cost is kept, so a move judges only the
    carer-days it changes, once."""

    def __init__(self, st: TeamState, free: Sequence[int]) -> None:
        self.st = st
        ix = st.ix
        self.months: dict[CitizenMonth, list[int]] = {}
        for v in free:
            if ix.visits[v].carers == 1:
                self.months.setdefault((ix.v_cit[v], ix.v_month[v]), []).append(v)
        self.able: dict[CitizenMonth, list[int]] = {}
        for j, vs in sorted(self.months.items()):
            common = set(range(len(ix.carers)))
            for v in vs:
                common &= set(ix.eligible[v])
            self.able[j] = sorted(c for c in common if st.face_allowed(vs[0], c))
        self.carer: dict[CitizenMonth, int] = {}
        self.day_set: dict[tuple[int, int], int] = {}  # (carer, day) -> its visits' bit set
        self.now: dict[tuple[int, int], int] = {}  # (carer, day) -> the cost of its present visits
        self._days = {j: sorted({ix.visits[v].day for v in vs}) for j, vs in self.months.items()}
        self._bits = {j: {d: sum(1 << v for v in vs if ix.visits[v].day == d) for d in self._days[j]}
                      for j, vs in self.months.items()}
        self.judge = functools.lru_cache(maxsize=CACHE_DAYS)(self._judge)

    def _judge(self, c: int, day: int, bits: int) -> int:
        """The cost of carer c's `day` with the visits of bit set `bits`."""
        unheld, travel = day_route(self.st, c, day, _members(bits))
        return UNHELD * unheld + travel

    def day_visits(self, c: int, day: int) -> list[int]:
        return _members(self.day_set.get((c, day), 0))

    def days_of(self, j: CitizenMonth) -> list[int]:
        return self._days[j]

    def give(self, j: CitizenMonth, c: int | None) -> None:
        """Citizen-month j to carer c (None: to nobody); the carer-days' costs are left to `settle`."""
        old = self.carer.pop(j, None)
        for d, bits in self._bits[j].items():
            if old is not None:
                self.day_set[(old, d)] ^= bits
            if c is not None:
                self.day_set[(c, d)] = self.day_set.get((c, d), 0) | bits
        if c is not None:
            self.carer[j] = c

    def cost_now(self, pairs: set[tuple[int, int]]) -> int:
        """What carer-days `pairs` cost as last settled."""
        return sum(self.now.get(pair, 0) for pair in pairs)

    def cost_of(self, pairs: set[tuple[int, int]]) -> int:
        """What carer-days `pairs` cost with their present visits."""
        return sum(self.judge(c, d, self.day_set.get((c, d), 0)) for c, d in pairs)

    def settle(self, pairs: set[tuple[int, int]]) -> None:
        """Keep the present cost of carer-days `pairs` (after a move is kept)."""
        for c, d in pairs:
            self.now[(c, d)] = self.judge(c, d, self.day_set.get((c, d), 0))

    def touched(self, js: Sequence[CitizenMonth], carers: Sequence[int]) -> set[tuple[int, int]]:
        return {(c, d) for j in js for d in self._days[j] for c in carers}


def _members(bits: int) -> list[int]:
    """The visits of a bit set, lowest first."""
    out = []
    while bits:
        low = bits & -bits
        out.append(low.bit_length() - 1)
        bits ^= low
    return out


def day_route(st: TeamState, c: int, day: int, visits: list[int]) -> tuple[int, int]:
    """(minutes of `visits` no route of carer c's shifts on `day` can hold, travel of the routes that
    hold the rest): a dynamic programme over subsets of each shift's visits, earliest end first,
    windows kept (rules.window_allows), back at base by the shift's end (rules.back_in_time).
    Breaks are not modelled here: the routes built later keep them."""
    ix = st.ix
    if not visits:
        return 0, 0
    by_slot, unheld = _by_slot(st, c, day, visits)
    travel = 0
    for k, vs in sorted(by_slot.items()):
        unheld += sum(ix.visits[v].duration for v in vs[MAX_DAY_VISITS:])
        u, t = _best_subset_route(st, k, vs[:MAX_DAY_VISITS])
        unheld += u
        travel += t
    return unheld, travel


def held_routes(st: TeamState, c: int, day: int, visits: list[int]) -> dict[int, list[int]] | None:
    """Carer c's routes on `day` (slot -> visits in order) that hold every one of `visits` with the
    least travel, or None where no routes hold them all (`day_route`'s programme)."""
    by_slot, unheld = _by_slot(st, c, day, visits)
    if unheld or any(len(vs) > MAX_DAY_VISITS for vs in by_slot.values()):
        return None
    out: dict[int, list[int]] = {}
    for k, vs in sorted(by_slot.items()):
        out[k] = []
        if _best_subset_route(st, k, vs, out[k])[0]:
            return None
    return out


def _by_slot(st: TeamState, c: int, day: int, visits: list[int]) -> tuple[dict[int, list[int]], int]:
    """Carer c's visits on `day` by the first of its shifts each fits in (by window opening), and the
    minutes of those that fit in none."""
    ix = st.ix
    slots = list(ix.slots_of_carer_day.get((c, day), ()))
    unheld = 0
    by_slot: dict[int, list[int]] = {}
    for v in sorted(visits, key=lambda v: (ix.visits[v].earliest, v)):
        vis = ix.visits[v]
        fit = [k for k in slots if ix.slots[k].start <= vis.latest
               and vis.earliest + vis.duration <= ix.slots[k].end]
        if fit:
            by_slot.setdefault(fit[0], []).append(v)
        else:
            unheld += vis.duration
    return by_slot, unheld


def _best_subset_route(st: TeamState, k: int, vs: list[int],
                       route: list[int] | None = None) -> tuple[int, int]:
    """The subset of `vs` with most minutes that one route of slot k holds: (minutes left out, its
    travel); that route's visits in order are put in `route` when one is given. Labels per (subset,
    last visit): the earliest end and the travel of that route, grown one visit at a time from the
    subsets some route reaches (tight windows leave most unreached)."""
    ix = st.ix
    sl = ix.slots[k]
    tt = sl.tt
    n = len(vs)
    loc = [ix.v_loc[v] for v in vs]
    dur = [ix.visits[v].duration for v in vs]
    lo = [ix.visits[v].earliest for v in vs]
    hi = [ix.visits[v].latest for v in vs]
    home = [tt[BASE][a] for a in loc]
    back = [tt[a][BASE] for a in loc]
    # Per last visit, the visits that may follow it: (index, leg, window's opening and latest start,
    # duration). A start is never before the window opens, so rules.window_allows comes down to the
    # latest start here.
    after = [[(b, tt[loc[a]][loc[b]], lo[b], hi[b], dur[b]) for b in range(n) if b != a] for a in range(n)]
    layer: dict[int, dict[int, tuple[int, int]]] = {}
    for i in range(n):
        s = max(lo[i], sl.start + home[i])
        if rules.window_allows(lo[i], hi[i], s):
            layer[1 << i] = {i: (s + dur[i], home[i])}
    minutes_of = {1 << i: dur[i] for i in range(n)}
    held, held_travel = 0, 0
    came_from: dict[tuple[int, int], int] = {}  # (subset, last) -> the visit before last
    final: tuple[int, int] | None = None
    while layer:
        grown: dict[int, dict[int, tuple[int, int]]] = {}
        for mask, labels in layer.items():
            minutes = minutes_of[mask]
            for last, (end, trav) in labels.items():
                if rules.back_in_time(end, back[last], sl.end) and (
                        minutes > held or (minutes == held and trav + back[last] < held_travel)):
                    held, held_travel = minutes, trav + back[last]
                    final = (mask, last)
                for nxt, leg, opens, latest, length in after[last]:
                    s = end + leg
                    if s > latest or mask >> nxt & 1:
                        continue
                    if s < opens:
                        s = opens
                    bigger = mask | 1 << nxt
                    new = (s + length, trav + leg)
                    at = grown.get(bigger)
                    if at is None:
                        grown[bigger] = {nxt: new}
                        minutes_of[bigger] = minutes + length
                    else:
                        old = at.get(nxt)
                        if old is not None and not new < old:
                            continue
                        at[nxt] = new
                    if route is not None:
                        came_from[(bigger, nxt)] = last
        layer = grown
    while route is not None and final is not None:
        mask, last = final
        route.insert(0, vs[last])
        final = (mask ^ 1 << last, came_from[final]) if mask & (mask - 1) else None
    return sum(dur) - held, held_travel


def core_carers(st: TeamState, free: Sequence[int], seed: int = 0, deadline: float | None = None,
                should_stop: Callable[[], bool] | None = None) -> dict[CitizenMonth, int]:
    """A core carer per citizen-month of the free single visits (a month no carer can take whole is
    left out): the citizens with most minutes first, each to the carer whose days it costs least,
    then the annealed moves above, stopped at `deadline` (time.monotonic()) if one is given: a
    step-counted run gives none and makes every move, unless `should_stop` (a cancelled job, the
    time limit reached) says otherwise: that cut only stops, it does not cool."""
    mp = MonthPlan(st, free)
    ix = st.ix
    order = sorted(mp.months, key=lambda j: (-sum(ix.visits[v].duration for v in mp.months[j]), j))
    for j in order:
        if not mp.able[j]:
            continue
        best_c, best_d = None, 0
        for c in mp.able[j]:
            pairs = mp.touched([j], [c])
            before = mp.cost_now(pairs)
            mp.give(j, c)
            d = mp.cost_of(pairs) - before
            mp.give(j, None)
            if best_c is None or d < best_d - 1e-9:
                best_c, best_d = c, d
        mp.give(j, best_c)
        if best_c is not None:
            mp.settle(mp.touched([j], [best_c]))
    rng = random.Random(seed)
    keys = sorted(j for j in mp.carer if len(mp.able[j]) > 1)
    if not keys:
        return dict(mp.carer)
    cost = mp.cost_now(set(mp.now))
    best, best_plan = cost, dict(mp.carer)
    steps = STEPS_PER_MONTH * len(keys)
    start, done = time.monotonic(), 0.0
    for i in range(steps):
        if should_stop is not None and i % CLOCK_EVERY == 0 and should_stop():
            break
        if deadline is not None and i % CLOCK_EVERY == 0:
            # A timed run cools by the clock too, so a search cut short still ends cold.
            now = time.monotonic()
            if now >= deadline:
                break
            done = (now - start) / max(1e-9, deadline - start)
        temperature = HOT * (COLD / HOT) ** max(i / steps, done)
        a = keys[rng.randrange(len(keys))]
        if rng.random() < 0.5:
            d = _try(mp, a, rng.choice(mp.able[a]), temperature, rng)
        else:
            d = _try(mp, a, keys[rng.randrange(len(keys))], temperature, rng)
        cost += d
        if cost < best - 1e-9:
            best, best_plan = cost, dict(mp.carer)
    return best_plan


def accepted(d: float, temperature: float, rng: random.Random) -> bool:
    """Simulated annealing's rule: a change that costs less is kept, one that costs more now and then."""
    return d < 1e-9 or rng.random() < math.exp(-d / temperature)


def _try(mp: MonthPlan, a: CitizenMonth, b: CitizenMonth | int, temperature: float,
         rng: random.Random) -> int:
    """Citizen-month a to carer b, or a and citizen-month b exchanged, kept by `accepted`; returns
    the change in cost (0 when undone)."""
    ca = mp.carer[a]
    if isinstance(b, int):
        if b == ca:
            return 0
        pairs = mp.touched([a], [ca, b])
        before = mp.cost_now(pairs)
        mp.give(a, b)
        d = mp.cost_of(pairs) - before
        if accepted(d, temperature, rng):
            mp.settle(pairs)
            return d
        mp.give(a, ca)
        return 0
    cb = mp.carer.get(b)
    if cb is None or ca == cb or cb not in mp.able[a] or ca not in mp.able[b]:
        return 0
    pairs = mp.touched([a, b], [ca, cb])
    before = mp.cost_now(pairs)
    mp.give(a, cb)
    mp.give(b, ca)
    d = mp.cost_of(pairs) - before
    if accepted(d, temperature, rng):
        mp.settle(pairs)
        return d
    mp.give(a, ca)
    mp.give(b, cb)
    return 0


def place_months_whole(st: TeamState) -> int:
    """After the first routes, each citizen-month with single visits left out: first its carer's day
    re-routed to hold the visit too (the programme's route, where the day's routing found none), then
    the whole month moved to another carer whose every day can hold it, or else moved there while a
    month of that carer's citizens goes to this citizen's carer (an exchange) or to a third carer. A
    change is kept where the plan costs less (placing a visit outweighs any travel); returns the
    visits placed."""
    ix = st.ix
    left: dict[CitizenMonth, list[int]] = {}
    for v in range(len(ix.visits)):
        if not st.slots_of[v] and ix.visits[v].carers == 1 and not st.fixed[v]:
            left.setdefault((ix.v_cit[v], ix.v_month[v]), []).append(v)
    placed = 0
    for (ci, mi), vs in sorted(left.items()):
        for v in vs:
            for c in sorted(st.met[ci][mi]):
                if _kept_if_cheaper(st, functools.partial(_route_in, st, c, ix.visits[v].day, [v])):
                    placed += 1
                    break
        still = [v for v in vs if not st.slots_of[v]]
        if not still:
            continue
        month = [v for v in range(len(ix.visits)) if ix.v_cit[v] == ci and ix.v_month[v] == mi
                 and ix.visits[v].carers == 1 and not st.fixed[v]]
        able = sorted(set.intersection(*(set(ix.eligible[v]) for v in month)) - set(st.met[ci][mi]))
        if any(_kept_if_cheaper(st, functools.partial(_months_to, st, [(month, c)])) for c in able):
            placed += len(still)
            continue
        # No carer has room for the month every day: one of that carer's months makes room, going to
        # this citizen's carer (an exchange) or to a third carer.
        mine = sorted(st.met[ci][mi])
        if len(mine) == 1:
            chains = ((other, c, z) for c in able for other in _months_of_carer(st, c, mi)
                      for z in [mine[0]] + [z for z in range(len(ix.carers)) if z not in (c, mine[0])]
                      if all(z in ix.eligible[v] for v in other))
            if any(_kept_if_cheaper(st, functools.partial(_months_to, st, [(month, c), (other, z)]))
                   for other, c, z in chains):
                placed += len(still)
    return placed


def _months_of_carer(st: TeamState, c: int, mi: int) -> list[list[int]]:
    """The single visits of each citizen whom carer c alone serves in month mi."""
    ix = st.ix
    out: dict[int, list[int]] = {}
    for v in range(len(ix.visits)):
        ci = ix.v_cit[v]
        if (ix.v_month[v] == mi and ix.visits[v].carers == 1 and not st.fixed[v]
                and set(st.met[ci][mi]) == {c}):
            out.setdefault(ci, []).append(v)
    return [vs for _, vs in sorted(out.items())]


def _kept_if_cheaper(st: TeamState, change: Callable[[], bool]) -> bool:
    """Make `change` under the undo journal; keep it where it succeeds and the plan costs less."""
    st.begin()
    if change() and st.delta() < -1e-9:
        st.commit()
        return True
    st.rollback()
    return False


def _months_to(st: TeamState, moves: list[tuple[list[int], int]]) -> bool:
    """Every visit of each citizen-month taken from its carers and given to the carer beside it,
    each day re-routed."""
    ix = st.ix
    for month, _ in moves:
        for v in month:
            if st.slots_of[v]:
                st.remove(v)
    for month, c in moves:
        for d in sorted({ix.visits[v].day for v in month}):
            if not _route_in(st, c, d, [v for v in month if ix.visits[v].day == d]):
                return False
    return all(st.cap_kept(ix.v_cit[month[0]], ix.v_month[month[0]]) for month, _ in moves)


def _route_in(st: TeamState, c: int, day: int, new: list[int]) -> bool:
    """Carer c's routes on `day` rebuilt in the programme's order to hold their visits and `new` too;
    False where they cannot (or a route has a double or fixed visit, or a break to keep)."""
    ix = st.ix
    if any(c not in ix.eligible[v] for v in new):
        return False
    slots = ix.slots_of_carer_day.get((c, day), ())
    have = [v for k in slots for v in st.routes[k]]
    if any(ix.visits[v].carers > 1 or st.fixed[v] for v in have) or any(
            ix.slots[k].pause is not None for k in slots):
        return False
    routes = held_routes(st, c, day, have + new)
    if routes is None:
        return False
    for v in have:
        st.remove(v)
    for k, order in routes.items():
        for v in order:
            vis = ix.visits[v]
            at = [o for o in st.options(v, k, vis.earliest, vis.latest) if o.pos == len(st.routes[k])]
            if not at:
                return False
            st.insert(v, at[:1], None, at[0].lo, at[0].hi)
    return all(st.slots_of[v] for v in have + new)
