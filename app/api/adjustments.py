"""Daily adjustments and re-plans, under /api/plans/{plan_id}:

    POST adjustments                  record changes (homecare-changes/1 `changes`)      coordinator
    GET  adjustments                  the change log (who, when, what, why)              member, coordinator
    GET  adjustments/pending.json     the pending changes as a homecare-changes/1 file   coordinator
    POST adjustments/{id}/withdraw    take a pending change back                         coordinator
    POST replans                      re-plan days -> a preview with the diff            coordinator
    GET  replans/{id}                 a preview (its diff; ?plan=true adds the plan)     member, coordinator
    POST replans/{id}/apply           one new version, atomically; 409 if stale          coordinator
    POST replans/{id}/discard                                                            coordinator
    GET  head                         the version in force and the head revision         member, coordinator
    POST pins                         pin or unpin an assignment                         member, coordinator
    POST moves                        hand move (422 names the broken rule)              member, coordinator
    POST moves/check                  the same check, nothing changed                    member, coordinator

Request and answer models live here (the area has no other callers). Days are counted from the plan's
start date, as in the exchange format.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field

from app.api.deps import Coordinator
from app.api.errors import PLANNER_BUSY
from app.db import SessionDep
from app.repositories import adjustments as repo
from app.schemas.core import Day, RowId
from app.security import get_team_scoped, require_role
from app.services import adjustments as svc
from app.services import hand_moves, replans
from app.services.errors import NotFound
from app.services.plan_head import head_revision
from models import core as m
from models.adjustments import Adjustment, ReplanPreview

router = APIRouter(prefix="/api/plans", tags=["adjustments"])

Member = Annotated[m.User, Depends(require_role(m.ROLE_MEMBER, m.ROLE_COORDINATOR))]
Minute = Annotated[int, Field(ge=0, le=24 * 60)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AdjustmentsIn(_In):
    # Each item: a homecare-changes/1 change (carer_absent, shift_set, carer_add, visit_duration,
    # visit_window, visit_cancel, citizen_away, visit_add) or need_change {citizen, need, from_day,
    # [to_day], [duration], [earliest], [latest]}; `reason` on any of them.
    changes: list[dict[str, Any]] = Field(min_length=1, max_length=500)


class AdjustmentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    kind: str
    change: dict[str, Any]
    date_from: Day | None
    date_to: Day | None
    reason: str | None
    status: str
    created_at: dt.datetime
    created_by_id: int | None
    version_id: int | None
    decided_at: dt.datetime | None
    decided_by_id: int | None


class ReplanIn(_In):
    from_day: Annotated[int, Field(ge=0)]
    to_day: Annotated[int, Field(ge=0)]
    time_limit: Annotated[float, Field(gt=0, le=replans.MAX_TIME_LIMIT)] = 5.0
    seed: int = 0


class PreviewOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    status: str
    base_version_id: int
    base_revision: int
    from_day: int
    to_day: int
    adjustment_ids: list[int]
    seconds: float
    diff: dict[str, Any]
    created_at: dt.datetime
    created_by_id: int | None
    decided_at: dt.datetime | None
    applied_version_id: int | None
    plan: dict[str, Any] | None = None


class ApplyIn(_In):
    # The version the coordinator saw; the apply fails with 409 if another is in force by now.
    base_version_id: RowId | None = None


class VersionOut(BaseModel):
    id: int
    number: int
    status: str


class HeadOut(BaseModel):
    plan_id: int
    revision: int
    version_id: int | None
    version_number: int | None


class PinIn(_In):
    visit: Annotated[str, Field(min_length=1)]
    pinned: bool = True
    reason: str | None = None
    base_revision: int | None = None


class MoveIn(_In):
    visit: Annotated[str, Field(min_length=1)]
    carers: Annotated[list[str], Field(min_length=1, max_length=2)]
    start: Minute
    reason: str | None = None
    pin: bool = True  # a hand move is a decision: the next re-plan keeps it
    base_revision: int | None = None


class MoveCheckOut(BaseModel):
    ok: bool
    rules: list[str]
    violations: list[dict[str, str]]


def _plan(session: SessionDep, plan_id: int, user: m.User) -> m.Plan:
    return get_team_scoped(session, m.Plan, plan_id, user, what=f"plan {plan_id} not found")


def _preview(session: SessionDep, plan: m.Plan, preview_id: int) -> ReplanPreview:
    preview = session.get(ReplanPreview, preview_id)
    if preview is None or preview.plan_id != plan.id:
        raise NotFound(f"re-plan {preview_id} not found")
    return preview


def _preview_out(p: ReplanPreview, with_plan: bool = False) -> PreviewOut:
    out = PreviewOut.model_validate(p)
    if with_plan:
        out.plan = p.plan_doc
    return out


@router.post("/{plan_id}/adjustments", status_code=201)
def record(plan_id: RowId, body: AdjustmentsIn, session: SessionDep,
           user: Coordinator) -> list[AdjustmentOut]:
    plan = _plan(session, plan_id, user)
    rows = svc.record_adjustments(session, plan=plan, user=user, changes=body.changes)
    return [AdjustmentOut.model_validate(r) for r in rows]


@router.get("/{plan_id}/adjustments")
def change_log(plan_id: RowId, session: SessionDep, user: Member,
               status: Annotated[list[str] | None, Query()] = None,
               limit: Annotated[int, Query(ge=1, le=1000)] = 500,
               offset: Annotated[int, Query(ge=0)] = 0) -> list[AdjustmentOut]:
    plan = _plan(session, plan_id, user)
    rows = repo.adjustments(session, plan.id, statuses=status, limit=limit, offset=offset)
    return [AdjustmentOut.model_validate(r) for r in rows]


@router.get("/{plan_id}/adjustments/pending.json")
def pending_file(plan_id: RowId, session: SessionDep, user: Coordinator) -> dict[str, Any]:
    return svc.pending_changes_document(session, plan=_plan(session, plan_id, user))


@router.post("/{plan_id}/adjustments/{adjustment_id}/withdraw")
def withdraw(plan_id: RowId, adjustment_id: RowId, session: SessionDep, user: Coordinator) -> AdjustmentOut:
    plan = _plan(session, plan_id, user)
    adj: Adjustment = svc.withdraw_adjustment(session, plan=plan, user=user, adjustment_id=adjustment_id)
    return AdjustmentOut.model_validate(adj)


@router.post("/{plan_id}/replans", status_code=201, responses=PLANNER_BUSY)
def create_replan(plan_id: RowId, body: ReplanIn, session: SessionDep, user: Coordinator) -> PreviewOut:
    plan = _plan(session, plan_id, user)
    preview = replans.create_preview(session, plan=plan, user=user, from_day=body.from_day,
                                     to_day=body.to_day, time_limit=body.time_limit, seed=body.seed)
    return _preview_out(preview)


@router.get("/{plan_id}/replans/{preview_id}")
def read_replan(plan_id: RowId, preview_id: RowId, session: SessionDep, user: Member,
                plan_doc: Annotated[bool, Query(alias="plan")] = False) -> PreviewOut:
    return _preview_out(_preview(session, _plan(session, plan_id, user), preview_id), plan_doc)


@router.post("/{plan_id}/replans/{preview_id}/apply")
def apply_replan(plan_id: RowId, preview_id: RowId, session: SessionDep, user: Coordinator,
                 body: ApplyIn | None = None) -> VersionOut:
    plan = _plan(session, plan_id, user)
    version = replans.apply_preview(session, plan=plan, preview=_preview(session, plan, preview_id),
                                    user=user, base_version_id=body.base_version_id if body else None)
    return VersionOut(id=version.id, number=version.number, status=version.status)


@router.post("/{plan_id}/replans/{preview_id}/discard")
def discard_replan(plan_id: RowId, preview_id: RowId, session: SessionDep, user: Coordinator) -> PreviewOut:
    plan = _plan(session, plan_id, user)
    preview = _preview(session, plan, preview_id)
    return _preview_out(replans.discard_preview(session, plan=plan, preview=preview, user=user))


@router.get("/{plan_id}/head")
def head(plan_id: RowId, session: SessionDep, user: Member) -> HeadOut:
    plan = _plan(session, plan_id, user)
    version = repo.accepted_version(session, plan.id)
    return HeadOut(plan_id=plan.id, revision=head_revision(session, plan=plan),
                   version_id=version.id if version else None,
                   version_number=version.number if version else None)


@router.post("/{plan_id}/pins")
def pin(plan_id: RowId, body: PinIn, session: SessionDep, user: Member) -> AdjustmentOut:
    plan = _plan(session, plan_id, user)
    log = hand_moves.set_pin(session, plan=plan, user=user, visit=body.visit, pinned=body.pinned,
                             reason=body.reason, base_revision=body.base_revision)
    return AdjustmentOut.model_validate(log)


@router.post("/{plan_id}/moves")
def move(plan_id: RowId, body: MoveIn, session: SessionDep, user: Member) -> AdjustmentOut:
    plan = _plan(session, plan_id, user)
    log = hand_moves.hand_move(session, plan=plan, user=user, visit=body.visit, carers=body.carers,
                               start=body.start, reason=body.reason, pin=body.pin,
                               base_revision=body.base_revision)
    return AdjustmentOut.model_validate(log)


@router.post("/{plan_id}/moves/check")
def check_move(plan_id: RowId, body: MoveIn, session: SessionDep, user: Member) -> MoveCheckOut:
    plan = _plan(session, plan_id, user)
    result = hand_moves.check_hand_move(session, plan=plan, visit=body.visit, carers=body.carers,
                                        start=body.start)
    return MoveCheckOut(ok=result.ok, rules=result.rules,
                        violations=[{"rule": v.rule, "visit": v.visit, "msg": v.message}
                                    for v in result.violations])
