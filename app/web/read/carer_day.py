"""A carer's day: the route shift by shift, with travel timed as the planner times it (by the carer's own
travel mode), and the shift's break where the route leaves room for it (the planner's rule 7)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.mapping import mode_specs, travel_spec
from app.web.read.plans import shown_plan
from app.web.read.rota import PLACED_VISIT, Block
from models.core import (
    VISIT_PLANNED,
    Assignment,
    Carer,
    Citizen,
    Need,
    Shift,
    Visit,
    assignment_carers,
)
from solver import rules
from solver.travel import Travel


def travel_for(session: Session, points: dict[str, tuple[float, float]], mode: str | None = None) -> Travel:
    """Travel as the planner times it (an imported matrix's legs where there are some), by `mode`
    (a carer's travel mode; None: by car)."""
    spec = mode_specs(session, points=points).get(mode) if mode else None
    return Travel(spec or travel_spec(session, points=points), points)


@dataclass(slots=True)
class Stop:
    kind: str  # "base_out", "visit", "break", "base_in"
    time: int  # arrival/start minute
    end: int | None = None
    travel: int = 0  # minutes from the previous stop
    block: Block | None = None
    address: str | None = None
    notes: str | None = None  # the citizen's practical notes (key, door, alarm), for the team only
    instructions: str | None = None  # how the help is given: the need's instructions, else the citizen's


def _place_break(stops: list[Stop], shift_end: int, earliest: int, latest: int, minutes: int) -> Stop | None:
    """The shift's break where the route leaves room for it, put among the stops; None when it has none.
    The idle spans are the planner's: from the shift's start (or a visit's end) to leaving for the next
    stop, the last one ending when the carer must leave to be back at base by the shift's end."""
    visits = [st for st in stops if st.kind == "visit"]
    gaps = [(stops[0].time, visits[0].time - visits[0].travel)]
    gaps += [(a.end or a.time, b.time - b.travel) for a, b in zip(visits, visits[1:], strict=False)]
    gaps.append((visits[-1].end or visits[-1].time, shift_end - stops[-1].travel))
    start = rules.break_start(gaps, earliest, latest, minutes)
    if start is None:
        return None
    pause = Stop("break", start, start + minutes)
    end = start + minutes
    at = next((i for i, st in enumerate(stops) if st.kind != "base_out" and st.time - st.travel >= end),
              len(stops) - 1)
    if stops[at].kind == "base_in":  # the break after the last visit: back at base after it
        stops[at].time = max(stops[at].time, end + stops[at].travel)
    stops.insert(at, pause)
    return pause


def carer_day(session: Session, *, carer: Carer, day: dt.date) -> dict[str, Any]:
    """The carer's route that day, shift by shift: base, visits in start order with travel, base."""
    team = carer.team
    shifts = session.execute(
        select(Shift.start, Shift.end, Shift.break_earliest, Shift.break_latest, Shift.break_minutes)
        .where(Shift.carer_id == carer.id, Shift.date == day)
        .order_by(Shift.start)
    ).all()
    plan = shown_plan(session, team_id=team.id, start=day, end=day)
    rows = session.execute(
        select(
            *PLACED_VISIT,
            Citizen.name,
            Citizen.lat,
            Citizen.lon,
            Citizen.contact_carer_id,
            Citizen.address,
            Citizen.external_id,
            Citizen.notes,
            Need.care_instructions,
            Citizen.how_notes,
        )
        .join(Visit, Visit.id == Assignment.visit_id)
        .join(Citizen, Citizen.id == Visit.citizen_id)
        .outerjoin(Need, Need.id == Visit.need_id)
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
    travel = travel_for(session, points, carer.travel_mode)
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
    spans: list[tuple[int, int, int | None, int | None, int | None]] = [
        (sh[0], sh[1], sh[2], sh[3], sh[4]) for sh in shifts] or (
        [(rows[0][1], rows[-1][1] + rows[-1][6], None, None, None)] if rows else [])
    total_travel = 0
    for s, e, b_earliest, b_latest, b_minutes in spans:
        inside = [r for r in remaining if s <= r[1] < e]
        remaining = [r for r in remaining if r not in inside]
        stops: list[Stop] = [Stop("base_out", s)]
        here = base
        for r in inside:
            t = travel.minutes(here, f"cit:{r[9]}")
            stops.append(Stop("visit", r[1], r[1] + r[6], t, block(r), r[14], r[16], r[17] or r[18]))
            here = f"cit:{r[9]}"
            total_travel += t
        back = travel.minutes(here, base)
        total_travel += back
        last_end = (inside[-1][1] + inside[-1][6]) if inside else s
        stops.append(Stop("base_in", last_end + back, None, back))
        pause = None
        if b_minutes and b_earliest is not None and b_latest is not None and inside:
            pause = _place_break(stops, e, b_earliest, b_latest, b_minutes)
        legs.append({"start": s, "end": e, "stops": stops, "break_window": (b_earliest, b_latest, b_minutes)
                     if b_minutes else None, "break_missing": bool(b_minutes and inside and pause is None)})
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
