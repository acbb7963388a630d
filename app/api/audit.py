"""Continuity audit endpoints.

- ``GET  /api/audit/figures``      figures (JSON) for a team or every visible team, a month or all months,
                                   from performed visits (``source=performed``, the default) or from a plan
                                   version (``source=plan&plan_version=ID``); a plan version with performed
                                   visits adds plan versus reality.
- ``GET  /api/audit/export.csv``   the per-citizen table (month and 14-day rows) as CSV.
- ``GET  /api/audit/report.html``  the self-contained HTML report, as a download.
- ``POST /api/audit/performed``    import a performed-visit file (CSV or JSON, multipart field ``file``):
                                   all or nothing, idempotent; 422 lists every bad row with its line number.

Coordinators (and admins) see their teams with real ids and may import. Auditors see figures only, with
pseudonymised citizen, carer and visit ids (keyed HMAC), never names, addresses or notes; an auditor with no
teams assigned audits the whole municipality. Members (carers) have no access.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, UploadFile, status
from fastapi.responses import HTMLResponse, Response

from app.api.errors import NAMES_ROWS
from app.db import SessionDep
from app.schemas.core import Day, RowId
from app.security import can_see_personal_data, ensure_visible, require_role
from app.services import audit as service
from app.services.errors import Invalid
from app.web.i18n import report_words
from models.core import ROLE_AUDITOR, ROLE_COORDINATOR, PlanVersion, User

router = APIRouter(prefix="/api/audit", tags=["audit"])

Reader = Annotated[User, Depends(require_role(ROLE_COORDINATOR, ROLE_AUDITOR))]
Importer = Annotated[User, Depends(require_role(ROLE_COORDINATOR))]
MAX_UPLOAD_BYTES = 50 * 1024 * 1024


def _run(
    session: SessionDep,
    user: User,
    *,
    source: str,
    plan_version: int | None,
    team: str | None,
    month: str | None,
    period_start: dt.date | None,
    pseudonymise: bool,
) -> service.AuditResult:
    allowed = service.auditable_teams(session, user=user)
    pseudonymise = pseudonymise or not can_see_personal_data(user)
    if source == "best":
        if plan_version is not None:
            raise Invalid("source=best takes the plans in force; leave plan_version out",
                          path="query.plan_version")
        return service.run_best(session, team=team, month=month, pseudonymise=pseudonymise,
                                allowed_teams=allowed)
    if plan_version is not None and not (user.role == ROLE_AUDITOR and allowed is None):
        version = session.get(PlanVersion, plan_version)
        if version is not None:
            ensure_visible(session, version, user, what=f"plan version {plan_version} not found")
    return service.run(
        session,
        source="plan" if source == "plan" else "performed",
        plan_version_id=plan_version,
        team=team,
        month=month,
        period_start=period_start,
        pseudonymise=pseudonymise,
        allowed_teams=allowed,
    )


class _Query:
    """The query parameters every read endpoint shares."""

    def __init__(
        self,
        source: Annotated[
            Literal["performed", "plan", "best"],
            Query(description="performed visits, a plan, or best: each team from its performed visits "
                              "where it has any in the month, else its plans in force (needs month)"),
        ] = "performed",
        plan_version: Annotated[
            RowId | None, Query(description="plan version id (plan, or plan vs reality)")
        ] = None,
        team: Annotated[
            str | None, Query(description="team id (e.g. T1); default: every team you see")
        ] = None,
        month: Annotated[
            str | None, Query(pattern=r"^\d{4}-\d{2}$", description="calendar month YYYY-MM")
        ] = None,
        period_start: Annotated[Day | None, Query(description="first day of the 14-day periods")] = None,
        pseudonymise: Annotated[bool, Query(description="pseudonymise ids (always on for auditors)")] = False,
    ) -> None:
        self.source = source
        self.plan_version = plan_version
        self.team = team
        self.month = month
        self.period_start = period_start
        self.pseudonymise = pseudonymise

    def kwargs(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "plan_version": self.plan_version,
            "team": self.team,
            "month": self.month,
            "period_start": self.period_start,
            "pseudonymise": self.pseudonymise,
        }

    def filename(self, ext: str) -> str:
        parts = ["audit", self.source, self.team or "all", self.month or "all-months"]
        if self.plan_version is not None:
            parts.append(f"v{self.plan_version}")
        return "-".join(parts) + "." + ext


QueryDep = Annotated[_Query, Depends()]


@router.get("/figures", responses=NAMES_ROWS)
def figures(
    q: QueryDep,
    session: SessionDep,
    user: Reader,
    per_citizen: Annotated[
        bool, Query(description="add the per-citizen table (month and 14-day rows)")
    ] = False,
) -> dict[str, Any]:
    result = _run(session, user, **q.kwargs())
    out = {**result.figures, "pseudonymised": result.pseudonymised}
    if per_citizen:
        out["per_citizen"] = service.citizen_table(result)
    return out


@router.get("/export.csv", response_class=Response, responses=NAMES_ROWS)
def export_csv(q: QueryDep, session: SessionDep, user: Reader) -> Response:
    result = _run(session, user, **q.kwargs())
    return Response(
        service.csv_export(result),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{q.filename("csv")}"'},
    )


@router.get("/report.html", response_class=HTMLResponse, responses=NAMES_ROWS)
def report_html(q: QueryDep, session: SessionDep, user: Reader,
                lang: Annotated[Literal["en", "sv"], Query(description="the report's language")] = "en",
                ) -> HTMLResponse:
    result = _run(session, user, **q.kwargs())
    return HTMLResponse(
        service.html_report(result, words=report_words(lang)),
        headers={"Content-Disposition": f'attachment; filename="{q.filename("html")}"'},
    )


@router.post("/performed", status_code=status.HTTP_200_OK)
def import_performed(file: UploadFile, session: SessionDep, user: Importer) -> dict[str, Any]:
    """Import performed visits. Every row is checked first (unknown ids, end before start, a carer in two
    places at once, duplicates, malformed dates); any bad row: 422 naming each, nothing stored.

    A plain function, so FastAPI runs it in its thread pool: checking and storing a month of rows must
    not hold up the event loop, which serves everyone's pages."""
    content = file.file.read(MAX_UPLOAD_BYTES + 1)
    if len(content) > MAX_UPLOAD_BYTES:
        raise Invalid(f"file larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB", path="body.file")
    result = service.import_performed(
        session, content=content, filename=file.filename or "upload", user_id=user.id
    )
    return result.as_dict()
