"""Routes with flexible start times: one ordered list of visits per carer shift.

Each visit keeps a window [lo, hi] for its start (its own window, narrowed around the need's usual
time, or a single minute for a double visit, whose two carers must start together, and for visits
that may not move). Earliest (forward) and latest (backward) start times per route make an
insertion test O(1) per position; they are cached per route until the route changes.

Each shift travels at its carer's own minutes (Slot.tt: on foot, by bike or by car). A shift with a
break window holds its break as a stop of its own in one of the route's gaps (`Timing.pause_at`):
no travel in, its place the previous stop's, so the leg to the next stop follows the break. Of the
gaps where it fits, the one that leaves it most room is taken; the insertion test tries a visit
both before and after the break in that gap, so it never accepts a route without its break (it may
miss an insertion that would need the break moved to another gap, which a later step can find).
"""

from __future__ import annotations

from dataclasses import dataclass

from solver.index import BASE, Slot, TeamIndex


@dataclass(slots=True)
class Option:
    """A feasible place for a visit in one route: start interval [lo, hi] at position `pos`."""

    slot: int
    pos: int
    lo: int
    hi: int
    dtravel: int


@dataclass(slots=True)
class Timing:
    """A feasible route's earliest and latest starts, and where its break goes: before the visit at
    `pause_at` (len(route): after the last visit), None for a shift without a break window or an
    empty route; `pause_lo`..`pause_hi` is when the break may start."""

    est: list[int]
    lst: list[int]
    pause_at: int | None = None
    pause_lo: int = 0
    pause_hi: int = 0


def route_timing(sl: Slot, seq: list[int], loc: list[int], lo: list[int], hi: list[int],
                 dur: list[int]) -> Timing | None:
    """Earliest and latest starts of `seq` in shift `sl` (None: infeasible), with its break placed."""
    tt = sl.tt
    est: list[int] = []
    t, here = sl.start, BASE
    for v in seq:
        s = max(lo[v], t + tt[here][loc[v]])
        if s > hi[v]:
            return None
        est.append(s)
        t, here = s + dur[v], loc[v]
    if t + tt[here][BASE] > sl.end:
        return None
    n = len(seq)
    lst = [0] * n
    t, here = sl.end, BASE
    for i in range(n - 1, -1, -1):
        v = seq[i]
        s = min(hi[v], t - tt[loc[v]][here] - dur[v])
        lst[i] = s
        t, here = s, loc[v]
    pause = sl.pause
    if pause is None or not seq:
        return Timing(est, lst)
    # The break before position p: the prefix keeps its earliest starts, the suffix its latest.
    best: tuple[int, int, int, int] | None = None  # (room, p, earliest start, latest start)
    for p in range(n + 1):
        prev_end = sl.start if p == 0 else est[p - 1] + dur[seq[p - 1]]
        prev_loc = BASE if p == 0 else loc[seq[p - 1]]
        nxt_loc, nxt_latest = (BASE, sl.end) if p == n else (loc[seq[p]], lst[p])
        a = max(pause.earliest, prev_end)
        b = min(pause.latest, nxt_latest - tt[prev_loc][nxt_loc] - pause.duration)
        if a <= b and (best is None or b - a > best[0]):
            best = (b - a, p, a, b)
    if best is None:
        return None
    _, p, a, b = best
    # Starts after the break: from its end, at the previous stop's place.
    t, here = a + pause.duration, BASE if p == 0 else loc[seq[p - 1]]
    for i in range(p, n):
        v = seq[i]
        s = max(lo[v], t + tt[here][loc[v]])
        est[i] = s
        t, here = s + dur[v], loc[v]
    # Starts before it: done by its latest start (no travel to it).
    t = b
    for i in range(p - 1, -1, -1):
        v = seq[i]
        leg = 0 if i == p - 1 else tt[loc[v]][loc[seq[i + 1]]]
        lst[i] = t = min(hi[v], t - leg - dur[v])
    return Timing(est, lst, p, a, b)


class Routes:
    def __init__(self, ix: TeamIndex) -> None:
        self.ix = ix
        n = len(ix.visits)
        self.routes: list[list[int]] = [[] for _ in ix.slots]
        self.lo = [v.earliest for v in ix.visits]
        self.hi = [v.latest for v in ix.visits]
        self.dur = [v.duration for v in ix.visits]
        self.slots_of: list[list[int]] = [[] for _ in range(n)]  # visit -> slots attending it
        self._times: dict[int, Timing | None] = {}

    def forget_times(self, k: int | None = None) -> None:
        """Route k changed (None: every route): its start times are worked out afresh when asked."""
        if k is None:
            self._times.clear()
        else:
            self._times.pop(k, None)

    def timing(self, k: int) -> Timing | None:
        """Route k's starts and break (None if it is infeasible), cached until it changes."""
        if k in self._times:
            return self._times[k]
        res = route_timing(self.ix.slots[k], self.routes[k], self.ix.v_loc, self.lo, self.hi, self.dur)
        self._times[k] = res
        return res

    def fits_in(self, seq: list[int], k: int) -> bool:
        """Whether route `seq`, with its visits' start windows, fits shift k (hours, travel, break)."""
        return route_timing(self.ix.slots[k], seq, self.ix.v_loc, self.lo, self.hi, self.dur) is not None

    def times(self, k: int) -> tuple[list[int], list[int]] | None:
        """(earliest starts, latest starts) along route k, or None if it is infeasible."""
        tm = self.timing(k)
        return None if tm is None else (tm.est, tm.lst)

    def options(self, v: int, k: int, lo: int, hi: int) -> list[Option]:
        """Every position in route k where visit v can start within [lo, hi]."""
        tm = self.timing(k)
        if tm is None:
            return []
        est, lst = tm.est, tm.lst
        ix, sl, seq = self.ix, self.ix.slots[k], self.routes[k]
        tt, loc = sl.tt, ix.v_loc
        lv, d = loc[v], self.dur[v]
        pause = sl.pause
        # An empty route takes its break once it has a visit: before or after that visit.
        pause_at = tm.pause_at if seq else (0 if pause is not None else None)
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
            if p == n:
                next_loc, next_latest = BASE, sl.end
            else:
                next_loc, next_latest = loc[seq[p]], lst[p]
            dtravel = tt[prev_loc][lv] + tt[lv][next_loc] - tt[prev_loc][next_loc]
            if p != pause_at or pause is None:
                a = max(lo, prev_end + tt[prev_loc][lv])
                b = min(hi, next_latest - tt[lv][next_loc] - d)
                if a <= b:
                    out.append(Option(k, p, a, b, dtravel))
                continue
            # The gap holding the break: v goes in before it (the break then follows v, at v's place) ...
            a = max(lo, prev_end + tt[prev_loc][lv])
            pause_latest = min(pause.latest, next_latest - tt[lv][next_loc] - pause.duration)
            b = min(hi, pause_latest - d)
            if a <= b and pause.earliest <= pause_latest:
                out.append(Option(k, p, a, b, dtravel))
            # ... or after it (the break at the previous stop's place, then the leg to v).
            pause_start = max(pause.earliest, prev_end)
            if pause_start <= pause.latest:
                a = max(lo, pause_start + pause.duration + tt[prev_loc][lv])
                b = min(hi, next_latest - tt[lv][next_loc] - d)
                if a <= b:
                    out.append(Option(k, p, a, b, dtravel))
        return out

    def route_travel(self, k: int) -> int:
        return self.seq_travel(self.routes[k], k)

    def seq_travel(self, seq: list[int], k: int) -> int:
        """Minutes travelled along `seq` by shift k's carer (at its own travel mode)."""
        tt, loc = self.ix.slots[k].tt, self.ix.v_loc
        if not seq:
            return 0
        total = tt[BASE][loc[seq[0]]] + tt[loc[seq[-1]]][BASE]
        for a, b in zip(seq, seq[1:], strict=False):
            total += tt[loc[a]][loc[b]]
        return total
