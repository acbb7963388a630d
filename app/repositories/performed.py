"""Queries for the continuity audit: performed visits, the citizens' facts, planned visits and plan versions.

Everything comes back as the pure audit types (`PerformedRow`, `CitizenFacts`, `PlannedVisit`) with the
exchange format's string ids (`external_id`), so app/audit never sees the database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from app.audit.inputs import PlannedVisit
from app.audit.performed import CitizenFacts, KnownIds, PerformedRow
from models.adjustments import ADJ_WITHDRAWN, Adjustment
from models.core import (
    PLAN_ACCEPTED,
    Assignment,
    Carer,
    Citizen,
    Municipality,
    Plan,
    PlanVersion,
    Team,
    Visit,
    assignment_carers,
    plan_teams,
)
from models.performed import PerformedImport, PerformedVisit


def team_ids(session: Session, external_ids: Iterable[str]) -> dict[str, int]:
    rows = session.execute(select(Team.external_id, Team.id).where(Team.external_id.in_(list(external_ids))))
    return {e: i for e, i in rows}


def versions_in_force(session: Session, *, team_ids: Sequence[int] | None, start: dt.date,
                      end: dt.date) -> list[int]:
    """The accepted versions of the plans that cover any of these teams (None: every team) and overlap
    start..end: what the teams work to (a draft is not in force), in the order they were made."""
    stmt = (select(PlanVersion.id).join(Plan, Plan.id == PlanVersion.plan_id)
            .where(Plan.start_date <= end, Plan.end_date >= start, PlanVersion.status == PLAN_ACCEPTED))
    if team_ids is not None:
        stmt = stmt.join(plan_teams, plan_teams.c.plan_id == Plan.id).where(
            plan_teams.c.team_id.in_(list(team_ids) or [-1]))
    return list(session.scalars(stmt.distinct().order_by(PlanVersion.id)))


def id_maps(session: Session) -> tuple[dict[str, int], dict[str, int], dict[str, tuple[int, str]]]:
    """external id -> id for citizens and carers; planned visits: external id -> (id, citizen external id)."""
    citizens = {e: i for e, i in session.execute(select(Citizen.external_id, Citizen.id))}
    carers = {e: i for e, i in session.execute(select(Carer.external_id, Carer.id))}
    visits = {
        e: (i, c)
        for e, i, c in session.execute(
            select(Visit.external_id, Visit.id, Citizen.external_id).join(
                Citizen, Visit.citizen_id == Citizen.id
            )
        )
    }
    return citizens, carers, visits


def known_ids(
    citizens: dict[str, int], carers: dict[str, int], visits: dict[str, tuple[int, str]]
) -> KnownIds:
    return KnownIds(citizens=citizens, carers=carers, visits={v: c for v, (_, c) in visits.items()})


def stored_in_range(session: Session, lo: dt.datetime, hi: dt.datetime) -> list[PerformedVisit]:
    """Stored performed visits starting in [lo - 1 day, hi + 1 day]: the ones a file's rows may repeat or
    overlap (a visit lasts at most 24 hours)."""
    return list(
        session.scalars(
            select(PerformedVisit).where(
                PerformedVisit.start >= lo - dt.timedelta(days=1),
                PerformedVisit.start <= hi + dt.timedelta(days=1),
            )
        )
    )


def add_import(session: Session, record: PerformedImport) -> PerformedImport:
    session.add(record)
    session.flush()
    return record


def import_with_hash(session: Session, sha256: str) -> PerformedImport | None:
    return session.scalars(
        select(PerformedImport).where(PerformedImport.sha256 == sha256).order_by(PerformedImport.id).limit(1)
    ).first()


def performed_rows(
    session: Session, *, team_ids: Sequence[int] | None, date_from: dt.date | None, date_to: dt.date | None
) -> list[PerformedRow]:
    """Performed visits of the teams' citizens starting on date_from..date_to (inclusive)."""
    cit, car = aliased(Citizen), aliased(Carer)
    q = (
        select(
            cit.external_id,
            car.external_id,
            PerformedVisit.start,
            PerformedVisit.end,
            Visit.external_id,
            PerformedVisit.kind,
            PerformedVisit.role,
            PerformedVisit.need,
            PerformedVisit.id,
        )
        .join(cit, PerformedVisit.citizen_id == cit.id)
        .join(car, PerformedVisit.carer_id == car.id)
        .outerjoin(Visit, PerformedVisit.visit_id == Visit.id)
    )
    if team_ids is not None:
        q = q.where(cit.team_id.in_(list(team_ids)))
    if date_from is not None:
        q = q.where(PerformedVisit.start >= dt.datetime.combine(date_from, dt.time()))
    if date_to is not None:
        q = q.where(PerformedVisit.start < dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time()))
    q = q.order_by(PerformedVisit.start, PerformedVisit.id)
    return [
        PerformedRow(line=pid, citizen=c, carer=k, start=s, end=e, visit=v, kind=kind, role=role, need=need)
        for c, k, s, e, v, kind, role, need, pid in session.execute(q)
    ]


def citizen_facts(session: Session, team_ids: Sequence[int] | None) -> dict[str, CitizenFacts]:
    """Team, contact carer and birth year by citizen external id (never names, addresses or notes)."""
    contact = aliased(Carer)
    q = (
        select(Citizen.external_id, Team.external_id, contact.external_id, Citizen.birth_year)
        .join(Team, Citizen.team_id == Team.id)
        .outerjoin(contact, Citizen.contact_carer_id == contact.id)
    )
    if team_ids is not None:
        q = q.where(Citizen.team_id.in_(list(team_ids)))
    return {c: CitizenFacts(team=t, contact=k, birth_year=y) for c, t, k, y in session.execute(q)}


def planned_visits(
    session: Session,
    *,
    team_ids: Sequence[int] | None,
    date_from: dt.date | None,
    date_to: dt.date | None,
    plan_version_ids: Sequence[int] = (),
) -> dict[str, PlannedVisit]:
    """The visits that were needed in the range, with the plan versions' carers and starts when given
    (several versions: the plans of several teams or periods, each placing its own visits). Cancelled
    visits are left out unless a plan version assigned them."""
    q = select(
        Visit.id,
        Visit.external_id,
        Citizen.external_id,
        Visit.kind,
        Visit.date,
        Visit.earliest,
        Visit.latest,
        Visit.duration,
        Visit.carers,
        Visit.status,
        Visit.priority,
    ).join(Citizen, Visit.citizen_id == Citizen.id)
    if team_ids is not None:
        q = q.where(Citizen.team_id.in_(list(team_ids)))
    if date_from is not None:
        q = q.where(Visit.date >= date_from)
    if date_to is not None:
        q = q.where(Visit.date <= date_to)
    by_id: dict[int, PlannedVisit] = {}
    status: dict[int, str] = {}
    for vid, ext, cit, kind, date, earliest, latest, duration, carers, st, priority in session.execute(q):
        by_id[vid] = PlannedVisit(
            id=ext,
            citizen=cit,
            need=kind,
            date=date,
            earliest=earliest,
            latest=latest,
            duration=duration,
            required=carers,
            priority=priority,
        )
        status[vid] = st
    if plan_version_ids:
        versions = list(plan_version_ids)
        starts = dict(
            session.execute(
                select(Assignment.visit_id, Assignment.start).where(Assignment.plan_version_id.in_(versions))
            ).all()
        )
        carers_of: dict[int, list[str]] = {}
        for vid, cext in session.execute(
            select(Assignment.visit_id, Carer.external_id)
            .join(assignment_carers, assignment_carers.c.assignment_id == Assignment.id)
            .join(Carer, Carer.id == assignment_carers.c.carer_id)
            .where(Assignment.plan_version_id.in_(versions))
            .order_by(Assignment.visit_id, Carer.external_id)
        ):
            carers_of.setdefault(vid, []).append(cext)
        for vid, start in starts.items():
            pv = by_id.get(vid)
            if pv is not None:
                pv.start = start
                pv.carers = tuple(carers_of.get(vid, ()))
    return {pv.id: pv for vid, pv in by_id.items() if status[vid] != "cancelled" or pv.start is not None}


def plan_version(session: Session, version_id: int) -> PlanVersion | None:
    return session.get(PlanVersion, version_id)


def plan_of(session: Session, version: PlanVersion) -> Plan:
    return session.get_one(Plan, version.plan_id)


def monthly_cap(session: Session, team_ids: Sequence[int] | None, default: int) -> int:
    """The cap that applies: the teams' own (the strictest when several), else the municipality's."""
    q = select(Team.max_carers_per_month).where(Team.max_carers_per_month.is_not(None))
    if team_ids is not None:
        q = q.where(Team.id.in_(list(team_ids)))
    caps = [c for c in session.scalars(q) if c is not None]
    if caps:
        return min(caps)
    m = session.scalars(select(Municipality.max_carers_per_month).limit(1)).first()
    return int(m) if m is not None else default


def citizen_absences(
    session: Session, citizen_ids: Iterable[str]
) -> dict[str, list[tuple[dt.date, dt.date]]]:
    """Recorded absences (adjustments of type citizen_away, not withdrawn) by citizen external id: the
    national measure leaves out recipients who were away during a period."""
    wanted = set(citizen_ids)
    out: dict[str, list[tuple[dt.date, dt.date]]] = {}
    q = select(Adjustment.change, Adjustment.date_from, Adjustment.date_to).where(
        Adjustment.kind == "citizen_away",
        Adjustment.status != ADJ_WITHDRAWN,
        Adjustment.date_from.is_not(None),
    )
    for change, first, last in session.execute(q):
        citizen = (change or {}).get("citizen")
        if citizen in wanted:
            out.setdefault(citizen, []).append((first, last or first))
    return out
