"""Everything held about one citizen or carer, as a readable page an admin can print or save for them."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.api.deps import ReadLogDep
from app.db import SessionDep
from app.schemas.core import RowId
from app.security import check_role, get_team_scoped
from app.services import data_rights
from app.web.deps import WebUser
from app.web.render import WebRoute, page
from models.core import ROLE_ADMIN, Carer, Citizen

router = APIRouter(route_class=WebRoute)


@router.get("/admin/citizens/{citizen_id}/export")
def citizen_export_page(request: Request, citizen_id: RowId, user: WebUser, session: SessionDep,
                        reads: ReadLogDep) -> Response:
    check_role(user, ROLE_ADMIN)
    citizen = get_team_scoped(session, Citizen, citizen_id, user, what="citizen not found")
    reads.citizens(user=user, citizen_ids=[citizen.id], what="data export")
    return page(request, "web/data_export.html",
                {"export": data_rights.export_citizen(session, citizen=citizen), "json": "citizens",
                 "exported": dt.datetime.now(dt.UTC)},
                user=user, active="access_log")


@router.get("/admin/carers/{carer_id}/export")
def carer_export_page(request: Request, carer_id: RowId, user: WebUser, session: SessionDep) -> Response:
    check_role(user, ROLE_ADMIN)
    carer = get_team_scoped(session, Carer, carer_id, user, what="carer not found")
    return page(request, "web/data_export.html",
                {"export": data_rights.export_carer(session, carer=carer), "json": "carers",
                 "exported": dt.datetime.now(dt.UTC)},
                user=user, active="access_log")
