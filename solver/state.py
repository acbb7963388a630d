"""A team's plan while it is being built, and what it costs.

TeamState holds the routes (solver/routes.py), who meets whom (`met`: per citizen and month, the
carers and how many visits each makes), the usual time each need aims for, and in a re-plan the
current plan's carers and minutes. Its costs price each goal through solver/objective.py: per
route (travel, steady times), per visit (unplaced, contact carer, disturbance), per citizen-month
(faces) and per carer over the whole plan (fair load). Changes go through `insert`, `remove` and
`hand_over_routes`, so the undo journal (solver/journal.py) and the re-plan's move budget
(solver/move_budget.py) see every one.
"""

from __future__ import annotations

from collections.abc import Iterable

from solver import objective, rules
from solver.index import BASE, TeamIndex
from solver.journal import Journal, Undo
from solver.move_budget import MoveBudget
from solver.routes import Option, Routes

NARROW = 20  # minutes either side of the usual time a visit is first tried in
# Of a new face's price, what insertion spares a carer the citizen meets in the plan's other month: the
# cap and the goal count carers per month, so without it a period across a month's end is planned as
# two periods, and a citizen meets other carers, at other times, after the first of the month.
FAMILIAR = 0.5


class TeamState(Routes, Undo, MoveBudget):
    def __init__(self, ix: TeamIndex, cap: int, met_before: list[list[set[int]]],
                 weights: objective.Weights = objective.WEIGHTS) -> None:
        super().__init__(ix)
        self.cap = cap
        self.weights = weights
        n = len(ix.visits)
        self.fixed = [False] * n  # pinned, or kept from the current plan: never moves
        # Each shift's share of the work (fair load): its carer's contracted day, else the shift as
        # full as the team's shifts are on average, as carers' loads are judged against their hours.
        load = objective.team_load(sum(v.duration * v.carers for v in ix.visits),
                                   sum(sl.end - sl.start for sl in ix.slots))
        self.share = [objective.day_share(ix.contracted[sl.carer], load * (sl.end - sl.start))
                      for sl in ix.slots]
        self.slots_of_carer: list[list[int]] = [[] for _ in ix.carers]
        for k, sl in enumerate(ix.slots):
            self.slots_of_carer[sl.carer].append(k)
        # Fair load is weighed per carer over the whole plan: the minutes that matter to a carer
        # are the period's, and a busy day can be evened out by a quiet one.
        # A contract is per working day: a split shift's two parts share one day's contracted minutes.
        self.carer_share = [sum(self.share[k] for k in ks) if ix.contracted[c] is None
                            else self.share[ks[0]] * len({ix.slots[k].day for k in ks}) if ks else 0
                            for c, ks in enumerate(self.slots_of_carer)]
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
        self._moved_pending: tuple[Journal, int] | None = None
        # met[citizen][month] -> {carer: visits}; met_before[citizen][month] carers are free
        n_months = len(ix.months)
        self.met: list[list[dict[int, int]]] = [[{} for _ in range(n_months)] for _ in ix.citizens]
        self.met_before = met_before
        # Undo journal of the neighbourhood search: first-touch copies of what a move changes,
        # with their cost at that moment, so a rejected move is undone and a delta is cheap.
        self.journal: Journal | None = None
        self.search_log: dict[str, object] = {}
        self._all_but: dict[int, frozenset[int]] = {}

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
            self.forget_times(o.slot)
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
            self.forget_times(k)
            c = ix.slots[k].carer
            m = self.met[ix.v_cit[v]][ix.v_month[v]]
            m[c] -= 1
            if m[c] == 0:
                del m[c]
        ks = self.slots_of[v]
        self.slots_of[v] = []
        vis = ix.visits[v]
        self.lo[v], self.hi[v] = vis.earliest, vis.latest
        for k in ks:
            self.make_feasible(k)

    def set_start(self, v: int, start: int) -> None:
        """Fix placed visit v at minute `start` in its routes (a double visit moved in time); the caller
        checks that its routes still fit."""
        if self.journal is not None:
            self._note_visit(v)
            for k in self.slots_of[v]:
                self._note_slot(k)
        self.lo[v] = self.hi[v] = start
        for k in self.slots_of[v]:
            self.forget_times(k)

    def make_feasible(self, k: int) -> list[int]:
        """Route k as the state can keep it: a break may need the visit a removal took (it waited there,
        near the next home), so the route's single visits first get their whole windows back, and if
        that is not enough the fewest visits leave it, first one whose removal alone makes room, the
        one nearest the break window. Returns the visits taken out."""
        out: list[int] = []
        if not self.routes[k] or self.times(k) is not None:
            return out
        ix = self.ix
        for u in self.routes[k]:
            vis = ix.visits[u]
            whole = (vis.earliest, vis.latest)
            if vis.carers == 1 and not self.fixed[u] and (self.lo[u], self.hi[u]) != whole:
                if self.journal is not None:
                    self._note_visit(u)
                self.lo[u], self.hi[u] = vis.earliest, vis.latest
        self.forget_times(k)
        pause = ix.slots[k].pause
        mid = (pause.earliest + pause.latest) // 2 if pause is not None else ix.slots[k].start
        while self.routes[k] and self.times(k) is None:
            seq = self.routes[k]
            order = sorted(seq, key=lambda u: (abs(self.lo[u] + self.dur[u] // 2 - mid), u))
            drop = next((u for u in order if self.fits_in([w for w in seq if w != u], k)), order[0])
            self.remove(drop)
            out.append(drop)
        return out

    def hand_over_routes(self, moves: dict[int, int]) -> None:
        """Give whole routes to other shifts of the same day: the route of slot k goes to moves[k].

        Sequences and start windows stay as they are (travel changes only with the carers' travel
        modes); the caller has checked that each route fits its new shift and carer
        (solver/handover.py).
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
            self.forget_times(k)

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

    def all_but(self, c: int) -> frozenset[int]:
        """The carers to ban so that only carer c may take a visit (insertion's `banned`); made once
        per carer, as the exchanges ask for it at every try."""
        banned = self._all_but.get(c)
        if banned is None:
            banned = self._all_but[c] = frozenset(x for x in range(len(self.ix.carers)) if x != c)
        return banned

    def met_next_door(self, ci: int, mi: int, c: int) -> bool:
        """Whether citizen ci meets carer c in the plan in another month than mi."""
        return any(c in m for j, m in enumerate(self.met[ci]) if j != mi)

    def distinct(self, ci: int, mi: int) -> int:
        return len(set(self.met[ci][mi]) | self.met_before[ci][mi])

    def carer_cost(self, v: int, c: int) -> float:
        """What attending v costs carer c on top of travel: a new face, or not the contact."""
        ix, w = self.ix, self.weights
        ci = ix.v_cit[v]
        cost = 0.0
        if not self.is_met(v, c):
            cost += objective.new_face(self.distinct(ci, ix.v_month[v]), w)
            if self.met_next_door(ci, ix.v_month[v], c):
                cost -= FAMILIAR * objective.new_face(0, w)
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

    def loosen(self, k: int) -> None:
        """Route k's visits that may move get their whole windows back: each still aims at its usual
        time (a start moved is priced), but the route may now let a visit in by starting a neighbour
        a little earlier or later."""
        ix = self.ix
        self._note_slot(k)
        for v in self.routes[k]:
            vis = ix.visits[v]
            whole = (vis.earliest, vis.latest)
            if not self.fixed[v] and vis.carers == 1 and (self.lo[v], self.hi[v]) != whole:
                self._note_visit(v)
                self.lo[v], self.hi[v] = vis.earliest, vis.latest
        self.forget_times(k)

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
        tm = self.timing(k)
        assert tm is not None, "infeasible route"
        lst = tm.lst
        ix, sl, seq = self.ix, self.ix.slots[k], self.routes[k]
        out = []
        t, here = sl.start, BASE
        for i, v in enumerate(seq):
            if i == tm.pause_at:
                # The break, as soon as the previous visit ends and the window opens (the latest
                # starts leave room for it there); the leg to v follows it.
                t = max(t, tm.pause_lo) + sl.pause.duration if sl.pause is not None else t
            a = max(self.lo[v], t + sl.tt[here][ix.v_loc[v]])
            want = self.aim(v)
            s = a if want is None else max(a, min(want, lst[i]))
            out.append(s)
            t, here = s + self.dur[v], ix.v_loc[v]
        return out

    # ---- costs ------------------------------------------------------------------------------
    def route_cost(self, k: int) -> float:
        """Travel of route k plus how far its starts stray from the usual times."""
        seq = self.routes[k]
        if not seq:
            return 0.0
        total = float(objective.travel(self.route_travel(k), self.weights))
        for v, s in zip(seq, self.schedule_route(k), strict=True):
            total += self.time_cost(v, s) / self.ix.visits[v].carers
        return total

    def carer_load(self, c: int) -> int:
        """Minutes of visits carer c makes in the plan."""
        return sum(self.dur[v] for k in self.slots_of_carer[c] for v in self.routes[k])

    def load_cost(self, c: int, load: int) -> float:
        """Fair load: what carer c's `load` minutes cost beyond its share of the team's work."""
        return objective.fair_load(load, self.carer_share[c], self.weights)

    def load_delta(self, j: Journal) -> float:
        """What the change noted in journal j did to the carers' fair-load costs."""
        if not self.weights.fair:
            return 0.0
        change: dict[int, int] = {}
        for k, (seq, _) in j.routes.items():
            c = self.ix.slots[k].carer
            dur = self.dur
            change[c] = change.get(c, 0) + sum(dur[v] for v in self.routes[k]) - sum(dur[v] for v in seq)
        d = 0.0
        for c, by in sorted(change.items()):
            if by:
                now = self.carer_load(c)
                d += self.load_cost(c, now) - self.load_cost(c, now - by)
        return d

    def visit_cost(self, v: int) -> float:
        """Unplaced, not the contact carer, moved from its current carer (re-planning)."""
        ks = self.slots_of[v]
        w = self.weights
        if not ks:
            return float(objective.unplaced(1, w, self.ix.visits[v].priority))
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
                + self.over_budget_cost(self.count_moved())
                + (sum(self.load_cost(c, self.carer_load(c)) for c in range(len(ix.carers)))
                   if self.weights.fair else 0.0))
