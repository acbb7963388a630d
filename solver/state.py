"""A team's plan while it is being built: one route per carer shift, with flexible start times.

A route is the ordered list of visits one carer makes in one shift. Each visit keeps a window
[lo, hi] for its start (its own window, narrowed around the need's usual time, or a single
minute for a double visit, whose two carers must start together, and for visits that may not
move). Earliest (forward) and latest (backward) start times per route make an insertion test
O(1) per position, and `schedule` turns routes into start times near each need's usual time.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from solver import objective, rules
from solver.index import BASE, TeamIndex

NARROW = 20  # minutes either side of the usual time a visit is first tried in


@dataclass(slots=True)
class Journal:
    routes: dict[int, tuple[list[int], float]] = field(default_factory=dict)
    visits: dict[int, tuple[int, int, list[int], float]] = field(default_factory=dict)
    met: dict[tuple[int, int], tuple[dict[int, int], float]] = field(default_factory=dict)
    starts: dict[int, dict[int, int]] = field(default_factory=dict)  # re-plans: a route's starts before


@dataclass(slots=True)
class Option:
    """A feasible place for a visit in one route: start interval [lo, hi] at position `pos`."""

    slot: int
    pos: int
    lo: int
    hi: int
    dtravel: int


class TeamState:
    def __init__(self, ix: TeamIndex, cap: int, met_before: list[list[set[int]]],
                 weights: objective.Weights = objective.WEIGHTS) -> None:
        self.ix = ix
        self.cap = cap
        self.weights = weights
        n = len(ix.visits)
        self.routes: list[list[int]] = [[] for _ in ix.slots]
        self.lo = [v.earliest for v in ix.visits]
        self.hi = [v.latest for v in ix.visits]
        self.dur = [v.duration for v in ix.visits]
        self.slots_of: list[list[int]] = [[] for _ in range(n)]  # visit -> slots attending it
        self.fixed = [False] * n  # pinned, or kept from the current plan: never moves
        self.fixed_start: list[int | None] = [None] * n
        self.target: list[int | None] = [None] * ix.n_needs
        # A minute off the usual time, per need: the daily need's weight while the search looks for
        # faces; the final steadying descent weighs needs with few visits more.
        self.w_time = [weights.time] * ix.n_needs
        # Re-planning: the carers the current plan gives a visit that may move (None: no opinion).
        self.current: list[frozenset[int] | None] = [None] * n
        self.current_start: list[int | None] = [None] * n
        # Re-planning moves visits the changes did not touch only to place others, and no more of them
        # than `move_budget` (None outside re-plans); `moved` counts them (see recount_moved).
        self.move_budget: int | None = None
        self.moved = 0
        self._moved_pending: tuple[Journal, int] | None = None  # delta's count, reused by commit
        # met[citizen][month] -> {carer: visits}; met_before[citizen][month] carers are free
        n_months = len(ix.months)
        self.met: list[list[dict[int, int]]] = [[{} for _ in range(n_months)] for _ in ix.citizens]
        self.met_before = met_before
        self._times: dict[int, tuple[list[int], list[int]] | None] = {}
        # Undo journal of the neighbourhood search: first-touch copies of what a move changes,
        # with their cost at that moment, so a rejected move is undone and a delta is cheap.
        self.journal: Journal | None = None
        self.search_log: dict[str, object] = {}

    # ---- route timing -------------------------------------------------------------------
    def times(self, k: int) -> tuple[list[int], list[int]] | None:
        """(earliest starts, latest starts) along route k, or None if it is infeasible."""
        if k in self._times:
            return self._times[k]
        ix, sl, seq = self.ix, self.ix.slots[k], self.routes[k]
        tt, loc = ix.tt, ix.v_loc
        est: list[int] = []
        t, here = sl.start, BASE
        res: tuple[list[int], list[int]] | None = None
        ok = True
        for v in seq:
            s = max(self.lo[v], t + tt[here][loc[v]])
            if s > self.hi[v]:
                ok = False
                break
            est.append(s)
            t, here = s + self.dur[v], loc[v]
        if ok and t + tt[here][BASE] <= sl.end:
            lst = [0] * len(seq)
            t, here = sl.end, BASE
            for i in range(len(seq) - 1, -1, -1):
                v = seq[i]
                s = min(self.hi[v], t - tt[loc[v]][here] - self.dur[v])
                lst[i] = s
                t, here = s, loc[v]
            res = (est, lst)
        self._times[k] = res
        return res

    def options(self, v: int, k: int, lo: int, hi: int) -> list[Option]:
        """Every position in route k where visit v can start within [lo, hi]."""
        tm = self.times(k)
        if tm is None:
            return []
        est, lst = tm
        ix, sl, seq = self.ix, self.ix.slots[k], self.routes[k]
        tt, loc = ix.tt, ix.v_loc
        lv, d = loc[v], self.dur[v]
        out = []
        n = len(seq)
        for p in range(n + 1):
            if p == 0:
                prev_end, prev_loc = sl.start, BASE
            else:
                u = seq[p - 1]
                prev_end, prev_loc = est[p - 1] + self.dur[u], loc[u]
            if prev_end > hi:
                break  # every later position ends its predecessor later still
            a = max(lo, prev_end + tt[prev_loc][lv])
            if a > hi:
                continue
            if p == n:
                next_loc = BASE
                b = min(hi, sl.end - tt[lv][BASE] - d)
            else:
                w = seq[p]
                next_loc = loc[w]
                b = min(hi, lst[p] - tt[lv][next_loc] - d)
            if a <= b:
                out.append(Option(k, p, a, b, tt[prev_loc][lv] + tt[lv][next_loc] - tt[prev_loc][next_loc]))
        return out

    # ---- changes ------------------------------------------------------------------------
    def insert(self, v: int, opts: list[Option], start: int | None, lo: int, hi: int) -> None:
        """Put v in each option's route; `start` fixes the minute (double visits, kept visits)."""
        if self.journal is not None:
            self._note_visit(v)
            for o in opts:
                self._note_slot(o.slot)
            self._note_met(v)
        if start is not None:
            self.lo[v] = self.hi[v] = start
        else:
            self.lo[v], self.hi[v] = lo, hi
        ix = self.ix
        for o in opts:
            self.routes[o.slot].insert(o.pos, v)
            self._times.pop(o.slot, None)
            self.slots_of[v].append(o.slot)
            c = ix.slots[o.slot].carer
            m = self.met[ix.v_cit[v]][ix.v_month[v]]
            m[c] = m.get(c, 0) + 1

    def remove(self, v: int) -> None:
        ix = self.ix
        if self.journal is not None:
            self._note_visit(v)
            for k in self.slots_of[v]:
                self._note_slot(k)
            self._note_met(v)
        for k in self.slots_of[v]:
            self.routes[k].remove(v)
            self._times.pop(k, None)
            c = ix.slots[k].carer
            m = self.met[ix.v_cit[v]][ix.v_month[v]]
            m[c] -= 1
            if m[c] == 0:
                del m[c]
        self.slots_of[v] = []
        vis = ix.visits[v]
        self.lo[v], self.hi[v] = vis.earliest, vis.latest

    def hand_over_routes(self, moves: dict[int, int]) -> None:
        """Give whole routes to other shifts of the same day: the route of slot k goes to moves[k].

        Sequences and start windows stay as they are, so travel does not change; the caller has
        checked that each route fits its new shift and carer (solver/handover.py).
        """
        ix = self.ix
        old = {k: self.routes[k] for k in moves}
        touched = set(moves) | set(moves.values())
        if self.journal is not None:
            for k in touched:
                self._note_slot(k)
            for seq in old.values():
                for v in seq:
                    self._note_visit(v)
                    self._note_met(v)
        for k in moves:
            self.routes[k] = []
        for k, k2 in moves.items():
            self.routes[k2] = old[k]
            c_old, c_new = ix.slots[k].carer, ix.slots[k2].carer
            for v in old[k]:
                m = self.met[ix.v_cit[v]][ix.v_month[v]]
                m[c_old] -= 1
                if m[c_old] == 0:
                    del m[c_old]
                m[c_new] = m.get(c_new, 0) + 1
        # Each visit's slots are mapped once: a double visit's two routes may both change hands
        # (k1 -> k2 and k2 -> k3 must give k2 and k3, not k3 twice).
        for v in {v for seq in old.values() for v in seq}:
            self.slots_of[v] = [moves.get(x, x) for x in self.slots_of[v]]
        for k in touched:
            self._times.pop(k, None)

    # ---- continuity ---------------------------------------------------------------------
    def is_met(self, v: int, c: int) -> bool:
        ci, mi = self.ix.v_cit[v], self.ix.v_month[v]
        return c in self.met[ci][mi] or c in self.met_before[ci][mi]

    def face_allowed(self, v: int, c: int) -> bool:
        """Whether carer c may attend v within the monthly cap (rules.cap_allows)."""
        ci, mi = self.ix.v_cit[v], self.ix.v_month[v]
        return self.faces_allowed(ci, mi, (c,))

    def faces_allowed(self, ci: int, mi: int, carers: Iterable[int]) -> bool:
        """Whether citizen ci may meet `carers` in month mi within the monthly cap: the plan's own
        faces alone, and everyone met (history included) for the carers new to it."""
        planned = self.met[ci][mi]
        to_plan = {c for c in carers if c not in planned}
        if not to_plan:
            return True
        new = sum(1 for c in to_plan if c not in self.met_before[ci][mi])
        return (rules.cap_allows(len(planned) + len(to_plan), self.cap)
                and (not new or rules.cap_allows(self.distinct(ci, mi) + new, self.cap)))

    def cap_kept(self, ci: int, mi: int) -> bool:
        """Whether citizen ci's month mi keeps the monthly cap as the plan stands."""
        return (rules.cap_allows(len(self.met[ci][mi]), self.cap)
                and rules.cap_allows(self.distinct(ci, mi), self.cap))

    def distinct(self, ci: int, mi: int) -> int:
        return len(set(self.met[ci][mi]) | self.met_before[ci][mi])

    def carer_cost(self, v: int, c: int) -> float:
        """What attending v costs carer c on top of travel: a new face, or not the contact."""
        ix, w = self.ix, self.weights
        ci = ix.v_cit[v]
        cost = 0.0
        if not self.is_met(v, c):
            cost += objective.new_face(self.distinct(ci, ix.v_month[v]), w)
        if ix.contact[ci] >= 0:
            cost += objective.contact(ix.contact[ci] == c, w)
        cur = self.current[v]
        if cur is not None:
            cost += objective.disturbance(c not in cur, False, w)
        return cost

    def time_cost(self, v: int, s: int) -> float:
        n = self.ix.v_need[v]
        t = self.target[n]
        cost = 0.0 if t is None else objective.steady_time(abs(s - t), self.w_time[n])
        cur = self.current_start[v]
        if cur is not None:
            cost += objective.disturbance(False, s != cur, self.weights)
        return cost

    def aim(self, v: int) -> int | None:
        """The start a visit should get if its route allows: the current plan's, else the usual time."""
        cur = self.current_start[v]
        return cur if cur is not None else self.target[self.ix.v_need[v]]

    def preferred_window(self, v: int) -> tuple[int, int]:
        vis = self.ix.visits[v]
        cur = self.current_start[v]
        if cur is not None and vis.earliest <= cur <= vis.latest:
            return cur, cur  # a re-plan keeps the minute people were told
        t = self.target[self.ix.v_need[v]]
        if t is None:
            return vis.earliest, vis.latest
        lo, hi = max(vis.earliest, t - NARROW), min(vis.latest, t + NARROW)
        return (lo, hi) if lo <= hi else (vis.earliest, vis.latest)

    # ---- start times --------------------------------------------------------------------
    def schedule_route(self, k: int) -> list[int]:
        """Start times along route k: each as near its need's usual time as the route allows."""
        tm = self.times(k)
        assert tm is not None, "infeasible route"
        _, lst = tm
        ix, sl, seq = self.ix, self.ix.slots[k], self.routes[k]
        out = []
        t, here = sl.start, BASE
        for i, v in enumerate(seq):
            a = max(self.lo[v], t + ix.tt[here][ix.v_loc[v]])
            want = self.aim(v)
            s = a if want is None else max(a, min(want, lst[i]))
            out.append(s)
            t, here = s + self.dur[v], ix.v_loc[v]
        return out

    def route_travel(self, k: int) -> int:
        seq, tt, loc = self.routes[k], self.ix.tt, self.ix.v_loc
        if not seq:
            return 0
        total = tt[BASE][loc[seq[0]]] + tt[loc[seq[-1]]][BASE]
        for a, b in zip(seq, seq[1:], strict=False):
            total += tt[loc[a]][loc[b]]
        return total

    # ---- costs and the undo journal -----------------------------------------------------
    def route_cost(self, k: int) -> float:
        """Travel of route k plus how far its starts stray from the usual times."""
        seq = self.routes[k]
        if not seq:
            return 0.0
        total = float(objective.travel(self.route_travel(k), self.weights))
        for v, s in zip(seq, self.schedule_route(k), strict=True):
            total += self.time_cost(v, s) / self.ix.visits[v].carers
        return total

    def visit_cost(self, v: int) -> float:
        """Unplaced, not the contact carer, moved from its current carer (re-planning)."""
        ks = self.slots_of[v]
        w = self.weights
        if not ks:
            return float(objective.unplaced(1, w))
        ix = self.ix
        carers = [ix.slots[k].carer for k in ks]
        total = 0.0
        cc = ix.contact[ix.v_cit[v]]
        if cc >= 0:
            total += objective.contact(cc in carers, w)
        cur = self.current[v]
        if cur is not None:
            total += objective.disturbance(any(c not in cur for c in carers), False, w)
        return total

    def met_cost(self, ci: int, mi: int) -> float:
        return objective.faces(self.distinct(ci, mi), self.weights)

    def total_cost(self) -> float:
        ix = self.ix
        return (sum(self.route_cost(k) for k in range(len(ix.slots)))
                + sum(self.visit_cost(v) for v in range(len(ix.visits)))
                + sum(self.met_cost(ci, mi) for ci in range(len(ix.citizens))
                      for mi in range(len(ix.months)))
                + self.over_budget_cost(self.count_moved()))

    def _note_slot(self, k: int) -> None:
        assert self.journal is not None
        if k not in self.journal.routes:
            self.journal.routes[k] = (list(self.routes[k]), self.route_cost(k))
            if self.move_budget is not None and self.routes[k]:
                self.journal.starts[k] = dict(zip(self.routes[k], self.schedule_route(k), strict=True))

    def _note_visit(self, v: int) -> None:
        assert self.journal is not None
        if v not in self.journal.visits:
            self.journal.visits[v] = (self.lo[v], self.hi[v], list(self.slots_of[v]), self.visit_cost(v))

    def _note_met(self, v: int) -> None:
        assert self.journal is not None
        key = (self.ix.v_cit[v], self.ix.v_month[v])
        if key not in self.journal.met:
            self.journal.met[key] = (dict(self.met[key[0]][key[1]]), self.met_cost(*key))

    def begin(self) -> None:
        self.journal = Journal()

    def delta(self) -> float:
        """Cost now minus cost when `begin` was called (only what was touched is recomputed)."""
        j = self.journal
        assert j is not None
        d = 0.0
        for k, (_, old) in j.routes.items():
            d += self.route_cost(k) - old
        for v, (_, _, _, old) in j.visits.items():
            d += self.visit_cost(v) - old
        for (ci, mi), (_, old) in j.met.items():
            d += self.met_cost(ci, mi) - old
        if self.move_budget is not None:
            dm = self._moved_change()
            self._moved_pending = (j, dm)
            d += self.over_budget_cost(self.moved + dm) - self.over_budget_cost(self.moved)
        return d

    def moved_after_delta(self) -> int:
        """How many visits are moved with the open change, as `delta` just counted them."""
        pending = self._moved_pending
        if pending is None or pending[0] is not self.journal:
            return self.moved + self._moved_change()
        return self.moved + pending[1]

    def commit(self) -> None:
        j = self.journal
        if self.move_budget is not None and j is not None:
            pending = self._moved_pending
            self.moved += pending[1] if pending is not None and pending[0] is j else self._moved_change()
        self._moved_pending = None
        self.journal = None

    # ---- the re-plan's move budget ------------------------------------------------------
    def over_budget_cost(self, moved: int) -> float:
        return float(objective.over_budget(moved, self.move_budget, self.weights))

    def _is_moved(self, v: int, slots: list[int], start: int | None) -> bool:
        """Whether v, with a current assignment, is elsewhere or unplaced (as apply_changes.py counts)."""
        if not slots:
            return True
        return start != self.current_start[v] or {self.ix.slots[k].carer for k in slots} != self.current[v]

    def _starts(self, ks: Iterable[int]) -> dict[int, int]:
        out: dict[int, int] = {}
        for k in ks:
            if self.routes[k]:
                for v, s in zip(self.routes[k], self.schedule_route(k), strict=True):
                    out.setdefault(v, s)
        return out

    def count_moved(self) -> int:
        """The moved visits, counted from scratch."""
        if self.move_budget is None:
            return 0
        starts = self._starts(range(len(self.ix.slots)))
        return sum(self._is_moved(v, self.slots_of[v], starts.get(v))
                   for v in range(len(self.ix.visits)) if self.current[v] is not None)

    def recount_moved(self) -> None:
        """Bring `moved` up to date after the plan was built or restored outside the journal."""
        self.moved = self.count_moved()

    def _moved_change(self) -> int:
        """How many more visits are moved now than when `begin` was called."""
        j = self.journal
        assert j is not None
        affected = set(j.visits)
        for k, (seq, _) in j.routes.items():
            affected.update(seq)
            affected.update(self.routes[k])
        new_starts = self._starts({k for v in affected for k in self.slots_of[v][:1]})
        d = 0
        for v in affected:
            if self.current[v] is None:
                continue
            old_slots = j.visits[v][2] if v in j.visits else self.slots_of[v]
            old_start = None
            if old_slots:
                k0 = old_slots[0]
                old_start = j.starts[k0][v] if k0 in j.starts else self._starts([k0])[v]
            now = self._is_moved(v, self.slots_of[v], new_starts.get(v))
            d += now - self._is_moved(v, old_slots, old_start)
        return d

    def rollback(self) -> None:
        j = self.journal
        assert j is not None
        self.journal = None
        self._moved_pending = None
        for k, (seq, _) in j.routes.items():
            self.routes[k] = seq
            self._times.pop(k, None)
        for v, (lo, hi, ks, _) in j.visits.items():
            self.lo[v], self.hi[v], self.slots_of[v] = lo, hi, ks
        for (ci, mi), (m, _) in j.met.items():
            self.met[ci][mi] = m
