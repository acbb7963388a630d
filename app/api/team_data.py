"""The team's own data over time: change records of a citizen or carer, carers' rosters (patterns and
exceptions), and the accepted assignments changes left needing a re-plan. Coordinators write, members
read, auditors never see these (they name people and their circumstances)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Response, UploadFile, status
from sqlalchemy.orm import Session

from app.api.deps import Coordinator, ReadLogDep
from app.db import SessionDep
from app.repositories import team_data as repo
from app.repositories.core import citizen_ids_of_teams
from app.schemas.core import Day, RowId
from app.schemas.team_data import (
    ChangeRecordOut,
    KnownAddressOut,
    ReplanNeedOut,
    RosterAnswer,
    RosterExceptionIn,
    RosterExceptionOut,
    RosterPatternOut,
    RosterPatternSet,
    RosterWarningOut,
    SheetError,
    SheetSummary,
)
from app.security import get_team_scoped, require_role, visible_team_ids
from app.services.team_data import citizens as citizens_svc
from app.services.team_data import roster as roster_svc
from app.services.team_data import sheets as sheets_svc
from app.services.team_data.roster import RosterWarning
from models.core import ROLE_COORDINATOR, ROLE_MEMBER, Carer, Citizen, Plan, Team, User
from models.team_data import ChangeRecord

router = APIRouter(prefix="/api", tags=["team data"])

# Members read their team's records and rosters; auditors never (names and circumstances).
TeamReader = Annotated[User, Depends(require_role(ROLE_MEMBER, ROLE_COORDINATOR))]


def changes_out(session: Session, rows: list[ChangeRecord]) -> list[ChangeRecordOut]:
    names = repo.usernames(session, {r.created_by_id for r in rows if r.created_by_id is not None})
    return [ChangeRecordOut.model_validate(r).model_copy(
        update={"created_by": names.get(r.created_by_id) if r.created_by_id else None}) for r in rows]


@router.get("/citizens/{citizen_id}/changes")
def citizen_changes(citizen_id: RowId, session: SessionDep, user: TeamReader,
                    reads: ReadLogDep) -> list[ChangeRecordOut]:
    """Every recorded change to the citizen and their needs, newest first: who, when, before, after."""
    citizen = get_team_scoped(session, Citizen, citizen_id, user)
    reads.citizens(user=user, citizen_ids=[citizen.id], what="api citizen changes")
    return changes_out(session, list(repo.change_records(session, citizen_id=citizen.id)))


@router.get("/carers/{carer_id}/changes")
def carer_changes(carer_id: RowId, session: SessionDep, user: TeamReader) -> list[ChangeRecordOut]:
    """Every recorded change to the carer and their roster, newest first."""
    carer = get_team_scoped(session, Carer, carer_id, user)
    return changes_out(session, list(repo.change_records(session, carer_id=carer.id)))


@router.get("/teams/{team_id}/changes")
def team_changes(team_id: RowId, session: SessionDep, user: TeamReader, reads: ReadLogDep,
                 entity: Literal["citizen", "need", "carer", "roster"] | None = None,
                 limit: Annotated[int, Query(ge=1, le=1000)] = 200) -> list[ChangeRecordOut]:
    """Every recorded change to the team's data, newest first, with those whose citizen or carer is gone
    (a row deleted as entered by mistake)."""
    team = get_team_scoped(session, Team, team_id, user)
    rows = list(repo.change_records(session, team_id=team.id, entity=entity, limit=limit))
    reads.citizens(user=user, citizen_ids=sorted({r.citizen_id for r in rows if r.citizen_id is not None}),
                   what="api team changes")
    return changes_out(session, rows)


@router.get("/teams/{team_id}/addresses")
def address_list(team_id: RowId, session: SessionDep, user: TeamReader,
                 reads: ReadLogDep) -> list[KnownAddressOut]:
    """The addresses with a position that the team's imported sheets and its citizens brought in, each
    once: a new or moved citizen's latitude and longitude can be taken from them."""
    team = get_team_scoped(session, Team, team_id, user)
    known = citizens_svc.address_list(session, team_id=team.id)
    reads.citizens(user=user, citizen_ids=sorted({c for k in known for c in k.citizen_ids}),
                   what="address list")
    return [KnownAddressOut(address=k.address, lat=k.lat, lon=k.lon) for k in known]


def roster_answer(session: Session, carer: Carer, warnings: list[RosterWarning] | None = None,
                  flagged: int = 0) -> RosterAnswer:
    return RosterAnswer(
        patterns=[RosterPatternOut.model_validate(p) for p in repo.patterns_of(session, carer.id)],
        exceptions=[RosterExceptionOut.model_validate(e) for e in repo.exceptions_of(session, carer.id)],
        warnings=[RosterWarningOut(date=w.date, kind=w.kind, message=w.message)  # type: ignore[arg-type]
                  for w in warnings or []],
        flagged=flagged)


@router.get("/carers/{carer_id}/roster")
def read_roster(carer_id: RowId, session: SessionDep, user: TeamReader) -> RosterAnswer:
    carer = get_team_scoped(session, Carer, carer_id, user)
    return roster_answer(session, carer)


@router.put("/carers/{carer_id}/roster")
def set_roster(carer_id: RowId, body: RosterPatternSet, session: SessionDep,
               user: Coordinator) -> RosterAnswer:
    """The carer's repeating roster from a date on; the shifts from that date are remade. Warnings name
    days with under 11 hours' rest or a working day over 13 hours (saved all the same)."""
    carer = get_team_scoped(session, Carer, carer_id, user)
    _pattern, warnings, flagged = roster_svc.set_pattern(session, carer=carer, data=body, user=user)
    return roster_answer(session, carer, warnings, flagged)


@router.post("/carers/{carer_id}/roster/exceptions", status_code=status.HTTP_201_CREATED)
def add_roster_exception(carer_id: RowId, body: RosterExceptionIn, session: SessionDep,
                         user: Coordinator) -> RosterAnswer:
    """Leave or a course (the day off the pattern) or an extra shift, on one date."""
    carer = get_team_scoped(session, Carer, carer_id, user)
    _ex, warnings, flagged = roster_svc.add_exception(session, carer=carer, data=body, user=user)
    return roster_answer(session, carer, warnings, flagged)


@router.delete("/carers/{carer_id}/roster/exceptions/{exception_id}", status_code=status.HTTP_204_NO_CONTENT)
def remove_roster_exception(carer_id: RowId, exception_id: RowId, session: SessionDep,
                            user: Coordinator) -> None:
    carer = get_team_scoped(session, Carer, carer_id, user)
    roster_svc.remove_exception(session, carer=carer, exception_id=exception_id, user=user)


@router.get("/plans/{plan_id}/replan-needs")
def replan_needs(plan_id: RowId, session: SessionDep, user: TeamReader) -> list[ReplanNeedOut]:
    """Accepted assignments a change made wrong, with the change behind each; the next re-plan whose
    days cover them resolves them."""
    plan = get_team_scoped(session, Plan, plan_id, user)
    rows = repo.open_replan_needs(session, plan.id, visible_team_ids(user))
    return [ReplanNeedOut(id=n.id, plan_id=n.plan_id, visit_id=v.id, visit_external_id=v.external_id,
                          date=v.date, citizen_id=v.citizen_id, assignment_id=n.assignment_id,
                          reason=n.reason, change_id=c.id, change_entity=c.entity, change_action=c.action,
                          changed_at=c.created_at) for n, v, c in rows]


SheetKind = Literal["citizens", "carers"]
MEDIA = sheets_svc.MEDIA


@router.get("/teams/{team_id}/sheets/{kind}", response_class=Response,
            responses={200: {"content": {MEDIA["csv"]: {}, MEDIA["xlsx"]: {}}}})
def export_sheet(team_id: RowId, kind: SheetKind, session: SessionDep, user: TeamReader, reads: ReadLogDep,
                 format: Literal["csv", "xlsx"] = "csv", lang: Literal["en", "sv"] = "en",
                 template: bool = False) -> Response:
    """The team's citizens with their standing needs, or carers with skills and roster pattern, as a
    spreadsheet; `template=true`: the headers only (Swedish or English), to fill in."""
    team = get_team_scoped(session, Team, team_id, user)
    rows = [] if template else sheets_svc.export_rows(session, kind=kind, team=team)
    if kind == "citizens" and not template:
        reads.citizens(user=user, citizen_ids=citizen_ids_of_teams(session, [team.id]), what="citizen sheet")
    body = sheets_svc.write_sheet(kind, rows, fmt=format, lang=lang)
    name = f"{team.external_id}-{kind}{'-template' if template else ''}.{format}"
    return Response(body, media_type=MEDIA[format],
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


EFFECTIVE = "changes to existing rows take effect from this date (default: next Monday)"


def summary_out(plan: sheets_svc.ImportPlan) -> SheetSummary:
    return SheetSummary(kind=plan.kind, new=len(plan.new), changed=len(plan.changed), ended=len(plan.ended),
                        errors=[SheetError(row=e.row, column=e.column, msg=e.message) for e in plan.errors])


@router.post("/teams/{team_id}/sheets/{kind}")
def import_sheet(team_id: RowId, kind: SheetKind, file: UploadFile, session: SessionDep, user: Coordinator,
                 dry_run: bool = True,
                 effective: Annotated[Day | None, Query(description=EFFECTIVE)] = None) -> SheetSummary:
    """Read a CSV or XLSX sheet: with `dry_run` (the default) say what it would do and list every error
    by row and column, storing nothing; without, store it all in one transaction or nothing (422 with
    every error)."""
    team = get_team_scoped(session, Team, team_id, user)
    sheet = sheets_svc.read_sheet(kind, file.file.read(), file.filename or "")
    plan = sheets_svc.plan_import(session, sheet=sheet, team=team, effective=effective or next_monday())
    if not dry_run:
        sheets_svc.apply_import(session, plan=plan, user=user)
    return summary_out(plan)


def next_monday(today: dt.date | None = None) -> dt.date:
    today = today or dt.date.today()
    return today + dt.timedelta(days=7 - today.weekday())
