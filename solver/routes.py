"""Routes with flexible start times: one ordered list of visits per carer shift.

Each visit keeps a window [lo, hi] for its start (its own window, narrowed around the need's usual
time, or a single minute for a double visit, whose two carers must start together, and for visits
that may not move). Earliest (forward) and latest (backward) start times per route make an
insertion test O(1) per position; they are cached per route until the route changes.

Each shift travels at its carer's own minutes (Slot.tt: on foot, by bike or by car). A shift with a
break window holds its break as a stop of its own in one of the route's gaps (`Timing.pause_at`):
no travel in, its place the previous stop's, so the leg to the next stop follows the break (as the
verifier reads a gap). Of the gaps where it fits, the one that leaves it most room is taken. The
insertion test lets the break go to any gap: taken before the previous stop, just before or just
after the new visit, or after the next stop (`Timing.est_after`, `lst_before`: one forward and one
backward pass), still O(1) per position, and it never accepts a route without room for its break.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

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
    # For the insertion test, with the break free to go to any gap: the starts with no break at all
    # (`est0`, `lst0`), the earliest start of each visit with the break taken before it (`est_after`,
    # None: it cannot be) and the latest with the break still to come after it (`lst_before`).
    est0: list[int] = field(default_factory=list)
    lst0: list[int] = field(default_factory=list)
    est_after: list[int | None] = field(default_factory=list)
    lst_before: list[int | None] = field(default_factory=list)


def route_timing(sl: Slot, seq: list[int], loc: list[int], lo: list[int], hi: list[int],
                 dur: list[int]) -> Timing | None:
    """Earliest and latest starts of `seq` in shift `sl` (None: infeasible), with its break placed.
    (Hot: called on every changed route; comparisons are written out rather than min/max calls.)"""
    tt = sl.tt
    est: list[int] = []
    t, here = sl.start, BASE
    for v in seq:
        lv = loc[v]
        s = t + tt[here][lv]
        if s < lo[v]:
            s = lo[v]
        if s > hi[v]:
            return None
        est.append(s)
        t, here = s + dur[v], lv
    if t + tt[here][BASE] > sl.end:
        return None
    n = len(seq)
    lst = [0] * n
    t, here = sl.end, BASE
    for i in range(n - 1, -1, -1):
        v = seq[i]
        lv = loc[v]
        s = t - tt[lv][here] - dur[v]
        if s > hi[v]:
            s = hi[v]
        lst[i] = s
        t, here = s, lv
    pause = sl.pause
    if pause is None or not seq:
        return Timing(est, lst)
    p_earliest, p_latest, p_dur = pause.earliest, pause.latest, pause.duration
    est0, lst0 = list(est), list(lst)
    # The break before position p: the prefix keeps its earliest starts, the suffix its latest.
    best: tuple[int, int, int, int] | None = None  # (room, p, earliest start, latest start)
    for p in range(n + 1):
        prev_end = sl.start if p == 0 else est[p - 1] + dur[seq[p - 1]]
        prev_loc = BASE if p == 0 else loc[seq[p - 1]]
        nxt_loc, nxt_latest = (BASE, sl.end) if p == n else (loc[seq[p]], lst[p])
        a = p_earliest if p_earliest > prev_end else prev_end
        b = nxt_latest - tt[prev_loc][nxt_loc] - p_dur
        if b > p_latest:
            b = p_latest
        if a <= b and (best is None or b - a > best[0]):
            best = (b - a, p, a, b)
    if best is None:
        return None
    _, p, a, b = best
    # Starts after the break: from its end, at the previous stop's place.
    t, here = a + p_dur, BASE if p == 0 else loc[seq[p - 1]]
    for i in range(p, n):
        v = seq[i]
        lv = loc[v]
        s = t + tt[here][lv]
        if s < lo[v]:
            s = lo[v]
        est[i] = s
        t, here = s + dur[v], lv
    # Starts before it: done by its latest start (no travel to it).
    t = b
    for i in range(p - 1, -1, -1):
        v = seq[i]
        leg = 0 if i == p - 1 else tt[loc[v]][loc[seq[i + 1]]]
        s = t - leg - dur[v]
        if s > hi[v]:
            s = hi[v]
        lst[i] = t = s
    est_after: list[int | None] = [None] * n
    prev_end, prev_loc = sl.start, BASE
    for i in range(n):
        v = seq[i]
        lv = loc[v]
        leg = tt[prev_loc][lv]
        first: int | None = None  # the earliest arrival at v with the break taken before it
        pause_start = p_earliest if p_earliest > prev_end else prev_end
        if pause_start <= p_latest:  # the break just before v
            first = pause_start + p_dur + leg
        if i > 0 and (e := est_after[i - 1]) is not None:  # ... or earlier still
            arrive = e + dur[seq[i - 1]] + leg
            if first is None or arrive < first:
                first = arrive
        if first is not None:
            s = lo[v] if lo[v] > first else first
            if s <= hi[v]:
                est_after[i] = s
        prev_end, prev_loc = est0[i] + dur[v], lv
    lst_before: list[int | None] = [None] * n
    for i in range(n - 1, -1, -1):
        v = seq[i]
        lv = loc[v]
        nxt_loc, nxt_latest = (BASE, sl.end) if i == n - 1 else (loc[seq[i + 1]], lst0[i + 1])
        leg = tt[lv][nxt_loc]
        last: int | None = None  # the latest start of v with the break still to come after it
        pause_latest = nxt_latest - leg - p_dur
        if pause_latest > p_latest:
            pause_latest = p_latest
        if p_earliest <= pause_latest:  # the break just after v
            last = pause_latest - dur[v]
        if i < n - 1 and (e := lst_before[i + 1]) is not None:  # ... or later still
            leave = e - leg - dur[v]
            if last is None or leave > last:
                last = leave
        if last is not None:
            s = hi[v] if hi[v] < last else last
            if s >= lo[v]:
                lst_before[i] = s
    return Timing(est, lst, p, a, b, est0, lst0, est_after, lst_before)


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
        # A clock of changes: `changed_at[k]` is the tick of route k's last change, `all_changed_at`
        # that of the last change to every route (a restored snapshot), so a descent can tell that
        # the routes a failed change was tried on are still as they were (`unchanged_since`).
        self.tick = 0
        self.changed_at = [0] * len(ix.slots)
        self.all_changed_at = 0

    def forget_times(self, k: int | None = None) -> None:
        """Route k changed (None: every route): its start times are worked out afresh when asked."""
        self.tick += 1
        if k is None:
            self._times.clear()
            self.all_changed_at = self.tick
        else:
            self._times.pop(k, None)
            self.changed_at[k] = self.tick

    def unchanged_since(self, tick: int, slots: Iterable[int]) -> bool:
        """Whether none of `slots`' routes (their visits, order and windows) changed after `tick`."""
        if self.all_changed_at > tick:
            return False
        changed_at = self.changed_at
        return all(changed_at[k] <= tick for k in slots)

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
        """Every position in route k where visit v can start within [lo, hi]. With a break the route
        keeps it in any one of its gaps: before v (taken earlier, or just before v), or after."""
        tm = self.timing(k)
        if tm is None:
            return []
        ix, sl, seq = self.ix, self.ix.slots[k], self.routes[k]
        pause = sl.pause
        if pause is None:
            return self._plain_options(v, k, lo, hi, tm.est, tm.lst)
        tt, loc, dur = sl.tt, ix.v_loc, self.dur
        lv, d = loc[v], dur[v]
        est0, lst0 = (tm.est0, tm.lst0) if seq else ([], [])
        est_after, lst_before = tm.est_after, tm.lst_before
        p_earliest, p_latest, p_dur = pause.earliest, pause.latest, pause.duration
        out = []
        n = len(seq)
        prev_end, prev_loc = sl.start, BASE
        for p in range(n + 1):
            if p > 0:
                u = seq[p - 1]
                prev_end, prev_loc = est0[p - 1] + dur[u], loc[u]
            if prev_end > hi:
                break  # every later position ends its predecessor later still
            next_loc, next_latest = (BASE, sl.end) if p == n else (loc[seq[p]], lst0[p])
            into, out_of = tt[prev_loc][lv], tt[lv][next_loc]
            latest = next_latest - out_of - d
            if latest > hi:
                latest = hi
            arrive = prev_end + into
            if (lo if lo > arrive else arrive) > latest:
                # No room even with no break at all: a break anywhere only starts v later (est_after
                # >= est0) or ends it earlier (lst_before <= lst0), so no span below can hold v.
                continue
            spans = []
            # The break in the gap v goes into: just before v (at the previous stop's place) ...
            pause_start = p_earliest if p_earliest > prev_end else prev_end
            if pause_start <= p_latest:
                a = pause_start + p_dur + into
                spans.append((lo if lo > a else a, latest))
            # ... or just after v (at v's place).
            pause_latest = next_latest - out_of - p_dur
            if pause_latest > p_latest:
                pause_latest = p_latest
            if p_earliest <= pause_latest:
                b = pause_latest - d
                spans.append((lo if lo > arrive else arrive, hi if hi < b else b))
            # Taken before the previous stop.
            if p > 0 and (e := est_after[p - 1]) is not None:
                a = e + dur[seq[p - 1]] + into
                spans.append((lo if lo > a else a, latest))
            # Still to come after the next stop.
            if p < n and (e := lst_before[p]) is not None:
                b = e - out_of - d
                spans.append((lo if lo > arrive else arrive, hi if hi < b else b))
            dtravel = into + out_of - tt[prev_loc][next_loc]
            for a, b in _merged([(a, b) for a, b in spans if a <= b]):
                out.append(Option(k, p, a, b, dtravel))
        return out

    def _plain_options(self, v: int, k: int, lo: int, hi: int, est: list[int], lst: list[int]
                       ) -> list[Option]:
        """options() for a shift without a break."""
        ix, sl, seq = self.ix, self.ix.slots[k], self.routes[k]
        tt, loc = sl.tt, ix.v_loc
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
                next_loc = loc[seq[p]]
                b = min(hi, lst[p] - tt[lv][next_loc] - d)
            if a <= b:
                out.append(Option(k, p, a, b, tt[prev_loc][lv] + tt[lv][next_loc] - tt[prev_loc][next_loc]))
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


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Overlapping or touching intervals joined (each minute in the result is feasible)."""
    out: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out
