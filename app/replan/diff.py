"""What a re-plan changed, for a coordinator to read before applying it: visits moved, carers changed per
citizen, new faces introduced, visits left unplaced (with the planner's reasons).

Pure: compares two lists of assignments on the adjusted problem. A "new face" is a carer a citizen meets in
the new plan in a calendar month without having met them in that month in the old plan (nor before the
plan's first day, `met_before`): exactly what puts a stranger in an old person's door.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from solver import types as st


@dataclass(frozen=True, slots=True)
class MovedVisit:
    visit: str
    citizen: str
    day: int
    old_carers: tuple[str, ...]
    old_start: int | None  # None: it was not planned before (added, or unplaced before)
    new_carers: tuple[str, ...]
    new_start: int | None  # None: it is unplaced now
    forced: bool  # a change named it or took its carer away


@dataclass(frozen=True, slots=True)
class CitizenCarers:
    citizen: str
    added: tuple[str, ...]  # carers who come in the re-planned days now and did not before
    removed: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class NewFace:
    citizen: str
    carer: str
    month: str  # "2026-12"
    visit: str  # the first visit where they meet
    day: int


@dataclass(frozen=True, slots=True)
class UnplacedVisit:
    visit: str
    citizen: str
    day: int
    reason: str
    was_planned: bool


@dataclass(slots=True)
class PlanDiff:
    moved: list[MovedVisit] = field(default_factory=list)
    carers_changed: list[CitizenCarers] = field(default_factory=list)
    new_faces: list[NewFace] = field(default_factory=list)
    unplaced: list[UnplacedVisit] = field(default_factory=list)  # in the re-planned days
    kept: int = 0  # planned before and after, same carers and start
    forced: int = 0  # visits the changes forced (reference count: named by a change, or carer gone)
    moved_forced: int = 0
    moved_unforced: int = 0  # inside the re-plan days, although nothing forced them
    moved_outside_days: int = 0  # must be 0
    removed: int = 0  # planned before, no longer in the problem (cancelled, citizen away)

    def summary(self) -> dict[str, int]:
        return {"kept": self.kept, "forced": self.forced, "moved_forced": self.moved_forced,
                "moved_unforced": self.moved_unforced, "moved_outside_days": self.moved_outside_days,
                "removed": self.removed, "new_faces": len(self.new_faces), "unplaced": len(self.unplaced),
                "newly_unplaced": sum(u.was_planned for u in self.unplaced),
                "citizens_with_changed_carers": len(self.carers_changed)}

    def to_dict(self) -> dict[str, Any]:
        return {"summary": self.summary(), "moved": [asdict(m) for m in self.moved],
                "carers_changed": [asdict(c) for c in self.carers_changed],
                "new_faces": [asdict(n) for n in self.new_faces],
                "unplaced": [asdict(u) for u in self.unplaced]}

    def text(self) -> str:
        """A few lines for a terminal."""
        s = self.summary()
        lines = [f"kept {s['kept']}, moved {s['moved_forced'] + s['moved_unforced']} "
                 f"({s['moved_forced']} forced, {s['moved_unforced']} not forced), "
                 f"outside the re-plan days {s['moved_outside_days']}, removed {s['removed']}",
                 f"new faces {s['new_faces']}, unplaced in the days {s['unplaced']} "
                 f"({s['newly_unplaced']} planned before), "
                 f"citizens whose carers changed {s['citizens_with_changed_carers']}"]
        lines += [f"  new face: {n.citizen} meets {n.carer} ({n.visit})" for n in self.new_faces[:20]]
        lines += [f"  unplaced{' (was planned)' if u.was_planned else ''}: {u.visit}: {u.reason}"
                  for u in self.unplaced[:20]]
        return "\n".join(lines)


def _month(problem: st.Problem, day: int) -> str:
    y, m = problem.month_of(day)
    return f"{y}-{m:02d}"


def diff_plans(adjusted: st.Problem, old: Iterable[st.Assignment], new: st.Plan, *,
               forced: set[str], days: tuple[int, int] | None = None) -> PlanDiff:
    """Compare the plan before (`old`, on the original problem) with the re-plan `new` (on `adjusted`)."""
    visits = {v.id: v for v in adjusted.visits}
    lo, hi = days or adjusted.replan_days or (0, adjusted.days - 1)
    old_a = {a.visit: a for a in old}
    new_a = {a.visit: a for a in new.assignments}
    out = PlanDiff(forced=len(forced))

    for vid, a in old_a.items():
        v = visits.get(vid)
        if v is None:
            out.removed += 1
            continue
        b = new_a.get(vid)
        if b is not None and sorted(b.carers) == sorted(a.carers) and b.start == a.start:
            out.kept += 1
            continue
        is_forced = vid in forced
        out.moved.append(MovedVisit(
            visit=vid, citizen=v.citizen, day=v.day, old_carers=tuple(a.carers), old_start=a.start,
            new_carers=tuple(b.carers) if b else (), new_start=b.start if b else None, forced=is_forced))
        if is_forced:
            out.moved_forced += 1
        elif lo <= v.day <= hi:
            out.moved_unforced += 1
        else:
            out.moved_outside_days += 1
    for vid, b in new_a.items():
        if vid not in old_a and vid in visits:
            v = visits[vid]
            out.moved.append(MovedVisit(
                visit=vid, citizen=v.citizen, day=v.day, old_carers=(), old_start=None,
                new_carers=tuple(b.carers), new_start=b.start, forced=vid in forced))
    out.moved.sort(key=lambda m: (m.day, m.citizen, m.visit))

    # Carers per citizen inside the re-planned days, before and after.
    def carers_in_days(assignments: dict[str, st.Assignment]) -> dict[str, set[str]]:
        got: dict[str, set[str]] = defaultdict(set)
        for vid, a in assignments.items():
            v = visits.get(vid)
            if v is not None and lo <= v.day <= hi:
                got[v.citizen].update(a.carers)
        return got

    before, after = carers_in_days(old_a), carers_in_days(new_a)
    for citizen in sorted(set(before) | set(after)):
        added = tuple(sorted(after[citizen] - before[citizen]))
        removed = tuple(sorted(before[citizen] - after[citizen]))
        if added or removed:
            out.carers_changed.append(CitizenCarers(citizen=citizen, added=added, removed=removed))

    # New faces: met in the new plan in a month, not in the old plan in that month nor before the plan.
    met_old: dict[tuple[str, str], set[str]] = defaultdict(set)
    for (citizen, (y, m)), cs in adjusted.met_before.items():
        met_old[(citizen, f"{y}-{m:02d}")].update(cs)
    for vid, a in old_a.items():
        ov = visits.get(vid)
        if ov is None:
            continue  # a removed visit's carers would have been met only if it took place; it will not
        met_old[(ov.citizen, _month(adjusted, ov.day))].update(a.carers)
    seen: set[tuple[str, str, str]] = set()
    for b in sorted(new_a.values(), key=lambda a: (visits[a.visit].day, a.start, a.visit)
                    if a.visit in visits else (0, 0, a.visit)):
        v = visits.get(b.visit)
        if v is None:
            continue
        month = _month(adjusted, v.day)
        for c in b.carers:
            key = (v.citizen, c, month)
            if c not in met_old[(v.citizen, month)] and key not in seen:
                seen.add(key)
                out.new_faces.append(NewFace(citizen=v.citizen, carer=c, month=month, visit=v.id, day=v.day))

    for u in new.unplaced:
        v = visits.get(u.visit)
        if v is not None and lo <= v.day <= hi:  # outside the days nothing could change
            out.unplaced.append(UnplacedVisit(visit=u.visit, citizen=v.citizen, day=v.day, reason=u.reason,
                                              was_planned=u.visit in old_a))
    out.unplaced.sort(key=lambda u: (not u.was_planned, u.day, u.visit))  # newly unplaced first
    return out
