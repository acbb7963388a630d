"""Large-neighbourhood search over one team's plan.

Each step frees part of the plan (a neighbourhood), re-places it, and keeps the change if the
plan got better (or only slightly worse, early on, to leave local optima). Neighbourhoods:

- `free_around_unplaced`: the visits overlapping an unplaced visit's window on its day, so
  the unplaced one can go first (half the time the freed visits that other carers could do go to
  them first, so the carers with the skill keep their time for it);
- `free_citizen_month`: all of one citizen's visits in a month, re-placed by picking a small
  core team of carers who can take most of them (continuity);
- `free_rare_carer`: the few visits a citizen gets from a carer seen only once or twice that
  month, re-placed with that carer banned;
- `swap_out_rare_carer`: the same visits exchanged with a visit at the same time of day in the
  route of a carer the citizen already meets (where re-placing finds that route full);
- `thin_crowded_citizen`: the citizen meeting most carers (Weights.many_from or more) loses the carer it
  sees least, by the same exchanges;
- `hand_over_far_citizen`: a carer who drives out of its way for a citizen (picked by the detour)
  hands that citizen's month to one of the carers whose routes pass closest to its home, by the
  same exchanges (travel: who serves whom, chosen with the map in view);
- `free_nearby_routes`: the routes of a few carers who work near each other on one day (travel);
- `resequence_routes` (solver/daymodel.py): the same, re-solved exactly with CP-SAT;
- `hand_back_new_face` (re-plans only): a carer the re-plan made new to a citizen hands its visits
  back to carers the citizen already meets (and `sweep_new_faces` at the end offers it to every one);
- `sweep_rare_carers`, every SWEEP_EVERY steps and at the end: swap_out_rare_carer's step offered
  to every rarely seen carer in turn, kept where it helps (a descent the random steps miss);
- `polish`, once at the end: every day's routes handed to the carers with the same hours who
  serve their citizens best, an exact assignment problem per day (solver/handover.py);
- `steady_rare_needs`, last (fresh plans): starts far from their need's usual time tried again,
  with needs weighed as their spread is judged and no new face for anyone.

Randomness comes only from `random.Random(seed)`, and choices never depend on wall time, so
with the same seed the same sequence of steps is made; the wall clock only decides when to
stop (set `SolveParams.max_iterations` for a plan that is identical on any machine).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from functools import partial

from solver import objective
from solver.construct import aim_for_least_spread, place_with_core_team, retarget_usual_times
from solver.daymodel import solve_day
from solver.dayrouting import day_routes, route_day
from solver.handover import hand_over_day
from solver.index import BASE
from solver.insertion import insertion_order, place
from solver.state import TeamState

REROUTE_WEIGHT = 0.5
# Seconds of guided local search per day re-route (0.5 before; solver/README.md, "Less time per day
# re-route": more steps in the same time, steadier times, a few more visits placed on district-l).
REROUTE_SECONDS = 0.3
FAR_WEIGHT = 2.0  # hand_over_far_citizen's starting weight among the steps (6: no less travel, more spread)
POLISH_SECONDS_PER_DAY = 0.02  # time kept back for the final hand-over pass
RETARGET_AT = (300, 1500, 5000)
# Every SWEEP_EVERY steps, and at the end, each carer a citizen sees at most SWEEP_VISITS times in a
# month is offered back to the carers it already meets (team-m, 900 steps, 6 seeds: mean faces 4.13 ->
# 3.88; at the end only: 4.06).
SWEEP_EVERY = 50
SWEEP_VISITS = 10
SWEEP_ROUNDS = 5
STRAY = 30  # minutes from the usual time from which the final steadying descent tries a start
STEADY_ROUNDS = 3  # ... while a round gains (one moved start can make room for another)
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
    st.recount_moved()


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
        # Only days with something that may move are worth a step (a re-plan fixes the rest).
        self.days = sorted(d for d, vs in self.visits_of_day.items() if any(not st.fixed[v] for v in vs))
        self.cp_size = 5
        self.cp_time = 0.4
        self.workers = 1
        self.exact_repeat = False
        self.route_time = REROUTE_SECONDS
        self.cms = sorted(key for key, vs in self.visits_of_cm.items() if any(not st.fixed[v] for v in vs))
        self.replanning = any(c is not None for c in st.current)
        # A re-plan's promise: no citizen meets a new face where a carer it already met could come.
        # The faces each citizen-month had before the re-plan: history, what stays, what was planned.
        self.faces_before: dict[tuple[int, int], set[int]] = {}
        if self.replanning:
            for (ci, mi), vs in self.visits_of_cm.items():
                seen = set(st.met_before[ci][mi])
                for v in vs:
                    cur = st.current[v]
                    seen |= cur if cur is not None else set()
                    if st.fixed[v]:
                        seen |= {ix.slots[k].carer for k in st.slots_of[v]}
                self.faces_before[(ci, mi)] = seen

    def movable(self, v: int) -> bool:
        return not self.st.fixed[v]

    def unplaced(self) -> list[int]:
        st = self.st
        return [v for v in range(len(st.ix.visits)) if not st.slots_of[v] and self.movable(v)
                and len(st.ix.eligible[v]) >= st.ix.visits[v].carers]

    # ---- neighbourhoods: each frees visits and re-places them -----------------------------
    def free_around_unplaced(self, spare_first: bool | None = None) -> bool:
        """An unplaced visit goes in first after the visits around its time are freed. With
        `spare_first` (by default half the time), a freed visit that other carers could do goes to
        them first: the carers who can take the unplaced one (a skill, an evening peak) keep their
        time for what only they can do. Without it, a freed visit's citizen pulls it back to the
        carer it already meets, which may fill the very gap the next freed visit needed."""
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
        if spare_first is None:
            spare_first = self.rng.random() < 0.5
        spare = frozenset(elig) if spare_first else frozenset()
        for u in order:
            elsewhere = bool(spare) and u != v and bool(set(ix.eligible[u]) - spare)
            if not (elsewhere and place(st, u, spare)):
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

    def swap_out_rare_carer(self) -> bool:
        """A carer seen only a few times by a citizen hands those visits to a carer the citizen
        already meets, taking in exchange a visit at the same time of day from that carer's route
        (an exchange makes room where freeing and re-placing finds the routes full)."""
        st = self.st
        cands = [(ci, mi, c) for ci, mi in self.cms for c, n in sorted(st.met[ci][mi].items())
                 if n <= 3 and len(st.met[ci][mi]) > 1]
        if not cands:
            return False
        return self._hand_back(*cands[self.rng.randrange(len(cands))])

    def hand_back_new_face(self) -> bool:
        """(Re-plans) a carer the re-plan made new to a citizen hands its visits to carers the citizen
        already meets, if their routes have room."""
        cands = self._new_faces()
        if not cands:
            return False
        return self._hand_back(*cands[self.rng.randrange(len(cands))])

    def _new_faces(self) -> list[tuple[int, int, int]]:
        """(citizen, month, carer) for each carer the re-plan made new to a citizen."""
        st = self.st
        return [(ci, mi, c) for ci, mi in self.cms for c in sorted(st.met[ci][mi])
                if c not in self.faces_before.get((ci, mi), {c})]

    def thin_crowded_citizen(self) -> bool:
        """The citizen who meets most carers this month loses the carer it sees least, by the same
        exchanges (the maximum is a target of its own, not only the mean)."""
        st = self.st
        if self.replanning:
            return False  # a re-plan moves what the changes force, not other citizens' visits
        most = max(st.distinct(ci, mi) for ci, mi in self.cms)
        if most < st.weights.many_from:
            return False
        crowded = [(ci, mi) for ci, mi in self.cms if st.distinct(ci, mi) == most and st.met[ci][mi]]
        if not crowded:
            return False
        ci, mi = crowded[self.rng.randrange(len(crowded))]
        t = min(sorted(st.met[ci][mi]), key=lambda c: st.met[ci][mi][c])
        return self._hand_back(ci, mi, t)

    def hand_over_far_citizen(self) -> bool:
        """A carer who drives out of its way for one citizen hands that citizen's visits this month
        to a carer whose routes pass close by, by the same exchanges as the rare carers': who serves
        whom chosen with the map in view (the extra travel is there, not in the order of a route).
        Not a re-plan's step (its weight is 0 there): a re-plan moves only what the changes force."""
        st, ix = self.st, self.st.ix
        tt, loc = ix.tt, ix.v_loc
        detour: dict[tuple[int, int, int], int] = {}
        for k, seq in enumerate(st.routes):
            if not seq:
                continue
            c = ix.slots[k].carer
            here = [BASE] + [loc[v] for v in seq] + [BASE]
            for i, v in enumerate(seq):
                if ix.visits[v].carers > 1 or not self.movable(v):
                    continue
                a, x, b = here[i], here[i + 1], here[i + 2]
                key = (ix.v_cit[v], ix.v_month[v], c)
                detour[key] = detour.get(key, 0) + tt[a][x] + tt[x][b] - tt[a][b]
        far = sorted(key for key, d in detour.items() if d > 0)
        if not far:
            return False
        ci, mi, t = self.rng.choices(far, weights=[detour[key] for key in far])[0]
        vs = [v for v in self.visits_of_cm[(ci, mi)] if ix.visits[v].carers == 1
              and any(ix.slots[k].carer == t for k in st.slots_of[v])]
        x = loc[vs[0]]  # the citizen's home

        def passes_by(c: int) -> float:
            """How far c's routes on those days pass from the citizen's home (nearest visit); c must
            be able to take every one of them, or the citizen would meet one more face. (Letting a
            carer it already meets take only the days it works: more travel on team-m.)"""
            near = []
            for v in vs:
                day = ix.visits[v].day
                route = [u for k in ix.slots_of_carer_day.get((c, day), ()) for u in st.routes[k]]
                if not route or c not in ix.eligible[v]:
                    return float("inf")
                near.append(min(tt[x][loc[u]] for u in route))
            return sum(near) / len(near)

        closest = sorted((passes_by(c), c) for c in range(len(ix.carers)) if c != t)
        choices = [c for d, c in closest[:3] if d < float("inf")]
        if not choices:
            return False
        return self._hand_back(ci, mi, t, to=choices[self.rng.randrange(len(choices))])

    def _hand_back(self, ci: int, mi: int, t: int, to: int | None = None) -> bool:
        """Move citizen ci's visits in month mi away from carer t to carers it already meets (or to
        carer `to`)."""
        st, ix = self.st, self.st.ix
        attended = [v for v in self.visits_of_cm[(ci, mi)] if self.movable(v)
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
            self.rng.shuffle(others)
            st.remove(v)
            if not self._to_one_of(v, t, others):
                place(st, v, self._only(t)) or place(st, v)
        return True

    def _to_one_of(self, v: int, t: int, others: list[int]) -> bool:
        """Visit v (just taken from carer t) goes to the first of `others` with room, or else in
        exchange for a visit of theirs at the same time of day that t takes; False if none can."""
        st, ix, only = self.st, self.st.ix, self._only
        if any(place(st, v, only(c)) for c in others):
            return True
        day = ix.visits[v].day
        for c in others:
            for k in ix.slots_of_carer_day.get((c, day), ()):
                for u in list(st.routes[k]):
                    if not self._exchangeable(u, v, t):
                        continue
                    st.remove(u)
                    if place(st, v, only(c)):
                        if place(st, u, only(t)):
                            return True
                        st.remove(v)
                    place(st, u, only(c))  # back where it was: its old place is free again
        return False

    def _only(self, c: int) -> frozenset[int]:
        return frozenset(x for x in range(len(self.st.ix.carers)) if x != c)

    def _exchangeable(self, u: int, v: int, t: int) -> bool:
        """Whether carer t could take u in exchange for v: same time of day, allowed, a single visit."""
        st, ix = self.st, self.st.ix
        a, b = ix.visits[u], ix.visits[v]
        return (u != v and self.movable(u) and a.carers == 1 and t in ix.eligible[u]
                and st.face_allowed(u, t) and a.earliest <= b.latest + b.duration
                and b.earliest <= a.latest + a.duration)

    def _keep_if_better(self, step: Callable[[], bool]) -> float:
        """Make one change; keep it only if the plan got better. Returns the change (0 if undone)."""
        st = self.st
        st.begin()
        d = st.delta() if step() else 0.0
        if d < -1e-9:
            st.commit()
            return d
        st.rollback()
        return 0.0

    def polish(self) -> float:
        """Every day's routes handed over once more, kept where it helps; returns the change."""
        return sum(self._keep_if_better(partial(hand_over_day, self.st, day)) for day in self.days)

    def sweep_rare_carers(self) -> float:
        """Every carer a citizen sees at most SWEEP_VISITS times in a month, in turn, hands those visits
        back to carers the citizen already meets (swap_out_rare_carer's step, tried on each one rather
        than at random); kept where the plan gets better, for up to SWEEP_ROUNDS rounds while any
        round gains. Returns the change."""
        st, total = self.st, 0.0
        for _ in range(SWEEP_ROUNDS):
            cands = [(ci, mi, c) for ci, mi in self.cms for c, n in sorted(st.met[ci][mi].items())
                     if n <= SWEEP_VISITS and len(st.met[ci][mi]) > 1]
            gain = sum(self._keep_if_better(partial(self._hand_back, ci, mi, c))
                       for ci, mi, c in cands if c in st.met[ci][mi])
            total += gain
            if gain > -1e-9:
                break
        return total

    def sweep_new_faces(self) -> float:
        """(Re-plans) the promise that no citizen meets a new face where a carer it already met could
        come: every carer the re-plan made new to a citizen, in turn, hands its visits back to carers
        the citizen already meets (hand_back_new_face's step, tried on each rather than at random: a
        one-day re-plan makes too few steps to draw them all). Kept where the face is gone with no
        visit left out, no other new face and no move beyond the budget, even if a start moves or
        travel grows: the moved start's price would otherwise outweigh the face (team-m's
        "longer" day: +890). Returns the change in cost."""
        st = self.st

        def faces() -> int:
            return sum(st.distinct(a, b) for a, b in self.cms)

        total = 0.0
        for ci, mi, c in self._new_faces():
            if c not in st.met[ci][mi]:
                continue  # an earlier hand-back took it away already
            unplaced, before, moved = len(self.unplaced()), faces(), st.moved
            st.begin()
            changed = self._hand_back(ci, mi, c)
            d = st.delta() if changed else 0.0
            kept = (changed and c not in st.met[ci][mi] and len(self.unplaced()) <= unplaced
                    and faces() < before
                    and st.over_budget_cost(st.moved_after_delta()) <= st.over_budget_cost(moved))
            if kept:
                st.commit()
                total += d
            else:
                st.rollback()
        return total

    def steady_rare_needs(self) -> float:
        """Starts far from their need's usual time move nearer, with carers the citizens already
        meet, where the plan gets better with needs weighed as the spread is judged (time_weights:
        one stray start of a weekly need counts as much as several of a daily one). No citizen
        meets a new face for it. Returns the change at those weights.

        Only at the end: weighed so during the search, the rare needs' visits lose the freedom that
        continuity is built with (team-m, 60 s, 6 seeds: 0.1 more faces per citizen-month)."""
        st, ix = self.st, self.st.ix
        usual = st.w_time
        st.w_time = objective.time_weights(ix.v_need, ix.n_needs, st.weights)
        total = 0.0
        moved = [0, 0]  # by re-placing, by exchange
        try:
            for _ in range(STEADY_ROUNDS):
                gain = 0.0
                for v in self._stray_starts():
                    d = self._keep_if_better(partial(self._steady_within, v))
                    moved[0] += d < 0
                    if not d:
                        d = self._keep_if_better(partial(self._steady_by_exchange, v))
                        moved[1] += d < 0
                    gain += d
                total += gain
                if not gain:
                    break
        finally:
            st.w_time = usual
        st.search_log["steadied"] = {"re-placed": moved[0], "exchanged": moved[1]}
        return total

    def _no_new_face(self) -> bool:
        """Whether the open change left every citizen-month with no more carers than before it."""
        st = self.st
        assert st.journal is not None
        return all(len(st.met[ci][mi]) <= len(old) for (ci, mi), (old, _) in st.journal.met.items())

    def _stray_starts(self) -> list[int]:
        """Movable single visits of needs weighed above a daily need whose start is STRAY minutes or more
        from the usual time, farthest first (called while the descent's weights are in st.w_time)."""
        st, ix = self.st, self.st.ix
        weights = st.w_time
        out: list[tuple[int, int]] = []
        for k in range(len(ix.slots)):
            if not st.routes[k]:
                continue
            for v, s in zip(st.routes[k], st.schedule_route(k), strict=True):
                n = ix.v_need[v]
                t = st.target[n]
                if (t is not None and weights[n] > st.weights.time and abs(s - t) >= STRAY
                        and ix.visits[v].carers == 1 and self.movable(v)):
                    out.append((-abs(s - t), v))
        return [v for _, v in sorted(out)]

    def _steady_within(self, v: int) -> bool:
        """v placed afresh with a carer its citizen already meets (its own too, at a better minute)."""
        st, ix = self.st, self.st.ix
        met = set(st.met[ix.v_cit[v]][ix.v_month[v]])
        st.remove(v)
        others = frozenset(c for c in range(len(ix.carers)) if c not in met)
        return place(st, v, others) and self._no_new_face()

    def _steady_by_exchange(self, v: int) -> bool:
        """v goes to another carer its citizen meets, in exchange for a visit at the same time of day."""
        st, ix = self.st, self.st.ix
        t = ix.slots[st.slots_of[v][0]].carer
        others = [c for c in sorted(st.met[ix.v_cit[v]][ix.v_month[v]]) if c != t and c in ix.eligible[v]]
        st.remove(v)
        return self._to_one_of(v, t, others) and self._no_new_face()

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


    def reroute_day(self) -> bool:
        """One whole day re-routed by OR-Tools routing, every other day fixed (continuity and
        usual times priced against the rest of the month), starting from the day's routes."""
        st, ix = self.st, self.st.ix
        day = self.days[self.rng.randrange(len(self.days))]
        slots = ix.slots_of_day.get(day, [])
        if any(st.fixed[v] for k in slots for v in st.routes[k]):
            return False  # routing plans empty shifts only
        visits = [v for v in self.visits_of_day[day] if not st.fixed[v]]
        # Guided local search makes the most of its time from the routes as they stand. Afresh: when
        # a visit of the day is left out (a new cheapest insertion is a way to find it room), and
        # in a step-counted search, whose greedy descent would stop close to the routes (solver/README.md).
        afresh = self.exact_repeat or any(not st.slots_of[v] for v in visits)
        before = None if afresh else day_routes(st, slots)
        for v in visits:
            if st.slots_of[v]:
                st.remove(v)
        left = route_day(st, day, visits, self.route_time, exact_repeat=self.exact_repeat,
                         steady_times=True, start_from=before)
        for v in insertion_order(st, left):
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


def _guarded(st: TeamState, finish: Callable[[], float]) -> float | None:
    """Run a descent; on failure undo its open change, log it and return None (the plan stands:
    every earlier change was kept or undone whole)."""
    try:
        return finish()
    except Exception as e:  # noqa: BLE001 - as for a search step: keep the plan found so far
        if st.journal is not None:
            st.rollback()
        st.search_log["error"] = f"{finish.__name__}: {type(e).__name__}: {e}"
        return None


def improve_team(st: TeamState, budget: float, seed: int, stop: Callable[[], bool],
                 progress: Callable[[float, float], None], max_iterations: int | None = None,
                 workers: int = 1, retarget: bool = False) -> float:
    """Spend `budget` seconds (or `max_iterations` steps) improving st; returns its cost."""
    t0 = time.monotonic()
    search = Search(st, seed)
    if not search.days:
        progress(st.total_cost(), 1.0)
        return st.total_cost()
    search.workers = workers
    search.exact_repeat = max_iterations is not None
    rng = search.rng
    st.recount_moved()  # the first plan was built outside the journal
    current = st.total_cost()
    best, best_snap = current, snapshot(st)
    moves = [search.free_around_unplaced, search.free_citizen_month, search.free_rare_carer,
             search.free_nearby_routes, search.resequence_routes, search.reroute_day,
             search.swap_out_rare_carer, search.thin_crowded_citizen, search.hand_back_new_face,
             search.hand_over_far_citizen]
    weights = [4.0, 3.0, 2.0, 3.0, 0.3, REROUTE_WEIGHT, 2.0, 1.0, 4.0 if search.replanning else 0.0,
               0.0 if search.replanning else FAR_WEIGHT]
    it = 0
    last_report = 0.0
    tried = [0] * len(moves)
    gained = [0.0] * len(moves)
    while True:
        elapsed = time.monotonic() - t0
        if max_iterations is not None and it >= max_iterations:
            break
        if elapsed >= budget - POLISH_SECONDS_PER_DAY * len(search.days):
            break  # the final hand-over pass runs inside the budget too
        if stop():
            break
        it += 1
        if retarget and it in RETARGET_AT:
            # Usual times follow the routes as they improve (deterministic: by step count).
            retarget_usual_times(st)
            current = st.total_cost()
            if current < best - 1e-9 or it == RETARGET_AT[0]:
                best, best_snap = current, snapshot(st)
        if it % SWEEP_EVERY == 0:
            # A descent over every rare carer now and then: the random steps leave some behind.
            gain = _guarded(st, search.sweep_rare_carers)
            if gain is None:
                break
            current += gain
            if current < best - 1e-9:
                best, best_snap = current, snapshot(st)
        i = rng.choices(range(len(moves)), weights=weights)[0]
        st.begin()
        try:
            changed = moves[i]()
            d = st.delta() if changed else 0.0
        except Exception as e:  # noqa: BLE001 - a failed step must not cost the plan found so far
            st.rollback()
            st.search_log["error"] = f"{moves[i].__name__}: {type(e).__name__}: {e}"
            break
        if not changed:
            st.rollback()
            weights[i] = max(0.2, weights[i] * 0.9)
            continue
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
            # A step-counted run's share of its work is its share of the steps, not of the clock.
            done = it / max_iterations if max_iterations else elapsed / budget if budget > 0 else 1.0
            progress(best, min(1.0, done))
    if current > best + 1e-9:
        restore(st, best_snap)
    # Routes a search step swapped between carers for nothing go back (a re-plan's disturbance);
    # then one more descent over the rarely seen carers.
    if _guarded(st, search.polish) is not None:
        _guarded(st, search.sweep_rare_carers)
    if search.replanning:
        _guarded(st, search.sweep_new_faces)
    if retarget:
        retarget_usual_times(st)  # routes are final: aim each need where its visits fit best
        _guarded(st, search.steady_rare_needs)
        aim_for_least_spread(st)
    st.search_log.update({"iterations": it, "tried": tried, "gained": [round(g) for g in gained]})
    progress(best, 1.0)
    return st.total_cost()
