"""The citizen's week letter: who comes, when and for what, day by day, from the plan in force; the
contact carer named first. Only that citizen's visits."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.web.read.plans import shown_plan
from app.web.read.rota import assignment_rows
from models.core import Carer, Citizen


def monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def week_letter(session: Session, *, citizen: Citizen, monday: dt.date) -> dict[str, Any]:
    sunday = monday + dt.timedelta(days=6)
    plan = shown_plan(session, team_id=citizen.team_id, start=monday, end=sunday)
    rows = assignment_rows(session, plan.version_ids, [citizen.id], monday, sunday)
    wanted = {r[10] for r in rows} | {citizen.contact_carer_id or -1}
    names = dict(session.execute(select(Carer.id, Carer.name).where(Carer.id.in_(wanted))).all())
    visits: dict[int, dict[str, Any]] = {}
    for aid, start, _pinned, _vid, _vext, vdate, duration, kind, _n, _cit, carer in rows:
        item = visits.setdefault(aid, {"date": vdate, "start": start, "end": start + duration, "kind": kind,
                                       "carers": []})
        item["carers"].append(names.get(carer, "?"))
    days = [{"date": monday + dt.timedelta(days=d),
             "visits": sorted((v for v in visits.values() if v["date"] == monday + dt.timedelta(days=d)),
                              key=lambda v: v["start"])} for d in range(7)]
    return {"citizen": citizen, "monday": monday, "sunday": sunday, "week": monday.isocalendar().week,
            "contact": names.get(citizen.contact_carer_id) if citizen.contact_carer_id else None,
            "days": days, "visits": len(visits)}


def citizens_for_letters(session: Session, *, team_id: int, monday: dt.date) -> list[Citizen]:
    """The team's citizens still in care that week, by name."""
    return list(session.scalars(select(Citizen).where(
        Citizen.team_id == team_id, (Citizen.ended_from.is_(None)) | (Citizen.ended_from > monday))
        .order_by(Citizen.name)))
