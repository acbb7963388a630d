"""Large-neighbourhood search over one team's plan.

Each step frees part of the plan (a neighbourhood), re-places it, and keeps the change if the
plan got better (or only slightly worse, early on, to leave local optima). Neighbourhoods:

- `free_around_unplaced`: the visits overlapping an unplaced visit's window on its day, so
  the unplaced one can go first;
- `free_citizen_month`: all of one citizen's visits in a month, re-placed by picking a small
  core team of carers who can take most of them (continuity);
- `free_rare_carer`: the few visits a citizen gets from a carer seen only once or twice that
  month, re-placed with that carer banned;
- `free_nearby_routes`: the routes of a few carers who work near each other on one day (travel);
- `resequence_routes` (solver/daymodel.py): the same, re-solved exactly with CP-SAT.

Randomness comes only from `random.Random(seed)`, and choices never depend on wall time, so
with the same seed the same sequence of steps is made; the wall clock only decides when to
stop (set `SolveParams.max_iterations` for a plan that is identical on any machine).
"""

from __future__ import annotations

import random
from collections.abc import Callable

from solver.construct import insertion_order, place, place_with_core_team
from solver.state import TeamState

Snapshot = tuple[list[list[int]], list[int], list[int], list[list[int]], list[list[dict[int, int]]]]


def snapshot(st: TeamState) -> Snapshot:
    return ([list(r) for r in st.routes], list(st.lo), list(st.hi), [list(s) for s in st.slots_of],
            [[dict(m) for m in row] for row in st.met])


def restore(st: TeamState, snap: Snapshot) -> None:
    routes, lo, hi, slots_of, met = snap
    st.routes = [list(r) for r in routes]
    st.lo, st.hi = list(lo), list(hi)
    st.slots_of = [list(s) for s in slots_of]
    st.met = [[dict(m) for m in row] for row in met]
    st._times.clear()


class Search:
    def __init__(self, st: TeamState, seed: int) -> None:
        self.st = st
        self.rng = random.Random(seed)
        ix = st.ix
        self.visits_of_day: dict[int, list[int]] = {}
        self.visits_of_cm: dict[tuple[int, int], list[int]] = {}
        for v, vis in enumerate(ix.visits):
            self.visits_of_day.setdefault(vis.day, []).append(v)
            self.visits_of_cm.setdefault((ix.v_cit[v], ix.v_month[v]), []).append(v)
        self.days = sorted(self.visits_of_day)
        self.cp_size = 5
        self.cp_time = 0.4
        self.workers = 1
        self.exact_repeat = False
        self.cms = sorted(self.visits_of_cm)

    def movable(self, v: int) -> bool:
        return not self.st.fixed[v]

    def unplaced(self) -> list[int]:
        st = self.st
        return [v for v in range(len(st.ix.visits)) if not st.slots_of[v] and self.movable(v)
                and len(st.ix.eligible[v]) >= st.ix.visits[v].carers]

    # ---- neighbourhoods: each frees visits and re-places them -----------------------------
    def free_around_unplaced(self) -> bool:
        st, ix = self.st, self.st.ix
        todo = self.unplaced()
        if not todo:
            return False
        v = todo[self.rng.randrange(len(todo))]
        vis = ix.visits[v]
        margin = self.rng.choice((30, 60, 120))
        lo, hi = vis.earliest - margin, vis.latest + vis.duration + margin
        elig = set(ix.eligible[v])
        freed = []
        for k in ix.slots_of_day.get(vis.day, []):
            if ix.slots[k].carer not in elig:
                continue
            for u in st.routes[k]:
                if self.movable(u) and u not in freed and st.hi[u] + st.dur[u] >= lo and st.lo[u] <= hi:
                    freed.append(u)
        self.rng.shuffle(freed)
        freed = freed[:30]
        for u in freed:
            st.remove(u)
        others = [u for u in self.unplaced() if ix.visits[u].day == vis.day and u != v]
        order = [v] + insertion_order(st, sorted(set(freed) | set(others)))
        for u in order:
            place(st, u)
        return True

    def free_citizen_month(self) -> bool:
        st = self.st
        # Citizens with many faces are picked more often.
        weights = [st.distinct(ci, mi) ** 2 for ci, mi in self.cms]
        ci, mi = self.rng.choices(self.cms, weights=weights)[0] if sum(weights) else self.cms[0]
        vs = [v for v in self.visits_of_cm[(ci, mi)] if self.movable(v) and st.slots_of[v]]
        if not vs:
            return False
        for v in vs:
            st.remove(v)
        self._core_team_repair(vs)
        return True

    def _core_team_repair(self, vs: list[int]) -> None:
        place_with_core_team(self.st, vs, self.rng.random() * 30)

    def free_rare_carer(self) -> bool:
        st, ix = self.st, self.st.ix
        cands = []
        for ci, mi in self.cms:
            m = st.met[ci][mi]
            for c, n in sorted(m.items()):
                if n <= 3 and len(m) > 1:
                    cands.append((ci, mi, c))
        if not cands:
            return False
        ci, mi, c = cands[self.rng.randrange(len(cands))]
        vs = [v for v in self.visits_of_cm[(ci, mi)] if self.movable(v)
              and any(ix.slots[k].carer == c for k in st.slots_of[v])]
        if not vs:
            return False
        for v in vs:
            st.remove(v)
        for v in insertion_order(st, vs):
            if not place(st, v, frozenset((c,))):
                place(st, v)
        return True

    def free_nearby_routes(self) -> bool:
        st, ix = self.st, self.st.ix
        day = self.days[self.rng.randrange(len(self.days))]
        busy = [k for k in ix.slots_of_day.get(day, []) if st.routes[k]]
        if not busy:
            return False
        k0 = busy[self.rng.randrange(len(busy))]
        locs0 = {ix.v_loc[v] for v in st.routes[k0]}

        def closeness(k: int) -> int:
            return min(ix.tt[a][ix.v_loc[v]] for a in locs0 for v in st.routes[k])

        others = sorted((k for k in busy if k != k0), key=lambda k: (closeness(k), k))
        chosen = [k0] + others[: self.rng.randint(1, 3)]
        freed = sorted({v for k in chosen for v in st.routes[k] if self.movable(v)})
        freed += [v for v in self.unplaced() if ix.visits[v].day == day and v not in freed]
        for v in freed:
            if st.slots_of[v]:
                st.remove(v)
        order = insertion_order(st, freed)
        if self.rng.random() < 0.5:
            self.rng.shuffle(order)
            order.sort(key=lambda v: -ix.visits[v].carers)
        for v in order:
            place(st, v)
        return True


    def neighbourhood_slots(self, day: int, k0: int, size: int) -> list[int]:
        """k0 and the shifts that day whose routes pass closest to k0's, plus double-visit partners."""
        st, ix = self.st, self.st.ix
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

    def resequence_routes(self) -> bool:
        """A few carers' shifts on one day, re-solved exactly with CP-SAT (solver/daymodel.py)."""
        from solver.daymodel import solve_day

        st, ix = self.st, self.st.ix
        todo = self.unplaced()
        if todo and self.rng.random() < 0.5:
            v = todo[self.rng.randrange(len(todo))]
            day = ix.visits[v].day
            cands = [k for k in ix.slots_of_day.get(day, []) if ix.slots[k].carer in ix.eligible[v]]
        else:
            day = self.days[self.rng.randrange(len(self.days))]
            cands = [k for k in ix.slots_of_day.get(day, []) if st.routes[k]]
        if not cands:
            return False
        k0 = cands[self.rng.randrange(len(cands))]
        slots = self.neighbourhood_slots(day, k0, self.rng.randint(3, self.cp_size))
        carers = {ix.slots[k].carer for k in slots}
        visits = sorted({v for k in slots for v in st.routes[k]}
                        | {v for v in self.unplaced() if ix.visits[v].day == day
                           and carers & set(ix.eligible[v])})
        if not visits:
            return False
        return solve_day(st, day, slots, visits, self.rng.randrange(1 << 30), self.workers, self.cp_time,
                         exact_repeat=self.exact_repeat)


def relabel_sweep(st: TeamState, days: list[int]) -> float:
    """Carers trade whole routes on a day when that means fewer new faces (travel stays the same
    for carers of one base). Every improving trade is kept; returns the total gain."""
    ix = st.ix
    gain = 0.0
    for day in days:
        slots = ix.slots_of_day.get(day, [])
        for i, k1 in enumerate(slots):
            for k2 in slots[i + 1:]:
                if not (st.routes[k1] or st.routes[k2]) or not st.can_swap(k1, k2):
                    continue
                st.begin()
                ok = st.swap(k1, k2) and not st.over_cap(st.routes[k1] + st.routes[k2])
                d = st.delta() if ok else 0.0
                if ok and d < -1e-9:
                    st.commit()
                    gain += d
                else:
                    st.rollback()
    return gain


def improve_team(st: TeamState, budget: float, seed: int, stop: Callable[[], bool],
                 progress: Callable[[float, float], None], max_iterations: int | None = None,
                 workers: int = 1) -> float:
    """Spend `budget` seconds (or `max_iterations` steps) improving st; returns its cost."""
    import time

    t0 = time.monotonic()
    search = Search(st, seed)
    search.workers = workers
    search.exact_repeat = max_iterations is not None
    rng = search.rng
    current = st.total_cost()
    best, best_snap = current, snapshot(st)
    moves = [search.free_around_unplaced, search.free_citizen_month, search.free_rare_carer,
             search.free_nearby_routes, search.resequence_routes]
    weights = [4.0, 3.0, 2.0, 3.0, 0.3]
    it = 0
    last_report = 0.0
    tried = [0] * len(moves)
    gained = [0.0] * len(moves)
    while True:
        elapsed = time.monotonic() - t0
        if max_iterations is not None and it >= max_iterations:
            break
        if elapsed >= budget:
            break
        if it % 16 == 0 and stop():
            break
        it += 1
        i = rng.choices(range(len(moves)), weights=weights)[0]
        st.begin()
        if not moves[i]():
            st.rollback()
            weights[i] = max(0.2, weights[i] * 0.9)
            continue
        d = st.delta()
        tried[i] += 1
        temperature = 20.0 * (0.998 ** it)
        if d < -1e-9 or (d < temperature * rng.random()):
            st.commit()
            current += d
            gained[i] += d
            if d < -1e-9:
                weights[i] = min(10.0, weights[i] * 1.05)
            if current < best - 1e-9:
                best, best_snap = current, snapshot(st)
        else:
            st.rollback()
            weights[i] = max(0.2, weights[i] * 0.995)
        if elapsed - last_report > 0.5:
            last_report = elapsed
            progress(best, min(1.0, elapsed / budget) if budget > 0 else 1.0)
    if current > best + 1e-9:
        restore(st, best_snap)
    st.search_log = {"iterations": it, "tried": tried, "gained": [round(g) for g in gained]}
    progress(best, 1.0)
    return st.total_cost()
