"""Performed rows grouped into visits, linked to the planned visits they performed, and the new-face rule.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from app.audit.inputs import PlannedVisit
from app.audit.performed import PerformedRow

K = TypeVar("K", bound=Hashable)  # what a new face is reported against (a visit, an assignment)
C = TypeVar("C", bound=Hashable)  # a carer's id

LINK_SLACK_MINUTES = 120  # an unlabelled performed visit links to a planned one at most this far off



@dataclass(slots=True)
class VisitGroup:
    """One visit as it happened: the rows of the carers who attended it together."""

    citizen: str
    start: dt.datetime
    end: dt.datetime
    carers: list[str]
    rows: list[PerformedRow]
    label: str | None  # the planned visit id given in the file
    planned: PlannedVisit | None = None  # linked planned visit (given or inferred)
    need: str | None = None

    @property
    def minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)

    @property
    def start_minute(self) -> int:
        return self.start.hour * 60 + self.start.minute


def group_visits(rows: Iterable[PerformedRow]) -> list[VisitGroup]:
    """Rows of the same planned visit (or, without a visit id, same citizen and start) form one visit."""
    groups: dict[tuple[Any, ...], VisitGroup] = {}
    for r in rows:
        key: tuple[Any, ...] = (r.citizen, "v", r.visit) if r.visit else (r.citizen, "t", r.start)
        g = groups.get(key)
        if g is None:
            groups[key] = VisitGroup(
                citizen=r.citizen,
                start=r.start,
                end=r.end,
                carers=[r.carer],
                rows=[r],
                label=r.visit,
                need=r.need,
            )
        else:
            g.rows.append(r)
            if r.carer not in g.carers:
                g.carers.append(r.carer)
            g.start = min(g.start, r.start)
            g.end = max(g.end, r.end)
            g.need = g.need or r.need
    out = list(groups.values())
    out.sort(key=lambda g: (g.start, g.citizen))
    return out


def link_visits(groups: list[VisitGroup], planned: Mapping[str, PlannedVisit]) -> int:
    """Link performed visits to planned ones: by the id given, else the nearest free planned visit of the
    citizen that day (window containing the start first, same need preferred) within 2 hours.
    Returns how many performed visits stay unlinked."""
    if not planned:
        return len(groups)
    by_day: dict[tuple[str, dt.date], list[PlannedVisit]] = defaultdict(list)
    for pv in planned.values():
        by_day[(pv.citizen, pv.date)].append(pv)
    taken: set[str] = set()
    for g in groups:
        if g.label is not None and g.label in planned:
            g.planned = planned[g.label]
            taken.add(g.label)
    unlinked = 0
    for g in groups:
        if g.planned is not None:
            g.need = g.need or g.planned.need
            continue
        best: tuple[Any, ...] | None = None
        minute = g.start_minute
        for pv in by_day.get((g.citizen, g.start.date()), ()):
            if pv.id in taken:
                continue
            aim = pv.start if pv.start is not None else min(max(minute, pv.earliest), pv.latest)
            off = abs(minute - aim)
            in_window = pv.earliest <= minute <= pv.latest
            if off > LINK_SLACK_MINUTES and not in_window:
                continue
            score = (not in_window, g.need is not None and g.need != pv.need, off, pv.id)
            if best is None or score < best[0]:
                best = (score, pv)
        if best is None:
            unlinked += 1
            continue
        g.planned = best[1]
        taken.add(best[1].id)
        g.need = g.need or best[1].need
    return unlinked


def new_faces(events: Iterable[tuple[K, Hashable, dt.date, Iterable[C]]]) -> set[tuple[K, C]]:
    """The new-face rule, for the audit and the pages alike: from chronological events (key, citizen,
    day, carers), the (key, carer) pairs where the citizen meets a carer not met before in the data.
    The citizen's first day in the data has no history, so nothing on it counts as a new face."""
    known: dict[Hashable, set[C]] = defaultdict(set)
    first_day: dict[Hashable, dt.date] = {}
    out: set[tuple[K, C]] = set()
    for key, citizen, day, carers in events:
        fd = first_day.setdefault(citizen, day)
        seen = known[citizen]
        carers = list(carers)
        if day != fd:
            out.update((key, c) for c in carers if c not in seen)
        seen.update(carers)
    return out


def new_face_visits(groups: list[VisitGroup]) -> set[int]:
    """Visits where a carer came whom the citizen had not met before in the audited data."""
    return {key for key, _ in new_faces((id(g), g.citizen, g.start.date(), g.carers) for g in groups)}
