"""A person's data rights (admins): everything held about a citizen or a carer, as JSON; and their
personal data anonymised once their care or employment has ended (the retention setting does it by
itself, `homecare anonymise-ended`; this does it now, for instance at the person's request)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from app.api.deps import Admin, ReadLogDep
from app.db import SessionDep
from app.schemas.core import RowId
from app.security import get_team_scoped
from app.services import data_rights as svc
from app.services.access_log import today
from app.services.errors import Conflict
from models.core import Carer, Citizen

router = APIRouter(prefix="/api", tags=["data rights"])


@router.get("/citizens/{citizen_id}/export")
def export_citizen(citizen_id: RowId, session: SessionDep, user: Admin, reads: ReadLogDep) -> dict[str, Any]:
    """Every stored row about the citizen (data, needs, visits, who visited, changes, reads of their
    data), table by table: what the citizen has a right to be given."""
    citizen = get_team_scoped(session, Citizen, citizen_id, user)
    reads.citizens(user=user, citizen_ids=[citizen.id], what="data export")
    return svc.export_citizen(session, citizen=citizen)


@router.get("/carers/{carer_id}/export")
def export_carer(carer_id: RowId, session: SessionDep, user: Admin) -> dict[str, Any]:
    """Every stored row about the carer (data, shifts, roster, assignments, changes)."""
    return svc.export_carer(session, carer=get_team_scoped(session, Carer, carer_id, user))


@router.post("/citizens/{citizen_id}/anonymise")
def anonymise_citizen(citizen_id: RowId, session: SessionDep, user: Admin) -> dict[str, Any]:
    """Remove the citizen's personal data for good; only after their care has ended. Plans, visits and
    the continuity figures stay as they were, under a pseudonym."""
    citizen = get_team_scoped(session, Citizen, citizen_id, user)
    if citizen.ended_from is None or citizen.ended_from > today():
        raise Conflict("the citizen's care has not ended: end it first (POST /api/citizens/{id}/end)",
                       path="ended_from")
    if citizen.anonymised_at is None:
        svc.anonymise_citizen(session, citizen=citizen)
    return {"id": citizen.id, "name": citizen.name, "anonymised_at": citizen.anonymised_at}


@router.post("/carers/{carer_id}/anonymise")
def anonymise_carer(carer_id: RowId, session: SessionDep, user: Admin) -> dict[str, Any]:
    """Remove a carer's name for good; only after they have left (their last day has passed)."""
    carer = get_team_scoped(session, Carer, carer_id, user)
    if carer.active_to is None or carer.active_to >= today():
        raise Conflict("the carer has not left: end their employment first", path="active_to")
    if carer.anonymised_at is None:
        svc.anonymise_carer(session, carer=carer)
    return {"id": carer.id, "name": carer.name, "anonymised_at": carer.anonymised_at}
