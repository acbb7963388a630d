"""Who looked at whom (admins only): the access log of reads of citizens' personal data, per citizen,
per user and per period, as pages or as CSV. Append-only: nothing here edits or deletes an entry."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from app.api.deps import Admin, PagingDep
from app.db import SessionDep
from app.schemas.access_log import AccessLogOut
from app.schemas.core import Page, RowId
from app.services import access_log as svc
from exchange import Day

router = APIRouter(prefix="/api", tags=["access log"])

CitizenName = Annotated[str | None, Query(max_length=200, description="filter: part of the citizen's name")]
Start = Annotated[Day | None, Query(description="from this day (municipality's time zone)")]
End = Annotated[Day | None, Query(description="to this day, included")]


@router.get("/access-log")
def read_access_log(session: SessionDep, _admin: Admin, paging: PagingDep, citizen_id: RowId | None = None,
                    citizen: CitizenName = None, user_id: RowId | None = None, start: Start = None,
                    end: End = None) -> Page[AccessLogOut]:
    """Reads of citizens' data, newest first: "who has looked at Astrid Lundgren this month"."""
    items, total = svc.entries(session, citizen_id=citizen_id, citizen_name=citizen, user_id=user_id,
                               start=start, end=end, limit=paging.limit, offset=paging.offset)
    return Page(items=items, total=total, limit=paging.limit, offset=paging.offset)


@router.get("/access-log.csv", response_class=StreamingResponse,
            responses={200: {"content": {"text/csv": {}}, "description": "the matching entries as CSV"}})
def export_access_log(session: SessionDep, _admin: Admin, citizen_id: RowId | None = None,
                      citizen: CitizenName = None, user_id: RowId | None = None, start: Start = None,
                      end: End = None) -> StreamingResponse:
    """Every matching entry (no paging) as CSV, for the follow-up the law asks for."""
    items, _ = svc.entries(session, citizen_id=citizen_id, citizen_name=citizen, user_id=user_id,
                           start=start, end=end, limit=None)
    return StreamingResponse(svc.csv_text(items), media_type="text/csv; charset=utf-8",
                             headers={"Content-Disposition": 'attachment; filename="access-log.csv"'})
