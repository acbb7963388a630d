"""A citizen's page: needs in force, who comes when, the carers met this month and last; the citizen's
visit of a need on a day."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.web.read.plans import month_bounds, shown_plan
from app.web.read.rota import assignment_rows
from app.web.read.teams import cap_for
from models.core import (
    VISIT_PLANNED,
    Citizen,
    Need,
    UnplacedVisit,
    Visit,
)


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
    rows = assignment_rows(session, plan.version_ids, [citizen.id], last_first, max(this_last, horizon),
                           carer_names=True)
    carer_names = {r[10]: r[11] for r in rows}
    met_this: dict[int, int] = defaultdict(int)
    met_last: dict[int, int] = defaultdict(int)
    coming: dict[int, dict[str, Any]] = {}
    for r in rows:
        aid, start, pinned, vid, vext, vdate, dur, kind, n, _cit, carer, _name = r
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
