"""The team rota: carers as rows with their shifts and visit blocks per day, the unplaced visits, and per
citizen the distinct carers of the month against the cap. The new-face rule and its look-back are the
audit's (`app.audit.grouping.new_faces`, `app.services.audit.HISTORY_DAYS`), so the rota never counts
differently from a report."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any, TypeAlias

from sqlalchemy import BindParameter, ColumnElement, Select, bindparam, select
from sqlalchemy.orm import Session

from app.audit.grouping import new_faces
from app.services.audit import HISTORY_DAYS
from app.web.read import row_versions
from app.web.read.plans import ShownPlan, month_bounds, shown_plan
from app.web.read.row_versions import PageCache
from app.web.read.teams import cap_for
from models.core import (
    VISIT_PLANNED,
    Assignment,
    Carer,
    Citizen,
    Municipality,
    Shift,
    Team,
    UnplacedVisit,
    Visit,
    assignment_carers,
)

# A select of rows of any columns.
RowsStmt: TypeAlias = Select[*tuple[Any, ...]]


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
    # What pages made from this read (the week's timelines per language), kept with it in the cache.
    views: dict[Any, Any] = field(default_factory=dict)


# A placed visit's row as the rota and the carer's day read it, in this order: (assignment, start,
# pinned, visit, visit external id, date, duration, kind, carers, citizen).
PLACED_VISIT = (Assignment.id, Assignment.start, Assignment.pinned, Visit.id, Visit.external_id, Visit.date,
                Visit.duration, Visit.kind, Visit.carers, Visit.citizen_id)


def planned_visits_of(
    citizen_ids: list[int] | RowsStmt, start: dt.date | BindParameter[Any], end: dt.date | BindParameter[Any],
) -> tuple[ColumnElement[bool], ...]:
    """Visits still to be made of these citizens from `start` to `end`: what a plan's placed and
    unplaced rows are read for."""
    return (Visit.citizen_id.in_(citizen_ids), Visit.date >= start, Visit.date <= end,
            Visit.status == VISIT_PLANNED)


def assignment_rows_stmt(
    version_ids: list[int] | BindParameter[Any], citizen_ids: list[int] | RowsStmt,
    start: dt.date | BindParameter[Any], end: dt.date | BindParameter[Any], *, carer_names: bool = False,
) -> RowsStmt:
    """(assignment, start, pinned, visit, visit external id, date, duration, kind, carers, citizen, carer)
    of these plan versions' planned visits of these citizens from `start` to `end`, one row per carer,
    by date and start; with `carer_names` the carer's name last."""
    stmt = (
        select(*PLACED_VISIT, assignment_carers.c.carer_id)
        .join(Visit, Visit.id == Assignment.visit_id)
        .join(assignment_carers, assignment_carers.c.assignment_id == Assignment.id)
        .where(Assignment.plan_version_id.in_(version_ids),
               *planned_visits_of(citizen_ids, start, end))
        .order_by(Visit.date, Assignment.start, Assignment.id)
    )
    if carer_names:
        stmt = stmt.add_columns(Carer.name).join(Carer, Carer.id == assignment_carers.c.carer_id)
    return stmt


def assignment_rows(
    session: Session, version_ids: list[int], citizen_ids: list[int], start: dt.date, end: dt.date, *,
    carer_names: bool = False,
) -> list[Any]:
    if not version_ids or not citizen_ids:
        return []
    return list(session.execute(
        assignment_rows_stmt(version_ids, citizen_ids, start, end, carer_names=carer_names)).all())


def _carers_stmt(team_id: int | BindParameter[Any]) -> RowsStmt:
    return (
        select(Carer.id, Carer.name, Carer.external_id, Carer.contracted_minutes_per_week)
        .where(Carer.team_id == team_id)
        .order_by(Carer.name)
    )


def _shifts_stmt(team_id: int | BindParameter[Any], start: dt.date | BindParameter[Any],
                 end: dt.date | BindParameter[Any]) -> RowsStmt:
    return (
        select(Shift.carer_id, Shift.date, Shift.start, Shift.end)
        .join(Carer, Carer.id == Shift.carer_id)
        .where(Carer.team_id == team_id, Shift.date >= start, Shift.date <= end)
        .order_by(Shift.start)
    )


def _citizens_stmt(team_id: int | BindParameter[Any]) -> RowsStmt:
    return select(Citizen.id, Citizen.name, Citizen.contact_carer_id).where(Citizen.team_id == team_id)


def _unplaced_stmt(
    version_ids: list[int] | BindParameter[Any], citizen_ids: list[int] | RowsStmt,
    start: dt.date | BindParameter[Any], end: dt.date | BindParameter[Any],
) -> RowsStmt:
    return (
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
        .where(UnplacedVisit.plan_version_id.in_(version_ids),
               *planned_visits_of(citizen_ids, start, end))
        .order_by(Visit.date, Visit.priority, Visit.earliest)
    )


@cache
def _stamp_parts() -> list[tuple[RowsStmt, tuple[str, ...]]]:
    """Every read of `_read_rota` with its tables, by bound parameters (made once: building the
    statements costs more than the database takes to answer them)."""
    team_id: BindParameter[int] = bindparam("team_id")
    start: BindParameter[dt.date] = bindparam("start")
    end: BindParameter[dt.date] = bindparam("end")
    lo: BindParameter[dt.date] = bindparam("lo")
    hi: BindParameter[dt.date] = bindparam("hi")
    version_ids: BindParameter[Any] = bindparam("version_ids", expanding=True)
    # The team's citizens as a subquery: the stamps come before the reads that list them.
    team_citizens = select(Citizen.id).where(Citizen.team_id == team_id).correlate(None)
    return [
        (_carers_stmt(team_id), ("carers",)),
        (_shifts_stmt(team_id, start, end), ("shifts", "carers")),
        (_citizens_stmt(team_id), ("citizens",)),
        (assignment_rows_stmt(version_ids, team_citizens, lo, hi),
         ("assignments", "visits", "assignment_carers")),
        (_unplaced_stmt(version_ids, team_citizens, start, end), ("visits", "unplaced_visits", "citizens")),
        (select(Municipality.id), ("municipality",)),
    ]


# The rotas last read, per server process: a team's week is the same for everyone who opens it until
# something it shows is written, and reading it again costs the most of any page.
ROTAS: PageCache[Rota] = PageCache(64)


def rota(
    session: Session, *, team: Team, start: dt.date, end: dt.date, month: tuple[int, int] | None = None
) -> Rota:
    """Carers as rows with their shifts and visit blocks per day from `start` to `end` (inclusive), the
    unplaced visits of those days, and per citizen the distinct carers in `month` against the cap.

    The same rota again comes from `ROTAS` when the stamps of every read below (`row_versions`) are
    the ones it was made with: any write to what it shows, by any path, moves them."""
    month = month or (start.year, start.month)
    m_first, m_last = month_bounds(dt.date(month[0], month[1], 1))
    plan = shown_plan(session, team_id=team.id, start=min(start, m_first), end=max(end, m_last))
    lo = min(start, m_first) - dt.timedelta(days=HISTORY_DAYS)
    hi = max(end, m_last)
    stamp = row_versions.stamps(session, _stamp_parts(), {
        "team_id": team.id, "start": start, "end": end, "lo": lo, "hi": hi, "version_ids": plan.version_ids})
    key = None
    if stamp is not None:
        key = (team.id, team.max_carers_per_month, start, end, month, tuple(plan.version_ids), plan.label,
               plan.status, plan.plan_id, plan.start, plan.end, stamp)
        cached = ROTAS.get(key)
        if cached is not None:
            return replace(cached, team=team, plan=plan)
    data = _read_rota(session, team=team, start=start, end=end, month=month, plan=plan, lo=lo, hi=hi)
    if key is not None:
        ROTAS.put(key, data, replaces=key[:5])
    return data


def _read_rota(session: Session, *, team: Team, start: dt.date, end: dt.date, month: tuple[int, int],
               plan: ShownPlan, lo: dt.date, hi: dt.date) -> Rota:
    days = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
    m_first, m_last = month_bounds(dt.date(month[0], month[1], 1))
    cap = cap_for(session, team)

    carers = session.execute(_carers_stmt(team.id)).all()
    rows = {c[0]: RotaRow(c[0], c[1], c[2], contracted=c[3]) for c in carers}
    names = {c[0]: c[1] for c in carers}
    for cid, date, s, e in session.execute(_shifts_stmt(team.id, start, end)):
        rows[cid].shifts[date].append((s, e))

    citizens = session.execute(_citizens_stmt(team.id)).all()
    cit_name = {c[0]: c[1] for c in citizens}
    contact = {c[0]: c[2] for c in citizens}

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
        unplaced_rows = session.execute(_unplaced_stmt(plan.version_ids, list(cit_name), start, end))
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
