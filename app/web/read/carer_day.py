"""A carer's day: the route shift by shift, with travel timed as the planner times it."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.mapping import travel_spec
from app.web.read.plans import shown_plan
from app.web.read.rota import Block
from models.core import (
    VISIT_PLANNED,
    Assignment,
    Carer,
    Citizen,
    Shift,
    Visit,
    assignment_carers,
)
from solver.travel import Travel


def travel_for(session: Session, points: dict[str, tuple[float, float]]) -> Travel:
    """Travel as the planner times it (an imported matrix's legs where there are some)."""
    return Travel(travel_spec(session, points=points), points)


@dataclass(slots=True)
class Stop:
    kind: str  # "base_out", "visit", "base_in"
    time: int  # arrival/start minute
    end: int | None = None
    travel: int = 0  # minutes from the previous stop
    block: Block | None = None
    address: str | None = None
    notes: str | None = None  # the citizen's practical notes (key, door, alarm), for the team only


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
            Citizen.notes,
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
            stops.append(Stop("visit", r[1], r[1] + r[6], t, block(r), r[14], r[16]))
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
        "citizen_ids": sorted({r[9] for r in rows}),
    }
