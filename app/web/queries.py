"""Read models the pages need and no service offers yet: the rota grid, a carer's day, a citizen's page.

These are the "smallest additions" the web issue may make (the lead knows): read-only, one query per
table, shaped for the templates. Everything that changes data goes through the services; the travel
minutes come from the solver's own `Travel` (FORMAT.md's formula), the new-face rule and its look-back
from the audit (`app.audit.grouping.new_faces`, `app.services.audit.HISTORY_DAYS`), so a page never
counts differently from a report.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.audit.grouping import new_faces
from app.mapping import travel_spec
from app.security import scope_filter
from app.services import core as services_core
from app.services.audit import HISTORY_DAYS  # the audit's look-back for a "new face"
from models.core import (
    PLAN_ACCEPTED,
    PLAN_DRAFT,
    VISIT_PLANNED,
    Assignment,
    Carer,
    Citizen,
    Need,
    Plan,
    PlanVersion,
    Shift,
    Team,
    UnplacedVisit,
    User,
    Visit,
    assignment_carers,
    plan_teams,
)
from solver.travel import Travel


def month_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    first = day.replace(day=1)
    nxt = dt.date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    return first, nxt - dt.timedelta(days=1)


def team_cards(session: Session, *, user: User) -> list[dict[str, Any]]:
    """The teams the user sees, with head counts, for the team list."""
    carers = (select(Carer.team_id, func.count().label("n")).group_by(Carer.team_id)).subquery()
    citizens = (select(Citizen.team_id, func.count().label("n")).group_by(Citizen.team_id)).subquery()
    rows = session.execute(
        select(
            Team.id, Team.name, Team.external_id, func.coalesce(carers.c.n, 0), func.coalesce(citizens.c.n, 0)
        )
        .outerjoin(carers, carers.c.team_id == Team.id)
        .outerjoin(citizens, citizens.c.team_id == Team.id)
        .where(scope_filter(Team.id, user))
        .order_by(Team.name)
    ).all()
    return [{"id": r[0], "name": r[1], "external_id": r[2], "carers": r[3], "citizens": r[4]} for r in rows]


def cap_for(session: Session, team: Team) -> int:
    return services_core.cap_for_teams(session, teams=[team])


def travel_for(session: Session, points: dict[str, tuple[float, float]]) -> Travel:
    """Travel as the planner times it (an imported matrix's legs where there are some)."""
    return Travel(travel_spec(session, points=points), points)


# --- which plan a page shows -------------------------------------------------------------------------


@dataclass(slots=True)
class ShownPlan:
    """The plan versions a page shows for a team and a date range: every accepted version of a plan that
    covers the team and overlaps the range; if there is none, the newest draft (marked as such)."""

    version_ids: list[int]
    label: str = ""  # "Plan name, version 3"
    status: str = ""
    plan_id: int | None = None

    @property
    def empty(self) -> bool:
        return not self.version_ids


def shown_plan(session: Session, *, team_id: int, start: dt.date, end: dt.date) -> ShownPlan:
    rows = session.execute(
        select(PlanVersion.id, PlanVersion.status, PlanVersion.number, Plan.name, Plan.id)
        .join(Plan, Plan.id == PlanVersion.plan_id)
        .join(plan_teams, plan_teams.c.plan_id == Plan.id)
        .where(
            plan_teams.c.team_id == team_id,
            Plan.start_date <= end,
            Plan.end_date >= start,
            PlanVersion.status.in_((PLAN_ACCEPTED, PLAN_DRAFT)),
        )
        .order_by(PlanVersion.created_at.desc(), PlanVersion.id.desc())
    ).all()
    accepted = [r for r in rows if r[1] == PLAN_ACCEPTED]
    if accepted:
        r = accepted[0]
        return ShownPlan([a[0] for a in accepted], f"{r[3]}", PLAN_ACCEPTED, r[4])
    if rows:
        r = rows[0]
        return ShownPlan([r[0]], f"{r[3]}", PLAN_DRAFT, r[4])
    return ShownPlan([])


# --- the rota ----------------------------------------------------------------------------------------


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

    def minutes(self, day: dt.date) -> int:
        return sum(e - s for s, e in self.shifts.get(day, []))


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


def _assignment_rows(
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
        select(Carer.id, Carer.name, Carer.external_id).where(Carer.team_id == team.id).order_by(Carer.name)
    ).all()
    rows = {c[0]: RotaRow(c[0], c[1], c[2]) for c in carers}
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
    history = _assignment_rows(session, plan.version_ids, list(cit_name), lo, hi)
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
        for vid, vext, vdate, earliest, latest, dur, kind, citizen, reason in session.execute(
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
            )
            .join(UnplacedVisit, UnplacedVisit.visit_id == Visit.id)
            .where(
                UnplacedVisit.plan_version_id.in_(plan.version_ids),
                Visit.citizen_id.in_(list(cit_name)),
                Visit.date >= start,
                Visit.date <= end,
                Visit.status == VISIT_PLANNED,
            )
            .order_by(Visit.date, Visit.earliest)
        ):
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


# --- a carer's day -----------------------------------------------------------------------------------


@dataclass(slots=True)
class Stop:
    kind: str  # "base_out", "visit", "base_in"
    time: int  # arrival/start minute
    end: int | None = None
    travel: int = 0  # minutes from the previous stop
    block: Block | None = None
    address: str | None = None


def carer_day(session: Session, *, carer: Carer, day: dt.date) -> dict[str, Any]:
    """The carer's route that day, shift by shift: base, visits in start order with travel, base."""
    team = carer.team
    shifts = session.execute(
        select(Shift.start, Shift.end)
        .where(Shift.carer_id == carer.id, Shift.date == day)
        .order_by(Shift.start)
    ).all()
    plan = shown_plan(session, team_id=team.id, start=day, end=day)
    rows = session.execute(
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
            Citizen.name,
            Citizen.lat,
            Citizen.lon,
            Citizen.contact_carer_id,
            Citizen.address,
            Citizen.external_id,
        )
        .join(Visit, Visit.id == Assignment.visit_id)
        .join(Citizen, Citizen.id == Visit.citizen_id)
        .join(assignment_carers, assignment_carers.c.assignment_id == Assignment.id)
        .where(
            Assignment.plan_version_id.in_(plan.version_ids or [-1]),
            assignment_carers.c.carer_id == carer.id,
            Visit.date == day,
            Visit.status == VISIT_PLANNED,
        )
        .order_by(Assignment.start)
    ).all()
    points = {f"team:{team.id}": (team.lat, team.lon)}
    for r in rows:
        points[f"cit:{r[9]}"] = (r[11], r[12])
    travel = travel_for(session, points)
    partner_rows = session.execute(
        select(assignment_carers.c.assignment_id, Carer.name)
        .join(Carer, Carer.id == assignment_carers.c.carer_id)
        .where(assignment_carers.c.assignment_id.in_([r[0] for r in rows] or [-1]), Carer.id != carer.id)
    ).all()
    partners: dict[int, list[str]] = defaultdict(list)
    for aid, name in partner_rows:
        partners[aid].append(name)

    def block(r: Any) -> Block:
        return Block(
            assignment_id=r[0],
            visit_id=r[3],
            visit_ext=r[4],
            citizen_id=r[9],
            citizen=r[10],
            kind=r[7],
            date=r[5],
            start=r[1],
            duration=r[6],
            carers=r[8],
            pinned=r[2],
            contact=r[13] == carer.id,
            partners=partners.get(r[0], []),
        )

    base = f"team:{team.id}"
    legs: list[dict[str, Any]] = []
    remaining = list(rows)
    spans = [(s, e) for s, e in shifts] or ([(rows[0][1], rows[-1][1] + rows[-1][6])] if rows else [])
    total_travel = 0
    for s, e in spans:
        inside = [r for r in remaining if s <= r[1] < e]
        remaining = [r for r in remaining if r not in inside]
        stops: list[Stop] = [Stop("base_out", s)]
        here = base
        for r in inside:
            t = travel.minutes(here, f"cit:{r[9]}")
            stops.append(Stop("visit", r[1], r[1] + r[6], t, block(r), r[14]))
            here = f"cit:{r[9]}"
            total_travel += t
        back = travel.minutes(here, base)
        total_travel += back
        last_end = (inside[-1][1] + inside[-1][6]) if inside else s
        stops.append(Stop("base_in", last_end + back, None, back))
        legs.append({"start": s, "end": e, "stops": stops})
    for r in remaining:  # outside every shift (should not happen in a feasible plan): still listed
        legs.append(
            {"start": r[1], "end": r[1] + r[6], "stops": [Stop("visit", r[1], r[1] + r[6], 0, block(r))]}
        )
    return {
        "carer": carer,
        "day": day,
        "plan": plan,
        "legs": legs,
        "travel": total_travel,
        "visits": len(rows),
    }


# --- a citizen's page --------------------------------------------------------------------------------


def citizen_page(session: Session, *, citizen: Citizen, today: dt.date) -> dict[str, Any]:
    """Needs in force, who comes when (the next 14 days), distinct carers this month and last."""
    needs = session.scalars(
        select(Need)
        .where(
            Need.citizen_id == citizen.id,
            Need.valid_from <= today + dt.timedelta(days=14),
            (Need.valid_to.is_(None)) | (Need.valid_to >= today),
        )
        .order_by(Need.earliest, Need.kind)
    ).all()
    this_first, this_last = month_bounds(today)
    last_first, last_last = month_bounds(this_first - dt.timedelta(days=1))
    horizon = today + dt.timedelta(days=13)
    plan = shown_plan(session, team_id=citizen.team_id, start=last_first, end=max(this_last, horizon))
    rows = _assignment_rows(session, plan.version_ids, [citizen.id], last_first, max(this_last, horizon))
    carer_names = dict(
        session.execute(select(Carer.id, Carer.name).where(Carer.id.in_({r[10] for r in rows} or {-1}))).all()
    )
    met_this: dict[int, int] = defaultdict(int)
    met_last: dict[int, int] = defaultdict(int)
    coming: dict[int, dict[str, Any]] = {}
    for r in rows:
        aid, start, pinned, vid, vext, vdate, dur, kind, n, _cit, carer = r
        if this_first <= vdate <= this_last:
            met_this[carer] += 1
        elif last_first <= vdate <= last_last:
            met_last[carer] += 1
        if today <= vdate <= horizon:
            item = coming.setdefault(
                aid,
                {
                    "assignment_id": aid,
                    "date": vdate,
                    "start": start,
                    "end": start + dur,
                    "kind": kind,
                    "carers": [],
                    "pinned": pinned,
                    "visit": vext,
                },
            )
            item["carers"].append(
                {
                    "id": carer,
                    "name": carer_names.get(carer, "?"),
                    "contact": carer == citizen.contact_carer_id,
                }
            )
    unplaced = session.execute(
        select(Visit.date, Visit.kind, Visit.earliest, Visit.latest, UnplacedVisit.reason)
        .join(UnplacedVisit, UnplacedVisit.visit_id == Visit.id)
        .where(
            UnplacedVisit.plan_version_id.in_(plan.version_ids or [-1]),
            Visit.citizen_id == citizen.id,
            Visit.date >= today,
            Visit.date <= horizon,
            Visit.status == VISIT_PLANNED,
        )
        .order_by(Visit.date, Visit.earliest)
    ).all()

    def people(met: dict[int, int]) -> list[dict[str, Any]]:
        return [
            {"id": c, "name": carer_names.get(c, "?"), "visits": k, "contact": c == citizen.contact_carer_id}
            for c, k in sorted(met.items(), key=lambda kv: (-kv[1], carer_names.get(kv[0], "")))
        ]

    return {
        "citizen": citizen,
        "needs": needs,
        "plan": plan,
        "cap": cap_for(session, citizen.team),
        "this_month": people(met_this),
        "last_month": people(met_last),
        "this_first": this_first,
        "last_first": last_first,
        "coming": sorted(coming.values(), key=lambda x: (x["date"], x["start"])),
        "unplaced": [
            {"date": u[0], "kind": u[1], "earliest": u[2], "latest": u[3], "reason": u[4]} for u in unplaced
        ],
    }


def visit_for(session: Session, *, citizen_id: int, day: dt.date, kind: str) -> Visit | None:
    """The citizen's planned visit of this need on this day (the "longer visit" form names it so)."""
    return session.scalar(
        select(Visit)
        .where(
            Visit.citizen_id == citizen_id,
            Visit.date == day,
            Visit.kind == kind,
            Visit.status == VISIT_PLANNED,
        )
        .order_by(Visit.earliest)
        .limit(1)
    )


def shifts_on(session: Session, *, team_id: int, day: dt.date) -> dict[int, list[tuple[int, int]]]:
    """carer id -> that day's shifts, for the hand-move form (who is working when)."""
    out: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for cid, s, e in session.execute(
        select(Shift.carer_id, Shift.start, Shift.end)
        .join(Carer, Carer.id == Shift.carer_id)
        .where(Carer.team_id == team_id, Shift.date == day)
        .order_by(Shift.start)
    ):
        out[cid].append((s, e))
    return out
