"""Apply homecare-changes/1 to a Problem, with the reference semantics of shared/tools/apply_changes.py.

Pure: no database, no files. The order of carers, visits and shifts after a change follows the reference
exactly (a substitute is appended, a day's new shifts come after the carer's other shifts, an added visit
comes last), so `problem_to_instance(apply_changes(...))` equals the reference's adjusted instance.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from typing import Any

from exchange import parse_instance, problem_to_instance, to_problem
from exchange.changes import (
    CarerAbsent,
    CarerAdd,
    ChangeSet,
    CitizenAway,
    ShiftSet,
    VisitAdd,
    VisitCancel,
    VisitDuration,
    VisitWindow,
    parse_changes,
)
from solver import types as st


def break_of_doc(shift: Any) -> st.BreakWindow | None:
    """A shift document's break window (its latest start at most the last that fits in the shift)."""
    b = getattr(shift, "break_", None)
    if b is None:
        return None
    return st.BreakWindow(earliest=b.earliest, latest=min(b.latest, shift.end - b.duration),
                          duration=b.duration)


def _carer_from_doc(doc: Any) -> st.Carer:
    return st.Carer(
        id=doc.id, team=doc.team, skills=frozenset(doc.skills),
        shifts=tuple(st.Shift(day=s.day, start=s.start, end=s.end, break_window=break_of_doc(s))
                     for s in doc.shifts),
        contracted_minutes_per_week=doc.contracted_minutes_per_week, travel_mode=doc.travel_mode,
    )


def _visit_from_doc(doc: Any) -> st.Visit:
    return st.Visit(id=doc.id, citizen=doc.citizen, need=doc.need, day=doc.day, earliest=doc.earliest,
                    latest=doc.latest, duration=doc.duration, carers=doc.carers, skills=frozenset(doc.skills),
                    priority=doc.priority)


def kept_break(old: Sequence[st.BreakWindow | None], start: int, end: int) -> st.BreakWindow | None:
    """The break a changed shift of `start`-`end` keeps from the day's old shifts: the first old break
    window that still fits in it (its latest start as the latest that fits), else none. A carer whose
    hours change keeps the break the working-time rules give them."""
    for b in old:
        if b is not None and b.earliest >= start and b.earliest + b.duration <= end:
            return st.BreakWindow(earliest=b.earliest, latest=min(b.latest, end - b.duration),
                                  duration=b.duration)
    return None


def days_of_change(ch: Any, day_of: dict[str, int]) -> list[int]:
    """The days one change concerns (a visit's day from `day_of`, which an added visit extends)."""
    if isinstance(ch, CarerAbsent | CitizenAway):
        return [ch.from_day, ch.to_day]
    if isinstance(ch, ShiftSet):
        return [ch.day]
    if isinstance(ch, CarerAdd):
        return [s.day for s in ch.carer.shifts]
    if isinstance(ch, VisitAdd):
        day_of[ch.visit.id] = ch.visit.day
        return [ch.visit.day]
    if isinstance(ch, VisitDuration | VisitWindow | VisitCancel) and ch.visit in day_of:
        return [day_of[ch.visit]]
    return []


def changed_days(cs: ChangeSet, problem: st.Problem) -> tuple[int, int] | None:
    """The smallest day range that holds every change (None for an empty change list)."""
    day_of = {v.id: v.day for v in problem.visits}
    days = [d for ch in cs.changes for d in days_of_change(ch, day_of)]
    return (min(days), max(days)) if days else None


def replan_range(cs: ChangeSet, problem: st.Problem) -> tuple[int, int]:
    """The days a re-plan may change: as the change file says, else the days the changes touch."""
    if cs.replan_days is not None:
        return cs.replan_days
    return changed_days(cs, problem) or (0, problem.days - 1)


def apply_changes(problem: st.Problem, cs: ChangeSet) -> st.Problem:
    """The adjusted problem. `current` and `pinned` lose the visits that no longer exist; everything else
    (met_before, travel) is kept. `replan_days` is set to the change set's range."""
    carers: dict[str, st.Carer] = {c.id: c for c in problem.carers}
    visits: dict[str, st.Visit] = {v.id: v for v in problem.visits}
    for ch in cs.changes:
        if isinstance(ch, CarerAbsent):
            c = carers[ch.carer]
            carers[c.id] = dataclasses.replace(
                c, shifts=tuple(s for s in c.shifts if not ch.from_day <= s.day <= ch.to_day))
        elif isinstance(ch, ShiftSet):
            c = carers[ch.carer]
            kept = tuple(s for s in c.shifts if s.day != ch.day)
            old = [s.break_window for s in c.shifts if s.day == ch.day]
            new = tuple(st.Shift(day=ch.day, start=s.start, end=s.end,
                                 break_window=kept_break(old, s.start, s.end)) for s in ch.shifts)
            carers[c.id] = dataclasses.replace(c, shifts=kept + new)
        elif isinstance(ch, CarerAdd):
            carers[ch.carer.id] = _carer_from_doc(ch.carer)
        elif isinstance(ch, VisitDuration):
            visits[ch.visit] = dataclasses.replace(visits[ch.visit], duration=ch.duration)
        elif isinstance(ch, VisitWindow):
            visits[ch.visit] = dataclasses.replace(visits[ch.visit], earliest=ch.earliest, latest=ch.latest)
        elif isinstance(ch, VisitCancel):
            visits.pop(ch.visit)
        elif isinstance(ch, CitizenAway):
            for vid in [v.id for v in visits.values()
                        if v.citizen == ch.citizen and ch.from_day <= v.day <= ch.to_day]:
                visits.pop(vid)
        elif isinstance(ch, VisitAdd):
            visits[ch.visit.id] = _visit_from_doc(ch.visit)
    return dataclasses.replace(
        problem,
        carers=list(carers.values()),
        visits=list(visits.values()),
        current=[a for a in problem.current if a.visit in visits],
        pinned=[a for a in problem.pinned if a.visit in visits],
        # A spacing binds only while both its visits are there (a cancelled one frees the other).
        dependencies=[d for d in problem.dependencies if d.first in visits and d.then in visits],
        met_before=dict(problem.met_before),
        replan_days=replan_range(cs, problem),
    )


def touched(problem: st.Problem, cs: ChangeSet) -> set[str]:
    """Visits a change names directly, or that a citizen's absence removes (reference `touched`)."""
    ids: set[str] = set()
    for ch in cs.changes:
        if isinstance(ch, VisitDuration | VisitWindow | VisitCancel):
            ids.add(ch.visit)
        elif isinstance(ch, VisitAdd):
            ids.add(ch.visit.id)
        elif isinstance(ch, CitizenAway):
            ids |= {v.id for v in problem.visits
                    if v.citizen == ch.citizen and ch.from_day <= v.day <= ch.to_day}
    return ids


def forced_visits(problem: st.Problem, adjusted: st.Problem, cs: ChangeSet,
                  current: Iterable[st.Assignment]) -> set[str]:
    """Visits the changes force to move: the ones they name, plus those whose planned carer is no longer on
    shift that day (as the reference's `disturb` counts them)."""
    forced = touched(problem, cs)
    on_shift = {(c.id, s.day) for c in adjusted.carers for s in c.shifts}
    day_of = {v.id: v.day for v in adjusted.visits}
    for a in current:
        d = day_of.get(a.visit)
        if d is not None and any((c, d) not in on_shift for c in a.carers):
            forced.add(a.visit)
    return forced


def apply_to_instance(instance: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """The adjusted instance document (what `apply_changes.py apply` prints). Raises ExchangeError."""
    problem = to_problem(parse_instance(instance))
    cs = parse_changes(changes, problem)
    return problem_to_instance(apply_changes(problem, cs))
