"""Queries over the core data: list statements with filters, paging, lookups by external id."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from typing import Any, TypeVar

from sqlalchemy import Select, Text, cast, delete, exists, func, insert, or_, select
from sqlalchemy.orm import Session

from app.security import scope_filter, visible_team_ids
from exchange import MAX_INT
from models.core import (
    Assignment,
    Carer,
    Citizen,
    Need,
    Plan,
    PlanVersion,
    Shift,
    Team,
    TravelLeg,
    TravelMode,
    TravelModeLeg,
    UnplacedVisit,
    User,
    Visit,
    assignment_carers,
    plan_teams,
)

T = TypeVar("T")

def paginate(session: Session, stmt: Select[Any], *, limit: int, offset: int) -> tuple[list[Any], int]:
    """One page of `stmt`'s rows (ordered by the statement) and the total count."""
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    rows = list(session.scalars(stmt.limit(limit).offset(offset)))
    return rows, int(total)


def teams_stmt(user: User, *, team_ids: Collection[int] | None = None) -> Select[Any]:
    return select(Team).where(scope_filter(Team.id, user, team_ids)).order_by(Team.id)


def teams_known_as(session: Session, user: User, reference: str) -> list[Team]:
    """The teams the user sees whose id, external id or name is `reference`."""
    known_as = or_(Team.external_id == reference, Team.name == reference)
    if reference.isascii() and reference.isdigit() and int(reference) <= MAX_INT:
        known_as = or_(known_as, Team.id == int(reference))
    return list(session.scalars(teams_stmt(user).where(known_as)))


def user_by_username(session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(User.username == username))


def carers_stmt(user: User, *, team_ids: Collection[int] | None = None,
                active_on: dt.date | None = None, skill: str | None = None) -> Select[Any]:
    stmt = select(Carer).where(scope_filter(Carer.team_id, user, team_ids))
    if active_on is not None:
        stmt = stmt.where((Carer.active_from.is_(None)) | (Carer.active_from <= active_on),
                          (Carer.active_to.is_(None)) | (Carer.active_to >= active_on))
    stmt = stmt.order_by(Carer.id)
    if skill is not None:
            stmt = stmt.where(cast(Carer.skills, Text).like(f'%"{skill}"%'))
    return stmt


def shifts_stmt(user: User, *, team_ids: Collection[int] | None = None, carer_id: int | None = None,
                start: dt.date | None = None, end: dt.date | None = None) -> Select[Any]:
    stmt = select(Shift).join(Carer, Carer.id == Shift.carer_id).where(
        scope_filter(Carer.team_id, user, team_ids))
    if carer_id is not None:
        stmt = stmt.where(Shift.carer_id == carer_id)
    if start is not None:
        stmt = stmt.where(Shift.date >= start)
    if end is not None:
        stmt = stmt.where(Shift.date <= end)
    return stmt.order_by(Shift.date, Shift.carer_id, Shift.start)


def citizens_stmt(user: User, *, team_ids: Collection[int] | None = None,
                  contact_carer_id: int | None = None) -> Select[Any]:
    stmt = select(Citizen).where(scope_filter(Citizen.team_id, user, team_ids))
    if contact_carer_id is not None:
        stmt = stmt.where(Citizen.contact_carer_id == contact_carer_id)
    return stmt.order_by(Citizen.id)


def needs_stmt(user: User, *, team_ids: Collection[int] | None = None, citizen_id: int | None = None,
               start: dt.date | None = None, end: dt.date | None = None) -> Select[Any]:
    """Needs valid at some point in [start, end] (either bound optional)."""
    stmt = select(Need).join(Citizen, Citizen.id == Need.citizen_id).where(
        scope_filter(Citizen.team_id, user, team_ids))
    if citizen_id is not None:
        stmt = stmt.where(Need.citizen_id == citizen_id)
    if end is not None:
        stmt = stmt.where(Need.valid_from <= end)
    if start is not None:
        stmt = stmt.where((Need.valid_to.is_(None)) | (Need.valid_to >= start))
    return stmt.order_by(Need.citizen_id, Need.kind, Need.valid_from)


def visits_stmt(user: User, *, team_ids: Collection[int] | None = None, citizen_id: int | None = None,
                start: dt.date | None = None, end: dt.date | None = None,
                status: str | None = None, carer_id: int | None = None) -> Select[Any]:
    stmt = select(Visit).join(Citizen, Citizen.id == Visit.citizen_id).where(
        scope_filter(Citizen.team_id, user, team_ids))
    if citizen_id is not None:
        stmt = stmt.where(Visit.citizen_id == citizen_id)
    if start is not None:
        stmt = stmt.where(Visit.date >= start)
    if end is not None:
        stmt = stmt.where(Visit.date <= end)
    if status is not None:
        stmt = stmt.where(Visit.status == status)
    if carer_id is not None:
        # visits the carer holds in an accepted plan version
        stmt = stmt.where(exists().where(
            Assignment.visit_id == Visit.id,
            Assignment.plan_version_id == PlanVersion.id,
            PlanVersion.status == "accepted",
            assignment_carers.c.assignment_id == Assignment.id,
            assignment_carers.c.carer_id == carer_id,
        ))
    return stmt.order_by(Visit.date, Visit.earliest, Visit.id)


def plans_stmt(user: User, *, team_ids: Collection[int] | None = None,
               start: dt.date | None = None, end: dt.date | None = None) -> Select[Any]:
    """Plans overlapping [start, end] whose every team the user sees (and that touch `team_ids`)."""
    stmt = select(Plan)
    visible = visible_team_ids(user)
    if visible is not None:
        hidden = select(plan_teams.c.plan_id).where(plan_teams.c.team_id.not_in(sorted(visible) or [-1]))
        stmt = stmt.where(Plan.id.not_in(hidden))
    if team_ids is not None:
        stmt = stmt.where(Plan.id.in_(select(plan_teams.c.plan_id).where(
            plan_teams.c.team_id.in_(sorted(team_ids) or [-1]))))
    if start is not None:
        stmt = stmt.where(Plan.end_date >= start)
    if end is not None:
        stmt = stmt.where(Plan.start_date <= end)
    return stmt.order_by(Plan.start_date.desc(), Plan.id.desc())


def assignments_stmt(version_id: int, *, carer_id: int | None = None, citizen_id: int | None = None,
                     start: dt.date | None = None, end: dt.date | None = None) -> Select[Any]:
    stmt = select(Assignment).join(Visit, Visit.id == Assignment.visit_id).where(
        Assignment.plan_version_id == version_id)
    if carer_id is not None:
        stmt = stmt.where(Assignment.id.in_(select(assignment_carers.c.assignment_id).where(
            assignment_carers.c.carer_id == carer_id)))
    if citizen_id is not None:
        stmt = stmt.where(Visit.citizen_id == citizen_id)
    if start is not None:
        stmt = stmt.where(Visit.date >= start)
    if end is not None:
        stmt = stmt.where(Visit.date <= end)
    return stmt.order_by(Visit.date, Assignment.start, Assignment.id)


def unplaced_stmt(version_id: int) -> Select[Any]:
    return (select(UnplacedVisit).join(Visit, Visit.id == UnplacedVisit.visit_id)
            .where(UnplacedVisit.plan_version_id == version_id).order_by(Visit.date, Visit.id))


def users_stmt(role: str | None = None) -> Select[Any]:
    stmt = select(User).order_by(User.id)
    if role is not None:
        stmt = stmt.where(User.role == role)
    return stmt


def team_external_ids(session: Session, team_ids: Collection[int]) -> set[str]:
    return set(session.scalars(select(Team.external_id).where(Team.id.in_(sorted(team_ids)))))


LEG_BATCH = 5000  # rows per bulk insert
PLACES_PER_QUERY = 500  # ids per IN list (well under SQLite's bound-parameter limit)


def _leg_model(mode_id: int | None) -> Any:
    return TravelLeg if mode_id is None else TravelModeLeg


def _legs_of(model: Any, mode_id: int | None) -> list[Any]:
    return [] if mode_id is None else [model.mode_id == mode_id]


def travel_legs(session: Session, *, points: Collection[str],
                mode_id: int | None = None) -> dict[tuple[str, str], int]:
    """The stored travel minutes between any two of `points` (place ids), by (origin, destination):
    the municipality's own (by car), or those of the travel mode `mode_id`."""
    model = _leg_model(mode_id)
    wanted = sorted(set(points))
    out: dict[tuple[str, str], int] = {}
    # Chunked on the origin only: the destination filter is applied here, so no statement carries
    # more bound parameters than SQLite allows.
    keep = set(wanted)
    for i in range(0, len(wanted), PLACES_PER_QUERY):
        stmt = select(model.origin, model.destination, model.minutes).where(
            model.origin.in_(wanted[i:i + PLACES_PER_QUERY]), *_legs_of(model, mode_id))
        for origin, destination, minutes in session.execute(stmt):
            if destination in keep:
                out[(origin, destination)] = minutes
    return out


def replace_travel_legs(session: Session, *, points: Collection[str],
                        legs: Iterable[tuple[str, str, int]], mode_id: int | None = None) -> int:
    """Every stored leg from or to one of `points` is dropped, then `legs` are stored; returns how many.
    The municipality's own legs, or those of the travel mode `mode_id`."""
    model = _leg_model(mode_id)
    wanted = sorted(set(points))
    for i in range(0, len(wanted), PLACES_PER_QUERY):
        chunk = wanted[i:i + PLACES_PER_QUERY]
        session.execute(delete(model).where(or_(model.origin.in_(chunk), model.destination.in_(chunk)),
                                            *_legs_of(model, mode_id)))
    extra = {} if mode_id is None else {"mode_id": mode_id}
    rows = [{"origin": a, "destination": b, "minutes": m, **extra} for a, b, m in legs]
    for i in range(0, len(rows), LEG_BATCH):
        session.execute(insert(model), rows[i:i + LEG_BATCH])
    return len(rows)


def travel_modes(session: Session, *, names: Collection[str] | None = None) -> list[TravelMode]:
    """The municipality's travel modes (walk, bike ...) by name; `names` limits them."""
    stmt = select(TravelMode).order_by(TravelMode.name)
    if names is not None:
        stmt = stmt.where(TravelMode.name.in_(sorted(names)))
    return list(session.scalars(stmt))


def citizen_ids_of_teams(session: Session, team_ids: Collection[int]) -> list[int]:
    return list(session.scalars(select(Citizen.id).where(Citizen.team_id.in_(team_ids))))


def citizen_id_by_external_id(session: Session, external_id: str) -> int | None:
    """The stored citizen's id, as an exchange document names it (None: no such citizen)."""
    return session.scalar(select(Citizen.id).where(Citizen.external_id == external_id))


def has_visits(session: Session, *, citizen_id: int) -> bool:
    return session.scalar(select(Visit.id).where(Visit.citizen_id == citizen_id).limit(1)) is not None


def carer_names_by_external_id(session: Session, *, team_ids: Collection[int]) -> dict[str, str]:
    """Carers' names by their external ids (as plans and hand moves name them), for these teams."""
    rows = session.execute(select(Carer.external_id, Carer.name).where(Carer.team_id.in_(list(team_ids))))
    return {ext: name for ext, name in rows}


def team_people_by_external_id(session: Session, *,
                               team_id: int) -> tuple[dict[str, Citizen], dict[str, Carer]]:
    """The team's citizens and carers, each by external id."""
    citizens = {c.external_id: c for c in session.scalars(select(Citizen).where(Citizen.team_id == team_id))}
    carers = {c.external_id: c for c in session.scalars(select(Carer).where(Carer.team_id == team_id))}
    return citizens, carers
