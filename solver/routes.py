"""Routes with flexible start times: one ordered list of visits per carer shift.

Each visit keeps a window [lo, hi] for its start (its own window, narrowed around the need's usual
time, or a single minute for a double visit, whose two carers must start together, and for visits
that may not move). Earliest (forward) and latest (backward) start times per route make an
insertion test O(1) per position; they are cached per route until the route changes.
"""

from __future__ import annotations

from dataclasses import dataclass

from solver.index import BASE, TeamIndex


@dataclass(slots=True)
class Option:
    """A feasible place for a visit in one route: start interval [lo, hi] at position `pos`."""

    slot: int
    pos: int
    lo: int
    hi: int
    dtravel: int


class Routes:
    def __init__(self, ix: TeamIndex) -> None:
        self.ix = ix
        n = len(ix.visits)
        self.routes: list[list[int]] = [[] for _ in ix.slots]
        self.lo = [v.earliest for v in ix.visits]
        self.hi = [v.latest for v in ix.visits]
        self.dur = [v.duration for v in ix.visits]
        self.slots_of: list[list[int]] = [[] for _ in range(n)]  # visit -> slots attending it
        self._times: dict[int, tuple[list[int], list[int]] | None] = {}

    def forget_times(self, k: int | None = None) -> None:
        """Route k changed (None: every route): its start times are worked out afresh when asked."""
        if k is None:
            self._times.clear()
        else:
            self._times.pop(k, None)

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

    def route_travel(self, k: int) -> int:
        seq, tt, loc = self.routes[k], self.ix.tt, self.ix.v_loc
        if not seq:
            return 0
        total = tt[BASE][loc[seq[0]]] + tt[loc[seq[-1]]][BASE]
        for a, b in zip(seq, seq[1:], strict=False):
            total += tt[loc[a]][loc[b]]
        return total
