"""Visit generation: one visit per occurrence of a need in a date range.

Idempotent: a visit is identified by (citizen, need kind, date), so regenerating never duplicates.
History is kept: visits before `today` never change, nor do visits a plan has pinned or that were
performed. Future, unpinned visits follow the need as it is now (new values, a weekday dropped ->
cancelled, a weekday added -> created). A need "every N weeks" occurs in the weeks counted from the
week of its `valid_from`; a citizen whose care ended has no visits from that date on.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, field

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from models.core import (
    PLAN_ACCEPTED,
    PLAN_DRAFT,
    VISIT_CANCELLED,
    VISIT_PLANNED,
    Assignment,
    Citizen,
    Need,
    PlanVersion,
    Visit,
)
from models.performed import PerformedVisit

Key = tuple[int, str, dt.date]  # citizen id, need kind, date


@dataclass(slots=True)
class GenerationResult:
    created: int = 0
    updated: int = 0
    cancelled: int = 0
    unchanged: int = 0
    # The visits updated or cancelled: a plan that assigned them may no longer fit them.
    changed_ids: list[int] = field(default_factory=list)


def visit_external_id(citizen_external_id: str, kind: str, date: dt.date) -> str:
    return f"{citizen_external_id}-{date.isoformat()}-{kind}"


def pinned_visit_ids(session: Session, visit_ids: Collection[int]) -> set[int]:
    """Visits a live plan version (draft or accepted) has pinned."""
    out: set[int] = set()
    ids = list(visit_ids)
    for i in range(0, len(ids), 900):
        out.update(session.scalars(
            select(Assignment.visit_id).join(PlanVersion, PlanVersion.id == Assignment.plan_version_id)
            .where(Assignment.pinned.is_(True), Assignment.visit_id.in_(ids[i:i + 900]),
                   PlanVersion.status.in_((PLAN_DRAFT, PLAN_ACCEPTED)))))
    return out


def performed_visit_ids(session: Session, visit_ids: Collection[int]) -> set[int]:
    """Visits a performed-visit record is linked to: what happened is history."""
    out: set[int] = set()
    ids = list(visit_ids)
    for i in range(0, len(ids), 900):
        out.update(v for v in session.scalars(select(PerformedVisit.visit_id).where(
            PerformedVisit.visit_id.in_(ids[i:i + 900]))) if v is not None)
    return out


def occurs(need: Need, day: dt.date) -> bool:
    """Whether the need falls on `day` by its weekdays and its every-N-weeks rhythm (range aside)."""
    return occurs_on(weekdays=need.weekdays, every_weeks=need.every_weeks, first=need.valid_from, day=day)


def occurs_on(*, weekdays: Collection[int], every_weeks: int | None, first: dt.date, day: dt.date) -> bool:
    """Whether a need of `weekdays`, every `every_weeks` weeks counted from the week of `first`, falls on
    `day`."""
    if day.weekday() not in weekdays:
        return False
    every = every_weeks or 1
    first_monday = first - dt.timedelta(days=first.weekday())
    return ((day - first_monday).days // 7) % every == 0


def _values(need: Need) -> dict[str, object]:
    return {"earliest": need.earliest, "latest": need.latest, "duration": need.duration,
            "carers": need.carers, "skills": sorted(need.skills)}


def generate_visits(session: Session, *, start: dt.date, end: dt.date,
                    team_ids: Collection[int] | None, today: dt.date | None = None,
                    citizen_ids: Collection[int] | None = None) -> GenerationResult:
    """Make the visits of [start, end] (inclusive) match the needs of the teams (None: all teams),
    or of only the citizens `citizen_ids`."""
    today = today or dt.date.today()
    result = GenerationResult()
    citizen_q = select(Citizen.id, Citizen.external_id, Citizen.ended_from)
    if team_ids is not None:
        citizen_q = citizen_q.where(Citizen.team_id.in_(sorted(team_ids) or [-1]))
    if citizen_ids is not None:
        citizen_q = citizen_q.where(Citizen.id.in_(sorted(citizen_ids) or [-1]))
    rows = session.execute(citizen_q).all()
    citizens = {r.id: r.external_id for r in rows}
    ended = {r.id: r.ended_from for r in rows if r.ended_from is not None}
    if not citizens:
        return result
    ids = sorted(citizens)

    needs: list[Need] = []
    existing: dict[Key, Visit] = {}
    for i in range(0, len(ids), 900):
        chunk = ids[i:i + 900]
        needs += session.scalars(select(Need).where(
            Need.citizen_id.in_(chunk), Need.valid_from <= end,
            (Need.valid_to.is_(None)) | (Need.valid_to >= start)))
        for v in session.scalars(select(Visit).where(
                Visit.citizen_id.in_(chunk), Visit.date >= start, Visit.date <= end)
                .order_by(Visit.need_id.is_(None), Visit.id)):
            # Prefer the visit generated from a need when an imported one shares its key.
            existing.setdefault((v.citizen_id, v.kind, v.date), v)

    # Later versions of a need win where two overlap (valid_from, then id, decides).
    desired: dict[Key, Need] = {}
    for need in sorted(needs, key=lambda n: (n.valid_from, n.id)):
        day = max(start, need.valid_from)
        last = min(end, need.valid_to) if need.valid_to else end
        if need.citizen_id in ended:
            last = min(last, ended[need.citizen_id] - dt.timedelta(days=1))
        while day <= last:
            if occurs(need, day):
                desired[(need.citizen_id, need.kind, day)] = need
            day += dt.timedelta(days=1)

    # Pinned and performed visits are held the same way: neither follows the need any more.
    pinned = pinned_visit_ids(session, [v.id for v in existing.values()])
    pinned |= performed_visit_ids(session, [v.id for v in existing.values()])
    new_rows: list[dict[str, object]] = []
    for key, need in desired.items():
        visit = existing.get(key)
        citizen_id, kind, date = key
        if visit is None:
            new_rows.append({"external_id": visit_external_id(citizens[citizen_id], kind, date),
                             "citizen_id": citizen_id, "need_id": need.id, "kind": kind, "date": date,
                             "status": VISIT_PLANNED, "priority": need.priority, **_values(need)})
            continue
        current = {"earliest": visit.earliest, "latest": visit.latest, "duration": visit.duration,
                   "carers": visit.carers, "skills": sorted(visit.skills)}
        values_same = current == _values(need) and visit.status == VISIT_PLANNED
        same = values_same and visit.need_id == need.id and visit.priority == need.priority
        if same or date < today or visit.id in pinned:
            result.unchanged += 1
            continue
        for k, value in _values(need).items():
            setattr(visit, k, value)
        visit.need_id = need.id
        visit.priority = need.priority
        visit.status = VISIT_PLANNED
        result.updated += 1
        if not values_same:  # only relinked to a newer version of the same need: the plan still fits
            result.changed_ids.append(visit.id)

    for key, visit in existing.items():
        if key in desired or visit.need_id is None:
            continue  # one-off and imported visits are not the needs' to cancel
        if visit.status == VISIT_PLANNED and visit.date >= today and visit.id not in pinned:
            visit.status = VISIT_CANCELLED
            result.cancelled += 1
            result.changed_ids.append(visit.id)

    if new_rows:
        for i in range(0, len(new_rows), 2000):
            session.execute(insert(Visit), new_rows[i:i + 2000])
        result.created = len(new_rows)
    session.flush()
    return result
