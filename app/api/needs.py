"""Needs (what a citizen needs help with, recurring) and visit generation from them. Care instructions
are free text about the citizen: auditors get the redacted form (`NeedRedacted`) without them."""

from __future__ import annotations

from fastapi import APIRouter, status

from app.api.deps import Coordinator, PagingDep, ReadLogDep, TeamIds
from app.db import SessionDep
from app.repositories.core import needs_stmt, paginate
from app.schemas.core import (
    Day,
    GenerateResult,
    GenerateVisits,
    NeedChange,
    NeedCreate,
    NeedOut,
    NeedRedacted,
    NeedUpdate,
    Page,
    RowId,
)
from app.schemas.team_data import NeedEnd
from app.security import CurrentUser, can_see_personal_data, get_team_scoped, visible_team_ids
from app.services.errors import Invalid
from app.services.team_data import needs as needs_svc
from app.services.visits import generate_visits
from models.core import Need, User

router = APIRouter(prefix="/api", tags=["needs"])


def need_out(need: Need, user: User) -> NeedOut | NeedRedacted:
    return NeedOut.model_validate(need) if can_see_personal_data(user) else NeedRedacted.model_validate(need)


@router.get("/needs")
def list_needs(session: SessionDep, user: CurrentUser, paging: PagingDep, reads: ReadLogDep,
               team_id: TeamIds = None,
               citizen_id: RowId | None = None, start: Day | None = None,
               end: Day | None = None) -> Page[NeedOut | NeedRedacted]:
    stmt = needs_stmt(user, team_ids=team_id, citizen_id=citizen_id, start=start, end=end)
    rows, total = paginate(session, stmt, limit=paging.limit, offset=paging.offset)
    reads.citizens(user=user, citizen_ids=[r.citizen_id for r in rows], what="api needs")
    return Page(items=[need_out(r, user) for r in rows], total=total, limit=paging.limit,
                offset=paging.offset)


@router.post("/needs", status_code=status.HTTP_201_CREATED)
def create_need(body: NeedCreate, session: SessionDep, user: Coordinator) -> NeedOut:
    """A new standing need; the citizen's visits from its first day on are made."""
    return NeedOut.model_validate(needs_svc.add_need(session, data=body, user=user))


@router.get("/needs/{need_id}")
def read_need(need_id: RowId, session: SessionDep, user: CurrentUser,
              reads: ReadLogDep) -> NeedOut | NeedRedacted:
    need = get_team_scoped(session, Need, need_id, user)
    reads.citizens(user=user, citizen_ids=[need.citizen_id], what="api need")
    return need_out(need, user)


@router.patch("/needs/{need_id}")
def update_need(need_id: RowId, body: NeedUpdate, session: SessionDep, user: Coordinator) -> NeedOut:
    need = get_team_scoped(session, Need, need_id, user)
    return NeedOut.model_validate(needs_svc.correct_need(session, need=need, data=body, user=user))


@router.post("/needs/{need_id}/change", status_code=status.HTTP_201_CREATED)
def change_need(need_id: RowId, body: NeedChange, session: SessionDep, user: Coordinator) -> NeedOut:
    """Change the need from a date on; earlier days keep the old values (history is not rewritten).
    The citizen's visits from that date are regenerated (performed and pinned ones stay); accepted
    assignments that no longer fit are listed as needing a re-plan. Answers the need version in force
    from that date."""
    need = get_team_scoped(session, Need, need_id, user)
    return NeedOut.model_validate(needs_svc.change_need(session, need=need, data=body, user=user))


@router.post("/needs/{need_id}/end")
def end_need(need_id: RowId, body: NeedEnd, session: SessionDep, user: Coordinator) -> NeedOut | None:
    """No more visits of the need from a date on. Ended on its first day the need is removed (null)."""
    need = get_team_scoped(session, Need, need_id, user)
    left = needs_svc.end_need(session, need=need, from_date=body.from_date, user=user, version=body.version)
    return NeedOut.model_validate(left) if left is not None else None


@router.delete("/needs/{need_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_need(need_id: RowId, session: SessionDep, user: Coordinator) -> None:
    needs_svc.delete_need(session, need=get_team_scoped(session, Need, need_id, user), user=user)


@router.post("/visits/generate")
def generate(body: GenerateVisits, session: SessionDep, user: Coordinator) -> GenerateResult:
    """Make the visits of the range match the needs (idempotent; history and pinned visits stay)."""
    visible = visible_team_ids(user)
    team_ids: set[int] | None = None if body.team_ids is None else set(body.team_ids)
    if visible is not None:
        if team_ids is not None and not team_ids <= visible:
            unknown = sorted(team_ids - visible)
            raise Invalid(f"unknown team {unknown[0]}", path="team_ids")
        team_ids = visible if team_ids is None else team_ids
    r = generate_visits(session, start=body.start, end=body.end, team_ids=team_ids, today=body.today)
    return GenerateResult(created=r.created, updated=r.updated, cancelled=r.cancelled, unchanged=r.unchanged)
