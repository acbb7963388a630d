"""Who looked at whom (admins): the access log of reads of citizens' data, by citizen, user and month,
with the same entries as CSV. Reading the log is the follow-up, not a care read: it is not logged."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response, StreamingResponse

from app.db import SessionDep
from app.repositories.core import users_stmt
from app.security import check_role
from app.services import access_log as svc
from app.web.deps import WebUser
from app.web.forms import field_error
from app.web.render import WebRoute, page
from exchange import out_of_range
from models.core import ROLE_ADMIN

router = APIRouter(route_class=WebRoute)
PER_PAGE = 200


def _month(value: str | None) -> tuple[dt.date, dt.date]:
    """First and last day of `YYYY-MM` (default: this month)."""
    try:
        first = dt.date.fromisoformat(f"{value}-01") if value else svc.today().replace(day=1)
    except ValueError:
        raise field_error("month", f"month {value!r} is not a month like 2026-12") from None
    if (why := out_of_range(first)) is not None:
        raise field_error("month", f"month {value!r}: {why}")
    last = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    return first, last


def _filters(citizen: str | None, user_id: str | None, month: str | None) -> dict[str, Any]:
    first, last = _month(month)
    uid = int(user_id) if user_id and user_id.isdigit() else None
    name = (citizen or "").strip()[:200] or None
    return {"citizen_name": name, "user_id": uid, "start": first, "end": last}


@router.get("/admin/access-log")
def access_log_page(request: Request, user: WebUser, session: SessionDep, citizen: str | None = None,
                    user_id: str | None = None, month: str | None = None, offset: int = 0) -> Response:
    check_role(user, ROLE_ADMIN)
    filters = _filters(citizen, user_id, month)
    offset = max(0, offset)
    items, total = svc.entries(session, **filters, limit=PER_PAGE, offset=offset)
    return page(request, "web/access_log.html", {
        "items": items, "total": total, "offset": offset, "per_page": PER_PAGE,
        "citizen": filters["citizen_name"] or "", "user_id": filters["user_id"],
        "month": filters["start"].strftime("%Y-%m"), "users": list(session.scalars(users_stmt())),
        "query": request.url.query,
    }, user=user, active="access_log")


@router.get("/admin/access-log.csv")
def access_log_csv(user: WebUser, session: SessionDep, citizen: str | None = None, user_id: str | None = None,
                   month: str | None = None) -> StreamingResponse:
    check_role(user, ROLE_ADMIN)
    items, _ = svc.entries(session, **_filters(citizen, user_id, month), limit=None)
    return StreamingResponse(svc.csv_text(items), media_type="text/csv; charset=utf-8",
                             headers={"Content-Disposition": 'attachment; filename="access-log.csv"'})
