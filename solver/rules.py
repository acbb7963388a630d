"""The hard rules of a plan, each one named function: a plan that breaks one is not shipped.

1. `skills_allow`: a carer has every skill the visit needs;
2. `avoid_allows`: the carer is not on the citizen's avoid list;
3. `window_allows`: a visit starts inside its time window;
4. `attendance_ok`: a visit gets as many distinct carers as it needs (a double visit's two start
   together: they share one assignment);
5. `arrives_in_time` and `back_in_time`: within a shift, a carer drives from base to each home and
   back to base in time;
6. `cap_allows`: the monthly cap on distinct carers per citizen (`cap_room`: how many more it allows);
7. `break_start`: a shift with a break window and a visit holds an unbroken pause, no visit and no
   travel in it, starting inside the window;
8. `spacing_allows`: spaced visits (a dependency) start within their gap of each other.

The planner's own steps (the index, the routes, the hand-over, routing, the CP-SAT model, the final
check) decide by these functions; they take plain numbers and sets so any of them can.
"""

from __future__ import annotations

from collections.abc import Collection


def skills_allow(carer_skills: Collection[str], needed: Collection[str]) -> bool:
    """Rule 1: the carer has every skill the visit needs."""
    return all(s in carer_skills for s in needed)


def avoid_allows(avoid: Collection[str], carer: str) -> bool:
    """Rule 2: the carer is not on the citizen's avoid list."""
    return carer not in avoid


def window_allows(earliest: int, latest: int, start: int) -> bool:
    """Rule 3: the visit starts inside its window."""
    return earliest <= start <= latest


def attendance_ok(needed: int, carers: Collection[str]) -> bool:
    """Rule 4: exactly `needed` carers, all different."""
    return len(carers) == needed and len(set(carers)) == len(carers)


def arrives_in_time(free_at: int, drive: int, start: int) -> bool:
    """Rule 5: a carer free at `free_at` who drives `drive` minutes is there by `start`."""
    return free_at + drive <= start


def back_in_time(done_at: int, drive: int, shift_end: int) -> bool:
    """Rule 5: a carer done at `done_at` who drives `drive` minutes is back at base by the shift's end."""
    return done_at + drive <= shift_end


def cap_allows(faces: int, cap: int) -> bool:
    """Rule 6, the monthly cap: a citizen may meet `faces` distinct carers in a month. Counted once
    with everyone met (history included) and once with the plan's own faces alone, as the verifier
    knows no history and history may already pass the cap."""
    return faces <= cap


def cap_room(faces: int, cap: int) -> int:
    """Rule 6: how many more distinct carers the cap allows a citizen who meets `faces` this month."""
    return max(0, cap - faces)


def break_start(gaps: Collection[tuple[int, int]], earliest: int, latest: int, duration: int) -> int | None:
    """Rule 7: where the break can start, or None. `gaps` are the shift's idle spans (free from, must
    leave by): the shift's start to the first departure, each visit's end to the next departure, the
    last visit's end to the departure for base. Travel is taken just before the next visit, so the
    pause may lie anywhere in a span. The earliest start that fits."""
    starts = [max(free, earliest) for free, leave in gaps
              if max(free, earliest) <= min(leave - duration, latest)]
    return min(starts, default=None)


def spacing_allows(first_end: int, then_start: int, min_gap: int, max_gap: int | None) -> bool:
    """Rule 8: `then` starts between `min_gap` and `max_gap` minutes after `first` ends (both in minutes
    from the plan's first midnight: day * 1440 + minute)."""
    gap = then_start - first_end
    return gap >= min_gap and (max_gap is None or gap <= max_gap)
