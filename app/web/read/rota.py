"""The team rota: carers as rows with their shifts and visit blocks per day, the unplaced visits, and per
citizen the distinct carers of the month against the cap. The new-face rule and its look-back are the
audit's (`app.audit.grouping.new_faces`, `app.services.audit.HISTORY_DAYS`), so the rota never counts
differently from a report."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.grouping import new_faces
from app.services.audit import HISTORY_DAYS
from app.web.read.plans import ShownPlan, month_bounds, shown_plan
from app.web.read.teams import cap_for
from models.core import (
    VISIT_PLANNED,
    Assignment,
    Carer,
    Citizen,
    Shift,
    Team,
    UnplacedVisit,
    Visit,
    assignment_carers,
)


@dataclass(slots=True)
class Block:
    """One visit as a block on a carer's timeline."""

    assignment_id: int
    visit_id: int
    visit_ext: str
    citizen_id: int
    citizen: str
    kind: str
    date: dt.date
    start: int
    duration: int
    carers: int
    pinned: bool
    contact: bool = False
    new_face: bool = False
    partners: list[str] = field(default_factory=list)


@dataclass(slots=True)
class RotaRow:
    carer_id: int
    name: str
    external_id: str
    shifts: dict[dt.date, list[tuple[int, int]]] = field(default_factory=lambda: defaultdict(list))
    blocks: dict[dt.date, list[Block]] = field(default_factory=lambda: defaultdict(list))
    contracted: int | None = None  # minutes a week by the carer's contract

    def minutes(self, day: dt.date) -> int:
        return sum(e - s for s, e in self.shifts.get(day, []))

    def planned_minutes(self) -> int:
        """The shifts' minutes over the days shown (a week on the week view)."""
        return sum(e - s for spans in self.shifts.values() for s, e in spans)

    def visit_minutes(self) -> int:
        return sum(b.duration for blocks in self.blocks.values() for b in blocks)


@dataclass(slots=True)
class CitizenCount:
    citizen_id: int
    name: str
    distinct: int
    cap: int
    contact: str | None
    contact_visits: int
    visits: int

    @property
    def state(self) -> str:
        return "over" if self.distinct > self.cap else ("at" if self.distinct == self.cap else "")


@dataclass(slots=True)
class Rota:
    team: Team
    days: list[dt.date]
    plan: ShownPlan
    rows: list[RotaRow]
    unplaced: list[dict[str, Any]]
    counts: list[CitizenCount]
    month: tuple[int, int]
    cap: int
    assigned: int = 0


def assignment_rows(
    session: Session, version_ids: list[int], citizen_ids: list[int], start: dt.date, end: dt.date
) -> list[Any]:
    if not version_ids or not citizen_ids:
        return []
    return list(
        session.execute(
            select(
                Assignment.id,
                Assignment.start,
                Assignment.pinned,
                Visit.id,
                Visit.external_id,
                Visit.date,
                Visit.duration,
                Visit.kind,
                Visit.carers,
                Visit.citizen_id,
                assignment_carers.c.carer_id,
            )
            .join(Visit, Visit.id == Assignment.visit_id)
            .join(assignment_carers, assignment_carers.c.assignment_id == Assignment.id)
            .where(
                Assignment.plan_version_id.in_(version_ids),
                Visit.citizen_id.in_(citizen_ids),
                Visit.date >= start,
                Visit.date <= end,
                Visit.status == VISIT_PLANNED,
            )
            .order_by(Visit.date, Assignment.start, Assignment.id)
        ).all()
    )


def rota(
    session: Session, *, team: Team, start: dt.date, end: dt.date, month: tuple[int, int] | None = None
) -> Rota:
    """Carers as rows with their shifts and visit blocks per day from `start` to `end` (inclusive), the
    unplaced visits of those days, and per citizen the distinct carers in `month` against the cap."""
    days = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
    month = month or (start.year, start.month)
    m_first, m_last = month_bounds(dt.date(month[0], month[1], 1))
    plan = shown_plan(session, team_id=team.id, start=min(start, m_first), end=max(end, m_last))
    cap = cap_for(session, team)

    carers = session.execute(
        select(Carer.id, Carer.name, Carer.external_id, Carer.contracted_minutes_per_week)
        .where(Carer.team_id == team.id)
        .order_by(Carer.name)
    ).all()
    rows = {c[0]: RotaRow(c[0], c[1], c[2], contracted=c[3]) for c in carers}
    names = {c[0]: c[1] for c in carers}
    for cid, date, s, e in session.execute(
        select(Shift.carer_id, Shift.date, Shift.start, Shift.end)
        .join(Carer, Carer.id == Shift.carer_id)
        .where(Carer.team_id == team.id, Shift.date >= start, Shift.date <= end)
        .order_by(Shift.start)
    ):
        rows[cid].shifts[date].append((s, e))

    citizens = session.execute(
        select(Citizen.id, Citizen.name, Citizen.contact_carer_id).where(Citizen.team_id == team.id)
    ).all()
    cit_name = {c[0]: c[1] for c in citizens}
    contact = {c[0]: c[2] for c in citizens}

    lo = min(start, m_first) - dt.timedelta(days=HISTORY_DAYS)
    hi = max(end, m_last)
    history = assignment_rows(session, plan.version_ids, list(cit_name), lo, hi)
    # (assignment, carer) where the citizen meets a new face: rows are ordered by date and start.
    faces = new_faces((r[0], r[9], r[5], (r[10],)) for r in history)

    by_assignment: dict[int, list[int]] = defaultdict(list)
    met: dict[int, set[int]] = defaultdict(set)
    visits_in_month: dict[int, set[int]] = defaultdict(set)
    contact_hits: dict[int, set[int]] = defaultdict(set)
    for r in history:
        by_assignment[r[0]].append(r[10])
        if m_first <= r[5] <= m_last:
            met[r[9]].add(r[10])
            visits_in_month[r[9]].add(r[3])
            if contact.get(r[9]) == r[10]:
                contact_hits[r[9]].add(r[3])
    assigned: set[int] = set()
    for r in history:
        aid, a_start, pinned, vid, vext, vdate, dur, kind, n, citizen, carer = r
        if not (start <= vdate <= end) or carer not in rows:
            continue
        assigned.add(vid)
        rows[carer].blocks[vdate].append(
            Block(
                assignment_id=aid,
                visit_id=vid,
                visit_ext=vext,
                citizen_id=citizen,
                citizen=cit_name[citizen],
                kind=kind,
                date=vdate,
                start=a_start,
                duration=dur,
                carers=n,
                pinned=pinned,
                contact=contact.get(citizen) == carer,
                new_face=(aid, carer) in faces,
                partners=[names.get(c, "?") for c in by_assignment[aid] if c != carer],
            )
        )

    unplaced: list[dict[str, Any]] = []
    if plan.version_ids:
        unplaced_rows = session.execute(
            select(
                Visit.id,
                Visit.external_id,
                Visit.date,
                Visit.earliest,
                Visit.latest,
                Visit.duration,
                Visit.kind,
                Visit.citizen_id,
                UnplacedVisit.reason,
                Citizen.external_id,
                Visit.priority,
            )
            .join(UnplacedVisit, UnplacedVisit.visit_id == Visit.id)
            .join(Citizen, Citizen.id == Visit.citizen_id)
            .where(
                UnplacedVisit.plan_version_id.in_(plan.version_ids),
                Visit.citizen_id.in_(list(cit_name)),
                Visit.date >= start,
                Visit.date <= end,
                Visit.status == VISIT_PLANNED,
            )
            .order_by(Visit.date, Visit.priority, Visit.earliest)
        )
        for vid, vext, vdate, earliest, latest, dur, kind, citizen, reason, citizen_ext, prio in (
                unplaced_rows):
            unplaced.append(
                {
                    "visit_id": vid,
                    "visit": vext,
                    "date": vdate,
                    "earliest": earliest,
                    "latest": latest,
                    "duration": dur,
                    "kind": kind,
                    "citizen_id": citizen,
                    "citizen": cit_name[citizen],
                    "reason": reason,
                    "citizen_ext": citizen_ext,
                    "priority": prio,
                }
            )

    counts = [
        CitizenCount(
            citizen_id=cid,
            name=cit_name[cid],
            distinct=len(met.get(cid, ())),
            cap=cap,
            contact=names.get(contact[cid] or 0) if contact.get(cid) else None,
            contact_visits=len(contact_hits.get(cid, ())),
            visits=len(visits_in_month.get(cid, ())),
        )
        for cid in sorted(cit_name, key=lambda c: (-len(met.get(c, ())), cit_name[c]))
    ]
    return Rota(
        team=team,
        days=days,
        plan=plan,
        rows=list(rows.values()),
        unplaced=unplaced,
        counts=counts,
        month=month,
        cap=cap,
        assigned=len(assigned),
    )
