"""A team's people and facts for lists and forms: the team cards, the cap, carers and citizens by name,
the kinds of visit, who works when on a day."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.security import scope_filter
from app.services import core as services_core
from models.core import (
    Carer,
    Citizen,
    Shift,
    Team,
    User,
    Visit,
)


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


def team_carers(session: Session, team_id: int) -> list[Any]:
    """(id, external id, name) of the team's carers, by name: the choices of a form."""
    return list(
        session.execute(
            select(Carer.id, Carer.external_id, Carer.name)
            .where(Carer.team_id == team_id)
            .order_by(Carer.name)
        ).all()
    )


def team_citizens(session: Session, team_id: int) -> list[Any]:
    """(id, external id, name) of the team's citizens, by name: the choices of a form."""
    return list(
        session.execute(
            select(Citizen.id, Citizen.external_id, Citizen.name)
            .where(Citizen.team_id == team_id)
            .order_by(Citizen.name)
        ).all()
    )


def visit_kinds(session: Session, team_id: int) -> list[str]:
    """The kinds of visit the team's citizens have, sorted."""
    return sorted(
        set(
            session.scalars(
                select(Visit.kind)
                .join(Citizen, Citizen.id == Visit.citizen_id)
                .where(Citizen.team_id == team_id)
                .distinct()
            )
        )
    )


def names_by_external_id(session: Session, team_ids: list[int]) -> tuple[dict[str, str], dict[str, str]]:
    """Carers' and citizens' names by their external ids, for pages that show exchange-format changes."""
    carers = dict(
        session.execute(select(Carer.external_id, Carer.name).where(Carer.team_id.in_(team_ids))).all()
    )
    citizens = dict(
        session.execute(select(Citizen.external_id, Citizen.name).where(Citizen.team_id.in_(team_ids))).all()
    )
    return carers, citizens


def teams_for_audit(session: Session, allowed: set[str] | None) -> list[tuple[int, str, str]]:
    """(id, external id, name) of the teams the reader may audit (`allowed` external ids; None: all)."""
    stmt = select(Team.id, Team.external_id, Team.name).order_by(Team.name)
    if allowed is not None:
        stmt = stmt.where(Team.external_id.in_(sorted(allowed)))
    return [(r[0], r[1], r[2]) for r in session.execute(stmt).all()]


def visits_by_external_id(session: Session, external_ids: list[str]) -> dict[str, tuple[str, str, dt.date]]:
    """(citizen's name, kind, date) of these visits, for pages that show exchange-format changes."""
    if not external_ids:
        return {}
    return {
        ext: (name, kind, date)
        for ext, name, kind, date in session.execute(
            select(Visit.external_id, Citizen.name, Visit.kind, Visit.date)
            .join(Citizen, Citizen.id == Visit.citizen_id)
            .where(Visit.external_id.in_(sorted(set(external_ids))))
        )
    }


def team_skills(session: Session, team_id: int) -> list[str]:
    """The skills the team's carers hold, sorted: the choices for a substitute."""
    return sorted({s for skills in session.scalars(select(Carer.skills).where(Carer.team_id == team_id))
                   for s in skills or []})


def carer_ids_and_names_like(session: Session, start: str) -> set[str]:
    """Every carer's external id and name that begins with `start` (to make a new one unique)."""
    pattern = start.replace("%", "").replace("_", "") + "%"
    ids = set(session.scalars(select(Carer.external_id).where(Carer.external_id.like(pattern))))
    return ids | set(session.scalars(select(Carer.name).where(Carer.name.like(pattern))))


def working_carers(session: Session, *, team_id: int, day: dt.date) -> list[Carer]:
    """The team's carers with a shift that day, by name."""
    return list(
        session.scalars(
            select(Carer)
            .where(Carer.team_id == team_id, Carer.shifts.any(Shift.date == day))
            .order_by(Carer.name)
        )
    )


SEARCH_LIMIT = 30


def find_people(session: Session, *, user: User, text: str) -> dict[str, list[Any]]:
    """Citizens and carers of the user's teams whose name holds every word of `text`, in any case (also
    Å, Ä and Ö, which SQLite's lower() leaves alone, hence compared here): (id, name, team name)."""
    words = [w.casefold() for w in text.split()]
    if not words:
        return {"citizens": [], "carers": []}
    out: dict[str, list[Any]] = {}
    for key, model in (("citizens", Citizen), ("carers", Carer)):
        rows = session.execute(
            select(model.id, model.name, Team.name)
            .join(Team, Team.id == model.team_id)
            .where(scope_filter(model.team_id, user))
            .order_by(model.name)
        ).all()
        out[key] = [r for r in rows if all(w in r[1].casefold() for w in words)][:SEARCH_LIMIT]
    return out
