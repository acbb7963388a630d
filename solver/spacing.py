"""Spaced visits (rule 8, `rules.spacing_allows`) kept by narrowing start windows before planning.

A dependency asks that `then` start between min_gap and max_gap minutes after `first` ends. The
planner's steps move each visit within its own start window, so the rule is kept by giving both
visits windows in which *any* pair of starts keeps the gap: `first` must end by a split minute X,
`then` may start from X + min_gap on (and, for max_gap, the two windows' far ends stay within it).
This is a sound decomposition: no step of the search, routing or CP-SAT needs to know the rule.

The split keeps the most room where it matters: the room the two windows have together (the slack
beyond the gap) is shared in proportion to each window's length times its pressure (`pressure`: how
many visits of the day compete for the carers on shift then), so a morning visit in the busy peak
keeps more of its window than a lunch visit at a quiet hour, and neither loses all its freedom;
in a re-plan, where the current plan's starts keep the gap, the split lies between them so both
keep the minute people were told. When one of the two may not move (pinned, or outside the re-plan
days), the other's window is derived from its start. When the rule cannot be kept at all, the
windows stay as they are and the final check unplaces what breaks it.
"""

from __future__ import annotations

from solver.types import Dependency, Visit

DAY = 1440


def pressure(visits: list[Visit], shifts: list[tuple[int, int, int]]) -> list[float]:
    """Per visit, how many visits of its day could be under way in its window (its own included) per
    shift (day, start, end) on duty then: how much competition it meets for a carer."""
    by_day: dict[int, list[int]] = {}
    for v, vis in enumerate(visits):
        by_day.setdefault(vis.day, []).append(v)
    out = []
    for vis in visits:
        lo, hi = vis.earliest, vis.latest + vis.duration
        rivals = sum(1 for u in by_day[vis.day]
                     if visits[u].earliest < hi and lo < visits[u].latest + visits[u].duration)
        on_duty = sum(1 for day, start, end in shifts if day == vis.day and start < hi and lo < end)
        out.append(rivals / max(1, on_duty))
    return out


def spaced_windows(visits: list[Visit], pos: dict[str, int], dependencies: list[Dependency],
                   fixed: dict[int, int | None], keep: dict[int, int] | None = None,
                   busy: list[float] | None = None) -> tuple[dict[int, tuple[int, int]], dict[int, str]]:
    """New (earliest, latest) start windows, by visit number, for the visits dependencies narrow; and
    the visits that cannot keep their spacing from a visit that may not move, with the reason.

    `visits` and `pos` (visit id -> number) are one team's; dependencies naming other visits are
    skipped. `fixed`: visits that may not move, with their start (None: left unplaced, so the rule
    does not bind). `keep`: starts a re-plan would rather keep. `busy`: each visit's `pressure`
    (None: the same for all)."""
    keep = keep or {}
    win: dict[int, tuple[int, int]] = {}
    blocked: dict[int, str] = {}

    def window(v: int) -> tuple[int, int]:
        """v's window in minutes from the first midnight (day * 1440 + minute)."""
        if v in win:
            return win[v]
        vis = visits[v]
        return vis.day * DAY + vis.earliest, vis.day * DAY + vis.latest

    for dep in sorted(dependencies, key=lambda d: (d.first, d.then)):
        f, t = pos.get(dep.first), pos.get(dep.then)
        if f is None or t is None:
            continue
        d = visits[f].duration
        lo_gap = d + dep.min_gap  # then's start minus first's start, at least
        hi_gap = None if dep.max_gap is None else d + dep.max_gap  # ... and at most
        (ef, lf), (et, lt) = window(f), window(t)
        if f in fixed and t in fixed:
            continue
        if f in fixed or t in fixed:
            other, start = (t, fixed[f]) if f in fixed else (f, fixed[t])
            if start is None:
                continue  # the fixed one is unplaced: the rule does not bind
            s = visits[t if other == f else f].day * DAY + start
            if other == t:
                lo, hi = max(et, s + lo_gap), lt if hi_gap is None else min(lt, s + hi_gap)
            else:
                lo, hi = ef if hi_gap is None else max(ef, s - hi_gap), min(lf, s - lo_gap)
            if lo <= hi:
                win[other] = (lo, hi)
            else:
                blocked[other] = (f"cannot be spaced {dep.min_gap}-{dep.max_gap} min after {dep.first}, "
                                  f"which may not move" if other == t else
                                  f"cannot be spaced {dep.min_gap}-{dep.max_gap} min before {dep.then}, "
                                  f"which may not move")
            continue
        if et - lf >= lo_gap and (hi_gap is None or lt - ef <= hi_gap):
            continue  # any two starts keep the gap already
        slack = lt - ef - lo_gap
        if slack < 0:
            continue  # the rule cannot be kept: the final check decides
        # first ends by the split: first's starts in [ef, x], then's in [x + lo_gap, lt].
        room_f, room_t = (lf - ef) * (busy[f] if busy else 1.0), (lt - et) * (busy[t] if busy else 1.0)
        x = ef + (int(slack * room_f / (room_f + room_t)) if room_f + room_t > 0 else 0)
        if f in keep and t in keep:
            kf, kt = visits[f].day * DAY + keep[f], visits[t].day * DAY + keep[t]
            if kf + lo_gap <= kt:
                x = max(kf, min(x, kt - lo_gap))  # both keep the minute they had
        x = max(ef, min(x, lt - lo_gap))
        af, bf = ef, min(lf, x)
        at, bt = max(et, bf + lo_gap), lt
        if hi_gap is not None and bt - af > hi_gap:
            # The far ends too far apart: the excess comes off both, in proportion to their room.
            excess = bt - af - hi_gap
            room_f, room_t = bf - af, bt - at
            if room_f + room_t < excess:
                continue
            cut_f = min(room_f, excess * room_f // max(1, room_f + room_t))
            af, bt = af + cut_f, bt - (excess - cut_f)
        win[f], win[t] = (af, bf), (at, bt)
    return {v: (lo - visits[v].day * DAY, hi - visits[v].day * DAY) for v, (lo, hi) in win.items()}, blocked
